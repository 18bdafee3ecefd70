package search

import (
	"testing"

	"github.com/errata/errata/content/corpus"
)

// Entry finds every entry by its id, from the ids sorted once.
func TestEntryFindsEveryID(t *testing.T) {
	ix := build(t, corpus.Entries(realCorpora(t)))
	for _, e := range corpus.Entries(realCorpora(t)) {
		got, ok := ix.Entry(e.ID)
		if !ok || got.ID != e.ID || got.Title != e.Title {
			t.Fatalf("Entry(%q) = %q, %v", e.ID, got.ID, ok)
		}
	}
	for _, id := range []string{"", "nope", "zzzz", "0", ix.entries[0].ID + "x"} {
		if _, ok := ix.Entry(id); ok {
			t.Errorf("Entry(%q) found an entry", id)
		}
	}
}
