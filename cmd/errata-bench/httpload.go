package main

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/errata/errata/web"
	"github.com/errata/errata/web/middleware"
)

// httpStats is one load run over the three endpoints.
type httpStats struct {
	Workers   int             `json:"workers"`
	DurationS float64         `json:"duration_s"`
	Endpoints []endpointStats `json:"endpoints"`
	APIRatio  float64         `json:"api_ratio"`  // API req/s over /healthz req/s, as served (answer cache on)
	PageRatio float64         `json:"page_ratio"` // page req/s over /healthz req/s, as served
	// The same with the answer cache off: every request runs its search.
	APIFreshRatio  float64 `json:"api_fresh_ratio"`
	PageFreshRatio float64 `json:"page_fresh_ratio"`
}

type endpointStats struct {
	Name     string         `json:"name"` // healthz, api, page
	Path     string         `json:"path"` // an example URL path
	Targets  int            `json:"targets"`
	Requests uint64         `json:"requests"`
	RPS      float64        `json:"rps"` // successful responses per second
	P50MS    float64        `json:"p50_ms"`
	P99MS    float64        `json:"p99_ms"`
	Success  float64        `json:"success"`
	Codes    map[string]int `json:"codes"`
	CacheHit float64        `json:"cache_hit"` // share of answers served from the answer cache
	Errors   []string       `json:"errors,omitempty"`
}

func (h *httpStats) rps(name string) float64 {
	for _, e := range h.Endpoints {
		if e.Name == name {
			return e.RPS
		}
	}
	return 0
}

// runHTTP finds each endpoint's ceiling with a closed loop of workers (rate 0:
// each worker sends its next request when the last one is answered), one
// endpoint after the other in the same run, so the search paths read as a
// fraction of what the same server does for /healthz. base is the server as
// `errata serve` runs it, answer cache on: the query mix repeats, so after its
// first pass most answers are cache hits. fresh is the same handler with the
// cache off, where every request runs its search. Every request says
// Accept-Encoding: gzip, as browsers do; saying it explicitly stops Go's
// client from decompressing (as wrk does not), so the client's gunzip is not
// charged to the server on the cores they share.
func runHTTP(base, fresh string, queries []benchQuery, workers int, dur time.Duration) (*httpStats, error) {
	var params []string
	for _, q := range queries {
		v := url.Values{"q": {q.Text}}
		if len(q.Status) > 0 {
			v.Set("status", q.Status.String())
		}
		for _, p := range q.Providers {
			v.Add("provider", p)
		}
		params = append(params, v.Encode())
	}
	html := http.Header{"Accept": {"text/html"}, "Accept-Encoding": {"gzip"}}
	json := http.Header{"Accept-Encoding": {"gzip"}}
	// on is the query mix as requests for one path of one server.
	on := func(server, path string, h http.Header) []vegeta.Target {
		ts := make([]vegeta.Target, len(params))
		for i, p := range params {
			ts[i] = vegeta.Target{Method: http.MethodGet, URL: server + path + "?" + p, Header: h}
		}
		return ts
	}
	api, page := on(base, "/api/v1/search", json), on(base, "/", html)
	apiFresh, pageFresh := on(fresh, "/api/v1/search", json), on(fresh, "/", html)
	runs := []struct {
		name, base string
		targets    []vegeta.Target
	}{
		{"healthz", base, []vegeta.Target{{Method: http.MethodGet, URL: base + "/healthz", Header: json}}},
		{"api", base, api},
		{"page", base, page},
		{"api-fresh", fresh, apiFresh},
		{"page-fresh", fresh, pageFresh},
	}
	hs := &httpStats{Workers: workers, DurationS: dur.Seconds()}
	for _, r := range runs {
		es, err := attack(r.name, r.targets, workers, dur)
		if err != nil {
			return nil, err
		}
		es.Path = web.Clip(r.targets[0].URL[len(r.base):], 60, web.Ellipsis)
		hs.Endpoints = append(hs.Endpoints, es)
	}
	if h := hs.rps("healthz"); h > 0 {
		hs.APIRatio = hs.rps("api") / h
		hs.PageRatio = hs.rps("page") / h
		hs.APIFreshRatio = hs.rps("api-fresh") / h
		hs.PageFreshRatio = hs.rps("page-fresh") / h
	}
	return hs, nil
}

func attack(name string, targets []vegeta.Target, workers int, dur time.Duration) (endpointStats, error) {
	w := uint64(workers)
	atk := vegeta.NewAttacker(vegeta.Workers(w), vegeta.MaxWorkers(w), vegeta.Connections(workers),
		vegeta.KeepAlive(true), vegeta.HTTP2(false), vegeta.Timeout(30*time.Second), vegeta.Redirects(0))
	var m vegeta.Metrics
	var hits int
	for res := range atk.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: 0}, dur, name) {
		m.Add(res)
		if res.Headers.Get(middleware.CacheHeader) == "hit" {
			hits++
		}
	}
	m.Close()
	es := endpointStats{
		Name: name, Targets: len(targets), Requests: m.Requests, RPS: m.Throughput,
		P50MS: ms(m.Latencies.P50), P99MS: ms(m.Latencies.P99), Success: m.Success, Codes: m.StatusCodes,
	}
	if m.Requests > 0 {
		es.CacheHit = float64(hits) / float64(m.Requests)
	}
	if len(m.Errors) > 5 {
		es.Errors = m.Errors[:5]
	} else {
		es.Errors = m.Errors
	}
	if m.Requests == 0 {
		return es, fmt.Errorf("%s: no request was answered: %v", name, m.Errors)
	}
	return es, nil
}
