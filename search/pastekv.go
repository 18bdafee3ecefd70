package search

import (
	"net/url"
	"regexp"
	"strings"
)

// keyKind is what a field's name says its value holds.
type keyKindT uint8

const (
	kindOther   keyKindT = iota // an unknown field: only a code-like value counts
	kindMessage                 // what a person reads: message, error_description, detail, faultstring
	kindCode                    // a code: code, error_code, ResponseCode, reason, error_codes
	kindStatus                  // an HTTP status, or a status word (PERMISSION_DENIED)
	kindURL                     // a URL: more_info, error_uri (its codes count)
	kindDrop                    // ids, times, levels, addresses: never the error
)

// keyKind classifies a field name, whatever its case and separators:
// errorDescription, error_description and "Failure reason" read alike. A
// name is read by its last word first (MessageStatus is a status,
// StatusMessage a message, RequestId an id), so that a field is never taken
// for another because it holds a telling word somewhere in its name.
func keyKind(key string) keyKindT {
	k := normKey(key)
	ends := func(sfx ...string) bool {
		for _, x := range sfx {
			if strings.HasSuffix(k, x) {
				return true
			}
		}
		return false
	}
	switch {
	case k == "":
		return kindOther
	case ends("url", "uri", "link", "href", "moreinfo", "docs"):
		return kindURL
	case ends("code", "codes", "errorno", "subcode") || k == "reason" || k == "domain" || k == "type" || k == "errortype":
		return kindCode
	case ends("status"):
		return kindStatus
	case ends("message", "msg", "description", "desc", "detail", "details", "text", "title", "summary", "hint", "string",
		"violation", "reason", "error", "err", "errors", "exception", "cause", "problem", "failure"):
		return kindMessage
	case ends("id", "ids", "sid", "time", "date", "timestamp", "ts", "level", "severity", "caller", "logger", "thread", "pid",
		"hostname", "host", "duration", "latency", "elapsed", "token", "version", "phone", "email", "user", "mailbox",
		"address", "price", "body", "segments", "utc", "lang") || k == "to" || k == "from" || k == "t" || k == "l" || k == "mt" || k == "at":
		return kindDrop
	}
	return kindOther
}

// normKey lower-cases a key and drops everything but letters and digits.
func normKey(key string) string {
	b := make([]byte, 0, len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return string(b)
}

// takeURLs reads the fields of redirect URLs and form posts
// (error=access_denied&error_description=AADSTS65004%3a+User+declined…),
// decodes any other percent-encoded token in place, and leaves the rest.
func (f *fields) takeURLs(s string) string {
	if !strings.ContainsAny(s, "=%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	eachTokenIndex(s, func(lo, hi int) {
		tok := s[lo:hi]
		q, ok := queryOf(tok)
		switch {
		case ok:
			b.WriteString(s[last:lo])
			b.WriteByte(' ')
			for _, kv := range q {
				f.field(kv[0], kv[1])
			}
			last = hi
		case strings.Count(tok, "%") >= 2:
			if d, err := url.PathUnescape(tok); err == nil {
				b.WriteString(s[last:lo])
				// Decoding can make bytes the paste was cleaned of
				// (%80, %00): clean what it makes again.
				b.WriteString(cleanInput(d))
				last = hi
			}
		}
	})
	b.WriteString(s[last:])
	return b.String()
}

// queryOf reads the fields of a URL's query and fragment, or of a form
// body, when they carry an error (error, error_description, ErrorCode) or
// are a form of three fields or more; ok is false otherwise.
func queryOf(tok string) (fields [][2]string, ok bool) {
	raw := tok
	if i := strings.IndexAny(tok, "?#"); i >= 0 {
		raw = tok[i+1:]
	} else if strings.Count(tok, "&") < 2 || strings.Contains(tok, "://") {
		return nil, false
	}
	raw = strings.ReplaceAll(raw, "#", "&")
	raw = strings.ReplaceAll(raw, "?", "&")
	carries := false
	for _, part := range strings.Split(raw, "&") {
		k, v, found := strings.Cut(part, "=")
		if !found || k == "" {
			continue
		}
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			dk, dv = k, v
		}
		dk, dv = cleanInput(dk), cleanInput(dv)
		fields = append(fields, [2]string{dk, dv})
		nk := normKey(dk)
		carries = carries || strings.HasPrefix(nk, "error") || nk == "code" || nk == "payload"
	}
	return fields, carries || len(fields) >= 3 && !strings.Contains(tok, "://")
}

// eachTokenIndex calls fn with the bounds of every run of s between
// spaces, quotes and brackets (see eachToken), except that = and & stay
// inside a run: a query string is one token.
func eachTokenIndex(s string, fn func(lo, hi int)) {
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || (isTokenSep(s[i]) && s[i] != '=' && s[i] != '&') {
			if start >= 0 && i > start {
				fn(start, i)
			}
			start = -1
			continue
		}
		if start < 0 {
			start = i
		}
	}
}

