package search

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
)

// directScoring answers, for a catalogue of at most collectorCounts
// entries, the query tree collect is given without bleve's searchers: each
// node's matching documents are a bitset and their scores an array, from
// the replayed postings (replay.go), by bleve's own formulas (tf-idf):
//
//   - term: √freq × norm × idf, times the query weight boost × idf × the
//     root's query norm; a lone term at the root gets no query norm, so
//     its weight is 1;
//   - doc id: 1 × boost × the query norm (a constant scorer);
//   - disjunction: the sum of its matching children's scores times the
//     share of its children matched (the coord counts every child, one
//     that matches nothing too), where at least Min match;
//   - conjunction: the sum of its children's scores, where all match;
//   - boolean: must, plus should where it matches; should is required
//     when its Min is above 0; a must or should that is no query at all
//     (bleve's match-none searcher) leaves the other to stand alone;
//   - a status filter (a numeric range scoring nothing): its statuses'
//     documents, each scored 0.
//
// The query norm is 1/√(sum of the root's children's weights), a term's
// weight being (boost × idf)², a doc id's boost², a composite's the sum
// of its children's. Children are summed in bleve's order: sorted by
// their postings, fewest first, or, in a disjunction of more than ten,
// as its heap pops them (evalHeap); so scores are bleve's to the bit,
// and two entries scoring alike rank as they do with bleve.
//
// On fifteen entries bleve's searchers (a scorer, a reader and a pool of
// matches per node, each match handed up every level) cost more than the
// scoring itself. Anything it does not know takes bleve's path unchanged:
// a query type not listed above, a numeric range that scores or is not
// on statusnum, a MustNot or a Filter, a term without its field, a
// disjunction past bleve's clause limit (bleve's error is then the
// answer), a score option other than bleve's default or none (collect
// asks for no term vectors or explanations), more documents than its
// bitset holds, postings not replayed. That is
// always safe: bleve's path is the reference this one is tested
// against, and the choice is made before anything is handed to the
// collector, so a search is answered whole by one path or the other.
type directScoring struct {
	off bool // bleve's searchers always, to compare with
	// seen, when set, is told every tree evaluated: tests compare each
	// with bleve's searchers.
	seen func(q query.Query, score string)
}

// directDocs is the most documents the evaluator's bitsets hold.
const directDocs = 128

// docSet is a set of document numbers below directDocs.
type docSet [directDocs / 64]uint64

func (s *docSet) add(num uint64) { s[num>>6] |= 1 << (num & 63) }

func (s docSet) has(num uint64) bool { return s[num>>6]&(1<<(num&63)) != 0 }

func (s docSet) and(o docSet) docSet {
	for i := range s {
		s[i] &= o[i]
	}
	return s
}

func (s docSet) or(o docSet) docSet {
	for i := range s {
		s[i] |= o[i]
	}
	return s
}

// next is the first document of s at or after num.
func (s docSet) next(num uint64) (uint64, bool) {
	for w := int(num >> 6); w < len(s); w++ {
		word := s[w]
		if w == int(num>>6) {
			word &^= 1<<(num&63) - 1
		}
		if word != 0 {
			return uint64(w*64 + bits.TrailingZeros64(word)), true
		}
	}
	return 0, false
}

// each calls fn for every document of s, in ascending order.
func (s docSet) each(fn func(num uint64)) {
	for w, word := range s {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			fn(uint64(w*64 + b))
			word &= word - 1
		}
	}
}

type nodeKind uint8

const (
	nodeNone nodeKind = iota // bleve's match-none searcher
	nodeTerm
	nodeDocID
	nodeConj
	nodeDisj
	nodeBool
	nodeRange // a status filter: the statuses' documents, scored 0
)

// node is one searcher bleve would build, as the evaluator keeps it.
type node struct {
	kind   nodeKind
	boost  float64
	idf    float64   // term
	post   []posting // term: the replayed postings
	ids    docSet    // doc id, range: the documents
	count  uint64    // what bleve's searcher's Count says: how it is sorted
	weight float64   // what its Weight says
	min    int       // disjunction: the fewest children a match needs
	// kids are the children, in bleve's order (evaluator.kids[lo:hi]);
	// a boolean's are must then should.
	lo, hi int
}

