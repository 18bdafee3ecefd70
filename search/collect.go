package search

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// collect runs q's searcher over one reader of the index, handing every
// match to c. bleve's own search would build a top-N collector, a pool of
// matches and a context of callbacks per search that c needs none of.
func (ix *Index) collect(ctx context.Context, q query.Query, score string, c *collector) (err error) {
	r, err := ix.reader()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := r.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("search: %w", cerr)
		}
	}()
	q = flat(q)
	if ix.entries.len() <= collectorCounts {
		r = ix.replay.reader(r) // its searchers open postings decoded once
		if rr, ok := r.(replayReader); ok {
			// Or no searchers at all: the tree scored over those postings.
			if done, err := ix.direct.collect(ctx, ix, rr, q, score, c); done || err != nil {
				return err
			}
		}
	}
	s, err := q.Searcher(ctx, r, ix.bleve.Mapping(), bsearch.SearcherOptions{Score: score})
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("search: %w", cerr)
		}
	}()
	sctx := &bsearch.SearchContext{DocumentMatchPool: c.matchPool(s.DocumentMatchPoolSize() + 1), IndexReader: r}
	for n := 0; ; n++ {
		if n%checkDoneEvery == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("search: %w", err)
			}
		}
		d, err := s.Next(sctx)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if d == nil {
			return nil
		}
		num, score := binary.BigEndian.Uint64(d.IndexInternalID), d.Score
		sctx.DocumentMatchPool.Put(d)
		if enough, err := c.take(num, score); err != nil || enough {
			return err
		}
	}
}

// reader opens a snapshot of the index for one search.
func (ix *Index) reader() (index.IndexReader, error) {
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	// A closed on-disk index hands out a nil snapshot rather than an error.
	if snap, ok := r.(*scorch.IndexSnapshot); r == nil || ok && snap == nil {
		return nil, errClosed
	}
	return r, nil
}

// checkDoneEvery is how many matches collect reads between two looks at
// its context, as bleve's collector does: often enough to stop a long
// search soon, rarely enough to cost nothing.
const checkDoneEvery = 1024

// collector applies filters, counts facets and keeps the best hits of one
// search, from the entries slice.
type collector struct {
	ix           *Index
	statusOK     [600]bool // the status filter, as a table; [0] is "none"
	anyStatus    bool
	pmask        uint32
	total        int
	matched      int // matches before the filters, when counted by bitmaps
	statusCounts [600]int
	provCounts   [32]int
	top          hitHeap
	window       int
	// named are the entries the query names by id (codes, templates):
	// those the filters admit are re-ranked whatever bleve's score, as a
	// text of many words can push them out of the window.
	named       []int32
	kept        []ranked
	count, rank bool // count total and facets; keep the best hits
	// limit, when above 0, is how many matches are scored before bleve is
	// stopped, once the filters have admitted a window of them; scored
	// counts them.
	limit, scored int
	stopped       bool // the search was stopped at the limit
	// only, when set, are the documents the query matches: the scoring
	// query may find more (leanScoring), and only these are kept.
	only *roaring.Bitmap
	// matches is the pool collect's searchers draw matches from, kept
	// across searches (matchPool); made counts those it allocated.
	matches *bsearch.DocumentMatchPool
	made    int
}

// collectors are collectors done with, for the next search: a collector's
// tables are kilobytes, allocated and zeroed per search otherwise.
var collectors = sync.Pool{New: func() any { return new(collector) }}

// maxPooledWindow is the largest heap a pooled collector keeps, and
// maxPooledMatches the most matches its pool may have made: a deep page's
// window and a query of hundreds of terms are rare and need not stay
// allocated.
const maxPooledWindow, maxPooledMatches = 1024, 256

// newCollector returns a collector for q keeping a window of hits; release
// hands it back once its hits and counts are read.
func (ix *Index) newCollector(q Query, window int) *collector {
	c := collectors.Get().(*collector)
	c.reset(ix, q, window)
	return c
}

// reset makes c as a new collector for q would be, keeping the slices it
// grew.
func (c *collector) reset(ix *Index, q Query, window int) {
	top, kept, matches, made := c.top[:0], c.kept[:0], c.matches, c.made
	*c = collector{ix: ix, pmask: ix.prov.filter(q.Providers), window: window, anyStatus: len(q.Status) == 0, count: true, rank: true, matches: matches, made: made}
	if !c.anyStatus { // admits reads the table only under a status filter
		for code := range c.statusOK {
			c.statusOK[code] = q.Status.Contains(code)
		}
	}
	if cap(top) < window+1 {
		top = make(hitHeap, 0, window+1)
	}
	c.top, c.kept = top, kept
}

// release hands c back to collectors; c must not be used after.
func (c *collector) release() {
	if cap(c.top) > maxPooledWindow+1 {
		c.top = nil
	}
	if c.made > maxPooledMatches { // a wide query's, or lost to stopped searchers
		c.matches = nil
	}
	c.ix, c.named, c.only = nil, nil, nil
	collectors.Put(c)
}

