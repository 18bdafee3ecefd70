package main

import (
	"io"
	"log/slog"
	"net/http/httptest"

	"github.com/errata/errata/search"
	"github.com/errata/errata/web"
	"github.com/errata/errata/web/middleware"
)

// startServer serves the real web handler over ix on 127.0.0.1 inside
// middleware.Stack, the middleware every Errata server shares: request id
// and logging, metrics, rate limit, gzip, ETag. Logs are formatted as in
// production and thrown away. The rate limit is off (as with --rate-limit 0):
// every request of a load test comes from one address. cacheBytes is the
// answer cache, as `errata serve --cache-mb`; 0 makes every request search.
func startServer(ix *search.Index, cacheBytes int64) (*httptest.Server, error) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv := web.New(web.Config{Version: "bench", Logger: log}, ix)
	metrics := middleware.NewMetrics()
	metrics.SetEntries(ix.Count())
	h := middleware.Stack(srv.Handler(), middleware.StackConfig{Log: log, Metrics: metrics, Cache: middleware.NewCache(cacheBytes)})
	ts := httptest.NewUnstartedServer(h)
	ts.Config = web.NewHTTPServer(h, log) // as errata serve, --max-conns at its default
	ts.Listener = web.GuardConns(ts.Config, ts.Listener, web.ConnLimits{})
	ts.Start()
	return ts, nil
}
