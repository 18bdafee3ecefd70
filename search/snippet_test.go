package search

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content/corpus"
)

// refMarks is how marks were found before windows: the whole text through
// both analyzers.
func refMarks(hl *highlighter, text string) [][2]int {
	if len(text) > maxMarkedBytes {
		text = text[:maxMarkedBytes]
	}
	return hl.marksIn(text, [][2]int{{0, len(text)}})
}

// Analysing only the windows around the keys marks what analysing the whole
// text marks, on every text of the entries, for typed and pasted queries.
func TestMarksInWindowsMatchWholeText(t *testing.T) {
	ix := build(t, corpus.Entries(realCorpora(t)))
	rng := rand.New(rand.NewPCG(5, 6))
	qs := rerankQueries(ix.entries, 150, rng)
	for _, c := range loadRelevance(t) {
		qs = append(qs, c.Query)
	}
	marked := 0
	for _, q := range qs {
		pl := understand(q)
		ws, err := ix.words(context.Background(), pl)
		if err != nil {
			t.Fatal(err)
		}
		hl := ix.newHighlighter(pl, ws)
		for range 40 {
			e := &ix.entries[rng.IntN(len(ix.entries))]
			texts := append([]string{e.Title}, e.Messages...)
			for _, s := range e.Sections {
				texts = append(texts, s.Text)
			}
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