// evaluator is one evaluation's state, pooled: its slices grow to the
// largest tree and stay.
type evaluator struct {
	ctx      context.Context
	rr       replayReader
	entryDoc []uint32
	docEntry []int32
	status   []uint16 // per entry (a status range's documents)
	ranged   bool     // the tree holds a status range
	total    uint64   // documents in the snapshot, for idf
	ndocs    int
	nodes    []node
	kids     []int32
	stack    []int32
	scratch  []float64  // scores of the nodes being evaluated, ndocs each
	counts   []int32    // children matched, per document, of the disjunctions being evaluated
	heap     []heapCurr // a heap disjunction's children (evalHeap)
	matching []heapCurr
	held     []heldScores
	root     int32
	qnorm    float64
	err      error
}

var evaluators = sync.Pool{New: func() any { return new(evaluator) }}

// collect hands c every match of q (already flat) with its score, in
// ascending document number as bleve's searchers do, and reports whether
// it did: when it did not, nothing was handed to c and bleve's path is to
// answer.
func (d *directScoring) collect(ctx context.Context, ix *Index, rr replayReader, q query.Query, score string, c *collector) (done bool, err error) {
	return d.matches(ctx, ix, rr, q, score, c.take)
}

// matches is collect handing each match to take, which says when it has
// enough.
func (d *directScoring) matches(ctx context.Context, ix *Index, rr replayReader, q query.Query, score string, take func(num uint64, score float64) (enough bool, err error)) (done bool, err error) {
	if d.off || rr.rp.off || (score != "" && score != "none") || len(ix.docEntry) > directDocs {
		return false, nil
	}
	e := evaluators.Get().(*evaluator)
	defer e.release()
	*e = evaluator{ctx: ctx, rr: rr, entryDoc: ix.docSets().entryDoc, docEntry: ix.docEntry, status: ix.status, ndocs: len(ix.docEntry),
		nodes: e.nodes[:0], kids: e.kids[:0], stack: e.stack[:0], scratch: e.scratch[:0], counts: e.counts[:0],
		heap: e.heap[:0], matching: e.matching[:0], held: e.held[:0]}
	if e.total, err = rr.DocCount(); err != nil {
		return false, fmt.Errorf("search: %w", err)
	}
	root, ok := e.build(q)
	if e.err != nil {
		return false, fmt.Errorf("search: %w", e.err)
	}
	if !ok || e.ranged && score != "none" && e.nodes[root].weight == 0 {
		// bleve's query norm is then infinite and a status range's
		// scores are not 0 but NaN.
		return false, nil
	}
	if d.seen != nil {
		d.seen(q, score)
	}
	if err := ctx.Err(); err != nil {
		return true, fmt.Errorf("search: %w", err)
	}
	set, scores, err := e.evaluate(root)
	if err != nil {
		return true, err
	}
	n := 0
	var enough bool
	set.each(func(num uint64) {
		if enough || err != nil {
			return
		}
		if n++; n%checkDoneEvery == 0 {
			if err = ctx.Err(); err != nil {
				err = fmt.Errorf("search: %w", err)
				return
			}
		}
		s := scores[num]
		if score == "none" {
			s = 0
		}
		enough, err = take(num, s)
	})
	return true, err
}

func (e *evaluator) release() {
	e.ctx, e.rr, e.entryDoc, e.docEntry, e.status = nil, replayReader{}, nil, nil, nil
	for i := range e.nodes {
		e.nodes[i].post = nil
	}
	evaluators.Put(e)
}

// evaluate scores the tree built from root: the documents it matches and
// their scores, indexed by document number.
func (e *evaluator) evaluate(root int32) (docSet, []float64, error) {
	e.root = root
	e.qnorm = 1.0 / math.Sqrt(e.nodes[root].weight)
	scores := e.take()
	set := e.eval(root, scores)
	return set, scores, e.err
}

