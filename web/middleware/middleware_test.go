package middleware

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"golang.org/x/time/rate"
)

// page is a handler mux like web's: patterns, a search route, and a body big
// enough to compress.
func page(tb testing.TB) http.Handler {
	tb.Helper()
	mux := http.NewServeMux()
	body := strings.Repeat("<p>Too Many Requests: slow down and retry.</p>\n", 100)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, body)
	})
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		total := 3
		if r.URL.Query().Get("q") == "nothing" {
			total = 0
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"total":`+strconv.Itoa(total)+`}`)
	})
	mux.HandleFunc("GET /small", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /logo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(bytes.Repeat([]byte{0x89}, 4096))
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, strings.Repeat("error ", 500), http.StatusInternalServerError)
	})
	mux.HandleFunc("POST /form", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "posted")
	})
	return mux
}

func do(tb testing.TB, h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestChainOrder(t *testing.T) {
	var got []string
	mark := func(name string) Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = append(got, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	h := Chain(mark("a"), nil, mark("b"), mark("c"))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got = append(got, "h") }))
	do(t, h, "GET", "/")
	if strings.Join(got, ",") != "a,b,c,h" {
		t.Errorf("order = %v, want a,b,c,h", got)
	}
}

func TestRequestID(t *testing.T) {
	var seen string
	h := RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = RequestIDFrom(r.Context()) }))
	tests := []struct {
		name, in string
		keep     bool
	}{
		{"absent", "", false},
		{"valid", "abc-123_x.y:z", true},
		{"too long", strings.Repeat("a", 65), false},
		{"spaces", "a b", false},
		{"injection", "x\"\n{}<script>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, "GET", "/", "X-Request-ID", tt.in)
			got := w.Header().Get("X-Request-ID")
			if got != seen {
				t.Errorf("response id %q, context id %q: want the same", got, seen)
			}
			if tt.keep && got != tt.in {
				t.Errorf("id = %q, want the caller's %q", got, tt.in)
			}
			if !tt.keep && (got == tt.in || !validRequestID(got) || len(got) != 24) {
				t.Errorf("id = %q, want a fresh 24-hex id", got)
			}
		})
	}
	a := do(t, h, "GET", "/").Header().Get("X-Request-ID")
	b := do(t, h, "GET", "/").Header().Get("X-Request-ID")
	if a == b {
		t.Errorf("two requests got the same generated id %q", a)
	}
}

func TestLoggingOneLineNoQuery(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	h := Chain(RequestID, Logging(log))(page(t))
	secret := "Bearer-eyJhbGciOiJIUzI1NiJ9-alice@example.com"
	do(t, h, "GET", "/api/v1/search?q="+secret, "X-Request-ID", "req-1")
	do(t, h, "GET", "/nowhere/"+secret)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), buf.String())
	}
	if strings.Contains(buf.String(), "alice") || strings.Contains(buf.String(), "eyJ") {
		t.Errorf("log holds request text:\n%s", buf.String())
	}
	var first, second map[string]any
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[1]), &second)
	want := map[string]any{"method": "GET", "route": "GET /api/v1/search", "status": float64(200), "request_id": "req-1", "bytes": float64(len(`{"total":3}`))}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("first line %s = %v, want %v", k, first[k], v)
		}
	}
	if _, ok := first["duration"]; !ok {
		t.Errorf("first line has no duration: %s", lines[0])
	}
	if second["route"] != "unmatched" || second["status"] != float64(404) {
		t.Errorf("second line route=%v status=%v, want unmatched 404", second["route"], second["status"])
	}
}

func TestMetrics(t *testing.T) {
	m := NewMetrics()
	h := m.Middleware(page(t))
	do(t, h, "GET", "/")
	do(t, h, "GET", "/")
	do(t, h, "GET", "/boom")
	do(t, h, "GET", "/api/v1/search?q=quota")
	do(t, h, "GET", "/api/v1/search?q=nothing")
	do(t, h, "GET", "/does/not/exist")
	m.SetEntries(15)
	// The handlers tell the searches they run (web does it): two, one of
	// which found nothing.
	m.ObserveSearch(time.Millisecond, 3)
	m.ObserveSearch(time.Millisecond, 0)

	counts := map[[2]string]float64{
		{"GET /{$}", "200"}:           2,
		{"GET /boom", "500"}:          1,
		{"GET /api/v1/search", "200"}: 2,
		{"unmatched", "404"}:          1,
		{"GET /api/v1/search", "404"}: 0,
	}
	for k, want := range counts {
		if got := value(t, m.requests.WithLabelValues(k[0], k[1])); got != want {
			t.Errorf("requests{route=%q,code=%q} = %v, want %v", k[0], k[1], got, want)
		}
	}
	if got := value(t, m.searches); got != 2 {
		t.Errorf("searches = %v, want 2", got)
	}
	if got := value(t, m.searchNoResult); got != 1 {
		t.Errorf("searches with no result = %v, want 1", got)
	}
	if got := value(t, m.entries); got != 15 {
		t.Errorf("entries = %v, want 15", got)
	}

	w := do(t, m.Handler(), "GET", "/metrics")
	for _, s := range []string{
		`errata_http_requests_total{code="200",route="GET /{$}"} 2`,
		`errata_http_request_duration_seconds_bucket{route="GET /boom",le="+Inf"} 1`,
		`errata_search_duration_seconds_count 2`,
		`errata_searches_no_result_total 1`,
		`errata_entries_indexed 15`,
		`go_goroutines`,
	} {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("/metrics lacks %s", s)
		}
	}
}

func gunzip(tb testing.TB, b []byte) string {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("body is not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("gunzip: %v", err)
	}
	return string(out)
}

func TestGzip(t *testing.T) {
	h := Gzip(page(t))
	plain := do(t, page(t), "GET", "/").Body.String()

	tests := []struct {
		name, method, target, accept string
		wantGzip, wantVary           bool
	}{
		{"html accepted", "GET", "/", "gzip, deflate, br", true, true},
		{"wildcard", "GET", "/", "*", true, true},
		{"not accepted", "GET", "/", "", false, true},
		{"refused with q=0", "GET", "/", "gzip;q=0, identity", false, true},
		{"HEAD", "HEAD", "/", "gzip", true, true}, // as GET would be
		{"small body", "GET", "/small", "gzip", false, true},
		{"image", "GET", "/logo.png", "gzip", false, false},
		{"error page", "GET", "/boom", "gzip", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, tt.method, tt.target, "Accept-Encoding", tt.accept)
			gz := w.Header().Get("Content-Encoding") == "gzip"
			if gz != tt.wantGzip {
				t.Fatalf("Content-Encoding = %q, want gzip=%v", w.Header().Get("Content-Encoding"), tt.wantGzip)
			}
			if vary := w.Header().Get("Vary") == "Accept-Encoding"; vary != tt.wantVary {
				t.Errorf("Vary = %q, want Accept-Encoding=%v", w.Header().Get("Vary"), tt.wantVary)
			}
			if gz {
				if w.Header().Get("Content-Length") != "" {
					t.Errorf("compressed response keeps Content-Length %s", w.Header().Get("Content-Length"))
				}
				if tt.target == "/" && gunzip(t, w.Body.Bytes()) != plain {
					t.Errorf("gunzipped body differs from the handler's")
				}
				if w.Body.Len() >= len(plain) {
					t.Errorf("compressed %d bytes into %d", len(plain), w.Body.Len())
				}
			}
			if tt.target == "/small" && w.Body.String() != "ok" {
				t.Errorf("small body = %q, want ok", w.Body.String())
			}
		})
	}
}

// A body written whole (its length declared) and the same body streamed in
// small writes both come out whole and compressed as one: the stream keeps
// its history between writes (a writer that compressed each write alone
// would pay a block and its tables for each), and the whole body is
// compressed as well as BestSpeed compresses it.
func TestGzipWholeAndStreamed(t *testing.T) {
	var body strings.Builder
	for i := range 400 {
		fmt.Fprintf(&body, "<li class=\"hit\" data-id=\"entry-%d\"><a href=\"/errors/entry-%d?hl=rate+limit\">Rate limit %d</a></li>\n", i%37, i%37, i%11)
	}
	plain := body.String()
	whole := declaredHTML(plain)
	streamed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for rest := plain; rest != ""; {
			n := min(100, len(rest))
			io.WriteString(w, rest[:n])
			rest = rest[n:]
		}
	})
	var fast bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&fast, gzip.BestSpeed)
	io.WriteString(zw, plain)
	zw.Close()
	for name, h := range map[string]http.Handler{"whole": whole, "streamed": streamed} {
		for range 3 { // writers come back to their pools and out again
			w := do(t, Gzip(h), "GET", "/", "Accept-Encoding", "gzip")
			if w.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: not compressed", name)
			}
			if gunzip(t, w.Body.Bytes()) != plain {
				t.Fatalf("%s: gunzipped body differs from the handler's", name)
			}
			if w.Body.Len() > fast.Len()*11/10 {
				t.Errorf("%s: %d bytes compressed into %d, BestSpeed makes %d", name, len(plain), w.Body.Len(), fast.Len())
			}
		}
	}
}

// Accept-Encoding is read as RFC 9110 §12.5.3 says, by the one function
// that both Gzip and the answer cache's key use.
func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip, deflate, br", true},
		{"deflate, br", false},
		{"identity", false},
		{"*", true},
		{"gzip;q=0", false},
		{"gzip;Q=0", false},
		{"gzip ; q=0", false},
		{"gzip;q=0.000", false},
		{"gzip;q=0.", false},
		{"gzip;q=0.001", true},
		{"gzip;q=0.5", true},
		{"gzip;q=1", true},
		{"gzip;Q=1.000", true},
		{"gzip;q=0, identity", false},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"*;q=0", false},
		{"*;Q=0.0", false},
		{"gzip, *;q=0", true},   // the named coding wins over *
		{"*;q=0, gzip", true},   // in any order
		{"*, gzip;q=0", false},  // and refuses too
		{"identity;q=0", false}, // refuses identity, names no coding
		{"identity;q=0, gzip", true},
		{"identity;q=0, *", true},
		{"gzip;q=2", false},      // not a qvalue: the entry is ignored
		{"gzip;q=0.0001", false}, // more than three decimals
		{"gzip;q=", false},
		{"gzip;q=abc, *", true}, // the malformed entry is ignored, * stands
		{"gzip;level=9", false},
		{" , ,gzip", true},
	}
	h := Gzip(page(t))
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Accept-Encoding", tt.accept)
			if got := acceptsGzip(r); got != tt.want {
				t.Errorf("acceptsGzip(%q) = %v, want %v", tt.accept, got, tt.want)
			}
			w := do(t, h, "GET", "/", "Accept-Encoding", tt.accept)
			if gz := w.Header().Get("Content-Encoding") == "gzip"; gz != tt.want {
				t.Errorf("Accept-Encoding %q: Content-Encoding %q, want gzip=%v", tt.accept, w.Header().Get("Content-Encoding"), tt.want)
			}
		})
	}
	// Two header lines are one list.
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Add("Accept-Encoding", "gzip")
	r.Header.Add("Accept-Encoding", "*;q=0")
	if !acceptsGzip(r) {
		t.Error(`"gzip" and "*;q=0" on two lines: gzip refused`)
	}
	// The cache keys on the same reading: a gzipped answer it holds is not
	// replayed to a client that refuses gzip in another spelling.
	ch, _, _, _ := cachedSite(t, 1<<20)
	do(t, ch, "GET", "/page?q=x", "Accept-Encoding", "gzip")
	for _, refuse := range []string{"gzip;Q=0", "gzip ; q=0", "*;q=0", "gzip;q=0.000"} {
		if w := do(t, ch, "GET", "/page?q=x", "Accept-Encoding", refuse); w.Header().Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q got a %s answer (cache %q)", refuse, w.Header().Get("Content-Encoding"), w.Header().Get(CacheHeader))
		}
	}
}

func TestETag(t *testing.T) {
	h := ETag(page(t))
	w := do(t, h, "GET", "/")
	tag := w.Header().Get("ETag")
	if !strings.HasPrefix(tag, `"`) || len(tag) != 18 {
		t.Fatalf("ETag = %q, want a strong 16-hex tag", tag)
	}
	if w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) {
		t.Errorf("Content-Length = %q, body %d", w.Header().Get("Content-Length"), w.Body.Len())
	}
	if again := do(t, h, "GET", "/").Header().Get("ETag"); again != tag {
		t.Errorf("same body, ETag %q then %q", tag, again)
	}
	if other := do(t, h, "GET", "/small").Header().Get("ETag"); other == tag || other == "" {
		t.Errorf("different body got ETag %q (page %q)", other, tag)
	}
	for _, inm := range []string{tag, "W/" + tag, `"zzz", ` + tag, "*"} {
		nm := do(t, h, "GET", "/", "If-None-Match", inm)
		if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and no body", inm, nm.Code, nm.Body.Len())
		}
		if nm.Header().Get("ETag") != tag {
			t.Errorf("304 ETag = %q, want %q", nm.Header().Get("ETag"), tag)
		}
	}
	if stale := do(t, h, "GET", "/", "If-None-Match", `"old"`); stale.Code != 200 || stale.Body.Len() == 0 {
		t.Errorf("stale tag: %d with %d bytes, want the full 200", stale.Code, stale.Body.Len())
	}
	if e := do(t, h, "GET", "/boom"); e.Header().Get("ETag") != "" || e.Code != 500 {
		t.Errorf("500 got ETag %q (code %d)", e.Header().Get("ETag"), e.Code)
	}
	if hz := do(t, h, "GET", "/healthz", "If-None-Match", "*"); hz.Header().Get("ETag") != "" || hz.Code != 200 {
		t.Errorf("no-store answer got ETag %q, code %d; want none and 200", hz.Header().Get("ETag"), hz.Code)
	}
	if p := do(t, h, "POST", "/form", "If-None-Match", "*"); p.Header().Get("ETag") != "" || p.Code != 200 {
		t.Errorf("POST got ETag %q, code %d", p.Header().Get("ETag"), p.Code)
	}
}

