package search

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
)

func TestFieldRanking(t *testing.T) {
	ix := build(t, fixtures())
	// One word: title > alias > message > cause.
	res := run(t, ix, Query{Text: "quota"})
	got := ids(res)
	want := []string{"400-in-title", "403-in-alias", "429-in-message", "500-in-cause"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quota (-want +got):\n%s", diff)
	}
	// The exact message, placeholder filled in, beats the title.
	res = run(t, ix, Query{Text: "The mailbox quota was exceeded for user Jane Doe today."})
	if got := ids(res); len(got) == 0 || got[0] != "429-in-message" {
		t.Errorf("exact message: got %v, want 429-in-message first", got)
	}
	// The same words in phrase order beat them scattered.
	res = run(t, ix, Query{Text: "refresh token was revoked"})
	if got := ids(res); len(got) < 2 || got[0] != "404-exact-phrase" {
		t.Errorf("phrase order: got %v, want 404-exact-phrase first", got)
	}
}

// termsQuery stands for bleve's MatchQuery with the analysis done once: the
// two must find the same documents with the same scores, alone and as the
// per-word disjunction over fields that textQuery builds.
func TestTermsQueryScoresAsMatchQuery(t *testing.T) {
	ix := corporaIndex(t)
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
	// Terms a field does not hold are left out (termQuery): the hits and
	// their order are the same, and the scores too once divided by the
	// best, as the re-rank divides them (the query norm differs).
	normalised := func(hs []hit) []hit {
		out := slices.Clone(hs)
		for i := range out {
			out[i].score = math.Round(out[i].score/hs[0].score*1e9) / 1e9
		}
		return out
	}
	found, pruned := 0, 0
	look := ix.termLookup()
	defer look.close()
	if ix.heldDicts == nil {
		t.Fatal("the corpora's index is in memory, yet holds no dictionaries")
	}
	// The dictionaries held for the index's life say what a snapshot's say.
	opened := ix.termLookup()
	defer opened.close()
	agree := func(field, term string) {
		ds, ok := opened.dicts(field)
		if !ok {
			t.Fatalf("open %s: %v", field, opened.err)
		}
		if held, snap := look.has(field, term), opened.contains(ds, term); held != snap {
			t.Fatalf("%q in %s: held dictionaries say %v, the snapshot's %v", term, field, held, snap)
		}
	}
	for _, w := range words {
		var terms []string
		ix.en(w, func(t string, _, _ int) { terms = append(terms, t) })
		var matches, ours, lean []query.Query
		for _, f := range fields {
			m := bleve.NewMatchQuery(w)
			m.SetField(f.name)
			m.SetBoost(f.boost)
			matches = append(matches, m)
			ours = append(ours, termsQuery(terms, f.name, f.boost, nil))
			lean = append(lean, termsQuery(terms, f.name, f.boost, look))
			for _, term := range terms {
				agree(f.name, term)
			}
			if _, none := lean[len(lean)-1].(*query.MatchNoneQuery); none && len(terms) > 0 {
				pruned++
			}
			// Nested, as textQuery nests them: the query norm is the
			// root's (a lone term query has none).
			nested := func(q query.Query) query.Query { return bleve.NewDisjunctionQuery(q) }
			if want, got := search(nested(m)), search(nested(ours[len(ours)-1])); !slices.Equal(want, got) {
				t.Fatalf("%q in %s: MatchQuery finds %d hits, termsQuery %d, or scores differ", w, f.name, len(want), len(got))
			}
		}
		want, got := search(bleve.NewDisjunctionQuery(matches...)), search(bleve.NewDisjunctionQuery(ours...))
		if !slices.Equal(want, got) {
			t.Fatalf("%q over the fields: MatchQuery finds %d hits, termsQuery %d, or scores differ", w, len(want), len(got))
		}
		if len(want) > 0 {
			if lean := search(bleve.NewDisjunctionQuery(lean...)); !slices.Equal(normalised(want), normalised(lean)) {
				t.Fatalf("%q over the fields: %d hits, %d with the terms no field holds left out, or scores differ", w, len(want), len(lean))
			}
		}
		found += len(got)
	}
	if pruned == 0 {
		t.Error("no field lacked any of the words: the look-up was not compared")
	}
	if found < len(words) {
		t.Errorf("%d hits for %d words: the comparison hardly compares", found, len(words))
	}
}

