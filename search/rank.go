package search

import (
	"cmp"
	"slices"
)

// ranked is a document with its final score.
type ranked struct {
	doc   int
	score float64
}

// rerank adds phrase coverage to bleve's relevance: a message pasted whole
// (placeholders matching any words) beats the same words scattered, and a
// title typed whole beats an alias.
func (ix *Index) rerank(hits []ranked, pl plan) []ranked {
	maxScore := 0.0
	for _, h := range hits {
		maxScore = max(maxScore, h.score)
	}
	if maxScore == 0 {
		maxScore = 1
	}
	seq := ix.rerankSeq(&pl)
	var r tokenReader
	for i := range hits {
		h := &hits[i]
		h.score = h.score/maxScore + ix.phraseBonus(h.doc, seq, &pl, &r)
	}
	slices.SortStableFunc(hits, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.doc, b.doc))
	})
	return hits
}

// qword is a word of the query as the ids of the words it matches: itself
// and, as the re-rank forgives a plural s, its plural and its singular. Slots
// with no such word hold noID.
type qword [3]uint32

// noID is no word's id.
const noID = ^uint32(0)

func (q *qword) is(id uint32) bool { return id == q[0] || id == q[1] || id == q[2] }

// qword looks a lower-cased word of the query up. Two words are the same
// when equal, or when one is the other with an s and both are longer than
// three bytes.
func (v *vocab) qword(w string) qword {
	q := qword{noID, noID, noID}
	look := func(k int, w string) {
		if id, ok := v.ids[w]; ok {
			q[k] = id
		}
	}
	look(0, w)
	if len(w) > 3 {
		look(1, w+"s")
	}
	if len(w) > 4 && w[len(w)-1] == 's' {
		look(2, w[:len(w)-1])
	}
	return q
}

// coverageN is the share of the template's words that appear in seq as one
// run, in order, where each placeholder stands for up to maxGap words, and
// the number of words matched. Matches of a single word count only when the
// template has one word.
func coverageN(seq []qword, tmpl []uint32) (float64, int) {
	lit := 0
	for _, t := range tmpl {
		if t != placeholderID {
			lit++
		}
	}
	if lit == 0 || len(seq) == 0 {
		return 0, 0
	}
	best := 0
	for j, t := range tmpl {
		if t == placeholderID {
			continue
		}
		for i := range seq {
			if !seq[i].is(t) {
				continue
			}
			if n := extend(seq, tmpl, i+1, j+1, 1); n > best {
				best = n
			}
		}
		if best == lit {
			break
		}
	}
	if best < 2 && lit > 1 {
		return 0, 0
	}
	return float64(best) / float64(lit), best
}

// extend counts literal template words matched from seq[i], tmpl[j] on.
func extend(seq []qword, tmpl []uint32, i, j, n int) int {
	for j < len(tmpl) {
		if tmpl[j] == placeholderID {
			if j+1 == len(tmpl) {
				return n
			}
			next := tmpl[j+1]
			for k := i; k < len(seq) && k <= i+maxGap; k++ {
				if seq[k].is(next) {
					i, j = k, j+1
					goto matched
				}
			}
			return n
		matched:
			continue
		}
		if i >= len(seq) || !seq[i].is(tmpl[j]) {
			return n
		}
		n++
		i++
		j++
	}
	return n
}

// rerankSeq is the query's word sequence as ids, for phraseBonus.
func (ix *Index) rerankSeq(pl *plan) []qword {
	out := make([]qword, len(pl.seq))
	for i, w := range pl.seq {
		out[i] = ix.vocab.qword(w)
	}
	return out
}

// phraseBonus rewards entry i when the query contains its message, title or
// alias as a whole phrase. It reads the entry's templates from ix.tokens
// through r.
func (ix *Index) phraseBonus(i int, seq []qword, pl *plan, r *tokenReader) float64 {
	nMsg, nAlias := ix.entries.nMsg[i], ix.entries.nAlias[i]
	ix.tokens.open(r, i)
	sq := func(x float64) float64 { return x * x }
	// Titles and aliases are short: they count by how much of them and how
	// much of the query they cover, so one alias word does not outweigh a
	// query's other words.
	share := func(n int) float64 { return float64(n) / float64(len(seq)) }
	tc, tn := coverageN(seq, r.next())
	title := sq(tc) * share(tn)
	var msg, alias float64
	for range nMsg {
		c, n := coverageN(seq, r.next())
		msg = max(msg, c, fragmentShare(n, len(seq)))
	}
	code := 0.0
	for range nAlias {
		toks, isCode := r.nextAlias()
		c, n := coverageN(seq, toks)
		if len(toks) == 1 {
			// A one-word alias is a word match, which bleve scores; only
			// a code found whole earns a bonus.
			if c == 1 && isCode {
				code = 1
			}
			continue
		}
		alias = max(alias, sq(c)*share(n))
	}
	b := bonusMessage*sq(msg) + bonusTitle*title + bonusAlias*alias + bonusCode*code
	if len(pl.textStatus) > 0 && pl.textStatus.Contains(int(ix.status[i])) {
		b += bonusStatus
	}
	if providerMask(pl.providers)&ix.provMask[i] != 0 {
		b += bonusProv
	}
	return b
}

// fragmentShare is how much of a typed fragment a message holds as one run:
// "token isn't expired before using it" is all of a long message's middle,
// though only a sixth of its words. Shorter queries are left to bleve.
func fragmentShare(n, queryWords int) float64 {
	if queryWords < minFragment || n < minFragment {
		return 0
	}
	return float64(n) / float64(queryWords)
}
