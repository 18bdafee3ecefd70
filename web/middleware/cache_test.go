package middleware

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

// counted is a site that counts the requests that reach it, so a test can
// tell an answer made afresh from one served by the cache.
type counted struct {
	calls atomic.Int64
	mux   *http.ServeMux
}

func newCounted(tb testing.TB, purge func()) *counted {
	tb.Helper()
	c := &counted{mux: http.NewServeMux()}
	big := strings.Repeat("<p>Too Many Requests: slow down and retry.</p>\n", 100)
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, body)
	}
	c.mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		html(w, big+r.URL.Query().Get("q"))
	})
	c.mux.HandleFunc("GET /fragment", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "HX-Request, HX-Target")
		html(w, "page for HX-Request="+r.Header.Get("HX-Request")+" HX-Target="+r.Header.Get("HX-Target"))
	})
	// /catalogue picks the results fragment or the whole page from htmx's
	// headers as web's catalogue does, and names all four in Vary.
	c.mux.HandleFunc("GET /catalogue", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "HX-Request, HX-Boosted, HX-History-Restore-Request, HX-Target")
		if wantsResults(r) {
			html(w, resultsFragment)
			return
		}
		html(w, big)
	})
	c.mux.HandleFunc("GET /sized/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(bytes.Repeat([]byte{'x'}, n))
	})
	c.mux.HandleFunc("GET /missing", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such page", http.StatusNotFound)
	})
	for path, header := range map[string][2]string{
		"/no-store": {"Cache-Control", "no-store"},
		"/no-cache": {"Cache-Control", "no-cache"},
		"/private":  {"Cache-Control", "private, max-age=60"},
		"/cookie":   {"Set-Cookie", "session=1"},
		"/vary-all": {"Vary", "*"},
	} {
		c.mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(header[0], header[1])
			html(w, "not to be kept")
		})
	}
	c.mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		html(w, "first part")
		_ = http.NewResponseController(w).Flush()
		io.WriteString(w, ", second part")
	})
	c.mux.HandleFunc("GET /swapping", func(w http.ResponseWriter, r *http.Request) {
		purge() // the catalogue is swapped while this answer is made
		html(w, "made from the old catalogue")
	})
	return c
}

// resultsFragment is what /catalogue answers htmx's search box.
const resultsFragment = "<div id=results>the results only</div>"

// wantsResults is web's test for the search box's own htmx requests.
func wantsResults(r *http.Request) bool {
	return HTMXFlag(r, "HX-Request") && !HTMXFlag(r, "HX-Boosted") &&
		!HTMXFlag(r, "HX-History-Restore-Request") && r.Header.Get("HX-Target") == "results"
}

func (c *counted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.calls.Add(1)
	c.mux.ServeHTTP(w, r)
}

// cachedSite is the site inside the whole Stack with a cache of max bytes
// that keeps answers from the first time they are asked (the tests of the
// doorkeeper use NewCache as it is).
func cachedSite(tb testing.TB, max int64) (http.Handler, *counted, *Cache, *Metrics) {
	tb.Helper()
	cache := NewCache(max)
	cache.admitFirst = true
	site := newCounted(tb, cache.Purge)
	m := NewMetrics()
	h := Stack(site, StackConfig{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m, Cache: cache})
	return h, site, cache, m
}

