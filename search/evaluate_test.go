package search

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

type scoredDoc struct {
	num   uint64
	score float64
}

// bleveScored is every match of q with its score, from bleve's searchers
// over r, as collect's bleve path reads them.
func bleveScored(tb testing.TB, ix *Index, r index.IndexReader, q query.Query, score string) []scoredDoc {
	tb.Helper()
	s, err := q.Searcher(context.Background(), r, ix.bleve.Mapping(), bsearch.SearcherOptions{Score: score})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: r}
	var out []scoredDoc
	for {
		d, err := s.Next(sctx)
		if err != nil {
			tb.Fatal(err)
		}
		if d == nil {
			return out
		}
		out = append(out, scoredDoc{d.IndexInternalID.Value(), d.Score})
		sctx.DocumentMatchPool.Put(d)
	}
}

// directScored is every match of q with its score from the evaluator over
// r's replayed postings, and whether it answered at all.
func directScored(tb testing.TB, ix *Index, r index.IndexReader, q query.Query, score string) ([]scoredDoc, bool) {
	tb.Helper()
	rr, ok := ix.replay.reader(r).(replayReader)
	if !ok {
		tb.Fatalf("the snapshot %T is not replayed", r)
	}
	d := directScoring{}
	var out []scoredDoc
	done, err := d.matches(context.Background(), ix, rr, q, score, func(num uint64, s float64) (bool, error) {
		out = append(out, scoredDoc{num, s})
		return false, nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out, done
}

// sameScore allows a relative 1e-12, for a sum taken in another order
// may differ in its last bits (the evaluator takes bleve's order, and
// the scores compared here are in fact equal to the bit).
func sameScore(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b || math.Abs(a-b) <= 1e-12*max(math.Abs(a), math.Abs(b))
}

// smallCatalogues are the embedded catalogue and, with it, real entries
// up to collectorCounts: the catalogues the evaluator answers.
func smallCatalogues(tb testing.TB) map[string][]content.Entry {
	own, err := content.Load(content.Embedded())
	if err != nil {
		tb.Fatal(err)
	}
	real := corpustest.RealEntries(tb)
	return map[string][]content.Entry{
		"catalogue": own,
		"mixed":     append(slices.Clone(own), real[:collectorCounts-len(own)]...),
	}
}

// smallQueries are every relevance query and queries drawn from es, with
// status (one code, a class) and provider filters and later pages.
func smallQueries(tb testing.TB, es []content.Entry) []Query {
	rng := rand.New(rand.NewPCG(11, uint64(len(es))))
	var qs []Query
	for _, c := range loadRelevance(tb) {
		qs = append(qs, Query{Text: c.Query})
	}
	for _, text := range rerankQueries(es, 60, rng) {
		qs = append(qs, Query{Text: text})
	}
	for i, text := range rerankQueries(es, 40, rng) {
		q := Query{Text: text, Page: 1 + i%3, PerPage: 5}
		e := &es[rng.IntN(len(es))]
		switch i % 4 {
		case 0:
			q.Status = StatusSet{{e.Status, e.Status}}
		case 1:
			q.Status = StatusSet{{400, 499}}
		case 2:
			if len(e.Providers) > 0 {
				q.Providers = e.Providers[:1]
			}
		case 3:
			q.Status = StatusSet{{e.Status, e.Status}}
			q.Providers = e.Providers
		}
		qs = append(qs, q)
	}
	return qs
}

// hasQuery reports whether q holds a query of type T.
func hasQuery[T query.Query](q query.Query) bool {
	switch q := q.(type) {
	case T:
		return true
	case *query.BooleanQuery:
		return q.Must != nil && hasQuery[T](q.Must) || q.Should != nil && hasQuery[T](q.Should)
	case *query.ConjunctionQuery:
		return slices.ContainsFunc(q.Conjuncts, hasQuery[T])
	case *query.DisjunctionQuery:
		return slices.ContainsFunc(q.Disjuncts, hasQuery[T])
	}
	return false
}

// TestDirectScoresAsBleve asks the small catalogues every relevance query
// and queries drawn from their entries, filtered and not, on later pages
// too. Every tree collect is given is answered by bleve's searchers on the
// snapshot and by the evaluator on its replayed postings: the same
// documents in the same order, the same scores to 1e-12. Whole answers
// are then the same with the evaluator on and off.
func TestDirectScoresAsBleve(t *testing.T) {
	allRanges := 0
	for name, es := range smallCatalogues(t) {
		t.Run(name, func(t *testing.T) {
			ix := build(t, es)
			type tree struct {
				q     query.Query
				score string
			}
			var trees []tree
			ix.direct.seen = func(q query.Query, score string) { trees = append(trees, tree{q, score}) }
			r := snapshotOf(t, ix)
			var compared, matched, uncounted, docIDs, shoulds, ranges int
			for _, q := range smallQueries(t, es) {
				trees = trees[:0]
				ix.direct.off = true
				want := run(t, ix, q)
				if len(trees) > 0 {
					t.Fatalf("%+v: the evaluator ran while off", q)
				}
				ix.direct.off = false
				got := run(t, ix, q)
				if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Results{}, "Took"), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
					t.Fatalf("%+v: the evaluator answers otherwise (-bleve +evaluator):\n%s", q, diff)
				}
				for _, tr := range trees {
					wantDocs := bleveScored(t, ix, r, tr.q, tr.score)
					gotDocs, done := directScored(t, ix, r, tr.q, tr.score)
					if !done {
						t.Fatalf("%+v: a tree the evaluator answered in the search it will not answer again", q)
					}
					if len(wantDocs) != len(gotDocs) {
						t.Fatalf("%+v (score %q): bleve matches %d documents, the evaluator %d\nbleve: %v\nevaluator: %v", q, tr.score, len(wantDocs), len(gotDocs), wantDocs, gotDocs)
					}
					for i := range wantDocs {
						w, g := wantDocs[i], gotDocs[i]
						if w.num != g.num || !sameScore(w.score, g.score) {
							t.Fatalf("%+v (score %q): match %d is document %d scored %v by bleve, %d scored %v by the evaluator", q, tr.score, i, w.num, w.score, g.num, g.score)
						}
					}
					compared++
					matched += len(wantDocs)
					if tr.score == "none" {
						uncounted++
					}
					if hasQuery[*query.DocIDQuery](tr.q) {
						docIDs++
					}
					if b, ok := tr.q.(*query.BooleanQuery); ok && b.Should != nil {
						shoulds++
					}
					if hasQuery[*query.NumericRangeQuery](tr.q) {
						ranges++
					}
				}
			}
			t.Logf("%d trees compared (%d matches): %d count passes scoring none, %d with document ids, %d with should clauses, %d with a status range", compared, matched, uncounted, docIDs, shoulds, ranges)
			if compared < 100 || matched < 500 || uncounted == 0 || docIDs == 0 || shoulds < 10 {
				t.Fatal("too few trees of some kind were compared to prove anything")
			}
			allRanges += ranges
		})
	}
	// On fifteen entries no status class is narrow enough to be part of
	// the query (selective); on a hundred some are.
	if allRanges == 0 && !t.Failed() {
		t.Fatal("no tree with a status range was compared")
	}
}

