package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/errata/errata/content"
)

// Config is one constant-rate run.
type Config struct {
	Target   string        // base URL, e.g. http://127.0.0.1:8080
	Rate     int           // requests per second across all targets
	Duration time.Duration // how long the rate is held
	Timeout  time.Duration // per request
}

// Stats is what one target (a group of URLs) saw.
type Stats struct {
	Name     string
	URLs     int // distinct URLs in the group
	Rate     float64
	Requests uint64
	OK       uint64 // answered as expected
	Codes    map[int]uint64
	Errors   []string // the first few failures
	P50      time.Duration
	P99      time.Duration
	Max      time.Duration
	failures uint64
}

// Success is the share of requests answered as expected.
func (s *Stats) Success() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.OK) / float64(s.Requests)
}

// Report is a run over every target.
type Report struct {
	Title    string
	Duration time.Duration
	Targets  []*Stats
	Notes    []string
	problems []string // why the run failed
}

// Err is non-nil when any request failed or a check did not hold.
func (r *Report) Err() error {
	var errs []string
	for _, t := range r.Targets {
		if t.failures > 0 {
			errs = append(errs, fmt.Sprintf("%s: %d of %d requests failed", t.Name, t.failures, t.Requests))
		}
		if t.Requests == 0 {
			errs = append(errs, t.Name+": no request was sent")
		}
	}
	errs = append(errs, r.problems...)
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// Print writes the report as a table.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "%s, %s\n", r.Title, r.Duration)
	fmt.Fprintf(w, "%-14s %6s %8s %9s %9s %9s %9s %9s  %s\n", "target", "urls", "rate/s", "requests", "success", "p50", "p99", "max", "codes")
	for _, t := range r.Targets {
		fmt.Fprintf(w, "%-14s %6d %8.1f %9d %8.2f%% %9s %9s %9s  %s\n", t.Name, t.URLs, t.Rate, t.Requests, 100*t.Success(),
			round(t.P50), round(t.P99), round(t.Max), codes(t.Codes))
		for _, e := range t.Errors {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, n)
	}
	for _, p := range r.problems {
		fmt.Fprintln(w, "FAILED:", p)
	}
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

func codes(m map[int]uint64) string {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, "%d×%d ", k, m[k])
	}
	return strings.TrimSpace(b.String())
}

// Run holds cfg.Rate, shared evenly by the search pages and the search API,
// for cfg.Duration. A request fails unless it is answered 200.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	groups := searchTargets(strings.TrimRight(cfg.Target, "/"))
	per := float64(cfg.Rate) / float64(len(groups))
	rep := &Report{Title: fmt.Sprintf("constant %d req/s on %s", cfg.Rate, cfg.Target), Duration: cfg.Duration}
	var wg sync.WaitGroup
	for _, g := range groups {
		st := &Stats{Name: g.name, URLs: len(g.targets)}
		rep.Targets = append(rep.Targets, st)
		wg.Go(func() {
			attack(ctx, st, g.targets, per, cfg.Duration, cfg.Timeout, func(r *vegeta.Result) string {
				if r.Code != http.StatusOK {
					return fmt.Sprintf("%d %s", r.Code, r.Error)
				}
				return ""
			})
		})
	}
	wg.Wait()
	return rep, ctx.Err()
}

type group struct {
	name    string
	targets []vegeta.Target
}

// searchTargets are search pages and API searches made from the catalogue's
// own titles, messages, statuses and providers, with filters and paging.
func searchTargets(base string) []group {
	var page, api []vegeta.Target
	add := func(v url.Values) {
		q := v.Encode()
		page = append(page, vegeta.Target{Method: http.MethodGet, URL: base + "/?" + q,
			Header: http.Header{"Accept": {"text/html"}, "Accept-Encoding": {"gzip"}}})
		api = append(api, vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/search?" + q,
			Header: http.Header{"Accept-Encoding": {"gzip"}}})
	}
	for _, q := range queries() {
		add(q)
	}
	return []group{{"search-page", page}, {"search-api", api}}
}

// queries are what people type and paste, taken from the embedded catalogue.
func queries() []url.Values {
	es, err := content.Load(content.Embedded())
	if err != nil {
		panic(err) // the embedded catalogue is checked by content's tests
	}
	var out []url.Values
	for _, e := range es {
		out = append(out, url.Values{"q": {e.Title}})
		for _, m := range e.Messages {
			out = append(out, url.Values{"q": {m}})
		}
		if e.Status > 0 {
			out = append(out, url.Values{"q": {fmt.Sprintf("%d %s", e.Status, strings.Join(e.Providers, " "))}})
			out = append(out, url.Values{"q": {firstWords(e.Title, 2)}, "status": {fmt.Sprintf("%dxx", e.Status/100)}})
			out = append(out, url.Values{"q": {fmt.Sprintf("HTTP/1.1 %d %s", e.Status, http.StatusText(e.Status))}})
		}
		for _, p := range e.Providers {
			out = append(out, url.Values{"q": {firstWords(e.Title, 1)}, "provider": {p}})
		}
	}
	out = append(out, url.Values{}, url.Values{"status": {"4xx"}}, url.Values{"q": {"quota"}, "per_page": {"5"}})
	return slices.CompactFunc(out, func(a, b url.Values) bool { return a.Encode() == b.Encode() })
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// attack sends targets round-robin at rate per second for d and adds every
// result to st; check says why a result is a failure ("" when it is not).
func attack(ctx context.Context, st *Stats, targets []vegeta.Target, rate float64, d, timeout time.Duration, check func(*vegeta.Result) string) {
	atk := vegeta.NewAttacker(vegeta.Timeout(timeout), vegeta.KeepAlive(true), vegeta.HTTP2(false),
		vegeta.Redirects(0), vegeta.MaxWorkers(1000), vegeta.MaxBody(8<<20))
	pacer := vegeta.ConstantPacer{Freq: int(rate*1000 + 0.5), Per: 1000 * time.Second}
	var m vegeta.Metrics
	st.Codes = map[int]uint64{}
	results := atk.Attack(vegeta.NewStaticTargeter(targets...), pacer, d, st.Name)
	for {
		select {
		case <-ctx.Done():
			atk.Stop()
			ctx = context.Background() // drain what is in flight
			continue
		case r, ok := <-results:
			if !ok {
				m.Close()
				st.Requests, st.Rate = m.Requests, m.Rate
				st.P50, st.P99, st.Max = m.Latencies.P50, m.Latencies.P99, m.Latencies.Max
				return
			}
			m.Add(r)
			st.Codes[int(r.Code)]++
			if why := check(r); why != "" {
				st.failures++
				if len(st.Errors) < 5 {
					st.Errors = append(st.Errors, fmt.Sprintf("%s: %s", r.URL, strings.TrimSpace(why)))
				}
			} else {
				st.OK++
			}
		}
	}
}
