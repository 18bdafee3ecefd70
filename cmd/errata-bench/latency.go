package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/errata/errata/search"
)

// kindStats is one query kind's latencies on one corpus, both engines.
type kindStats struct {
	Kind      string  `json:"kind"`
	Queries   int     `json:"queries"`
	Samples   int     `json:"samples"` // timed runs per engine
	ErrataP50 float64 `json:"errata_p50_ms"`
	ErrataP99 float64 `json:"errata_p99_ms"`
	// ErrataAloneP99 is the p99 over the queries of each one's fastest
	// run: its time alone, without what other processes on a shared
	// machine took from it (the p99 above counts every run).
	ErrataAloneP99 float64 `json:"errata_alone_p99_ms"`
	FTSP50         float64 `json:"fts5_p50_ms"` // the tuned FTS5 peer (tunedSearch), which the targets compare with
	FTSP99         float64 `json:"fts5_p99_ms"`
	RatioP50       float64 `json:"ratio_p50"` // Errata / tuned FTS5
	RatioP99       float64 `json:"ratio_p99"`
	// The first FTS5 peer (search): snippet and bm25 of every match before
	// sorting, a GROUP BY per facet. Kept as a second row.
	NaiveFTSP50   float64 `json:"fts5_naive_p50_ms"`
	NaiveFTSP99   float64 `json:"fts5_naive_p99_ms"`
	NaiveRatioP50 float64 `json:"ratio_naive_p50"`
	ErrataHits    float64 `json:"errata_mean_total"` // mean total hits
	FTSHits       float64 `json:"fts5_mean_total"`
	// Found is the share of queries whose source entry is in the first page:
	// context for the timings (an engine that finds nothing is fast).
	ErrataFound float64  `json:"errata_found_at_20"`
	FTSFound    float64  `json:"fts5_found_at_20"`
	Errors      []string `json:"errors,omitempty"`
	Example     string   `json:"example"`
	// Slowest is the query of this kind with the highest median time in
	// Errata: where its p99 comes from.
	Slowest   string  `json:"errata_slowest_query"`
	SlowestMS float64 `json:"errata_slowest_median_ms"`
}

// runLatency warms the engines with one pass over every query, then times
// rounds passes, each query asked of Errata, the tuned FTS5 and the naive FTS5
// back to back (rotating which goes first) so that noise on the shared
// machine hits all alike.
func runLatency(ix *search.Index, fts *ftsIndex, queries []benchQuery, rounds int, seed int64) ([]kindStats, error) {
	type acc struct {
		errata, fts, naive           []time.Duration
		eHits, fHits, eFound, fFound int
		n                            int
		errs                         []string
		example                      string
	}
	byKind := map[string]*acc{}
	for _, k := range kinds {
		byKind[k] = &acc{}
	}
	ask := func(q benchQuery) (time.Duration, time.Duration, *search.Results, *ftsResults, error, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		t0 := time.Now()
		er, eerr := ix.Search(ctx, q.searchQuery())
		t1 := time.Now()
		fr, ferr := fts.tunedSearch(ctx, q)
		t2 := time.Now()
		return t1.Sub(t0), t2.Sub(t1), er, fr, eerr, ferr
	}
	// Warm-up pass, which also records what each engine found.
	for _, q := range queries {
		a := byKind[q.Kind]
		a.n++
		if a.example == "" {
			a.example = q.Text
		}
		_, _, er, fr, eerr, ferr := ask(q)
		if eerr != nil {
			a.errs = append(a.errs, fmt.Sprintf("errata: %q: %v", q.Text, eerr))
		} else {
			a.eHits += er.Total
			if slices.Contains(hitIDs(er), q.Want) {
				a.eFound++
			}
		}
		if ferr != nil {
			a.errs = append(a.errs, fmt.Sprintf("fts5: %q: %v", q.Text, ferr))
		} else {
			a.fHits += fr.Total
			if slices.ContainsFunc(fr.Hits, func(h ftsHit) bool { return h.ID == q.Want }) {
				a.fFound++
			}
		}
	}
	perQuery := make([][]time.Duration, len(queries))
	rng := rand.New(rand.NewPCG(uint64(seed), 99))
	order := make([]int, len(queries))
	for i := range order {
		order[i] = i
	}
	for r := 0; r < rounds; r++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for j, i := range order {
			q := queries[i]
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			var took [3]time.Duration
			engines := [3]func() error{
				func() error { _, err := ix.Search(ctx, q.searchQuery()); return err },
				func() error { _, err := fts.tunedSearch(ctx, q); return err },
				func() error { _, err := fts.search(ctx, q); return err },
			}
			for k := range engines {
				e := (r + j + k) % len(engines)
				took[e] = timeIt(engines[e])
			}
			cancel()
			perQuery[i] = append(perQuery[i], took[0])
			a := byKind[q.Kind]
			a.errata = append(a.errata, took[0])
			a.fts = append(a.fts, took[1])
			a.naive = append(a.naive, took[2])
		}
	}
	var out []kindStats
	for _, k := range kinds {
		a := byKind[k]
		if a.n == 0 {
			continue
		}
		ks := kindStats{
			Kind: k, Queries: a.n, Samples: len(a.errata), Example: a.example,
			ErrataP50: ms(percentile(a.errata, 50)), ErrataP99: ms(percentile(a.errata, 99)),
			FTSP50: ms(percentile(a.fts, 50)), FTSP99: ms(percentile(a.fts, 99)),
			NaiveFTSP50: ms(percentile(a.naive, 50)), NaiveFTSP99: ms(percentile(a.naive, 99)),
			ErrataHits: float64(a.eHits) / float64(a.n), FTSHits: float64(a.fHits) / float64(a.n),
			ErrataFound: float64(a.eFound) / float64(a.n), FTSFound: float64(a.fFound) / float64(a.n),
			Errors: a.errs,
		}
		if len(ks.Errors) > 5 {
			ks.Errors = append(ks.Errors[:5], fmt.Sprintf("… and %d more", len(a.errs)-5))
		}
		var fastest []time.Duration
		for i, q := range queries {
			if q.Kind != k {
				continue
			}
			if m := ms(percentile(perQuery[i], 50)); m > ks.SlowestMS {
				ks.Slowest, ks.SlowestMS = q.Text, m
			}
			fastest = append(fastest, percentile(perQuery[i], 0))
		}
		ks.ErrataAloneP99 = ms(percentile(fastest, 99))
		if ks.FTSP50 > 0 {
			ks.RatioP50 = ks.ErrataP50 / ks.FTSP50
		}
		if ks.NaiveFTSP50 > 0 {
			ks.NaiveRatioP50 = ks.ErrataP50 / ks.NaiveFTSP50
		}
		if ks.FTSP99 > 0 {
			ks.RatioP99 = ks.ErrataP99 / ks.FTSP99
		}
		out = append(out, ks)
	}
	return out, nil
}

// timeIt times f; an error was already reported by the warm-up pass.
func timeIt(f func() error) time.Duration {
	t := time.Now()
	_ = f()
	return time.Since(t)
}