// TestETagOfADeclaredBody: a body whose length the handler declared and
// wrote at once is sent from the handler's own buffer, and answers exactly
// as one written in parts: the same tag, 304 on a match, gzip over it.
func TestETagOfADeclaredBody(t *testing.T) {
	body := strings.Repeat("<p>Too Many Requests: slow down and retry.</p>\n", 100)
	declared := declaredHTML(body)
	parts := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body[:100])
		io.WriteString(w, body[100:])
	})
	for _, ae := range []string{"", "gzip"} {
		one := do(t, Chain(Gzip, ETag)(declared), "GET", "/", "Accept-Encoding", ae)
		two := do(t, Chain(Gzip, ETag)(parts), "GET", "/", "Accept-Encoding", ae)
		if one.Code != 200 || one.Header().Get("ETag") == "" || one.Header().Get("ETag") != two.Header().Get("ETag") {
			t.Fatalf("Accept-Encoding %q: %d, ETag %q at once and %q in parts", ae, one.Code, one.Header().Get("ETag"), two.Header().Get("ETag"))
		}
		got := one.Body.String()
		if ae == "gzip" {
			if one.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("not compressed: %v", one.Header())
			}
			got = gunzip(t, one.Body.Bytes())
		}
		if got != body || one.Header().Get("Content-Length") != strconv.Itoa(one.Body.Len()) {
			t.Errorf("Accept-Encoding %q: %d bytes with Content-Length %q, want the body whole", ae, one.Body.Len(), one.Header().Get("Content-Length"))
		}
		nm := do(t, Chain(Gzip, ETag)(declared), "GET", "/", "Accept-Encoding", ae, "If-None-Match", one.Header().Get("ETag"))
		if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
			t.Errorf("Accept-Encoding %q, If-None-Match its tag: %d with %d bytes, want 304 and none", ae, nm.Code, nm.Body.Len())
		}
	}
}

