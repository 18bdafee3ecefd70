package search

import (
	"slices"
	"strconv"
)

// templateIndex names the entries whose message a query may hold whole,
// before full text runs: full text finds by rare words, and a message made
// of common words only ("The request could not be completed, try again
// later") would be one of thousands of hits, re-ranked only if bleve's
// score kept it in the window. Each message template is keyed by its
// rarest pair of adjacent literal words (two word ids), which a text
// holding the whole message holds too, placeholders aside. It is derived
// from the templates (tokens) when the index is built, and saved with it
// (savedTemplates).
type templateIndex struct {
	keys []uint64 // sorted: a pair's ids, first<<32 | second
	docs []int32  // docs[k] holds a message keyed keys[k]
}

// pairKey is the key of two adjacent word ids.
func pairKey(a, b uint32) uint64 { return uint64(a)<<32 | uint64(b) }

// indexTemplates keys every message template of two literal words or more
// by its rarest adjacent pair: the pair fewest messages hold.
func (ix *Index) indexTemplates() templateIndex {
	n := ix.entries.len()
	count := map[uint64]uint32{}
	var r tokenReader
	eachMessage := func(fn func(doc int, tmpl []uint32)) {
		for i := range n {
			ix.tokens.open(&r, i)
			r.next() // the title
			for range ix.entries.nMsg[i] {
				fn(i, r.next())
			}
		}
	}
	eachMessage(func(_ int, tmpl []uint32) {
		for j := 1; j < len(tmpl); j++ {
			if tmpl[j-1] != placeholderID && tmpl[j] != placeholderID {
				count[pairKey(tmpl[j-1], tmpl[j])]++
			}
		}
	})
	type keyDoc struct {
		key uint64
		doc int32
	}
	var kd []keyDoc
	eachMessage(func(doc int, tmpl []uint32) {
		best, bestN := uint64(0), uint32(0)
		for j := 1; j < len(tmpl); j++ {
			if tmpl[j-1] == placeholderID || tmpl[j] == placeholderID {
				continue
			}
			k := pairKey(tmpl[j-1], tmpl[j])
			if c := count[k]; bestN == 0 || c < bestN {
				best, bestN = k, c
			}
		}
		if bestN > 0 {
			kd = append(kd, keyDoc{best, int32(doc)})
		}
	})
	slices.SortFunc(kd, func(a, b keyDoc) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.doc - b.doc)
	})
	kd = slices.Compact(kd) // two messages of one entry with one key
	t := templateIndex{keys: make([]uint64, len(kd)), docs: make([]int32, len(kd))}
	for k, x := range kd {
		t.keys[k], t.docs[k] = x.key, x.doc
	}
	return t
}

// holding is the entries keyed by key.
func (t *templateIndex) holding(key uint64) []int32 {
	lo, _ := slices.BinarySearch(t.keys, key)
	hi := lo
	for hi < len(t.keys) && t.keys[hi] == key {
		hi++
	}
	return t.docs[lo:hi]
}

// templateHits are the entries of which the text holds a message of two
// words or more whole, as one run (placeholders matching any words), at
// most maxTemplateHits: the entries its pairs key are candidates, and each
// is checked against its messages. A pair keying more than maxTemplateHits
// entries names none: a message that many entries share tells none apart.
func (ix *Index) templateHits(seq []qword) []int32 {
	if len(seq) < 2 || len(ix.templates.keys) == 0 {
		return nil
	}
	var cands []int32
	for i := 1; i < len(seq); i++ {
		for _, a := range seq[i-1] {
			if a == noID || a == placeholderID {
				continue
			}
			for _, b := range seq[i] {
				if b == noID || b == placeholderID {
					continue
				}
				docs := ix.templates.holding(pairKey(a, b))
				if len(docs) > maxTemplateHits {
					continue
				}
				for _, d := range docs {
					if !slices.Contains(cands, d) && len(cands) < maxTemplateCandidates {
						cands = append(cands, d)
					}
				}
			}
		}
	}
	var out []int32
	var r tokenReader
	for _, d := range cands {
		ix.tokens.open(&r, int(d))
		r.next() // the title
		for range ix.entries.nMsg[d] {
			if c, n := coverageN(seq, r.next()); c == 1 && n >= 2 {
				out = append(out, d)
				break
			}
		}
		if len(out) == maxTemplateHits {
			break
		}
	}
	return out
}

// docNumbers are entries as bleve's document ids.
func docNumbers(docs []int32) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = strconv.Itoa(int(d))
	}
	return out
}
