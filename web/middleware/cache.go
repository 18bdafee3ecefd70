package middleware

import (
	"bytes"
	"container/list"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// DefaultCacheBytes is the answer cache of `errata serve` unless told
// otherwise: some two thousand gzipped search pages.
const DefaultCacheBytes = 16 << 20

// CacheHeader is set to "hit" on every answer served from the cache.
const CacheHeader = "X-Errata-Cache"

// Cache keeps whole answers to GET requests, already compressed, in memory,
// least recently used first out. A catalogue only changes when it is
// swapped, so an answer stays right until Purge: a search asked again — the
// same error pasted by many people, or each prefix of a query being typed —
// costs a map lookup instead of a search, a render and a gzip.
//
// A response is kept only when it is a 200 to a GET, at most a sixteenth of
// the cache's size, sets no cookie, says neither no-store, no-cache nor
// private, and does not Vary on *. It is reused only for the same host,
// path and query, the same gzip choice and the same values of every request
// header its Vary names, as an HTTP cache would. What the outer middleware
// set before it (the request id) is never kept.
type Cache struct {
	max int64

	mu    sync.Mutex
	used  int64
	gen   uint64
	lru   *list.List                 // of *cached, front most recent
	byKey map[string][]*list.Element // primary key → its variants
}

type cached struct {
	key      string   // primary key: host, URI, gzip
	vary     []string // request headers named by Vary, canonical
	varyVals []string // their values in the request that made it
	status   int
	header   http.Header // what the inner handlers set
	pattern  string      // the ServeMux pattern, for logs and metrics
	body     []byte
	size     int64
}

// NewCache returns a cache holding at most maxBytes of answers; maxBytes ≤ 0
// returns nil, and a nil *Cache passes every request through.
func NewCache(maxBytes int64) *Cache {
	if maxBytes <= 0 {
		return nil
	}
	return &Cache{max: maxBytes, lru: list.New(), byKey: map[string][]*list.Element{}}
}

// Purge forgets every answer. Call it after swapping the catalogue; answers
// being made from the old one when it is called are not kept.
func (c *Cache) Purge() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.lru.Init()
	clear(c.byKey)
	c.used = 0
}

// CacheStats is how full the cache is.
type CacheStats struct {
	Entries int
	Bytes   int64
	Max     int64
}

// Stats reports the cache's contents; a nil cache reports zeros.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: c.lru.Len(), Bytes: c.used, Max: c.max}
}

// Middleware answers from the cache when it can and stores what it may keep.
// It must sit outside Gzip and ETag, so that a hit skips compression and
// hashing, and inside Metrics, so that hits are counted like any answer.
func (c *Cache) Middleware(next http.Handler) http.Handler {
	if c == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		key := primaryKey(r)
		if e := c.get(key, r); e != nil {
			e.serve(w, r)
			return
		}
		if r.Method == http.MethodHead { // no body to keep
			next.ServeHTTP(w, r)
			return
		}
		c.mu.Lock()
		gen := c.gen
		c.mu.Unlock()
		cw := &cacheWriter{w: w, before: snapshot(w.Header()), limit: c.max / 16}
		next.ServeHTTP(cw, r)
		if e := cw.entry(key, r); e != nil {
			c.put(gen, e)
		}
	})
}

// primaryKey is the URL as the client asked for it (a proxy's
// X-Forwarded-Proto included, since pages print absolute URLs) and whether
// it takes gzip.
func primaryKey(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	gz := "identity"
	if acceptsGzip(r) {
		gz = "gzip"
	}
	return scheme + "\x00" + r.Header.Get("X-Forwarded-Proto") + "\x00" + r.Host + "\x00" + r.URL.RequestURI() + "\x00" + gz
}

func (c *Cache) get(key string, r *http.Request) *cached {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, el := range c.byKey[key] {
		if e := el.Value.(*cached); e.matches(r) {
			c.lru.MoveToFront(el)
			return e
		}
	}
	return nil
}

