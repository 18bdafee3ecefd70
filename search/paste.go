package search

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fields is what was read out of a query's text, before the index is asked
// anything: the shape it came in and the fields of the error inside.
type fields struct {
	shape  shape
	status []int    // HTTP statuses read from status positions (a status line, a status field, "HTTP 429")
	reason []string // reason phrases ("Too Many Requests"), after a status or as a field's whole value: status hints, never searched as content
	codes  []string // values of code positions (a code field, "error code 50126", /docs/errors/21211): numbers count only here
	hints  []string // provider slugs named by hosts, SDK names and, in a paste, provider words in paths
	msgs   []string // message fields, most telling first
	// classWords are the words of exception classes that are no code
	// (RateLimitError: rate limit): they score hits, never find them.
	classWords []string
	rest       string // the text left once every field was taken out
}

// pasted reports whether the text came in a shape of its own (it was
// pasted, not typed): its quoted strings are not phrases and its unknown
// words are not typos.
func (f *fields) pasted() bool { return f.shape != shapeText || len(f.status) > 0 }

// text is the words worth searching: the messages, then what is left,
// noise removed, cut to maxTextBytes on a whole character.
func (f *fields) text() string {
	var b strings.Builder
	for _, t := range slices.Concat(f.msgs, []string{f.rest}) {
		t = stripNoise(t)
		if strings.TrimSpace(t) == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" \n ")
		}
		b.WriteString(t)
		if b.Len() >= maxTextBytes {
			break
		}
	}
	s := b.String()
	if len(s) > maxTextBytes {
		s = strings.TrimSuffix(clip(s, maxTextBytes), "…")
	}
	return s
}

// message is what the paste says the error is, as plain words: its first
// message field of a few words ("auth failed" says less than the error
// field after it), else its first message, else the start of its text;
// noise, quotes and brackets removed, cut to maxShortMessage.
func (f *fields) message() string {
	plain := func(s string) string {
		return clipWords(strings.Map(func(r rune) rune {
			if strings.ContainsRune("\"`<>{}[]()|\\", r) {
				return ' '
			}
			return r
		}, stripNoise(s)), maxShortMessage)
	}
	for _, m := range f.msgs {
		if m = plain(m); len(strings.Fields(m)) >= minMessageWords {
			return m
		}
	}
	for _, m := range f.msgs {
		if m = plain(m); strings.IndexByte(m, ' ') > 0 {
			return m
		}
	}
	return plain(f.rest)
}

// extractFields reads a text in its shape: each pass takes the part it
// knows out of the text and leaves the rest to the next.
//
//  1. detectShape names the wrapper (JSON, XML, an HTTP response, a stack
//     trace, a URL or form, a log line, or typed text);
//  2. providerHints reads whose error it is from the marks, hosts and SDK
//     names the catalogue's providers declare (sig);
//  3. takeURLs decodes query strings and form posts into their fields;
//  4. takeHTTP drops a curl command, status line and headers, keeping the
//     status and the body;
//  5. takeTrace drops stack frames and reads exception lines: the class
//     (a code, or words) and the message;
//  6. takeXML, takeJSON and takePairs read fields by their names (a code, a
//     message, a status, a URL; the rest is dropped);
//  7. takeStatuses reads statuses in status positions and drops their
//     reason phrases; takeCodes reads numbers in code positions, in the
//     messages and in what is left.
//
// What is left is searched as words once noise (ids, timestamps, URLs) is
// stripped (see text).
func extractFields(raw string, sig *signals) fields {
	s := cleanInput(raw)
	if plainTyped(s) {
		// Nothing for the passes to read: spare a typed code or a few
		// words the expressions each pass runs.
		return fields{shape: shapeText, hints: sig.providerHints(s, false), rest: s}
	}
	return readFields(s, sig)
}

// readFields is extractFields on cleaned text, every pass run.
func readFields(s string, sig *signals) fields {
	f := fields{shape: detectShape(s)}
	f.hints = sig.providerHints(s, f.shape != shapeText)
	s = f.takeURLs(s)
	s = f.takeHTTP(s)
	s = f.takeTrace(s)
	s = f.takeXML(s)
	s = f.takeJSON(s)
	s = f.takePairs(s)
	// Statuses and codes stand in the messages too ("error": "Status: 400 -
	// ApiError 21614: …").
	for i, m := range f.msgs {
		f.msgs[i] = f.takeCodes(f.takeStatuses(m))
	}
	f.rest = f.takeCodes(f.takeStatuses(s))
	return f
}

