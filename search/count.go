package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Counting without scoring: the documents a query matches are the union and
// intersection of its terms' postings, which scorch keeps as roaring
// bitmaps. Combining them costs a few operations per 65,536 documents, where
// handing every match to a collector costs one scoring per document: at a
// million entries, a common word's count takes well under a millisecond,
// its scoring tens. So totals and facets stay exact while scoring stops
// after the best candidates (see match).

// docSets are bitmaps of bleve's document numbers that every count needs,
// made on the first search that counts by bitmaps.
type docSets struct {
	once     sync.Once
	status   map[int]*roaring.Bitmap // status code (0 for none) → its documents
	provider [32]*roaring.Bitmap     // provider bit → documents naming exactly it
	subtree  [32]*roaring.Bitmap     // provider bit → documents naming it or a child of it: what its facet counts
	entryDoc []uint32                // entry index → document number
}

func (ix *Index) docSets() *docSets {
	s := &ix.sets
	s.once.Do(func() {
		s.status = map[int]*roaring.Bitmap{}
		s.entryDoc = make([]uint32, len(ix.docEntry))
		for num, i := range ix.docEntry {
			s.entryDoc[i] = uint32(num)
			code := int(ix.status[i])
			b := s.status[code]
			if b == nil {
				b = roaring.New()
				s.status[code] = b
			}
			b.Add(uint32(num))
			for m := ix.provMask[i]; m != 0; m &= m - 1 {
				bit := bits.TrailingZeros32(m)
				if s.provider[bit] == nil {
					s.provider[bit] = roaring.New()
				}
				s.provider[bit].Add(uint32(num))
			}
		}
		for _, b := range s.status {
			b.RunOptimize()
		}
		for _, b := range s.provider {
			if b != nil {
				b.RunOptimize()
			}
		}
		for bit, sub := range ix.prov.subtree {
			s.subtree[bit] = s.providers(sub)
		}
	})
	return s
}

// providers is the documents naming any provider of mask.
func (s *docSets) providers(mask uint32) *roaring.Bitmap {
	var bs []*roaring.Bitmap
	for m := mask; m != 0; m &= m - 1 {
		if b := s.provider[bits.TrailingZeros32(m)]; b != nil {
			bs = append(bs, b)
		}
	}
	return roaring.FastOr(bs...)
}

// statuses is the documents whose status is in set.
func (s *docSets) statuses(set StatusSet) *roaring.Bitmap {
	var bs []*roaring.Bitmap
	for code, b := range s.status {
		if set.Contains(code) {
			bs = append(bs, b)
		}
	}
	return roaring.FastOr(bs...)
}

// errUncountable is a query the bitmaps cannot count; the collector counts
// it instead.
var errUncountable = errors.New("search: query not countable by bitmaps")

// matcher evaluates queries to the bitmaps of the documents they match, on
// one snapshot of the index. Term bitmaps belong to the segments: they are
// only read, never changed.
type matcher struct {
	ctx     context.Context
	ix      *Index
	snap    *scorch.IndexSnapshot
	segs    []*scorch.SegmentSnapshot
	offsets []uint64
	terms   map[[2]string]*roaring.Bitmap
	all     *roaring.Bitmap
}

// newMatcher opens a snapshot of the index, or says why it cannot count.
func (ix *Index) newMatcher(ctx context.Context) (*matcher, error) {
	r, err := ix.reader()
	if err != nil {
		return nil, err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		_ = r.Close()
		return nil, errUncountable
	}
	m := &matcher{ctx: ctx, ix: ix, snap: snap, segs: snap.Segments(), terms: map[[2]string]*roaring.Bitmap{}}
	var at uint64
	for _, s := range m.segs {
		m.offsets = append(m.offsets, at)
		at += s.Segment().Count()
	}
	if at > math.MaxUint32 {
		_ = snap.Close()
		return nil, errUncountable
	}
	return m, nil
}

func (m *matcher) close() error { return m.snap.Close() }

