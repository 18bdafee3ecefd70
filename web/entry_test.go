package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

func TestEntryPage(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	const id = "429-gmail-too-many-requests"
	e, ok := ix.Entry(id)
	if !ok {
		t.Fatalf("%s is not in the catalogue", id)
	}
	doc := page(t, h, "/errors/"+id, 200)
	if got := doc.Find("[data-testid=entry] [data-testid=status]").First().Text(); got != "429" {
		t.Errorf("status badge %q", got)
	}
	// The primary code leads the heading; the others follow it.
	if got := texts(doc.Find("h1[data-testid=title]")); !cmp.Equal(got, []string{"rateLimitExceeded " + e.Title}) {
		t.Errorf("heading %q, want the code then %q", got, e.Title)
	}
	if got := doc.Find("h1 [data-testid=code]").Text(); got != "rateLimitExceeded" {
		t.Errorf("code in the heading %q", got)
	}
	if got := texts(doc.Find("[data-testid=other-codes] code")); !cmp.Equal(got, []string{"userRateLimitExceeded", "dailyLimitExceeded"}) {
		t.Errorf("other codes %q", got)
	}
	if got := texts(doc.Find("[data-testid=source]")); !cmp.Equal(got, []string{"From Nylas's error reference."}) {
		t.Errorf("source %q", got)
	}
	if got := texts(doc.Find("[data-testid=entry] [data-testid=provider]")); !cmp.Equal(got, []string{"Nylas", "Gmail"}) {
		t.Errorf("providers %v", got)
	}
	// Messages verbatim, each with a copy button (shown by JavaScript).
	msgs := doc.Find("[data-testid=message]")
	if !cmp.Equal(texts(msgs), e.Messages) {
		t.Errorf("messages %v, want %v", texts(msgs), e.Messages)
	}
	if n := doc.Find("pre[data-testid=message] > code").Length(); n != len(e.Messages) {
		t.Errorf("%d messages in <pre><code>", n)
	}
	if n := doc.Find(".msg button[data-copy]").Length(); n != len(e.Messages) {
		t.Errorf("%d copy buttons for %d messages", n, len(e.Messages))
	}
	// Cause and Solution under linkable headings.
	for _, sec := range []string{"cause", "solution"} {
		h2 := doc.Find("h2#" + sec)
		if h2.Length() != 1 {
			t.Fatalf("no h2#%s", sec)
		}
		if href, _ := h2.Find("a.anchor").Attr("href"); href != "#"+sec {
			t.Errorf("%s anchor %q", sec, href)
		}
		s, _ := e.Section(sec)
		if html, _ := doc.Find("[data-testid=section-" + sec + "]").Html(); !strings.Contains(html, strings.TrimSpace(s.HTML)) {
			t.Errorf("%s section does not hold the rendered Markdown", sec)
		}
	}
	// Related: front matter first, then the same status for other providers.
	rel := attrs(doc.Find("[data-testid=related] [data-testid=result]"), "data-id")
	if len(rel) < len(e.Related) || !cmp.Equal(rel[:len(e.Related)], e.Related) {
		t.Errorf("related %v, want to start with %v", rel, e.Related)
	}
	for _, r := range rel[len(e.Related):] {
		re, _ := ix.Entry(r)
		if re.Status != e.Status || cmp.Equal(re.Providers, e.Providers) {
			t.Errorf("related %s (%d %v) is not the same status for another provider", r, re.Status, re.Providers)
		}
	}
	if href, _ := doc.Find("[data-testid=back]").Attr("href"); href != "/?status=429" {
		t.Errorf("back link %q", href)
	}
	if u, _ := doc.Find("[data-testid=copy-link]").Attr("data-url"); u != "https://errata.example/errors/"+id {
		t.Errorf("copy link %q", u)
	}
	// Link previews.
	meta := func(sel string) string { v, _ := doc.Find(sel).Attr("content"); return v }
	if got, _ := doc.Find("link[rel=canonical]").Attr("href"); got != "https://errata.example/errors/"+id {
		t.Errorf("canonical %q", got)
	}
	if got := meta(`meta[property="og:title"]`); got != "rateLimitExceeded — 429 "+e.Title || doc.Find("title").Text() != got+" · Errata" {
		t.Errorf("og:title %q", got)
	}
	if got := meta(`meta[property="og:url"]`); got != "https://errata.example/errors/"+id {
		t.Errorf("og:url %q", got)
	}
	if got := meta(`meta[property="og:type"]`); got != "article" {
		t.Errorf("og:type %q", got)
	}
	if d := meta(`meta[property="og:description"]`); !strings.HasPrefix(d, e.Messages[0]) || d != meta(`meta[name="twitter:description"]`) || d != meta(`meta[name=description]`) {
		t.Errorf("descriptions %q", d)
	}
	if meta(`meta[name="twitter:card"]`) == "" {
		t.Error("no twitter:card")
	}
}