func (c *Cache) put(gen uint64, e *cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || e.size > c.max/16 {
		return // made from a catalogue that has since been swapped
	}
	for _, el := range c.byKey[e.key] { // replace an equal variant
		if old := el.Value.(*cached); slices.Equal(old.vary, e.vary) && slices.Equal(old.varyVals, e.varyVals) {
			c.remove(el)
			break
		}
	}
	c.byKey[e.key] = append(c.byKey[e.key], c.lru.PushFront(e))
	c.used += e.size
	for c.used > c.max {
		c.remove(c.lru.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cached)
	c.used -= e.size
	vs := slices.DeleteFunc(c.byKey[e.key], func(o *list.Element) bool { return o == el })
	if len(vs) == 0 {
		delete(c.byKey, e.key)
	} else {
		c.byKey[e.key] = vs
	}
}

func (e *cached) matches(r *http.Request) bool {
	for i, h := range e.vary {
		if strings.Join(r.Header.Values(h), ",") != e.varyVals[i] {
			return false
		}
	}
	return true
}

func (e *cached) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range e.header {
		h[k] = slices.Clone(v) // outer layers may append to what they get
	}
	h.Set(CacheHeader, "hit")
	if r.Pattern == "" {
		r.Pattern = e.pattern
	}
	if notModified(w, r, e.header.Get("ETag")) {
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(e.body))) // not chunked: the size is known
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body)
}

// cacheWriter passes a response through untouched while keeping a copy.
type cacheWriter struct {
	w      http.ResponseWriter
	before http.Header // the headers set outside, not to be kept
	limit  int64
	status int
	header http.Header
	body   bytes.Buffer
	spoilt bool // too large, streamed or flushed: not kept
}

func snapshot(h http.Header) http.Header {
	s := make(http.Header, len(h))
	for k, v := range h {
		s[k] = slices.Clone(v)
	}
	return s
}

func (cw *cacheWriter) Header() http.Header { return cw.w.Header() }

func (cw *cacheWriter) WriteHeader(code int) {
	if cw.status == 0 && code >= 200 {
		cw.status = code
		cw.header = http.Header{}
		for k, v := range cw.w.Header() {
			if !slices.Equal(cw.before[k], v) {
				cw.header[k] = slices.Clone(v)
			}
		}
	}
	cw.w.WriteHeader(code)
}

func (cw *cacheWriter) Write(p []byte) (int, error) {
	if cw.status == 0 {
		cw.WriteHeader(http.StatusOK)
	}
	if !cw.spoilt && cw.status == http.StatusOK {
		if int64(cw.body.Len()+len(p)) > cw.limit {
			cw.spoilt = true
			cw.body = bytes.Buffer{}
		} else {
			cw.body.Write(p)
		}
	}
	return cw.w.Write(p)
}

// Flush marks the answer as streamed: a stream is not kept.
func (cw *cacheWriter) Flush() {
	cw.spoilt = true
	if f, ok := cw.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (cw *cacheWriter) Unwrap() http.ResponseWriter { return cw.w }

// entry is what to keep of the answer, or nil when it may not be kept.
func (cw *cacheWriter) entry(key string, r *http.Request) *cached {
	if cw.spoilt || cw.status != http.StatusOK || cw.header == nil {
		return nil
	}
	h := cw.header
	if len(h.Values("Set-Cookie")) > 0 {
		return nil
	}
	for _, v := range h.Values("Cache-Control") {
		v = strings.ToLower(v)
		if strings.Contains(v, "no-store") || strings.Contains(v, "no-cache") || strings.Contains(v, "private") {
			return nil
		}
	}
	e := &cached{key: key, status: cw.status, header: h, pattern: r.Pattern, body: bytes.Clone(cw.body.Bytes())}
	for _, v := range h.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			switch {
			case name == "*":
				return nil
			case name == "" || name == "Accept-Encoding" || slices.Contains(e.vary, name):
				continue // the gzip choice is in the key already
			}
			e.vary = append(e.vary, name)
		}
	}
	slices.Sort(e.vary)
	for _, name := range e.vary {
		e.varyVals = append(e.varyVals, strings.Join(r.Header.Values(name), ","))
	}
	e.size = int64(len(e.body) + len(key) + 256)
	for k, v := range h {
		e.size += int64(len(k))
		for _, s := range v {
			e.size += int64(len(s) + 16)
		}
	}
	return e
}