// TestCompressible: which Content-Types Gzip compresses, read as media
// types (case, spaces and parameters aside).
func TestCompressible(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/html; charset=utf-8":         true,
		"Text/HTML":                        true,
		" application/json ;charset=utf-8": true,
		"application/problem+json":         true,
		"application/atom+xml":             true,
		"image/svg+xml":                    true,
		"image/png":                        false,
		"application/octet-stream":         false,
		"":                                 false,
		"text":                             false,
		"text/":                            false,
		"text/html extra":                  false,
		"text/h\x00tml":                    false,
	} {
		if got := compressible(ct); got != want {
			t.Errorf("compressible(%q) = %v, want %v", ct, got, want)
		}
	}
}

// TestGzipOverETag checks the two together in the order cmd/errata uses:
// one ETag computed on the plain body, weakened when compressed, and a
// conditional request answered 304 with no body in either encoding.
func TestGzipOverETag(t *testing.T) {
	h := Chain(Gzip, ETag)(page(t))
	plain := do(t, h, "GET", "/")
	zipped := do(t, h, "GET", "/", "Accept-Encoding", "gzip")
	tag := plain.Header().Get("ETag")
	if zipped.Header().Get("ETag") != "W/"+tag {
		t.Fatalf("gzip ETag = %q, want W/%s", zipped.Header().Get("ETag"), tag)
	}
	if gunzip(t, zipped.Body.Bytes()) != plain.Body.String() {
		t.Fatalf("gzip body differs from plain body")
	}
	// ETag declared the length, so the compressed one is sent, not chunks.
	if got := zipped.Header().Get("Content-Length"); got != strconv.Itoa(zipped.Body.Len()) {
		t.Errorf("gzip Content-Length %q, body %d bytes", got, zipped.Body.Len())
	}
	for _, inm := range []string{tag, zipped.Header().Get("ETag")} {
		for _, ae := range []string{"", "gzip"} {
			w := do(t, h, "GET", "/", "If-None-Match", inm, "Accept-Encoding", ae)
			if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("Content-Encoding") != "" {
				t.Errorf("If-None-Match %s, Accept-Encoding %q: %d, %d bytes, encoding %q; want 304, empty, none",
					inm, ae, w.Code, w.Body.Len(), w.Header().Get("Content-Encoding"))
			}
		}
	}
}

