package search

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

func TestTypos(t *testing.T) {
	ix := build(t, fixtures())
	for q, want := range map[string]string{"throtled": "422-throttled", "thrrottled": "422-throttled", "mailbx quota exceeded": "429-in-message"} {
		if got := ids(run(t, ix, Query{Text: q})); !slices.Contains(first(got, 2), want) {
			t.Errorf("%q: got %v, want %s among the first two", q, got, want)
		}
	}
	// A typo is read as its correction, in the phrase re-rank too: the
	// same entry comes first as for the word spelt right.
	typo, right := ids(run(t, ix, Query{Text: "mailbx quota exceeded"})), ids(run(t, ix, Query{Text: "mailbox quota exceeded"}))
	if len(typo) == 0 || len(right) == 0 || typo[0] != right[0] {
		t.Errorf("mailbx quota exceeded: got %v, want %v first as for mailbox quota exceeded", first(typo, 3), first(right, 1))
	}
	// A typo ranks below the exact word: "account" matches exactly in one
	// entry; "accound" (a typo of it) must not outrank an exact match.
	res := run(t, ix, Query{Text: "throttled"})
	if got := ids(res); len(got) != 1 || got[0] != "422-throttled" {
		t.Errorf("known words are not fuzzed: got %v", got)
	}
	// Short words are never fuzzed; typed whole (a space after them),
	// they are not completed either.
	if got := ids(run(t, ix, Query{Text: "quo "})); len(got) != 0 {
		t.Errorf("quo: got %v, want nothing (no fuzziness under 4 letters)", got)
	}
}

func TestTypoRanksBelowExact(t *testing.T) {
	es := []content.Entry{
		entry("400-exact", 400, "Token Expired", nil, []string{"The token expired."}, nil, "Old.", "Renew."),
		entry("401-typo-neighbour", 401, "Taken Name", nil, []string{"The name is taken."}, nil, "Used.", "Pick another."),
	}
	ix := build(t, es)
	// "tokn" is one edit from both "token" and "taken"... only token is 1 away.
	res := run(t, ix, Query{Text: "expired tokne"})
	if got := ids(res); len(got) == 0 || got[0] != "400-exact" {
		t.Errorf("got %v, want 400-exact first", got)
	}
	exact := run(t, ix, Query{Text: "token"})
	typo := run(t, ix, Query{Text: "tokne"})
	if len(exact.Hits) == 0 || len(typo.Hits) == 0 {
		t.Fatalf("exact %v typo %v", ids(exact), ids(typo))
	}
}

// A catalogue of at most minCommonCutoff entries skips counting the stems of
// words the vocabulary knows. Counted, they would decide nothing else: every
// word is rare, none is broad, and a known word is in the index.
func TestSmallCatalogueNeedsNoStemCounts(t *testing.T) {
	ix := catalogue(t)
	if len(ix.entries.all) > minCommonCutoff {
		t.Skipf("the catalogue has %d entries, more than %d", len(ix.entries.all), minCommonCutoff)
	}
	var qs []string
	for _, c := range loadRelevance(t) {
		qs = append(qs, c.Query)
	}
	qs = append(qs, rerankQueries(ix.entries.all, 40, rand.New(rand.NewPCG(9, 10)))...)
	df := ix.dfReader(context.Background())
	defer func() {
		if err := df.close(); err != nil {
			t.Error(err)
		}
	}()
	checked := 0
	for _, q := range qs {
		pl := understand(q, builtinSignals)
		ws, err := ix.words(context.Background(), pl)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.stop {
				continue
			}
			for _, t0 := range append([]string{w.text}, w.fixes...) {
				ix.en(t0, func(stem string, _, _ int) {
					all, light, work := df.count(stem)
					if all > ix.commonCutoff() || light >= ix.broad.light || work >= ix.broad.work {
						t.Errorf("%q: stem %s counts %d/%d/%d, which would decide", q, stem, all, light, work)
					}
					if all > 0 && w.df == 0 {
						t.Errorf("%q: stem %s is in %d entries, yet the word counts as unknown", q, stem, all)
					}
					checked++
				})
			}
		}
	}
	if checked < len(qs) {
		t.Errorf("only %d stems checked", checked)
	}
}

