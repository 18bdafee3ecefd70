package search

import (
	"slices"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
)

// A lone word in a large share of the catalogue is looked for in titles,
// messages, aliases and identifiers, not in the prose of cause and
// solution; any other query still reads the prose. The real corpora are too
// small to hold a broad word, so the test lowers the thresholds.
func TestBroadWordSkipsProse(t *testing.T) {
	es := corpus.Entries(realCorpora(t))
	// A Twilio entry that does not name Twilio.
	es = append(es, entry("400-unnamed", 400, "Unnamed", []string{"twilio"}, []string{"Something failed."}, nil, "Unknown.", "Retry."))
	ix := build(t, es)
	holds := func(e *content.Entry, word string, prose bool) bool {
		d := toDoc(*e)
		texts := append([]string{e.Title}, e.Messages...)
		texts = append(texts, e.Aliases...)
		if prose {
			texts = append(texts, d.Body...)
		}
		found := false
		for _, s := range texts {
			ix.en(s, func(term string, _, _ int) { found = found || term == word })
		}
		for _, s := range d.Ident {
			for _, tok := range (identAnalyzer{}).Analyze([]byte(s)) {
				found = found || string(tok.Term) == word
			}
		}
		return found
	}
	count := func(word string, prose bool, provider string) int {
		n := 0
		for i := range ix.entries {
			e := &ix.entries[i]
			if holds(e, word, prose) && (provider == "" || slices.Contains(e.Providers, provider)) {
				n++
			}
		}
		return n
	}
	withProse, without := count("error", true, ""), count("error", false, "")
	if without == 0 || without >= withProse {
		t.Fatalf("corpora hold error in %d entries, %d without the prose: no test", withProse, without)
	}

	if got := run(t, ix, Query{Text: "error"}).Total; got != withProse {
		t.Errorf("error, not broad: total %d, want %d (prose included)", got, withProse)
	}
	ix.broad = broadLimits{work: uint32(withProse / 2), light: 10}
	for _, q := range []Query{{Text: "error"}, {Text: "the error"}, {Text: "errsr"}, {Text: "Error", PerPage: MaxPerPage}} {
		res := run(t, ix, q)
		if res.Total != without {
			t.Errorf("%q: total %d, want the %d entries holding it outside the prose", q.Text, res.Total, without)
		}
		if len(res.Hits) == 0 {
			t.Errorf("%q: no hits", q.Text)
		}
		for _, h := range res.Hits {
			if e, _ := ix.Entry(h.ID); !holds(&e, "error", false) {
				t.Errorf("%q: hit %s holds error only in its prose", q.Text, h.ID)
			}
		}
	}
	if got, want := run(t, ix, Query{Text: "error", Providers: []string{"twilio"}}).Total, count("error", false, "twilio"); got != want {
		t.Errorf("error in twilio: total %d, want %d", got, want)
	}
	// A broad provider name finds the entries that name it, not all of
	// that provider's entries.
	if got, want := run(t, ix, Query{Text: "Twilio"}).Total, count("twilio", false, ""); got != want || want == 0 || want >= ix.provTotals[providerBit["twilio"]] {
		t.Errorf("twilio: total %d, want %d, fewer than the %d Twilio entries", got, want, ix.provTotals[providerBit["twilio"]])
	}
	// Two words, or a phrase, still read the prose.
	for _, q := range []string{"error invalid", `"an error"`} {
		full := ix.broad
		ix.broad = broadLimits{work: ^uint32(0)}
		want := run(t, ix, Query{Text: q}).Total
		ix.broad = full
		if got := run(t, ix, Query{Text: q}).Total; got != want {
			t.Errorf("%q: total %d with broad words, %d without: a query of several words skipped the prose", q, got, want)
		}
	}
}
