package search

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// ranked is a document with its final score, and why it is surely the one
// (Hit.Match) when it is.
type ranked struct {
	doc   int
	score float64
	match string
}

// rerank adds to bleve's relevance (normalised to 0–1) what it cannot
// see: how much of a message, title or alias the query holds as one run
// (templateBonus), and the signals of the query (signalBonus): a code that
// names the entry, its status read from the paste, its provider named by a
// host, an SDK or a word.
func (ix *Index) rerank(hits []ranked, pl plan, ws []word) []ranked {
	maxScore := 0.0
	for _, h := range hits {
		maxScore = max(maxScore, h.score)
	}
	if maxScore == 0 {
		maxScore = 1
	}
	seq := ix.rerankSeq(&pl, ws)
	// A word alone covers only a title, message or alias that is that one
	// word (and placeholders): when the catalogue has none, no entry's
	// templates need reading.
	templates := len(seq) != 1 || ix.tokens.sole.holds(seq[0])
	var r tokenReader
	for i := range hits {
		h := &hits[i]
		var tb float64
		var whole bool
		if templates {
			tb, whole = ix.templateBonus(h.doc, seq, &r)
		}
		code := codeWeight(pl.codeHits, h.doc)
		h.score = h.score/maxScore + tb + ix.signalBonus(h.doc, &pl, code)
		switch {
		case code >= 1:
			h.match = MatchCode
		case whole:
			h.match = MatchMessage
		}
	}
	slices.SortStableFunc(hits, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(rankOf(b.score), rankOf(a.score)), cmp.Compare(a.doc, b.doc))
	})
	return hits
}

// rankOf is a score to the precision that ranks: its last rankNoiseBits
// bits dropped. A score is a sum whose last bits follow the order bleve
// adds its parts in, and that order differs between an index built in
// memory and the same one saved, and between builds (bleve numbers a
// batch's documents as their analysis ends): entries of the same text
// would swap places from one server to the next. Scores this close rank
// by entry instead. Dropping more (float32's 29 bits) tied scores that
// differ for a reason, and cost a grown catalogue's fragments found@20.
func rankOf(score float64) float64 {
	return math.Float64frombits(math.Float64bits(score) &^ (1<<rankNoiseBits - 1))
}

// rankNoiseBits is how many of a score's last bits are noise: a few ulps
// of summing order, with room (one relative part in 2^40 is kept).
const rankNoiseBits = 12

// codeWeight is the weight of entry i in hits, sorted by entry as
// lookUpCodes sorts them; 0 when it is not among them.
func codeWeight(hits []codeHit, i int) float64 {
	k, ok := slices.BinarySearchFunc(hits, int32(i), func(h codeHit, d int32) int { return cmp.Compare(h.doc, d) })
	if !ok {
		return 0
	}
	return hits[k].weight
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

// rerankSeq is the query's word sequence as ids, for templateBonus. A
// word the catalogue does not know stands for its closest correction, so
// that a typo does not break a run ("acount throttled").
func (ix *Index) rerankSeq(pl *plan, ws []word) []qword {
	fixes := map[string]string{}
	var typing []string // completions of the word being typed
	for _, w := range ws {
		if len(w.fixes) > 0 {
			fixes[w.lower] = w.fixes[0]
		}
		if len(w.completions) > 0 && w.df > 0 && ix.vocab.df[w.lower] == 0 {
			typing = w.completions
		}
	}
	out := make([]qword, len(pl.seq))
	for i, w := range pl.seq {
		if f, ok := fixes[w]; ok {
			w = f
		}
		out[i] = ix.vocab.qword(w)
	}
	if n := len(out); n > 0 && len(typing) > 0 && lowerASCII(pl.prefix) == pl.seq[n-1] {
		// A word half typed stands for its likeliest completions.
		q := qword{noID, noID, noID}
		for k, c := range typing[:min(len(q), len(typing))] {
			q[k] = ix.vocab.ids[c]
		}
		out[n-1] = q
	}
	return out
}

// templateBonus rewards entry i when the query contains its message, title
// or alias as a whole phrase; whole is set when it holds a message of two
// words or more whole. It reads the entry's templates from ix.tokens
// through r.
func (ix *Index) templateBonus(i int, seq []qword, r *tokenReader) (bonus float64, whole bool) {
	if len(seq) == 0 {
		return 0, false // a status line alone: nothing to compare
	}
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
		whole = whole || c == 1 && n >= 2
	}
	for range nAlias { // searchAliases' order
		toks, _ := r.nextAlias()
		if len(toks) == 1 {
			// A one-word alias is a word match, which bleve scores, or a
			// code, which the code lookup found (signalBonus).
			continue
		}
		c, n := coverageN(seq, toks)
		alias = max(alias, sq(c)*share(n))
	}
	return bonusMessage*sq(msg) + bonusTitle*title + bonusAlias*alias, whole
}

// signalBonus rewards entry i for the query's signals: a code that names
// it (code is the code's weight, 1 when the code is the entry's alone), the
// status read from the text, and its provider named by a host or SDK of a
// paste, or among the words.
func (ix *Index) signalBonus(i int, pl *plan, code float64) float64 {
	b := bonusCode * code
	if len(pl.textStatus) == 0 && len(pl.hints) == 0 && len(pl.providers) == 0 {
		return b // nothing to read from the record (a typed code or words)
	}
	e := new(ix.entries.view(i, partHead))
	if len(pl.textStatus) > 0 && pl.textStatus.Contains(e.Status) {
		if pl.statusFinds {
			b += bonusPastedStatus
		} else {
			b += bonusStatus
		}
		// With nothing else to go by, the entry of the status titled
		// with the paste's reason phrase is the status's own
		// ("HTTP/1.1 402 Payment Required"); other words decide when
		// there are some ("429 Too Many Requests to the Nylas API").
		if len(pl.words) == 0 && slices.ContainsFunc(pl.reasons, func(r string) bool { return strings.EqualFold(r, e.Title) }) {
			b += bonusReasonTitle
		}
	}
	if slices.ContainsFunc(e.Providers, func(p string) bool { return slices.Contains(pl.hints, p) }) {
		b += bonusHint
	}
	switch {
	case !pl.pasted && slices.ContainsFunc(e.Providers, func(p string) bool { return slices.Contains(pl.byName, p) }):
		b += bonusTypedProv
	case slices.ContainsFunc(e.Providers, func(p string) bool { return slices.Contains(pl.providers, p) }):
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
