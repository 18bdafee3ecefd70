package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/errata/errata/search"
)

// longTrace is a Python traceback of about n bytes whose last line is a
// Gmail quota error: what a person pastes from a terminal.
func longTrace(n int) string {
	var b strings.Builder
	b.WriteString("Traceback (most recent call last):\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "  File \"/srv/app/mailer/step%d.py\", line %d, in send\n    service.users().messages().send(userId=\"me\", body=raw).execute()\n", i, 10+i)
	}
	b.WriteString("googleapiclient.errors.HttpError: <HttpError 429 when requesting https://gmail.googleapis.com/gmail/v1/users/me/messages/send?alt=json returned \"User-rate limit exceeded.\". Details: \"[{'message': 'User-rate limit exceeded.', 'domain': 'usageLimits', 'reason': 'rateLimitExceeded'}]\">\n")
	return b.String()
}

// client is a real HTTP client over the whole stack that does not follow
// redirects, so that a 303 can be read.
func pasteServer(t *testing.T) (*httptest.Server, *http.Client) {
	t.Helper()
	h, _ := testServer(t, catalogueIndex(t))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return srv, c
}

func post(t *testing.T, c *http.Client, u, ctype, body string) (*http.Response, string) {
	t.Helper()
	res, err := c.Post(u, ctype, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// The search form posts a long paste; the page answers 303 to a short
// address of what was understood, which lands on the paste's entry, keeps
// the filters, and whose page names what was understood, not the paste.
func TestPostedPastes(t *testing.T) {
	srv, c := pasteServer(t)
	trace := longTrace(30 << 10)
	res, b := post(t, c, srv.URL+"/", "application/x-www-form-urlencoded", url.Values{"q": {trace}, "status": {"4xx"}}.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST / with a %d-byte trace: %d, want 303\n%s", len(trace), res.StatusCode, cut(b, 300))
	}
	loc := res.Header.Get("Location")
	u, err := url.Parse(loc)
	if err != nil || u.Path != "/" || u.Query().Get("status") != "400-499" || len(loc) > 2*search.MaxShortQueryBytes {
		t.Fatalf("Location %q: want a short /?q= that keeps the status filter", loc)
	}
	got, err := c.Get(srv.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(got.Body)
	got.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := doc.Find("[data-testid=result]").First().Attr("data-id"); id != "429-gmail-too-many-requests" {
		t.Errorf("the short address lists %q first, want 429-gmail-too-many-requests", id)
	}
	if h := doc.Find("[data-testid=count]").Text(); strings.Contains(h, "Traceback") || len(h) > 2*search.MaxShortQueryBytes {
		t.Errorf("heading %q: want what was understood, not the paste", h)
	}

	// The same paste by the API, as JSON.
	body, _ := json.Marshal(map[string]any{"query": trace, "status": "4xx", "per_page": 3})
	res, b = post(t, c, srv.URL+"/api/v1/search", "application/json", string(body))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v1/search: %d\n%s", res.StatusCode, cut(b, 300))
	}
	var out apiSearchResponse
	if err := json.Unmarshal([]byte(b), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Results) == 0 || out.Results[0].ID != "429-gmail-too-many-requests" || out.PerPage != 3 || out.Query.Status != "400-499" {
		t.Errorf("POST /api/v1/search: %+v", out)
	}
	if u := out.Understood; !u.Pasted || u.Shape != "trace" || len(u.Query) > search.MaxShortQueryBytes || !strings.Contains(u.Query, "rateLimitExceeded") {
		t.Errorf("understood %+v: want a trace read down to its code", u)
	}
}

// What cannot be read gets a status and a message that says the fix, on
// the page and in the API: too long, not a form, not JSON, unknown fields.
func TestPostedPasteRefusals(t *testing.T) {
	srv, c := pasteServer(t)
	huge := strings.Repeat("x", search.MaxQueryBytes+1)
	for _, tc := range []struct {
		name, path, ctype, body string
		status                  int
		want                    string
	}{
		{"page: too long", "/", "application/x-www-form-urlencoded", url.Values{"q": {huge}}.Encode(), 413, "up to 256 KiB"},
		{"page: body past the limit", "/", "application/x-www-form-urlencoded", "q=" + strings.Repeat("%41", maxPasteBody/3+1), 413, "That paste is too long"},
		{"page: not a form", "/", "text/plain", "hello", 415, "application/x-www-form-urlencoded"},
		{"page: bad status", "/", "application/x-www-form-urlencoded", "q=quota&status=abc", 400, "status"},
		{"API: too long", "/api/v1/search", "application/json", `{"query":"` + huge + `"}`, 413, "too_large"},
		{"API: not JSON", "/api/v1/search", "application/x-www-form-urlencoded", "query=x", 415, "Content-Type: application/json"},
		{"API: broken JSON", "/api/v1/search", "application/json", `{"query":`, 400, "cut short"},
		{"API: unknown field", "/api/v1/search", "application/json", `{"q":"quota"}`, 400, `unknown field \"q\"`},
		{"API: wrong type", "/api/v1/search", "application/json", `{"query":"quota","provider":"gmail"}`, 400, "provider"},
		{"API: two values", "/api/v1/search", "application/json", `{"query":"a"}{"query":"b"}`, 400, "more than one"},
		{"API: bad page", "/api/v1/search", "application/json", `{"query":"quota","page":0.5}`, 400, "page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, b := post(t, c, srv.URL+tc.path, tc.ctype, tc.body)
			if res.StatusCode != tc.status || !strings.Contains(b, tc.want) {
				t.Errorf("%d %s\nwant %d and %q", res.StatusCode, cut(b, 300), tc.status, tc.want)
			}
			if len(b) > 64<<10 {
				t.Errorf("the refusal is %d bytes: it echoes the paste", len(b))
			}
		})
	}
}

// A paste searched by GET (the live search of a short one) names what was
// understood in its heading and carries only that in its links: a 3.6 KB
// log no longer fills every filter link.
func TestPastedQueryLinksStayShort(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	var log strings.Builder
	for i := 0; log.Len() < 3600; i++ {
		fmt.Fprintf(&log, "2024-05-02T10:11:%02dZ INFO worker-%d request_id=8f3e2a1c-9b7d-4c1e-a2f3-0d9e8c7b6a5%d polled the mailbox\n", i%60, i%8, i%10)
	}
	log.WriteString(`2024-05-02T10:12:00Z ERROR gmail send: {"error":{"code":429,"message":"The Gmail account has exceeded the usage limit."}}`)
	res := do(t, h, "GET", "/?q="+url.QueryEscape(log.String()))
	b := body(t, res)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := doc.Find("[data-testid=result]").First().Attr("data-id"); id != "429-gmail-too-many-requests" {
		t.Errorf("first result %q", id)
	}
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		if href, _ := a.Attr("href"); len(href) > 4*search.MaxShortQueryBytes {
			t.Errorf("a link of %d bytes carries the paste: %s", len(href), cut(href, 300))
		}
	})
	if hd := doc.Find("[data-testid=count]").Text(); strings.Contains(hd, "polled") {
		t.Errorf("heading %q echoes the log", hd)
	}
	if u := doc.Find("[data-testid=understood]").Text(); !strings.Contains(u, "Read as a pasted log line") || !strings.Contains(u, "usage limit") {
		t.Errorf("understood line %q", u)
	}
	// The box keeps the paste, the page a few times its size at most.
	if len(b) > 3*log.Len()+40<<10 {
		t.Errorf("page is %d bytes for a %d-byte paste", len(b), log.Len())
	}
}

