package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/web"
)

// runExplain is `errata explain`: it reads a paste from stdin or a file,
// says what it understood and prints the entry that best explains it, with
// its cause and solution, for a terminal or (--json) for a script. With
// --each-line it reads a log and marks each line that an entry explains.
func runExplain(ctx context.Context, env Env, args []string) error {
	m := NewMain(env)
	f := newFlags(env, "explain")
	m.catalogueFlags(f)
	base := linkBaseFlag(f, "site `URL` the printed links start with")
	asJSON := f.Bool("json", false, "print JSON for scripts (with --each-line, one JSON object per matched line)")
	eachLine := f.Bool("each-line", false, "explain each line of a log on its own and print the lines an entry explains, with its id and URL")
	limit := f.Int("limit", search.DefaultExplainLimit, fmt.Sprintf("entries to show, the best with its cause and solution (1–%d)", search.MaxPerPage))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 1:
		return f.usageErr("give at most one FILE (or - for stdin), not %d", len(pos))
	case *limit < 1 || *limit > search.MaxPerPage:
		return f.usageErr("--limit must be between 1 and %d, not %d", search.MaxPerPage, *limit)
	}
	if err := m.checkCatalogue(f); err != nil {
		return err
	}
	name, in, err := openInput(env, pos)
	if err != nil {
		return f.usageErr("%v", err)
	}
	defer in.Close()
	m.Log = newLogger(env.Stderr, "text")
	ix, err := m.open(ctx)
	if err != nil {
		return err
	}
	defer ix.Close()
	out := explainOutput{w: env.Stdout, base: strings.TrimRight(*base, "/"), providers: ix.Providers()}
	if !*asJSON {
		out.width, out.color = terminal(env)
	}
	if *eachLine {
		return out.eachLine(ctx, ix, name, in, *asJSON)
	}
	if f, ok := env.Stdin.(*os.File); ok && name == "stdin" && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintln(env.Stderr, "Paste the error, then press Ctrl-D on a line of its own:")
	}
	text, more, err := readPaste(in)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if strings.TrimSpace(text) == "" {
		return f.usageErr("%s is empty: give the error on stdin (curl -s … | errata explain) or as a FILE", name)
	}
	if more {
		fmt.Fprintf(env.Stderr, "errata explain: read the first %d KiB of %s; --each-line reads a whole log line by line\n", search.MaxQueryBytes>>10, name)
	}
	ex, err := ix.Explain(ctx, text, *limit)
	if err != nil {
		return err
	}
	res := web.NewExplainResult(ex, ix.Entry, out.base)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		out.explanation(res)
	}
	if len(res.Matches) == 0 {
		return &silentError{exitFail} // like grep: scripts can test for "explained"
	}
	return nil
}

// openInput is stdin (no argument or "-") or the file named.
func openInput(env Env, pos []string) (string, io.ReadCloser, error) {
	if len(pos) == 0 || pos[0] == "-" {
		return "stdin", io.NopCloser(env.Stdin), nil
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return "", nil, fmt.Errorf("cannot read %s: %w", pos[0], errors.Unwrap(err))
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return "", nil, fmt.Errorf("%s is a folder: give a file with the error, or - for stdin", pos[0])
	}
	return pos[0], f, nil
}

// readPaste reads what a paste is read for, and whether there was more.
func readPaste(r io.Reader) (string, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, search.MaxQueryBytes+1))
	if err != nil {
		return "", false, err
	}
	if len(b) > search.MaxQueryBytes {
		return string(b[:search.MaxQueryBytes]), true, nil
	}
	return string(b), false, nil
}

// terminal is the width to wrap to and whether to colour: a terminal's own
// width and colours unless NO_COLOR is set; 80 columns and no colour for a
// pipe or a file.
func terminal(env Env) (int, bool) {
	f, ok := env.Stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 80, false
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w < 20 {
		w = 80
	}
	return w, env.Getenv("NO_COLOR") == ""
}

// explainOutput prints explanations for people.
type explainOutput struct {
	w         io.Writer
	base      string
	width     int
	color     bool
	providers *content.Providers // the catalogue's, for their names
}

