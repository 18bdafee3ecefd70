package search

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// plan is how the query text was understood.
type plan struct {
	words      []string // distinct words to search, as typed (no statuses, no noise)
	seq        []string // lower-cased word sequence of the text, for phrase re-ranking
	phrases    []string // quoted phrases (typed, not pasted)
	textStatus StatusSet
	// statusFinds is set when the statuses stood in status positions of a
	// paste (a status line, a status field): they find entries of their
	// own, where a status typed among words only scores.
	statusFinds bool
	// scoreOnly are reason phrases and the words of exception classes:
	// they score hits, never find them ("HTTP/1.1 400 BAD REQUEST" above a
	// JSON body must not find every entry titled Bad Request).
	scoreOnly []string
	reasons   []string  // the reason phrases, whole
	codes     []string  // candidates for the exact code lookup, as written
	codeHits  []codeHit // the entries the codes name (see Index.resolve)
	// templateHits are the entries whose message the text holds whole
	// (see Index.templateHits), set by textQuery.
	templateHits []int32
	named        []string // the codes that named entries, as written, one per code
	message      string   // a paste's message: its first message field, or the start of its text
	providers    []string // provider slugs named among the words
	// byName are the providers named among the words by a provider's own
	// name (twilio, gmail), not by a word that may mean something else
	byName []string
	hints  []string // provider slugs named by the paste's hosts and SDK names
	// hintHost is the host of the one provider hints name: a short query
	// says it again. Several are a family (Microsoft), which the codes and
	// words tell apart.
	hintHost string
	pasted   bool
	shape    shape
	// prefix is the last word of typed text that does not end in a space
	// or a mark: the word being typed, searched with its completions.
	prefix string
	tokens []string // the words and statuses in typed order, to rebuild a suggestion
	// look tells which fields hold a term while textQuery builds its
	// query (see termQuery).
	look *termLookup
}

// understand reads the free text of a query: the fields of a pasted error
// (extractFields), then its words, quoted phrases, statuses typed among
// the words, provider names and candidate codes. It needs no index, only
// the signals of the index's providers.
func understand(raw string, sig *signals) plan {
	return understandFields(raw, extractFields(raw, sig), sig)
}

// understandFields is understand once the fields of raw were read.
func understandFields(raw string, f fields, sig *signals) plan {
	pl := plan{pasted: f.pasted(), shape: f.shape, hints: f.hints, codes: f.codes}
	for _, c := range f.status {
		pl.textStatus = append(pl.textStatus, StatusRange{c, c})
	}
	pl.statusFinds = len(pl.textStatus) > 0
	text := f.text()
	if !pl.pasted {
		pl.phrases = quotedPhrases(text)
	} else {
		pl.message = f.message()
	}
	seen := map[string]bool{}
	prev, last := "", ""
	eachIdent(text, func(_, _ int, w string) {
		lw := lowerASCII(w)
		if isStatusWord(lw) {
			if pl.pasted {
				return // a number outside a status position of a paste says nothing
			}
			if r, ok := parseStatusPart(lw); ok && (r.Lo != r.Hi || http.StatusText(r.Lo) != "") {
				// A status typed among words; "office 365" names no status.
				pl.textStatus = append(pl.textStatus, r)
				pl.tokens = append(pl.tokens, w)
				last = ""
				return
			}
		}
		pl.codes = appendCodes(pl.codes, prev, w, pl.pasted)
		prev, last = w, w
		if len(pl.seq) < maxSeqRerank {
			pl.seq = append(pl.seq, lw)
		}
		if seen[lw] || len(pl.words) == maxTerms {
			return
		}
		seen[lw] = true
		pl.words = append(pl.words, w)
		pl.tokens = append(pl.tokens, w)
		if sig != nil {
			pl.providers = appendNew(pl.providers, sig.words[lw]...)
			if sig.names[lw] {
				pl.byName = appendNew(pl.byName, sig.words[lw]...)
			}
		}
	})
	if !pl.pasted && len(pl.phrases) == 0 && last != "" && endsInWord(raw) {
		// The word as seen counted it: lowerASCII folds some letters
		// EqualFold does not (İ is i), so it finds the word that was kept.
		if ll := lowerASCII(last); seen[ll] {
			pl.prefix = pl.words[slices.IndexFunc(pl.words, func(w string) bool { return lowerASCII(w) == ll })]
		}
	}
	pl.reasons = f.reason
	for _, t := range append(f.reason, f.classWords...) {
		eachIdent(t, func(_, _ int, w string) {
			lw := lowerASCII(w)
			if !seen[lw] && len(pl.scoreOnly) < maxTerms {
				seen[lw] = true
				pl.scoreOnly = append(pl.scoreOnly, lw)
			}
		})
	}
	if len(pl.textStatus) > 0 {
		pl.textStatus = pl.textStatus.normalize()
	}
	if len(pl.hints) == 1 && sig != nil {
		pl.hintHost = sig.hostFor(pl.hints[0])
	}
	return pl
}