func TestCacheServesRepeatsWithoutTheSite(t *testing.T) {
	h, site, cache, m := cachedSite(t, 1<<20)
	first := do(t, h, "GET", "/page?q=quota", "Accept-Encoding", "gzip", "X-Request-ID", "one")
	second := do(t, h, "GET", "/page?q=quota", "Accept-Encoding", "gzip", "X-Request-ID", "two")
	if got := site.calls.Load(); got != 1 {
		t.Fatalf("the site answered %d times for two equal requests, want 1", got)
	}
	if first.Header().Get(CacheHeader) != "" || second.Header().Get(CacheHeader) != "hit" {
		t.Errorf("%s: %q then %q, want none then hit", CacheHeader, first.Header().Get(CacheHeader), second.Header().Get(CacheHeader))
	}
	if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) || second.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("the hit differs: %d vs %d bytes, encoding %q", first.Body.Len(), second.Body.Len(), second.Header().Get("Content-Encoding"))
	}
	if got := gunzip(t, second.Body.Bytes()); !strings.HasSuffix(got, "quota") {
		t.Errorf("hit body ends %q", got[len(got)-20:])
	}
	for _, k := range []string{"Content-Type", "ETag", "Vary"} {
		if a, b := first.Header().Values(k), second.Header().Values(k); strings.Join(a, ",") != strings.Join(b, ",") || len(a) == 0 {
			t.Errorf("%s: %q made, %q from the cache", k, a, b)
		}
	}
	// What the outer layers set is the request's own, not the first one's.
	if got := second.Header().Get("X-Request-ID"); got != "two" {
		t.Errorf("the hit carries request id %q, want two", got)
	}
	// A hit is counted under its route and as a hit (never as a search:
	// web's handlers count those where they run, and a hit runs none).
	if got := value(t, m.requests.WithLabelValues("GET /page", "200")); got != 2 {
		t.Errorf("requests{GET /page,200} = %v, want 2 (a hit keeps its route)", got)
	}
	if got, want := value(t, m.cacheHits), 1.0; got != want {
		t.Errorf("cache hits %v, want %v", got, want)
	}
	if st := cache.Stats(); st.Entries != 1 || st.Bytes <= int64(first.Body.Len()) || st.Max != 1<<20 {
		t.Errorf("stats %+v after one answer of %d bytes", st, first.Body.Len())
	}
}

func TestCacheKeepsVariantsApart(t *testing.T) {
	h, site, _, _ := cachedSite(t, 1<<20)
	type req struct{ path, hdr string }
	reqs := []req{
		{"/page?q=quota", ""},
		{"/page?q=quota", "Accept-Encoding: gzip"},
		{"/page?q=Quota", ""},                         // the query is the user's: case matters
		{"/page?q=quota&page=1", ""},                  // another URL, even if it means the same
		{"/page?q=quota", "X-Forwarded-Proto: https"}, // pages print absolute URLs
		{"/fragment", ""},
		{"/fragment", "HX-Request: true"},
		{"/fragment", "HX-Request: true|HX-Target: results"},
	}
	send := func(r req) *httptest.ResponseRecorder {
		var hdr []string
		for _, kv := range strings.Split(r.hdr, "|") {
			if k, v, ok := strings.Cut(kv, ": "); ok {
				hdr = append(hdr, k, v)
			}
		}
		return do(t, h, "GET", r.path, hdr...)
	}
	bodies := map[req]string{}
	for _, r := range reqs {
		bodies[r] = send(r).Body.String()
	}
	if got := site.calls.Load(); got != int64(len(reqs)) {
		t.Fatalf("the site answered %d of %d distinct requests; a variant was served from another's answer", got, len(reqs))
	}
	for _, r := range reqs { // each again: every one a hit with its own body
		w := send(r)
		if w.Header().Get(CacheHeader) != "hit" || w.Body.String() != bodies[r] {
			t.Errorf("%s %q again: cache %q, same body %v", r.path, r.hdr, w.Header().Get(CacheHeader), w.Body.String() == bodies[r])
		}
	}
	if got := site.calls.Load(); got != int64(len(reqs)) {
		t.Errorf("the site answered %d times, want %d", got, len(reqs))
	}
	if !strings.Contains(bodies[reqs[7]], "HX-Target=results") || strings.Contains(bodies[reqs[6]], "results") {
		t.Errorf("fragment variants mixed up: %q / %q", bodies[reqs[6]], bodies[reqs[7]])
	}
}