func TestRateLimit(t *testing.T) {
	h := RateLimit(RateLimitConfig{Rate: 1, Burst: 3})(page(t))
	from := func(addr, target string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", target, nil)
		r.RemoteAddr = addr
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i := range 3 {
		if w := from("192.0.2.1:1000", "/small"); w.Code != 200 {
			t.Fatalf("request %d within burst: %d", i+1, w.Code)
		}
	}
	w := from("192.0.2.1:1001", "/small")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("4th request: %d, want 429", w.Code)
	}
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 2 {
		t.Errorf("Retry-After = %q, want 1 or 2 seconds", w.Header().Get("Retry-After"))
	}
	if !strings.Contains(w.Body.String(), "Too many requests") || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Errorf("429 body %q (%s)", w.Body.String(), w.Header().Get("Content-Type"))
	}
	api := from("192.0.2.1:1002", "/api/v1/search?q=x")
	var body struct {
		Error struct {
			Status     int
			Message    string
			RetryAfter int `json:"retry_after"`
		}
	}
	if api.Code != 429 || json.Unmarshal(api.Body.Bytes(), &body) != nil || body.Error.Status != 429 || body.Error.RetryAfter < 1 {
		t.Errorf("API 429: %d %s", api.Code, api.Body.String())
	}
	if other := from("192.0.2.2:1000", "/small"); other.Code != 200 {
		t.Errorf("another client got %d while the first is limited", other.Code)
	}
	// X-Forwarded-For is ignored unless trusted: a client cannot dodge the limit.
	if spoof := from("192.0.2.1:1003", "/small", "X-Forwarded-For", "198.51.100.7"); spoof.Code != 429 {
		t.Errorf("spoofed X-Forwarded-For got %d, want 429", spoof.Code)
	}
}

