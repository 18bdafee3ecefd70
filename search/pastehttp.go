package search

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// takeHTTP reads a response as curl prints it: the command line goes (its
// URL named the provider already), the status line gives the status and
// its reason phrase, header lines go, and the body stays.
func (f *fields) takeHTTP(s string) string {
	if f.shape != shapeHTTP {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	inHead := false
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		t := strings.TrimSpace(line)
		// curl -v marks what it sent with > and what it got with <.
		t = strings.TrimSpace(strings.TrimLeft(t, "<>*"))
		switch {
		case strings.HasPrefix(t, "$ curl") || strings.HasPrefix(t, "curl "):
			continue
		case (shortcutsOff || strings.Contains(t, "curl") || strings.Contains(t, "HTTP/")) && httpStartRE.MatchString(t):
			// What follows the status on its line (a body pasted onto one
			// line, as a log keeps it) is content.
			if rest := strings.TrimSpace(f.takeStatuses(t)); rest != "" {
				b.WriteString(rest)
				b.WriteByte('\n')
			}
			inHead = true
			continue
		case inHead && t == "":
			inHead = false
			continue
		case inHead && headerRE.MatchString(t):
			continue
		}
		inHead = false
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// headerRE matches a header line: Name: value.
var headerRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*:\s`)

// takeStatuses reads the statuses of s that stand in a status position and
// returns s without them: a status line (HTTP/1.1 429), a labelled status
// (status=429, "status code 405", HTTP 429, Error 403:, statusCode: 409),
// or a number followed by its own reason phrase ("409 Conflict",
// "(411) Length Required", "406 Client Error: Not Acceptable"). A reason
// phrase after the status is taken with it: it is a status hint, not words
// to search (HTTP/1.1 400 BAD REQUEST must not lift every entry titled Bad
// Request). A number anywhere else (a project number, "office 365") is no
// status.
func (f *fields) takeStatuses(s string) string {
	if !hasDigit(s) || !shortcutsOff && !mayHoldStatus(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range findStatuses(s, 16) {
		num := m[2]
		if num < 0 {
			num = m[4]
		}
		code, _ := strconv.Atoi(s[num : num+3])
		end := num + 3
		if m[2] < 0 {
			// An unlabelled number counts only with its reason phrase.
			n := reasonAfter(s[end:], code)
			if n == 0 {
				continue
			}
			end += n
		} else if http.StatusText(code) == "" {
			continue
		} else {
			end += reasonAfter(s[end:], code)
		}
		if end > num+3 {
			f.reason = append(f.reason, http.StatusText(code))
		}
		f.status = append(f.status, code)
		b.WriteString(s[last:m[0]])
		b.WriteByte(' ')
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// statusRE finds a labelled status (group 1) or any three-digit number that
// may be followed by its reason phrase (group 2).
var statusRE = regexp.MustCompile(`(?i)` + statusLabelled + `|` + statusBare)

const (
	statusLabelled = `(?:\bHTTP/[0-9](?:\.[0-9])?\s+|\b(?:http[ _-]?status(?:[ _-]?code)?|status[ _-]?code|statuscode|http[ _-]?code|status|http(?:[ _-]error)?|error)["']?\s*[=:]?\s*["']?)([1-5][0-9][0-9])\b`
	statusBare     = `(?:^|[\s(\["'])([1-5][0-9][0-9])\b`
)

// statusAt are statusRE anchored at the start of the text they are tried
// on, [labelled][at the start of s]: without the \b that starts a label
// (findStatuses checks it) or, after the start, the ^ of a bare status.
// Without its labelled branch, the bare one's group is the first.
var statusAt = func() (re [2][2]*regexp.Regexp) {
	labelled := strings.NewReplacer(`(?:\bHTTP/`, `(?:HTTP/`, `|\b(?:http`, `|(?:http`).Replace(statusLabelled)
	bareInside := strings.Replace(statusBare, `(?:^|[\s(\["'])`, `[\s(\["']`, 1)
	re[1][1] = regexp.MustCompile(`(?i)^(?:` + labelled + `|` + statusBare + `)`)
	re[1][0] = regexp.MustCompile(`(?i)^(?:` + labelled + `|` + bareInside + `)`)
	re[0][1] = regexp.MustCompile(`^(?:` + statusBare + `)`)
	re[0][0] = regexp.MustCompile(`^(?:` + bareInside + `)`)
	return re
}()

// findStatuses is statusRE.FindAllStringSubmatchIndex(s, n), trying
// statusRE only where a match may start: a label at a word boundary (h, s
// or e, whatever its case), or a bare status at the start or after a
// space, a bracket or a quote. Matches are found left to right and the
// search goes on from each match's end, as statusRE's. (?i) lets a label's
// s be ſ, which is no ASCII letter: a text holding one runs statusRE.
func findStatuses(s string, n int) [][]int {
	if shortcutsOff || strings.ContainsRune(s, 'ſ') {
		return statusRE.FindAllStringSubmatchIndex(s, n)
	}
	var out [][]int
	for p := 0; p < len(s) && len(out) < n; p++ {
		c := s[p]
		labelled := strings.IndexByte("hHsSeE", c) >= 0 && (p == 0 || !isWordByte(s[p-1]))
		bare := p == 0 && c >= '1' && c <= '5' ||
			(isRESpace(c) || strings.IndexByte(`(["'`, c) >= 0) && p+1 < len(s) && s[p+1] >= '1' && s[p+1] <= '5'
		if !labelled && !bare {
			continue
		}
		start := 0
		if p == 0 {
			start = 1
		}
		var at []int
		if labelled {
			at = statusAt[1][start].FindStringSubmatchIndex(s[p:])
		} else if m := statusAt[0][start].FindStringSubmatchIndex(s[p:]); m != nil {
			at = []int{m[0], m[1], -1, -1, m[2], m[3]}
		}
		if at == nil {
			continue
		}
		for i := range at {
			if at[i] >= 0 {
				at[i] += p
			}
		}
		out = append(out, at)
		p = at[1] - 1
	}
	return out
}

// mayHoldStatus is false when statusRE cannot match s: each of its
// statuses is three digits, the first 1 to 5, after no digit (a space, a
// mark or a label) and before no word character.
func mayHoldStatus(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		if s[i] >= '1' && s[i] <= '5' && isDigit(s[i+1]) && isDigit(s[i+2]) &&
			(i == 0 || !isDigit(s[i-1])) && (i+3 == len(s) || !isWordByte(s[i+3])) {
			return true
		}
	}
	return false
}

// reasonAfter is the length of code's reason phrase at the start of s,
// after spaces, a colon, a bracket or "Client Error:", with what separates
// them; 0 when s does not start with it.
func reasonAfter(s string, code int) int {
	reason := http.StatusText(code)
	if reason == "" {
		return 0 // a number no status has: "107 " is no status with an empty reason
	}
	i := 0
	skip := func() {
		for i < len(s) && strings.IndexByte(" \t:)]-\"'", s[i]) >= 0 {
			i++
		}
	}
	skip()
	for _, filler := range []string{"Client Error", "Server Error"} {
		if len(s)-i >= len(filler) && strings.EqualFold(s[i:i+len(filler)], filler) {
			i += len(filler)
			skip()
		}
	}
	if len(s)-i < len(reason) || !strings.EqualFold(s[i:i+len(reason)], reason) {
		return 0
	}
	end := i + len(reason)
	if end < len(s) && isWordByte(s[end]) {
		return 0 // "404 Not Foundation"
	}
	return end
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// takeCodes reads the numbers of s that stand in a code position and
// returns s as it was (the code stays a word): a labelled code ("error code
// 50126", "ApiError 21211", "Error 11200", "errorNo 65001") or a vendor's
// URL (/docs/errors/21211, error?code=50126). Identifiers need no position:
// every one is looked up (see Index.lookUpCodes).
func (f *fields) takeCodes(s string) string {
	if !hasDigit(s) {
		return s
	}
	if !shortcutsOff && !mayHoldCodeLabel(s) {
		f.codes = appendNew(f.codes, urlCodes(s)...)
		return s
	}
	for _, m := range codeLabelRE.FindAllStringSubmatch(s, 16) {
		f.codes = appendNew(f.codes, m[1])
	}
	f.codes = appendNew(f.codes, urlCodes(s)...)
	return s
}

// mayHoldCodeLabel is false when codeLabelRE cannot match s: its number
// is a run of four to seven digits before no word character, after a
// label that ends in code, no, number, error or err, whatever its case,
// and what may stand between them (spaces, quotes, brackets, :=#).
func mayHoldCodeLabel(s string) bool {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i >= 4 && j-i <= 7 && (j == len(s) || !isWordByte(s[j])) {
			label := strings.TrimRight(s[:i], reSpaces+"\"'[]():=#")
			for _, end := range [...]string{"code", "no", "number", "err", "error"} {
				if len(label) >= len(end) && strings.EqualFold(label[len(label)-len(end):], end) {
					return true
				}
			}
		}
		i = j
	}
	return false
}

// codeLabelRE finds a number of four to seven digits after a word that
// labels it a code.
var codeLabelRE = regexp.MustCompile(`(?i)\b(?:error[ _-]?code|error[ _-]?no|error[ _-]?number|code|api[ _-]?error|error|err)["'\]]?\s*[:=#]?\s*[\[("']?\s*([0-9]{4,7})\b`)
