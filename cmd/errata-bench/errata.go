package main

import (
	"fmt"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// buildErrata builds Errata's index the way `errata serve` does and checks
// that no entry was dropped.
func buildErrata(entries []content.Entry) (*search.Index, time.Duration, error) {
	start := time.Now()
	ix, err := search.Build(entries)
	took := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("search.Build: %w", err)
	}
	if n := ix.Count(); n != len(entries) {
		ix.Close()
		return nil, 0, fmt.Errorf("search.Build indexed %d documents for %d entries", n, len(entries))
	}
	return ix, took, nil
}

// hitIDs lists the ids of a page of Errata hits.
func hitIDs(res *search.Results) []string {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids
}
