package corpus

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/errata/errata/content"
)

// Import writes one entry file per record into outDir, named <id>.md, and
// returns how many it wrote. Every file passes content.Load: text is quoted
// in the front matter and escaped in the body, so the words of the source
// come back verbatim. progress, when not nil, gets a line every few hundred
// files; the caller decides whether it is a terminal worth writing to.
// A file of the same name in outDir is replaced, so re-importing a catalogue
// refreshes its entries. A provider Errata does not know is kept as an alias.
func Import(recs []Record, outDir string, progress io.Writer) (int, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return 0, err
	}
	updated := time.Now().UTC().Format(time.DateOnly)
	ids := newIDs(len(recs))
	var buf bytes.Buffer
	for i := range recs {
		r := &recs[i]
		id := ids.take(content.Slugify(r.ID))
		buf.Reset()
		writeEntry(&buf, r, id, updated)
		if err := os.WriteFile(filepath.Join(outDir, id+".md"), buf.Bytes(), 0o644); err != nil {
			return i, err
		}
		if progress != nil && ((i+1)%250 == 0 || i+1 == len(recs)) {
			fmt.Fprintf(progress, "imported %d/%d entries\n", i+1, len(recs))
		}
	}
	return len(recs), nil
}

// writeEntry writes the Markdown entry file of one record.
func writeEntry(b *bytes.Buffer, r *Record, id, updated string) {
	status := "none"
	if r.Status != nil {
		status = strconv.Itoa(*r.Status)
	}
	fmt.Fprintf(b, "---\nid: %s\nstatus: %s\ntitle: %s\n", id, status, quote(r.Title))
	if content.KnownProvider(r.Provider) {
		fmt.Fprintf(b, "providers: [%s]\n", r.Provider)
	}
	if strings.TrimSpace(r.Message) != "" {
		fmt.Fprintf(b, "messages:\n  - %s\n", quote(r.Message))
	}
	fmt.Fprintf(b, "aliases:\n  - %s\n  - %s\n", quote(r.Code), quote(r.ID))
	if !content.KnownProvider(r.Provider) && r.Provider != "" {
		fmt.Fprintf(b, "  - %s\n", quote(r.Provider)) // kept findable, not lost
	}
	fmt.Fprintf(b, "updated: %s\n---\n", updated)
	cause, solution := causeSolution(r)
	if cause == "" {
		cause = NoCause
	}
	if solution == "" {
		solution = NoSolution
	}
	fmt.Fprintf(b, "\n## Cause\n\n%s\n\n## Solution\n\n%s\n", markdown(cause), markdown(solution))
}

// quote is a YAML double-quoted scalar. Go's escapes for valid UTF-8 are a
// subset of YAML's, so strconv.Quote is exact.
func quote(s string) string { return strconv.Quote(s) }

// markdown writes source text so that it renders as itself: each line is
// trimmed (leading spaces would make code blocks), Markdown punctuation is
// backslash-escaped where Markdown would read it as syntax, blank lines stay
// paragraph breaks, and bullet lines ("* item", "- item") become list items:
// the one piece of the sources' formatting kept, as readers expect lists.
func markdown(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	blank := false
	for l := range strings.SplitSeq(text, "\n") {
		l = strings.TrimSpace(l)
		item, isItem := bullet(l)
		if l == "" || isItem && item == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		if isItem {
			b.WriteString("- ")
			l = item
		}
		escapeLine(&b, l)
	}
	return b.String()
}

func escapeLine(b *strings.Builder, l string) {
	// At the start of a line these begin lists, headings, quotes or
	// setext underlines; "1." and "1)" begin ordered lists.
	digits := 0
	for digits < len(l) && l[digits] >= '0' && l[digits] <= '9' {
		digits++
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case strings.IndexByte("\\`*_[]<>&!#|~", c) >= 0:
			b.WriteByte('\\')
		case i == 0 && strings.IndexByte("-+=:", c) >= 0:
			b.WriteByte('\\')
		case i == digits && digits > 0 && (c == '.' || c == ')'):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}
