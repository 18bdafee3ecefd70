package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/errata/errata/content"
)

// catalogue builds an index over the real embedded catalogue.
func catalogue(tb testing.TB) *Index {
	tb.Helper()
	es, err := content.Load(content.Embedded())
	if err != nil {
		tb.Fatalf("load catalogue: %v", err)
	}
	return build(tb, es)
}

func build(tb testing.TB, es []content.Entry) *Index {
	tb.Helper()
	ix, err := Build(es)
	if err != nil {
		tb.Fatalf("Build: %v", err)
	}
	tb.Cleanup(func() { ix.Close() })
	return ix
}

// run searches with a generous deadline that only detects hangs.
func run(tb testing.TB, ix *Index, q Query) *Results {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := ix.Search(ctx, q)
	if err != nil {
		tb.Fatalf("Search(%q): %v", q.Text, err)
	}
	return res
}

// marked is a snippet's text with its matched spans in [brackets], to
// compare a snippet as one string.
func marked(sn Snippet) string {
	var b strings.Builder
	for _, sp := range sn {
		if sp.Mark {
			b.WriteString("[" + sp.Text + "]")
		} else {
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

// hasProvider reports whether e names any of slugs (an empty filter matches all).
func hasProvider(e *content.Entry, slugs []string) bool {
	if len(slugs) == 0 {
		return true
	}
	for _, p := range e.Providers {
		if slices.Contains(slugs, p) {
			return true
		}
	}
	return false
}

func ids(res *Results) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}
