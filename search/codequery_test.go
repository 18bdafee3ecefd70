package search

import (
	"context"
	"strings"
	"testing"

	"github.com/errata/errata/content/corpus/corpustest"
)

// A lone code read from its postings (matchCode) hands the collector what
// bleve's full search hands it: the same entries with the same scores, bit
// for bit, so the same totals, facets and best hits, filtered or not. Every
// code of the real catalogue is asked, as written and in lower case, on the
// catalogue as imported and as the paste set searches it.
func TestMatchCodeAsBleve(t *testing.T) {
	corpustest.RealImported(t)
	imported, err := importedIndex()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, ix := range map[string]*Index{"imported": imported, "full": fullIndex(t)} {
		fast, asked := 0, 0
		for i := range ix.Len() {
			for _, code := range entryCodes(new(ix.At(i))) {
				for _, q := range []Query{
					{Text: code}, {Text: strings.ToLower(code)},
					{Text: code, Status: StatusSet{{400, 499}}}, {Text: code, Providers: []string{"microsoft"}},
				} {
					asked++
					if q.Page == 0 {
						q.Page, q.PerPage = 1, DefaultPerPage
					}
					pl := understand(q.Text, ix.prov.sig)
					ix.resolve(&pl)
					ws, err := ix.words(ctx, pl)
					if err != nil {
						t.Fatal(err)
					}
					// As searchText does: the query first (it may name
					// entries by their templates), then the fast path.
					must, should := ix.textQuery(&pl, ws, reachAll)
					got := ix.newCollector(q, rerankWindow)
					got.named = pl.namedDocs()
					found, err := ix.matchCode(ctx, pl, ws, got)
					if err != nil {
						t.Fatalf("%s: %q: %v", name, q.Text, err)
					}
					if !found {
						continue
					}
					fast++
					want := ix.newCollector(q, rerankWindow)
					want.named = pl.namedDocs()
					if err := ix.match(ctx, q, pl, ws, must, should, want); err != nil {
						t.Fatal(err)
					}
					if got.total != want.total || got.statusCounts != want.statusCounts || got.provCounts != want.provCounts {
						t.Fatalf("%s: %+v: total %d, want %d (or the facets differ)", name, q, got.total, want.total)
					}
					g, w := got.best(), want.best()
					if len(g) != len(w) {
						t.Fatalf("%s: %+v: %d best hits, want %d", name, q, len(g), len(w))
					}
					for k := range g {
						if g[k] != w[k] {
							t.Fatalf("%s: %+v: hit %d is %+v, want %+v", name, q, k, g[k], w[k])
						}
					}
				}
			}
		}
		// Most codes are one word of one term: they must take the fast
		// path, or this test compares nothing.
		if fast < asked*3/4 {
			t.Errorf("%s: %d of %d code queries read their postings", name, fast, asked)
		}
		t.Logf("%s: %d of %d code queries read their postings, all as bleve", name, fast, asked)
	}
}
