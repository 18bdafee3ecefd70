package search

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

func TestSnippets(t *testing.T) {
	ix := build(t, fixtures())
	res := run(t, ix, Query{Text: "script pay"})
	if len(res.Hits) == 0 {
		t.Fatal("no hits")
	}
	// The text is as written (the web layer escapes it) with its matches marked.
	got := marked(res.Hits[0].Snippet)
	if got != "[Pay] <[script]>alert(1)</[script]> now & later." {
		t.Errorf("snippet = %q, want the text as written with pay and script marked", got)
	}
	res = run(t, ix, Query{Text: "exceeded quota"})
	sn := res.Hits[0].Snippet
	var marks []string
	for _, sp := range sn {
		if sp.Mark {
			marks = append(marks, strings.ToLower(sp.Text))
		}
	}
	if diff := cmp.Diff([]string{"quota", "exceeded"}, marks); diff != "" {
		t.Errorf("marked spans (-want +got):\n%s\n%s", diff, marked(sn))
	}
	// Identifiers are marked whole.
	res = run(t, ix, Query{Text: "userinfo.email"})
	if got := marked(res.Hits[0].Snippet); !strings.Contains(got, "[userinfo.email]") {
		t.Errorf("identifier snippet = %q", got)
	}
	// Long text is cut around the first mark.
	long := entry("400-long", 400, "Long", nil, []string{strings.Repeat("filler words here ", 40) + "needle found " + strings.Repeat("more filler ", 40)}, nil, "c", "s")
	ix2 := build(t, []content.Entry{long})
	sn = run(t, ix2, Query{Text: "needle"}).Hits[0].Snippet
	if h := marked(sn); len(h) > snippetBytes+40 || !strings.Contains(h, "[needle]") || !strings.HasPrefix(h, "…") || !strings.HasSuffix(h, "…") {
		t.Errorf("long snippet = %q", h)
	}
}

// refMarks is how marks were found before windows: the whole text through
// both analyzers.
func refMarks(hl *highlighter, text string) [][2]int {
	if len(text) > maxMarkedBytes {
		text = text[:maxMarkedBytes]
	}
	return hl.marksIn(text, [][2]int{{0, len(text)}})
}

// atFewTexts are the largest catalogue of fewTexts (the mixed small
// catalogue, wholeTextEntries entries) and the same with one more entry.
func atFewTexts(tb testing.TB) [][]content.Entry {
	few := smallCatalogues(tb)["mixed"]
	if len(few) != wholeTextEntries {
		tb.Fatalf("the mixed catalogue has %d entries, want %d", len(few), wholeTextEntries)
	}
	return [][]content.Entry{few, append(slices.Clone(few), corpustest.RealEntries(tb)[wholeTextEntries])}
}

// markedQueries are n queries drawn from es and every relevance query.
func markedQueries(tb testing.TB, es []content.Entry, n int, rng *rand.Rand) []string {
	qs := rerankQueries(es, n, rng)
	for _, c := range loadRelevance(tb) {
		qs = append(qs, c.Query)
	}
	return qs
}

// highlighterOf is the highlighter a search for q on ix marks with.
func highlighterOf(tb testing.TB, ix *Index, q string) *highlighter {
	pl := understand(q, builtinSignals)
	ws, err := ix.words(context.Background(), pl)
	if err != nil {
		tb.Fatal(err)
	}
	return ix.newHighlighter(pl, ws)
}

// Analysing only the windows around the keys marks what analysing the whole
// text marks, on every text of the entries, for typed and pasted queries.
func TestMarksInWindowsMatchWholeText(t *testing.T) {
	t.Parallel() // reads the shared index only
	ix := corporaIndex(t)
	rng := rand.New(rand.NewPCG(5, 6))
	qs := markedQueries(t, ix.entries.all, 150, rng)
	marked := 0
	for _, q := range qs {
		hl := highlighterOf(t, ix, q)
		for range 40 {
			e := &ix.entries.all[rng.IntN(len(ix.entries.all))]
			texts := append([]string{e.Title}, e.Messages...)
			for _, s := range e.Sections {
				texts = append(texts, s.Text)
			}
			// Beyond ASCII: quotes, and the two letters that lower-case
			// to ASCII (İ to i, the Kelvin sign to k).
			texts = append(texts, "“"+e.Title+"” — "+strings.ToUpper(e.Title),
				strings.NewReplacer("k", "\u212a", "i", "\u0130").Replace(e.Title+" "+strings.Join(e.Messages, " ")))
			for _, text := range texts {
				got, want := hl.marks(text), refMarks(hl, text)
				if !slices.Equal(got, want) {
					t.Fatalf("query %q, text %q:\nwindows mark %v\nwhole text   %v", clip(q, 60), clip(text, 200), got, want)
				}
				marked += len(got)
			}
		}
	}
	t.Logf("%d queries, %d marks", len(qs), marked)
	if marked < len(qs) {
		t.Errorf("only %d marks over %d queries: the comparison hardly compares", marked, len(qs))
	}
}

// A catalogue of up to wholeTextEntries entries marks its texts from their
// whole analysis, remembered: the marks are those of marksIn over the whole
// text (which the windows' are too, above), asked once or again; a larger
// catalogue remembers no whole text.
func TestFewTextsAreRememberedWhole(t *testing.T) {
	t.Parallel() // builds its own indexes
	for _, es := range atFewTexts(t) {
		ix := build(t, es)
		qs := markedQueries(t, es, 60, rand.New(rand.NewPCG(7, 8)))
		marked := 0
		for _, q := range qs {
			hl := highlighterOf(t, ix, q)
			for i := range es {
				e := &es[i]
				texts := append([]string{e.Title}, e.Messages...)
				for _, s := range e.Sections {
					texts = append(texts, s.Text)
				}
				for _, text := range texts {
					want := refMarks(hl, text)
					for range 2 { // analysed, then remembered
						if got := hl.marks(text); !slices.Equal(got, want) {
							t.Fatalf("%d entries, query %q, text %q:\nmarks      %v\nwhole text %v", len(es), clip(q, 60), clip(text, 200), got, want)
						}
					}
					marked += len(want)
				}
			}
		}
		whole := ix.wholeTexts.len()
		t.Logf("%d entries: %d queries, %d marks, %d whole texts remembered", len(es), len(qs), marked, whole)
		if marked < len(qs) {
			t.Errorf("%d entries: only %d marks over %d queries: the comparison hardly compares", len(es), marked, len(qs))
		}
		switch {
		case ix.fewTexts() != (len(es) <= wholeTextEntries):
			t.Errorf("%d entries: fewTexts is %v", len(es), ix.fewTexts())
		case ix.fewTexts() && whole == 0:
			t.Errorf("%d entries: no whole text remembered", len(es))
		case !ix.fewTexts() && whole > 0:
			t.Errorf("%d entries: %d whole texts remembered", len(es), whole)
		}
	}
}

// indexFold finds what strings.Index finds in the lower-cased text.
func TestIndexFold(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const letters = "aAbBeE zZ09_.-["
	str := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	for range 20000 {
		s, k := str(rng.IntN(40)), lowerASCII(str(1+rng.IntN(4)))
		if got, want := indexFold(s, k), strings.Index(lowerASCII(s), k); got != want {
			t.Fatalf("indexFold(%q, %q) = %d, want %d", s, k, got, want)
		}
	}
}
