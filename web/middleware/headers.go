package middleware

import (
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"runtime/debug"
	"strings"
)

// CSP allows only our own files: no inline script, style or handler, no eval.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecureHeaders sets the security headers before anything else can write.
// Stack applies it outermost, so that every answer carries them once: pages,
// errors, 429s, cache hits, 304s and panics alike.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetSecurityHeaders(w.Header())
		next.ServeHTTP(w, r)
	})
}

// SetSecurityHeaders sets on h the headers every answer carries, for the
// answers written outside SecureHeaders (a connection refused at the cap) or
// that must not rely on it (the error page's last resort).
func SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// RejectUncleanPaths answers paths with "..", "." or "//" segments, or not
// starting with "/", with notFound (405 for methods other than GET and HEAD)
// instead of ServeMux's redirect, so that no path trick ever reaches a
// handler.
func RejectUncleanPaths(notFound http.Handler) Middleware {
	return func(next http.Handler) http.Handler {
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
				notFound.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RecoverPanics turns a panicking handler into a 500 written by
// internalError, and logs the panic with its stack, so that one bad request
// never takes the process down. It belongs inside the other layers, so that
// the 500 is counted, logged and compressed like any answer.
func RecoverPanics(log *slog.Logger, internalError http.Handler) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				internalError.ServeHTTP(w, r)
			}()
			next.ServeHTTP(w, r)
		})
	}
}
