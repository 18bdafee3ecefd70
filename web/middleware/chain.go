// Package middleware holds every HTTP layer wrapped around Errata's routes,
// each a func(http.Handler) http.Handler:
//   - SecureHeaders: the security headers of every answer (headers.go);
//   - RequestID and Logging: an id per request and one log line each;
//   - Metrics.Middleware: Prometheus counts of requests, cache hits and
//     rate-limited requests (the searches are told by the handlers);
//   - RateLimit: a token bucket per client address;
//   - Cache: the answer cache, whole answers kept for requests asked again;
//   - Gzip and ETag: compression and revalidation;
//   - RecoverPanics and RejectUncleanPaths: a panic or a path trick never
//     reaches the client as anything but the site's own error page;
//   - CloseWhenDone: the connection closes after a 429 or a request body.
//
// Stack puts them in the one order that works; web.NewServer serves its
// routes inside it, and web.NewHTTPServer adds CloseWhenDone.
package middleware

import "net/http"

// Middleware wraps a handler with one concern.
type Middleware func(http.Handler) http.Handler

// Chain applies ms so that the first runs first: Chain(a, b)(h) is a(b(h)).
func Chain(ms ...Middleware) Middleware {
	return func(h http.Handler) http.Handler {
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i] != nil {
				h = ms[i](h)
			}
		}
		return h
	}
}

// Route is the ServeMux pattern that served r, or "unmatched" when none did
// (404, 405). It is read after the handler ran, because ServeMux sets
// r.Pattern on the request it is given. Using the pattern rather than the
// path keeps label sets small and pasted text out of logs.
func Route(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

// recorder remembers the status and the number of body bytes written.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *recorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status is the status sent, 200 when the handler wrote nothing.
func (w *recorder) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// newRecorder reuses a recorder already installed by an outer layer, so that
// Logging and Metrics share one wrapper.
func newRecorder(w http.ResponseWriter) (*recorder, bool) {
	if rec, ok := w.(*recorder); ok {
		return rec, false
	}
	return &recorder{ResponseWriter: w}, true
}
