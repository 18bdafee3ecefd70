package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/errata/errata/web/middleware"
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
		Handler:           middleware.CloseWhenDone(h),
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
