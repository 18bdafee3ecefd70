package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/search"
	"github.com/errata/errata/static"
	"github.com/errata/errata/web/middleware"
)

// Every route, including errors, 405s and static files, carries the
// security headers.
func TestRoutesStatusAndSecurityHeaders(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	cases := []struct {
		method, target string
		status         int
		ctype          string
	}{
		{"GET", "/", 200, "text/html"},
		{"GET", "/?q=quota", 200, "text/html"},
		{"GET", "/errors/429-gmail-too-many-requests", 200, "text/html"},
		{"GET", "/errors/no-such-entry", 404, "text/html"},
		{"GET", "/api/v1/search?q=quota", 200, "application/json"},
		{"GET", "/api/v1/errors", 200, "application/json"},
		{"GET", "/api/v1/errors/429-gmail-too-many-requests", 200, "application/json"},
		{"GET", "/api/v1/errors/nope", 404, "application/json"},
		{"GET", "/api/v1/nope", 404, "application/json"},
		{"GET", "/api/v1/search?status=abc", 400, "application/json"},
		{"GET", "/?status=abc", 400, "text/html"},
		{"GET", "/healthz", 200, "text/plain"},
		{"GET", "/readyz", 200, "text/plain"},
		{"GET", static.URL("app.css"), 200, "text/css"},
		{"GET", static.URL("app.js"), 200, "text/javascript"},
		{"GET", static.URL("htmx.min.js"), 200, "text/javascript"},
		{"GET", "/static/app.css", 404, ""},
		{"GET", "/opensearch.xml", 200, "application/opensearchdescription+xml"},
		{"GET", "/sitemap.xml", 200, "application/xml"},
		{"GET", "/robots.txt", 200, "text/plain"},
		{"GET", "/favicon.ico", 200, "image/svg+xml"},
		{"GET", "/no/such/page", 404, "text/html"},
		{"HEAD", "/", 200, "text/html"},
		{"HEAD", "/errors/429-gmail-too-many-requests", 200, "text/html"},
		{"HEAD", "/healthz", 200, "text/plain"},
		{"HEAD", static.URL("app.css"), 200, "text/css"},
		{"PUT", "/", 405, ""},
		{"POST", "/", 415, "text/html"},
		{"POST", "/api/v1/search", 415, "application/json"},
		{"DELETE", "/errors/429-gmail-too-many-requests", 405, ""},
		{"PUT", "/api/v1/search", 405, ""},
		{"POST", "/healthz", 405, ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			res := do(t, h, c.method, c.target)
			b := body(t, res)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, c.status, cut(b, 2000))
			}
			if c.ctype != "" && !strings.HasPrefix(res.Header.Get("Content-Type"), c.ctype) {
				t.Errorf("Content-Type %q, want %s", res.Header.Get("Content-Type"), c.ctype)
			}
			checkSecurityHeaders(t, c.method+" "+c.target, res.Header)
			if c.status == 405 {
				if allow := res.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "HEAD") {
					t.Errorf("Allow = %q, want GET and HEAD", allow)
				}
			}
		})
	}
}

// Methods other than GET and HEAD answer 405 with Allow on every route, and
// HEAD sends no body.
func TestMethodsOtherThanGetAndHead(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, target := range []string{"/", "/?q=quota", "/errors/429-gmail-too-many-requests", "/api/v1/search?q=quota", "/api/v1/errors",
		"/api/v1/errors/429-gmail-too-many-requests", "/healthz", "/readyz", "/robots.txt", "/sitemap.xml", "/favicon.ico", "/no/such/page"} {
		for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "FOO"} {
			if m == "POST" && (strings.HasPrefix(target, "/?") || target == "/" || strings.HasPrefix(target, "/api/v1/search")) {
				continue // the search form and the API take long pastes by POST (TestPostedPastes)
			}
			a := ask(t, h, m, target)
			if a.status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", m, target, a.status)
				continue
			}
			if allow := a.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "HEAD") || strings.Contains(allow, m) {
				t.Errorf("%s %s: Allow %q, want GET, HEAD (and POST for searches) only", m, target, allow)
			}
		}
		// (The recorder keeps HEAD bodies; http.Server drops them.)
		if a := ask(t, h, "HEAD", target); a.status >= 400 && target != "/no/such/page" {
			t.Errorf("HEAD %s: %d, want a success", target, a.status)
		}
	}
}