// One IPv6 client holds a whole /64: behind a trusted proxy, 300 addresses
// of one /64 share one bucket, another /64 has its own, the prefix is
// configurable, and an IPv4-mapped address is the IPv4 client it maps.
func TestRateLimitIPv6Prefix(t *testing.T) {
	// A token every 100 s: nothing refills while the test runs.
	limited := func(prefix int) http.Handler {
		return RateLimit(RateLimitConfig{Rate: 0.01, Burst: 3, TrustProxy: true, IPv6Prefix: prefix})(page(t))
	}
	from := func(h http.Handler, client string) int {
		return do(t, h, "GET", "/small", "X-Forwarded-For", client).Code
	}
	count := func(codes []int, want int) int {
		n := 0
		for _, c := range codes {
			if c == want {
				n++
			}
		}
		return n
	}
	t.Run("one /64 is one client", func(t *testing.T) {
		h := limited(0)
		var codes []int
		for i := range 300 {
			codes = append(codes, from(h, fmt.Sprintf("2001:db8:1:2:%x::%x", i, i+1)))
		}
		if ok := count(codes, 200); ok != 3 || fmt.Sprint(codes[:3]) != "[200 200 200]" {
			t.Errorf("300 addresses of one /64: %d answered 200 (first %v), want the burst of 3 then 429s", ok, codes[:4])
		}
		if got := from(h, "2001:db8:1:3::1"); got != 200 {
			t.Errorf("another /64 got %d while the first is limited, want 200", got)
		}
	})
	t.Run("the prefix is configurable", func(t *testing.T) {
		h := limited(128)
		for i := range 20 {
			if got := from(h, fmt.Sprintf("2001:db8:1:2::%x", i+1)); got != 200 {
				t.Fatalf("prefix 128, address %d of one /64: %d, want 200 (each address its own client)", i+1, got)
			}
		}
		h = limited(48)
		var codes []int
		for i := range 10 {
			codes = append(codes, from(h, fmt.Sprintf("2001:db8:1:%x::1", i)))
		}
		if ok := count(codes, 200); ok != 3 {
			t.Errorf("prefix 48, ten /64s of one /48: %d answered 200, want 3", ok)
		}
	})
	t.Run("IPv4 is per address, mapped or not", func(t *testing.T) {
		h := limited(0)
		codes := []int{from(h, "192.0.2.1"), from(h, "::ffff:192.0.2.1"), from(h, "::ffff:c000:201"), from(h, "192.0.2.1")}
		if fmt.Sprint(codes) != "[200 200 200 429]" {
			t.Errorf("192.0.2.1 written plain and IPv4-mapped: %v, want one client: 3×200 then 429", codes)
		}
		if got := from(h, "192.0.2.2"); got != 200 {
			t.Errorf("a neighbouring IPv4 address got %d, want 200: IPv4 clients are per address", got)
		}
	})
}

