package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/errata/errata/search"
)

// The query kinds of the mix, in report order.
const (
	kindFragment = "fragment" // 3–6 consecutive words of a real message
	kindCode     = "code"     // a real code from aliases: AADSTS50126, 21211
	kindWord     = "word"     // one word of a real message
	kindPhrase   = "phrase"   // a quoted run of 2–4 words of a real message
	kindTypo     = "typo"     // 1–3 words of a message, one word of ≥5 letters with one edit
	kindPasted   = "pasted"   // status line, JSON body with a real message, log-line noise
	kindFilter   = "filter"   // status range and/or provider plus words
	kindPrefix   = "prefix"   // as typed: the first letters of a code, or 0–2 words and the first letters of the next
)

var kinds = []string{kindFragment, kindCode, kindWord, kindPhrase, kindTypo, kindPasted, kindFilter, kindPrefix}

// benchQuery is one query of the mix, asked of both engines.
type benchQuery struct {
	Kind      string           `json:"kind"`
	Text      string           `json:"text"`
	Status    search.StatusSet `json:"status,omitempty"`
	Providers []string         `json:"providers,omitempty"`
	Want      string           `json:"want"` // id of the entry the query was made from
}

// searchQuery is the query as the web page asks it: first page of 20.
func (q benchQuery) searchQuery() search.Query {
	return search.Query{Text: q.Text, Status: q.Status, Providers: q.Providers, Page: 1, PerPage: search.DefaultPerPage}
}

// makeQueries draws perKind queries of every kind from the corpus itself, so
// the mix fits any corpus; the same seed gives the same queries.
func makeQueries(entries []content.Entry, perKind int, seed int64) ([]benchQuery, error) {
	g := &generator{entries: withMessages(entries)}
	if len(g.entries) == 0 {
		return nil, fmt.Errorf("no entry has a message to draw queries from")
	}
	g.codes = codeAliases(entries)
	var out []benchQuery
	for ki, kind := range kinds {
		g.rng = rand.New(rand.NewPCG(uint64(seed), uint64(ki)+1))
		for i := 0; i < perKind; i++ {
			q, ok := g.make(kind)
			if !ok {
				return nil, fmt.Errorf("could not draw a %s query from this corpus", kind)
			}
			out = append(out, q)
		}
	}
	return out, nil
}

type generator struct {
	rng     *rand.Rand
	entries []content.Entry
	codes   []codeAlias
}

type codeAlias struct{ code, id string }

func withMessages(entries []content.Entry) []content.Entry {
	var out []content.Entry
	for _, e := range entries {
		if len(e.Messages) > 0 {
			out = append(out, e)
		}
	}
	return out
}

// codeAliases lists aliases that look like error codes (one token with a digit,
// such as AADSTS50126 or 21211); when a corpus has none, single-token aliases
// (identifiers such as ErrorAccessDenied) stand in.
func codeAliases(entries []content.Entry) []codeAlias {
	var withDigit, single []codeAlias
	for _, e := range entries {
		for _, a := range e.Aliases {
			if a == "" || strings.ContainsFunc(a, unicode.IsSpace) {
				continue
			}
			single = append(single, codeAlias{a, e.ID})
			if strings.ContainsFunc(a, unicode.IsDigit) {
				withDigit = append(withDigit, codeAlias{a, e.ID})
			}
		}
	}
	if len(withDigit) > 0 {
		return withDigit
	}
	return single
}

func (g *generator) make(kind string) (benchQuery, bool) {
	for try := 0; try < 200; try++ {
		e := g.entries[g.rng.IntN(len(g.entries))]
		msg := e.Messages[g.rng.IntN(len(e.Messages))]
		q := benchQuery{Kind: kind, Want: e.ID}
		ok := false
		switch kind {
		case kindFragment:
			q.Text, ok = g.window(msg, 3, 6, false)
		case kindCode:
			if len(g.codes) > 0 {
				c := g.codes[g.rng.IntN(len(g.codes))]
				q.Text, q.Want, ok = c.code, c.id, true
			}
		case kindWord:
			q.Text, ok = g.word(msg)
		case kindPhrase:
			var p string
			if p, ok = g.window(msg, 2, 4, true); ok {
				q.Text = `"` + p + `"`
			}
		case kindTypo:
			q.Text, ok = g.typo(msg)
		case kindPasted:
			q.Text, ok = g.pasted(e, msg), true
		case kindFilter:
			q, ok = g.filter(e, msg)
		case kindPrefix:
			q, ok = g.prefix(e, msg)
		}
		if ok && strings.TrimSpace(q.Text) != "" {
			return q, true
		}
	}
	return benchQuery{}, false
}

// window picks min–max consecutive words of msg that hold no placeholder;
// clean strips each word's punctuation (for phrases).
func (g *generator) window(msg string, min, max int, clean bool) (string, bool) {
	words := strings.Fields(msg)
	if len(words) < min {
		return "", false
	}
	n := min + g.rng.IntN(max-min+1)
	if n > len(words) {
		n = len(words)
	}
	for try := 0; try < 10; try++ {
		start := g.rng.IntN(len(words) - n + 1)
		w := append([]string(nil), words[start:start+n]...)
		ok := true
		for i := range w {
			if strings.ContainsAny(w[i], "{}[]()") {
				ok = false
				break
			}
			if clean {
				w[i] = trimPunct(w[i])
				if w[i] == "" {
					ok = false
					break
				}
			}
		}
		if ok {
			return strings.TrimRight(strings.Join(w, " "), ".,;:"), true
		}
	}
	return "", false
}

