package middleware

import (
	"bytes"
	"net/http"
	"runtime"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// gzipMinSize is the smallest body worth compressing; below it gzip's
// header and the CPU cost outweigh the saving.
const gzipMinSize = 1024

// gzipLevel is the fastest that still finds matches, for a body that
// streams: level 6 was 30 % of the CPU of a page made afresh. klauspost/
// compress (already built in, for the metrics endpoint) compresses a
// search answer with 0.6× the CPU of compress/gzip at the same level, for
// as many bytes: 10 against 16 µs for a 3.3 KB API answer (1,008 against
// 1,037 bytes), 20 against 32 µs for a 9.1 KB page (2,842 against 2,799);
// a small answer's cost is mostly building its Huffman tables, which it
// does with less work.
const gzipLevel = gzip.BestSpeed

// wholeLevel compresses a body written whole (one that declared its
// length), as pages and answers are: it keeps no history between writes,
// which a whole body does not need, and its 16 KB of match table sits on
// the stack instead of the 128 KB BestSpeed keeps in each writer. Under
// load, where each answer finds those tables gone from the core's caches,
// it compressed a page with about 0.8× the CPU and an API answer with
// 0.75× (errata-bench -http -http-cpuprofile, gzip against search in one
// run), for as many bytes (3,384 against 3,481 for a 13.7 KB page).
const wholeLevel = gzip.StatelessCompression

// gzipWriters keeps idle compressors, a few per core, of each level. A
// sync.Pool lost them to every other collection, which a server answering
// searches runs every few dozen answers; each new writer then allocated
// its tables and history again (about 13 KB per answer on average, 14 %
// of all the bytes a never-asked API search allocated).
var gzipWriters = map[int]chan *gzip.Writer{
	gzipLevel:  make(chan *gzip.Writer, 2*runtime.GOMAXPROCS(0)),
	wholeLevel: make(chan *gzip.Writer, 2*runtime.GOMAXPROCS(0)),
}

func getGzipWriter(level int) *gzip.Writer {
	select {
	case zw := <-gzipWriters[level]:
		return zw
	default:
		zw, _ := gzip.NewWriterLevel(nil, level)
		return zw
	}
}

func putGzipWriter(zw *gzip.Writer, level int) {
	zw.Reset(nil)
	select {
	case gzipWriters[level] <- zw:
	default: // enough are idle: let the collector have it
	}
}

// Gzip compresses text responses (HTML, CSS, JS, JSON, SVG, XML, plain text)
// of at least 1 KiB for clients that accept gzip, and adds
// Vary: Accept-Encoding to every compressible response. 204, 304 and bodies
// already encoded pass through untouched. A strong ETag becomes weak when
// the body is compressed, since the bytes differ from the identity
// representation it was computed on. A body whose length the handler
// declared (ETag does) is compressed whole, so that it goes out with its
// compressed Content-Length rather than chunked, like a cached answer.
//
// A HEAD is answered as the GET it asks about (net/http drops the body),
// so that its Content-Encoding, Content-Length and ETag are GET's exactly,
// even where a handler writes no body for HEAD.
func Gzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			get := r.WithContext(r.Context())
			get.Method = http.MethodGet
			// The outer layers log and count the route ServeMux finds.
			defer func() { r.Pattern = get.Pattern }()
			r = get
		}
		gw := &gzipWriter{w: w, accept: acceptsGzip(r)}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

type gzipWriter struct {
	w       http.ResponseWriter
	accept  bool
	status  int
	decided bool
	zw      *gzip.Writer
	level   int    // zw's
	buf     []byte // body held back until gzipMinSize is reached
	out     heldOutput
}

// heldOutput receives the compressed body. While held is not nil it keeps
// it, to send it whole with its Content-Length; then it passes it on.
type heldOutput struct {
	w    http.ResponseWriter
	held *bytes.Buffer
}

func (o *heldOutput) Write(p []byte) (int, error) {
	if o.held != nil {
		return o.held.Write(p)
	}
	return o.w.Write(p)
}

func (g *gzipWriter) Header() http.Header { return g.w.Header() }

