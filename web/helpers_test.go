package web

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/errata/errata/search"
	"github.com/errata/errata/web/middleware"
)

// The package's one test harness: indexes built once, the site as errata
// serve runs it, requests through it, and checks of what comes back.

// onceIndex is the index of the entries in fsys, built once for the
// package's tests; what names it in a failure.
func onceIndex(what string, fsys func() fs.FS) func(testing.TB) *search.Index {
	build := sync.OnceValues(func() (*search.Index, error) {
		es, err := content.Load(fsys())
		if err != nil {
			return nil, err
		}
		return search.Build(es)
	})
	return func(tb testing.TB) *search.Index {
		tb.Helper()
		ix, err := build()
		if err != nil {
			tb.Fatalf("building %s: %v", what, err)
		}
		return ix
	}
}

// imported is the index of the real catalogue with the real corpora
// imported beside it (corpustest.Imported), built once.
var imported = func() func(testing.TB) *search.Index {
	build := sync.OnceValues(func() (*search.Index, error) {
		c, err := corpustest.Imported()
		if err != nil {
			return nil, err
		}
		return search.BuildCatalogue(c)
	})
	return func(tb testing.TB) *search.Index {
		tb.Helper()
		corpustest.RealImported(tb) // skips loudly without the corpora
		ix, err := build()
		if err != nil {
			tb.Fatalf("building the imported catalogue: %v", err)
		}
		return ix
	}
}()

var (
	// catalogueIndex is the real catalogue.
	catalogueIndex = onceIndex("the embedded catalogue", content.Embedded)
	// fixtures is a generated catalogue loaded through content.Load: enough
	// entries for several pages, every status class, a renamed entry.
	fixtures = onceIndex("the fixture catalogue", func() fs.FS { return fixtureFS() })
)

// buildIndex is the index of the entries in fsys for one test, closed when
// the test ends; it fails tb when they do not load or index.
func buildIndex(tb testing.TB, fsys fs.FS) *search.Index {
	tb.Helper()
	es, err := content.Load(fsys)
	if err != nil {
		tb.Fatalf("loading the entries: %v", err)
	}
	ix, err := search.Build(es)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	return ix
}

// fixtureFS has 3 entries at each of statuses 200…503 below, 45 in all.
func fixtureFS() fstest.MapFS {
	fsys := fstest.MapFS{}
	statuses := []int{200, 302, 400, 401, 403, 404, 409, 410, 422, 429, 451, 500, 502, 503, 504}
	provs := []string{"[gmail]", "[twilio]", "[]"}
	n := 0
	for _, st := range statuses {
		for i, p := range provs {
			n++
			id := fmt.Sprintf("%d-fixture-%d", st, i)
			extra := ""
			if id == "404-fixture-0" {
				extra = "redirect_from:\n  - old-not-found\nrelated:\n  - 410-fixture-1\n"
			}
			provLine := "providers: " + p + "\n"
			if p == "[]" {
				provLine = ""
			}
			fsys["entries/"+id+".md"] = &fstest.MapFile{Data: []byte(fmt.Sprintf(`---
id: %s
status: %d
title: Fixture %s number %d
%smessages:
  - "Fixture message %d: the {resource} went wobbly"
aliases:
  - wobble%d
%supdated: 2026-01-%02d
---

## Cause

The zorblat service on fixture %d returned an unexpected wobble.

## Solution

Retry the zorblat request after a **short** pause.
`, id, st, http.StatusText(st), i, provLine, n, n, extra, 1+n%28, n))}
		}
	}
	return fsys
}

// servedConfig is how errata serve runs the site by default: its answer
// cache and a rate limit in the chain, here set too high to trip
// (cmd/errata-load trips it). Tests change what they need in a copy.
func servedConfig() Config {
	return Config{
		BaseURL:    "https://errata.example",
		Version:    "test",
		CacheBytes: middleware.DefaultCacheBytes,
		RateLimit:  middleware.RateLimitConfig{Rate: 1e6, Burst: 1e6},
	}
}

// testServer is the whole site over ix, middleware included, as errata
// serve runs it (servedConfig). Its log is returned.
func testServer(tb testing.TB, ix index) (http.Handler, *testLog) {
	tb.Helper()
	s, logs := testServerWith(tb, servedConfig(), ix)
	return s.Handler(), logs
}

// testServerWith is testServer with cfg, whose Logger is replaced by one
// writing to the returned log.
func testServerWith(tb testing.TB, cfg Config, ix index) (*Server, *testLog) {
	tb.Helper()
	logs := newTestLog(tb)
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	return newServer(cfg, ix), logs
}

// testLog keeps a test server's log in a file, so that a test may read it
// while requests still write to it.
type testLog struct{ *os.File }

