package web

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis is the tail that marks a cut in text shown to people.
const Ellipsis = "…"

// Clip keeps at most n bytes of s, ending on a whole UTF-8 character, so that
// neither a page nor a log ever holds a split character. When it cuts, white
// space left at the end goes and tail is added after the n bytes: Ellipsis
// where a person reads the text, "" where the cut text is used as it is (the
// query a search reads). Bytes, not characters, are counted, because what
// Clip bounds is the size of what is kept or echoed.
func Clip(s string, n int, tail string) string {
	if len(s) <= n {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimRightFunc(s[:n], unicode.IsSpace) + tail
}
