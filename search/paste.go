package search

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// paste is what was read out of a pasted error.
type paste struct {
	status []int  // HTTP statuses found (status line, JSON code, status=429)
	text   string // the words worth searching for, noise removed
	pasted bool   // the input looked like a pasted error
}

// cleanInput makes arbitrary bytes safe to parse: it cuts the input to
// maxRawBytes, replaces invalid UTF-8, control characters and NUL with
// spaces and drops invisible formatting characters (bidi marks, zero-width
// spaces) that would split or disguise words.
func cleanInput(s string) string {
	if len(s) > maxRawBytes {
		s = s[:maxRawBytes]
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
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

// extractPaste reads a status and message out of a pasted error: an HTTP
// status line, a JSON body (nested, escaped or inside a log line) or a log
// line, and drops the noise around them (timestamps, ids, emails, URLs, long
// numbers, log levels).
func extractPaste(s string) paste {
	var p paste
	var parts []string

	if i := strings.IndexByte(s, '{'); i >= 0 {
		if texts, status, rest, ok := extractJSON(s, i); ok {
			p.pasted = true
			p.status = append(p.status, status...)
			parts = append(parts, texts...)
			s = rest
		}
	}
	// Statuses and timestamps need digits: most typed queries have none,
	// and skip the regular expressions.
	digits := hasDigit(s)
	if m := findIf(digits, statusLineRE, s); m != nil {
		p.pasted = true
		if code, ok := parseCode(s[m[2]:m[3]]); ok { // the pattern holds 100–599
			p.status = append(p.status, code)
		}
		s = s[:m[0]] + " " + s[m[1]:]
	}
	if digits {
		for _, m := range logStatusRE.FindAllStringSubmatchIndex(s, 8) {
			if code, ok := parseCode(s[m[2]:m[3]]); ok { // the pattern holds 100–599
				p.status = append(p.status, code)
			}
			p.pasted = true
		}
		s = logStatusRE.ReplaceAllString(s, " ")
	}
	if (digits && timestampRE.MatchString(s)) || hasLogLevel(s) {
		p.pasted = true
	}
	parts = append(parts, s)

	var b strings.Builder
	for _, t := range parts {
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
	p.text = b.String()
	if len(p.text) > maxTextBytes {
		// Cut on a whole character, without the "…" clip adds for echoes.
		p.text = strings.TrimSuffix(clip(p.text, maxTextBytes), "…")
	}
	return p
}

var (
	// HTTP/1.1 429 Too Many Requests (the reason phrase stays as words).
	statusLineRE = regexp.MustCompile(`(?i)\bHTTP/[0-9](?:\.[0-9])?\s+([1-5][0-9][0-9])\b`)
	// status=429, "status": 429, status code 429, HTTP 429, code: 403.
	logStatusRE = regexp.MustCompile(`(?i)\b(?:http[ _-]?status(?:[ _-]?code)?|status[ _-]?code|status|http|code)["']?\s*[=:]?\s*["']?([1-5][0-9][0-9])\b(?:[^0-9.]|$)`)
	timestampRE = regexp.MustCompile(`\b[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?\b|\b[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?\b|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}\b|\b[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}\b`)
	logLevelRE  = regexp.MustCompile(`(?:^|[\s\[(|])(?:ERROR|ERR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL|level=\w+)(?:$|[\s\]):|])`)
	noiseRE     = regexp.MustCompile(strings.Join([]string{
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
	}, "|") + `|` + timestampRE.String())
	// Tokens that are ids rather than words: long hex or mixed runs, long numbers.
	idTokenRE = regexp.MustCompile(`\b(?:0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b[0-9]{7,}\b`)
)

// findIf is re's first match in s, when may says there can be one.
func findIf(may bool, re *regexp.Regexp, s string) []int {
	if !may {
		return nil
	}
	return re.FindStringSubmatchIndex(s)
}

// hasLogLevel is logLevelRE.MatchString, skipped when s holds none of the
// levels' first letters nor "level=".
func hasLogLevel(s string) bool {
	if !strings.ContainsAny(s, "EWIDTFC") && !strings.Contains(s, "level=") {
		return false
	}
	return logLevelRE.MatchString(s)
}

// stripNoise drops what never identifies an error: URLs, emails, ids,
// timestamps, log levels, long numbers and hex.
func stripNoise(s string) string {
	if !strings.ContainsAny(s, "0123456789@/:=[") && !hasLogLevel(s) {
		return s
	}
	s = noiseRE.ReplaceAllString(s, " ")
	s = idTokenRE.ReplaceAllStringFunc(s, func(t string) string {
		// Hex-looking runs shorter than 8 are kept: they may be words or codes.
		if len(strings.TrimPrefix(t, "0x")) < 8 && !allDigits(t) {
			return t
		}
		return " "
	})
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// extractJSON parses the JSON value starting at s[i] (unescaping \" once if
// the JSON was pasted from a string literal) and returns the texts worth
// searching, statuses found and s with the JSON removed.
func extractJSON(s string, i int) (texts []string, status []int, rest string, ok bool) {
	for _, cand := range []string{s[i:], strings.ReplaceAll(s[i:], `\"`, `"`)} {
		dec := json.NewDecoder(strings.NewReader(cand))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			continue
		}
		if _, isObj := v.(map[string]any); !isObj {
			continue
		}
		n := int(dec.InputOffset())
		var w jsonWalker
		w.walk(v, "", 0)
		end := i + n
		if cand != s[i:] {
			end = len(s) // unescaped: the rest of the line belonged to the string
		}
		return w.texts, w.status, s[:i] + " " + s[end:], true
	}
	return nil, nil, s, false
}

// jsonWalker collects message-like strings and statuses from a decoded body.
type jsonWalker struct {
	texts  []string
	status []int
	size   int
}

// messageKeys hold what a person reads; codeKeys hold codes worth searching
// (rateLimitExceeded, invalid_grant, AADSTS50126) unless they are statuses.
var (
	messageKeys = map[string]bool{"message": true, "error_description": true, "errormessage": true, "error_message": true,
		"description": true, "detail": true, "details": true, "title": true, "msg": true, "reason": true, "error": true,
		"errors": true, "error_summary": true, "errorsummary": true, "localizedmessage": true, "hint": true}
	codeKeys = map[string]bool{"code": true, "error_code": true, "errorcode": true, "type": true, "status": true,
		"domain": true, "error_codes": true, "subcode": true, "error_subcode": true}
	statusKeys = map[string]bool{"status": true, "code": true, "statuscode": true, "status_code": true,
		"httpstatus": true, "http_status": true, "httpstatuscode": true, "http_code": true, "httpcode": true}
)

func (w *jsonWalker) walk(v any, key string, depth int) {
	if depth > maxJSONDepth || w.size > maxTextBytes {
		return
	}
	k := strings.ToLower(key)
	switch v := v.(type) {
	case map[string]any:
		// Messages first, in a stable order, so the most telling text leads.
		keys := make([]string, 0, len(v))
		for kk := range v {
			keys = append(keys, kk)
		}
		sortKeysByInterest(keys)
		for _, kk := range keys {
			w.walk(v[kk], kk, depth+1)
		}
	case []any:
		for _, e := range v {
			w.walk(e, key, depth+1)
		}
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return
		}
		if statusKeys[k] && n >= 100 && n <= 599 {
			w.status = append(w.status, int(n))
			return
		}
		if codeKeys[k] {
			w.add(v.String())
		}
	case string:
		t := strings.TrimSpace(v)
		if t == "" {
			return
		}
		if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && depth < maxJSONDepth {
			var inner any
			dec := json.NewDecoder(strings.NewReader(t))
			dec.UseNumber()
			if dec.Decode(&inner) == nil {
				w.walk(inner, key, depth+1)
				return
			}
		}
		if statusKeys[k] {
			if c, ok := parseCode(t); ok {
				w.status = append(w.status, c)
				return
			}
		}
		if messageKeys[k] || codeKeys[k] {
			w.add(t)
		}
	}
}

func (w *jsonWalker) add(t string) {
	w.size += len(t)
	w.texts = append(w.texts, t)
}

// keyInterest orders keys: messages, then codes, then the rest.
func keyInterest(k string) int {
	k = strings.ToLower(k)
	switch {
	case k == "message" || k == "error_description" || k == "msg":
		return 0
	case messageKeys[k]:
		return 1
	case codeKeys[k] || statusKeys[k]:
		return 2
	}
	return 3
}

func sortKeysByInterest(keys []string) {
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(keyInterest(a), keyInterest(b)), strings.Compare(a, b))
	})
}