func TestCacheKeepsOnlyWhatItMay(t *testing.T) {
	h, site, cache, _ := cachedSite(t, 64<<10)
	for _, path := range []string{"/missing", "/no-store", "/no-cache", "/private", "/cookie", "/vary-all", "/stream", "/swapping",
		"/sized/5000" /* over a sixteenth of 64 KiB */} {
		before := site.calls.Load()
		a, b := do(t, h, "GET", path), do(t, h, "GET", path)
		if site.calls.Load()-before != 2 || b.Header().Get(CacheHeader) != "" {
			t.Errorf("%s was served from the cache (%d, %q)", path, a.Code, b.Header().Get(CacheHeader))
		}
		if a.Body.String() != b.Body.String() {
			t.Errorf("%s: two answers differ", path)
		}
	}
	if st := cache.Stats(); st.Entries != 0 {
		t.Errorf("%d answers kept that may not be", st.Entries)
	}
	// Other methods pass through; HEAD is answered from a kept GET only.
	if w := do(t, h, "HEAD", "/page?q=head"); w.Header().Get(CacheHeader) != "" {
		t.Error("HEAD before any GET was a hit")
	}
	if st := cache.Stats(); st.Entries != 0 {
		t.Error("a HEAD was kept")
	}
	do(t, h, "GET", "/page?q=head", "Accept-Encoding", "gzip") // small enough to keep once gzipped
	if w := do(t, h, "HEAD", "/page?q=head", "Accept-Encoding", "gzip"); w.Header().Get(CacheHeader) != "hit" || w.Code != 200 {
		t.Errorf("HEAD after the GET: %d, cache %q", w.Code, w.Header().Get(CacheHeader))
	}
}

func TestCacheRevalidatesHits(t *testing.T) {
	h, _, _, _ := cachedSite(t, 1<<20)
	w := do(t, h, "GET", "/page?q=etag", "Accept-Encoding", "gzip")
	tag := w.Header().Get("ETag")
	nm := do(t, h, "GET", "/page?q=etag", "Accept-Encoding", "gzip", "If-None-Match", tag)
	if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 || nm.Header().Get(CacheHeader) != "hit" {
		t.Errorf("If-None-Match %s on a hit: %d with %d bytes (cache %q), want 304 and no body", tag, nm.Code, nm.Body.Len(), nm.Header().Get(CacheHeader))
	}
	if nm.Header().Get("Content-Encoding") != "" || nm.Header().Get("ETag") != tag {
		t.Errorf("304 headers: encoding %q, ETag %q", nm.Header().Get("Content-Encoding"), nm.Header().Get("ETag"))
	}
	if other := do(t, h, "GET", "/page?q=etag", "Accept-Encoding", "gzip", "If-None-Match", `"other"`); other.Code != 200 || other.Body.Len() == 0 {
		t.Errorf("a stale ETag got %d", other.Code)
	}
}

func TestCachePurge(t *testing.T) {
	h, site, cache, _ := cachedSite(t, 1<<20)
	do(t, h, "GET", "/page?q=a")
	do(t, h, "GET", "/page?q=a")
	cache.Purge()
	if st := cache.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Errorf("after Purge: %+v", st)
	}
	if w := do(t, h, "GET", "/page?q=a"); w.Header().Get(CacheHeader) != "" || site.calls.Load() != 2 {
		t.Errorf("after Purge the answer came from the cache (site called %d times)", site.calls.Load())
	}
	var nilCache *Cache // disabled: everything passes through, nothing panics
	nilCache.Purge()
	if nilCache.Stats() != (CacheStats{}) || NewCache(0) != nil {
		t.Error("a disabled cache is not empty")
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	const max = 64 << 10
	h, site, cache, _ := cachedSite(t, max)
	// Each answer is about 3 KiB, so some 20 fit.
	for i := range 100 {
		do(t, h, "GET", fmt.Sprintf("/sized/%d", 3000+i))
		do(t, h, "GET", "/sized/3000") // kept in use all along
		if st := cache.Stats(); st.Bytes > max {
			t.Fatalf("after %d answers the cache holds %d bytes, over its %d", i+1, st.Bytes, max)
		}
	}
	st := cache.Stats()
	if st.Entries < 15 || st.Entries > 22 {
		t.Errorf("%d answers of ~3 KiB kept in %d bytes", st.Entries, max)
	}
	before := site.calls.Load()
	if w := do(t, h, "GET", "/sized/3000"); w.Header().Get(CacheHeader) != "hit" {
		t.Error("the answer used all along was evicted")
	}
	if w := do(t, h, "GET", "/sized/3099"); w.Header().Get(CacheHeader) != "hit" {
		t.Error("the newest answer was evicted")
	}
	if w := do(t, h, "GET", "/sized/3001"); w.Header().Get(CacheHeader) != "" {
		t.Error("the oldest unused answer was kept")
	}
	if got := site.calls.Load() - before; got != 1 {
		t.Errorf("site called %d times, want 1", got)
	}
}