// docs is the bitmap of the documents q matches, or errUncountable for a
// kind of query it does not know. The result may be a term's own bitmap:
// callers never change it.
func (m *matcher) docs(q query.Query) (*roaring.Bitmap, error) {
	if err := m.ctx.Err(); err != nil {
		return nil, err
	}
	switch q := q.(type) {
	case *query.TermQuery:
		return m.term(q.FieldVal, q.Term)
	case *query.DisjunctionQuery:
		if q.Min > 1 {
			return nil, errUncountable
		}
		return m.union(q.Disjuncts)
	case *query.ConjunctionQuery:
		return m.intersection(q.Conjuncts)
	case *query.BooleanQuery:
		return m.boolean(q)
	case *query.DocIDQuery:
		return m.ids(q.IDs), nil
	case *query.NumericRangeQuery:
		return m.numeric(q)
	case *query.MatchNoneQuery:
		return roaring.New(), nil
	case *query.MatchAllQuery:
		return m.everything(), nil
	}
	return nil, errUncountable
}

func (m *matcher) union(qs []query.Query) (*roaring.Bitmap, error) {
	bs := make([]*roaring.Bitmap, 0, len(qs))
	for _, q := range qs {
		b, err := m.docs(q)
		if err != nil {
			return nil, err
		}
		if !b.IsEmpty() {
			bs = append(bs, b)
		}
	}
	switch len(bs) {
	case 0:
		return roaring.New(), nil
	case 1:
		return bs[0], nil
	}
	return roaring.FastOr(bs...), nil
}

func (m *matcher) intersection(qs []query.Query) (*roaring.Bitmap, error) {
	if len(qs) == 0 {
		return roaring.New(), nil
	}
	bs := make([]*roaring.Bitmap, 0, len(qs))
	for _, q := range qs {
		b, err := m.docs(q)
		if err != nil {
			return nil, err
		}
		if b.IsEmpty() {
			return b, nil
		}
		bs = append(bs, b)
	}
	if len(bs) == 1 {
		return bs[0], nil
	}
	return roaring.FastAnd(bs...), nil
}

// boolean matches must (or, without it, should), less must-not: should
// only scores when must is there.
func (m *matcher) boolean(q *query.BooleanQuery) (*roaring.Bitmap, error) {
	if q.Filter != nil {
		return nil, errUncountable
	}
	var b *roaring.Bitmap
	var err error
	switch {
	case q.Must != nil:
		b, err = m.docs(q.Must)
		if d, ok := q.Should.(*query.DisjunctionQuery); err == nil && ok && d.Min > 0 {
			return nil, errUncountable
		}
	case q.Should != nil:
		b, err = m.docs(q.Should)
	default:
		return roaring.New(), nil
	}
	if err != nil || q.MustNot == nil {
		return b, err
	}
	not, err := m.docs(q.MustNot)
	if err != nil {
		return nil, err
	}
	return roaring.AndNot(b, not), nil
}

// term is the documents holding term in field.
func (m *matcher) term(field, term string) (*roaring.Bitmap, error) {
	key := [2]string{field, term}
	if b, ok := m.terms[key]; ok {
		return b, nil
	}
	var bs []*roaring.Bitmap
	for k, s := range m.segs {
		dict, err := s.Segment().Dictionary(field)
		if err != nil {
			return nil, fmt.Errorf("search: count %q in %s: %w", term, field, err)
		}
		if dict == nil {
			continue
		}
		pl, err := dict.PostingsList([]byte(term), s.Deleted(), nil)
		if err != nil {
			return nil, fmt.Errorf("search: count %q in %s: %w", term, field, err)
		}
		if pl == nil || pl.Count() == 0 {
			continue
		}
		b, err := postings(pl)
		if err != nil {
			return nil, fmt.Errorf("search: count %q in %s: %w", term, field, err)
		}
		if off := m.offsets[k]; off > 0 {
			b = roaring.AddOffset64(b, int64(off))
		}
		bs = append(bs, b)
	}
	var b *roaring.Bitmap
	switch len(bs) {
	case 0:
		b = roaring.New()
	case 1:
		b = bs[0]
	default:
		b = roaring.FastOr(bs...)
	}
	m.terms[key] = b
	return b, nil
}

