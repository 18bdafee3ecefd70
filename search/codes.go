package search

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
)

// codeIndex finds entries by their codes exactly, whatever the case and
// separators: AADSTS50126, aadsts50126, AADSTS 50126 and AADSTS-50126 are
// one code; 21211, ErrorItemNotFound, rateLimitExceeded, invalid_grant are
// others. A code that belongs to one entry names it: that entry comes first.
type codeIndex map[string][]int32

// entryCodes are the codes of an entry: the codes its front matter lists
// or, for an entry that lists none, its aliases written as codes
// (isCodeLike), such as a Twilio number or an Exchange response code.
func entryCodes(e *content.Entry) []string {
	if len(e.Codes) > 0 {
		return e.Codes
	}
	var out []string
	for _, a := range e.Aliases {
		if isCodeLike(a) {
			out = append(out, a)
		}
	}
	return out
}

// buildCodes indexes the codes of every entry. A code of letters then
// digits (AADSTS50126) is also indexed by its digits, as a sign-in log or
// an error_codes field writes it (50126).
func buildCodes(es []content.Entry) codeIndex {
	return buildCodesOf(len(es), func(i int) content.Entry { return es[i] })
}

// buildCodesOf is buildCodes of n entries, entry i being at(i).
func buildCodesOf(n int, at func(int) content.Entry) codeIndex {
	ix := codeIndex{}
	var buf []byte
	add := func(key []byte, doc int32) {
		docs, ok := ix[string(key)] // no allocation for a key already held
		if !ok {
			ix[string(key)] = []int32{doc}
			return
		}
		if docs[len(docs)-1] != doc {
			ix[string(key)] = append(docs, doc)
		}
	}
	total := 0
	for i := range n {
		e := at(i)
		for _, c := range entryCodes(&e) {
			buf = appendCodeKey(buf[:0], c)
			add(buf, int32(i))
			total++
			if d := trailingDigits(buf); len(d) >= 4 && len(d) < len(buf) && isLetters(buf[:len(buf)-len(d)]) {
				add(d, int32(i))
				total++
			}
		}
	}
	// One array for every list: appending left up to half of each unused.
	flat := make([]int32, 0, total)
	for k, docs := range ix {
		start := len(flat)
		flat = append(flat, docs...)
		ix[k] = flat[start:len(flat):len(flat)]
	}
	return ix
}

// isCodeLike reports whether one token is written as a code rather than a
// word: with an underscore (invalid_grant), a lower-to-upper change
// (rateLimitExceeded, ErrorItemNotFound), a dot inside (userinfo.email),
// letters and digits together (AADSTS50126), or four digits or more
// (21211). Plain words, hyphenated words (non-ASCII) and statuses ("400")
// are not codes.
func isCodeLike(s string) bool {
	if len(s) < 4 || len(s) > maxTokenBytes {
		return false
	}
	var letters, digits, under, dot, camel bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			letters = true
			if i+1 < len(s) && s[i+1] >= 'A' && s[i+1] <= 'Z' {
				camel = true
			}
		case c >= 'A' && c <= 'Z':
			letters = true
		case c >= '0' && c <= '9':
			digits = true
		case c == '_':
			under = true
		case c == '.':
			dot = i > 0 && i < len(s)-1
		case c == '-':
		default:
			return false // spaces, colons, anything else: not one code
		}
	}
	return camel || under && letters || dot && letters || letters && digits || !letters && digits && !under && !dot
}

// appendCodeKey appends the key of code c: lower case, without the
// separators people vary (_ - . and spaces).
func appendCodeKey(b []byte, c string) []byte {
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; {
		case ch >= 'A' && ch <= 'Z':
			b = append(b, ch+'a'-'A')
		case ch == '_' || ch == '-' || ch == '.' || ch == ' ':
		default:
			b = append(b, ch)
		}
	}
	return b
}

func trailingDigits(b []byte) []byte {
	i := len(b)
	for i > 0 && b[i-1] >= '0' && b[i-1] <= '9' {
		i--
	}
	return b[i:]
}

