package web

import (
	"context"
	"errors"
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
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/static"
	"github.com/errata/errata/web/middleware"
)

var securityHeaders = map[string]string{
	"Content-Security-Policy":      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":       "nosniff",
	"Referrer-Policy":              "strict-origin-when-cross-origin",
	"X-Frame-Options":              "DENY",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
}

// checkSecurityHeaders fails unless h carries each security header exactly
// once, with its value.
func checkSecurityHeaders(tb testing.TB, what string, h http.Header) {
	tb.Helper()
	for k, v := range securityHeaders {
		if got := h.Values(k); len(got) != 1 || got[0] != v {
			tb.Errorf("%s: %s = %q, want it once: %q", what, k, got, v)
		}
	}
}

// Every route, including errors, 405s and static files, carries the
// security headers as served (inside middleware.Stack).
func TestRoutesStatusAndSecurityHeaders(t *testing.T) {
	h, _ := hardened(t, Config{BaseURL: "https://errata.example"}, catalogueIndex(t))
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
		{"POST", "/", 405, ""},
		{"DELETE", "/errors/429-gmail-too-many-requests", 405, ""},
		{"PUT", "/api/v1/search", 405, ""},
		{"POST", "/healthz", 405, ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			res := do(t, h, c.method, c.target)
			b := body(t, res)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, c.status, clip(b))
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
	s := New(Config{}, nil)
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
	s := New(Config{}, catalogueIndex(t))
	h := s.Handler()
	if res := do(t, h, "GET", "/errors/404-fixture-0"); res.StatusCode != 404 {
		t.Fatalf("before swap: %d, want 404", res.StatusCode)
	}
	s.SetIndex(fixtures(t))
	if res := do(t, h, "GET", "/errors/404-fixture-0"); res.StatusCode != 200 {
		t.Fatalf("after swap: %d, want 200", res.StatusCode)
	}
}

// faultyIndex fails in the ways a real index should not, on purpose.
type faultyIndex struct {
	panics bool
	err    error
}

func (f faultyIndex) Search(ctx context.Context, q search.Query) (*search.Results, error) {
	if f.panics {
		panic("index exploded")
	}
	return nil, f.err
}
func (f faultyIndex) Len() int                           { return 0 }
func (f faultyIndex) At(int) content.Entry               { return content.Entry{} }
func (f faultyIndex) StatusRange(int) (int, int)         { return 0, 0 }
func (f faultyIndex) Entry(string) (content.Entry, bool) { return content.Entry{}, false }
func (f faultyIndex) Redirect(string) (string, bool)     { return "", false }
func (f faultyIndex) Count() int                         { return 0 }

func TestPanicBecomes500AndIsLogged(t *testing.T) {
	var logs syncBuffer
	s := newServer(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, faultyIndex{panics: true})
	h := s.Handler()
	doc := page(t, h, "/?q=boom", 500)
	if got := doc.Find("[data-testid=error-heading]").Text(); got != "Something went wrong" {
		t.Errorf("heading %q", got)
	}
	if strings.Contains(doc.Text(), "index exploded") {
		t.Error("the panic value reached the page")
	}
	if l := logs.String(); !strings.Contains(l, "index exploded") || !strings.Contains(l, "goroutine") {
		t.Errorf("panic not logged with a stack:\n%s", l)
	}
	res := do(t, h, "GET", "/api/v1/search?q=boom")
	if b := body(t, res); res.StatusCode != 500 || !strings.Contains(b, `"code":"internal"`) || strings.Contains(b, "exploded") {
		t.Errorf("API panic: %d %s", res.StatusCode, b)
	}
	// The server lives on.
	if res := do(t, h, "GET", "/healthz"); res.StatusCode != 200 {
		t.Errorf("healthz after panic: %d", res.StatusCode)
	}
}