// Every kind of answer the served stack gives carries the security headers
// exactly once: made afresh or from the answer cache, 304, 400, 404 (unknown
// and unclean paths), 405, 429 from the rate limit, and 500 from a panic.
func TestEveryAnswerCarriesSecurityHeadersOnce(t *testing.T) {
	site, _ := testServer(t, catalogueIndex(t))
	panicky, _ := testServer(t, faultyIndex{panics: true})
	// One request, then a token every 100 s: the second request is a 429.
	cfg := servedConfig()
	cfg.RateLimit = middleware.RateLimitConfig{Rate: 0.01, Burst: 1}
	limitedServer, _ := testServerWith(t, cfg, catalogueIndex(t))
	limited := limitedServer.Handler()
	const entry = "/errors/429-gmail-too-many-requests"
	do(t, site, "GET", entry) // the cache keeps an answer asked twice
	fresh := do(t, site, "GET", entry)
	if do(t, limited, "GET", "/healthz").StatusCode != 200 {
		t.Fatal("the first request to the limited stack was refused")
	}
	for _, c := range []struct {
		name           string
		h              http.Handler
		method, target string
		header         []string
		status         int
	}{
		{"from the cache", site, "GET", entry, nil, 200},
		{"not modified", site, "GET", entry, []string{"If-None-Match", fresh.Header.Get("ETag")}, 304},
		{"HEAD", site, "HEAD", "/", nil, 200},
		{"static file", site, "GET", static.URL("app.css"), nil, 200},
		{"bad parameter", site, "GET", "/?status=abc", nil, 400},
		{"bad API parameter", site, "GET", "/api/v1/search?status=abc", nil, 400},
		{"unknown page", site, "GET", "/no/such/page", nil, 404},
		{"unclean path", site, "GET", "/static/../go.mod", nil, 404},
		{"unknown API", site, "GET", "/api/v1/nope", nil, 404},
		{"wrong method", site, "PUT", "/", nil, 405},
		{"wrong method, unclean path", site, "POST", "/static/../go.mod", nil, 405},
		{"rate limited", limited, "GET", "/", nil, 429},
		{"rate limited API", limited, "GET", "/api/v1/errors", nil, 429},
		{"panic", panicky, "GET", "/?q=boom", nil, 500},
		{"API panic", panicky, "GET", "/api/v1/search?q=boom", nil, 500},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, c.h, c.method, c.target, c.header...)
			if res.StatusCode != c.status {
				t.Fatalf("%s %s: %d, want %d", c.method, c.target, res.StatusCode, c.status)
			}
			if c.name == "from the cache" && res.Header.Get(middleware.CacheHeader) != "hit" {
				t.Fatalf("the repeated request was not a cache hit (%s %q)", middleware.CacheHeader, res.Header.Get(middleware.CacheHeader))
			}
			checkSecurityHeaders(t, c.method+" "+c.target, res.Header)
		})
	}
	checkSecurityHeaders(t, "made afresh", fresh.Header)
}

// xssPayloads mostly mark what they would inject with data-xss, so that the
// parsed page can be searched for it.
var xssPayloads = []string{
	`<script data-xss>alert(1)</script>`,
	`"><img src=x onerror=alert(1) data-xss>`,
	`'><svg onload=alert(1) data-xss>`,
	`</title><script data-xss>alert(1)</script>`,
	`</textarea></noscript></style><xss data-xss>`,
	`<a href="javascript:alert(1)" data-xss>x</a>`,
	`javascript:alert(1)`,
	`jav&#x61;script:alert(1)`,
	`data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
	`" autofocus onfocus="alert(1)`,
	`{{.}}<!--<xss data-xss>-->`,
	"\u2028<script data-xss>\u2029",
	`<iframe srcdoc="<script>alert(1)</script>" data-xss>`,
	`%3Cscript%20data-xss%3E`,
	// Unmarked: found by what they would add, and raw in no answer.
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`'><svg onload=alert(1)>`,
	`</title><script>alert(1)</script>`,
	`{{.}}<!--`,
}

