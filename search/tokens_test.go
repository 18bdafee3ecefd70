package search

import (
	"maps"
	"slices"
	"testing"
)

// Every word of the templates has an id from the vocabulary counted over the
// same entries: interning adds none.
func TestTemplatesUseVocabulary(t *testing.T) {
	ix := catalogue(t)
	if n, m := len(ix.vocab.ids), len(ix.vocab.df); n != m {
		t.Errorf("%d word ids for %d counted words: tokenizing numbered words the vocabulary lacks", n, m)
	}
}

// A saved index keeps its entries' tokens, which open without tokenizing
// again, hold the same ids as a build's, and are checked before use.
func TestSavedTokens(t *testing.T) {
	opened, built := savedAndBuilt(t, fixtures())
	if !slices.Equal(opened.tokens.data, built.tokens.data) || !slices.Equal(opened.tokens.off, built.tokens.off) {
		t.Fatalf("opened tokens differ from built:\n%v %v\n%v %v", opened.tokens.off, opened.tokens.data, built.tokens.off, built.tokens.data)
	}
	if len(built.tokens.data) == 0 {
		t.Fatal("no tokens built")
	}
	// The words that are a whole template, found as the saved tokens are
	// checked, are those found as a build makes them.
	if !maps.Equal(opened.tokens.sole, built.tokens.sole) {
		t.Fatalf("opened sole words %v, built %v", opened.tokens.sole, built.tokens.sole)
	}

	good := built.tokens
	if !good.valid(built) {
		t.Fatal("built tokens are not valid")
	}
	n := len(good.data)
	for name, bad := range map[string]tokens{
		"none":              {},
		"cut short":         {data: good.data[:n-1], off: append(slices.Clone(good.off[:len(good.off)-1]), uint32(n-1))},
		"offsets of others": {data: good.data, off: good.off[1:]},
		"unknown id":        {data: append(slices.Clone(good.data[:n-1]), 0x7f), off: good.off},
		"offsets backwards": {data: good.data, off: append([]uint32{0, uint32(n)}, good.off[2:]...)},
	} {
		if bad.valid(built) {
			t.Errorf("%s: tokens taken as valid", name)
		}
	}
}
