package search

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// vocab is every word of the catalogue, lower-cased and unstemmed (whole
// identifiers and their parts), with its document frequency. It corrects
// typos without bleve's fuzzy queries, which walk the whole term dictionary,
// tells rare words from common ones, and numbers the words, so that entry
// texts are tokenized once (see tokens.go).
type vocab struct {
	df    map[string]uint32 // word → document frequency: counted, or read from a saved index
	ids   map[string]uint32 // word → id, from 1 for the most frequent; set by seal
	byLen [][]vterm         // by length in runes
	// sorted is every word in byte order: the completions of a prefix are
	// one run of it, found with one binary search rather than one per
	// length.
	sorted []vterm
	docs   int
}

type vterm struct {
	term string
	mask uint32 // letters present, for a cheap lower bound on the distance
	df   uint32
}

func newVocab() *vocab { return &vocab{df: map[string]uint32{}} }

// addDoc counts the words of one document's texts once each.
func (v *vocab) addDoc(seen map[string]struct{}, texts ...string) {
	clear(seen)
	for _, t := range texts {
		eachIdent(t, func(_, _ int, w string) {
			lw := lowerASCII(w)
			seen[lw] = struct{}{}
			for _, p := range identParts(w) {
				seen[p] = struct{}{}
			}
		})
	}
	for w := range seen {
		v.df[w]++
	}
	v.docs++
}

// seal numbers the words and builds the length buckets once every document
// was added. Ids follow frequency (then the word), so they are the same
// wherever the same counts are sealed, and the most common words take one
// byte in a uvarint.
func (v *vocab) seal() {
	words := make([]string, 0, len(v.df))
	for w := range v.df {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, b string) int {
		return cmp.Or(cmp.Compare(v.df[b], v.df[a]), strings.Compare(a, b))
	})
	v.ids = make(map[string]uint32, len(words))
	for i, w := range words {
		v.ids[w] = uint32(i + 1)
	}
	for w, n := range v.df {
		l := utf8.RuneCountInString(w)
		for len(v.byLen) <= l {
			v.byLen = append(v.byLen, nil)
		}
		v.byLen[l] = append(v.byLen[l], vterm{term: w, mask: letterMask(w), df: n})
	}
	for _, b := range v.byLen {
		slices.SortFunc(b, func(a, b vterm) int {
			if a.term < b.term {
				return -1
			}
			if a.term > b.term {
				return 1
			}
			return 0
		})
	}
	v.sorted = make([]vterm, 0, len(v.df))
	for w, n := range v.df {
		v.sorted = append(v.sorted, vterm{term: w, df: n})
	}
	slices.SortFunc(v.sorted, func(a, b vterm) int { return strings.Compare(a.term, b.term) })
}

func letterMask(w string) uint32 {
	var m uint32
	for _, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
			m |= 1 << (r - 'a')
		case r >= '0' && r <= '9':
			m |= 1 << 26
		default:
			m |= 1 << 27
		}
	}
	return m
}

// corrections returns up to n known words within fz edits of w, closest
// first, then most frequent.
func (v *vocab) corrections(w string, fz, n int) []string {
	l := utf8.RuneCountInString(w)
	mw := letterMask(w)
	type cand struct {
		term string
		d    int
		df   uint32
	}
	var cs []cand
	for k := max(1, l-fz); k <= l+fz && k < len(v.byLen); k++ {
		for _, t := range v.byLen[k] {
			// Each edit changes the letter set by at most two letters.
			if bits.OnesCount32(mw^t.mask) > 2*fz {
				continue
			}
			if d := distance(w, t.term, fz); d <= fz && d > 0 {
				cs = append(cs, cand{t.term, d, t.df})
			}
		}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.d != b.d {
			return a.d - b.d
		}
		if a.df != b.df {
			return int(b.df) - int(a.df)
		}
		if a.term < b.term {
			return -1
		}
		return 1
	})
	out := make([]string, 0, n)
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.term)
	}
	return out
}

// intern returns the id of w, numbering it when the vocabulary lacks it (it
// never does for text of the entries it was counted from). A word numbered
// here has no document frequency and is never a correction.
func (v *vocab) intern(w string) uint32 {
	if id, ok := v.ids[w]; ok {
		return id
	}
	id := uint32(len(v.ids) + 1)
	v.ids[w] = id
	return id
}

// completions returns up to n known words that begin with w and are
// longer, most frequent first, then shortest, then in order: the words a
// person may be typing. Words shorter than minPrefixRunes complete to
// nothing, as nearly every word begins with them.
func (v *vocab) completions(w string, n int) []string {
	l := utf8.RuneCountInString(w)
	if l < minPrefixRunes {
		return nil
	}
	var cs []vterm
	i, _ := slices.BinarySearchFunc(v.sorted, w, func(t vterm, w string) int { return strings.Compare(t.term, w) })
	for ; i < len(v.sorted) && strings.HasPrefix(v.sorted[i].term, w); i++ {
		if utf8.RuneCountInString(v.sorted[i].term) > l {
			cs = append(cs, v.sorted[i])
		}
	}
	slices.SortFunc(cs, func(a, b vterm) int {
		return cmp.Or(cmp.Compare(b.df, a.df), cmp.Compare(len(a.term), len(b.term)), strings.Compare(a.term, b.term))
	})
	out := make([]string, 0, min(n, len(cs)))
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.term)
	}
	return out
}