// A query of stop words only ("should not have same From") matched nothing:
// the English fields drop every one of its words. It now finds the entries
// holding the most of its word pairs, best first.
func TestStopWordsOnly(t *testing.T) {
	es := append(fixtures(),
		entry("same-from-to", 0, "Channels message cannot have same From and To", []string{"twilio"},
			[]string{"Channels message should not have same From and To number"}, nil, "Same numbers.", "Use two numbers."),
		entry("not-have-access", 0, "No Access", nil, []string{"You do not have access to this queue."}, nil, "No access.", "Ask."),
		entry("is-not-valid", 0, "Invalid Number", nil, []string{"The number is not valid."}, nil, "Bad number.", "Fix it."),
	)
	ix := build(t, es)
	for _, tc := range []struct {
		q, first string
		atLeast  int
	}{
		{"not have same From", "same-from-to", 2}, // "not have" is in two entries
		{"should not have same from", "same-from-to", 2},
		{"Should Not", "same-from-to", 1},
		{"is not", "is-not-valid", 1},
	} {
		res := run(t, ix, Query{Text: tc.q})
		if res.Total < tc.atLeast || len(res.Hits) == 0 || res.Hits[0].ID != tc.first {
			t.Errorf("%q: %d hits %v, want %s first of at least %d", tc.q, res.Total, first(ids(res), 3), tc.first, tc.atLeast)
		}
	}
	// One stop word alone has no pair to look up: nothing matches, and the
	// results say which words were too common.
	if res := run(t, ix, Query{Text: "cannot"}); res.Total != 0 || !slices.Equal(res.TooCommon, []string{"cannot"}) {
		t.Errorf("cannot alone: %d hits %v, too common %q", res.Total, first(ids(res), 3), res.TooCommon)
	}
	for _, q := range []string{"quota", "xyzzyq", "cannot xyzzyq", `"cannot have"`} {
		if res := run(t, ix, Query{Text: q}); res.TooCommon != nil {
			t.Errorf("%q: too common %q, want none: it has a word that is not a stop word, or a phrase", q, res.TooCommon)
		}
	}
}

// On the real corpora, a stop-word fragment of a real message finds it.
func TestStopWordsOnlyRealCorpora(t *testing.T) {
	ix := corporaIndex(t)
	res := run(t, ix, Query{Text: "not have same From"})
	if len(res.Hits) == 0 || res.Hits[0].ID != "twilio-63031" {
		t.Errorf("not have same From: %d hits %v, want twilio-63031 first", res.Total, first(ids(res), 3))
	}
}

