package search

import (
	"encoding/json"
	"os"
	"testing"
)

// relevanceCase is one query a person would type or paste, and the entry it
// must find.
type relevanceCase struct {
	Kind  string `json:"kind"`
	Query string `json:"query"`
	Want  string `json:"want"`
}

func loadRelevance(tb testing.TB) []relevanceCase {
	tb.Helper()
	b, err := os.ReadFile("testdata/relevance.json")
	if err != nil {
		tb.Fatal(err)
	}
	var cs []relevanceCase
	if err := json.Unmarshal(b, &cs); err != nil {
		tb.Fatalf("testdata/relevance.json: %v", err)
	}
	return cs
}

// TestRelevance runs the relevance set over the real catalogue, prints top-1
// accuracy and MRR, and fails below 0.95 top-1.
func TestRelevance(t *testing.T) {
	ix := catalogue(t)
	cases := loadRelevance(t)
	if len(cases) < 40 {
		t.Fatalf("relevance set has %d queries, want at least 40", len(cases))
	}
	top1, rr := 0, 0.0
	for _, c := range cases {
		if _, ok := ix.Entry(c.Want); !ok {
			t.Errorf("relevance case %q wants %q, which is not in the catalogue", c.Query, c.Want)
			continue
		}
		res := run(t, ix, Query{Text: c.Query, PerPage: MaxPerPage})
		rank := 0
		for i, h := range res.Hits {
			if h.ID == c.Want {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			top1++
		} else {
			t.Logf("miss [%s] %q: want %s at rank %d, got %v", c.Kind, clip(c.Query, 60), c.Want, rank, first(ids(res), 3))
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
	}
	acc, mrr := float64(top1)/float64(len(cases)), rr/float64(len(cases))
	t.Logf("relevance: %d queries, top-1 %.3f, MRR %.3f", len(cases), acc, mrr)
	if acc < 0.95 {
		t.Errorf("top-1 accuracy %.3f is below 0.95", acc)
	}
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