// build adds q's node and returns its index, or false when q is not
// one the evaluator knows (or reading postings failed: e.err).
func (e *evaluator) build(q query.Query) (int32, bool) {
	switch q := q.(type) {
	case *query.TermQuery:
		if q.FieldVal == "" {
			return 0, false // the mapping's default field
		}
		p, ok := e.rr.rp.decoded(e.rr.IndexSnapshot, q.FieldVal, q.Term)
		if !ok {
			var err error
			if p, err = e.rr.rp.decode(e.ctx, e.rr.IndexSnapshot, []byte(q.Term), q.FieldVal); err != nil {
				e.err = err
				return 0, false
			}
		}
		n := node{kind: nodeTerm, boost: q.Boost(), post: p.docs, count: uint64(len(p.docs))}
		n.idf = 1.0 + math.Log(float64(e.total)/float64(n.count+1.0))
		w := n.boost * n.idf
		n.weight = w * w
		return e.add(n), true
	case *query.DocIDQuery:
		n := node{kind: nodeDocID, boost: q.Boost(), count: uint64(len(q.IDs))}
		n.weight = n.boost * n.boost
		for _, id := range q.IDs {
			if i, ok := entryNumber(id); ok && i < len(e.entryDoc) {
				num := uint64(e.entryDoc[i])
				if num >= directDocs {
					return 0, false
				}
				n.ids.add(num)
			}
		}
		return e.add(n), true
	case *query.MatchNoneQuery:
		return e.add(node{kind: nodeNone}), true
	case *query.NumericRangeQuery:
		return e.statusRange(q)
	case *query.ConjunctionQuery:
		return e.composite(nodeConj, q.Conjuncts, 0)
	case *query.DisjunctionQuery:
		if searcher.DisjunctionMaxClauseCount != 0 && len(q.Disjuncts) > searcher.DisjunctionMaxClauseCount {
			return 0, false // bleve refuses it: its error is the answer
		}
		return e.composite(nodeDisj, q.Disjuncts, int(q.Min))
	case *query.BooleanQuery:
		if q.MustNot != nil || q.Filter != nil {
			return 0, false
		}
		var kids [2]int32
		k := 0
		for _, clause := range [2]query.Query{q.Must, q.Should} {
			if clause == nil {
				continue
			}
			i, ok := e.build(clause)
			if !ok {
				return 0, false
			}
			if e.nodes[i].kind != nodeNone { // bleve drops a match-none clause
				kids[k] = i
				k++
			}
		}
		switch {
		case k == 0:
			return e.add(node{kind: nodeNone}), true
		case k == 1:
			// One clause left: bleve hands it out as the whole query.
			return kids[0], true
		}
		n := node{kind: nodeBool, lo: len(e.kids), hi: len(e.kids) + 2}
		e.kids = append(e.kids, kids[0], kids[1])
		n.count = e.nodes[kids[0]].count + e.nodes[kids[1]].count
		n.weight = e.nodes[kids[0]].weight + e.nodes[kids[1]].weight
		return e.add(n), true
	}
	return 0, false
}

// statusRange adds a status filter as filterQueries makes it (statusQuery
// with a boost of 0): an inclusive range of statusnum, which every entry
// holds once (0 for none). bleve makes it a disjunction of the
// prefix-coded terms that cover the range, one per document matched: it
// counts the documents in the range, weighs 0 and scores each 0 (its
// terms' query weight is 0). Any other range, or one that scores, takes
// bleve's path.
func (e *evaluator) statusRange(q *query.NumericRangeQuery) (int32, bool) {
	if q.FieldVal != fStatusNum || q.Boost() != 0 || q.Min == nil || q.Max == nil ||
		q.InclusiveMin == nil || !*q.InclusiveMin || q.InclusiveMax == nil || !*q.InclusiveMax {
		return 0, false
	}
	lo, hi := *q.Min, *q.Max
	if lo != math.Trunc(lo) || hi != math.Trunc(hi) || lo < 0 || hi > math.MaxUint16 {
		return 0, false
	}
	n := node{kind: nodeRange}
	for num := range e.ndocs {
		if st := float64(e.status[e.docEntry[num]]); lo <= st && st <= hi {
			n.ids.add(uint64(num))
			n.count++
		}
	}
	e.ranged = true
	return e.add(n), true
}