// namedDocs are the entries the codes and templates name by id.
func (pl *plan) namedDocs() []int32 {
	out := slices.Clone(pl.templateHits)
	for _, h := range pl.codeHits {
		if !slices.Contains(out, h.doc) {
			out = append(out, h.doc)
		}
	}
	return out
}

// endsInWord reports whether s ends inside a word: a letter or digit is
// its last character.
func endsInWord(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// appendCodes adds the codes word w may be: w itself when written as a
// code (a number only when typed: in a paste, numbers are codes only in
// code positions, see fields.takeCodes), and prev and w together when a
// word is followed by a number ("AADSTS 50126").
func appendCodes(codes []string, prev, w string, pasted bool) []string {
	if len(codes) >= maxCodes {
		return codes
	}
	if isCodeLike(w) && (!allDigits(w) || !pasted) {
		codes = append(codes, w)
	}
	if prev != "" && allDigits(w) && isLetters([]byte(lowerASCII(prev))) {
		codes = append(codes, prev+w)
	}
	return codes
}

// resolve is the part of understanding that asks the index: which entries
// the codes name, and which identifiers it does not know whole
// (WebClientResponseException), searched by their parts instead.
func (ix *Index) resolve(pl *plan) {
	hints := ix.prov.mask(pl.hints)
	pl.codeHits, pl.named = ix.lookUpCodes(pl.codes, hints)
	if len(pl.codeHits) == 0 && pl.statusFinds && hints != 0 {
		pl.codeHits = ix.statusCodeHits(pl, hints)
	}
	ix.splitUnknown(pl)
}

// statusCodeHits are the entries a bare status names in the catalogue of
// the provider the paste is from, when its providers.yaml gives statuses
// a code (status_code: 20{status}, Twilio's 20429 for a 429 of its REST
// API). They count less than a code the paste holds: a message of
// another entry matched whole still wins.
func (ix *Index) statusCodeHits(pl *plan, hints uint32) []codeHit {
	var codes []string
	for _, slug := range pl.hints {
		tmpl := ix.prov.sig.statusCode[slug]
		if tmpl == "" {
			continue
		}
		for _, r := range pl.textStatus {
			if r.Lo == r.Hi && len(codes) < maxCodes {
				codes = append(codes, strings.ReplaceAll(tmpl, "{status}", strconv.Itoa(r.Lo)))
			}
		}
	}
	if len(codes) == 0 {
		return nil
	}
	hits, _ := ix.lookUpCodes(codes, hints)
	var out []codeHit
	for _, h := range hits {
		if ix.provMask[h.doc]&hints != 0 {
			out = append(out, codeHit{h.doc, h.weight * statusCodeWeight})
		}
	}
	return out
}

// shortQuery is a short text that searches as a paste does: its statuses
// ("HTTP 429", a status position), the codes that named entries (a number
// as "code 21211", a code position), the host of the provider its hosts
// and SDK names pointed to, and its message (or a status line's reason
// phrase). Typed text is its own short query.
func (pl *plan) shortQuery(raw string) string {
	if !pl.pasted {
		return strings.TrimSpace(clipWords(raw, MaxShortQueryBytes))
	}
	var parts []string
	if pl.statusFinds {
		for _, r := range pl.textStatus[:min(2, len(pl.textStatus))] {
			parts = append(parts, "HTTP "+strconv.Itoa(r.Lo))
		}
	}
	for _, c := range pl.named {
		if strings.Contains(lowerASCII(pl.message), lowerASCII(c)) {
			continue // the message says it already
		}
		if allDigits(c) {
			c = "code " + c
		}
		parts = append(parts, c)
	}
	if pl.hintHost != "" {
		parts = append(parts, pl.hintHost)
	}
	switch {
	case pl.message != "":
		parts = append(parts, pl.message)
	case len(pl.reasons) > 0:
		parts = append(parts, pl.reasons[0]) // a status line: its reason
	}
	return clipWords(strings.Join(parts, " "), MaxShortQueryBytes)
}

// clipWords cuts s to at most n bytes at a space, without a mark.
func clipWords(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.TrimSuffix(clip(s, n), "…")
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut
}

// splitUnknown replaces each identifier the catalogue does not hold whole
// with its parts: TooManyRequests is searched as too many requests. In a
// paste the parts only score (see plan.scoreOnly), as an unknown code or
// class says what kind of error it is, not which: its words must not find
// every entry that holds them, nor count as a run of the message.
func (ix *Index) splitUnknown(pl *plan) {
	parts := map[string][]string{} // lower-cased word → its parts
	var words []string
	seen := map[string]bool{}
	add := func(w string) {
		if lw := lowerASCII(w); !seen[lw] && len(words) < maxTerms {
			seen[lw] = true
			words = append(words, w)
		}
	}
	for _, w := range pl.words {
		lw := lowerASCII(w)
		ps := identParts(w)
		// A typed identifier one typo from a known one is corrected
		// rather than split (ErrorItemNotFund), and one being typed is
		// completed (ErrorItemNo).
		if ps == nil || ix.vocab.df[lw] > 0 || w == pl.prefix && len(ix.vocab.completions(lw, 1)) > 0 ||
			!pl.pasted && fuzziness(lw) > 0 && len(ix.vocab.corrections(lw, fuzziness(lw), 1)) > 0 {
			add(w)
			continue
		}
		parts[lw] = ps
		if pl.pasted {
			for _, p := range ps {
				if !slices.Contains(pl.scoreOnly, p) && len(pl.scoreOnly) < maxTerms {
					pl.scoreOnly = append(pl.scoreOnly, p)
				}
			}
			continue
		}
		for _, p := range ps {
			add(p)
		}
	}
	if len(parts) == 0 {
		return
	}
	pl.words = words
	seq := make([]string, 0, len(pl.seq))
	for _, w := range pl.seq {
		switch ps, ok := parts[w]; {
		case !ok:
			seq = append(seq, w)
		case !pl.pasted:
			seq = append(seq, ps...)
		}
	}
	pl.seq = seq[:min(len(seq), maxSeqRerank)]
}

// browses reports whether the query has nothing to search for: no word, no
// phrase, no code and no reason phrase, so that every entry (of the
// statuses it names) is listed.
func (pl *plan) browses() bool {
	return len(pl.words) == 0 && len(pl.phrases) == 0 && len(pl.codeHits) == 0 && len(pl.scoreOnly) == 0
}

// maxQuotedRunes is the longest text between quotes read as a phrase.
const maxQuotedRunes = 512

// eachQuoted calls fn with each text between straight or curly quotes, of
// 1 to maxQuotedRunes runes, left to right: what the expression
// `"([^"]{1,512})"|“([^”]{1,512})”` finds, without its counted
// repetitions (over a thousand instructions, run at every quote).
func eachQuoted(text string, fn func(inner string)) {
	for p := 0; p < len(text); {
		if inner, end, ok := quotedAt(text, p); ok {
			fn(inner)
			p = end
			continue
		}
		_, w := utf8.DecodeRuneInString(text[p:])
		p += w
	}
}

// quotedAt reads the quoted text that opens at p, if any; end is past its
// closing quote.
func quotedAt(text string, p int) (inner string, end int, ok bool) {
	var opening, closing string
	switch {
	case text[p] == '"':
		opening, closing = `"`, `"`
	case strings.HasPrefix(text[p:], "“"):
		opening, closing = "“", "”"
	default:
		return "", 0, false
	}
	start := p + len(opening)
	for q, n := start, 0; q < len(text) && n <= maxQuotedRunes; n++ {
		if strings.HasPrefix(text[q:], closing) {
			return text[start:q], q + len(closing), n > 0
		}
		_, w := utf8.DecodeRuneInString(text[q:])
		q += w
	}
	return "", 0, false
}

// quotedPhrases are the distinct phrases of text in straight or curly
// quotes, of two words up to maxPhraseTokens, at most maxPhrases of them.
func quotedPhrases(text string) []string {
	var phrases []string
	if !strings.ContainsAny(text, "\"“") {
		return nil
	}
	eachQuoted(text, func(inner string) {
		ph := strings.TrimSpace(inner)
		if ph == "" || len(phrases) == maxPhrases {
			return
		}
		n := 0
		eachIdent(ph, func(int, int, string) { n++ })
		if n > 1 && n <= maxPhraseTokens && !slices.Contains(phrases, ph) {
			phrases = append(phrases, ph)
		}
	})
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