// take hands c the document numbered num, scored score, and reports
// whether c has scored enough (limit) to stop.
func (c *collector) take(num uint64, score float64) (enough bool, err error) {
	if num >= uint64(len(c.ix.docEntry)) {
		return false, errDocMap
	}
	if c.only != nil && !c.only.Contains(uint32(num)) {
		return false, nil
	}
	c.add(int(c.ix.docEntry[num]), score)
	if c.limit > 0 {
		if c.scored++; c.scored >= c.limit && len(c.top) >= c.window {
			c.stopped = true
			return true, nil
		}
	}
	return false, nil
}

// matchPool is the pool of matches c's searches draw from, made with the
// size matches that a searcher holds at once (as bleve makes it per
// search), in one block: kept with c, it then grows to what the widest
// query held and allocates nothing.
func (c *collector) matchPool(size int) *bsearch.DocumentMatchPool {
	if c.matches == nil {
		c.made = size
		c.matches = bsearch.NewDocumentMatchPool(size, 0)
		c.matches.TooSmall = func(*bsearch.DocumentMatchPool) *bsearch.DocumentMatch {
			c.made++
			return new(bsearch.DocumentMatch)
		}
	}
	return c.matches
}

// add counts entry i and keeps it when it is among the best the filters
// admit.
func (c *collector) add(i int, score float64) {
	inS, inP := true, true
	if c.count || !c.anyStatus || c.pmask != 0 {
		// Reading an entry's status and providers is a cache miss at a
		// million entries: only when counting or filtering.
		var status int
		var m uint32
		status, m, inS, inP = c.admits(i)
		if c.count {
			c.tally(status, m, inS, inP)
		}
	}
	if !inS || !inP || !c.rank {
		return
	}
	h := ranked{doc: i, score: score}
	if len(c.named) > 0 && slices.Contains(c.named, int32(i)) {
		c.kept = append(c.kept, h)
	}
	if len(c.top) < c.window {
		c.top.push(h)
	} else if c.top.less(c.top[0], h) {
		c.top[0] = h
		c.top.down(0)
	}
}

// tally counts an entry the filters admit (inS, inP) in the total and
// the facets.
func (c *collector) tally(status int, provs uint32, inS, inP bool) {
	if inP && status < len(c.statusCounts) { // status 0 counts as "none"
		c.statusCounts[status]++
	}
	if inS {
		c.ix.prov.count(&c.provCounts, provs, 1)
	}
	if inS && inP {
		c.total++
	}
}

// admits reads entry i's status and providers and whether the filters
// admit each.
func (c *collector) admits(i int) (status int, provs uint32, inS, inP bool) {
	status = int(c.ix.status[i])
	inS = c.anyStatus || (status < len(c.statusOK) && c.statusOK[status])
	provs = c.ix.provMask[i]
	inP = c.pmask == 0 || provs&c.pmask != 0
	return status, provs, inS, inP
}

// best returns the kept hits, best first, with the entries the query names
// that the filters admit.
func (c *collector) best() []ranked {
	out := make([]ranked, len(c.top))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = c.top.pop()
	}
	for _, h := range c.kept {
		if !slices.ContainsFunc(out, func(o ranked) bool { return o.doc == h.doc }) {
			out = append(out, h)
		}
	}
	return out
}

// unseen are the entries the query names that bleve, stopped at the
// limit, never reached.
func (c *collector) unseen() []int32 {
	if !c.stopped {
		return nil
	}
	var out []int32
	for _, d := range c.named {
		if !slices.ContainsFunc(c.kept, func(h ranked) bool { return h.doc == int(d) }) {
			out = append(out, d)
		}
	}
	return out
}

// hitHeap is a min-heap: the worst kept hit on top. Its methods are
// container/heap's, on ranked values: through heap.Interface every push
// and pop would box a hit in an allocation of its own.
type hitHeap []ranked

func (h hitHeap) less(a, b ranked) bool { // a worse than b
	if a.score != b.score {
		return a.score < b.score
	}
	return a.doc > b.doc
}

func (h *hitHeap) push(x ranked) {
	*h = append(*h, x)
	h.up(len(*h) - 1)
}

// pop removes and returns the worst hit.
func (h *hitHeap) pop() ranked {
	old := *h
	n := len(old) - 1
	old[0], old[n] = old[n], old[0]
	*h = old[:n]
	h.down(0)
	return old[n]
}

func (h hitHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2 // parent
		if !h.less(h[j], h[i]) {
			break
		}
		h[i], h[j] = h[j], h[i]
		j = i
	}
}

// down moves the hit at i down to its place.
func (h hitHeap) down(i int) {
	for {
		j := 2*i + 1
		if j >= len(h) {
			return
		}
		if r := j + 1; r < len(h) && h.less(h[r], h[j]) {
			j = r
		}
		if !h.less(h[j], h[i]) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}
