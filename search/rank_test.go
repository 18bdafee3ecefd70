package search

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
)

// The re-rank reads templates tokenized once, as word ids. These are the
// string functions it replaced, which tokenized every candidate on every
// query; the tests below hold the two to the same bonus, to the bit.

func refTemplateTokens(s string) []string {
	var out []string
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(s, -1) {
		eachIdent(s[last:m[0]], func(_, _ int, w string) { out = append(out, lowerASCII(w)) })
		out = append(out, "")
		last = m[1]
	}
	eachIdent(s[last:], func(_, _ int, w string) { out = append(out, lowerASCII(w)) })
	return out
}

func refSameWord(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > 3 && len(b) > 3 {
		return a+"s" == b || b+"s" == a
	}
	return false
}

func refCoverageN(seq, tmpl []string) (float64, int) {
	lit := 0
	for _, t := range tmpl {
		if t != "" {
			lit++
		}
	}
	if lit == 0 || len(seq) == 0 {
		return 0, 0
	}
	best := 0
	for j, t := range tmpl {
		if t == "" {
			continue
		}
		for i, s := range seq {
			if !refSameWord(s, t) {
				continue
			}
			if n := refExtend(seq, tmpl, i+1, j+1, 1); n > best {
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

func refExtend(seq, tmpl []string, i, j, n int) int {
	for j < len(tmpl) {
		if tmpl[j] == "" {
			if j+1 == len(tmpl) {
				return n
			}
			next := tmpl[j+1]
			for k := i; k < len(seq) && k <= i+maxGap; k++ {
				if refSameWord(seq[k], next) {
					i, j = k, j+1
					goto matched
				}
			}
			return n
		matched:
			continue
		}
		if i >= len(seq) || !refSameWord(seq[i], tmpl[j]) {
			return n
		}
		n++
		i++
		j++
	}
	return n
}

func refPhraseBonus(e *content.Entry, pl *plan) float64 {
	seq := pl.seq
	if len(seq) > maxSeqRerank {
		seq = seq[:maxSeqRerank]
	}
	sq := func(x float64) float64 { return x * x }
	var msg, alias float64
	for _, m := range e.Messages {
		c, n := refCoverageN(seq, refTemplateTokens(m))
		msg = max(msg, c, fragmentShare(n, len(seq)))
	}
	code := 0.0
	share := func(n int) float64 { return float64(n) / float64(len(seq)) }
	for _, a := range e.Aliases {
		toks := refTemplateTokens(a)
		c, n := refCoverageN(seq, toks)
		if len(toks) == 1 {
			if c == 1 && isCode(a) {
				code = 1
			}
			continue
		}
		alias = max(alias, sq(c)*share(n))
	}
	tc, tn := refCoverageN(seq, refTemplateTokens(e.Title))
	title := sq(tc) * share(tn)
	b := bonusMessage*sq(msg) + bonusTitle*title + bonusAlias*alias + bonusCode*code
	if len(pl.textStatus) > 0 && pl.textStatus.Contains(e.Status) {
		b += bonusStatus
	}
	for _, p := range e.Providers {
		if slices.Contains(pl.providers, p) {
			b += bonusProv
			break
		}
	}
	return b
}

// rerankQueries derives queries from entries the way people type and paste
// them: titles, aliases, whole messages with their placeholders filled,
// fragments, plurals and singulars (which the re-rank forgives), and a
// message inside a log line.
func rerankQueries(es []content.Entry, n int, rng *rand.Rand) []string {
	var qs []string
	for range n {
		e := &es[rng.IntN(len(es))]
		qs = append(qs, e.Title)
		qs = append(qs, e.Aliases...)
		for _, m := range e.Messages {
			filled := placeholderRE.ReplaceAllString(m, "user@example.com and more")
			qs = append(qs, filled, "ERROR 2024-05-02 request failed: "+filled)
			words := strings.Fields(filled)
			if len(words) > 3 {
				lo := rng.IntN(len(words) - 2)
				frag := slices.Clone(words[lo : lo+2+rng.IntN(min(5, len(words)-lo-1))])
				for i, w := range frag {
					switch {
					case strings.HasSuffix(w, "s") && rng.IntN(2) == 0:
						frag[i] = strings.TrimSuffix(w, "s")
					case rng.IntN(3) == 0:
						frag[i] = w + "s"
					}
				}
				qs = append(qs, strings.Join(frag, " "))
			}
		}
	}
	return qs
}

// checkBonuses compares the two re-ranks for each query over the given
// entries and returns how many bonuses came from phrases, not only from a
// status or provider.
func checkBonuses(t *testing.T, ix *Index, queries []string, docs func() []int) int {
	t.Helper()
	phrased := 0
	var r tokenReader
	for _, q := range queries {
		pl := understand(q)
		if len(pl.words) == 0 && len(pl.phrases) == 0 {
			continue // browsed, never re-ranked
		}
		seq := ix.rerankSeq(&pl)
		for _, i := range docs() {
			got, want := ix.phraseBonus(i, seq, &pl, &r), refPhraseBonus(&ix.entries[i], &pl)
			if got != want {
				t.Fatalf("query %q, entry %s: bonus %v from ids, %v from text", clip(q, 80), ix.entries[i].ID, got, want)
			}
			if got != 0 && got != bonusProv && got != bonusStatus && got != bonusStatus+bonusProv {
				phrased++
			}
		}
	}
	t.Logf("%d queries, %d phrase bonuses", len(queries), phrased)
	return phrased
}

func TestRerankTokensMatchText(t *testing.T) {
	t.Run("catalogue", func(t *testing.T) {
		ix := catalogue(t)
		var qs []string
		for _, c := range loadRelevance(t) {
			qs = append(qs, c.Query)
		}
		qs = append(qs, rerankQueries(ix.entries, 40, rand.New(rand.NewPCG(1, 2)))...)
		all := make([]int, len(ix.entries))
		for i := range all {
			all[i] = i
		}
		n := checkBonuses(t, ix, qs, func() []int { return all })
		if n < len(qs)/2 {
			t.Errorf("only %d bonuses over %d queries: the comparison hardly compares", n, len(qs))
		}
	})
	t.Run("real corpora", func(t *testing.T) {
		ix := build(t, corpus.Entries(realCorpora(t)))
		rng := rand.New(rand.NewPCG(3, 4))
		qs := rerankQueries(ix.entries, 120, rng)
		sample := make([]int, 300)
		n := checkBonuses(t, ix, qs, func() []int {
			for i := range sample {
				sample[i] = rng.IntN(len(ix.entries))
			}
			return sample
		})
		if n < len(qs) {
			t.Errorf("only %d bonuses over %d queries: the comparison hardly compares", n, len(qs))
		}
	})
}

// Every word of the templates has an id from the vocabulary counted over the
// same entries: interning adds none.
func TestTemplatesUseVocabulary(t *testing.T) {
	ix := catalogue(t)
	if n, m := len(ix.vocab.ids), len(ix.vocab.df); n != m {
		t.Errorf("%d word ids for %d counted words: tokenizing numbered words the vocabulary lacks", n, m)
	}
}
