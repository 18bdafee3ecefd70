package web

import (
	"net/http"
	"path"
	"strings"
)

// CSP allows only our own files: no inline script, style or handler, no eval.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecureHeaders sets the security headers on every response, errors and
// static files included, before anything else can write. Handler applies it;
// it is exported so that responses made outside Handler (a rate limiter's 429,
// /metrics) can carry the same headers.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// rejectUncleanPaths answers 404 (405 for methods other than GET and HEAD)
// for paths with "..", "." or "//" segments, or not starting with "/",
// instead of the mux's redirect, so that no path trick ever reaches a handler.
func (s *Server) rejectUncleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		c := path.Clean(p)
		if strings.HasSuffix(p, "/") && c != "/" {
			c += "/"
		}
		if c != p || !strings.HasPrefix(p, "/") {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				// As the mux answers other methods on clean paths: the
				// method is wrong whatever the path ("OPTIONS *", CONNECT).
				w.Header().Set("Allow", "GET, HEAD")
				http.Error(w, "Method Not Allowed: Errata answers only GET and HEAD.", http.StatusMethodNotAllowed)
				return
			}
			s.page(s.notFound).ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