func TestEntryBackLink(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	cases := map[string]string{
		"?from=" + "q%3Drate%2Blimit%26provider%3Dgmail": "/?q=rate+limit&provider=gmail",
		"?from=status%3D4xx":                             "/?status=400-499",
		"?from=status%3Dbogus%26q%3Dx":                   "/?q=x",
		"?from=%25zz":                                    "/?status=429",
		"?from=https%3A%2F%2Fevil.example%2F":            "/",
	}
	for query, want := range cases {
		doc := page(t, h, "/errors/429-gmail-too-many-requests"+query, 200)
		if href, _ := doc.Find("[data-testid=back]").Attr("href"); href != want {
			t.Errorf("%s: back %q, want %q", query, href, want)
		}
	}
}

func TestEntryRedirectAndNotFound(t *testing.T) {
	h, _ := testServer(t, fixtures(t))
	res := do(t, h, "GET", "/errors/old-not-found?hl=wobble&from=q%3Dwobble")
	if res.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("old id: status %d, want 301", res.StatusCode)
	}
	if loc := res.Header.Get("Location"); loc != "/errors/404-fixture-0?hl=wobble&from=q%3Dwobble" {
		t.Errorf("Location %q", loc)
	}
	res = do(t, h, "GET", "/api/v1/errors/old-not-found")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/api/v1/errors/404-fixture-0" {
		t.Errorf("API old id: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	doc := page(t, h, "/errors/too-many-wobbles", 404)
	if doc.Find("[data-testid=error-heading]").Text() != "Page not found" {
		t.Error("404 heading")
	}
	if !strings.Contains(doc.Find("[data-testid=error-message]").Text(), "too-many-wobbles") {
		t.Error("404 does not name the id")
	}
	form := doc.Find("[data-testid=notfound-search]")
	if action, _ := form.Attr("action"); action != "/" {
		t.Errorf("search form action %q", action)
	}
	if v, _ := form.Find("input[name=q]").Attr("value"); v != "too many wobbles" {
		t.Errorf("search prefilled with %q", v)
	}
	if robots, _ := doc.Find("meta[name=robots]").Attr("content"); robots != "noindex" {
		t.Error("404 page is indexable")
	}
	// Any unknown path is the same friendly page.
	doc = page(t, h, "/nothing-here", 404)
	if v, _ := doc.Find("[data-testid=notfound-search] input[name=q]").Attr("value"); v != "nothing here" {
		t.Errorf("search prefilled with %q", v)
	}
}

