package search

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCompletions(t *testing.T) {
	v := newVocab()
	seen := map[string]struct{}{}
	for _, texts := range [][]string{
		{"throttled throttling"}, {"throttled"}, {"throttled throttle"}, {"AADSTS50126 AADSTS50125"}, {"ErrorItemNotFound ErrorItemCorrupt"},
	} {
		v.addDoc(seen, texts...)
	}
	v.seal()
	for _, c := range []struct {
		w    string
		n    int
		want []string
	}{
		// Most frequent first, then shortest.
		{"thrott", 8, []string{"throttled", "throttle", "throttling"}},
		{"throttle", 8, []string{"throttled"}}, // longer words only
		{"thrott", 1, []string{"throttled"}},
		{"aadsts5012", 8, []string{"aadsts50125", "aadsts50126"}},
		{"erroritemn", 8, []string{"erroritemnotfound"}},
		{"th", 8, nil}, // too short to complete
		{"zzz", 8, nil},
	} {
		if got := v.completions(c.w, c.n); !slices.Equal(got, c.want) {
			t.Errorf("completions(%q, %d) = %q, want %q", c.w, c.n, got, c.want)
		}
	}
}

// The completions of every prefix of every word of the real catalogue's
// vocabulary, read from the words in byte order, are those of every word
// of every longer length: the same words, in the same order.
func TestCompletionsAsEveryLength(t *testing.T) {
	t.Parallel() // reads the shared index only
	v := fullIndex(t).vocab
	asked := 0
	for w := range v.df {
		for _, r := range []string{w, w[:len(w)/2], w[:min(len(w), minPrefixRunes+2)]} {
			asked++
			got := v.completions(r, maxCompletions)
			if want := completionsByLength(v, r, maxCompletions); !slices.Equal(got, want) {
				t.Fatalf("completions(%q) = %q, want %q", r, got, want)
			}
		}
	}
	if asked < 1000 {
		t.Fatalf("%d prefixes asked: the vocabulary is too small to tell", asked)
	}
}

// completionsByLength is vocab.completions as it was first written: a
// binary search in the words of each longer length.
func completionsByLength(v *vocab, w string, n int) []string {
	l := utf8.RuneCountInString(w)
	if l < minPrefixRunes {
		return nil
	}
	var cs []vterm
	for k := l + 1; k < len(v.byLen); k++ {
		b := v.byLen[k]
		i, _ := slices.BinarySearchFunc(b, w, func(t vterm, w string) int { return strings.Compare(t.term, w) })
		for ; i < len(b) && strings.HasPrefix(b[i].term, w); i++ {
			cs = append(cs, b[i])
		}
	}
	slices.SortFunc(cs, func(a, b vterm) int {
		return cmp.Or(cmp.Compare(b.df, a.df), cmp.Compare(len(a.term), len(b.term)), strings.Compare(a.term, b.term))
	})
	var out []string
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.term)
	}
	return out
}