// ANSI styles, used only on a terminal.
const (
	styleBold   = "1"
	styleDim    = "2"
	styleRed    = "31"
	styleGreen  = "32"
	styleYellow = "33"
	styleCyan   = "36"
)

func (o explainOutput) style(s, code string) string {
	if !o.color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (o explainOutput) explanation(res web.ExplainResult) {
	u := res.Understood
	var read []string
	if len(u.Statuses) > 0 {
		read = append(read, "status "+joinNumbers(u.Statuses))
	}
	if len(u.Codes) > 0 {
		read = append(read, "codes "+strings.Join(u.Codes, ", "))
	}
	if len(u.Providers) > 0 {
		read = append(read, "provider "+providerList(o.providers, u.Providers))
	}
	if len(read) == 0 {
		read = append(read, "no status, code or provider")
	}
	o.field("Understood", strings.Join(read, " · "))
	if u.Message != "" {
		o.field("Message", u.Message)
	}
	fmt.Fprintln(o.w)
	if len(res.Matches) == 0 {
		fmt.Fprintln(o.w, "No entry explains this error. Try errata search with its message or code.")
		return
	}
	best := res.Matches[0]
	heading := strings.TrimSuffix(wrap(best.Heading, o.width, "", ""), "\n")
	provs := "(" + providerList(o.providers, best.Providers) + ")"
	last := heading[strings.LastIndexByte(heading, '\n')+1:]
	sep := "  "
	if o.width > 0 && utf8.RuneCountInString(last+sep+provs) > o.width {
		sep = "\n" // the providers go under a heading that fills its line
	}
	fmt.Fprintf(o.w, "%s%s%s\n", o.style(heading, styleBold+";"+statusColor(best.Status)), sep, o.style(provs, styleDim))
	fmt.Fprintln(o.w, o.style(best.URL, styleCyan))
	o.field("Confidence", o.confidence(best.Confidence)+": "+strings.Join(best.Reasons, "; "))
	for _, sec := range []struct{ title, md string }{{"Cause", best.Cause}, {"Solution", best.Solution}} {
		fmt.Fprintln(o.w)
		fmt.Fprintln(o.w, o.style(sec.title, styleBold))
		fmt.Fprint(o.w, wrapMarkdown(sec.md, o.width, "  "))
	}
	if len(res.Matches) > 1 {
		fmt.Fprintln(o.w)
		fmt.Fprintln(o.w, o.style("Also possible", styleBold))
		for _, m := range res.Matches[1:] {
			line := fmt.Sprintf("%s (%s), %s: %s", m.Heading, providerList(o.providers, m.Providers), m.Confidence, m.URL)
			fmt.Fprint(o.w, wrap(line, o.width, "  ", "    "))
		}
	}
}

// field prints "Label       value", the value wrapped under itself.
func (o explainOutput) field(label, value string) {
	const pad = 12
	lines := wrap(value, o.width, strings.Repeat(" ", pad), strings.Repeat(" ", pad))
	fmt.Fprint(o.w, o.style(label, styleDim)+strings.TrimPrefix(lines, strings.Repeat(" ", len(label))))
}

func (o explainOutput) confidence(c string) string {
	switch c {
	case string(search.ConfidenceHigh):
		return o.style(c, styleGreen)
	case string(search.ConfidenceMedium):
		return o.style(c, styleYellow)
	}
	return o.style(c, styleRed)
}

func statusColor(status int) string {
	if status >= 500 {
		return styleRed
	}
	return styleYellow
}

func joinNumbers(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// wrapMarkdown wraps Markdown to width, each line indented by indent: list
// items hang under their text, code blocks are kept as they are.
func wrapMarkdown(md string, width int, indent string) string {
	var b strings.Builder
	fence := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
		}
		if fence || strings.HasPrefix(strings.TrimSpace(line), "```") || strings.TrimSpace(line) == "" {
			b.WriteString(strings.TrimRight(indent+line, " ") + "\n")
			continue
		}
		lead := len(line) - len(strings.TrimLeft(line, " "))
		hang := lead
		rest := line[lead:]
		if marker, _, ok := strings.Cut(rest, " "); ok && (marker == "-" || marker == "*" || strings.HasSuffix(marker, ".") && isNumber(strings.TrimSuffix(marker, "."))) {
			hang += len(marker) + 1
		}
		b.WriteString(wrap(rest, width, indent+strings.Repeat(" ", lead), indent+strings.Repeat(" ", hang)))
	}
	return b.String()
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// wrap breaks text into lines of at most width columns (a longer word
// stands alone), the first line after first, the others after rest.
func wrap(text string, width int, first, rest string) string {
	var b strings.Builder
	line, prefix := "", first
	for _, word := range strings.Fields(text) {
		if line != "" && utf8.RuneCountInString(prefix+line+" "+word) > width {
			b.WriteString(prefix + line + "\n")
			line, prefix = "", rest
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" || b.Len() == 0 {
		b.WriteString(prefix + line + "\n")
	}
	return b.String()
}

// lineMatch is one log line an entry explains, as --each-line --json
// prints it (one JSON object per line).
type lineMatch struct {
	File       string `json:"file"`
	Line       int    `json:"line"`
	Text       string `json:"text"`
	ID         string `json:"id"`
	Status     int    `json:"status"`
	Title      string `json:"title"`
	URL        string `json:"url"`
	Confidence string `json:"confidence"`
}

// maxLineCache bounds the explanations kept for lines seen again in one
// log (a log repeats its errors).
const maxLineCache = 4096

// eachLine explains each line of in on its own and prints those an entry
// explains with medium confidence or more.
func (o explainOutput) eachLine(ctx context.Context, ix *search.Index, name string, in io.Reader, asJSON bool) error {
	type verdict struct {
		m  web.ExplainMatch
		ok bool
	}
	seen := map[string]verdict{}
	matched := 0
	enc := json.NewEncoder(o.w)
	err := eachLogLine(in, func(n int, line string) error {
		if ctx.Err() != nil {
			return stopped(ctx, "reading "+name)
		}
		if strings.TrimSpace(line) == "" {
			return nil
		}
		v, ok := seen[line]
		if !ok {
			ex, err := ix.Explain(ctx, line, 1)
			if err != nil {
				return err
			}
			if res := web.NewExplainResult(ex, ix.Entry, o.base); len(res.Matches) > 0 && res.Confidence != string(search.ConfidenceLow) {
				v = verdict{res.Matches[0], true}
			}
			if len(seen) < maxLineCache {
				seen[line] = v
			}
		}
		if !v.ok {
			return nil
		}
		matched++
		if asJSON {
			return enc.Encode(lineMatch{File: name, Line: n, Text: line, ID: v.m.ID, Status: v.m.Status, Title: v.m.Title, URL: v.m.URL, Confidence: v.m.Confidence})
		}
		where := fmt.Sprintf("%s:%d: ", name, n)
		fmt.Fprintln(o.w, o.style(where, styleDim)+clipLine(line, o.width-len(where)))
		fmt.Fprintf(o.w, "  → %s  %s  (%s)\n", o.style(v.m.ID, styleBold), o.style(v.m.URL, styleCyan), o.confidence(v.m.Confidence))
		return nil
	})
	if err != nil {
		return err
	}
	if matched == 0 {
		if !asJSON {
			fmt.Fprintf(o.w, "No line of %s matches an entry.\n", name)
		}
		return &silentError{exitFail}
	}
	return nil
}

// eachLogLine calls fn with each line of r and its number; a line longer
// than a paste is read for is cut there, the rest of it skipped.
func eachLogLine(r io.Reader, fn func(n int, line string) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	n := 0
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(line) < search.MaxQueryBytes {
			line = append(line, chunk[:min(len(chunk), search.MaxQueryBytes-len(line))]...)
		}
		if err == io.EOF {
			if len(line) > 0 {
				return fn(n+1, string(line))
			}
			return nil
		}
		if err != nil {
			return err
		}
		if isPrefix {
			continue
		}
		n++
		if err := fn(n, string(line)); err != nil {
			return err
		}
		line = line[:0]
	}
}

// clipLine cuts a line to width columns for the terminal.
func clipLine(s string, width int) string {
	if width < 10 || utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}
