package middleware

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// maxETagBody bounds how much of a response ETag buffers; larger bodies are
// streamed through without an ETag.
const maxETagBody = 4 << 20

// ETag buffers 200 responses to GET and HEAD, sets a strong ETag from a hash
// of the whole body (unless the handler set one or said no-store) and answers a matching
// If-None-Match with 304 and no body. It must sit inside Gzip so the hash is
// of the uncompressed body and one ETag serves every encoding.
func ETag(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		ew := &etagWriter{w: w, r: r}
		next.ServeHTTP(ew, r)
		ew.finish()
	})
}

type etagWriter struct {
	w           http.ResponseWriter
	r           *http.Request
	status      int
	buf         bytes.Buffer
	passthrough bool // not buffering: not a 200, or too large
	sent        bool // the whole body came in one Write and was sent from it
}

func (e *etagWriter) Header() http.Header { return e.w.Header() }

func (e *etagWriter) WriteHeader(code int) {
	if e.status != 0 || e.passthrough {
		if e.passthrough {
			e.w.WriteHeader(code)
		}
		return
	}
	if code < 200 { // informational: pass on, keep waiting for the real status
		e.w.WriteHeader(code)
		return
	}
	e.status = code
	if code != http.StatusOK {
		e.passthrough = true
		e.w.WriteHeader(code)
	}
}

func (e *etagWriter) Write(p []byte) (int, error) {
	if e.status == 0 {
		e.WriteHeader(http.StatusOK)
	}
	if e.passthrough || e.sent {
		return e.w.Write(p)
	}
	// A handler that rendered into a buffer of its own declares its length
	// and writes it at once: hash and send it from there, without a copy.
	if e.buf.Len() == 0 && len(p) <= maxETagBody && e.w.Header().Get("Content-Length") == strconv.Itoa(len(p)) {
		e.sent = true
		if err := e.send(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if e.buf.Len()+len(p) > maxETagBody {
		e.passthrough = true
		e.w.WriteHeader(e.status)
		if _, err := e.w.Write(e.buf.Bytes()); err != nil {
			return 0, err
		}
		e.buf = bytes.Buffer{}
		return e.w.Write(p)
	}
	return e.buf.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (e *etagWriter) Unwrap() http.ResponseWriter { return e.w }

func (e *etagWriter) finish() {
	if e.passthrough || e.sent {
		return
	}
	if e.status == 0 { // handler wrote nothing at all
		e.status = http.StatusOK
	}
	_ = e.send(e.buf.Bytes())
}

// send answers with the whole body: its ETag, then 304 or the body.
func (e *etagWriter) send(body []byte) error {
	h := e.w.Header()
	tag := h.Get("ETag")
	// no-store answers (health checks, errors) are never revalidated.
	noStore := strings.Contains(h.Get("Cache-Control"), "no-store")
	if tag == "" && !noStore && (len(body) > 0 || e.r.Method == http.MethodGet) {
		// xxhash, not a cryptographic hash: a tag only tells one body of
		// a URL from the next, and it is six times cheaper on a page.
		// It has no seed, so every replica tags a body alike.
		tag = `"` + hex.EncodeToString(binary.BigEndian.AppendUint64(nil, xxhash.Sum64(body))) + `"`
		h.Set("ETag", tag)
	}
	if notModified(e.w, e.r, tag) {
		return nil
	}
	if h.Get("Content-Length") == "" && h.Get("Content-Encoding") == "" {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	e.w.WriteHeader(e.status)
	_, err := e.w.Write(body)
	return err
}

// notModified answers 304, without the headers that describe a body, when
// r's If-None-Match matches tag, and reports whether it did.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	if tag == "" || !noneMatch(r.Header.Get("If-None-Match"), tag) {
		return false
	}
	h := w.Header()
	for _, k := range []string{"Content-Length", "Content-Type", "Content-Encoding"} {
		h.Del(k)
	}
	w.WriteHeader(http.StatusNotModified)
	return true
}

// noneMatch reports whether an If-None-Match header matches tag, with the
// weak comparison RFC 9110 asks for (W/"x" matches "x").
func noneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	tag = strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}
