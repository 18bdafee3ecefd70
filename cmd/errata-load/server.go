package main

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/web"
	"github.com/errata/errata/web/middleware"
)

// ServerConfig is the part of `errata serve`'s configuration the load cares about.
type ServerConfig struct {
	RateLimit  float64 // requests per second per client; 0 disables
	RateBurst  int
	TrustProxy bool  // tell clients apart by X-Forwarded-For
	CacheBytes int64 // answer cache, as --cache-mb; 0 disables
}

// Server is the embedded catalogue served on a loopback port.
type Server struct {
	URL     string
	Entries int
	srv     *http.Server
	ix      *search.Index
	done    chan error
}

// StartServer indexes the embedded catalogue and serves it on 127.0.0.1 as
// `errata serve` does (web.NewServer), request logs formatted and dropped.
func StartServer(cfg ServerConfig) (*Server, error) {
	es, err := content.Load(content.Embedded())
	if err != nil {
		return nil, err
	}
	ix, err := search.Build(es)
	if err != nil {
		return nil, err
	}
	site := web.NewServer(web.Config{
		Version:    "load",
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		RateLimit:  middleware.RateLimitConfig{Rate: cfg.RateLimit, Burst: cfg.RateBurst, TrustProxy: cfg.TrustProxy},
		CacheBytes: cfg.CacheBytes,
		Metrics:    middleware.NewMetrics(),
	}, ix)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ix.Close()
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Entries: ix.Count(), ix: ix, done: make(chan error, 1)}
	var conns net.Listener
	s.srv, conns = site.HTTPServer(ln, web.ConnLimits{}) // as errata serve, --max-conns at its default
	go func() { s.done <- s.srv.Serve(conns) }()
	return s, nil
}

// Close stops the server at once and closes the index.
func (s *Server) Close() error {
	err := s.srv.Close()
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, s.ix.Close())
}