// XSS payloads in every parameter, in the path and in headers that reach a
// page come back as inert text: the parsed page holds no element or
// attribute they tried to add, and no answer holds their markup raw. Where
// the page shows what was typed, it shows it exactly.
func TestXSSInEveryParameterAndPath(t *testing.T) {
	cfg := servedConfig()
	cfg.BaseURL = "" // the Host header reaches the page
	s, _ := testServerWith(t, cfg, catalogueIndex(t))
	h := s.Handler()
	entry := "/errors/429-gmail-too-many-requests"
	for i, p := range xssPayloads {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			e, pe := url.QueryEscape(p), url.PathEscape(p)
			pages := []string{
				"/?q=" + e,
				"/?q=" + e + "&status=4xx&provider=gmail",
				"/?status=" + e,
				"/?provider=" + e,
				"/?page=" + e,
				"/?per_page=" + e,
				"/?" + e + "=" + e,
				entry + "?from=" + url.QueryEscape("q="+p+"&status="+p+"&provider=gmail&page=1"),
				entry + "?from=" + e + "&hl=" + e,
				entry + "?from=" + url.QueryEscape("q="+p) + "&hl=" + e,
				"/errors/" + pe,
				"/errors/" + pe + "?q=" + e,
				"/" + pe,
				"/static/" + pe,
				"/" + pe + "/" + pe,
			}
			for _, target := range pages {
				a := ask(t, h, "GET", target)
				notReflected(t, a)
				if a.status != 200 && a.status != 400 && a.status != 404 {
					t.Errorf("%s, want 200, 400 or 404", a)
				}
				if strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
					inertHTML(t, a)
				} else if a.status != 404 {
					t.Errorf("%s: Content-Type %q", a, a.header.Get("Content-Type"))
				}
			}
			for _, target := range []string{
				"/api/v1/search?q=" + e,
				"/api/v1/search?status=" + e,
				"/api/v1/search?provider=" + e,
				"/api/v1/search?page=" + e + "&per_page=" + e,
				"/api/v1/errors/" + pe,
				"/api/" + pe,
			} {
				a := ask(t, h, "GET", target)
				apiJSON(t, a)
				notReflected(t, a)
			}
			// Headers a page reflects: the host in canonical and preview URLs.
			for _, hdr := range [][]string{
				{"Host", "errata.example" + p},
				{"X-Forwarded-Proto", p},
				{"X-Request-ID", p},
				{"HX-Request", "true", "HX-Target", p},
				{"HX-Current-URL", p},
			} {
				a := ask(t, h, "GET", "/?q=quota", hdr...)
				inertHTML(t, a)
				if strings.Contains(a.header.Get("X-Request-ID"), "<") {
					t.Errorf("%s: X-Request-ID echoed %q", a, a.header.Get("X-Request-ID"))
				}
			}
			for _, target := range []string{"/opensearch.xml", "/sitemap.xml"} {
				a := ask(t, h, "GET", target, "Host", "errata.example"+p)
				if err := xml.Unmarshal([]byte(a.body), new(struct{})); err != nil || strings.Contains(a.body, "data-xss") && strings.Contains(a.body, "<script") {
					t.Errorf("%s with a hostile Host: %v\n%s", a, err, cut(a.body, 300))
				}
			}
		})
	}
	typed := `"><img src=x onerror=alert(1)>`
	doc := page(t, h, "/?q="+url.QueryEscape(typed), 200)
	if v, _ := doc.Find("#q").Attr("value"); v != typed {
		t.Errorf("search box holds %q", v)
	}
	// The heading names what the text was understood as, as text too.
	u := getJSON[apiSearchResponse](t, h, "/api/v1/search?q="+url.QueryEscape(typed), 200).Understood
	if count := doc.Find("[data-testid=count]"); !strings.Contains(count.Text(), linkText(typed, search.Understood{Pasted: u.Pasted, Query: u.Query})) || count.Children().Length() != 0 {
		t.Errorf("count line %q", count.Text())
	}
}