// When a code or a whole message names the first hit, the results show its
// cause and first solution step with links to them, mark it for Enter, and
// label where each snippet comes from.
func TestAnswerOnTheResultsPage(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	doc := page(t, h, "/?q="+url.QueryEscape(`{"error":{"code":403,"errors":[{"reason":"accessNotConfigured"}],"message":"Gmail API has not been used in project 4711 before"}}`), 200)
	a := doc.Find("[data-testid=answer]")
	if a.Length() != 1 {
		t.Fatal("no answer for a paste whose code names its entry")
	}
	if href, _ := a.Find(".answer-t a").Attr("href"); href != "/errors/403-gmail-gmail-api-has-not-been-used-in-project" {
		t.Errorf("answer links to %q", href)
	}
	if c := a.Find("[data-testid=answer-cause]").Text(); !strings.Contains(c, "The Gmail API is disabled.") {
		t.Errorf("answer cause %q", c)
	}
	if s := a.Find("[data-testid=answer-step]"); s.Length() != 1 || strings.TrimSpace(s.Text()) == "" {
		t.Errorf("answer has no first step")
	}
	hrefs := strings.Join(attrs(a.Find(".answer-more"), "href"), " ")
	if !strings.Contains(hrefs, "#cause") || !strings.Contains(hrefs, "#solution") {
		t.Errorf("answer links %q, want the cause and solution sections", hrefs)
	}
	if best, _ := doc.Find("#results").Attr("data-best"); best != "/errors/403-gmail-gmail-api-has-not-been-used-in-project" {
		t.Errorf("data-best %q", best)
	}
	if from := texts(doc.Find("[data-testid=snippet-from]")); len(from) == 0 {
		t.Error("no snippet says where it comes from")
	}
	// A few words name nothing surely: no answer, no best.
	doc = page(t, h, "/?q=quota", 200)
	if doc.Find("[data-testid=answer]").Length() != 0 {
		t.Error("an answer for a plain word search")
	}
	if best, _ := doc.Find("#results").Attr("data-best"); best != "" {
		t.Errorf("data-best %q for a plain word search", best)
	}
}
