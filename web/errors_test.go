package web

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/errata/errata/search"
	"github.com/errata/errata/web/middleware"
)

// Path tricks never reach a file outside the assets, never list a folder,
// and answer a plain 404 (or the mux's 400/405).
func TestPathTricks(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, target := range []string{
		"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/%2E%2E/go.mod", "/static/..%2fgo.mod", "/static/..%2Fgo.mod",
		"/static/%2e%2e%2fgo.mod", "/static/%2e%2e%2f%2e%2e%2fgo.mod", "/%2e%2e/go.mod", "/..%2f..%2fgo.mod",
		"/errors/..%2f..%2fgo.mod", "/errors/%2e%2e", "/errors/%2e%2e%2f%2e%2e%2fgo.mod", "/errors/../../go.mod",
		"/api/v1/errors/..%2f..%2fgo.mod", "/api/v1/errors/%2e%2e",
		"/static/%252e%252e/go.mod", "/static/..%5cgo.mod", "/static/..\\go.mod", "/static/%c0%ae%c0%ae/go.mod",
		"/.git/config", "/.git/HEAD", "/.env", "/static/.htaccess", "/.well-known/../go.mod", "/errors/.hidden",
		"/static/", "/static", "/errors/", "/errors", "/api/", "/api/v1/", "/api/v1/errors/", "/content/", "/content/entries/",
		"/static//etc/passwd", "//etc/passwd", "/static/%00", "/errors/%00", "/%00", "/errors/" + strings.Repeat("a", 100<<10),
		"/static/app.css%00.js", "/go.mod", "/Dockerfile", "/cmd/errata/main.go", "/web/server.go",
	} {
		t.Run(cut(target, 60), func(t *testing.T) {
			a := ask(t, h, "GET", target)
			switch a.status {
			case 200:
				// Only a real route may answer 200 (the list of entries).
				if target != "/api/v1/errors/" && target != "/api/v1/errors" {
					t.Errorf("%s, want 404", a)
				}
			case 301, 400, 404, 405:
			default:
				t.Errorf("%s, want 404", a)
			}
			for _, leak := range []string{"module github.com/errata", "[core]", "package main", "package web", "FROM golang", "root:x:0", "Index of", "<pre>\n<a href"} {
				if strings.Contains(a.body, leak) {
					t.Fatalf("%s leaks %q", a, leak)
				}
			}
			if a.status == 301 {
				if loc := a.header.Get("Location"); !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.Contains(loc, "..") {
					t.Errorf("%s redirects to %q", a, loc)
				}
			}
			if strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
				inertHTML(t, a)
			}
		})
	}
}

// A 15 KB path is echoed by its 404 at most twice, cut to maxEcho
// bytes with an ellipsis: the page stays about the size of any 404
// instead of repeating the path into a 100 KB answer.
func TestNotFoundEchoIsBounded(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
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
			// Each echo of at most maxEcho bytes, HTML-escaped (&lt; is
			// 4 bytes), may add at most 4×maxEcho bytes to an ordinary 404.
			if limit := len(short) + 2*4*maxEcho + 200; len(b) > limit {
				t.Errorf("%d bytes for a %d-byte path, want at most %d (an ordinary 404 is %d)", len(b), len(target), limit, len(short))
			}
			if strings.Contains(b, strings.Repeat("a", maxEcho+1)) || strings.Contains(b, strings.Repeat("&lt;", maxEcho+1)) {
				t.Error("the page echoes more than maxEcho bytes of the path")
			}
			if strings.HasSuffix(target, "a") {
				if n := strings.Count(b, "a…"); n < 1 || n > 2 {
					t.Errorf("the path cut with an ellipsis is echoed %d times, want once or twice:\n%s", n, cut(b, 2000))
				}
			}
		})
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

func TestPanicBecomes500AndIsLogged(t *testing.T) {
	h, logs := testServer(t, faultyIndex{panics: true})
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
	secret := errors.New("disk /var/secret is on fire")
	h, logs := testServer(t, faultyIndex{err: secret})
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
	h, _ = testServer(t, faultyIndex{err: &search.InvalidError{Param: "q", Value: "x", Message: "That query is too long."}})
	doc := page(t, h, "/?q=x", 400)
	if got := doc.Find("[data-testid=error-message]").Text(); got != "That query is too long." {
		t.Errorf("message %q", got)
	}
}

