package search

import (
	"cmp"
	"slices"
	"strings"

	"github.com/errata/errata/content"
)

// codeTable finds entries by the codes their front matter lists, in any
// case: every (code, entry) pair, sorted by lower-cased code.
type codeTable []codeOf

type codeOf struct {
	code  string // lower-cased
	entry int32
}

func newCodeTable(es []content.Entry) codeTable {
	var t codeTable
	for i, e := range es {
		for _, c := range e.Codes {
			t = append(t, codeOf{strings.ToLower(c), int32(i)})
		}
	}
	slices.SortFunc(t, func(a, b codeOf) int { return cmp.Or(strings.Compare(a.code, b.code), cmp.Compare(a.entry, b.entry)) })
	return t
}

// ByCode is every entry that lists code among its codes, in any case, in
// catalogue order (status, then id).
func (ix *Index) ByCode(code string) []content.Entry {
	code = strings.ToLower(code)
	k, _ := slices.BinarySearchFunc(ix.codes, code, func(c codeOf, code string) int { return strings.Compare(c.code, code) })
	var out []content.Entry
	for ; k < len(ix.codes) && ix.codes[k].code == code; k++ {
		out = append(out, ix.entries[ix.codes[k].entry])
	}
	return out
}

// searchAliases are the names an entry is searched by besides its title
// and messages: its codes, then its aliases. The index, its re-ranking
// templates (tokens) and their reader (rank) take them in this order.
func searchAliases(e content.Entry) []string {
	if len(e.Codes) == 0 {
		return e.Aliases
	}
	return append(slices.Clip(e.Codes), e.Aliases...)
}
