package search

import (
	"strings"
	"testing"

	"github.com/errata/errata/search/pasteset"
)

// Thresholds of the paste set: the share of pastes whose entry comes first,
// overall and for every shape.
const (
	minPasteTop1      = 0.95
	minPasteShapeTop1 = 0.85
)

// TestPastes runs the paste set (testdata/pastes.json: errors as people
// paste them, over the catalogue and the real corpora) and prints top-1 and
// MRR by shape, by source and overall. It fails below minPasteTop1 overall,
// below minPasteShapeTop1 for any shape, and on any paste that finds nothing.
func TestPastes(t *testing.T) {
	ix := fullIndex(t)
	cases, err := pasteset.Load("testdata/pastes.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 150 {
		t.Fatalf("the paste set has %d pastes, want at least 150", len(cases))
	}
	tally := pasteset.NewTally()
	for _, c := range cases {
		if _, ok := ix.Entry(c.Want); !ok {
			t.Errorf("paste %q wants %q, which is not in the catalogue", clip(c.Paste, 60), c.Want)
			continue
		}
		res := run(t, ix, Query{Text: c.Paste, PerPage: MaxPerPage})
		got := ids(res)
		rank := pasteset.Rank(got, c.Want)
		tally.Add(c, rank, len(got))
		switch {
		case len(got) == 0:
			t.Errorf("no results [%s] %q: want %s", c.Shape, oneLine(c.Paste, 100), c.Want)
		case rank != 1:
			t.Logf("miss [%s %s] %q: want %s at rank %d, got %v", c.Shape, c.Form, oneLine(c.Paste, 100), c.Want, rank, first(got, 3))
		}
	}
	var b strings.Builder
	tally.Write(&b, "paste set")
	t.Logf("\n%s", b.String())
	if acc := tally.All.Accuracy(); acc < minPasteTop1 {
		t.Errorf("top-1 %.3f over %d pastes, want at least %.2f", acc, tally.All.N, minPasteTop1)
	}
	for shape, s := range tally.ByShape {
		if s.Accuracy() < minPasteShapeTop1 {
			t.Errorf("shape %s: top-1 %.3f over %d pastes, want at least %.2f", shape, s.Accuracy(), s.N, minPasteShapeTop1)
		}
	}
}

// oneLine is s clipped to n bytes with its line breaks shown as ⏎, for logs.
func oneLine(s string, n int) string {
	return strings.ReplaceAll(clip(s, n), "\n", "⏎")
}
