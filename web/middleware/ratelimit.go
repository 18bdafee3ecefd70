package middleware

import (
	"container/list"
	"encoding/json"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimitConfig sets the per-client token bucket.
type RateLimitConfig struct {
	Rate       float64 // requests per second per client; 0 or less disables the limit
	Burst      int     // requests a client may make at once; less than 1 means max(1, 2×Rate)
	MaxClients int     // clients remembered (least recently seen forgotten first); 0 means 10000
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry, as appended by a reverse proxy in front. Only set it behind one:
	// anyone can send the header.
	TrustProxy bool
	// IPv6Prefix is how many leading bits of an IPv6 address name one
	// client; 0 means 64. One home or server is given a whole /64, so
	// keying by the full address would hand it 2^64 buckets. IPv4
	// addresses (IPv4-mapped IPv6 included) are always one client each.
	IPv6Prefix int
}

// DefaultIPv6Prefix is the IPv6 network one client is assumed to hold.
const DefaultIPv6Prefix = 64

// RateLimit answers 429 with Retry-After to a client (an IPv4 address or an
// IPv6 network of cfg.IPv6Prefix bits) that goes past cfg.Rate. Each client
// has its own bucket, so one busy client does not slow the others. The set of
// clients is bounded by cfg.MaxClients, so memory is too.
func RateLimit(cfg RateLimitConfig) Middleware {
	if cfg.Rate <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	if cfg.Burst < 1 {
		cfg.Burst = max(1, int(math.Ceil(2*cfg.Rate)))
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 10000
	}
	if cfg.IPv6Prefix <= 0 || cfg.IPv6Prefix > 128 {
		cfg.IPv6Prefix = DefaultIPv6Prefix
	}
	clients := newClientLRU(cfg.MaxClients, func() *rate.Limiter {
		return rate.NewLimiter(rate.Limit(cfg.Rate), cfg.Burst)
	})
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			lim := clients.get(clientKey(ClientIP(r, cfg.TrustProxy), cfg.IPv6Prefix))
			now := time.Now()
			res := lim.ReserveN(now, 1)
			if delay := res.DelayFrom(now); delay > 0 {
				res.CancelAt(now) // give the token back: this request is refused, not queued
				tooMany(w, r, delay)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func tooMany(w http.ResponseWriter, r *http.Request, delay time.Duration) {
	secs := int(math.Ceil(delay.Seconds()))
	secs = max(secs, 1)
	msg := "Too many requests from your address. Please wait " + strconv.Itoa(secs) + " second"
	if secs != 1 {
		msg += "s"
	}
	msg += " and try again."
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"error": map[string]any{"status": http.StatusTooManyRequests, "message": msg, "retry_after": secs},
		})
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(msg + "\n"))
}

// ClientIP is the address a request came from: the connection's peer, or
// with trustProxy the last X-Forwarded-For entry (the one our proxy added).
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientKey is the bucket an address belongs to: an IPv4 address (also when
// written IPv4-mapped, ::ffff:a.b.c.d) is its own; an IPv6 address counts as
// its network of v6Bits bits, since whoever holds one address of a /64
// holds them all. Anything unparsable is its own key.
func clientKey(ip string, v6Bits int) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.Prefix(v6Bits)
	if err != nil {
		return addr.String()
	}
	return p.String()
}

// clientLRU maps client addresses to limiters, forgetting the least recently
// seen past max so that a scan from many addresses cannot exhaust memory.
type clientLRU struct {
	mu    sync.Mutex
	max   int
	order *list.List // front is most recent; values are *clientEntry
	byKey map[string]*list.Element
	make  func() *rate.Limiter
}

type clientEntry struct {
	key string
	lim *rate.Limiter
}

func newClientLRU(limit int, mk func() *rate.Limiter) *clientLRU {
	return &clientLRU{max: limit, order: list.New(), byKey: make(map[string]*list.Element), make: mk}
}

func (c *clientLRU) get(key string) *rate.Limiter {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*clientEntry).lim
	}
	e := &clientEntry{key: key, lim: c.make()}
	c.byKey[key] = c.order.PushFront(e)
	if c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.byKey, old.Value.(*clientEntry).key)
	}
	return e.lim
}

func (c *clientLRU) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
