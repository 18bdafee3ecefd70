package search

import (
	"context"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// replayedPostings keeps, for a small catalogue, the postings every term
// searcher has read, decoded, so that the next search of the same word
// replays them from memory. On fifteen entries opening a term's postings
// (dictionary walk, iterator, decoders) cost more than scoring them, and
// a search opens dozens. What is kept is bounded by the index itself: a
// (field, term) is decoded once. It belongs to one snapshot of the index:
// another snapshot (a merge) starts it afresh, for document numbers are
// the snapshot's.
type replayedPostings struct {
	off   bool // the snapshot's own readers, to compare with
	mu    sync.RWMutex
	snap  *scorch.IndexSnapshot
	terms map[string]*decoded // by field, NUL, term
}

// decoded are one term's documents in one field, in document order,
// with everything a term searcher may ask of them.
type decoded struct {
	docs []posting
}

type posting struct {
	num     uint64
	freq    uint64
	norm    float64
	vectors []index.TermFieldVector
}

// reader hands out r with its term field readers replayed, when r is the
// in-memory snapshot replaying applies to; r itself otherwise.
func (rp *replayedPostings) reader(r index.IndexReader) index.IndexReader {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || snap == nil || rp.off {
		return r
	}
	return replayReader{IndexSnapshot: snap, rp: rp}
}

// replayReader is a snapshot whose term field readers replay decoded
// postings; every other method is the snapshot's own.
type replayReader struct {
	*scorch.IndexSnapshot
	rp *replayedPostings
}

func (r replayReader) TermFieldReader(ctx context.Context, term []byte, field string, freq, norm, vectors bool) (index.TermFieldReader, error) {
	p, err := r.rp.decode(ctx, r.IndexSnapshot, term, field)
	if err != nil {
		return nil, err
	}
	return &replay{p: p, freq: freq, norm: norm, vectors: vectors, at: -1}, nil
}

// decode decodes term's postings in field once per snapshot.
func (rp *replayedPostings) decode(ctx context.Context, snap *scorch.IndexSnapshot, term []byte, field string) (*decoded, error) {
	if p, ok := rp.decoded(snap, field, string(term)); ok {
		return p, nil
	}
	tfr, err := snap.TermFieldReader(ctx, term, field, true, true, true)
	if err != nil {
		return nil, err
	}
	defer tfr.Close()
	p := &decoded{docs: make([]posting, 0, tfr.Count())}
	for {
		d, err := tfr.Next(nil)
		if err != nil {
			return nil, err
		}
		if d == nil {
			break
		}
		ps := posting{num: d.ID.Value(), freq: d.Freq, norm: d.Norm}
		if len(d.Vectors) > 0 {
			ps.vectors = make([]index.TermFieldVector, len(d.Vectors))
			for i, v := range d.Vectors {
				ps.vectors[i] = *v
			}
		}
		p.docs = append(p.docs, ps)
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.snap != snap {
		rp.snap, rp.terms = snap, map[string]*decoded{}
	}
	rp.terms[field+"\x00"+string(term)] = p
	return p, nil
}

// decoded is term's postings in field when snap's are decoded already,
// looked up by a key built on the stack (field, NUL, term).
func (rp *replayedPostings) decoded(snap *scorch.IndexSnapshot, field, term string) (*decoded, bool) {
	var buf [64]byte
	key := append(append(append(buf[:0], field...), 0), term...)
	rp.mu.RLock()
	defer rp.mu.RUnlock()
	p, ok := rp.terms[string(key)]
	return p, ok && rp.snap == snap
}

// replay reads one term's postings as the snapshot's reader would: the
// same documents, in the same order, with only what was asked for.
type replay struct {
	p                   *decoded
	freq, norm, vectors bool
	at                  int // the document last handed out, -1 before the first
}

func (r *replay) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if r.at+1 >= len(r.p.docs) {
		r.at = len(r.p.docs)
		return nil, nil
	}
	r.at++
	return r.doc(pre), nil
}

// Advance moves to the first document at or after id, backwards too, as
// the snapshot's reader does.
func (r *replay) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	num := id.Value()
	r.at = sort.Search(len(r.p.docs), func(i int) bool { return r.p.docs[i].num >= num })
	if r.at >= len(r.p.docs) {
		return nil, nil
	}
	return r.doc(pre), nil
}

func (r *replay) doc(rv *index.TermFieldDoc) *index.TermFieldDoc {
	if rv == nil {
		rv = &index.TermFieldDoc{}
	}
	d := &r.p.docs[r.at]
	rv.ID = index.NewIndexInternalID(rv.ID, d.num)
	if r.freq {
		rv.Freq = d.freq
	}
	if r.norm {
		rv.Norm = d.norm
	}
	if r.vectors {
		// Copied into rv's own vectors, as the snapshot's reader does:
		// whoever reuses rv may write through them.
		if cap(rv.Vectors) < len(d.vectors) {
			rv.Vectors = make([]*index.TermFieldVector, len(d.vectors))
			backing := make([]index.TermFieldVector, len(d.vectors))
			for i := range backing {
				rv.Vectors[i] = &backing[i]
			}
		}
		rv.Vectors = rv.Vectors[:len(d.vectors)]
		for i := range d.vectors {
			*rv.Vectors[i] = d.vectors[i]
		}
	}
	return rv
}

func (r *replay) Count() uint64 { return uint64(len(r.p.docs)) }
func (r *replay) Close() error  { return nil }
func (r *replay) Size() int     { return 64 }