func (g *gzipWriter) WriteHeader(code int) {
	if g.status != 0 {
		return
	}
	if code < 200 {
		g.w.WriteHeader(code)
		return
	}
	g.status = code
	h := g.w.Header()
	if compressible(h.Get("Content-Type")) {
		addVary(h, "Accept-Encoding")
	}
	// Without a body to come or with a known small size, decide now.
	if code == http.StatusNoContent || code == http.StatusNotModified || !g.eligible() {
		g.decide(false)
		return
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil {
		g.decide(n >= gzipMinSize)
	}
}

// eligible is whether this response could be compressed at all.
func (g *gzipWriter) eligible() bool {
	h := g.w.Header()
	return g.accept && h.Get("Content-Encoding") == "" && compressible(h.Get("Content-Type"))
}

func (g *gzipWriter) decide(compress bool) {
	g.decided = true
	h := g.w.Header()
	if compress {
		h.Set("Content-Encoding", "gzip")
		if tag := h.Get("ETag"); strings.HasPrefix(tag, `"`) {
			h.Set("ETag", "W/"+tag)
		}
		g.out.w = g.w
		// A declared length means the whole body is at hand (ETag buffered
		// it, or a file): compress it whole and send its compressed length.
		if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n <= maxETagBody {
			g.out.held = heldBuffers.Get()
		}
		h.Del("Content-Length")
		g.level = gzipLevel
		if g.out.held != nil {
			g.level = wholeLevel
		}
		zw := getGzipWriter(g.level)
		zw.Reset(&g.out)
		g.zw = zw
		if g.out.held != nil {
			return // WriteHeader once the length is known
		}
	}
	g.w.WriteHeader(g.status)
}

// release sends what heldOutput kept and lets the rest of the body through;
// withLength announces its size, which is only right once gzip has closed.
func (g *gzipWriter) release(withLength bool) error {
	held := g.out.held
	if held == nil {
		return nil
	}
	g.out.held = nil
	defer heldBuffers.Put(held) // written on: what is below copies what it keeps
	if withLength {
		g.w.Header().Set("Content-Length", strconv.Itoa(held.Len()))
	}
	g.w.WriteHeader(g.status)
	_, err := g.w.Write(held.Bytes())
	return err
}

// heldBuffers hold compressed answers until their length is known.
var heldBuffers = BufferPool{Max: 64 << 10}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if g.status == 0 {
		if g.w.Header().Get("Content-Type") == "" {
			g.w.Header().Set("Content-Type", http.DetectContentType(p))
		}
		g.WriteHeader(http.StatusOK)
	}
	if !g.decided {
		g.buf = append(g.buf, p...)
		if len(g.buf) < gzipMinSize {
			return len(p), nil
		}
		g.decide(true)
		held := g.buf
		g.buf = nil
		if _, err := g.zw.Write(held); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if g.zw != nil {
		n, err := g.zw.Write(p)
		if err == nil && g.out.held != nil && g.out.held.Len() > maxETagBody {
			err = g.release(false) // more than the handler declared: stream it
		}
		return n, err
	}
	return g.w.Write(p)
}

// Flush sends what is compressed so far; streaming handlers keep working.
func (g *gzipWriter) Flush() {
	if g.status == 0 {
		g.WriteHeader(http.StatusOK)
	}
	if !g.decided {
		g.decide(len(g.buf) >= gzipMinSize)
		held := g.buf
		g.buf = nil
		_, _ = g.Write(held)
	}
	if g.zw != nil {
		_ = g.release(false)
		_ = g.zw.Flush()
	}
	if f, ok := g.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.w }

func (g *gzipWriter) close() {
	if g.status == 0 {
		return // handler wrote nothing: net/http sends its own empty 200
	}
	if !g.decided { // a small body: send it as it is
		g.decide(false)
		if len(g.buf) > 0 {
			_, _ = g.w.Write(g.buf)
		}
		g.buf = nil
	}
	if g.zw != nil {
		_ = g.zw.Close()
		_ = g.release(true)
		putGzipWriter(g.zw, g.level)
		g.zw = nil
	}
}

// acceptsGzip reads Accept-Encoding as RFC 9110 §12.5.3 says: gzip (or
// its alias x-gzip) is acceptable when listed with a weight above 0 or, when
// not listed, when "*" is. A weight is ";q=" (q in any case, spaces around
// ";") and a qvalue of at most three decimals; an entry whose weight cannot
// be read is skipped. Listed twice, a coding takes its highest weight. No
// header, or an empty one, asks for no coding. Gzip and the answer cache's
// key both use it, so they never disagree.
func acceptsGzip(r *http.Request) bool {
	gzipQ, anyQ := -1, -1 // weights in thousandths; -1 when not listed
	for _, line := range r.Header.Values("Accept-Encoding") {
		for rest := line; rest != ""; {
			var entry string
			entry, rest, _ = strings.Cut(rest, ",")
			coding, weight, _ := strings.Cut(entry, ";")
			q, ok := qvalue(weight)
			if !ok {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, q)
			case "*":
				anyQ = max(anyQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return anyQ > 0
}

// qvalue reads an Accept-Encoding weight ("q=0.5", or nothing for 1) in
// thousandths: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
func qvalue(weight string) (int, bool) {
	weight = strings.TrimSpace(weight)
	if weight == "" {
		return 1000, true
	}
	name, v, ok := strings.Cut(weight, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
		return 0, false
	}
	whole, frac, _ := strings.Cut(strings.TrimSpace(v), ".")
	if (whole != "0" && whole != "1") || len(frac) > 3 {
		return 0, false
	}
	q := 0
	for i := range 3 {
		d := byte('0')
		if i < len(frac) {
			d = frac[i]
		}
		if d < '0' || d > '9' {
			return 0, false
		}
		q = q*10 + int(d-'0')
	}
	if whole == "1" {
		if q != 0 {
			return 0, false
		}
		return 1000, true
	}
	return q, true
}

// compressible reads the media type of contentType by hand rather than
// with mime.ParseMediaType, whose parameter map every answer paid for; a
// media type that is not a token is not compressed.
func compressible(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	if !isMediaType(mt) {
		return false
	}
	if hasUpper(mt) {
		mt = strings.ToLower(mt)
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", mt == "application/javascript", mt == "application/xml",
		mt == "image/svg+xml", mt == "application/manifest+json",
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

// isMediaType reports whether mt is type/subtype, both RFC 9110 tokens.
func isMediaType(mt string) bool {
	typ, sub, ok := strings.Cut(mt, "/")
	return ok && isToken(typ) && isToken(sub)
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func addVary(h http.Header, v string) {
	for _, have := range h.Values("Vary") {
		for _, f := range strings.Split(have, ",") {
			if strings.EqualFold(strings.TrimSpace(f), v) || strings.TrimSpace(f) == "*" {
				return
			}
		}
	}
	h.Add("Vary", v)
}