func TestCacheRateLimitStillApplies(t *testing.T) {
	cache := NewCache(1 << 20)
	h := Stack(newCounted(t, cache.Purge), StackConfig{Cache: cache, RateLimit: RateLimitConfig{Rate: 1, Burst: 2}})
	do(t, h, "GET", "/page?q=x")
	do(t, h, "GET", "/page?q=x")
	if w := do(t, h, "GET", "/page?q=x"); w.Code != http.StatusTooManyRequests {
		t.Errorf("third request with a burst of 2: %d, want 429 even though the answer is cached", w.Code)
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	h, _, cache, _ := cachedSite(t, 16<<10)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				path := fmt.Sprintf("/sized/%d", 1000+(i*7+g)%40)
				if i%97 == 0 {
					cache.Purge()
				}
				hdr := []string{}
				if i%2 == 0 {
					hdr = []string{"Accept-Encoding", "gzip"}
				}
				w := do(t, h, "GET", path, hdr...)
				var n int
				fmt.Sscan(strings.TrimPrefix(path, "/sized/"), &n)
				if w.Code != 200 || (w.Header().Get("Content-Encoding") == "" && w.Body.Len() != n) {
					t.Errorf("%s: %d, %d bytes", path, w.Code, w.Body.Len())
					return
				}
			}
		}()
	}
	wg.Wait()
	if st := cache.Stats(); st.Bytes > st.Max {
		t.Errorf("cache over its size after concurrent use: %+v", st)
	}
}

// benchRepeats times h answering GET target (gzip accepted) again and
// again, after a first request that fills the cache; ok checks each answer.
func benchRepeats(b *testing.B, h http.Handler, target string, ok func(*httptest.ResponseRecorder) bool) {
	b.Helper()
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set("Accept-Encoding", "gzip")
	h.ServeHTTP(httptest.NewRecorder(), r)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !ok(w) {
			b.Fatalf("GET %s: %d, %s %q", target, w.Code, CacheHeader, w.Header().Get(CacheHeader))
		}
	}
}

// BenchmarkCache is one request through the whole Stack for a page the
// cache holds, and the same without the cache, where the site renders it
// and Gzip and ETag run again: go test ./web/middleware -bench Cache.
func BenchmarkCache(b *testing.B) {
	for _, tc := range []struct {
		name  string
		cache *Cache
	}{{"hit", NewCache(1 << 20)}, {"off", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			h := Stack(newCounted(b, tc.cache.Purge), StackConfig{Cache: tc.cache})
			benchRepeats(b, h, "/page?q=quota", func(w *httptest.ResponseRecorder) bool { return w.Code == 200 })
		})
	}
}

// heldBytes is what c really holds: the distinct bytes of every string and
// byte slice reachable from it, found by walking its fields, so that a test
// measures what is kept rather than what the cache says it keeps.
func heldBytes(c *Cache) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var total int64
	type span struct {
		p uintptr
		n int
	}
	seen := map[span]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			s := v.String()
			if k := (span{uintptr(unsafe.Pointer(unsafe.StringData(s))), len(s)}); len(s) > 0 && !seen[k] {
				seen[k] = true
				total += int64(len(s))
			}
		case reflect.Slice:
			if k := (span{v.Pointer(), -v.Cap()}); v.Cap() == 0 || seen[k] {
				return
			} else {
				seen[k] = true
			}
			if v.Type().Elem().Kind() == reflect.Uint8 {
				total += int64(v.Cap())
				return
			}
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Pointer, reflect.Map:
			if k := (span{v.Pointer(), 0}); v.IsNil() || seen[k] {
				return
			} else {
				seen[k] = true
			}
			if v.Kind() == reflect.Pointer {
				walk(v.Elem())
				return
			}
			for it := v.MapRange(); it.Next(); {
				walk(it.Key())
				walk(it.Value())
			}
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(c))
	return total
}

