package search

import (
	"regexp"
	"slices"
	"strings"
)

// plan is how the query text was understood.
type plan struct {
	words      []string // distinct words to search, as typed (no statuses, no noise)
	seq        []string // lower-cased word sequence of the text, for phrase re-ranking
	phrases    []string // quoted phrases (typed, not pasted)
	textStatus StatusSet
	providers  []string // provider slugs named among the words
	pasted     bool
	tokens     []string // the words and statuses in typed order, to rebuild a suggestion
}

// providerWords are words that name a provider. A word boosts that
// provider's entries; it still matches as a word too.
var providerWords = map[string][]string{
	"gmail":     {"gmail"},
	"google":    {"gmail"},
	"gsuite":    {"gmail"},
	"workspace": {"gmail"},
	"microsoft": {"microsoft", "microsoft-entra", "microsoft-ews", "microsoft-graph"},
	"outlook":   {"microsoft", "microsoft-graph"},
	"office":    {"microsoft"},
	"office365": {"microsoft"},
	"o365":      {"microsoft"},
	"m365":      {"microsoft", "microsoft-graph"},
	"hotmail":   {"microsoft"},
	"exchange":  {"microsoft", "microsoft-ews"},
	"azure":     {"microsoft", "microsoft-entra"},
	"entra":     {"microsoft-entra"},
	"aad":       {"microsoft-entra"},
	"ews":       {"microsoft-ews"},
	"graph":     {"microsoft-graph"},
	"twilio":    {"twilio"},
}

// understand reads the free text of a query: a pasted error's status and
// message, quoted phrases, statuses and provider names among the words.
func understand(raw string) plan {
	var pl plan
	p := extractPaste(cleanInput(raw))
	pl.pasted = p.pasted
	for _, c := range p.status {
		pl.textStatus = append(pl.textStatus, StatusRange{c, c})
	}
	if !p.pasted {
		pl.phrases = quotedPhrases(p.text)
	}
	seen := map[string]bool{}
	eachIdent(p.text, func(_, _ int, w string) {
		lw := lowerASCII(w)
		if isStatusWord(lw) {
			if r, ok := parseStatusPart(lw); ok {
				pl.textStatus = append(pl.textStatus, r)
				pl.tokens = append(pl.tokens, w)
				return
			}
		}
		if len(pl.seq) < maxSeqRerank {
			pl.seq = append(pl.seq, lw)
		}
		if seen[lw] || len(pl.words) == maxTerms {
			return
		}
		seen[lw] = true
		pl.words = append(pl.words, w)
		pl.tokens = append(pl.tokens, w)
		for _, slug := range providerWords[lw] {
			if !slices.Contains(pl.providers, slug) {
				pl.providers = append(pl.providers, slug)
			}
		}
	})
	// "office 365" names Microsoft; 365 alone is no status.
	if len(pl.textStatus) > 0 {
		pl.textStatus = pl.textStatus.normalize()
	}
	return pl
}

var quotedRE = regexp.MustCompile(`"([^"]{1,512})"|“([^”]{1,512})”`)

// quotedPhrases are the distinct phrases of text in straight or curly
// quotes, of two words up to maxPhraseTokens, at most maxPhrases of them.
func quotedPhrases(text string) []string {
	var phrases []string
	for _, m := range quotedRE.FindAllStringSubmatch(text, -1) {
		ph := strings.TrimSpace(m[1] + m[2])
		if ph == "" || len(phrases) == maxPhrases {
			continue
		}
		n := 0
		eachIdent(ph, func(int, int, string) { n++ })
		if n > 1 && n <= maxPhraseTokens && !slices.Contains(phrases, ph) {
			phrases = append(phrases, ph)
		}
	}
	return phrases
}

// isStatusWord reports whether w looks like a status, range or class:
// 429, 4xx, 400-499.
func isStatusWord(w string) bool {
	switch len(w) {
	case 3:
		return w[0] >= '1' && w[0] <= '5' && ((w[1] >= '0' && w[1] <= '9' && w[2] >= '0' && w[2] <= '9') || w[1:] == "xx")
	case 7:
		return w[3] == '-' && isStatusWord(w[:3]) && isStatusWord(w[4:])
	}
	return false
}