// composite adds a conjunction or disjunction of qs: no query at all when
// qs is empty, as bleve makes it.
func (e *evaluator) composite(kind nodeKind, qs []query.Query, min int) (int32, bool) {
	if len(qs) == 0 {
		return e.add(node{kind: nodeNone}), true
	}
	start := len(e.stack)
	for _, child := range qs {
		i, ok := e.build(child)
		if !ok {
			e.stack = e.stack[:start]
			return 0, false
		}
		e.stack = append(e.stack, i)
	}
	kids := e.stack[start:]
	// bleve sorts its searchers by their postings, fewest first, with
	// sort.Sort (slices' sort is the same algorithm, so the same order),
	// but for a disjunction it keeps in a heap.
	if kind == nodeConj || !heaped(len(kids)) {
		slices.SortFunc(kids, byCount(e.nodes))
	}
	n := node{kind: kind, min: min, lo: len(e.kids)}
	for _, k := range kids {
		n.count += e.nodes[k].count
		n.weight += e.nodes[k].weight
	}
	e.kids = append(e.kids, kids...)
	n.hi = len(e.kids)
	e.stack = e.stack[:start]
	return e.add(n), true
}

// byCount orders nodes as bleve's OrderedSearcherList does.
func byCount(nodes []node) func(a, b int32) int {
	return func(a, b int32) int {
		ca, cb := nodes[a].count, nodes[b].count
		switch {
		case ca < cb:
			return -1
		case cb < ca:
			return 1
		}
		return 0
	}
}

// heaped reports whether bleve makes a disjunction of n children its heap
// searcher.
func heaped(n int) bool { return n > searcher.DisjunctionHeapTakeover }

func (e *evaluator) add(n node) int32 {
	e.nodes = append(e.nodes, n)
	return int32(len(e.nodes) - 1)
}

// take is ndocs scores from the scratch space, for one node being
// evaluated; give hands them back, last taken first.
func (e *evaluator) take() []float64 {
	lo := len(e.scratch)
	e.scratch = slices.Grow(e.scratch, e.ndocs)[:lo+e.ndocs]
	return e.scratch[lo:]
}

func (e *evaluator) give() { e.scratch = e.scratch[:len(e.scratch)-e.ndocs] }

// eval writes node i's scores into sc for the documents it returns, as
// bleve's searchers score them.
func (e *evaluator) eval(i int32, sc []float64) docSet {
	n := &e.nodes[i]
	var set docSet
	switch n.kind {
	case nodeTerm:
		qw := n.boost * n.idf * e.qnorm
		if i == e.root {
			qw = 1 // no composite above to set a query norm
		}
		for _, p := range n.post {
			if p.num >= uint64(e.ndocs) {
				e.err = errDocMap
				return docSet{}
			}
			var tf float64
			if p.freq < scorer.MaxSqrtCache {
				tf = scorer.SqrtCache[int(p.freq)]
			} else {
				tf = math.Sqrt(float64(p.freq))
			}
			s := tf * p.norm * n.idf
			if qw != 1.0 {
				s *= qw
			}
			set.add(p.num)
			sc[p.num] = s
		}
	case nodeDocID:
		qw := n.boost * e.qnorm
		if i == e.root {
			qw = 1
		}
		s := 1.0
		if qw != 1.0 {
			s *= qw
		}
		set = n.ids
		set.each(func(num uint64) { sc[num] = s })
	case nodeRange:
		set = n.ids
		set.each(func(num uint64) { sc[num] = 0 })
	case nodeConj:
		child := e.take()
		for k, kid := range e.kids[n.lo:n.hi] {
			ks := e.eval(kid, child)
			if k == 0 {
				set = ks
				ks.each(func(num uint64) { sc[num] = 0 + child[num] })
				continue
			}
			set = set.and(ks)
			set.each(func(num uint64) { sc[num] += child[num] })
		}
		e.give()
	case nodeDisj:
		if heaped(n.hi - n.lo) {
			return e.evalHeap(n, sc)
		}
		child := e.take()
		lo := len(e.counts)
		e.counts = slices.Grow(e.counts, e.ndocs)[:lo+e.ndocs]
		counts := e.counts[lo:]
		clear(counts)
		var any docSet
		for _, kid := range e.kids[n.lo:n.hi] {
			ks := e.eval(kid, child)
			ks.each(func(num uint64) {
				if !any.has(num) {
					sc[num] = 0
				}
				sc[num] += child[num]
				counts[num]++
			})
			any = any.or(ks)
		}
		need, all := max(n.min, 1), float64(n.hi-n.lo)
		any.each(func(num uint64) {
			if int(counts[num]) >= need {
				set.add(num)
				sc[num] *= float64(counts[num]) / all
			}
		})
		e.counts = e.counts[:lo]
		e.give()
	case nodeBool:
		must, should := e.kids[n.lo], e.kids[n.lo+1]
		set = e.eval(must, sc)
		child := e.take()
		ss := e.eval(should, child)
		if e.nodes[should].kind == nodeDisj && e.nodes[should].min > 0 {
			set = set.and(ss) // should is required
		}
		set.each(func(num uint64) {
			if ss.has(num) {
				sc[num] = 0 + sc[num] + child[num]
			}
		})
		e.give()
	}
	return set
}