// TestLeanScoringKeepsMatches bounds the scoring of common words far below
// what the real corpora's queries need, so that no common word scores and
// every conjunction of common words finds with its rarest word alone:
// totals and facets stay those of every match, pages stay full, and every
// hit is a match, where the rarest word alone finds more.
func TestLeanScoringKeepsMatches(t *testing.T) {
	ix := fullIndex(t)
	lean := build(t, ix.Entries())
	lean.scoring = scoringLimits{work: 1, walk: 1}
	ctx := context.Background()
	loose := 0
	for _, text := range []string{
		"is not a valid phone number",
		"the request was invalid",
		"invalid access token",
		"Error validating credentials due to invalid username or password",
		"mailbox does not exist",
		"AADSTS50126 invalid username or password",
	} {
		want := run(t, ix, Query{Text: text, PerPage: MaxPerPage})
		got := run(t, lean, Query{Text: text, PerPage: MaxPerPage})
		if want.Total == 0 {
			t.Fatalf("%q: no match: no test", text)
		}
		sameCounts(t, fmt.Sprintf("%q", text), want, got)
		// The matches: what the query of every word matches.
		pl, ws := plannedWords(t, lean, text)
		must, _ := lean.textQuery(&pl, ws, reachAll)
		m, err := lean.newMatcher(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all, err := m.intersection(must)
		if err != nil {
			t.Fatal(err)
		}
		if int(all.GetCardinality()) != want.Total {
			t.Fatalf("%q: %d matches, %d counted", text, all.GetCardinality(), want.Total)
		}
		matches := map[string]bool{}
		for it := all.Iterator(); it.HasNext(); {
			matches[lean.entries.id(int(lean.docEntry[it.Next()]))] = true
		}
		for _, h := range got.Hits {
			if !matches[h.ID] {
				t.Errorf("%q: hit %s does not match the query", text, h.ID)
			}
		}
		// Does the rarest word alone find more than the query matches?
		g := lean.groupWords(pl, ws, reachAll)
		g.lean = &leanScoring{work: 1, walk: 1, candidates: want.Total}
		find, _ := g.findWith()
		if g.lean.loose {
			b, err := m.docs(find)
			if err != nil {
				t.Fatal(err)
			}
			if int(b.GetCardinality()) > want.Total {
				loose++
			}
		}
		if err := m.close(); err != nil {
			t.Fatal(err)
		}
	}
	if loose == 0 {
		t.Fatal("no query found more with its rarest word alone: no test of the filter")
	}
}

// TestLeanScoringKeepsTheRarest scores the common words the budget allows,
// the rarest first, in the order typed; without a budget, every one.
func TestLeanScoringKeepsTheRarest(t *testing.T) {
	ix := fullIndex(t)
	pl, ws := plannedWords(t, ix, "AADSTS50126 the request token was invalid for the user account")
	g := ix.groupWords(pl, ws, reachAll)
	if !g.known || len(g.common) < 3 {
		t.Fatalf("%d common words and a rare one wanted, got %d common, known %v", len(g.common), len(g.common), g.known)
	}
	if _, all := g.findWith(); len(all) != len(g.common) {
		t.Errorf("without a budget %d of %d common words score", len(all), len(g.common))
	}
	// A budget that fits the two rarest words' postings and candidates.
	byLight := make([]uint32, len(g.common))
	for i, q := range g.common {
		byLight[i] = q.light
	}
	slices.Sort(byLight)
	if byLight[1] == byLight[2] {
		t.Fatalf("the second and third rarest words tie (%d): no test", byLight[1])
	}
	const candidates = 10
	g.lean = &leanScoring{work: int(byLight[0]+byLight[1]) + 2*candidates*candidateWork, candidates: candidates}
	_, scored := g.findWith()
	var want []query.Query
	for _, q := range g.common {
		if q.light <= byLight[1] {
			want = append(want, q.score)
		}
	}
	if got := scoring(scored); !slices.Equal(got, want) {
		t.Errorf("scored %d words, want the %d rarest in typed order", len(got), len(want))
	}
}

// A query tree with its single-child levels taken out (flat) finds the
// same documents as the tree, each scored the same, for the trees
// textQuery builds for every relevance query and drawn ones, at each
// reach, with and without filters. (A disjunction of more than ten words
// may sum its matches in another order, by a unit in the last place.) A
// boolean clause that would become a match-none query keeps its level:
// bleve would drop it as no clause.
func TestFlatScoresAsTheTree(t *testing.T) {
	search := func(ix *Index, q query.Query) (uint64, map[string]float64) {
		res, err := ix.bleve.Search(bleve.NewSearchRequestOptions(q, ix.Len(), 0, false))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range res.Hits {
			out[h.ID] = h.Score
		}
		return res.Total, out
	}
	same := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Abs(a) }
	levels := func(q query.Query) int {
		n := 0
		var walk func(query.Query)
		walk = func(q query.Query) {
			switch q := q.(type) {
			case *query.BooleanQuery:
				for _, c := range []query.Query{q.Must, q.Should} {
					if c != nil {
						walk(c)
					}
				}
			case *query.ConjunctionQuery:
				n++
				for _, c := range q.Conjuncts {
					walk(c)
				}
			case *query.DisjunctionQuery:
				n++
				for _, c := range q.Disjuncts {
					walk(c)
				}
			}
		}
		walk(q)
		return n
	}
	for name, ix := range map[string]*Index{"catalogue": catalogue(t), "full": fullIndex(t)} {
		t.Run(name, func(t *testing.T) {
			var texts []string
			for _, c := range loadRelevance(t) {
				texts = append(texts, c.Query)
			}
			es := make([]content.Entry, ix.Len())
			for i := range es {
				es[i] = ix.entries.at(i)
			}
			texts = append(texts, rerankQueries(es, 40, rand.New(rand.NewPCG(3, 4)))...)
			trees, taken, found := 0, 0, 0
			for i, text := range texts {
				for _, r := range []reach{reachAll, reachBroad, reachHead} {
					pl, ws := plannedWords(t, ix, text)
					must, should := ix.textQuery(&pl, ws, r)
					if len(must) == 0 {
						continue
					}
					q := boolean(must, should)
					if i%3 == 1 {
						q = boolean(append(filterQueries(Query{Status: StatusSet{{400, 499}}}), must...), should)
					}
					before := levels(q)
					f := flat(q)
					if levels(q) != before {
						t.Fatalf("%q: flat changed the tree it was given", text)
					}
					wantN, want := search(ix, q)
					gotN, got := search(ix, f)
					if wantN != gotN || !maps.EqualFunc(want, got, same) {
						t.Fatalf("%q (reach %d): the tree finds %d, flat %d, or scores differ:\n%v\n%v", text, r, wantN, gotN, want, got)
					}
					trees++
					taken += before - levels(f)
					found += len(want)
				}
			}
			if trees == 0 || taken == 0 || found == 0 {
				t.Fatalf("%d trees, %d levels taken out, %d hits: nothing was compared", trees, taken, found)
			}
			t.Logf("%d trees, %d single-child levels taken out, %d hits compared", trees, taken, found)
		})
	}
	// A must clause of a query that matches nothing matches nothing still,
	// though should clauses match.
	ix := catalogue(t)
	should := bleve.NewTermQuery("request")
	should.SetField(fMessage)
	for _, must := range []query.Query{bleve.NewMatchNoneQuery(), bleve.NewDisjunctionQuery(bleve.NewMatchNoneQuery())} {
		q := boolean([]query.Query{must}, []query.Query{should})
		if n, _ := search(ix, should); n == 0 {
			t.Fatal("no entry's message holds request: the case tests nothing")
		}
		if n, _ := search(ix, flat(q)); n != 0 {
			t.Errorf("a must clause that matches nothing, flat: %d hits, want none", n)
		}
	}
}
