package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/errata/errata/content"
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
	// The same as served (cache on) with no query asked twice, so nearly
	// every request misses the cache and searches: what a cache costs
	// when it does not help. Each is the median of its rounds' (Rounds).
	APIDistinctRatio  float64 `json:"api_distinct_ratio"`
	PageDistinctRatio float64 `json:"page_distinct_ratio"`
	// The same two read from CPU per request instead: /healthz's over the
	// run's. The runs follow one another, so on cores shared with other
	// work each gets another share of them and req/s ratios swing with
	// that load; CPU per request does not (it is what the ratio of req/s
	// would be with the cores to this process alone).
	APIDistinctCPURatio  float64 `json:"api_distinct_cpu_ratio,omitempty"`
	PageDistinctCPURatio float64 `json:"page_distinct_cpu_ratio,omitempty"`
	// Rounds are the runs of never-asked queries, API then page, each
	// round right after a /healthz run of its own (also in Endpoints, in
	// that order).
	Rounds []distinctRound `json:"distinct_rounds,omitempty"`
	// Open is the open-loop run: requests sent at a fixed rate whatever the
	// answers' pace, alternating API and page, no query asked twice.
	Open *endpointStats `json:"open_loop,omitempty"`
}

type endpointStats struct {
	Name     string         `json:"name"`              // healthz, api, page
	Path     string         `json:"path"`              // an example URL path
	RateHz   int            `json:"rate_hz,omitempty"` // requests sent per second (open loop); 0 for a closed loop
	Requests uint64         `json:"requests"`
	RPS      float64        `json:"rps"` // successful responses per second
	P50MS    float64        `json:"p50_ms"`
	P99MS    float64        `json:"p99_ms"`
	Success  float64        `json:"success"`
	Codes    map[string]int `json:"codes"`
	CacheHit float64        `json:"cache_hit"` // share of answers served from the answer cache
	Failed   uint64         `json:"failed"`    // requests not answered 2xx (errors, timeouts, 429, 503)
	// CPUPerReqUS is the process's CPU during the run per request sent:
	// server, client and garbage collector, which share the process.
	CPUPerReqUS float64  `json:"cpu_us_per_request,omitempty"`
	Errors      []string `json:"errors,omitempty"`
}

// distinctRounds is how many times the never-asked queries are measured,
// each time beside a /healthz run just before them. On cores shared with
// other work one pair of runs swung from 26 % to 39 % between runs of the
// same code; the median of rounds taken in turn swings less.
const distinctRounds = 3

// distinctRound is one round of never-asked queries and the /healthz run
// before it, with their ratios.
type distinctRound struct {
	Healthz endpointStats `json:"healthz"`
	API     endpointStats `json:"api"`
	Page    endpointStats `json:"page"`
	// APIRatio and PageRatio are req/s over /healthz's; the CPU ratios
	// /healthz's CPU per request over theirs (0 when not measured).
	APIRatio     float64 `json:"api_ratio"`
	PageRatio    float64 `json:"page_ratio"`
	APICPURatio  float64 `json:"api_cpu_ratio,omitempty"`
	PageCPURatio float64 `json:"page_cpu_ratio,omitempty"`
}

func newRound(healthz, api, page endpointStats) distinctRound {
	r := distinctRound{Healthz: healthz, API: api, Page: page}
	if healthz.RPS > 0 {
		r.APIRatio, r.PageRatio = api.RPS/healthz.RPS, page.RPS/healthz.RPS
	}
	if healthz.CPUPerReqUS > 0 && api.CPUPerReqUS > 0 && page.CPUPerReqUS > 0 {
		r.APICPURatio, r.PageCPURatio = healthz.CPUPerReqUS/api.CPUPerReqUS, healthz.CPUPerReqUS/page.CPUPerReqUS
	}
	return r
}

