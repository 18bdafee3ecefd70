package search

import (
	"regexp"
	"strings"
)

// shortcutsOff makes the paste passes run as written, without the scans
// and checks that spare them an expression or a decoding: tests set it to
// compare with. Only tests that are not parallel may set it.
var shortcutsOff bool

// stripNoiseRE is stripNoise without its byte checks: noiseRE's matches
// replaced by a space, then the ids (idTokenRE, see dropIDTokens).
//
// Go's regexp would try noiseRE's fifteen branches at every byte. The
// result is the same when each branch is tried alone, in order, only where
// it may start: a match starts at the leftmost position where a branch
// matches, the first branch matching there wins with its own preferred
// match, and the search goes on from the match's end. Every branch starts
// with an ASCII byte, which is always where a character starts.
func stripNoiseRE(s string) string {
	if shortcutsOff {
		return stripNoiseSlow(s)
	}
	return dropIDTokens(replaceNoise(s))
}

// stripNoiseSlow is stripNoiseRE as the expressions say it.
func stripNoiseSlow(s string) string {
	s = noiseRE.ReplaceAllString(s, " ")
	return idTokenRE.ReplaceAllStringFunc(s, func(t string) string {
		// Hex-looking runs shorter than 8 are kept: they may be words or codes.
		if len(strings.TrimPrefix(t, "0x")) < 8 && !allDigits(t) {
			return t
		}
		return " "
	})
}

// noiseBranch is one branch of noiseRE, anchored at the start of the text
// it is tried on. may is a cheap test of s[p:], true wherever the branch
// can match at p; it checks the \b that starts the branch (which anchoring
// loses) itself. The level branch's (?:^|\s) is \s but at the start of
// the text, where atStart is tried instead.
type noiseBranch struct {
	re, atStart *regexp.Regexp
	may         func(s string, p int) bool
}

var noiseTries = func() []noiseBranch {
	may := []func(s string, p int) bool{
		func(s string, p int) bool { // URLs
			return boundaryBefore(s, p) && hasAnyPrefix(s[p:], "http://", "https://", "ftp://", "ws://", "wss://")
		},
		func(s string, p int) bool { return boundaryBefore(s, p) && strings.HasPrefix(s[p:], "www.") },
		nil, // emails: see replaceNoise
		func(s string, p int) bool { // UUIDs
			return boundaryBefore(s, p) && len(s)-p >= 36 && isHex(s[p]) && s[p+8] == '-' && s[p+13] == '-' && s[p+18] == '-' && s[p+23] == '-'
		},
		func(s string, p int) bool { // IPv4: 1 to 3 digits, a dot, a digit
			q := p
			for q < len(s) && q-p < 3 && isDigit(s[q]) {
				q++
			}
			return boundaryBefore(s, p) && q > p && q+1 < len(s) && s[q] == '.' && isDigit(s[q+1])
		},
		func(s string, p int) bool { // ids
			return boundaryBefore(s, p) && hasAnyPrefix(s[p:], "req", "trace", "span", "correlation", "client", "x_", "x-")
		},
		func(s string, p int) bool { // time keys
			return boundaryBefore(s, p) && hasAnyPrefix(s[p:], "time", "ts", "date", "duration", "latency", "took", "elapsed")
		},
		func(s string, p int) bool { // a level after a space, or at the start
			return p == 0 && isLevelInitial(s[p]) || isRESpace(s[p]) && p+1 < len(s) && isLevelInitial(s[p+1])
		},
		func(s string, p int) bool { return s[p] == '[' && p+1 < len(s) && isLevelInitial(s[p+1]) },
		func(s string, p int) bool { return boundaryBefore(s, p) && strings.HasPrefix(s[p:], "level=") },
		func(s string, p int) bool { // 2006-01-02
			return boundaryBefore(s, p) && len(s)-p >= 10 && allDigits(s[p:p+4]) && s[p+4] == '-' && s[p+7] == '-'
		},
		func(s string, p int) bool { // 15:04:05
			return boundaryBefore(s, p) && len(s)-p >= 8 && allDigits(s[p:p+2]) && s[p+2] == ':' && s[p+5] == ':'
		},
		func(s string, p int) bool { // Mon, 02 Jan 2006
			return boundaryBefore(s, p) && len(s)-p > 4 && s[p+3] == ',' && s[p+4] == ' '
		},
		func(s string, p int) bool { // 02/Jan/2006
			return boundaryBefore(s, p) && len(s)-p > 2 && allDigits(s[p:p+2]) && s[p+2] == '/'
		},
		func(s string, p int) bool { // 2006/01/02
			return boundaryBefore(s, p) && len(s)-p > 4 && allDigits(s[p:p+4]) && s[p+4] == '/'
		},
	}
	branches := append(append([]string{}, noiseBranches...), timestampBranches...)
	if len(branches) != len(may) {
		panic("search: noiseRE's branches and their checks differ in number")
	}
	out := make([]noiseBranch, len(branches))
	for i, b := range branches {
		out[i].may = may[i]
		if strings.HasPrefix(b, `(?:^|\s)`) {
			out[i].atStart = regexp.MustCompile(`^(?:` + b + `)`)
			b = `\s` + strings.TrimPrefix(b, `(?:^|\s)`)
		}
		b = strings.TrimPrefix(b, `\b`) // may checks it
		out[i].re = regexp.MustCompile(`^(?:` + b + `)`)
	}
	return out
}()