// entryNumber reads a document id as the entry index it was written from
// (strconv.Itoa): any other spelling names no document.
func entryNumber(id string) (int, bool) {
	if id == "" || len(id) > 9 || id[0] == '0' && len(id) > 1 {
		return 0, false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(id)
	return i, err == nil
}

// evalHeap is eval of a disjunction bleve makes its heap searcher: that
// adds the scores of a document's children in the order its heap pops
// them, which evalHeap follows step by step (container/heap's, on the
// same comparisons), so that the sums are bleve's to the bit.
func (e *evaluator) evalHeap(n *node, sc []float64) docSet {
	kids := e.kids[n.lo:n.hi]
	// Every child's scores are held at once; the children's own
	// evaluations take and give back scratch space above them.
	base, held := len(e.scratch), len(e.held)
	for _, kid := range kids {
		sc := e.take()
		set := e.eval(kid, sc)
		e.held = append(e.held, heldScores{set, sc})
	}
	ks := e.held[held:]
	h := e.heap[:0]
	for k := range kids {
		if d, ok := ks[k].set.next(0); ok {
			h = heapPush(h, heapCurr{doc: d, kid: int32(k)})
		}
	}
	var set docSet
	need, all := max(n.min, 1), float64(len(kids))
	matching := e.matching[:0]
	for len(h) > 0 {
		matching = matching[:0]
		var top heapCurr
		h, top = heapPop(h)
		matching = append(matching, top)
		for len(h) > 0 && h[0].doc == top.doc {
			var next heapCurr
			h, next = heapPop(h)
			matching = append(matching, next)
		}
		if len(matching) >= need {
			sum := 0.0
			for _, m := range matching {
				sum += ks[m.kid].sc[m.doc]
			}
			set.add(top.doc)
			sc[top.doc] = sum * (float64(len(matching)) / all)
		}
		for _, m := range matching {
			if d, ok := ks[m.kid].set.next(m.doc + 1); ok {
				h = heapPush(h, heapCurr{doc: d, kid: m.kid})
			}
		}
	}
	e.heap, e.matching = h, matching
	e.scratch, e.held = e.scratch[:base], e.held[:held]
	return set
}

// heldScores are one child's matches and scores (evalHeap).
type heldScores struct {
	set docSet
	sc  []float64
}

// heapCurr is one child of a heap disjunction at its current document.
type heapCurr struct {
	doc uint64
	kid int32
}

// heapPush and heapPop are container/heap's Push and Pop, comparing
// documents only, as bleve's heap does.
func heapPush(h []heapCurr, x heapCurr) []heapCurr {
	h = append(h, x)
	for j := len(h) - 1; ; {
		i := (j - 1) / 2 // parent
		if i == j || !(h[j].doc < h[i].doc) {
			break
		}
		h[i], h[j] = h[j], h[i]
		j = i
	}
	return h
}

func heapPop(h []heapCurr) ([]heapCurr, heapCurr) {
	n := len(h) - 1
	h[0], h[n] = h[n], h[0]
	for i := 0; ; {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 {
			break
		}
		j := j1
		if j2 := j1 + 1; j2 < n && h[j2].doc < h[j1].doc {
			j = j2
		}
		if !(h[j].doc < h[i].doc) {
			break
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
	return h[:n], h[n]
}
