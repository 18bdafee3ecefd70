package search

import (
	"regexp"
	"slices"

	"github.com/errata/errata/content"
)

// Phrase bonuses added to bleve's normalised score when re-ranking: a message
// matched whole counts far above a title matched whole, which counts above an
// alias. Measured with the relevance set.
const (
	bonusMessage = 2.5
	bonusTitle   = 1.5
	bonusAlias   = 1.0
	bonusCode    = 2.0 // an alias that is one identifier or code, found whole
	bonusStatus  = 0.75
	bonusProv    = 0.3
	maxSeqRerank = 160 // words of the query considered for phrase coverage
	maxGap       = 8   // words a {placeholder} may stand for
)

var placeholderRE = regexp.MustCompile(`\{[^{}]{1,64}\}`)

// templateTokens splits a message into lower-cased words, with "" standing
// for each {placeholder}.
func templateTokens(s string) []string {
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

// sameWord compares lower-cased words, forgiving a plural s.
func sameWord(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > 3 && len(b) > 3 {
		return a+"s" == b || b+"s" == a
	}
	return false
}

// coverage is the share of the template's words that appear in seq as one
// run, in order, where each placeholder stands for up to maxGap words.
// Matches of a single word count only when the template has one word.
func coverage(seq, tmpl []string) float64 {
	c, _ := coverageN(seq, tmpl)
	return c
}

// coverageN is coverage and the number of words matched.
func coverageN(seq, tmpl []string) (float64, int) {
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
			if !sameWord(s, t) {
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
func extend(seq, tmpl []string, i, j, n int) int {
	for j < len(tmpl) {
		if tmpl[j] == "" {
			if j+1 == len(tmpl) {
				return n
			}
			next := tmpl[j+1]
			for k := i; k < len(seq) && k <= i+maxGap; k++ {
				if sameWord(seq[k], next) {
					i, j = k, j+1
					goto matched
				}
			}
			return n
		matched:
			continue
		}
		if i >= len(seq) || !sameWord(seq[i], tmpl[j]) {
			return n
		}
		n++
		i++
		j++
	}
	return n
}

// phraseBonus rewards an entry whose message, title or alias the query
// contains as a whole phrase.
func phraseBonus(e *content.Entry, pl *plan) float64 {
	seq := pl.seq
	if len(seq) > maxSeqRerank {
		seq = seq[:maxSeqRerank]
	}
	sq := func(x float64) float64 { return x * x }
	var msg, alias float64
	for _, m := range e.Messages {
		msg = max(msg, coverage(seq, templateTokens(m)))
	}
	code := 0.0
	// Titles and aliases are short: they count by how much of them and how
	// much of the query they cover, so one alias word does not outweigh a
	// query's other words.
	share := func(n int) float64 { return float64(n) / float64(len(seq)) }
	for _, a := range e.Aliases {
		toks := templateTokens(a)
		c, n := coverageN(seq, toks)
		if len(toks) == 1 {
			// A one-word alias is a word match, which bleve scores; only
			// a code found whole earns a bonus.
			if c == 1 && isCode(a) {
				code = 1
			}
			continue
		}
		alias = max(alias, sq(c)*share(n))
	}
	tc, tn := coverageN(seq, templateTokens(e.Title))
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

// isCode reports whether an alias is an identifier or code rather than a
// word: rateLimitExceeded, invalid_grant, AADSTS50126, 21211.
func isCode(a string) bool {
	if identParts(a) != nil {
		return true
	}
	for _, r := range a {
		if r >= '0' && r <= '9' {
			return true
		}
	}
	return false
}
