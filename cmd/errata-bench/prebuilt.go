package main

import (
	"fmt"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// saveErrata builds an index ahead of time into dir, as `errata index` does.
func saveErrata(entries []content.Entry, dir string) (time.Duration, error) {
	start := time.Now()
	if err := search.Save(entries, dir); err != nil {
		return 0, fmt.Errorf("search.Save: %w", err)
	}
	return time.Since(start), nil
}

// openErrata opens the index saved in dir for entries, as `errata serve` does
// with a prebuilt index, and checks that no entry is missing.
func openErrata(dir string, entries []content.Entry) (*search.Index, time.Duration, error) {
	start := time.Now()
	ix, err := search.Open(dir, entries)
	took := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("search.Open: %w", err)
	}
	if n := ix.Count(); n != len(entries) {
		ix.Close()
		return nil, 0, fmt.Errorf("search.Open found %d documents for %d entries", n, len(entries))
	}
	return ix, took, nil
}