// TestDirectOnlyOnSmallCatalogues: past collectorCounts entries nothing is
// replayed and the evaluator never runs; at collectorCounts it answers.
func TestDirectOnlyOnSmallCatalogues(t *testing.T) {
	real := corpustest.RealEntries(t)
	for _, n := range []int{collectorCounts, collectorCounts + 1, 5 * collectorCounts} {
		ix := build(t, real[:n])
		seen := 0
		ix.direct.seen = func(query.Query, string) { seen++ }
		for _, text := range rerankQueries(real[:n], 10, rand.New(rand.NewPCG(3, 4))) {
			run(t, ix, Query{Text: text})
		}
		if n <= collectorCounts && seen == 0 {
			t.Errorf("%d entries: the evaluator never ran", n)
		}
		if n > collectorCounts && seen > 0 {
			t.Errorf("%d entries: the evaluator ran %d times past collectorCounts (%d)", n, seen, collectorCounts)
		}
	}
}

// TestDirectLeavesToBleve: what the evaluator does not know takes bleve's
// path, which answers it (or refuses it) as before.
func TestDirectLeavesToBleve(t *testing.T) {
	ix := catalogue(t)
	r := snapshotOf(t, ix)
	term := func(field, t string) query.Query {
		q := bleve.NewTermQuery(t)
		q.SetField(field)
		return q
	}
	lo, hi, incl, excl := 400.0, 499.0, true, false
	status := bleve.NewNumericRangeInclusiveQuery(&lo, &hi, &incl, &incl)
	status.SetField(fStatusNum) // scores: a boost of 1
	open := bleve.NewNumericRangeInclusiveQuery(&lo, &hi, &incl, &excl)
	open.SetField(fStatusNum)
	open.SetBoost(0)
	filter := statusQuery(StatusSet{{400, 499}}, 0)
	not := bleve.NewBooleanQuery()
	not.AddMust(term(fMessage, "request"))
	not.AddMustNot(term(fMessage, "token"))
	filtered := bleve.NewBooleanQuery()
	filtered.AddMust(term(fMessage, "request"))
	filtered.AddFilter(term(fMessage, "token"))
	wide := make([]query.Query, maxClauses+1)
	for i := range wide {
		wide[i] = term(fTitle, "request")
	}
	for name, q := range map[string]query.Query{
		"numeric range": status,
		"open range":    open,
		"filter alone":  filter, // its query norm is infinite
		"must not":      not,
		"filter":        filtered,
		"match all":     bleve.NewMatchAllQuery(),
		"no field":      bleve.NewTermQuery("request"),
		"in a tree":     bleve.NewDisjunctionQuery(term(fMessage, "request"), status),
		"too wide":      bleve.NewDisjunctionQuery(wide...),
	} {
		if _, done := directScored(t, ix, r, q, ""); done {
			t.Errorf("%s: the evaluator answered a query it does not know", name)
		}
	}
	if _, done := directScored(t, ix, r, filter, "none"); !done {
		t.Error("a status filter alone, counted, was left to bleve")
	}
	if _, done := directScored(t, ix, r, term(fMessage, "request"), "fusion"); done {
		t.Error("the evaluator answered with scoring options it does not know")
	}
	// Through collect, the query bleve refuses is still refused.
	c := ix.newCollector(Query{}, 10)
	defer c.release()
	if err := ix.collect(context.Background(), bleve.NewDisjunctionQuery(wide...), "", c); err == nil {
		t.Error("a disjunction past maxClauses was answered")
	}
}

