package search

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
)

// A collector reset after a search counts and keeps what a new one does:
// nothing of the totals, facets, filters or hits of the search before it
// is left, whatever filters either had.
func TestCollectorReset(t *testing.T) {
	qs := []Query{
		{Text: "password", Status: StatusSet{noStatus, {400, 499}}, Providers: []string{"microsoft-entra"}},
		{Text: "token"},
		{Text: "invalid request", Status: StatusSet{{400, 400}}},
		{Text: "message", Providers: []string{"twilio"}},
		{Text: "mailbox unavailable", Status: StatusSet{noStatus, {500, 599}}},
		{Text: "Error validating credentials due to invalid username or password", Page: 3, PerPage: 50},
		{Text: "too many requests", Status: StatusSet{{429, 429}}},
		{Text: "AADSTS50126"},
	}
	// The catalogue's collector counts as it collects; the full index's
	// is handed counts from bitmaps.
	for name, ix := range map[string]*Index{"catalogue": catalogue(t), "full": fullIndex(t)} {
		t.Run(name, func(t *testing.T) { checkCollectorReset(t, ix, qs) })
	}
}

func checkCollectorReset(t *testing.T, ix *Index, qs []Query) {
	ctx := context.Background()
	type planned struct {
		q            Query
		pl           plan
		ws           []word
		must, should []query.Query
	}
	var ps []planned
	for _, q := range qs {
		if err := normalizeQuery(&q, ix.prov.reg); err != nil {
			t.Fatal(err)
		}
		pl, ws := plannedWords(t, ix, q.Text)
		must, should := ix.textQuery(&pl, ws, reachAll)
		if len(must) > 0 {
			ps = append(ps, planned{q, pl, ws, must, should})
		}
	}
	run := func(c *collector, p planned) {
		t.Helper()
		c.named = p.pl.namedDocs()
		if err := ix.match(ctx, p.q, p.pl, p.ws, p.must, p.should, c); err != nil {
			t.Fatalf("%+v: %v", p.q, err)
		}
	}
	found := 0
	for _, a := range ps {
		for _, b := range ps {
			window := max(b.q.Page*b.q.PerPage, rerankWindow)
			used := new(collector)
			used.reset(ix, a.q, max(a.q.Page*a.q.PerPage, rerankWindow))
			run(used, a)
			used.reset(ix, b.q, window)
			run(used, b)
			fresh := new(collector)
			fresh.reset(ix, b.q, window)
			run(fresh, b)
			if fresh.total > 0 {
				found++
			}
			if used.total != fresh.total || used.matched != fresh.matched || used.statusCounts != fresh.statusCounts || used.provCounts != fresh.provCounts {
				t.Fatalf("%+v after %+v: total %d (of %d), a new collector's %d (of %d), or the facets differ", b.q, a.q, used.total, used.matched, fresh.total, fresh.matched)
			}
			if u, f := used.best(), fresh.best(); !slices.Equal(u, f) {
				t.Fatalf("%+v after %+v: best hits\nreset %v\nnew   %v", b.q, a.q, u, f)
			}
		}
	}
	if found < len(qs)*len(qs)/2 {
		t.Fatalf("%d of %d searches found anything: the comparison hardly compares", found, len(qs)*len(qs))
	}
}

// Searches through the pool of collectors answer as the first search of
// each query did, in any order.
func TestSearchPooledCollectors(t *testing.T) {
	ix := fullIndex(t)
	qs := []Query{
		{Text: "token", Status: StatusSet{{400, 499}}, Providers: []string{"microsoft-entra"}},
		{Text: "is not a valid phone number"},
		{Text: "invalid request", Status: StatusSet{{400, 400}}},
		{Text: "21211"},
		{Text: "mailbox", Providers: []string{"gmail"}},
		{Text: "throttled", Page: 2, PerPage: 5},
	}
	want := make([]*Results, len(qs))
	for i, q := range qs {
		want[i] = run(t, ix, q)
	}
	for round := range 3 {
		for k := range qs {
			i := (k*5 + round) % len(qs)
			got := run(t, ix, qs[i])
			sameCounts(t, qs[i].Text, want[i], got)
			if !slices.Equal(ids(got), ids(want[i])) {
				t.Errorf("%+v: hits %v, first asked %v", qs[i], ids(got), ids(want[i]))
			}
		}
	}
}

// cancelAfter is a context whose Err is nil for its first ok calls, then
// context.Canceled: a search cancelled at a chosen check.
type cancelAfter struct {
	context.Context
	ok int
}

func (c *cancelAfter) Err() error {
	if c.ok > 0 {
		c.ok--
		return nil
	}
	return context.Canceled
}

// Its deadline keeps Search from wrapping it in a timeout of its own.
func (c *cancelAfter) Deadline() (time.Time, bool) { return time.Now().Add(time.Minute), true }

// A context cancelled in the middle of collecting stops it at the next
// check with the context's error.
func TestCollectCancelled(t *testing.T) {
	ix := fullIndex(t)
	if ix.Len() <= 2*checkDoneEvery {
		t.Fatalf("%d entries: too few to cancel a search between two checks", ix.Len())
	}
	c := ix.newCollector(Query{}, rerankWindow)
	defer c.release()
	if err := ix.collect(&cancelAfter{Context: context.Background(), ok: 1 << 30}, query.NewMatchAllQuery(), "", c); err != nil {
		t.Fatal(err)
	}
	if c.total != ix.Len() {
		t.Fatalf("every document: %d collected of %d", c.total, ix.Len())
	}
	c.reset(ix, Query{}, rerankWindow)
	err := ix.collect(&cancelAfter{Context: context.Background(), ok: 1}, query.NewMatchAllQuery(), "", c)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled after the first check: %v, want context.Canceled", err)
	}
	if c.total != checkDoneEvery {
		t.Errorf("cancelled after the first check: %d collected, want %d", c.total, checkDoneEvery)
	}
}

// A search whose context is cancelled answers the context's error and no
// results, wherever it was cancelled; once it is not, it answers whole.
func TestSearchCancelled(t *testing.T) {
	ix := fullIndex(t)
	q := Query{Text: "error request"}
	want := run(t, ix, q)
	for ok := 0; ; ok++ {
		res, err := ix.Search(&cancelAfter{Context: context.Background(), ok: ok}, q)
		if err == nil {
			if ok == 0 {
				t.Fatal("a search cancelled from the start answered")
			}
			sameCounts(t, q.Text, want, res)
			if !slices.Equal(ids(res), ids(want)) {
				t.Errorf("hits %v, want %v", ids(res), ids(want))
			}
			return
		}
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Fatalf("cancelled after %d checks: %v, %v; want no results and context.Canceled", ok, res, err)
		}
		if ok > 1000 {
			t.Fatal("never answered")
		}
	}
}

// The heap keeps the window's best hits of any stream, ties broken by
// entry, and best hands them out best first, as sorting them all does.
func TestCollectorKeepsBest(t *testing.T) {
	ix := catalogue(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, window := range []int{1, 2, 7, 100} {
		c := ix.newCollector(Query{}, window)
		var all []ranked
		for range 300 {
			h := ranked{doc: rng.IntN(ix.Len()), score: float64(rng.IntN(20))} // many ties
			all = append(all, h)
			c.add(h.doc, h.score)
		}
		slices.SortFunc(all, func(a, b ranked) int {
			if c.top.less(a, b) {
				return 1
			}
			if c.top.less(b, a) {
				return -1
			}
			return 0
		})
		if got, want := c.best(), all[:window]; !slices.Equal(got, want) {
			t.Errorf("window %d: best %v, want %v", window, got, want)
		}
		c.release()
	}
}