func isLetters(b []byte) bool {
	for _, c := range b {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return len(b) > 0
}

// codeHit is an entry found by one of the query's codes, and how surely:
// 1 when the code belongs to it alone, 1/n when n entries share it.
type codeHit struct {
	doc    int32
	weight float64
}

// lookUpCodes finds the entries the query's codes name (see
// plan.codes). Each distinct code adds 1/n to the n entries it names, or,
// when some of them are of the providers the paste names (hints, a
// provider mask), 1/k to those k: invalid_grant from oauth2.googleapis.com
// is Gmail's alone. A code's weights add up to maxCodeWeight: an entry named by two of the paste's codes
// (AADSTS7000222 in the description and 7000222 in error_codes) is surer
// than one named by one (invalid_client in the error field). Beside a code
// with a number, an entry named only by codes without one counts
// namedCodeShare as much. A code shared
// by more than maxCodeEntries entries names none: it is a word of the
// catalogue rather than a code.
//
// named are the codes that named entries, as first written.
func (ix *Index) lookUpCodes(codes []string, hints uint32) (hits []codeHit, named []string) {
	if len(ix.codes) == 0 || len(codes) == 0 {
		return nil, nil
	}
	best := map[int32]float64{}
	numbered := map[int32]bool{} // named by a code with a number
	seen := map[string]bool{}
	var buf []byte
	for _, c := range codes {
		buf = appendCodeKey(buf[:0], c)
		docs := ix.codes[string(buf)]
		if len(docs) == 0 || len(docs) > maxCodeEntries || seen[string(buf)] {
			continue
		}
		seen[string(buf)] = true
		named = append(named, c)
		hinted := 0
		for _, d := range docs {
			if ix.provMask[d]&hints != 0 {
				hinted++
			}
		}
		for _, d := range docs {
			w := 1 / float64(len(docs))
			if hinted > 0 && ix.provMask[d]&hints != 0 {
				w = 1 / float64(hinted)
			}
			best[d] = min(best[d]+w, maxCodeWeight)
			numbered[d] = numbered[d] || hasDigit(c)
		}
	}
	if len(best) == 0 {
		return nil, nil
	}
	anyNumbered := slices.Contains(slices.Collect(maps.Values(numbered)), true)
	hits = make([]codeHit, 0, len(best))
	for d, w := range best {
		if anyNumbered && !numbered[d] {
			// A numbered code (AADSTS50011) names one error; a named one
			// beside it (invalid_request) names its category.
			w *= namedCodeShare
		}
		hits = append(hits, codeHit{d, w})
	}
	slices.SortFunc(hits, func(a, b codeHit) int { return int(a.doc) - int(b.doc) })
	return hits, named
}

// codesSearched reports whether every entry the codes name holds one of
// the searched words as a code, as written but for case: the identifier
// field finds it then (a typed AADSTS50126 or 21211), and no lookup of
// document ids is needed. AADSTS-50076 and a code read from a class name
// are not among the words.
func (ix *Index) codesSearched(pl plan) bool {
	for _, h := range pl.codeHits {
		found := false
		for _, c := range entryCodes(new(ix.entries.at(int(h.doc)))) {
			if slices.ContainsFunc(pl.words, func(w string) bool { return strings.EqualFold(w, c) }) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// docIDs are the bleve document ids of hits.
func docIDs(hits []codeHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = strconv.Itoa(int(h.doc))
	}
	return out
}

// ByCode is every entry that lists code among its codes, in any case, in
// catalogue order (status, then id). It reads the code index, keeping the
// entries whose front matter lists the code as written but for case.
func (ix *Index) ByCode(code string) []content.Entry {
	buf := appendCodeKey(nil, code)
	if len(buf) == 0 {
		return nil
	}
	var out []content.Entry
	for _, d := range ix.codes[string(buf)] {
		e := ix.entries.at(int(d))
		if slices.ContainsFunc(e.Codes, func(c string) bool { return strings.EqualFold(c, code) }) {
			out = append(out, e)
		}
	}
	return out
}

// searchAliases are the names an entry is searched by besides its title
// and messages: its codes, then its aliases. The index, its re-ranking
// templates (tokens) and their reader (rank) take them in this order.
func searchAliases(e content.Entry) []string {
	if len(e.Codes) == 0 {
		return e.Aliases
	}
	return append(slices.Clip(e.Codes), e.Aliases...)
}
