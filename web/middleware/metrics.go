package middleware

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds Errata's Prometheus collectors on a registry of its own, so
// that tests can build as many as they like.
type Metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	searchLatency  prometheus.Histogram
	searches       prometheus.Counter
	searchNoResult prometheus.Counter
	entries        prometheus.Gauge
	rateLimited    prometheus.Counter
	cacheHits      prometheus.Counter
}

// NewMetrics registers every collector, plus the Go runtime and process ones.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "errata_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "errata_http_request_duration_seconds",
			Help:    "Time to serve a request, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		searchLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "errata_search_duration_seconds",
			Help:    "Time to run a search (page or API): the index's part of a request, highlights and facets included.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
		searches: counter("errata_searches_total",
			"Searches run (page or API); answers from the answer cache are cache hits, not searches."),
		searchNoResult: counter("errata_searches_no_result_total",
			"Searches that found no entry: candidates for new entries or aliases."),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "errata_entries_indexed",
			Help: "Entries in the catalogue being served.",
		}),
		rateLimited: counter("errata_rate_limited_total",
			"Requests answered 429 by the per-client rate limit."),
		cacheHits: counter("errata_cache_hits_total",
			"Requests answered from the answer cache (--cache-mb); the rest of errata_http_requests_total were made afresh."),
	}
	m.reg.MustRegister(m.requests, m.latency, m.searchLatency, m.searches, m.searchNoResult, m.entries, m.rateLimited, m.cacheHits,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// counter is a plain counter with its name and help text.
func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

// Registry is where the collectors live, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Endpoint is the whole of a metrics listener: GET /metrics with the
// security headers, 404 for anything else. Serve it on an address of its
// own, never beside the site: metrics are for operators (they name the Go
// version, go_info, and cost a scrape's work on every request), so they stay
// off the public port and out of the site's rate limit.
func (m *Metrics) Endpoint() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return SecureHeaders(mux)
}

// SetEntries records the size of the catalogue being served.
func (m *Metrics) SetEntries(n int) { m.entries.Set(float64(n)) }

// ObserveSearch records one search that ran: how long the index took and
// how many entries it found. The handlers call it where the search runs, so
// that an answer from the cache, which runs none, is never counted as one.
func (m *Metrics) ObserveSearch(d time.Duration, total int) {
	m.searches.Inc()
	m.searchLatency.Observe(d.Seconds())
	if total == 0 {
		m.searchNoResult.Inc()
	}
}

// Middleware counts and times every request by route pattern and status.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec, _ := newRecorder(w)
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		route := Route(r)
		status := rec.Status()
		m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(route).Observe(d.Seconds())
		if status == http.StatusTooManyRequests {
			m.rateLimited.Inc()
		}
		if rec.Header().Get(CacheHeader) == "hit" {
			m.cacheHits.Inc()
		}
	})
}

// ConnStats is what a connection guard (web.ConnGuard) counts.
type ConnStats interface {
	OpenConns() int       // open now
	RefusedConns() uint64 // refused at the cap
	ShedConns() uint64    // closed early while idle under pressure
}

// ObserveConns exports s as errata_connections_open,
// errata_connections_refused_total and errata_connections_shed_total, read
// at each scrape. Call it once per Metrics.
func (m *Metrics) ObserveConns(s ConnStats) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "errata_connections_open",
			Help: "Client connections open now.",
		}, func() float64 { return float64(s.OpenConns()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "errata_connections_refused_total",
			Help: "Connections refused (answered 503 and closed) because --max-conns were open.",
		}, func() float64 { return float64(s.RefusedConns()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "errata_connections_shed_total",
			Help: "Idle connections closed early because more than half of --max-conns were open.",
		}, func() float64 { return float64(s.ShedConns()) }),
	)
}