// TestDirectStopsWhenAsked: a cancelled search is an error, not an
// answer, and a collector with enough stops the evaluator.
func TestDirectStopsWhenAsked(t *testing.T) {
	ix := catalogue(t)
	r := snapshotOf(t, ix)
	rr := ix.replay.reader(r).(replayReader)
	q := bleve.NewDisjunctionQuery(bleve.NewTermQuery("request"), bleve.NewTermQuery("rate"))
	for _, tq := range q.Disjuncts {
		tq.(*query.TermQuery).SetField(fMessage)
	}
	all, done := directScored(t, ix, r, q, "")
	if !done || len(all) < 2 {
		t.Fatalf("the query matched %d documents (answered: %v): pick words more entries hold", len(all), done)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := directScoring{}
	done, err := d.matches(ctx, ix, rr, q, "", func(uint64, float64) (bool, error) {
		t.Fatal("a cancelled search handed out a match")
		return false, nil
	})
	if !done || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: answered %v, err %v; want an answer of context.Canceled", done, err)
	}
	n := 0
	if _, err := d.matches(context.Background(), ix, rr, q, "", func(uint64, float64) (bool, error) { n++; return true, nil }); err != nil || n != 1 {
		t.Errorf("a collector with enough after one match was handed %d (err %v)", n, err)
	}
}

