package search

import "strings"

// suggest proposes the query with each word the index does not know
// replaced by its closest, most frequent known word ("did you mean").
func (ix *Index) suggest(pl plan, ws []word) string {
	fix := map[string]string{}
	for _, w := range ws {
		if len(w.fixes) > 0 {
			fix[w.lower] = w.fixes[0]
		} else if fz := fuzziness(w.lower); pl.pasted && w.df == 0 && fz > 0 && !hasDigit(w.lower) {
			if f := ix.vocab.corrections(w.lower, fz, 1); len(f) > 0 {
				fix[w.lower] = f[0]
			}
		}
	}
	if len(fix) == 0 {
		return ""
	}
	out := make([]string, 0, len(pl.tokens))
	for _, tok := range pl.tokens {
		if f, ok := fix[lowerASCII(tok)]; ok {
			tok = f
		}
		out = append(out, tok)
	}
	return strings.Join(out, " ")
}

// distance is the edit distance of a and b in runes, counting a swap of two
// neighbours as one edit ("tokne" → "token"), or k+1 once it exceeds k.
func distance(a, b string, k int) int {
	ra, rb := []rune(a), []rune(b)
	pp := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > k {
			return k + 1
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(rb)]
}