func newTestLog(tb testing.TB) *testLog {
	tb.Helper()
	f, err := os.CreateTemp(tb.TempDir(), "log")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return &testLog{f}
}

// String is everything logged so far.
func (l *testLog) String() string {
	b, err := os.ReadFile(l.Name())
	if err != nil {
		return "reading the log: " + err.Error()
	}
	return string(b)
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
func (f faultyIndex) Explain(ctx context.Context, text string, limit int) (*search.Explanation, error) {
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
func (f faultyIndex) ByCode(string) []content.Entry      { return nil }
func (f faultyIndex) Providers() *content.Providers      { return content.BuiltinProviders() }
func (f faultyIndex) Count() int                         { return 0 }

// request is target as a client sends it: target is the request-URI as
// written, so that unclean paths and odd escapes reach the handler as sent.
func request(tb testing.TB, method, target string, header ...string) *http.Request {
	tb.Helper()
	u, err := url.ParseRequestURI(target)
	if err != nil {
		tb.Fatalf("%s: net/http refuses such a request line before any handler: %v", cut(target, 200), err)
	}
	req := httptest.NewRequest(method, "/", nil)
	req.URL, req.RequestURI = u, target
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// do runs one request through h.
func do(tb testing.TB, h http.Handler, method, target string, header ...string) *http.Response {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request(tb, method, target, header...))
	return rec.Result()
}

func body(tb testing.TB, res *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// page fetches target, checks the status and parses the HTML.
func page(tb testing.TB, h http.Handler, target string, wantStatus int, header ...string) *goquery.Document {
	tb.Helper()
	res := do(tb, h, http.MethodGet, target, header...)
	b := body(tb, res)
	if res.StatusCode != wantStatus {
		tb.Fatalf("GET %s: status %d, want %d\n%s", target, res.StatusCode, wantStatus, cut(b, 2000))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		tb.Fatalf("GET %s: Content-Type %q, want text/html", target, ct)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// cut shortens s to about n bytes for a failure message.
func cut(s string, n int) string { return Clip(s, n, Ellipsis) }

// texts is the trimmed text of every selected node.
func texts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return out
}

func attrs(sel *goquery.Selection, name string) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { v, _ := s.Attr(name); out = append(out, v) })
	return out
}

func stringsReader(b []byte) io.Reader { return bytes.NewReader(b) }

// hardBudget bounds one request sent with ask. It detects a hang or a
// blow-up, not slowness (speed is measured in cmd/errata-bench and
// cmd/errata-load).
const hardBudget = 10 * time.Second

// answer is one response, its body already un-gzipped.
type answer struct {
	method string
	target string
	status int
	header http.Header
	body   string
	took   time.Duration
}

func (a answer) String() string {
	return fmt.Sprintf("%s %s: %d in %v (%d bytes)", cmp.Or(a.method, "GET"), cut(a.target, 120), a.status, a.took.Round(time.Millisecond), len(a.body))
}

// ask sends one hostile request (asking for gzip, as browsers do) and fails
// the test when it is not answered within hardBudget, when it panics through
// the middleware or when it is answered 5xx. What needs a real connection
// (431, slow headers, a slow body) is tested against the binary in
// cmd/errata and cmd/errata-load.
func ask(tb testing.TB, h http.Handler, method, target string, header ...string) answer {
	tb.Helper()
	req := request(tb, method, target, append([]string{"Accept-Encoding", "gzip"}, header...)...)
	ctx, cancel := context.WithTimeout(req.Context(), hardBudget)
	defer cancel()
	req = req.WithContext(ctx)
	rec := httptest.NewRecorder()
	done := make(chan any, 1)
	start := time.Now()
	go func() {
		defer func() { done <- recover() }()
		h.ServeHTTP(rec, req)
	}()
	select {
	case p := <-done:
		if p != nil {
			tb.Fatalf("%s %s panicked through the middleware: %v", method, cut(target, 200), p)
		}
	case <-time.After(hardBudget + 5*time.Second):
		tb.Fatalf("%s %s: no answer within %v (a hang)", method, cut(target, 200), hardBudget)
	}
	a := answer{method: method, target: target, status: rec.Code, header: rec.Header(), took: time.Since(start)}
	b := rec.Body.Bytes()
	if a.header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			tb.Fatalf("%s: bad gzip: %v", a, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			tb.Fatalf("%s: bad gzip: %v", a, err)
		}
	}
	a.body = string(b)
	if a.status >= 500 {
		tb.Errorf("%s: a 5xx\n%s", a, cut(a.body, 1500))
	}
	if a.took > hardBudget {
		tb.Errorf("%s: over the %v budget", a, hardBudget)
	}
	return a
}

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

// inertHTML parses a page and fails on anything a hostile input could have
// injected: a marked element, an event handler, an inline or foreign script,
// a script-bearing URL, embedded documents, a refresh, inline style.
func inertHTML(tb testing.TB, a answer) *goquery.Document {
	tb.Helper()
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		tb.Fatalf("%s: Content-Type %q, want text/html", a, ct)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(a.body))
	if err != nil {
		tb.Fatalf("%s: %v", a, err)
	}
	fail := func(format string, args ...any) {
		tb.Helper()
		tb.Errorf("%s: "+format, append([]any{a}, args...)...)
	}
	if n := doc.Find("[data-xss], xss, iframe, object, embed, math, base, frame, frameset, style, [style], svg script, svg foreignObject").Length(); n > 0 {
		h, _ := goquery.OuterHtml(doc.Find("[data-xss], xss, iframe, object, embed, math, base, frame, frameset, style, [style], svg script, svg foreignObject").First())
		fail("%d injected or forbidden elements, e.g. %s", n, cut(h, 200))
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src, ok := s.Attr("src")
		if !ok || !strings.HasPrefix(src, "/static/") {
			fail("script not from /static/: src=%q %q", src, cut(s.Text(), 100))
		}
	})
	doc.Find("meta[http-equiv]").Each(func(_ int, s *goquery.Selection) {
		fail("meta http-equiv=%q", s.AttrOr("http-equiv", ""))
	})
	doc.Find("form").Each(func(_ int, s *goquery.Selection) {
		if act := s.AttrOr("action", ""); act != "/" {
			fail("form posts to %q", act)
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, at := range s.Nodes[0].Attr {
			key := strings.ToLower(at.Key)
			if strings.HasPrefix(key, "on") || key == "formaction" || key == "srcdoc" {
				fail("<%s %s=%q>", s.Nodes[0].Data, at.Key, cut(at.Val, 100))
			}
			if key == "href" || key == "src" || key == "action" || key == "poster" || key == "xlink:href" || key == "hx-get" || key == "content" && s.Is("meta[property^='og:url'], meta[property^='og:image']") {
				if scheme := urlScheme(at.Val); scheme == "javascript" || scheme == "vbscript" || scheme == "data" {
					fail("<%s %s=%q>", s.Nodes[0].Data, at.Key, cut(at.Val, 100))
				}
			}
		}
	})
	return doc
}