func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func isWord(s string, minLen int) bool {
	if len(s) < minLen {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) || r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

var stopwords = map[string]bool{
	"the": true, "this": true, "that": true, "with": true, "from": true, "have": true, "does": true,
	"your": true, "when": true, "there": true, "were": true, "will": true, "which": true, "been": true,
	"into": true, "only": true, "than": true, "then": true, "they": true, "their": true, "what": true,
}

func (g *generator) word(msg string) (string, bool) {
	words := strings.Fields(msg)
	for try := 0; try < 10; try++ {
		w := trimPunct(words[g.rng.IntN(len(words))])
		if isWord(w, 4) && !stopwords[strings.ToLower(w)] && !strings.Contains(msg, "{"+w) {
			return w, true
		}
	}
	return "", false
}

// typo takes 1–3 consecutive words holding a word of five letters or more and
// gives that word one edit: a substitution, deletion, insertion or transposition.
func (g *generator) typo(msg string) (string, bool) {
	words := strings.Fields(msg)
	var long []int
	for i, w := range words {
		if isWord(trimPunct(w), 5) && !strings.ContainsAny(w, "{}") {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return "", false
	}
	at := long[g.rng.IntN(len(long))]
	lo, hi := at-g.rng.IntN(2), at+1+g.rng.IntN(2)
	lo, hi = max(lo, 0), min(hi, len(words))
	out := make([]string, 0, hi-lo)
	for i := lo; i < hi; i++ {
		w := trimPunct(words[i])
		if i == at {
			w = g.edit(w)
		}
		if w != "" && !strings.ContainsAny(w, "{}") {
			out = append(out, w)
		}
	}
	return strings.Join(out, " "), true
}

func (g *generator) edit(w string) string {
	b := []byte(w)
	i := 1 + g.rng.IntN(len(b)-2) // keep the first and last letter, as people mostly do
	letter := byte('a' + g.rng.IntN(26))
	switch g.rng.IntN(4) {
	case 0: // substitution
		if b[i] == letter {
			letter = 'a' + (letter-'a'+1)%26
		}
		b[i] = letter
	case 1: // deletion
		b = append(b[:i], b[i+1:]...)
	case 2: // insertion
		b = append(b[:i], append([]byte{letter}, b[i:]...)...)
	default: // transposition
		if b[i] == b[i+1] {
			b[i] = letter
		} else {
			b[i], b[i+1] = b[i+1], b[i]
		}
	}
	return string(b)
}

// pasted builds what a developer pastes (corpustest.PastedError): log-line
// noise, an HTTP status line and one of the JSON error shapes APIs answer,
// carrying a real message with its placeholders filled in.
func (g *generator) pasted(e content.Entry, msg string) string {
	return corpustest.PastedError(g.rng, e, msg)
}

// filter asks for 1–2 words of the entry's message within its status class
// and/or its provider, so the filters keep the entry in the answer.
func (g *generator) filter(e content.Entry, msg string) (benchQuery, bool) {
	q := benchQuery{Kind: kindFilter, Want: e.ID}
	if e.Status == 0 && len(e.Providers) == 0 {
		return q, false
	}
	text, ok := g.word(msg)
	if !ok {
		return q, false
	}
	if g.rng.IntN(2) == 0 {
		if w, ok := g.word(msg); ok && w != text {
			text += " " + w
		}
	}
	q.Text = text
	if e.Status != 0 && (len(e.Providers) == 0 || g.rng.IntN(2) == 0) {
		lo := e.Status / 100 * 100
		q.Status = search.StatusSet{{Lo: lo, Hi: lo + 99}}
	}
	if len(e.Providers) > 0 && (len(q.Status) == 0 || g.rng.IntN(2) == 0) {
		q.Providers = []string{e.Providers[0]}
	}
	return q, true
}

// prefix is a query as it stands while being typed: half a code (at least
// four characters, not all of it), or up to two words of a message and the
// first three letters or more of the next word of five letters or more.
func (g *generator) prefix(e content.Entry, msg string) (benchQuery, bool) {
	q := benchQuery{Kind: kindPrefix, Want: e.ID}
	if len(g.codes) > 0 && g.rng.IntN(2) == 0 {
		c := g.codes[g.rng.IntN(len(g.codes))]
		if len(c.code) < 5 {
			return q, false
		}
		q.Text, q.Want = c.code[:4+g.rng.IntN(len(c.code)-4)], c.id
		return q, true
	}
	words := strings.Fields(msg)
	var long []int
	for i, w := range words {
		if isWord(w, 5) {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return q, false
	}
	at := long[g.rng.IntN(len(long))]
	var out []string
	for i := max(0, at-g.rng.IntN(3)); i < at; i++ {
		if w := trimPunct(words[i]); w != "" && !strings.ContainsAny(w, "{}") {
			out = append(out, w)
		}
	}
	w := words[at]
	q.Text = strings.Join(append(out, w[:3+g.rng.IntN(len(w)-3)]), " ")
	return q, true
}
