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

// StartServer indexes the embedded catalogue and serves it on 127.0.0.1
// with the middleware, in the order, of `errata serve`.
func StartServer(cfg ServerConfig) (*Server, error) {
	es, err := content.Load(content.Embedded())
	if err != nil {
		return nil, err
	}
	ix, err := search.Build(es)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics := middleware.NewMetrics()
	metrics.SetEntries(ix.Count())
	handler := middleware.Stack(web.New(web.Config{Version: "load", Logger: log}, ix).Handler(), middleware.StackConfig{
		Log:       log,
		Metrics:   metrics,
		Cache:     middleware.NewCache(cfg.CacheBytes),
		RateLimit: middleware.RateLimitConfig{Rate: cfg.RateLimit, Burst: cfg.RateBurst, TrustProxy: cfg.TrustProxy},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ix.Close()
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Entries: ix.Count(), ix: ix, done: make(chan error, 1)}
	s.srv = web.NewHTTPServer(handler, log) // as errata serve, --max-conns at its default
	conns := web.GuardConns(s.srv, ln, web.ConnLimits{})
	metrics.ObserveConns(conns)
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
