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

// openErrata is the whole start of `errata serve --index dir`: the saved
// index and the entries kept beside it are read back, no Markdown is parsed.
func openErrata(dir string) (*search.Index, time.Duration, error) {
	start := time.Now()
	ix, err := search.OpenSaved(dir)
	took := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("search.OpenSaved: %w", err)
	}
	return ix, took, nil
}
