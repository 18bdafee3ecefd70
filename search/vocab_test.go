package search

import (
	"slices"
	"testing"
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
