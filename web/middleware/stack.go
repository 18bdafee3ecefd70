package middleware

import (
	"log/slog"
	"net/http"
)

// StackConfig is what Stack needs besides the site.
type StackConfig struct {
	Log       *slog.Logger    // request log; nil discards
	Metrics   *Metrics        // nil: no metrics and no /metrics
	RateLimit RateLimitConfig // Rate 0 disables the limit
	Cache     *Cache          // nil: every request is answered afresh
}

// Stack wraps site in Errata's middleware in the one order that works:
// security headers outermost, so that every answer carries them (429s, cache
// hits and 304s included); request id and logging next, so every answer is logged with its id;
// metrics next, so they see the status the client got, 429s included; then
// the rate limit, so a cached answer is still rate limited; the answer cache,
// so a hit skips compression and hashing; gzip over ETag, so the ETag is a hash of the plain body and
// a 304 is never compressed. GET /metrics is served beside the site: logged,
// neither counted nor rate limited. Every server of Errata (the binary, the
// load and benchmark commands, tests) should use it rather than a copy.
func Stack(site http.Handler, cfg StackConfig) http.Handler {
	var count Middleware
	if cfg.Metrics != nil {
		count = cfg.Metrics.Middleware
	}
	inner := Chain(count, RateLimit(cfg.RateLimit), cfg.Cache.Middleware, Gzip, ETag)(site)
	root := inner
	if cfg.Metrics != nil {
		metrics := cfg.Metrics.Handler()
		// Not a ServeMux: it would redirect unclean paths before the site
		// can answer them itself.
		root = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/metrics" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
				r.Pattern = "GET /metrics"
				metrics.ServeHTTP(w, r)
				return
			}
			inner.ServeHTTP(w, r)
		})
	}
	return Chain(SecureHeaders, RequestID, Logging(cfg.Log))(root)
}
