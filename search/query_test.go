package search

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/errata/errata/content/corpus"
)

// termsQuery stands for bleve's MatchQuery with the analysis done once: the
// two must find the same documents with the same scores, alone and as the
// per-word disjunction over fields that textQuery builds.
func TestTermsQueryScoresAsMatchQuery(t *testing.T) {
	ix := build(t, corpus.Entries(realCorpora(t)))
	words := []string{"the", "don't", "userinfo.email", "AADSTS50126", "running", "Tokens", "rate-limit", "21211", "invalid_grant", "x"}
	var vocab []string
	for w := range ix.vocab.df {
		vocab = append(vocab, w)
	}
	slices.Sort(vocab)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 60 {
		words = append(words, vocab[rng.IntN(len(vocab))])
	}
	fields := []struct {
		name  string
		boost float64
	}{{fTitle, boostTitle}, {fMessage, boostMessage}, {fAlias, boostAlias}, {fBody, boostBody * 0.3}}
	type hit struct {
		id    string
		score float64
	}
	search := func(q query.Query) []hit {
		req := bleve.NewSearchRequestOptions(q, 10_000, 0, false)
		res, err := ix.bleve.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		var out []hit
		for _, h := range res.Hits {
			out = append(out, hit{h.ID, h.Score})
		}
		return out
	}
	found := 0
	for _, w := range words {
		var terms []string
		ix.en(w, func(t string, _, _ int) { terms = append(terms, t) })
		var matches, ours []query.Query
		for _, f := range fields {
			m := bleve.NewMatchQuery(w)
			m.SetField(f.name)
			m.SetBoost(f.boost)
			matches = append(matches, m)
			ours = append(ours, termsQuery(terms, f.name, f.boost))
			if want, got := search(m), search(ours[len(ours)-1]); !slices.Equal(want, got) {
				t.Fatalf("%q in %s: MatchQuery finds %d hits, termsQuery %d, or scores differ", w, f.name, len(want), len(got))
			}
		}
		want, got := search(bleve.NewDisjunctionQuery(matches...)), search(bleve.NewDisjunctionQuery(ours...))
		if !slices.Equal(want, got) {
			t.Fatalf("%q over the fields: MatchQuery finds %d hits, termsQuery %d, or scores differ", w, len(want), len(got))
		}
		found += len(got)
	}
	if found < len(words) {
		t.Errorf("%d hits for %d words: the comparison hardly compares", found, len(words))
	}
}

// A catalogue of at most minCommonCutoff entries skips counting the stems of
// words the vocabulary knows. Counted, they would decide nothing else: every
// word is rare, none is broad, and a known word is in the index.
func TestSmallCatalogueNeedsNoStemCounts(t *testing.T) {
	ix := catalogue(t)
	if len(ix.entries) > minCommonCutoff {
		t.Skipf("the catalogue has %d entries, more than %d", len(ix.entries), minCommonCutoff)
	}
	var qs []string
	for _, c := range loadRelevance(t) {
		qs = append(qs, c.Query)
	}
	qs = append(qs, rerankQueries(ix.entries, 40, rand.New(rand.NewPCG(9, 10)))...)
	df := ix.dfReader(context.Background())
	defer func() {
		if err := df.close(); err != nil {
			t.Error(err)
		}
	}()
	checked := 0
	for _, q := range qs {
		pl := understand(q)
		ws, err := ix.words(context.Background(), pl)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.stop {
				continue
			}
			for _, t0 := range append([]string{w.text}, w.fixes...) {
				ix.en(t0, func(stem string, _, _ int) {
					all, light, work := df.count(stem)
					if all > ix.commonCutoff() || light >= ix.broad.light || work >= ix.broad.work {
						t.Errorf("%q: stem %s counts %d/%d/%d, which would decide", q, stem, all, light, work)
					}
					if all > 0 && w.df == 0 {
						t.Errorf("%q: stem %s is in %d entries, yet the word counts as unknown", q, stem, all)
					}
					checked++
				})
			}
		}
	}
	if checked < len(qs) {
		t.Errorf("only %d stems checked", checked)
	}
}
