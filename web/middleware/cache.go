package middleware

import (
	"bytes"
	"container/list"
	"hash/maphash"
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
// least recently used first out, from the second time their URL is asked
// (see admit). A catalogue only changes when it is
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
//
// Every byte kept counts against the size: body, headers, key and the
// request header values kept to tell variants apart. Those values are
// bounded (see varyValue), a URL keeps at most maxVariants answers, and a
// lookup is two map reads under the lock, so no request can make the cache
// grow past its size or make every other request wait on a scan.
type Cache struct {
	max int64

	mu   sync.Mutex
	used int64
	gen  uint64
	lru  *list.List           // of *cached, front most recent
	urls map[string]*variants // primary key → the answers kept for it
	// door remembers the URLs asked once (see admit), by hash, one per
	// slot: a URL whose slot another took is simply asked once more.
	door [doorSlots]uint64
	seed maphash.Seed
	// admitFirst keeps answers from the first time their URL is asked:
	// tests of what is kept, and how, set it.
	admitFirst bool
}

// doorSlots is how many URLs asked once the cache remembers: 128 KB.
const doorSlots = 1 << 14

// maxVariants bounds the answers kept for one URL (a page and its htmx
// fragment, gzipped or not, need four); the least recently used goes.
const maxVariants = 8

// maxVaryValue bounds a request header value kept to tell variants apart;
// a request with a longer one is answered afresh and not kept.
const maxVaryValue = 128

// entryOverhead is what an answer costs besides its bytes: its struct, its
// list elements, its map slot and its URL's share of a variants record,
// counted generously.
const entryOverhead = 512

// variants are the answers kept for one primary key, told apart by the
// values of the request headers their Vary names.
type variants struct {
	vary   []string                 // the names, canonical and sorted, of the newest answer's Vary
	byVary map[string]*list.Element // variant key (see variantKey) → element of Cache.lru
	recent *list.List               // of *cached, front most recent: the back goes first
}

type cached struct {
	key     string   // primary key: host, URI, gzip
	vary    []string // request headers named by Vary, canonical, sorted
	variant string   // their values in the request that made it, as variantKey
	inURL   *list.Element
	status  int
	header  http.Header // what the inner handlers set
	pattern string      // the ServeMux pattern, for logs and metrics
	body    []byte
	size    int64
}

// NewCache returns a cache holding at most maxBytes of answers; maxBytes ≤ 0
// returns nil, and a nil *Cache passes every request through.
func NewCache(maxBytes int64) *Cache {
	if maxBytes <= 0 {
		return nil
	}
	return &Cache{max: maxBytes, lru: list.New(), urls: map[string]*variants{}, seed: maphash.MakeSeed()}
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
	clear(c.urls)
	clear(c.door[:])
	c.used = 0
}

// admit reports whether an answer to the URL key may be kept: only when the
// URL was asked before. Most searches are asked once (each person pastes
// their own error), and keeping a copy of every answer cost each of them
// time and pushed out answers that are asked again; a URL asked a second
// time is likely to be asked a third.
func (c *Cache) admit(key string) bool {
	if c.admitFirst {
		return true
	}
	h := maphash.String(c.seed, key) | 1 // 0 marks an empty slot
	c.mu.Lock()
	defer c.mu.Unlock()
	slot := &c.door[h%doorSlots]
	if *slot == h {
		return true
	}
	*slot = h
	return false
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
		key, ok := primaryKey(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		e, ok := c.get(key, r)
		if e != nil {
			e.serve(w, r)
			return
		}
		if !ok || r.Method == http.MethodHead || !c.admit(key) { // nothing to keep, yet
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
// it takes gzip; false when X-Forwarded-Proto is too long to keep.
func primaryKey(r *http.Request) (string, bool) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	gz := "identity"
	if acceptsGzip(r) {
		gz = "gzip"
	}
	proto := r.Header.Get("X-Forwarded-Proto")
	if len(proto) > maxVaryValue {
		return "", false
	}
	return scheme + "\x00" + proto + "\x00" + r.Host + "\x00" + r.URL.RequestURI() + "\x00" + gz, true
}

// varyValue is what the cache keeps of the request header name that an
// answer varies on, and false when the value is too long to keep. htmx
// sends HX-Request, HX-Boosted and HX-History-Restore-Request as "true" or
// not at all, and pages read them with HTMXFlag, so only whether one is
// "true" is kept: any other value gets the answer of an absent header.
func varyValue(r *http.Request, name string) (string, bool) {
	switch name {
	case "Hx-Request", "Hx-Boosted", "Hx-History-Restore-Request":
		if HTMXFlag(r, name) {
			return "true", true
		}
		return "", true
	}
	values := r.Header[name]
	n := 0
	for _, v := range values {
		if n += len(v) + 1; n > maxVaryValue+1 {
			return "", false
		}
	}
	return strings.Join(values, ","), true
}

// HTMXFlag reports whether r carries htmx's request header name
// (HX-Request, HX-Boosted or HX-History-Restore-Request) as "true", the only
// value htmx sends. A page that varies on one of these must read it with
// HTMXFlag: the answer cache keeps only this reading of the header, so a
// page that told other values apart would be served another value's answer.
func HTMXFlag(r *http.Request, name string) bool {
	return r.Header.Get(name) == "true"
}

// variantKey is r's values of the headers named in vary, each bounded by
// varyValue, in one string; false when one is too long to keep.
func variantKey(vary []string, r *http.Request) (string, bool) {
	var b strings.Builder
	for _, name := range vary {
		v, ok := varyValue(r, name)
		if !ok {
			return "", false
		}
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String(), true
}

// get is the answer kept for r, if any, and whether r's answer may be kept
// at all. Its work under the lock is bounded by the names in Vary and
// maxVaryValue, whatever the number of answers kept.
func (c *Cache) get(key string, r *http.Request) (*cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.urls[key]
	if v == nil {
		return nil, true
	}
	variant, ok := variantKey(v.vary, r)
	if !ok {
		return nil, false
	}
	el := v.byVary[variant]
	if el == nil {
		return nil, true
	}
	e := el.Value.(*cached)
	c.lru.MoveToFront(el)
	v.recent.MoveToFront(e.inURL)
	return e, true
}

func (c *Cache) put(gen uint64, e *cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || e.size > c.max/16 {
		return // made from a catalogue that has since been swapped
	}
	if v := c.urls[e.key]; v != nil {
		if !slices.Equal(v.vary, e.vary) { // the answers kept were told apart by other headers
			for v.recent.Len() > 0 {
				c.remove(v.byVary[v.recent.Back().Value.(*cached).variant])
			}
		} else if old := v.byVary[e.variant]; old != nil {
			c.remove(old)
		}
	}
	v := c.urls[e.key]
	if v == nil {
		v = &variants{vary: e.vary, byVary: map[string]*list.Element{}, recent: list.New()}
		c.urls[e.key] = v
	}
	if v.recent.Len() >= maxVariants {
		c.remove(v.byVary[v.recent.Back().Value.(*cached).variant])
	}
	e.inURL = v.recent.PushFront(e)
	v.byVary[e.variant] = c.lru.PushFront(e)
	c.used += e.size
	for c.used > c.max {
		c.remove(c.lru.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cached)
	c.used -= e.size
	v := c.urls[e.key]
	v.recent.Remove(e.inURL)
	delete(v.byVary, e.variant)
	if v.recent.Len() == 0 {
		delete(c.urls, e.key)
	}
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
	variant, ok := variantKey(e.vary, r)
	if !ok {
		return nil
	}
	e.variant = variant
	e.size = entryOverhead + int64(len(e.body)+len(key)+len(variant)+len(e.pattern))
	for _, name := range e.vary {
		e.size += int64(len(name)) + 16
	}
	for k, v := range h {
		e.size += int64(len(k)) + 24
		for _, s := range v {
			e.size += int64(len(s)) + 16
		}
	}
	return e
}
