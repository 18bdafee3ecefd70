package search

import (
	"regexp"
	"strings"
)

// shape is the wrapper a pasted error came in.
type shape uint8

const (
	shapeText  shape = iota // typed words, or a message pasted bare
	shapeJSON               // a JSON body: {"error": {…}}
	shapeXML                // a SOAP fault, an EWS response, a SAML or Twilio XML answer
	shapeHTTP               // curl -i or -v output: a status line, headers, a body
	shapeTrace              // a stack trace or an exception line
	shapeURL                // a redirect URL or form post carrying the error in its fields
	shapeLog                // a log line: timestamp, level, key=value pairs, a JSON log
)

var shapeNames = [...]string{"text", "json", "xml", "http", "trace", "url", "log"}

func (s shape) String() string { return shapeNames[s] }

// detectShape names the outermost wrapper of s. It only looks; the passes
// of extractFields take each wrapper apart, whatever the shape, so that a
// JSON body inside a log line inside a trace is still read.
func detectShape(s string) shape {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return shapeText
	case t[0] == '{' || strings.HasPrefix(t, `"{`) || isJSONArray(t):
		return shapeJSON
	case t[0] == '<' && !strings.HasPrefix(t, "< HTTP/") && !strings.HasPrefix(t, "<HTTP"):
		return shapeXML
	case (strings.Contains(t, "curl") || strings.Contains(t, "HTTP/")) && httpStartRE.MatchString(t):
		return shapeHTTP
	case hasFrame(t) || hasExceptionLine(t):
		return shapeTrace
	// Typed text rarely holds "=", which a URL's or a log's fields need:
	// the byte checks spare it the regular expressions.
	case hasEquals(t) && mayBeURLShape(t) && urlShapeRE.MatchString(t):
		return shapeURL
	case hasDigit(t) && hasTimestamp(t), hasLogLevel(t), hasEquals(t) && len(pairRE.FindAllStringIndex(t, 3)) >= 2:
		return shapeLog
	case strings.Contains(t, "</") || strings.Contains(t, "/>"):
		return shapeXML
	}
	return shapeText
}

var (
	// A response as curl prints it: its command, or a status line at the
	// start of a line.
	httpStartRE = regexp.MustCompile(`(?m)^(?:\$ )?curl\s|^[<>]?\s*HTTP/[0-9](?:\.[0-9])?\s+[1-5][0-9][0-9]\b`)
	// A URL whose query or fragment carries an error, or a form post of
	// three fields or more.
	urlShapeRE = regexp.MustCompile(`(?i)^\S*[?#&](?:error|error_?code|errorcode)=|^[\w.]+=[^&\s]*(?:&[\w.]+=[^&\s]*){2,}`)
	// key=value, as a log line writes its fields.
	pairRE = regexp.MustCompile(`(?:^|\s)[A-Za-z_][\w.]*=(?:"[^"]*"|\S+)`)
)

func hasEquals(t string) bool { return strings.IndexByte(t, '=') >= 0 }

// isJSONArray reports whether t opens a JSON array of objects, arrays or
// strings: [{…}], not [ERROR].
func isJSONArray(t string) bool {
	if t[0] != '[' {
		return false
	}
	rest := strings.TrimLeft(t[1:], " \t\r\n")
	return rest != "" && strings.IndexByte(`{["]`, rest[0]) >= 0
}

// mayBeURLShape is false when urlShapeRE cannot match t: both its
// branches lie in t's first run of non-spaces, the first with a ?, # or &
// and "error" in any case, the second with two & after a key and its "=".
func mayBeURLShape(t string) bool {
	if shortcutsOff {
		return true
	}
	tok := t
	if i := strings.IndexAny(t, reSpaces); i >= 0 {
		tok = t[:i]
	}
	if strings.ContainsAny(tok, "?#&") && indexFold(tok, "error") >= 0 || strings.ContainsAny(tok, "\u017f\u212a") {
		return true // (?i) lets \w be ſ and K (U+212A, Kelvin) too
	}
	k := 0
	for k < len(tok) && (isWordByte(tok[k]) || tok[k] == '.') {
		k++
	}
	return k > 0 && k < len(tok) && tok[k] == '=' && strings.Count(tok, "&") >= 2
}