// hostileEntries are entry files whose front matter and Markdown carry
// markup, script links and odd characters, all valid enough to load.
func hostileEntries() fstest.MapFS {
	files := fstest.MapFS{}
	add := func(id string, status int, title string, messages, aliases []string, body string) {
		var b strings.Builder
		fmt.Fprintf(&b, "---\nid: %s\nstatus: %d\ntitle: %q\nproviders: [gmail]\nmessages:\n", id, status, title)
		for _, m := range messages {
			fmt.Fprintf(&b, "  - %q\n", m)
		}
		b.WriteString("aliases:\n")
		for _, a := range aliases {
			fmt.Fprintf(&b, "  - %q\n", a)
		}
		b.WriteString("updated: 2026-01-02\n---\n\n" + body)
		files["entries/"+id+".md"] = &fstest.MapFile{Data: []byte(b.String())}
	}
	add("400-hostile-markup", 400, `<script data-xss>alert("title")</script> Hostile <b>Markup</b>`,
		[]string{`<img src=x onerror=alert(1) data-xss> zorblat failed`, `"><svg onload=alert(2) data-xss>`},
		[]string{`</title><script data-xss>alert(3)</script>`, "javascript:alert(4)"}, `## Cause

<script data-xss>alert(5)</script>

Inline <b data-xss onclick="alert(6)">bold</b> and <iframe src="javascript:alert(7)" data-xss></iframe> zorblat.

## Solution

- [plain](javascript:alert(1))
- [entity hex](jav&#x61;script:alert(1))
- [entity dec](&#106;avascript:alert(1))
- [entity named](javascript&colon;alert(1))
- [tab](java&#9;script:alert(1))
- [newline](java&#10;script:alert(1))
- [upper](JAVASCRIPT:alert(1))
- [space](%20javascript:alert(1))
- [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
- ![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)
- [vb](vbscript:msgbox(1))
- <javascript:alert(1)>
- [ref][x]
- [title](/errors/429-hostile-characters "\" onmouseover=\"alert(1)")

[x]: javascript:alert(1)
`)
	add("429-hostile-characters", 429, "Zorblat \u202eRight To Left\u202c q\u0301uota",
		[]string{"\u0645\u0631\u062d\u0628\u0627 zorblat \u200b limit", strings.Repeat("\u0301", 300) + " combining zorblat"},
		[]string{"{{.}}", "%3Cscript%3E"}, "## Cause\n\n"+strings.Repeat("> ", 30)+"deep zorblat quote\n\n## Solution\n\n"+strings.Repeat("- ", 30)+"deep zorblat list\n")
	return files
}

// Entries carrying markup, script links and odd characters render inert on
// their page, in search results and in the API.
func TestHostileContentRendersInert(t *testing.T) {
	// The hostile entries load: their markup is text.
	h, _ := testServer(t, buildIndex(t, hostileEntries()))
	for _, target := range []string{
		"/errors/400-hostile-markup", "/errors/429-hostile-characters", "/", "/?q=zorblat", "/?q=alert", "/?q=script",
		"/?q=" + url.QueryEscape("<script data-xss>"), "/?status=4xx&provider=gmail", "/errors/400-hostile-markup?hl=zorblat",
	} {
		a := ask(t, h, "GET", target)
		if a.status != 200 {
			t.Errorf("%s, want 200", a)
		}
		doc := inertHTML(t, a)
		if strings.HasPrefix(target, "/errors/400") {
			if title := doc.Find("[data-testid=title]").Text(); !strings.Contains(title, `<script data-xss>alert("title")</script>`) {
				t.Errorf("%s: title %q, want the markup shown as text", a, title)
			}
			if doc.Find("a[href]").FilterFunction(func(_ int, s *goquery.Selection) bool {
				return urlScheme(s.AttrOr("href", "")) == "javascript"
			}).Length() > 0 {
				t.Errorf("%s: a javascript: link", a)
			}
		}
	}
	for _, target := range []string{"/api/v1/errors/400-hostile-markup", "/api/v1/search?q=zorblat", "/api/v1/errors"} {
		a := ask(t, h, "GET", target)
		v := apiJSON(t, a)
		// The sections' HTML, as an API client would insert it, is inert too.
		secs, _ := v["sections"].([]any)
		for _, s := range secs {
			frag, _ := s.(map[string]any)["html"].(string)
			inertFragment(t, target, frag)
		}
	}
}
