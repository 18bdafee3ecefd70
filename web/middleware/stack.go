package middleware

import (
	"log/slog"
	"net/http"
)

// StackConfig is what Stack needs besides the site.
type StackConfig struct {
	Log       *slog.Logger    // request log; nil discards
	Metrics   *Metrics        // nil: nothing is counted
	RateLimit RateLimitConfig // Rate 0 disables the limit
	Cache     *Cache          // nil: every request is answered afresh
}

// Stack wraps site in Errata's middleware in the one order that works:
// security headers outermost, so that every answer carries them (429s, cache
// hits and 304s included); request id and logging next, so every answer is
// logged with its id; metrics next, so they see the status the client got,
// 429s included; then the rate limit, so a cached answer is still rate
// limited; the answer cache, so a hit skips compression and hashing; gzip
// over ETag, so the ETag is a hash of the plain body and a 304 is never
// compressed. The metrics are not served here: serve Metrics.Endpoint on a
// listener of its own. Every server of Errata (the binary, the load and
// benchmark commands, tests) should use Stack rather than a copy.
func Stack(site http.Handler, cfg StackConfig) http.Handler {
	var count Middleware
	if cfg.Metrics != nil {
		count = cfg.Metrics.Middleware
	}
	return Chain(SecureHeaders, RequestID, Logging(cfg.Log), count, RateLimit(cfg.RateLimit), cfg.Cache.Middleware, Gzip, ETag)(site)
}