func TestClientKey(t *testing.T) {
	for _, tt := range []struct {
		ip   string
		bits int
		want string
	}{
		{"192.0.2.1", 64, "192.0.2.1"},
		{"::ffff:192.0.2.1", 64, "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64"},
		{"2001:db8:1:2:3:4:5:6", 56, "2001:db8:1::/56"},
		{"2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6/128"},
		{"fe80::1%eth0", 64, "fe80::/64"},
		{"not-an-ip", 64, "not-an-ip"},
	} {
		if got := clientKey(tt.ip, tt.bits); got != tt.want {
			t.Errorf("clientKey(%q, %d) = %q, want %q", tt.ip, tt.bits, got, tt.want)
		}
	}
}

func TestRateLimitDisabled(t *testing.T) {
	h := RateLimit(RateLimitConfig{Rate: 0})(page(t))
	for range 100 {
		if w := do(t, h, "GET", "/small"); w.Code != 200 {
			t.Fatalf("rate 0 answered %d", w.Code)
		}
	}
}

func TestRateLimitRefills(t *testing.T) {
	h := RateLimit(RateLimitConfig{Rate: 50, Burst: 1})(page(t))
	if do(t, h, "GET", "/small").Code != 200 || do(t, h, "GET", "/small").Code != 429 {
		t.Fatal("want 200 then 429 with a burst of 1")
	}
	time.Sleep(60 * time.Millisecond) // 50/s refills a token in 20 ms
	if w := do(t, h, "GET", "/small"); w.Code != 200 {
		t.Errorf("after refill: %d, want 200", w.Code)
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		remote, xff string
		trust       bool
		want        string
	}{
		{"192.0.2.1:5000", "", false, "192.0.2.1"},
		{"192.0.2.1:5000", "198.51.100.7", false, "192.0.2.1"},
		{"127.0.0.1:5000", "198.51.100.7", true, "198.51.100.7"},
		{"127.0.0.1:5000", "10.0.0.1, 198.51.100.7", true, "198.51.100.7"},
		{"127.0.0.1:5000", "not-an-ip", true, "127.0.0.1"},
		{"[2001:db8::1]:443", "", false, "2001:db8::1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := ClientIP(r, tt.trust); got != tt.want {
			t.Errorf("ClientIP(%s, xff %q, trust %v) = %q, want %q", tt.remote, tt.xff, tt.trust, got, tt.want)
		}
	}
}