// TestDirectScoresEveryShape compares the evaluator with bleve's
// searchers on trees of every node it knows, in shapes the searches build
// rarely or never: a lone term or document id (no query norm), a
// disjunction needing two children, a required should, a clause that is
// no query at all, a conjunction holding one, a heap disjunction nested
// in another, boosts of zero, each scored and not.
func TestDirectScoresEveryShape(t *testing.T) {
	ix := catalogue(t)
	r := snapshotOf(t, ix)
	term := func(field, text string, boost float64) query.Query {
		q := bleve.NewTermQuery(text)
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	words := []string{"request", "rate", "token", "limit", "invalid", "user", "tenant", "access", "denied", "sign", "application", "missing"}
	var many []query.Query
	for i, w := range words {
		many = append(many, term(fMessage, w, 1+float64(i)/4), term(fTitle, w, 2))
	}
	ids := bleve.NewDocIDQuery([]string{"3", "0", "7", "07", "x", "999"})
	ids.SetBoost(5)
	two := bleve.NewDisjunctionQuery(term(fMessage, "request", 1), term(fMessage, "user", 1), term(fTitle, "request", 1))
	two.SetMin(2)
	should := bleve.NewBooleanQuery()
	should.AddMust(bleve.NewDisjunctionQuery(many...))
	should.Should = two
	emptyMust := bleve.NewBooleanQuery()
	emptyMust.Must = bleve.NewDisjunctionQuery()
	emptyMust.AddShould(term(fMessage, "request", 1), ids)
	nested := bleve.NewDisjunctionQuery(append([]query.Query{bleve.NewDisjunctionQuery(many...), bleve.NewMatchNoneQuery(), ids}, many[:11]...)...)
	// Filters as filterQueries makes them, on an entry with a status and
	// a provider, found by its id among the words.
	i := 0
	for ; i < ix.entries.len(); i++ {
		if e := ix.entries.at(i); e.Status > 0 && len(e.Providers) > 0 {
			break
		}
	}
	if i == ix.entries.len() {
		t.Fatal("no entry of the catalogue has a status and a provider")
	}
	e := ix.entries.at(i)
	filtered := bleve.NewBooleanQuery()
	filtered.AddMust(term(fStatus, strconv.Itoa(e.Status), 0), term(fProviders, e.Providers[0], 0),
		bleve.NewDisjunctionQuery(append(slices.Clone(many), bleve.NewDocIDQuery([]string{strconv.Itoa(i)}))...))
	filtered.AddShould(bleve.NewConjunctionQuery(term(fMessage, "rate", 1), term(fMessage, "limit", 1)))
	// A range of one status, at both bounds, as statusQuery makes noStatus.
	st, incl := float64(e.Status), true
	one := bleve.NewNumericRangeInclusiveQuery(&st, &st, &incl, &incl)
	one.SetField(fStatusNum)
	one.SetBoost(0)
	shapes := map[string]query.Query{
		"one status range":  boolean([]query.Query{one, bleve.NewDisjunctionQuery(append(slices.Clone(many), ids, bleve.NewDocIDQuery([]string{strconv.Itoa(i)}))...)}, nil),
		"lone term":         term(fMessage, "request", 3),
		"lone ids":          ids,
		"absent term":       bleve.NewDisjunctionQuery(term(fMessage, "zzzabsent", 1), term(fMessage, "request", 1)),
		"min two":           two,
		"required should":   should,
		"no must":           emptyMust,
		"conjunction none":  bleve.NewConjunctionQuery(term(fMessage, "request", 1), bleve.NewMatchNoneQuery()),
		"empty conjunction": bleve.NewConjunctionQuery(),
		"heap in heap":      nested,
		"zero boosts":       filtered,
		"all zero":          bleve.NewDisjunctionQuery(term(fMessage, "request", 0), term(fMessage, "user", 0)),
		"status class":      boolean([]query.Query{statusQuery(StatusSet{{400, 499}}, 0), bleve.NewDisjunctionQuery(many...)}, []query.Query{ids}),
		"no status":         boolean([]query.Query{statusQuery(StatusSet{noStatus, {429, 429}}, 0), bleve.NewDisjunctionQuery(append(slices.Clone(many), ids)...)}, nil),
	}
	for name, q := range shapes {
		for _, score := range []string{"", "none"} {
			want := bleveScored(t, ix, r, flat(q), score)
			got, done := directScored(t, ix, r, flat(q), score)
			if !done {
				t.Fatalf("%s: the evaluator did not answer", name)
			}
			if len(want) != len(got) {
				t.Fatalf("%s (score %q): bleve matches %v, the evaluator %v", name, score, want, got)
			}
			for i := range want {
				if want[i].num != got[i].num || !sameScore(want[i].score, got[i].score) {
					t.Fatalf("%s (score %q): match %d is %+v by bleve, %+v by the evaluator", name, score, i, want[i], got[i])
				}
			}
			if len(want) == 0 && name != "conjunction none" && name != "empty conjunction" {
				t.Errorf("%s matches nothing: pick other words", name)
			}
		}
	}
}

// TestDirectConcurrently: searches answered at once by pooled evaluators
// over one index's replayed postings answer as they do one at a time
// (run with -race).
func TestDirectConcurrently(t *testing.T) {
	ix := build(t, fixtures())
	texts := []string{"rate limit", "invalid token", "request", "429 too many requests", "unauthorized"}
	want := make([]*Results, len(texts))
	seen, hits := 0, 0
	ix.direct.seen = func(query.Query, string) { seen++ }
	for i, text := range texts {
		want[i] = run(t, ix, Query{Text: text})
		hits += len(want[i].Hits)
	}
	ix.direct.seen = nil
	if seen == 0 || hits == 0 {
		t.Fatalf("the evaluator ran %d times for %d hits: nothing to compare", seen, hits)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(texts))
	for g := range 4 {
		wg.Go(func() {
			for k := range 20 {
				i := (g + k) % len(texts)
				got, err := ix.Search(context.Background(), Query{Text: texts[i]})
				if err != nil {
					errs <- err.Error()
					return
				}
				if diff := cmp.Diff(want[i], got, cmpopts.IgnoreFields(Results{}, "Took")); diff != "" {
					errs <- texts[i] + ":\n" + diff
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// BenchmarkDirect searches the embedded catalogue with every relevance
// query and queries drawn from its entries, scored by bleve's searchers
// and by the evaluator. CPU per search is steadier than wall time where
// the cores are shared.
func BenchmarkDirect(b *testing.B) {
	own, err := content.Load(content.Embedded())
	if err != nil {
		b.Fatal(err)
	}
	ix := build(b, own)
	var qs []Query
	for _, c := range loadRelevance(b) {
		qs = append(qs, Query{Text: c.Query})
	}
	for _, text := range rerankQueries(own, 30, rand.New(rand.NewPCG(5, 6))) {
		qs = append(qs, Query{Text: text})
	}
	for _, off := range []bool{true, false} {
		name := map[bool]string{true: "bleve", false: "direct"}[off]
		b.Run(name, func(b *testing.B) {
			ix.direct.off = off
			defer func() { ix.direct.off = false }()
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			cpu := cpuTime()
			for b.Loop() {
				if _, err := ix.Search(ctx, qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			if cpu > 0 {
				b.ReportMetric(float64(cpuTime()-cpu)/float64(i), "cpu-ns/op")
			}
		})
	}
}
