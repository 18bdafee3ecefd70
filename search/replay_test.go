package search

import (
	"context"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// snapshotOf opens ix's snapshot for the test.
func snapshotOf(tb testing.TB, ix *Index) *scorch.IndexSnapshot {
	tb.Helper()
	r, err := ix.reader()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r.(*scorch.IndexSnapshot)
}

// sameDoc compares what two term field readers handed out.
func sameDoc(tb testing.TB, what string, want, got *index.TermFieldDoc) {
	tb.Helper()
	if (want == nil) != (got == nil) {
		tb.Fatalf("%s: snapshot gave %v, replay %v", what, want, got)
	}
	if want == nil {
		return
	}
	if !reflect.DeepEqual(want.ID, got.ID) || want.Freq != got.Freq || want.Norm != got.Norm || len(want.Vectors) != len(got.Vectors) {
		tb.Fatalf("%s: snapshot gave doc %d freq %d norm %v %d vectors, replay doc %d freq %d norm %v %d vectors",
			what, want.ID.Value(), want.Freq, want.Norm, len(want.Vectors), got.ID.Value(), got.Freq, got.Norm, len(got.Vectors))
	}
	for i := range want.Vectors {
		if !reflect.DeepEqual(*want.Vectors[i], *got.Vectors[i]) {
			tb.Fatalf("%s: vector %d is %+v, replayed %+v", what, i, *want.Vectors[i], *got.Vectors[i])
		}
	}
}

// TestReplayReadsAsTheSnapshot reads every term of every field of the
// catalogue, and of the real corpora beside it (several segments), both
// from the snapshot and replayed, as term searchers do: Next into one
// reused document, Advance forwards and backwards, with and without
// frequencies, norms and vectors.
func TestReplayReadsAsTheSnapshot(t *testing.T) {
	for name, ix := range map[string]func(testing.TB) *Index{"catalogue": catalogue, "full": fullIndex} {
		t.Run(name, func(t *testing.T) {
			ix := ix(t)
			snap := snapshotOf(t, ix)
			rr := (&replayedPostings{}).reader(snap)
			if _, ok := rr.(replayReader); !ok {
				t.Fatalf("the in-memory snapshot is not replayed: %T", rr)
			}
			ctx := context.Background()
			fields, err := snap.Fields()
			if err != nil {
				t.Fatal(err)
			}
			terms := 0
			for _, field := range fields {
				dict, err := snap.FieldDict(field)
				if err != nil {
					t.Fatal(err)
				}
				for de, err := dict.Next(); de != nil || err != nil; de, err = dict.Next() {
					if err != nil {
						t.Fatal(err)
					}
					terms++
					term := []byte(de.Term)
					for _, all := range []bool{true, false} {
						what := field + ":" + de.Term
						want, err := snap.TermFieldReader(ctx, term, field, all, all, all)
						if err != nil {
							t.Fatal(err)
						}
						got, err := rr.TermFieldReader(ctx, term, field, all, all, all)
						if err != nil {
							t.Fatal(err)
						}
						if want.Count() != got.Count() {
							t.Fatalf("%s: count %d, replayed %d", what, want.Count(), got.Count())
						}
						var wd, gd index.TermFieldDoc
						var ids []index.IndexInternalID
						for {
							w, err := want.Next(wd.Reset())
							if err != nil {
								t.Fatal(err)
							}
							g, _ := got.Next(gd.Reset())
							sameDoc(t, what+" Next", w, g)
							if w == nil {
								break
							}
							ids = append(ids, append(index.IndexInternalID(nil), w.ID...))
						}
						if terms%5 == 0 {
							// Past the end, back to each document, and just past it.
							for i := len(ids) - 1; i >= 0; i-- {
								past := index.NewIndexInternalID(nil, ids[i].Value()+1)
								for _, id := range []index.IndexInternalID{ids[i], past} {
									w, err := want.Advance(id, wd.Reset())
									if err != nil {
										t.Fatal(err)
									}
									g, _ := got.Advance(id, gd.Reset())
									sameDoc(t, what+" Advance", w, g)
									w, _ = want.Next(wd.Reset())
									g, _ = got.Next(gd.Reset())
									sameDoc(t, what+" Next after Advance", w, g)
								}
							}
						}
						want.Close()
						got.Close()
					}
				}
				dict.Close()
			}
			if terms < 100 {
				t.Fatalf("only %d terms read: the test reads too little to prove anything", terms)
			}
		})
	}
}

// TestReplayDecodesOncePerSnapshot: a term is decoded once per snapshot,
// and another snapshot (a merge, another index) starts afresh.
func TestReplayDecodesOncePerSnapshot(t *testing.T) {
	ctx := context.Background()
	rp := &replayedPostings{}
	a := snapshotOf(t, catalogue(t))
	first, err := rp.decode(ctx, a, []byte("request"), "message")
	if err != nil {
		t.Fatal(err)
	}
	if len(first.docs) == 0 {
		t.Fatal(`no entry of the catalogue has "request" in its message: pick another word`)
	}
	again, _ := rp.decode(ctx, a, []byte("request"), "message")
	if again != first {
		t.Error("the same snapshot's postings were decoded twice")
	}
	b := snapshotOf(t, build(t, fixtures()))
	other, _ := rp.decode(ctx, b, []byte("request"), "message")
	if other == first {
		t.Error("another snapshot was handed the first one's postings")
	}
	if len(rp.terms) != 1 || rp.snap != b {
		t.Errorf("after another snapshot, %d terms are kept for snapshot %p, want 1 for %p", len(rp.terms), rp.snap, b)
	}
}

// TestReplaySearchesAsTheSnapshot asks small catalogues (the embedded one,
// and a hundred real entries with it) every relevance query and 100 queries
// drawn from their entries, filtered and not, on later pages too, with
// the postings read from the snapshot and then replayed (twice: decoded,
// then from memory) through bleve's searchers (the evaluator, which
// reads them too, is off: evaluate_test.go compares it), and compares
// whole answers.
func TestReplaySearchesAsTheSnapshot(t *testing.T) {
	for name, es := range smallCatalogues(t) {
		t.Run(name, func(t *testing.T) {
			ix := build(t, es)
			if ix.entries.len() > collectorCounts {
				t.Fatalf("%d entries: past collectorCounts (%d) nothing is replayed", ix.entries.len(), collectorCounts)
			}
			ix.direct.off = true
			qs := smallQueries(t, es)
			replayed := 0
			for _, q := range qs {
				ix.replay.off = true
				want := run(t, ix, q)
				ix.replay.off = false
				for range 2 {
					got := run(t, ix, q)
					if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Results{}, "Took"), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
						t.Fatalf("%+v: replayed postings answer otherwise (-snapshot +replayed):\n%s", q, diff)
					}
				}
				replayed += len(want.Hits)
			}
			ix.replay.mu.RLock()
			terms := len(ix.replay.terms)
			ix.replay.mu.RUnlock()
			if terms == 0 || replayed == 0 {
				t.Fatalf("%d queries found %d hits and replayed %d terms: nothing was compared", len(qs), replayed, terms)
			}
		})
	}
}
