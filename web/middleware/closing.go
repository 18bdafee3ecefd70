package middleware

import "net/http"

// CloseWhenDone makes net/http close the connection after two kinds of
// answer, whichever layer writes them:
//   - to a request that carried a body. Errata answers only GET and HEAD,
//     which have none. net/http deletes the Content-Length of a request that
//     also has a Transfer-Encoding, so a request with both (which RFC 9112
//     §6.1 says the server MUST close after) cannot be told from one with a
//     Transfer-Encoding alone: any body closes. Whatever followed the body on
//     the connection is never read as a request.
//   - a 429: a client over its rate would otherwise keep an idle connection
//     for IdleTimeout, and thousands of them exhaust the process's files.
func CloseWhenDone(next http.Handler) http.Handler {
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