// medianOf is the median of one figure of the rounds.
func medianOf(rounds []distinctRound, figure func(distinctRound) float64) float64 {
	if len(rounds) == 0 {
		return 0
	}
	vs := make([]float64, len(rounds))
	for i, r := range rounds {
		vs[i] = figure(r)
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
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
//
// profile, unless "", is where each run writes a CPU profile of its own
// (runProfile).
func runHTTP(base, fresh string, queries []benchQuery, distinct *httpQueries, cfg *config, profile string) (*httpStats, error) {
	workers, dur := cfg.HTTPWorkers, cfg.HTTPTime
	params := make([]string, len(queries))
	for i, q := range queries {
		params[i] = q.params()
	}
	// on is the query mix as requests for one path of one server.
	on := func(server, path string, h http.Header) []vegeta.Target {
		ts := make([]vegeta.Target, len(params))
		for i, p := range params {
			ts[i] = vegeta.Target{Method: http.MethodGet, URL: server + path + "?" + p, Header: h}
		}
		return ts
	}
	api, page := on(base, "/api/v1/search", jsonHeader), on(base, "/", htmlHeader)
	apiFresh, pageFresh := on(fresh, "/api/v1/search", jsonHeader), on(fresh, "/", htmlHeader)
	runs := []loadRun{
		{"healthz", base, vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + "/healthz", Header: jsonHeader})},
		{"api", base, vegeta.NewStaticTargeter(api...)},
		{"page", base, vegeta.NewStaticTargeter(page...)},
		{"api-fresh", fresh, vegeta.NewStaticTargeter(apiFresh...)},
		{"page-fresh", fresh, vegeta.NewStaticTargeter(pageFresh...)},
	}
	healthz := runs[0]
	for range distinctRounds {
		runs = append(runs, healthz,
			loadRun{"api-distinct", base, distinct.closed.targeter(base, false)},
			loadRun{"page-distinct", base, distinct.closed.targeter(base, true)})
	}
	hs := &httpStats{Workers: workers, DurationS: dur.Seconds()}
	profiled := map[string]bool{}
	for _, r := range runs {
		// A run's profile is its first round's.
		path := profile
		if profiled[r.name] {
			path = ""
		}
		profiled[r.name] = true
		stop, err := runProfile(path, r.name)
		if err != nil {
			return nil, err
		}
		es, err := attack(r.name, r.base, r.targeter, vegeta.Rate{}, workers, dur)
		stop()
		if err != nil {
			return nil, err
		}
		hs.Endpoints = append(hs.Endpoints, es)
		if r.name == "page-distinct" {
			n := len(hs.Endpoints)
			hs.Rounds = append(hs.Rounds, newRound(hs.Endpoints[n-3], hs.Endpoints[n-2], hs.Endpoints[n-1]))
		}
	}
	if h := hs.rps("healthz"); h > 0 {
		hs.APIRatio = hs.rps("api") / h
		hs.PageRatio = hs.rps("page") / h
		hs.APIFreshRatio = hs.rps("api-fresh") / h
		hs.PageFreshRatio = hs.rps("page-fresh") / h
	}
	hs.APIDistinctRatio = medianOf(hs.Rounds, func(r distinctRound) float64 { return r.APIRatio })
	hs.PageDistinctRatio = medianOf(hs.Rounds, func(r distinctRound) float64 { return r.PageRatio })
	hs.APIDistinctCPURatio = medianOf(hs.Rounds, func(r distinctRound) float64 { return r.APICPURatio })
	hs.PageDistinctCPURatio = medianOf(hs.Rounds, func(r distinctRound) float64 { return r.PageCPURatio })
	if cfg.HTTPRate > 0 {
		// Enough workers that a slow answer never holds back the next
		// request: the rate is kept whatever the server does.
		stop, err := runProfile(profile, "open-loop")
		if err != nil {
			return nil, err
		}
		open, err := attack("open-loop", base, distinct.open.alternating(base), vegeta.Rate{Freq: cfg.HTTPRate, Per: time.Second}, 256, cfg.HTTPOpenTime)
		stop()
		if err != nil {
			return nil, err
		}
		hs.Open = &open
	}
	return hs, nil
}

// loadRun is one closed-loop run: its name, the server and its requests.
type loadRun struct {
	name, base string
	targeter   vegeta.Targeter
}

// runProfile starts the CPU profile of one run, written to path with the
// run's name before its extension (http.prof: http.api-distinct.prof), so
// that what one kind of request costs is read alone; "" profiles nothing.
// The server and the client share the process: their samples carry the
// label side=server or side=client (see startServer and attack), and the
// rest (the garbage collector's own workers) neither.
func runProfile(path, run string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	ext := filepath.Ext(path)
	return startCPUProfile(strings.TrimSuffix(path, ext) + "." + run + ext)
}

var (
	htmlHeader = http.Header{"Accept": {"text/html"}, "Accept-Encoding": {"gzip"}}
	jsonHeader = http.Header{"Accept-Encoding": {"gzip"}}
)

// params is q as the query string of the API and the page.
func (q benchQuery) params() string {
	v := url.Values{"q": {q.Text}}
	if len(q.Status) > 0 {
		v.Set("status", q.Status.String())
	}
	for _, p := range q.Providers {
		v.Add("provider", p)
	}
	return v.Encode()
}

// distinctQueries hands out queries that are never asked twice in a run,
// nor asked by the runs of the repeated mix: the drawn queries first, then each of them with one more word from the
// corpus (a different word on every pass), so that an answer cache sees
// only misses, as it does for people who each paste their own error.
type distinctQueries struct {
	queries []benchQuery
	words   []string
	mu      sync.Mutex
	next    int             // shared by every run, so no run repeats another's query
	asked   map[string]bool // query strings handed out, or asked by the repeated mix
}

