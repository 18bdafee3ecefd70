package search

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content/corpus"
)

// realCorpora reads ../shared/corpora, skipping loudly when it is absent.
func realCorpora(tb testing.TB) []corpus.Record {
	tb.Helper()
	dir, ok := corpus.Dir()
	if !ok {
		tb.Skip("SKIP: ../shared/corpora is absent; the real-corpora checks need it (it is present in CI)")
	}
	recs, err := corpus.ReadDir(dir)
	if err != nil {
		tb.Fatalf("read corpora: %v", err)
	}
	return recs
}

// TestRealCorporaRelevance indexes the 2,832 real entries and checks that
// codes, and messages pasted as an API returns them, find their entry first.
func TestRealCorporaRelevance(t *testing.T) {
	recs := realCorpora(t)
	es := corpus.Entries(recs)
	ix := build(t, es)
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