// A panic inside a handler, under the whole middleware chain and over a
// real connection asking for gzip: a whole 500 page (or JSON error), the
// stack in the log, the 500 counted, and the server keeps answering.
func TestPanicThroughTheChain(t *testing.T) {
	cfg := servedConfig()
	cfg.Metrics = middleware.NewMetrics()
	s, logs := testServerWith(t, cfg, faultyIndex{panics: true})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	for range 3 {
		for _, target := range []string{"/?q=boom", "/api/v1/search?q=boom"} {
			req, _ := http.NewRequest("GET", srv.URL+target, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatalf("%s: %v (the connection died with the panic)", target, err)
			}
			r := io.Reader(res.Body)
			if res.Header.Get("Content-Encoding") == "gzip" {
				if r, err = gzip.NewReader(res.Body); err != nil {
					t.Fatal(err)
				}
			}
			b, err := io.ReadAll(r)
			res.Body.Close()
			if err != nil {
				t.Fatalf("%s: body cut short: %v", target, err)
			}
			a := answer{target: target, status: res.StatusCode, header: res.Header, body: string(b)}
			if a.status != 500 || strings.Contains(a.body, "index exploded") {
				t.Errorf("%s, want a 500 that hides the panic", a)
			}
			if strings.HasPrefix(target, "/api/") {
				apiJSON(t, a)
			} else if doc := inertHTML(t, a); doc.Find("[data-testid=error-heading]").Length() != 1 {
				t.Errorf("%s: not a whole error page", a)
			}
		}
	}
	if l := logs.String(); strings.Count(l, "handler panicked") != 6 || !strings.Contains(l, "goroutine") {
		t.Errorf("want 6 panics logged with stacks:\n%s", cut(l, 2000))
	}
	mres := httptest.NewRecorder()
	cfg.Metrics.Handler().ServeHTTP(mres, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(mres.Body.String(), `code="500"`) {
		t.Errorf("the 500s are not counted:\n%s", cut(mres.Body.String(), 1000))
	}
	res, err := http.Get(srv.URL + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz after the panics: %v %v", res, err)
	}
	res.Body.Close()
}

// When the error page cannot be rendered (here because the client went
// away, which fails every template), the answer is still a small HTML page
// with the status, the message, the request id to quote and the security
// headers: never net/http's bare text.
func TestErrorPageWhenRenderingFails(t *testing.T) {
	h, logs := testServer(t, catalogueIndex(t))
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/no/such/page", http.StatusNotFound},
		{"/errors/no-such-entry", http.StatusNotFound},
		{"/?status=abc", http.StatusBadRequest},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := request(t, "GET", tc.target, "X-Request-ID", "fallback-42").WithContext(ctx)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		a := answer{target: tc.target, status: rec.Code, header: rec.Header(), body: rec.Body.String()}
		if a.status != tc.status {
			t.Errorf("%s, want %d", a, tc.status)
		}
		doc := inertHTML(t, a)
		checkSecurityHeaders(t, a.String(), a.header)
		if got := doc.Find("[data-testid=request-id]").Text(); got != "fallback-42" {
			t.Errorf("%s: request id %q on the page, want fallback-42:\n%s", a, got, a.body)
		}
		if doc.Find("[data-testid=error-heading]").Text() == "" || doc.Find("[data-testid=error-message]").Text() == "" {
			t.Errorf("%s: no heading or message:\n%s", a, a.body)
		}
		if a.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", a, a.header.Get("Cache-Control"))
		}
	}
	if strings.Contains(logs.String(), "error page failed") {
		t.Errorf("a client that went away is logged as a failure:\n%s", logs)
	}
}

// A value the API cannot encode is answered with the API's own 500, the
// one message every internal error shows.
func TestWriteJSONThatCannotEncode(t *testing.T) {
	rec := httptest.NewRecorder()
	writeJSON(rec, http.StatusOK, math.NaN())
	var got apiErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusInternalServerError || got != internalProblem.json() {
		t.Errorf("%d %s (%v), want 500 with the internal problem's code and message", rec.Code, rec.Body, err)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}