func TestClientLRUBounded(t *testing.T) {
	c := newClientLRU(3, func() *rate.Limiter { return rate.NewLimiter(1, 1) })
	a := c.get("a")
	c.get("b")
	c.get("c")
	if c.get("a") != a {
		t.Fatal("a known client got a new limiter")
	}
	c.get("d") // forgets b, the least recently seen
	if n := c.len(); n != 3 {
		t.Errorf("len = %d, want 3", n)
	}
	if _, ok := c.byKey["b"]; ok {
		t.Error("b is still remembered; want the least recently seen forgotten")
	}
	if c.get("a") != a {
		t.Error("a was forgotten although recently seen")
	}
}

// value reads a counter or gauge.
func value(tb testing.TB, c prometheus.Metric) float64 {
	tb.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		tb.Fatal(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

func TestStack(t *testing.T) {
	var logs bytes.Buffer
	m := NewMetrics()
	h := Stack(page(t), StackConfig{
		Log:       slog.New(slog.NewTextHandler(&logs, nil)),
		Metrics:   m,
		RateLimit: RateLimitConfig{Rate: 1, Burst: 2},
	})
	w := do(t, h, "GET", "/", "Accept-Encoding", "gzip", "X-Request-ID", "stack-1")
	if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" || !strings.HasPrefix(w.Header().Get("ETag"), `W/"`) {
		t.Fatalf("GET /: %d, encoding %q, ETag %q; want gzip with a weak ETag", w.Code, w.Header().Get("Content-Encoding"), w.Header().Get("ETag"))
	}
	if nm := do(t, h, "GET", "/", "Accept-Encoding", "gzip", "If-None-Match", w.Header().Get("ETag")); nm.Code != 304 || nm.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes, want 304", nm.Code, nm.Body.Len())
	}
	if lim := do(t, h, "GET", "/"); lim.Code != http.StatusTooManyRequests {
		t.Errorf("third request with a burst of 2: %d, want 429", lim.Code)
	}
	if !strings.Contains(logs.String(), "request_id=stack-1") {
		t.Errorf("log lacks the request id:\n%s", logs.String())
	}
	// The metrics are not beside the site: /metrics is the site's own 404.
	m2 := NewMetrics()
	open := Stack(page(t), StackConfig{Metrics: m2})
	if w := do(t, open, "GET", "/metrics"); w.Code != 404 || strings.Contains(w.Body.String(), "errata_") {
		t.Errorf("/metrics on the site answered %d, want the site's 404:\n%.300s", w.Code, w.Body.String())
	}
	if w := do(t, m2.Endpoint(), "GET", "/metrics"); !strings.Contains(w.Body.String(), `errata_http_requests_total{code="404",route="unmatched"} 1`) {
		t.Errorf("the site's 404 for /metrics is not counted:\n%s", w.Body.String())
	}
}

// The metrics listener serves GET /metrics alone, with the security headers.
func TestMetricsEndpoint(t *testing.T) {
	m := NewMetrics()
	m.SetEntries(15)
	h := m.Endpoint()
	for _, c := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/metrics", 200},
		{"HEAD", "/metrics", 200},
		{"GET", "/", 404},
		{"GET", "/errors/x", 404},
		{"POST", "/metrics", 405},
	} {
		w := do(t, h, c.method, c.target)
		if w.Code != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.target, w.Code, c.status)
		}
		if got := w.Header().Values("Content-Security-Policy"); len(got) != 1 || got[0] != CSP {
			t.Errorf("%s %s: CSP %q, want it once", c.method, c.target, got)
		}
		if w.Header().Get("X-Frame-Options") != "DENY" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: security headers missing: %v", c.method, c.target, w.Header())
		}
	}
	if w := do(t, h, "GET", "/metrics"); !strings.Contains(w.Body.String(), "errata_entries_indexed 15") {
		t.Errorf("GET /metrics lacks the entry count:\n%.500s", w.Body.String())
	}
}

// BenchmarkGzipETag is what Gzip and ETag cost a search answer made afresh:
// a 9 KB page of varied words, its length declared and written at once as
// web renders it, compressed for a client that takes gzip. cpu-ns/op is the
// process's CPU per answer, steadier than ns/op on shared cores.
// go test ./web/middleware -run '^$' -bench GzipETag
func BenchmarkGzipETag(b *testing.B) {
	words := strings.Fields("the request quota user rate limit exceeded token refresh invalid grant mailbox " +
		"throttled retry after seconds account permission denied scope consent tenant application")
	var page strings.Builder
	for i := 0; page.Len() < 9<<10; i++ {
		if i%12 == 0 {
			page.WriteString("</p>\n<p class=\"snippet\">")
		}
		page.WriteString(words[(i*7+i/5)%len(words)])
		page.WriteByte(' ')
	}
	body := page.String()
	h := Chain(Gzip, ETag)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body)
	}))
	b.ReportAllocs()
	cpu, n := cpuTime(), 0
	for b.Loop() {
		n++
		w := do(b, h, "GET", "/", "Accept-Encoding", "gzip")
		if w.Header().Get("Content-Encoding") != "gzip" {
			b.Fatalf("not compressed: %v", w.Header())
		}
	}
	if cpu > 0 {
		b.ReportMetric(float64(cpuTime()-cpu)/float64(n), "cpu-ns/op")
	}
}

// declaredHTML answers body as HTML, its length declared and written at
// once, as pages are.
func declaredHTML(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body)
	})
}
