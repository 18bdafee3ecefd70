package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"runtime/pprof"

	"github.com/errata/errata/search"
	"github.com/errata/errata/web"
	"github.com/errata/errata/web/middleware"
)

// startServer serves ix on 127.0.0.1 as `errata serve` does (web.NewServer:
// every middleware, metrics counted), its logs formatted as in production
// and thrown away. The rate limit is off (as with --rate-limit 0): every
// request of a load test comes from one address. cacheBytes is the answer
// cache, as `errata serve --cache-mb`; 0 makes every request search.
//
// It keeps the heap floor errata serve keeps while the server runs:
// release it once the server is closed.
func startServer(ix *search.Index, cacheBytes int64) (ts *httptest.Server, releaseHeapFloor func()) {
	site := web.NewServer(web.Config{
		Version:    "bench",
		Logger:     slog.New(slog.NewJSONHandler(io.Discard, nil)),
		CacheBytes: cacheBytes,
		Metrics:    middleware.NewMetrics(),
	}, ix)
	releaseHeapFloor, _ = web.KeepHeapFloor(web.DefaultHeapFloor)
	ts = httptest.NewUnstartedServer(nil)
	ts.Config, ts.Listener = site.HTTPServer(ts.Listener, web.ConnLimits{}) // as errata serve, --max-conns at its default
	// Its accept loop, and each connection's goroutine after it, inherit
	// the label, so that a profile tells the server from the client.
	pprof.Do(context.Background(), pprof.Labels("side", "server"), func(context.Context) { ts.Start() })
	return ts, releaseHeapFloor
}
