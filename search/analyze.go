package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// identAnalyzerName analyses identifiers such as force_password,
// userinfo.email, rateLimitExceeded and AADSTS50126: each is indexed whole
// and by its parts, so a person finds it by either. Plain words are left to
// the English fields, which keeps this field's postings short.
const identAnalyzerName = "errata_ident"

func init() {
	err := registry.RegisterAnalyzer(identAnalyzerName, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
		return identAnalyzer{}, nil
	})
	if err != nil {
		panic(err)
	}
}

type identAnalyzer struct{}

func (identAnalyzer) Analyze(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	pos := 0
	eachIdent(string(input), func(start, end int, word string) {
		parts := identParts(word)
		if parts == nil && !hasDigit(word) {
			return // a plain word
		}
		pos++
		whole := lowerASCII(word)
		out = append(out, &analysis.Token{Start: start, End: end, Term: []byte(whole), Position: pos, Type: analysis.AlphaNumeric})
		for _, p := range parts {
			if p != whole {
				out = append(out, &analysis.Token{Start: start, End: end, Term: []byte(p), Position: pos, Type: analysis.AlphaNumeric})
			}
		}
	})
	return out
}

// isIdentRune reports whether r may appear inside an identifier.
func isIdentRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '_' || r == '.' || r == '-' || isApostrophe(r)
}

// Apostrophes stay inside words ("doesn't"), as the English analyzer keeps
// them, so that both agree on what a word is.
func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

func isJoiner(b byte) bool { return b == '_' || b == '.' || b == '-' }

// eachIdent calls fn for every identifier of s with its byte offsets; joiners
// (_ . -) at either end are trimmed and tokens are cut at maxTokenBytes.
func eachIdent(s string, fn func(start, end int, word string)) {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isIdentRune(r) {
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !isIdentRune(r) {
				break
			}
			j += n
		}
		a, b := i, j
		for a < b {
			r, n := utf8.DecodeRuneInString(s[a:])
			if !isJoiner(s[a]) && !isApostrophe(r) {
				break
			}
			a += n
		}
		for b > a {
			r, n := utf8.DecodeLastRuneInString(s[a:b])
			if !isJoiner(s[b-1]) && !isApostrophe(r) {
				break
			}
			b -= n
		}
		if b > a {
			if b-a > maxTokenBytes {
				b = a + maxTokenBytes
				for b > a && !utf8.RuneStart(s[b]) {
					b--
				}
			}
			fn(a, b, s[a:b])
		}
		i = j
	}
}

// identParts splits an identifier at joiners, lower-to-upper case changes and
// letter-digit boundaries: "rateLimitExceeded" → rate, limit, exceeded;
// "AADSTS50126" → aadsts, 50126. Parts are lower-cased.
func identParts(w string) []string {
	var parts []string
	rs := []rune(w)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			parts = append(parts, lowerASCII(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		if r == '_' || r == '.' || r == '-' {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsLower(prev) && unicode.IsUpper(r),
			unicode.IsLetter(prev) && unicode.IsDigit(r),
			unicode.IsDigit(prev) && unicode.IsLetter(r):
			flush(i)
			start = i
		case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			// "HTTPError" → http, error
			flush(i)
			start = i
		}
	}
	flush(len(rs))
	if len(parts) == 1 {
		return nil
	}
	return parts
}

// lowerASCII lower-cases s, fast for ASCII.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return toLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= utf8.RuneSelf {
					return toLower(s)
				}
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func toLower(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = unicode.ToLower(r)
	}
	return string(rs)
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// clip shortens s to at most n bytes, ending on a whole character, and
// marks the cut with "…": for echoing what a person gave.
// echo is s as an error may repeat it to a person: clipped, and valid
// UTF-8 whatever the request held.
func echo(s string, n int) string { return clip(strings.ToValidUTF8(s, "\uFFFD"), n) }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