// A query of many matches scores only those holding its words in titles,
// messages, aliases and identifiers, not only in the prose of cause and
// solution, and counts every match. The real corpora are too small for that,
// so the test lowers the thresholds.
func TestManyMatchesScoreOutsideTheProse(t *testing.T) {
	t.Parallel() // changes only its own index
	// Its own index of the real corpora, whose limits it lowers, with a
	// Twilio entry that does not name Twilio.
	es := append(slices.Clone(corpustest.RealEntries(t)), entry("400-unnamed", 400, "Unnamed", []string{"twilio"}, []string{"Something failed."}, nil, "Unknown.", "Retry."))
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
		for i := range ix.entries.all {
			e := &ix.entries.all[i]
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
	if withProse <= 100 {
		t.Fatalf("corpora hold error in %d entries: no test of a limit of 100", withProse)
	}
	ix.scoring = scoringLimits{headFrom: 100}
	for _, q := range []Query{{Text: "error"}, {Text: "the error"}, {Text: "errsr"}, {Text: "Error", PerPage: MaxPerPage}} {
		res := run(t, ix, q)
		if res.Total != withProse {
			t.Errorf("%q: total %d, want every %d entries holding it, prose included", q.Text, res.Total, withProse)
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
	if got, want := run(t, ix, Query{Text: "error", Providers: []string{"twilio"}}).Total, count("error", true, "twilio"); got != want {
		t.Errorf("error in twilio: total %d, want %d", got, want)
	}
	// A provider name counts the entries of that provider, and ranks
	// those that name it (typed whole: no completions).
	res := run(t, ix, Query{Text: "Twilio ", PerPage: MaxPerPage})
	if want := ix.provTotals[ix.prov.bit["twilio"]]; res.Total < want || want <= 100 {
		t.Errorf("twilio: total %d, want at least the %d Twilio entries", res.Total, want)
	}
	for _, h := range res.Hits {
		if e, _ := ix.Entry(h.ID); !holds(&e, "twilio", false) {
			t.Errorf("twilio: hit %s does not name Twilio outside its prose", h.ID)
		}
	}
	// A page past what the scoring bound fills ranks every match.
	ix.scoring = scoringLimits{headFrom: 100, maxScored: 150}
	deep := Query{Text: "error", Page: 3, PerPage: 100}
	limited := run(t, ix, deep)
	ix.scoring = scoringLimits{}
	if every := run(t, ix, deep); !slices.EqualFunc(limited.Hits, every.Hits, func(a, b Hit) bool { return a.ID == b.ID }) || len(every.Hits) == 0 {
		t.Errorf("error, page 3: %d hits bounded, %d of every match, or not the same", len(limited.Hits), len(every.Hits))
	}
}

// The word being typed, the last one with no space after it, is searched
// with its completions; an entry holding the word whole ranks first.
func TestTypingCompletesTheLastWord(t *testing.T) {
	es := append(fixtures(),
		entry("whole", 0, "Whole Word", nil, []string{"A limit was hit."}, []string{"rateLimit"}, "Limit.", "Wait."),
		entry("longer", 0, "Longer Word", nil, []string{"A limit was exceeded."}, []string{"rateLimitExceededToday"}, "Limit.", "Wait."),
	)
	ix := build(t, es)
	for _, c := range []struct {
		q     string
		first string
		also  string
	}{
		{"thrott", "422-throttled", ""},
		{"account thrott", "422-throttled", ""},
		{"AADSTS5012", "401-identifiers", ""},
		{"rateLimit", "whole", "longer"},
		{"rateLimitExc", "longer", ""},
	} {
		got := ids(run(t, ix, Query{Text: c.q}))
		if len(got) == 0 || got[0] != c.first || c.also != "" && !slices.Contains(got, c.also) {
			t.Errorf("%q: got %v, want %s first%s", c.q, got, c.first, map[bool]string{true: " and " + c.also}[c.also != ""])
		}
	}
	// Typed whole, or pasted, a word is not completed.
	for _, q := range []string{"thrott ", `level=error msg="thrott"`} {
		if got := ids(run(t, ix, Query{Text: q})); len(got) != 0 {
			t.Errorf("%q: got %v, want nothing", q, got)
		}
	}
}

// Typing a code letter by letter on the real catalogue finds something at
// every keystroke from the third, and the code's entry first from the first
// prefix that no other word of the catalogue begins.
func TestTypingACode(t *testing.T) {
	ix := fullIndex(t)
	for code, want := range map[string]string{
		"AADSTS50126":                  "aadsts-aadsts50126",
		"ErrorItemNotFound":            "ews-erroritemnotfound",
		"rateLimitExceeded":            "429-gmail-too-many-requests",
		"ErrorMailboxStoreUnavailable": "ews-errormailboxstoreunavailable",
		"fragmentOverlap":              "graph-innererror-fragmentoverlap",
	} {
		identified := false
		for n := minPrefixRunes; n <= len(code); n++ {
			p := code[:n]
			got := ids(run(t, ix, Query{Text: p}))
			if len(got) == 0 {
				t.Errorf("%q (typing %s): no results", p, code)
				continue
			}
			lp := lowerASCII(p)
			identified = identified || lp == lowerASCII(code) || slices.Equal(ix.vocab.completions(lp, 2), []string{lowerASCII(code)})
			if identified && got[0] != want {
				t.Errorf("%q (typing %s): got %v, want %s first", p, code, first(got, 3), want)
			}
		}
		if !identified {
			t.Errorf("%s: no prefix identified it", code)
		}
	}
}

// A catalogue of fewTexts holds its terms in sets, and they answer every
// look-up as the dictionaries do: each term of each held field, the same
// words cut or changed, and words it never holds. A larger catalogue holds
// no sets.
func TestHeldTermsAnswerAsTheDictionaries(t *testing.T) {
	t.Parallel() // builds its own indexes
	for _, es := range atFewTexts(t) {
		ix := build(t, es)
		if (ix.heldTerms != nil) != (len(es) <= wholeTextEntries) {
			t.Fatalf("%d entries: term sets held: %v", len(es), ix.heldTerms != nil)
		}
		if ix.heldTerms == nil {
			continue
		}
		var asked []string
		for f, terms := range ix.heldTerms {
			if len(terms) == 0 {
				t.Errorf("field %s: no term held", f)
			}
			for term := range terms {
				asked = append(asked, term, term[:len(term)/2], term+"s", "x"+term)
			}
		}
		asked = append(asked, "", "zzzqqq", "AADSTS", "ü", "\x00")
		held := ix.heldTerms
		in := 0
		for f := range held {
			for _, term := range asked {
				withSets := (&termLookup{ix: ix}).has(f, term)
				ix.heldTerms = nil
				look := &termLookup{ix: ix}
				withDicts := look.has(f, term)
				look.close()
				ix.heldTerms = held
				if withSets != withDicts {
					t.Fatalf("field %s, term %q: the sets say %v, the dictionaries %v", f, term, withSets, withDicts)
				}
				if withSets {
					in++
				}
			}
		}
		if in == 0 || in == len(held)*len(asked) {
			t.Errorf("%d of %d look-ups found their term: the comparison hardly compares", in, len(held)*len(asked))
		}
	}
}
