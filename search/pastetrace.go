package search

import (
	"regexp"
	"strings"
	"unicode"
)

// Stack traces of Python, Java, .NET, Node, Go and Ruby: frames say where
// the error was thrown, never what it is, and are dropped; exception lines
// say what it is.
var (
	// frameRE matches a line that is only a frame or trace furniture.
	frameRE = regexp.MustCompile(`^\s*(?:` + strings.Join([]string{
		`Traceback \(most recent call last\):`, // Python
		`File ".*", line [0-9]+.*`,
		`[\^~]+`, // Python 3.11+ markers under the code
		`at (?:async |new )?[\w$.<>\[\]/` + "`" + `-]+(?: \[as \w+\])? ?\(.*`, // Java, .NET, Node: at pkg.Class.method(File.java:12), at fn (/app/x.js:1:2)
		`at \S+:[0-9]+:[0-9]+\)?`, // Node, anonymous
		`\.\.\. [0-9]+ (?:more|common frames omitted)`,
		`-+ End of (?:inner exception )?stack trace.*`,
		`from \S+:[0-9]+:in .*`, // Ruby
		`\S+\.rb:[0-9]+:in [` + "`" + `'][^']*'`,
		`goroutine [0-9]+ \[.*\]:`, // Go
		`\S+\.go:[0-9]+(?: \+0x[0-9a-f]+)?`,
		`[\w./*()]+\(.*\)`, // a Go call in a goroutine dump
		`exit status [0-9]+`,
		`Error has been observed at the following site\(s\):`, // Spring's checkpoints
		`\*__checkpoint .*`,
		`Original Stack Trace:`,
		`During handling of the above exception, another exception occurred:`,
		`The above exception was the direct cause of the following exception:`,
	}, "|") + `)\s*$`)
	// exceptionLineRE matches an exception line: a class (dotted, with ::
	// or $, or a bare …Error or …Exception), an optional [Tag], then its
	// message: "com.twilio.exception.ApiException: Attempt to…",
	// "RestException [Error]: The From…", "Caused by: x.Y: …".
	exceptionLineRE = regexp.MustCompile(`^\s*(?:Caused by: |Suppressed: |-*> )?([A-Za-z_][\w.:$]*[\w$])(?: \[\w+\])?:(?:\s+(.*))?$`)
	// rubyRaiseRE matches Ruby's uncaught error line:
	// "path.rb:88:in `method': message (Module::Class)".
	rubyRaiseRE = regexp.MustCompile("^\\S+:[0-9]+:in [`'][^']*': (.*) \\(([\\w:]+)\\)\\s*$")
	// goPanicRE matches "panic: message".
	goPanicRE = regexp.MustCompile(`^panic: (.*)$`)
)

// hasFrame reports whether any of the first lines of s is a stack frame.
func hasFrame(s string) bool {
	for n := 0; s != "" && n < 200; n++ {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		if mayBeFrame(line) && frameRE.MatchString(line) && strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), "[") {
			return true
		}
	}
	return false
}

// mayBeFrame is false for a line frameRE cannot match, cheaply: after its
// spaces, each frame starts with one of a few words or marks, or its first
// word holds .rb: or .go:, or it is a call: a ( after the start of its
// first run of name characters, and a ) at its end.
func mayBeFrame(line string) bool {
	if shortcutsOff {
		return true
	}
	t := strings.TrimRight(strings.TrimLeft(line, reSpaces), reSpaces)
	if t == "" {
		return false
	}
	switch t[0] {
	case '^', '~':
		return strings.Trim(t, "^~") == ""
	case '-', '*':
		return true
	}
	if hasAnyPrefix(t, "Traceback (", `File "`, "at ", "... ", "from ", "goroutine ", "exit status ", "Error has been observed",
		"Original Stack Trace:", "During handling of", "The above exception") {
		return true
	}
	first := t
	if i := strings.IndexAny(t, reSpaces); i >= 0 {
		first = t[:i]
	}
	if strings.Contains(first, ".rb:") || strings.Contains(first, ".go:") {
		return true
	}
	name := 0 // [\w./*()]+
	for name < len(t) && (isWordByte(t[name]) || strings.IndexByte("./*()", t[name]) >= 0) {
		name++
	}
	return name > 1 && strings.IndexByte(t[1:name], '(') >= 0 && t[len(t)-1] == ')'
}