// notReflected fails when a's body holds the markup of a payload raw.
func notReflected(tb testing.TB, a answer) {
	tb.Helper()
	for _, raw := range []string{"<script>alert", "<img src=x", "<svg onload"} {
		if strings.Contains(a.body, raw) {
			tb.Errorf("%s: the payload %s came back unescaped", a, raw)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, f := range static.Files() {
		t.Run(f.Name, func(t *testing.T) {
			res := do(t, h, "GET", static.URL(f.Name))
			b := body(t, res)
			if res.StatusCode != 200 || b != string(f.Data) {
				t.Fatalf("status %d, %d bytes; want 200 and the file's %d bytes", res.StatusCode, len(b), len(f.Data))
			}
			if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control %q", got)
			}
			res = do(t, h, "GET", static.URL(f.Name), "If-None-Match", res.Header.Get("ETag"))
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match: status %d, want 304", res.StatusCode)
			}
		})
	}
	// Anything but an exact hashed name is refused, and nothing escapes.
	bad := []string{
		"/static/", "/static/app.css", "/static/app.00000000.css", "/static/assets", "/static/.htaccess",
		"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/..%2fgo.mod", "/static/%2e%2e%2fgo.mod",
		"/static//etc/passwd", "/static/./" + strings.TrimPrefix(static.URL("app.css"), "/static/"),
		"/static/a/b", "/../go.mod", "/static/static.go",
	}
	for _, target := range bad {
		t.Run(target, func(t *testing.T) {
			res := do(t, h, "GET", target)
			b := body(t, res)
			if res.StatusCode != 404 && res.StatusCode != 400 {
				t.Fatalf("status %d, want 404 or 400", res.StatusCode)
			}
			if strings.Contains(b, "module github.com") || strings.Contains(b, "package static") {
				t.Fatal("a file outside the assets was served")
			}
		})
	}
}

func TestReadyz(t *testing.T) {
	s, _ := testServerWith(t, servedConfig(), nil)
	h := s.Handler()
	if res := do(t, h, "GET", "/readyz"); res.StatusCode != 503 {
		t.Fatalf("no index: readyz %d, want 503", res.StatusCode)
	}
	if res := do(t, h, "GET", "/healthz"); res.StatusCode != 200 {
		t.Fatalf("no index: healthz %d, want 200", res.StatusCode)
	}
	if res := do(t, h, "GET", "/"); res.StatusCode != 503 {
		t.Fatalf("no index: / %d, want 503", res.StatusCode)
	}
	if res := do(t, h, "GET", "/api/v1/errors"); res.StatusCode != 503 {
		t.Fatalf("no index: API %d, want 503", res.StatusCode)
	}
	s.SetIndex(catalogueIndex(t))
	if res := do(t, h, "GET", "/readyz"); res.StatusCode != 200 {
		t.Fatalf("with index: readyz %d, want 200", res.StatusCode)
	}
	s.SetReady(false)
	if res := do(t, h, "GET", "/readyz"); res.StatusCode != 503 {
		t.Fatalf("shutting down: readyz %d, want 503", res.StatusCode)
	}
	if res := do(t, h, "GET", "/"); res.StatusCode != 200 {
		t.Fatalf("shutting down: / %d, want 200 (requests in flight still served)", res.StatusCode)
	}
}

// SetIndex swaps the catalogue for new requests.
func TestSetIndex(t *testing.T) {
	s, _ := testServerWith(t, servedConfig(), catalogueIndex(t))
	h := s.Handler()
	if res := do(t, h, "GET", "/errors/404-fixture-0"); res.StatusCode != 404 {
		t.Fatalf("before swap: %d, want 404", res.StatusCode)
	}
	s.SetIndex(fixtures(t))
	if res := do(t, h, "GET", "/errors/404-fixture-0"); res.StatusCode != 200 {
		t.Fatalf("after swap: %d, want 200", res.StatusCode)
	}
}

