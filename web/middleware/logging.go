package middleware

import (
	"log/slog"
	"net/http"
	"time"
)

// Logging writes one line per request: method, route pattern, status,
// duration, bytes and request id. It never logs the path or the query: pasted
// errors can hold tokens, e-mail addresses and hostnames.
func Logging(log *slog.Logger) Middleware {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec, _ := newRecorder(w)
			next.ServeHTTP(rec, r)
			status := rec.Status()
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(r.Context(), level, "request",
				slog.String("method", r.Method),
				slog.String("route", Route(r)),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.Int64("bytes", rec.bytes),
				slog.String("request_id", RequestIDFrom(r.Context())),
			)
		})
	}
}