func TestInternalErrorIsHidden(t *testing.T) {
	var logs syncBuffer
	secret := errors.New("disk /var/secret is on fire")
	s := newServer(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, faultyIndex{err: secret})
	h := s.Handler()
	res := do(t, h, "GET", "/?q=x")
	if b := body(t, res); res.StatusCode != 500 || strings.Contains(b, "secret") {
		t.Fatalf("status %d; body leaks the error: %v", res.StatusCode, strings.Contains(b, "secret"))
	}
	res = do(t, h, "GET", "/api/v1/search?q=x")
	if b := body(t, res); res.StatusCode != 500 || strings.Contains(b, "secret") {
		t.Fatalf("API status %d; body leaks the error: %s", res.StatusCode, b)
	}
	if !strings.Contains(logs.String(), "on fire") {
		t.Errorf("error not logged: %s", logs.String())
	}
	// A search error of the index's own kind is the person's fault: 400.
	s = newServer(Config{}, faultyIndex{err: &search.InvalidError{Param: "q", Value: "x", Message: "That query is too long."}})
	doc := page(t, s.Handler(), "/?q=x", 400)
	if got := doc.Find("[data-testid=error-message]").Text(); got != "That query is too long." {
		t.Errorf("message %q", got)
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
			srv := httptest.NewServer(middleware.Stack(New(Config{}, ix).Handler(), middleware.StackConfig{Cache: middleware.NewCache(cacheBytes)}))
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

// A wrong method is wrong whatever the path: unclean paths and the
// asterisk form answer 405 like clean ones, not 404.
func TestUncleanPathsWithOtherMethods(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, tc := range []struct{ method, path string }{
		{"POST", "/static/../go.mod"},
		{"DELETE", "//errors/x"},
		{"OPTIONS", "*"},
		{"PUT", "/errors/./x"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Method, req.URL.Path, req.RequestURI = tc.method, tc.path, tc.path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: %d, Allow %q; want 405 with Allow: GET, HEAD", tc.method, tc.path, rec.Code, rec.Header().Get("Allow"))
		}
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.URL.Path = "/static/../go.mod"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /static/../go.mod: %d, want 404", rec.Code)
	}
}

// A 15 KB path is echoed by its 404 at most twice, cut to maxEcho
// characters with an ellipsis: the page stays about the size of any 404
// instead of repeating the path into a 100 KB answer.
func TestNotFoundEchoIsBounded(t *testing.T) {
	h, _ := hardened(t, Config{BaseURL: "https://errata.example"}, catalogueIndex(t))
	get := func(target string) (*http.Response, string) {
		res := do(t, h, "GET", target)
		return res, body(t, res)
	}
	_, short := get("/no-such-page")
	long := strings.Repeat("a", 15000)
	for name, target := range map[string]string{
		"page":         "/" + long,
		"entry id":     "/errors/" + long,
		"API":          "/api/v1/" + long,
		"HTML-escaped": "/" + strings.Repeat("%3C", 5000),
	} {
		t.Run(name, func(t *testing.T) {
			res, b := get(target)
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.StatusCode)
			}
			// Each echo of at most maxEcho characters, HTML-escaped (&lt; is
			// 4 bytes), may add at most 4×maxEcho bytes to an ordinary 404.
			if limit := len(short) + 2*4*maxEcho + 200; len(b) > limit {
				t.Errorf("%d bytes for a %d-byte path, want at most %d (an ordinary 404 is %d)", len(b), len(target), limit, len(short))
			}
			if strings.Contains(b, strings.Repeat("a", maxEcho+1)) || strings.Contains(b, strings.Repeat("&lt;", maxEcho+1)) {
				t.Error("the page echoes more than maxEcho characters of the path")
			}
			if strings.HasSuffix(target, "a") {
				if n := strings.Count(b, "a…"); n < 1 || n > 2 {
					t.Errorf("the path cut with an ellipsis is echoed %d times, want once or twice:\n%s", n, clip(b))
				}
			}
		})
	}
}

// A huge q is cut to what the search reads before it is echoed: the page
// shows it several times (box, heading, links), so 1 MB must not become 7.
func TestHugeQueryEchoIsBounded(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	q := strings.Repeat("é", 512<<10) // 1 MiB of two-byte characters
	res := do(t, h, "GET", "/?q="+url.QueryEscape(q))
	b := body(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	// Links carry the text URL-escaped (three bytes per byte of é), so
	// the page is about eleven cuts long: still less than the query sent.
	if limit := 16 * search.MaxQueryBytes; len(b) > limit {
		t.Errorf("page is %d bytes for a 1 MiB query, want at most %d", len(b), limit)
	}
	if !utf8.ValidString(b) {
		t.Error("the cut query split a character")
	}
	if got := clipText(q, 5); got != "éé" {
		t.Errorf("clipText(é…, 5) = %q, want two whole characters", got)
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
