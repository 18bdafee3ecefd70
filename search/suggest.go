package search

import (
	"context"
	"strings"
)

// suggest proposes the query with each word the index does not know replaced
// by the most frequent known word within its edit distance ("did you mean").
func (ix *Index) suggest(ctx context.Context, pl plan) string {
	changed := false
	out := make([]string, 0, len(pl.tokens))
	for _, tok := range pl.tokens {
		lw := lowerASCII(tok)
		fz := fuzziness(lw)
		if fz == 0 || ix.vocab[lw] > 0 || !isWordy(lw) || ctx.Err() != nil {
			out = append(out, tok)
			continue
		}
		best, bestD, bestN := "", fz+1, uint32(0)
		for term, n := range ix.vocab {
			if d := lenDiff(term, lw); d > fz || d >= bestD {
				continue
			}
			d := distance(lw, term, min(fz, bestD))
			if d < bestD || (d == bestD && (n > bestN || (n == bestN && term < best))) {
				if d <= fz {
					best, bestD, bestN = term, d, n
				}
			}
		}
		if best == "" {
			out = append(out, tok)
			continue
		}
		out = append(out, best)
		changed = true
	}
	if !changed {
		return ""
	}
	return strings.Join(out, " ")
}

func lenDiff(a, b string) int {
	if len(a) > len(b) {
		return len(a) - len(b)
	}
	return len(b) - len(a)
}

// withinDistance reports whether a and b are at most k edits apart.
func withinDistance(a, b string, k int) bool {
	return lenDiff(a, b) <= k && distance(a, b, k) <= k
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
