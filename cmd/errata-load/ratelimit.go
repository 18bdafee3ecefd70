package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// RateLimitConfig is the rate-limit scenario.
type RateLimitConfig struct {
	Limit    float64       // the server's per-client rate; its burst is the same number
	Duration time.Duration // how long the busy client hammers
	Timeout  time.Duration // per request
	// Slack is the p99 latency the quiet client may gain while the busy one
	// is limited, on top of twice its p99 alone (0 means 25ms).
	Slack time.Duration
}

// Addresses of the two clients, told apart by X-Forwarded-For as behind a
// proxy (the server trusts it).
const (
	busyClient  = "198.51.100.1"
	quietClient = "198.51.100.2"
)

// RateLimitScenario serves the catalogue with a per-client limit of
// cfg.Limit. A quiet client at half the limit is measured alone, then again
// while a busy client sends five times the limit. The busy client must get
// 429s with a Retry-After and no more 200s than the limit allows; the quiet
// client must get only 200s, with its p99 within twice its p99 alone plus
// cfg.Slack.
func RateLimitScenario(ctx context.Context, cfg RateLimitConfig) (*Report, error) {
	if cfg.Limit <= 0 {
		return nil, fmt.Errorf("the limit must be more than 0")
	}
	if cfg.Slack == 0 {
		cfg.Slack = 25 * time.Millisecond
	}
	burst := max(1, int(cfg.Limit))
	srv, err := StartServer(ServerConfig{RateLimit: cfg.Limit, RateBurst: burst, TrustProxy: true})
	if err != nil {
		return nil, err
	}
	defer srv.Close()

	as := func(client string) []vegeta.Target {
		var ts []vegeta.Target
		for _, t := range searchTargets(srv.URL)[1].targets {
			t.Header = t.Header.Clone()
			t.Header.Set("X-Forwarded-For", client)
			ts = append(ts, t)
		}
		return ts
	}
	quietRate, busyRate := cfg.Limit/2, 5*cfg.Limit
	rep := &Report{Title: fmt.Sprintf("per-client limit %g req/s (burst %d): busy client at %g req/s, quiet client at %g req/s",
		cfg.Limit, burst, busyRate, quietRate), Duration: cfg.Duration}
	alone := &Stats{Name: "quiet-alone", URLs: len(as(quietClient))}
	during := &Stats{Name: "quiet-during", URLs: alone.URLs}
	busy := &Stats{Name: "busy", URLs: alone.URLs}
	rep.Targets = []*Stats{alone, during, busy}

	want200 := func(r *vegeta.Result) string {
		if r.Code != http.StatusOK {
			return fmt.Sprintf("%d %s", r.Code, r.Error)
		}
		return ""
	}
	busyCheck := func(r *vegeta.Result) string {
		switch r.Code {
		case http.StatusOK:
			return ""
		case http.StatusTooManyRequests:
			if s, err := strconv.Atoi(r.Headers.Get("Retry-After")); err != nil || s < 1 {
				return "429 without a Retry-After in seconds: " + strconv.Quote(r.Headers.Get("Retry-After"))
			}
			return ""
		}
		return fmt.Sprintf("%d %s", r.Code, r.Error)
	}

	attack(ctx, alone, as(quietClient), quietRate, max(cfg.Duration/2, time.Second), cfg.Timeout, want200)
	var wg sync.WaitGroup
	wg.Go(func() { attack(ctx, busy, as(busyClient), busyRate, cfg.Duration, cfg.Timeout, busyCheck) })
	wg.Go(func() { attack(ctx, during, as(quietClient), quietRate, cfg.Duration, cfg.Timeout, want200) })
	wg.Wait()

	limited := busy.Codes[http.StatusTooManyRequests]
	allowed := cfg.Limit*cfg.Duration.Seconds() + float64(burst)
	rep.Notes = append(rep.Notes, fmt.Sprintf("busy client: %d answered 200 (the limit allows about %.0f), %d refused 429 with Retry-After",
		busy.Codes[http.StatusOK], allowed, limited))
	if limited == 0 {
		rep.problems = append(rep.problems, "the busy client was never refused 429")
	}
	if float64(busy.Codes[http.StatusOK]) > 1.1*allowed+5 {
		rep.problems = append(rep.problems, fmt.Sprintf("the busy client got %d 200s, more than the limit allows (about %.0f)", busy.Codes[http.StatusOK], allowed))
	}
	bound := 2*alone.P99 + cfg.Slack
	rep.Notes = append(rep.Notes, fmt.Sprintf("quiet client p99: %s alone, %s while the busy one is limited (bound %s)", round(alone.P99), round(during.P99), round(bound)))
	if during.P99 > bound {
		rep.problems = append(rep.problems, fmt.Sprintf("the quiet client's p99 rose from %s to %s (bound %s)", round(alone.P99), round(during.P99), round(bound)))
	}
	return rep, ctx.Err()
}