// hasExceptionLine reports whether one of the first lines of s is an
// exception line.
func hasExceptionLine(s string) bool {
	for n := 0; s != "" && n < 30; n++ {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		if strings.IndexByte(line, ':') < 0 {
			continue // both shapes need one: typed words are spared the expressions
		}
		if m := exceptionLineRE.FindStringSubmatch(line); m != nil && isExceptionClass(m[1]) || rubyRaiseRE.MatchString(line) {
			return true
		}
	}
	return false
}

// takeTrace drops stack frames and reads exception lines: the class goes to
// classWords (a code such as exchangelib.errors.ErrorNonExistentMailbox, or
// the words of TooManyRequests), the message stays as text. Python prints
// the code of each frame on the line after it: that line goes too.
func (f *fields) takeTrace(s string) string {
	if f.shape != shapeTrace && !hasFrame(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	codeLine := false // the line after a Python frame is its code
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		trimmed := strings.TrimSpace(line)
		if codeLine && trimmed != "" && (line[0] == ' ' || line[0] == '\t') {
			codeLine = false
			continue
		}
		codeLine = false
		if trimmed != "" && mayBeFrame(line) && frameRE.MatchString(line) {
			codeLine = strings.HasPrefix(trimmed, "File \"")
			continue
		}
		b.WriteString(f.exceptionLine(line))
		b.WriteByte('\n')
	}
	return b.String()
}

// exceptionLine reads the class out of an exception line and returns the
// line as its message alone; any other line is returned as it is.
func (f *fields) exceptionLine(line string) string {
	if m := rubyRaiseRE.FindStringSubmatch(line); m != nil {
		f.exceptionClass(m[2])
		return m[1]
	}
	if m := goPanicRE.FindStringSubmatch(line); m != nil {
		return m[1]
	}
	m := exceptionLineRE.FindStringSubmatch(line)
	if m == nil || !isExceptionClass(m[1]) {
		return line
	}
	f.exceptionClass(m[1])
	return m[2]
}

// isExceptionClass reports whether c names a class: a dotted or ::
// path (twilio.base.exceptions.TwilioRestException, OAuth2::Error) or a
// name ending in Error or Exception (GaxiosError, RestException).
func isExceptionClass(c string) bool {
	if strings.Contains(c, "://") || strings.HasSuffix(c, ":") {
		return false
	}
	if strings.Contains(c, "::") || strings.Contains(strings.Trim(c, "."), ".") {
		return unicode.IsLetter(rune(c[0])) && !strings.ContainsAny(c, " ")
	}
	last := c[strings.LastIndexByte(c, '$')+1:]
	return unicode.IsUpper(rune(c[0])) && (strings.HasSuffix(last, "Error") || strings.HasSuffix(last, "Exception"))
}

// exceptionClass reads an exception's class: its last segment is a code
// when the catalogue knows it (ErrorNonExistentMailbox), else its words
// count, without the Error or Exception every class name ends with
// (WebClientResponseException$TooManyRequests: too many requests).
func (f *fields) exceptionClass(class string) {
	last := class
	if i := strings.LastIndexAny(class, ".:$"); i >= 0 {
		last = class[i+1:]
	}
	if last == "" {
		return
	}
	f.codes = append(f.codes, last)
	var words []string
	for _, p := range identParts(last) {
		if p != "error" && p != "exception" {
			words = append(words, p)
		}
	}
	if len(words) > 0 {
		f.classWords = append(f.classWords, strings.Join(words, " "))
	}
}
