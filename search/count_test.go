package search

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/search/pasteset"
)

// countCases are queries of every kind with filters, on the real corpora.
var countCases = []struct {
	text      string
	status    string
	providers []string
}{
	{"token", "", nil},
	{"token", "4xx", []string{"microsoft"}},
	{"request", "", []string{"twilio"}},
	{"invalid phone number", "", nil},
	{"is not a valid phone number", "4xx", nil},
	{`"refresh token"`, "", nil},
	{`"the request" mailbox`, "none,4xx", nil},
	{"AADSTS50126", "", nil},
	{"21211", "none", nil},
	{"credentails", "", nil},
	{"mailbx unavailble", "", []string{"microsoft-ews"}},
	{"thrott", "", nil},
	{"AADSTS5012", "", nil},
	{"quota exce", "5xx", nil},
	{"not have same From", "", nil},
	{"the 429", "", nil},
	{"500 quota", "", []string{"gmail"}},
	{"HTTP/1.1 429 Too Many Requests", "", nil},
	{`{"code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.", "status": 400}`, "", nil},
	{`<m:ResponseCode>ErrorServerBusy</m:ResponseCode>`, "", nil},
	{"cannot", "4xx", nil},
}

// TestBitmapCountsMatchCollector counts each query's matches twice: from
// the postings' bitmaps, and by handing every match bleve finds to the
// collector. Totals and both facets must agree.
func TestBitmapCountsMatchCollector(t *testing.T) {
	ix := fullIndex(t)
	ctx := context.Background()
	for _, c := range countCases {
		name := fmt.Sprintf("%q status=%q providers=%v", c.text, c.status, c.providers)
		st, err := ParseStatus(c.status)
		if err != nil {
			t.Fatal(err)
		}
		q := Query{Text: c.text, Status: st, Providers: c.providers, Page: 1, PerPage: DefaultPerPage}
		pl, ws := plannedWords(t, ix, q.Text)
		must, _ := ix.textQuery(&pl, ws, reachAll)
		if len(must) == 0 {
			continue
		}
		bits := ix.newCollector(q, rerankWindow)
		m, err := ix.newMatcher(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ix.count(m, q, must, bits)
		if cerr := m.close(); err != nil || cerr != nil {
			t.Fatalf("%s: count: %v, close: %v", name, err, cerr)
		}
		every := ix.newCollector(q, rerankWindow)
		every.rank = false
		if err := ix.collect(ctx, boolean(must, nil), "none", every); err != nil {
			t.Fatal(err)
		}
		if bits.total != every.total {
			t.Errorf("%s: bitmaps count %d, the collector %d", name, bits.total, every.total)
		}
		if diff := cmp.Diff(every.statusCounts, bits.statusCounts); diff != "" {
			t.Errorf("%s: status counts (-collector +bitmaps):\n%s", name, diff)
		}
		if diff := cmp.Diff(every.provCounts, bits.provCounts); diff != "" {
			t.Errorf("%s: provider counts (-collector +bitmaps):\n%s", name, diff)
		}
	}
}

// TestScoringLimitKeepsTotalsAndPages lowers the scoring limit far below
// what common words match: totals and facets stay those of every match,
// pages stay full, and a page past the limit ranks every match.
func TestScoringLimitKeepsTotalsAndPages(t *testing.T) {
	ix := fullIndex(t)
	limited := build(t, ix.Entries())
	limited.scoring = scoringLimits{maxScored: 100}
	for _, q := range []Query{
		{Text: "token"},
		{Text: "request", Providers: []string{"twilio"}},
		{Text: "invalid", Status: StatusSet{{0, 0}, {400, 499}}},
		{Text: "the request", Page: 3, PerPage: 50},
	} {
		want, got := run(t, ix, q), run(t, limited, q)
		name := fmt.Sprintf("%q status=%v providers=%v page %d", q.Text, q.Status, q.Providers, q.Page)
		if want.Total <= limited.scoring.maxScored {
			t.Fatalf("%s: %d matches do not test a limit of %d", name, want.Total, limited.scoring.maxScored)
		}
		sameCounts(t, name, want, got)
		if from := (max(q.Page, 1) - 1) * max(q.PerPage, DefaultPerPage); from+max(q.PerPage, DefaultPerPage) > limited.scoring.maxScored {
			if !slices.EqualFunc(got.Hits, want.Hits, func(a, b Hit) bool { return a.ID == b.ID }) {
				t.Errorf("%s: a page past the limit ranks other hits than every match gives", name)
			}
		}
	}
}

// TestScoringLimitKeepsNamedEntries stops scoring after a few matches: an
// entry a paste names by its code or its whole message still comes first
// when bleve was stopped before reaching it.
func TestScoringLimitKeepsNamedEntries(t *testing.T) {
	ix := fullIndex(t)
	limited := build(t, ix.Entries())
	limited.scoring = scoringLimits{maxScored: 50}
	cases, err := pasteset.Load("testdata/pastes.json")
	if err != nil {
		t.Fatal(err)
	}
	named, stopped := 0, 0
	for _, c := range cases {
		want := run(t, ix, Query{Text: c.Paste})
		if len(want.Hits) == 0 || want.Hits[0].Match == "" {
			continue
		}
		named++
		if want.Total > limited.scoring.maxScored {
			stopped++
		}
		got := run(t, limited, Query{Text: c.Paste})
		if len(got.Hits) == 0 || got.Hits[0].ID != want.Hits[0].ID {
			t.Errorf("%q: first %v under the limit, want %s (%s match)", clip(c.Paste, 80), first(ids(got), 3), want.Hits[0].ID, want.Hits[0].Match)
		}
	}
	if stopped < 20 {
		t.Fatalf("only %d of %d pastes that name their entry match more than %d entries: the limit is not tested", stopped, named, limited.scoring.maxScored)
	}
}
