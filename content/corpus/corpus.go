// Package corpus reads public error catalogues in the JSON Lines shape of
// ../shared/corpora, turns them into entries, and imports them as Markdown
// entry files (errata import). What only tests and benchmarks need of the
// real corpora is in corpustest.
package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/errata/errata/content"
)

// Record is one error of a catalogue, one JSON object a line. Text is
// verbatim from its source; Status, Cause and Solution are nil where the
// source gives none.
type Record struct {
	ID       string  `json:"id"`       // "twilio:22225", unique within the corpora
	Source   string  `json:"source"`   // repository@commit:path it was read from
	Provider string  `json:"provider"` // provider slug, e.g. "twilio"
	Code     string  `json:"code"`     // the provider's code, e.g. "22225"
	Title    string  `json:"title"`
	Message  string  `json:"message"`
	Body     string  `json:"body"` // the source's own text, Markdown for Twilio
	Status   *int    `json:"status"`
	Cause    *string `json:"cause"`
	Solution *string `json:"solution"`
	// Messages are texts a client receives with this error, verbatim; the
	// message field is the source's description of it.
	Messages []string `json:"messages,omitempty"`

	// Where ReadFile read the record, so problems name the line to fix;
	// empty for records built in code.
	File string `json:"-"`
	Line int    `json:"-"`
}

// ReadFile reads one JSONL file. Every bad line is a problem with its file
// and line, and any fails the whole read: a silently skipped record would
// skew every count. The error is then content.Problems, one per bad line,
// returned with the records that did read.
func ReadFile(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a BOM some editors add
	var recs []Record
	var ps content.Problems
	line := 0
	for len(data) > 0 {
		var l []byte
		l, data, _ = bytes.Cut(data, []byte("\n"))
		line++
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(l, &r); err != nil {
			ps = append(ps, content.Problem{File: path, Line: line, Message: "not a JSON record: " + err.Error(),
				Fix: `write one JSON object a line: {"id": "source:code", "status": 404 or null, "title": "…", "message": "…", "cause": "…", "solution": "…"}`})
			continue
		}
		if strings.TrimSpace(r.ID) == "" {
			ps = append(ps, content.Problem{File: path, Line: line, Message: "record has no id",
				Fix: `give it an "id" such as "twilio:22225" (the entry's file name is made from it)`})
			continue
		}
		r.File, r.Line = path, line
		recs = append(recs, r)
	}
	if len(ps) > 0 {
		return recs, ps
	}
	return recs, nil
}

// ReadDir reads every *.jsonl of dir, sorted by file name then line.
func ReadDir(dir string) ([]Record, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.jsonl files", dir)
	}
	slices.Sort(files)
	var all []Record
	for _, f := range files {
		recs, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, recs...)
	}
	return all, nil
}

// causeSolution is a record's cause and solution text, "" where the source
// gives none. Twilio's records carry them in the Markdown body under
// "Possible Causes" and "Possible Solutions" when the fields are empty.
func causeSolution(r *Record) (cause, solution string) {
	if r.Cause != nil {
		cause = given(*r.Cause)
	}
	if r.Solution != nil {
		solution = given(*r.Solution)
	}
	// The body's sections, where they say more than the fields (a body
	// may repeat a heading, and a field hold only the last of them).
	if b := bodySection(r.Body, "cause"); says(b, cause) {
		cause = b
	}
	if b := bodySection(r.Body, "solution"); says(b, solution) {
		solution = b
	}
	// A lone bullet ("- ") is how some sources say nothing.
	if plain(cause) == "" {
		cause = ""
	}
	if plain(solution) == "" {
		solution = ""
	}
	return cause, solution
}

// says reports whether text says all that field does, and more.
func says(text, field string) bool {
	return len(text) > len(field) && strings.Contains(strings.Join(strings.Fields(text), " "), strings.Join(strings.Fields(field), " "))
}

// given is a text field trimmed, "" where the source wrote "null" for
// nothing (some of Twilio's records do).
func given(s string) string {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "null") {
		return ""
	}
	return s
}

// bodySection is the text under body's headings of kind ("cause" for
// "Possible Causes", "Possible causes:", "Causes"; "solution" likewise),
// each up to the next heading, joined when the body repeats one.
func bodySection(body, kind string) string {
	if !strings.Contains(body, "#") {
		return ""
	}
	var out []string
	in := false
	for l := range strings.Lines(body) {
		t := strings.TrimSpace(l)
		if m := headingRE.FindStringSubmatch(t); m != nil {
			in = sectionKind(m[1]) == kind
			continue
		}
		if in {
			out = append(out, strings.TrimRight(l, "\r\n"))
		}
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// bullet reports whether a trimmed line is a bullet item ("* x", "- x",
// "+ x") and returns its text.
func bullet(line string) (string, bool) {
	if len(line) >= 2 && strings.IndexByte("*-+", line[0]) >= 0 && (line[1] == ' ' || line[1] == '\t') {
		return strings.TrimSpace(line[2:]), true
	}
	if len(line) == 1 && strings.IndexByte("*-+", line[0]) >= 0 {
		return "", true
	}
	return "", false
}

// plain is text as a reader sees it once bullet lines are list items: the
// markers go, the words stay. Text without bullets is returned as is.
func plain(text string) string {
	if !strings.ContainsAny(text, "*-+") {
		return text
	}
	var b strings.Builder
	changed := false
	for l := range strings.Lines(text) {
		if item, ok := bullet(strings.TrimSpace(l)); ok {
			b.WriteString(item)
			b.WriteByte('\n')
			changed = true
			continue
		}
		b.WriteString(l)
	}
	if !changed {
		return text
	}
	return strings.TrimSpace(b.String())
}