// Thousands of distinct, large values of the htmx headers a page varies on
// (one attack grew a 16 MB cache's process by 167 MB) must neither grow the
// cache past its size nor push out what normal clients are served, and each
// request must still get the answer its headers ask for.
func TestCacheBoundsHostileVaryValues(t *testing.T) {
	const max = 1 << 20
	h, site, cache, _ := cachedSite(t, max)
	page := []string{"Accept-Encoding", "gzip"}
	results := []string{"Accept-Encoding", "gzip", "HX-Request", "true", "HX-Target", "results"}
	do(t, h, "GET", "/catalogue", page...)
	do(t, h, "GET", "/catalogue", results...)
	names := []string{"HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target"}
	const sent = 2000
	for i := range sent {
		hdr := append(slices.Clone(results), names[i%len(names)], fmt.Sprintf("%d-%s", i, strings.Repeat("x", 15<<10)))
		w := do(t, h, "GET", "/catalogue", hdr...)
		r := httptest.NewRequest("GET", "/catalogue", nil)
		for j := 0; j < len(hdr); j += 2 {
			r.Header.Set(hdr[j], hdr[j+1])
		}
		body := w.Body.String()
		if w.Header().Get("Content-Encoding") == "gzip" {
			body = gunzip(t, w.Body.Bytes())
		}
		if got, want := body == resultsFragment, wantsResults(r); w.Code != 200 || got != want {
			t.Fatalf("request %d with a long %s: %d, results fragment %v, want %v", i, names[i%len(names)], w.Code, got, want)
		}
		if st := cache.Stats(); st.Bytes > st.Max {
			t.Fatalf("after %d requests the cache counts %d bytes, over its %d", i+1, st.Bytes, st.Max)
		}
	}
	st := cache.Stats()
	if held := heldBytes(cache); held > max || held > st.Bytes {
		t.Errorf("the cache holds %d bytes of keys, header values and bodies; it counts %d, its size is %d", held, st.Bytes, max)
	}
	// htmx only ever sends "true" in the first three, and the page only
	// tests for it: a long value there is answered like an absent one, from
	// the cache (a long HX-Request with HX-Target: results once more, as a
	// variant of its own). Only the long HX-Target values are made afresh.
	if got, want := site.calls.Load(), int64(3+sent/len(names)); got > want {
		t.Errorf("the site made %d answers for %d requests, want at most %d", got, sent+2, want)
	}
	for _, hdr := range [][]string{page, results} {
		if w := do(t, h, "GET", "/catalogue", hdr...); w.Header().Get(CacheHeader) != "hit" {
			t.Errorf("a normal client (%q) is no longer served from the cache", hdr)
		}
	}
}

// A request header value an answer varies on is kept up to maxVaryValue
// bytes; a request with a longer one is answered afresh and not kept.
func TestCacheKeepsOnlyShortVaryValues(t *testing.T) {
	h, site, cache, _ := cachedSite(t, 1<<20)
	many := httptest.NewRequest("GET", "/fragment", nil)
	for range maxVaryValue {
		many.Header.Add("HX-Target", "t")
	}
	for _, tc := range []struct {
		name string
		r    *http.Request
		kept bool
	}{
		{"HX-Target at the bound", withHeader("/fragment", "HX-Target", strings.Repeat("a", maxVaryValue)), true},
		{"HX-Target over it", withHeader("/fragment", "HX-Target", strings.Repeat("b", maxVaryValue+1)), false},
		{"HX-Target on many lines", many, false},
		{"X-Forwarded-Proto over it", withHeader("/page", "X-Forwarded-Proto", strings.Repeat("c", maxVaryValue+1)), false},
	} {
		before, entries := site.calls.Load(), cache.Stats().Entries
		for range 2 {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tc.r)
			if w.Code != 200 {
				t.Fatalf("%s: %d", tc.name, w.Code)
			}
		}
		made, added := site.calls.Load()-before, cache.Stats().Entries-entries
		if tc.kept && (made != 1 || added != 1) || !tc.kept && (made != 2 || added != 0) {
			t.Errorf("%s: made %d times of 2, %d answers kept; want kept=%v", tc.name, made, added, tc.kept)
		}
	}
}

func withHeader(target, name, value string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set(name, value)
	return r
}

