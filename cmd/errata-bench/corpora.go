package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
	"github.com/errata/errata/content/corpus/corpustest"
)

// corpusSpec names one corpus of a run: "catalogue", "real", or a grown size
// such as "10k", "100k" or "300".
type corpusSpec struct {
	Name string
	Grow int // entries to grow from the real records; 0 for catalogue and real
}

// parseSizes reads the -sizes flag.
func parseSizes(s string) ([]corpusSpec, error) {
	var specs []corpusSpec
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if seen[f] {
			return nil, fmt.Errorf("-sizes: %q appears twice", f)
		}
		seen[f] = true
		switch f {
		case "catalogue", "catalog":
			specs = append(specs, corpusSpec{Name: "catalogue"})
		case "real":
			specs = append(specs, corpusSpec{Name: "real"})
		default:
			n, err := parseCount(f)
			if err != nil {
				return nil, fmt.Errorf("-sizes: %q is not catalogue, real or a count such as 10k: %v", f, err)
			}
			specs = append(specs, corpusSpec{Name: f, Grow: n})
		}
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("-sizes: give at least one of catalogue, real, 10k, 100k")
	}
	return specs, nil
}

func parseCount(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1000, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "m"):
		mult, s = 1000000, strings.TrimSuffix(s, "m")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive count")
	}
	return n * mult, nil
}

// loadCorpus returns the entries of spec. Grown corpora are deterministic for
// a seed, so a child process rebuilds exactly the same corpus.
func loadCorpus(spec corpusSpec, seed int64) ([]content.Entry, error) {
	if spec.Name == "catalogue" {
		entries, err := content.Load(content.Embedded())
		if err != nil {
			return nil, fmt.Errorf("loading the embedded catalogue: %w", err)
		}
		return entries, nil
	}
	// Read afresh rather than through corpustest's per-process cache: the
	// child measures the heap the index keeps, and a cached copy of the
	// records would be counted in it.
	dir, ok := corpustest.Dir()
	if !ok {
		return nil, fmt.Errorf("corpus %s needs ../shared/corpora next to the module root; it was not found", spec.Name)
	}
	recs, err := corpus.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	real := corpus.Entries(recs)
	if spec.Grow == 0 {
		return real, nil
	}
	return corpustest.Grow(real, spec.Grow, seed), nil
}
