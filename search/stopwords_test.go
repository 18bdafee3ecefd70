package search

import (
	"slices"
	"testing"

	"github.com/errata/errata/content/corpus"
)

// A query of stop words only ("should not have same From") matched nothing:
// the English fields drop every one of its words. It now finds the entries
// holding the most of its word pairs, best first.
func TestStopWordsOnly(t *testing.T) {
	es := append(fixtures(),
		entry("same-from-to", 0, "Channels message cannot have same From and To", []string{"twilio"},
			[]string{"Channels message should not have same From and To number"}, nil, "Same numbers.", "Use two numbers."),
		entry("not-have-access", 0, "No Access", nil, []string{"You do not have access to this queue."}, nil, "No access.", "Ask."),
		entry("is-not-valid", 0, "Invalid Number", nil, []string{"The number is not valid."}, nil, "Bad number.", "Fix it."),
	)
	ix := build(t, es)
	for _, tc := range []struct {
		q, first string
		atLeast  int
	}{
		{"not have same From", "same-from-to", 2}, // "not have" is in two entries
		{"should not have same from", "same-from-to", 2},
		{"Should Not", "same-from-to", 1},
		{"is not", "is-not-valid", 1},
	} {
		res := run(t, ix, Query{Text: tc.q})
		if res.Total < tc.atLeast || len(res.Hits) == 0 || res.Hits[0].ID != tc.first {
			t.Errorf("%q: %d hits %v, want %s first of at least %d", tc.q, res.Total, first(ids(res), 3), tc.first, tc.atLeast)
		}
	}
	// One stop word alone has no pair to look up: nothing matches, and the
	// results say which words were too common.
	if res := run(t, ix, Query{Text: "cannot"}); res.Total != 0 || !slices.Equal(res.TooCommon, []string{"cannot"}) {
		t.Errorf("cannot alone: %d hits %v, too common %q", res.Total, first(ids(res), 3), res.TooCommon)
	}
	for _, q := range []string{"quota", "xyzzyq", "cannot xyzzyq", `"cannot have"`} {
		if res := run(t, ix, Query{Text: q}); res.TooCommon != nil {
			t.Errorf("%q: too common %q, want none: it has a word that is not a stop word, or a phrase", q, res.TooCommon)
		}
	}
}

// On the real corpora, a stop-word fragment of a real message finds it.
func TestStopWordsOnlyRealCorpora(t *testing.T) {
	ix := build(t, corpus.Entries(realCorpora(t)))
	res := run(t, ix, Query{Text: "not have same From"})
	if len(res.Hits) == 0 || res.Hits[0].ID != "twilio-63031" {
		t.Errorf("not have same From: %d hits %v, want twilio-63031 first", res.Total, first(ids(res), 3))
	}
}