// A URL keeps at most maxVariants answers; the least recently used goes.
func TestCacheBoundsVariantsPerURL(t *testing.T) {
	h, site, cache, _ := cachedSite(t, 1<<20)
	for i := range 100 {
		do(t, h, "GET", "/fragment", "HX-Target", fmt.Sprintf("t%d", i))
		do(t, h, "GET", "/fragment", "HX-Target", "t0") // kept in use all along
		if st := cache.Stats(); st.Entries > maxVariants {
			t.Fatalf("after %d HX-Target values one URL has %d answers kept, want at most %d", i+1, st.Entries, maxVariants)
		}
	}
	before := site.calls.Load()
	for _, target := range []string{"t0", "t99"} {
		if w := do(t, h, "GET", "/fragment", "HX-Target", target); w.Header().Get(CacheHeader) != "hit" {
			t.Errorf("HX-Target %s, used last, was evicted", target)
		}
	}
	if w := do(t, h, "GET", "/fragment", "HX-Target", "t1"); w.Header().Get(CacheHeader) != "" {
		t.Error("HX-Target t1, the oldest unused variant, was kept")
	}
	if got := site.calls.Load() - before; got != 1 {
		t.Errorf("site called %d times, want 1", got)
	}
}

// BenchmarkCacheManyVariants is a hit on a URL that has been asked with
// a thousand values of a header its answer varies on.
func BenchmarkCacheManyVariants(b *testing.B) {
	cache := NewCache(16 << 20)
	h := Stack(newCounted(b, cache.Purge), StackConfig{Cache: cache})
	for i := range 1000 {
		do(b, h, "GET", "/fragment", "Accept-Encoding", "gzip", "HX-Target", fmt.Sprintf("target-%d", i))
	}
	benchRepeats(b, h, "/fragment", func(w *httptest.ResponseRecorder) bool { return w.Header().Get(CacheHeader) == "hit" })
}

// The cache keeps an answer the second time its URL is asked, not the
// first: most searches are asked once, and keeping each cost every request
// a copy. A URL asked again is kept and then answered from the cache; Purge
// forgets the URLs asked once too.
func TestCacheAdmitsOnTheSecondRequest(t *testing.T) {
	cache := NewCache(1 << 20)
	site := newCounted(t, cache.Purge)
	h := Stack(site, StackConfig{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: NewMetrics(), Cache: cache})
	ask := func(target string) string {
		return do(t, h, "GET", target, "Accept-Encoding", "gzip").Header().Get(CacheHeader)
	}
	for i := range 100 { // distinct queries, each asked once
		if got := ask(fmt.Sprintf("/page?q=once%d", i)); got != "" {
			t.Fatalf("a query asked once came from the cache: %q", got)
		}
	}
	if st := cache.Stats(); st.Entries != 0 {
		t.Errorf("%d answers kept of 100 queries each asked once, want none", st.Entries)
	}
	// The last URL asked: no later URL can have taken its slot, as one in
	// a few hundred runs took an earlier URL's.
	if got := ask("/page?q=once99"); got != "" {
		t.Errorf("second ask: cache %q, want a fresh answer", got)
	}
	if got := ask("/page?q=once99"); got != "hit" {
		t.Errorf("third ask: cache %q, want a hit", got)
	}
	if st := cache.Stats(); st.Entries != 1 {
		t.Errorf("%d answers kept, want the one asked twice", st.Entries)
	}
	cache.Purge()
	ask("/page?q=once9") // asked before the Purge: forgotten, so not kept now
	if got := ask("/page?q=once9"); got != "" {
		t.Errorf("an ask before Purge was remembered: cache %q", got)
	}
	if got := site.calls.Load(); got != 103 {
		t.Errorf("the site answered %d times, want 103", got)
	}
}

// BenchmarkCacheDistinct is what the cache costs when it cannot help: every
// request asks a query never asked before, as most searches are.
func BenchmarkCacheDistinct(b *testing.B) {
	for _, tc := range []struct {
		name  string
		cache *Cache
	}{{"on", NewCache(1 << 20)}, {"off", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			h := Stack(newCounted(b, tc.cache.Purge), StackConfig{Cache: tc.cache})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				r := httptest.NewRequest("GET", "/page?q=quota"+strconv.Itoa(i), nil)
				r.Header.Set("Accept-Encoding", "gzip")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
