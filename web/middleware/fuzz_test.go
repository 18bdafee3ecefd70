package middleware

import (
	"bytes"
	"net/http"
	"testing"
)

// FuzzGzipETag serves arbitrary bodies in arbitrary chunks through Gzip over
// ETag: the client must always get the handler's bytes back, and a
// conditional request with the ETag must answer 304 with no body.
func FuzzGzipETag(f *testing.F) {
	f.Add([]byte("hello"), "text/plain", uint8(1), true)
	f.Add(bytes.Repeat([]byte("<p>x</p>"), 500), "text/html; charset=utf-8", uint8(7), true)
	f.Add([]byte{0x89, 'P', 'N', 'G'}, "image/png", uint8(0), false)
	f.Add([]byte(""), "", uint8(3), true)
	f.Fuzz(func(t *testing.T, body []byte, ctype string, chunk uint8, accept bool) {
		h := Chain(Gzip, ETag)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ctype != "" {
				w.Header().Set("Content-Type", ctype)
			}
			n := int(chunk) + 1
			for p := body; len(p) > 0; {
				k := min(n, len(p))
				w.Write(p[:k])
				p = p[k:]
			}
		}))
		ae := ""
		if accept {
			ae = "gzip"
		}
		w := do(t, h, "GET", "/", "Accept-Encoding", ae)
		if w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
		got := w.Body.String()
		if w.Header().Get("Content-Encoding") == "gzip" {
			if !accept {
				t.Fatal("compressed for a client that does not accept gzip")
			}
			got = gunzip(t, w.Body.Bytes())
		}
		if got != string(body) {
			t.Fatalf("client got %d bytes, handler wrote %d", len(got), len(body))
		}
		tag := w.Header().Get("ETag")
		if tag == "" {
			t.Fatal("no ETag on a 200 GET")
		}
		nm := do(t, h, "GET", "/", "Accept-Encoding", ae, "If-None-Match", tag)
		if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
			t.Fatalf("If-None-Match %s: %d with %d bytes", tag, nm.Code, nm.Body.Len())
		}
	})
}
