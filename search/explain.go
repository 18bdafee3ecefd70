package search

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Explanation is what Explain read out of a pasted error and the entries
// that best explain it.
type Explanation struct {
	Paste   Paste
	Total   int     // entries that matched at all
	Matches []Match // best first; empty when nothing matched
}

// Paste is what a pasted error says of itself, read as the search reads it.
type Paste struct {
	Statuses  []int    // HTTP statuses: a status line, a JSON code, status=429
	Codes     []string // error codes: rateLimitExceeded, invalid_grant, AADSTS50126, 21211
	Providers []string // provider slugs its words name (gmail for "Gmail", "Google")
	Message   string   // its most telling message, noise (ids, times, URLs) removed
	Pasted    bool     // it looked like a pasted error rather than typed words
}

// Confidence is how sure a match is.
type Confidence string

const (
	// ConfidenceHigh: the entry's message or one of its codes is in the
	// paste, and no status in the paste says otherwise.
	ConfidenceHigh Confidence = "high"
	// ConfidenceMedium: most of its message or its whole title is there,
	// or its status and provider are; or a high match whose status differs.
	ConfidenceMedium Confidence = "medium"
	// ConfidenceLow: it shares words with the paste, little more.
	ConfidenceLow Confidence = "low"
)

// Match is one entry that may explain a paste.
type Match struct {
	Hit
	Confidence Confidence
	Reasons    []string // why, in words a person reads: "the status 403 matches"
}

// DefaultExplainLimit is how many matches Explain returns when asked for 0.
const DefaultExplainLimit = 3

// Explain reads a pasted error (a status line, a JSON body, a log line, a
// few words) and returns what it says of itself and the entries that best
// explain it, each with how sure the match is and why. The ranking is the
// search's own; blank text is an *InvalidError.
func (ix *Index) Explain(ctx context.Context, text string, limit int) (*Explanation, error) {
	if strings.TrimSpace(text) == "" {
		return nil, &InvalidError{Param: "text", Message: "is empty: paste the error, such as its status line, its JSON body or the log line that holds it."}
	}
	if limit == 0 {
		limit = DefaultExplainLimit
	}
	if limit < 1 || limit > MaxPerPage {
		return nil, &InvalidError{Param: "limit", Value: strconv.Itoa(limit), Message: fmt.Sprintf("must be a whole number from 1 to %d.", MaxPerPage)}
	}
	res, err := ix.Search(ctx, Query{Text: text, PerPage: limit})
	if err != nil {
		return nil, err
	}
	pl := understand(text, ix.prov.sig)
	ex := &Explanation{Paste: pasteOf(res.Understood, pl), Total: res.Total}
	seq := ix.rerankSeq(&pl, nil)
	for _, h := range res.Hits {
		i, ok := ix.lookup(h.ID)
		if !ok {
			continue
		}
		conf, why := ix.judge(i, ex.Paste, seq)
		ex.Matches = append(ex.Matches, Match{Hit: h, Confidence: conf, Reasons: why})
	}
	return ex, nil
}

// pasteOf is what the search understood of a paste, as Explain tells it:
// single statuses, the codes that named entries, the providers its hosts,
// SDK names and words point to, and its message (the searched words when
// it was typed rather than pasted).
func pasteOf(u Understood, pl plan) Paste {
	p := Paste{Pasted: u.Pasted, Codes: u.Codes, Providers: appendNew(slices.Clone(u.Providers), pl.providers...), Message: u.Message}
	for _, r := range u.Status {
		if r.Lo == r.Hi && r.Lo != 0 {
			p.Statuses = append(p.Statuses, r.Lo)
		}
	}
	if p.Message == "" {
		p.Message = clip(u.Terms, 500)
	}
	return p
}

// looksLikeCode reports whether a word is an error code rather than a word
// of a sentence: a run of 4 to 9 digits (21211), letters with digits
// (AADSTS50126), snake case (invalid_grant, PERMISSION_DENIED) or camel case
// (rateLimitExceeded, ErrorItemNotFound). Statuses (429) are not codes.
func looksLikeCode(w string) bool {
	var digits, letters int
	camel, underscore := false, strings.Contains(w, "_")
	prev := rune(0)
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case unicode.IsLetter(r):
			letters++
			if unicode.IsLower(prev) && unicode.IsUpper(r) {
				camel = true
			}
		}
		prev = r
	}
	switch {
	case letters == 0:
		return digits >= 4 && digits <= 9 && digits == len(w)
	case digits > 0:
		return true
	}
	return underscore || camel
}

// judge says how surely entry i explains the paste, and why.
func (ix *Index) judge(i int, p Paste, seq []qword) (Confidence, []string) {
	e := new(ix.entries.at(i))
	var why []string
	var r tokenReader
	ix.tokens.open(&r, i)
	title, _ := coverageN(seq, r.next())
	msg, best := 0.0, ""
	for _, m := range e.Messages {
		if c, _ := coverageN(seq, r.next()); c > msg {
			msg, best = c, m
		}
	}
	strong, moderate, conflict := false, false, false
	switch {
	case msg >= 0.8:
		strong = true
		why = append(why, "the paste holds its message “"+best+"”")
	case msg >= 0.5:
		moderate = true
		why = append(why, fmt.Sprintf("the paste holds %d%% of its message “%s”", int(msg*100), best))
	}
	for _, c := range p.Codes {
		if slices.ContainsFunc(e.Codes, func(a string) bool { return strings.EqualFold(a, c) }) ||
			slices.ContainsFunc(e.Aliases, func(a string) bool { return strings.EqualFold(a, c) }) {
			strong = true
			why = append(why, "it is known by the code "+c)
		}
	}
	if title == 1 && len(strings.Fields(e.Title)) > 1 {
		moderate = true
		why = append(why, "the paste holds its title “"+e.Title+"”")
	}
	statusMatch := slices.Contains(p.Statuses, e.Status)
	if statusMatch {
		why = append(why, "the status "+strconv.Itoa(e.Status)+" matches")
	} else if len(p.Statuses) > 0 && e.Status != 0 {
		conflict = true
		why = append(why, fmt.Sprintf("the paste says %s, the entry is %d", joinInts(p.Statuses), e.Status))
	}
	providerMatch := false
	for _, prov := range e.Providers {
		if slices.Contains(p.Providers, prov) {
			providerMatch = true
			why = append(why, "the paste names "+ix.prov.reg.Name(prov))
			break
		}
	}
	switch {
	case strong && !conflict:
		return ConfidenceHigh, why
	case strong, !conflict && (moderate || statusMatch && providerMatch):
		return ConfidenceMedium, why
	}
	if len(why) == 0 {
		why = append(why, "it shares words with the paste")
	}
	return ConfidenceLow, why
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " and ")
}
