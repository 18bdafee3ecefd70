package search

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content/corpus/corpustest"
)

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

// TestRealCorporaRelevance indexes the 2,832 real entries and checks that
// codes, and messages pasted as an API returns them, find their entry first.
func TestRealCorporaRelevance(t *testing.T) {
	es, ix := corpustest.RealEntries(t), corporaIndex(t)
	if ix.Count() != len(es) {
		t.Fatalf("indexed %d of %d", ix.Count(), len(es))
	}
	hasAlias := func(id, code string) bool {
		e, _ := ix.Entry(id)
		return slices.ContainsFunc(e.Aliases, func(a string) bool { return strings.EqualFold(a, code) })
	}
	for _, code := range []string{"AADSTS50126", "aadsts50126", "21211", "ErrorServerBusy", "ErrorAccessDenied", "AADSTS700016", "30007", "ErrorMailboxStoreUnavailable"} {
		res := run(t, ix, Query{Text: code})
		if len(res.Hits) == 0 || !hasAlias(res.Hits[0].ID, code) {
			t.Errorf("code %s: top hit %v does not carry the code", code, first(ids(res), 3))
		}
	}
	// Pasted messages: a seeded sample of records whose message is unique.
	count := map[string]int{}
	for _, e := range es {
		for _, m := range e.Messages {
			count[m]++
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	top1, n := 0, 0
	for n < 60 {
		e := es[rng.IntN(len(es))]
		if len(e.Messages) == 0 || count[e.Messages[0]] != 1 || len(strings.Fields(e.Messages[0])) < 4 {
			continue
		}
		n++
		msg := e.Messages[0]
		var q string
		switch n % 3 {
		case 0:
			q = msg
		case 1:
			q = `{"error":{"code":"` + e.Aliases[0] + `","message":"` + strings.ReplaceAll(msg, `"`, `\"`) + `"}}`
		default:
			q = "2024-05-02T10:11:12Z ERROR request failed: " + msg + " request_id=1f2e3d4c-5b6a-4789-9abc-def012345678"
		}
		res := run(t, ix, Query{Text: q})
		if len(res.Hits) > 0 && res.Hits[0].ID == e.ID {
			top1++
		} else {
			t.Logf("miss %q: want %s, got %v", clip(q, 80), e.ID, first(ids(res), 3))
		}
	}
	acc := float64(top1) / float64(n)
	t.Logf("real corpora: %d pasted messages, top-1 %.3f", n, acc)
	if acc < 0.9 {
		t.Errorf("top-1 %.3f on pasted real messages, want at least 0.9", acc)
	}
}