// inertFragment parses an HTML fragment and fails on scripts, handlers and
// script-bearing URLs.
func inertFragment(tb testing.TB, where, frag string) {
	tb.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(frag), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		tb.Fatalf("%s: %v", where, err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "object", "embed", "svg", "style", "xss", "base", "meta":
				tb.Errorf("%s: <%s> in rendered Markdown", where, n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "data-xss" || a.Key == "style" {
					tb.Errorf("%s: <%s %s> in rendered Markdown", where, n.Data, a.Key)
				}
				if s := urlScheme(a.Val); (a.Key == "href" || a.Key == "src") && (s == "javascript" || s == "vbscript" || s == "data") {
					tb.Errorf("%s: <%s %s=%q> in rendered Markdown", where, n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

// urlScheme is the scheme a browser would read from an attribute value: it
// drops whitespace and control characters anywhere, as browsers do.
func urlScheme(v string) string {
	v = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, v)
	if i := strings.IndexByte(v, ':'); i > 0 && !strings.ContainsAny(v[:i], "/?#") {
		return v[:i]
	}
	return ""
}

// apiJSON checks an API answer: JSON that parses, nothing a browser could
// sniff as markup, and for an error the {"error":{"code","message"}} shape.
func apiJSON(tb testing.TB, a answer) map[string]any {
	tb.Helper()
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("%s: Content-Type %q, want application/json", a, ct)
	}
	if a.header.Get("X-Content-Type-Options") != "nosniff" {
		tb.Errorf("%s: no X-Content-Type-Options: nosniff", a)
	}
	if strings.ContainsAny(a.body, "<>") {
		tb.Errorf("%s: raw < or > in JSON (want \\u003c): %s", a, cut(a.body, 300))
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(a.body), &v); err != nil {
		tb.Fatalf("%s: not JSON: %v\n%s", a, err, cut(a.body, 300))
	}
	if a.status >= 400 {
		var e apiErrorBody
		if err := json.Unmarshal([]byte(a.body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			tb.Errorf("%s: error body %s, want {\"error\":{\"code\",\"message\"}}", a, cut(a.body, 300))
		}
	}
	return v
}

// metric is the value of a counter, or the sample count of a histogram,
// named name in m, with no labels; 0 when nothing was recorded.
func metric(tb testing.TB, m *middleware.Metrics, name string) float64 {
	tb.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			switch {
			case s.GetCounter() != nil:
				return s.GetCounter().GetValue()
			case s.GetHistogram() != nil:
				return float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return 0
}