// emailBranch is the index of the emails' branch in noiseTries.
const emailBranch = 2

// replaceNoise is noiseRE.ReplaceAllString(s, " ").
func replaceNoise(s string) string {
	var b strings.Builder
	last := 0
	// An email's branch can match at p only when the run of [\w.+-] from p
	// ends at an @: the run is scanned once, up to runEnd.
	hasAt := strings.IndexByte(s, '@') >= 0
	runEnd := 0
	for p := 0; p < len(s); {
		if s[p] >= 0x80 {
			p++ // no branch starts inside or at a non-ASCII character
			continue
		}
		n := noiseMatch(s, p, hasAt, &runEnd)
		if n == 0 {
			p++
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:p])
		b.WriteByte(' ')
		p += n
		last = p
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// noiseMatch is the length of the match of the first of noiseTries that
// matches at s[p], 0 when none does.
func noiseMatch(s string, p int, hasAt bool, runEnd *int) int {
	for i, br := range noiseTries {
		if i == emailBranch {
			if !hasAt || !isEmailByte(s[p]) {
				continue
			}
			if p >= *runEnd {
				q := p
				for q < len(s) && isEmailByte(s[q]) {
					q++
				}
				*runEnd = q
			}
			if *runEnd >= len(s) || s[*runEnd] != '@' {
				continue
			}
		} else if !br.may(s, p) {
			continue
		}
		if i < 2 {
			// A URL's scheme or www. was checked: \S+ is the run of
			// characters up to a space, at least one.
			n := len("www.")
			if i == 0 {
				n = strings.Index(s[p:], "://") + len("://")
			}
			e := p + n
			for e < len(s) && !isRESpace(s[e]) {
				e++
			}
			if e > p+n {
				return e - p
			}
			continue
		}
		re := br.re
		if p == 0 && br.atStart != nil {
			re = br.atStart
		}
		if loc := re.FindStringIndex(s[p:]); loc != nil {
			return loc[1]
		}
	}
	return 0
}

// dropIDTokens is idTokenRE's step of stripNoiseRE. A match of idTokenRE
// starts and ends at a word boundary and holds word characters only, so it
// is a whole run of them: 0x and hex with a digit before a letter a–f, or
// hex without 0x, or seven digits or more. Runs shorter than 8 (0x aside)
// are kept, but for numbers: they may be words or codes.
func dropIDTokens(s string) string {
	var b strings.Builder
	last := 0
	for p := 0; p < len(s); {
		if !isWordByte(s[p]) {
			p++
			continue
		}
		q := p + 1
		for q < len(s) && isWordByte(s[q]) {
			q++
		}
		t := s[p:q]
		id := strings.HasPrefix(t, "0x") && hexDigitBeforeLetter(t[2:]) || hexDigitBeforeLetter(t) || len(t) >= 7 && allDigits(t)
		if id && (len(strings.TrimPrefix(t, "0x")) >= 8 || allDigits(t)) {
			if b.Cap() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:p])
			b.WriteByte(' ')
			last = q
		}
		p = q
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// hexDigitBeforeLetter reports whether t is hex digits only, a digit among
// them before a letter a–f.
func hexDigitBeforeLetter(t string) bool {
	digit, ok := false, false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case isDigit(c):
			digit = true
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			ok = ok || digit
		default:
			return false
		}
	}
	return ok
}

// boundaryBefore reports whether a word boundary (\b, ASCII) stands before
// s[p], a word character.
func boundaryBefore(s string, p int) bool {
	return isWordByte(s[p]) && (p == 0 || !isWordByte(s[p-1]))
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, x := range prefixes {
		if strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// reSpaces are \s of Go's expressions, isRESpace's bytes.
const reSpaces = " \t\n\f\r"

// isRESpace is \s of Go's expressions.
func isRESpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// isEmailByte is [\w.+-].
func isEmailByte(c byte) bool { return isWordByte(c) || c == '.' || c == '+' || c == '-' }

// isLevelInitial is the first letter of a log level: ERROR, WARN, INFO…
func isLevelInitial(c byte) bool { return strings.IndexByte("EWIDTFC", c) >= 0 }

// hasTimestamp is timestampRE.MatchString: its branches are the last of
// noiseTries, tried where they may start.
func hasTimestamp(s string) bool {
	if shortcutsOff {
		return timestampRE.MatchString(s)
	}
	tries := noiseTries[len(noiseBranches):]
	for p := 0; p < len(s); p++ {
		for _, br := range tries {
			if br.may(s, p) && br.re.MatchString(s[p:]) {
				return true
			}
		}
	}
	return false
}
