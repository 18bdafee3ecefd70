package search

import (
	"context"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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
		for _, q := range codeQueries(ix) {
			asked++
			if q.Page == 0 {
				q.Page, q.PerPage = 1, DefaultPerPage
			}
			pl := understand(q.Text, ix.prov.sig)
			ix.resolve(&pl)
			// As answerCode does: the word counted with its
			// postings kept, then read.
			df := ix.dfReader(ctx)
			df.keep = true
			ws := ix.lookUpWords(pl, df)
			terms, found := ix.loneCode(pl, ws)
			got := ix.newCollector(q, rerankWindow)
			got.named = pl.namedDocs()
			if found {
				if err := ix.matchCode(ctx, terms, df, got); err != nil {
					t.Fatalf("%s: %q: %v", name, q.Text, err)
				}
			}
			if err := df.close(); err != nil {
				t.Fatal(err)
			}
			if !found {
				continue
			}
			fast++
			must, should := ix.textQuery(&pl, ws, reachAll)
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
		// Most codes are one word of one term: they must take the fast
		// path, or this test compares nothing.
		if fast < asked*3/4 {
			t.Errorf("%s: %d of %d code queries read their postings", name, fast, asked)
		}
		t.Logf("%s: %d of %d code queries read their postings, all as bleve", name, fast, asked)
	}
}

// A lone code answered from its postings (answerCode) is the answer of the
// full search, whole: the same hits in the same order with the same scores,
// snippets and matches, the same totals and facets. Every code of the real
// catalogue is asked, as written and in lower case, filtered and on a later
// page, of the catalogue built in memory and saved and opened (its entries
// then read in place from the mapped file, and its hits made from them the
// same as those of the entries in memory).
func TestAnswerCodeAsFullSearch(t *testing.T) {
	imported, saved := importedBuiltAndSaved(t)
	// The words that are a whole template, found as the saved tokens are
	// checked, are those found as a build makes them (see rerank).
	if !maps.Equal(saved.tokens.sole, imported.tokens.sole) || len(saved.tokens.sole) == 0 {
		t.Fatalf("saved sole words %d, built %d (or they differ)", len(saved.tokens.sole), len(imported.tokens.sole))
	}
	ctx := context.Background()
	for name, ix := range map[string]*Index{"imported": imported, "saved": saved, "full": fullIndex(t)} {
		fast, asked := 0, 0
		for _, q := range codeQueries(ix, Query{Page: 2, PerPage: 3}) {
			asked++
			got, err := ix.search(ctx, q, true)
			if err != nil {
				t.Fatalf("%s: %+v: %v", name, q, err)
			}
			want, err := ix.search(ctx, q, false)
			if err != nil {
				t.Fatalf("%s: %+v: %v", name, q, err)
			}
			got.Took, want.Took = 0, 0
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %+v:\nfast %+v\nfull %+v", name, q, got, want)
			}
			_, lone := ix.loneCode(plannedWords(t, ix, q.Text))
			if lone {
				fast++
			}
			if ix == saved && lone {
				// Hits read in place from the mapped file are
				// those of the entries in memory. (Only a lone
				// code's: the full search's scores of a code
				// with completions differ by an ulp from run to
				// run, and its ties with them.)
				built, err := imported.search(ctx, q, true)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(built, got, cmpopts.IgnoreFields(Results{}, "Took"), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
					t.Fatalf("%+v: saved answers differently (-built +saved):\n%s", q, diff)
				}
			}
		}
		// Most codes are one word of one term: they must take the fast
		// path, or this test compares nothing.
		if fast < asked*3/4 {
			t.Errorf("%s: %d of %d code queries answered from their postings", name, fast, asked)
		}
		t.Logf("%s: %d of %d code queries answered from their postings, all as the full search", name, fast, asked)
	}
}

// codeQueries asks every code of ix's entries as written, in lower case,
// filtered by status and by provider, and as each of more (its Text set
// to the code).
func codeQueries(ix *Index, more ...Query) []Query {
	var out []Query
	for i := range ix.Len() {
		for _, code := range entryCodes(new(ix.At(i))) {
			out = append(out, Query{Text: code}, Query{Text: strings.ToLower(code)},
				Query{Text: code, Status: StatusSet{{400, 499}}}, Query{Text: code, Providers: []string{"microsoft"}})
			for _, m := range more {
				m.Text = code
				out = append(out, m)
			}
		}
	}
	return out
}