// Swapping the catalogue empties the answer cache: an answer made from the
// old one is never served again, whoever swaps it.
func TestSetIndexEmptiesTheAnswerCache(t *testing.T) {
	s, _ := testServerWith(t, servedConfig(), catalogueIndex(t))
	h := s.Handler()
	do(t, h, "GET", "/api/v1/errors") // the cache keeps an answer asked twice
	before := body(t, do(t, h, "GET", "/api/v1/errors"))
	if res := do(t, h, "GET", "/api/v1/errors"); res.Header.Get(middleware.CacheHeader) != "hit" {
		t.Fatalf("the repeated request was not a cache hit (%s %q)", middleware.CacheHeader, res.Header.Get(middleware.CacheHeader))
	}
	s.SetIndex(fixtures(t))
	res := do(t, h, "GET", "/api/v1/errors")
	after := body(t, res)
	if res.Header.Get(middleware.CacheHeader) == "hit" || after == before || !strings.Contains(after, `"total":45`) {
		t.Errorf("after the swap: %s %q, %.100s; want the 45 fixtures made afresh", middleware.CacheHeader, res.Header.Get(middleware.CacheHeader), after)
	}
}

// HEAD answers like GET without a body, over a real connection.
func TestHead(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, p := range []string{"/", "/errors/429-gmail-too-many-requests", "/api/v1/errors", static.URL("app.css")} {
		res, err := http.Head(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(b) != 0 {
			t.Errorf("HEAD %s: status %d, %d body bytes; want 200 and none", p, res.StatusCode, len(b))
		}
	}
}

// HEAD answers with exactly the headers GET does for the same request —
// Content-Encoding, Content-Length, ETag, Vary — before and after a GET
// fills the answer cache, and with the cache off, over a real connection.
func TestHeadAnswersAsGet(t *testing.T) {
	ix := catalogueIndex(t)
	paths := []string{"/", "/?q=quota", "/errors/429-gmail-too-many-requests", "/api/v1/errors",
		"/api/v1/search?q=quota", static.URL("app.css"), "/robots.txt", "/no-such-page"}
	// What differs between any two answers, whatever the method.
	perRequest := []string{"Date", "X-Request-Id", middleware.CacheHeader}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, cacheBytes := range []int64{middleware.DefaultCacheBytes, 0} {
		for _, order := range [][]string{{"HEAD", "GET", "HEAD"}, {"GET", "HEAD", "GET"}} {
			cfg := servedConfig()
			cfg.CacheBytes = cacheBytes
			s, _ := testServerWith(t, cfg, ix)
			srv := httptest.NewServer(s.Handler())
			for _, p := range paths {
				for _, accept := range []string{"gzip", ""} {
					var first http.Header
					var firstLength int64
					for i, method := range order {
						req, err := http.NewRequest(method, srv.URL+p, nil)
						if err != nil {
							t.Fatal(err)
						}
						req.Header.Set("Accept-Encoding", accept)
						res, err := client.Do(req)
						if err != nil {
							t.Fatal(err)
						}
						res.Body.Close()
						for _, k := range perRequest {
							res.Header.Del(k)
						}
						if i == 0 {
							first, firstLength = res.Header, res.ContentLength
							continue
						}
						if diff := cmp.Diff(first, res.Header); diff != "" || res.ContentLength != firstLength {
							t.Errorf("cache %d B, %v, %s with Accept-Encoding %q: %s answer %d differs from the %s first: Content-Length %d, then %d; headers (-first +now):\n%s",
								cacheBytes, order, p, accept, method, i+1, order[0], firstLength, res.ContentLength, diff)
						}
					}
				}
			}
			srv.Close()
		}
	}
}

// gatedIndex holds every search until its gate closes, counting how many
// run at once.
type gatedIndex struct {
	faultyIndex
	gate          chan struct{}
	started       chan struct{}
	mu            sync.Mutex
	running, most int
}

func (g *gatedIndex) Search(ctx context.Context, q search.Query) (*search.Results, error) {
	g.mu.Lock()
	g.running++
	g.most = max(g.most, g.running)
	g.mu.Unlock()
	g.started <- struct{}{}
	<-g.gate
	g.mu.Lock()
	g.running--
	g.mu.Unlock()
	return &search.Results{Query: q, Page: 1, PerPage: 20}, nil
}

// No more searches run at once than the server has slots (one per core):
// the others wait their turn, and one whose deadline passes while it waits
// is answered 503 with Retry-After, not queued for ever.
func TestSearchesWaitTheirTurn(t *testing.T) {
	g := &gatedIndex{gate: make(chan struct{}), started: make(chan struct{}, 16)}
	s := newServer(Config{}, g)
	s.searchSlots = make(chan struct{}, 2)
	h := s.Handler()
	const clients = 6
	codes := make(chan int, clients)
	for i := range clients {
		go func() { codes <- do(t, h, "GET", fmt.Sprintf("/api/v1/search?q=wait%d", i)).StatusCode }()
	}
	<-g.started
	<-g.started
	// Both slots are taken: a request with a deadline waits, then is told
	// the server is busy.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	late := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/search?q=late", nil).WithContext(ctx))
		late <- rec
	}()
	select {
	case rec := <-late:
		if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), `"busy"`) {
			t.Errorf("a search waiting past its deadline: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
		}
	case <-time.After(20 * time.Second):
		t.Error("a search waiting past its deadline was not answered: it ran beside the others")
	}
	close(g.gate)
	for range clients {
		if code := <-codes; code != 200 {
			t.Errorf("a search that waited its turn: %d, want 200", code)
		}
	}
	if g.most != 2 {
		t.Errorf("%d searches ran at once with 2 slots", g.most)
	}
}