// cleanInput makes arbitrary bytes safe to parse: it cuts the input to
// maxRawBytes, replaces invalid UTF-8, control characters and NUL with
// spaces and drops invisible formatting characters (bidi marks, zero-width
// spaces) that would split or disguise words.
func cleanInput(s string) string {
	if len(s) > maxRawBytes {
		s = s[:maxRawBytes]
	}
	if shortcutsOff {
		return cleanFrom(s, 0)
	}
	// Printable ASCII, line breaks and tabs stay as they are: most pastes
	// are only those, and are returned whole.
	i := 0
	for i < len(s) && (s[i] >= ' ' && s[i] < 0x7f || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	if i == len(s) {
		return s
	}
	return cleanFrom(s, i)
}

// cleanFrom is cleanInput once s[:i] is known to stay as it is.
func cleanFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteByte(' ')
		case r == '\n' || r == '\t' || r == '\r':
			b.WriteRune(r)
		case unicode.IsControl(r):
			b.WriteByte(' ')
		case unicode.Is(unicode.Cf, r): // bidi controls, zero-width, BOM
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// field takes one named value of a paste (a JSON key, an XML element, a
// query parameter, a log pair) by what its name says it holds.
func (f *fields) field(key, value string) {
	value = strings.TrimSpace(value)
	if value == "" || isNullWord(value) || len(f.msgs)+len(f.codes) > maxFields {
		return
	}
	if value[0] == '{' && len(value) > 1 {
		// A JSON body inside a string or a form field.
		if rest := f.takeJSON(value); rest != value {
			f.field(key, rest)
			return
		}
	}
	if reasonStatus(value) > 0 {
		f.reason = append(f.reason, value) // "title": "Unauthorized"
		return
	}
	kind := keyKind(key)
	if kind == kindCode || kind == kindStatus {
		value = dropNamespace(value) // a:ErrorSchemaValidation
	}
	switch {
	case kind == kindDrop:
	case (kind == kindStatus || kind == kindCode) && isStatusNumber(value):
		c, _ := parseCode(value)
		f.status = append(f.status, c)
	case kind == kindURL || strings.Contains(value, "://") && strings.IndexByte(value, ' ') < 0:
		f.codes = append(f.codes, urlCodes(value)...)
	case kind == kindCode && isCodeNumber(value):
		f.codes = append(f.codes, value)
		f.msgs = append(f.msgs, value)
	case isIdentToken(value):
		// A code, whatever the field: an unknown field's identifier
		// (Operation, ResponseCode under another name) is only looked up.
		f.codes = append(f.codes, value)
		if kind != kindOther {
			f.msgs = append(f.msgs, value)
		}
	case kind == kindMessage || kind != kindOther && strings.IndexByte(value, ' ') > 0:
		// Words; a code or status field's words may still hold a status
		// or code ("Status Code": "409 Conflict").
		f.msgs = append(f.msgs, value)
	}
}

// isNullWord reports whether v is how a language prints nothing.
func isNullWord(v string) bool {
	switch v {
	case "null", "None", "nil", "undefined", "NULL", "<nil>":
		return true
	}
	return false
}

// dropNamespace is a code without its XML namespace prefix: a:ErrorSchemaValidation
// is ErrorSchemaValidation. Text with spaces is left alone.
func dropNamespace(v string) string {
	if strings.IndexByte(v, ' ') >= 0 || strings.Contains(v, "://") {
		return v
	}
	if i := strings.LastIndexByte(v, ':'); i >= 0 && i+1 < len(v) {
		return v[i+1:]
	}
	return v
}

// isIdentToken reports whether v is one identifier: rateLimitExceeded,
// invalid_grant, AADSTS50126, ErrorItemNotFound (not a sentence, not a number).
func isIdentToken(v string) bool {
	if len(v) > maxTokenBytes || !isCodeLike(v) {
		return false
	}
	n := 0
	eachIdent(v, func(_, _ int, w string) { n++ })
	return n == 1 && !allDigits(v)
}

// isCodeNumber reports whether v is a number that may be a code: 4 to 7
// digits (Twilio's 21211, the 50126 of AADSTS50126).
func isCodeNumber(v string) bool { return len(v) >= 4 && len(v) <= 7 && allDigits(v) }

// isStatusNumber reports whether v is a three-digit HTTP status.
func isStatusNumber(v string) bool {
	c, ok := parseCode(v)
	return ok && http.StatusText(c) != ""
}

// reasonStatus is the status whose reason phrase v is ("Too Many Requests"
// is 429's), or 0.
func reasonStatus(v string) int {
	if len(v) < 2 || len(v) > 40 || strings.IndexByte(v, ' ') < 0 && !unicode.IsUpper(rune(v[0])) {
		return 0
	}
	return reasonPhrases[strings.ToLower(strings.TrimRight(v, ". "))]
}

// reasonPhrases maps every lower-cased HTTP reason phrase to its status.
var reasonPhrases = func() map[string]int {
	m := map[string]int{}
	for c := 100; c < 600; c++ {
		if t := http.StatusText(c); t != "" {
			m[strings.ToLower(t)] = c
		}
	}
	return m
}()

// urlCodes are the codes a vendor's URL carries: /docs/errors/21211,
// error?code=50126.
func urlCodes(u string) []string {
	if !shortcutsOff && indexFold(u, "/error") < 0 && indexFold(u, "code=") < 0 {
		return nil // what urlCodeRE needs
	}
	var out []string
	for _, m := range urlCodeRE.FindAllStringSubmatch(u, 4) {
		out = append(out, m[1]+m[2])
	}
	return out
}

var urlCodeRE = regexp.MustCompile(`(?i)/errors?/([0-9]{4,7})\b|[?&]code=([0-9]{4,7})\b`)

var (
	timestampRE = regexp.MustCompile(strings.Join(timestampBranches, "|"))
	logLevelRE  = regexp.MustCompile(`(?:^|[\s\[(|])(?:ERROR|ERR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL|level=\w+)(?:$|[\s\]):|])`)
	// noiseRE is what stripNoise drops, one alternation of noiseBranches
	// and timestampBranches; stripNoiseRE tries the branches one by one,
	// only where they may start.
	noiseRE = regexp.MustCompile(strings.Join(noiseBranches, "|") + `|` + timestampRE.String())
	// Tokens that are ids rather than words: long hex or mixed runs, long numbers.
	idTokenRE = regexp.MustCompile(`\b(?:0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b[0-9]{7,}\b`)
)

// noiseBranches are the branches of noiseRE before the timestamps, in
// order: the first that matches where a match starts wins.
var noiseBranches = []string{
	`\b(?:https?|ftp|wss?)://\S+`, // URLs
	`\bwww\.\S+`,
	`[\w.+-]+@[\w-]+(?:\.[\w-]+)+`, // emails
	`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`,                             // UUIDs
	`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?::[0-9]+)?\b`,                                                               // IPv4
	`\b(?:request|req|trace|span|correlation|client[_-]?request|x[_-]request)[_-]?id["']?\s*[=:]\s*["']?[\w.:-]+`, // ids with their key
	`\b(?:timestamp|time|ts|date|duration|latency|took|elapsed)["']?\s*[=:]\s*["']?[\w.:+-]+`,
	`(?:^|\s)(?:ERROR|ERR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL)(?:$|[\s:])`,
	`\[(?:ERROR|ERR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL)\]`,
	`\blevel=\w+`,
}

// timestampBranches are the branches of timestampRE, in order.
var timestampBranches = []string{
	`\b[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?\b`,
	`\b[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?\b`,
	`\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}\b`,
	`\b[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}\b`,
	`\b[0-9]{4}/[0-9]{2}/[0-9]{2}\b`,
}

// hasLogLevel is logLevelRE.MatchString, by a scan: a level word (or
// level= and a word) after the start, a space or one of [(|, and before
// the end, a space or one of ]):|.
func hasLogLevel(s string) bool {
	if shortcutsOff {
		return logLevelRE.MatchString(s)
	}
	for p := 0; p < len(s); p++ {
		if c := s[p]; !isLevelInitial(c) && c != 'l' || p > 0 && !isRESpace(s[p-1]) && strings.IndexByte("[(|", s[p-1]) < 0 {
			continue
		}
		t := s[p:]
		if strings.HasPrefix(t, "level=") {
			q := len("level=")
			for q < len(t) && isWordByte(t[q]) {
				q++
			}
			// \w+ gives back no character: none it holds may end a level.
			if q > len("level=") && levelEnds(t[q:]) {
				return true
			}
			continue
		}
		for _, l := range [...]string{"ERROR", "ERR", "WARN", "WARNING", "INFO", "DEBUG", "TRACE", "FATAL", "CRITICAL"} {
			if strings.HasPrefix(t, l) && levelEnds(t[len(l):]) {
				return true
			}
		}
	}
	return false
}

// levelEnds reports whether a log level may end before t.
func levelEnds(t string) bool {
	return t == "" || isRESpace(t[0]) || strings.IndexByte("]):|", t[0]) >= 0
}

// stripNoise drops what never identifies an error: URLs, emails, ids,
// timestamps, log levels, long numbers and hex.
func stripNoise(s string) string {
	if plainTyped(s) || !strings.ContainsAny(s, "0123456789@/:=[") && !hasLogLevel(s) {
		return s
	}
	return stripNoiseRE(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// plainTyped reports whether s is typed text no pass of extractFields reads
// anything from and stripNoise leaves whole, by a byte check: ASCII
// letters, digits and _ in words between spaces on one line, no log level
// word, no curl; when it holds a digit, one word only (a status or code
// needs its label), which starts with no label (error500, code50126,
// HTTP429) and is no id (hex of 8 or more, 7 digits or more).
func plainTyped(s string) bool {
	t := strings.TrimSpace(s)
	if t == "" || strings.Contains(t, "curl") {
		return false
	}
	words, digit, hex := 1, false, true
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == ' ':
			words++
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == 'x':
		case c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z' || c == '_':
			hex = false
		default:
			return false
		}
	}
	if digit && (words > 1 || hex && (!allDigits(t) || len(t) >= 7)) {
		return false
	}
	if digit {
		for _, label := range [...]string{"http", "status", "err", "code", "api"} {
			if len(t) >= len(label) && strings.EqualFold(t[:len(label)], label) {
				return false
			}
		}
	}
	for w := range strings.SplitSeq(t, " ") {
		switch w {
		case "ERROR", "ERR", "WARN", "WARNING", "INFO", "DEBUG", "TRACE", "FATAL", "CRITICAL":
			return false // a log line's level
		}
	}
	return true
}