// takePairs reads key=value pairs (logfmt, Python reprs, status callbacks)
// and "Key: value" lines (a sign-in log's details, an SDK's error dump,
// "Code: ErrorFolderNotFound") by their keys. A line whose key says nothing
// stays text: "Unable to create record: Attempt to send…" is a message.
func (f *fields) takePairs(s string) string {
	if !strings.ContainsAny(s, "=:") {
		return s
	}
	s = replacePairs(s, func(m string) string {
		sm := kvRE.FindStringSubmatch(m)
		// Every pair goes: one whose key says nothing (method=GET,
		// retry_after=27) leaves at most a code to look up.
		f.field(sm[1], unquote(sm[2]))
		return " "
	})
	return replaceColonLines(s, func(m string) string {
		sm := colonLineRE.FindStringSubmatch(m)
		key, value := sm[1], unquote(strings.TrimSuffix(strings.TrimSpace(sm[2]), ","))
		switch {
		case keyKind(key) != kindOther:
			f.field(key, value)
			return "\n"
		case isIdentToken(key):
			// "AADSTS50126: Error validating…", "userRateLimitExceeded:
			// User Rate Limit Exceeded": a code and its message.
			f.codes = append(f.codes, key)
		}
		return m
	})
}

// replacePairs is kvRE.ReplaceAllStringFunc(s, fn), kvRE tried only where
// a pair may start: at the start or a separator, before a key and its "=".
// (A key's characters hold no "=", so the "=" follows the whole run.)
// kvAt, anchored, gives the same match there: after a separator its ^
// would need a key at the separator.
func replacePairs(s string, fn func(string) string) string {
	if shortcutsOff {
		return kvRE.ReplaceAllStringFunc(s, fn)
	}
	if strings.IndexByte(s, '=') < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for p := 0; p < len(s); p++ {
		k := p
		if c := s[p]; isRESpace(c) || c == ',' || c == '(' {
			k = p + 1
		} else if p > 0 {
			continue
		}
		if k >= len(s) || !isKeyStart(s[k]) {
			continue
		}
		e := k + 1
		for e < len(s) && (isWordByte(s[e]) || s[e] == '.' || s[e] == '@' || s[e] == '-') {
			e++
		}
		if e >= len(s) || s[e] != '=' {
			continue
		}
		loc := kvAt.FindStringIndex(s[p:])
		if loc == nil {
			continue
		}
		b.WriteString(s[last:p])
		b.WriteString(fn(s[p : p+loc[1]]))
		last = p + loc[1]
		p = last - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isKeyStart is [A-Za-z_@], how kvRE's keys start.
func isKeyStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '@'
}

// replaceColonLines is colonLineRE.ReplaceAllStringFunc(s, fn): a match
// is a whole line (none holds a line break), tried on the lines
// mayBeColonLine passes.
func replaceColonLines(s string, fn func(string) string) string {
	if shortcutsOff {
		return colonLineRE.ReplaceAllStringFunc(s, fn)
	}
	if !strings.Contains(s, ": ") && !strings.Contains(s, ":\t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for line := range strings.Lines(s) {
		text, nl := strings.CutSuffix(line, "\n")
		if mayBeColonLine(text) {
			text = colonLineRE.ReplaceAllStringFunc(text, fn)
		}
		b.WriteString(text)
		if nl {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

var (
	// key=value, key="quoted value" or key='quoted value'.
	kvRE = regexp.MustCompile(`(?:^|[\s,(])([A-Za-z_@][\w.@-]*)=("[^"\n]*"|'[^'\n]*'|[^\s,)]+)`)
	// kvRE anchored at the start of the text it is tried on (replacePairs).
	kvAt = regexp.MustCompile(`^(?:` + kvRE.String() + `)`)
	// A line "Key: value" or "key: value," whose key is at most three words.
	colonLineRE = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z@][\w@-]*(?: [A-Za-z(][\w()-]*){0,3}):[ \t]+(\S.*)$`)
)

// unquote drops one pair of matching quotes around v.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// mayBeColonLine is false for a line colonLineRE cannot match: after its
// spaces and tabs, a key of up to four words of [\w@()-] starting with a
// letter or @, then a colon and a space or a tab.
func mayBeColonLine(line string) bool {
	t := strings.TrimLeft(line, " \t")
	if t == "" || !isKeyStart(t[0]) || t[0] == '_' {
		return false
	}
	spaces := 0
	for i := 1; i < len(t); i++ {
		switch c := t[i]; {
		case isWordByte(c) || c == '@' || c == '(' || c == ')' || c == '-':
		case c == ' ':
			if spaces++; spaces > 3 {
				return false
			}
		case c == ':':
			return i+1 < len(t) && (t[i+1] == ' ' || t[i+1] == '\t')
		default:
			return false
		}
	}
	return false
}