// distinctQueries are search texts never asked twice, drawn from the
// catalogue's own messages as the bench's distinct runs are: a run of 2–4
// words of a message, then one word of a title, then (past every pair) a
// second one.
func distinctQueries(tb testing.TB, ix index) func(i int) string {
	tb.Helper()
	var runs, words []string
	seen := map[string]bool{}
	for i := range ix.Len() {
		e := ix.At(i)
		for _, m := range e.Messages {
			f := strings.Fields(m)
			for n := 2; n <= 4; n++ {
				for j := 0; j+n <= len(f); j += n {
					if r := strings.Join(f[j:j+n], " "); !seen[r] {
						seen[r] = true
						runs = append(runs, r)
					}
				}
			}
		}
		for _, w := range strings.Fields(e.Title) {
			if w = strings.ToLower(strings.Trim(w, ".,:;()“”\"'")); len(w) > 3 && !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	if len(runs) == 0 || len(words) == 0 {
		tb.Fatal("the catalogue has no message to draw queries from")
	}
	return func(i int) string {
		q := runs[i%len(runs)] + " " + words[(i/len(runs))%len(words)]
		if more := i / (len(runs) * len(words)); more > 0 {
			q += " " + words[more%len(words)]
		}
		return q
	}
}

// BenchmarkDistinctSearch is one request for a query never asked before
// through the whole site as errata serve runs it (every middleware, answer
// cache on, gzip asked for), on the real catalogue, beside /healthz through
// the same stack: what a search costs the server, with no client sharing
// its cores. cpu-ns/op is the process's CPU per request (GC included,
// under errata serve's heap floor), steadier than ns/op when other work
// shares the cores; hits/op must stay 0.
// go test ./web -run '^$' -bench DistinctSearch
func BenchmarkDistinctSearch(b *testing.B) {
	release, _ := KeepHeapFloor(DefaultHeapFloor)
	defer release()
	ix := catalogueIndex(b)
	next := distinctQueries(b, ix)
	for _, tc := range []struct {
		name, path string
		header     http.Header
	}{
		{"healthz", "/healthz", nil},
		{"api", "/api/v1/search", nil},
		{"page", "/", http.Header{"Accept": {"text/html"}}},
		{"fragment", "/", http.Header{"Hx-Request": {"true"}, "Hx-Target": {"results"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := servedConfig()
			cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil)) // as the bench: formatted, thrown away
			h := newServer(cfg, ix).Handler()
			b.ReportAllocs()
			hits, i := 0, 0
			cpu := cpuTime()
			for b.Loop() {
				target := tc.path
				if tc.path != "/healthz" {
					target += "?q=" + url.QueryEscape(next(i))
				}
				i++
				r := httptest.NewRequest(http.MethodGet, target, nil)
				for k, v := range tc.header {
					r.Header[k] = v
				}
				r.Header.Set("Accept-Encoding", "gzip")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", target, w.Code)
				}
				if w.Header().Get(middleware.CacheHeader) == "hit" {
					hits++
				}
			}
			if cpu > 0 {
				b.ReportMetric(float64(cpuTime()-cpu)/float64(i), "cpu-ns/op")
			}
			b.ReportMetric(float64(hits)/float64(i), "hits/op")
		})
	}
}
