package web

import (
	"log/slog"
	"net/http"
	"time"
)

// Timeouts of every Errata server: generous for people on slow links, short
// enough that a slow or idle client cannot hold a connection for long.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 30 * time.Second
	IdleTimeout       = 120 * time.Second
	// MaxHeaderBytes is the most a request's head (request line and header
	// fields, as sent) may weigh; one byte more answers 431.
	MaxHeaderBytes = 16 << 10
)

// netHTTPHeaderSlack is what net/http reads past http.Server.MaxHeaderBytes
// before it answers 431 (its "bufio slop"), taken off so that the limit is
// MaxHeaderBytes to the byte.
const netHTTPHeaderSlack = 4096

// NewHTTPServer is the http.Server that serves h in `errata serve` and in
// the load and benchmark tools, so that they cannot drift apart. net/http's
// own complaints (TLS handshakes, bad requests) go to log as warnings. Serve
// it on GuardConns' listener: that bounds its connections.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           closeWhenDone(h),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes - netHTTPHeaderSlack,
		// "OPTIONS *" goes to the handler (a 404) instead of net/http's
		// built-in 200: only GET and HEAD succeed.
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// closeWhenDone makes net/http close the connection after two kinds of
// answer, whichever layer writes them:
//   - to a request that carried a body. Errata answers only GET and HEAD,
//     which have none. net/http deletes the Content-Length of a request that
//     also has a Transfer-Encoding, so a request with both (which RFC 9112
//     §6.1 says the server MUST close after) cannot be told from one with a
//     Transfer-Encoding alone: any body closes. Whatever followed the body on
//     the connection is never read as a request.
//   - a 429: a client over its rate would otherwise keep an idle connection
//     for IdleTimeout, and thousands of them exhaust the process's files.
func closeWhenDone(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hasBody := r.ContentLength > 0 || len(r.TransferEncoding) > 0
		next.ServeHTTP(&closingWriter{ResponseWriter: w, always: hasBody}, r)
	})
}

// closingWriter adds "Connection: close" to the answer when always is set or
// the status is 429.
type closingWriter struct {
	http.ResponseWriter
	always bool
	wrote  bool // the final status is written
}

func (w *closingWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.wrote = true
		if w.always || code == http.StatusTooManyRequests {
			w.Header().Set("Connection", "close")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *closingWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *closingWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *closingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
