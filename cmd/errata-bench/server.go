package main

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/errata/errata/search"
	"github.com/errata/errata/web"
	"github.com/errata/errata/web/middleware"
)

// startServer serves the real web handler over ix on 127.0.0.1 with the
// middleware `errata serve` puts around it (cmd/errata Main.Handler): request
// id and logging, metrics, rate limit, gzip, ETag. Logs are formatted as in
// production and thrown away. The rate limit is off (as with --rate-limit 0):
// every request of a load test comes from one address.
func startServer(ix *search.Index) (*httptest.Server, error) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv := web.New(web.Config{Version: "bench", Logger: log}, ix)
	metrics := middleware.NewMetrics()
	metrics.SetEntries(ix.Count())
	site := middleware.Chain(
		metrics.Middleware,
		middleware.RateLimit(middleware.RateLimitConfig{Rate: 0}),
		middleware.Gzip,
		middleware.ETag,
	)(srv.Handler())
	h := middleware.Chain(middleware.RequestID, middleware.Logging(log))(site)
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ReadHeaderTimeout = 5 * time.Second
	ts.Config.ReadTimeout = 10 * time.Second
	ts.Config.WriteTimeout = 30 * time.Second
	ts.Config.IdleTimeout = 60 * time.Second
	ts.Start()
	return ts, nil
}
