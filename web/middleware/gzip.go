package middleware

import (
	"compress/gzip"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// gzipMinSize is the smallest body worth compressing; below it gzip's
// header and the CPU cost outweigh the saving.
const gzipMinSize = 1024

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return zw
}}

// Gzip compresses text responses (HTML, CSS, JS, JSON, SVG, XML, plain text)
// of at least 1 KiB for clients that accept gzip, and adds
// Vary: Accept-Encoding to every compressible response. HEAD, 204, 304 and
// bodies already encoded pass through untouched. A strong ETag becomes weak
// when the body is compressed, since the bytes differ from the identity
// representation it was computed on.
func Gzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gw := &gzipWriter{w: w, accept: acceptsGzip(r) && r.Method != http.MethodHead}
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
	buf     []byte // body held back until gzipMinSize is reached
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
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		if tag := h.Get("ETag"); strings.HasPrefix(tag, `"`) {
			h.Set("ETag", "W/"+tag)
		}
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(g.w)
		g.zw = zw
	}
	g.w.WriteHeader(g.status)
}

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
		return g.zw.Write(p)
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
		g.zw.Reset(nil)
		gzipWriters.Put(g.zw)
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

func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
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