func newDistinctQueries(queries, asked []benchQuery, vocabulary []string) *distinctQueries {
	d := &distinctQueries{asked: map[string]bool{}}
	seenQ, seenW := map[string]bool{}, map[string]bool{}
	for _, q := range asked {
		d.asked[q.params()] = true
	}
	for _, q := range byKindInTurn(queries) {
		if p := q.params(); !seenQ[p] {
			seenQ[p] = true
			d.queries = append(d.queries, q)
		}
		if q.Kind == kindWord && !seenW[strings.ToLower(q.Text)] {
			seenW[strings.ToLower(q.Text)] = true
			d.words = append(d.words, q.Text)
		}
	}
	// Then the other words of the corpus's entries: a small
	// catalogue has few single-word queries (43 on the embedded one, for
	// 45,000 never-asked queries in all), and past them take asked
	// queries again, trying a hundred each time on the client's share of
	// the cores.
	for _, w := range vocabulary {
		if !seenW[strings.ToLower(w)] {
			seenW[strings.ToLower(w)] = true
			d.words = append(d.words, w)
		}
	}
	return d
}

// vocabularyOf is the words of entries' titles, messages and sections, of
// three letters or more, in order of first use.
func vocabularyOf(entries []content.Entry) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range entries {
		texts := append([]string{e.Title}, e.Messages...)
		for _, s := range e.Sections {
			texts = append(texts, s.Text)
		}
		for _, text := range texts {
			for _, w := range strings.Fields(text) {
				if w = trimPunct(w); isWord(w, 3) && !seen[strings.ToLower(w)] {
					seen[strings.ToLower(w)] = true
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// byKindInTurn is queries (drawn kind after kind) with the kinds taken in
// turn, so that any run of them, however short, asks every kind alike.
func byKindInTurn(queries []benchQuery) []benchQuery {
	var order []string
	of := map[string][]benchQuery{}
	for _, q := range queries {
		if of[q.Kind] == nil {
			order = append(order, q.Kind)
		}
		of[q.Kind] = append(of[q.Kind], q)
	}
	out := make([]benchQuery, 0, len(queries))
	for i := 0; len(out) < len(queries); i++ {
		for _, k := range order {
			if i < len(of[k]) {
				out = append(out, of[k][i])
			}
		}
	}
	return out
}

// take returns the query string of the next query never asked before; one
// whose extra word makes it another query already asked is skipped (a
// bounded number of times: past every word, queries do repeat).
func (d *distinctQueries) take() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var p string
	for try := 0; try < 100; try++ {
		i := d.next
		d.next++
		q := d.queries[i%len(d.queries)]
		if pass := i / len(d.queries); pass > 0 && len(d.words) > 0 {
			q.Text += " " + d.words[(pass-1)%len(d.words)]
		}
		if p = q.params(); !d.asked[p] {
			break
		}
	}
	d.asked[p] = true
	return p
}

// targeter asks the API, or the page, a new query each time.
func (d *distinctQueries) targeter(base string, page bool) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		*t = d.target(base, page)
		return nil
	}
}

// alternating asks the API and the page in turn, a new query each time.
func (d *distinctQueries) alternating(base string) vegeta.Targeter {
	var n atomic.Int64
	return func(t *vegeta.Target) error {
		*t = d.target(base, n.Add(1)%2 == 0)
		return nil
	}
}

func (d *distinctQueries) target(base string, page bool) vegeta.Target {
	path, h := "/api/v1/search?", jsonHeader
	if page {
		path, h = "/?", htmlHeader
	}
	return vegeta.Target{Method: http.MethodGet, URL: base + path + d.take(), Header: h}
}

func attack(name, base string, tr vegeta.Targeter, rate vegeta.Rate, workers int, dur time.Duration) (endpointStats, error) {
	w := uint64(workers)
	atk := vegeta.NewAttacker(vegeta.Workers(w), vegeta.MaxWorkers(w), vegeta.Connections(workers),
		vegeta.KeepAlive(true), vegeta.HTTP2(false), vegeta.Timeout(30*time.Second), vegeta.Redirects(0))
	var m vegeta.Metrics
	var hits int
	var path string
	cpu := processCPU()
	// The attacker's goroutines inherit the label from this one.
	pprof.Do(context.Background(), pprof.Labels("side", "client"), func(context.Context) {
		for res := range atk.Attack(tr, rate, dur, name) {
			if path == "" {
				path = web.Clip(strings.TrimPrefix(res.URL, base), 60, web.Ellipsis)
			}
			m.Add(res)
			if res.Headers.Get(middleware.CacheHeader) == "hit" {
				hits++
			}
		}
	})
	used := processCPU() - cpu
	m.Close()
	es := endpointStats{
		Name: name, Path: path, RateHz: rate.Freq, Requests: m.Requests, RPS: m.Throughput,
		P50MS: ms(m.Latencies.P50), P99MS: ms(m.Latencies.P99), Success: m.Success, Codes: m.StatusCodes,
	}
	if cpu > 0 && m.Requests > 0 {
		es.CPUPerReqUS = float64(used.Microseconds()) / float64(m.Requests)
	}
	es.Failed = m.Requests - uint64(math.Round(m.Success*float64(m.Requests)))
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