// postings is a postings list as a bitmap: the segment's own when it keeps
// one, else read posting by posting.
func postings(pl segment.PostingsList) (*roaring.Bitmap, error) {
	it := pl.Iterator(false, false, false, nil)
	if o, ok := it.(segment.OptimizablePostingsIterator); ok {
		if n, ok := o.DocNum1Hit(); ok {
			return roaring.BitmapOf(uint32(n)), nil
		}
		if b := o.ActualBitmap(); b != nil {
			return b, nil
		}
	}
	b := roaring.New()
	for {
		p, err := it.Next()
		if err != nil {
			return nil, err
		}
		if p == nil {
			return b, nil
		}
		b.Add(uint32(p.Number()))
	}
}

// ids is the documents of the entries named by their document ids.
func (m *matcher) ids(ids []string) *roaring.Bitmap {
	s := m.ix.docSets()
	b := roaring.New()
	for _, id := range ids {
		if i, err := strconv.Atoi(id); err == nil && i >= 0 && i < len(s.entryDoc) {
			b.Add(s.entryDoc[i])
		}
	}
	return b
}

// numeric is a range of statusnum, the one numeric field, from the
// documents of each status.
func (m *matcher) numeric(q *query.NumericRangeQuery) (*roaring.Bitmap, error) {
	if q.FieldVal != fStatusNum {
		return nil, errUncountable
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	if q.Min != nil {
		lo = *q.Min
	}
	if q.Max != nil {
		hi = *q.Max
	}
	inLo := q.InclusiveMin == nil || *q.InclusiveMin
	inHi := q.InclusiveMax != nil && *q.InclusiveMax
	var bs []*roaring.Bitmap
	for code, b := range m.ix.docSets().status {
		v := float64(code)
		if (v > lo || inLo && v == lo) && (v < hi || inHi && v == hi) {
			bs = append(bs, b)
		}
	}
	return roaring.FastOr(bs...), nil
}

func (m *matcher) everything() *roaring.Bitmap {
	if m.all == nil {
		m.all = roaring.New()
		m.all.AddRange(0, uint64(len(m.ix.docEntry)))
	}
	return m.all
}

// admitted is how many documents must matches that q's filters admit.
func (ix *Index) admitted(m *matcher, q Query, must []query.Query) (int, error) {
	if len(must) == 0 {
		return 0, nil
	}
	b, err := m.intersection(must)
	if err != nil {
		return 0, err
	}
	s := ix.docSets()
	if len(q.Status) > 0 {
		b = roaring.And(b, s.statuses(q.Status))
	}
	if pm := ix.prov.filter(q.Providers); pm != 0 {
		return int(b.AndCardinality(s.providers(pm))), nil
	}
	return int(b.GetCardinality()), nil
}

// count fills c's total and facets with the documents must matches, as
// the collector would count them, from bitmaps, and returns those
// documents.
func (ix *Index) count(m *matcher, q Query, must []query.Query, c *collector) (*roaring.Bitmap, error) {
	b, err := m.intersection(must)
	if err != nil {
		return nil, err
	}
	s := ix.docSets()
	c.matched = int(b.GetCardinality())
	inS, inP := b, b
	if len(q.Status) > 0 {
		inS = roaring.And(b, s.statuses(q.Status))
	}
	if c.pmask != 0 {
		inP = roaring.And(b, s.providers(c.pmask))
	}
	if len(q.Status) > 0 {
		c.total = int(inS.AndCardinality(inP))
	} else {
		c.total = int(inP.GetCardinality())
	}
	for code, sb := range s.status {
		if code < len(c.statusCounts) {
			c.statusCounts[code] = int(inP.AndCardinality(sb))
		}
	}
	for bit, sb := range s.subtree {
		if sb != nil {
			c.provCounts[bit] = int(inS.AndCardinality(sb))
		}
	}
	return b, nil
}
