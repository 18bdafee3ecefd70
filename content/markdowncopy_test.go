package content_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

// tricky holds what Markdown can say in an entry, each in a form that is
// easy to get wrong when written back: markers in text, emphasis, code with
// backticks, nested and loose lists, quotes, breaks, references, raw HTML.
const tricky = `---
id: 400-general-tricky
status: 400
title: Tricky
updated: 2026-11-24
---

## Cause

Text with *emphasis*, **strong**, ` + "``code with ` tick``" + `, snake_case_word, _underscored_ and a \*literal star\*.
A second line\
after a hard break; 1. not a list; \# not a heading; a [link](https://example.com/a_(b) "its title") and <https://example.com/auto>.

1986\. A year, not a list.

\- not a bullet

- tight one
- tight two
  - nested
    1. deeper

3. loose three

   with a second paragraph

4. loose four

> quoted **text**
>
> - a list in a quote

### A sub-heading with ` + "`code`" + `

` + "```go\nfmt.Println(\"```\")\n```" + `

    indented code
    keeps    spaces

Entities: &amp; &lt;b&gt; \&amp; and &copy;. Raw <span>html</span> is dropped.

<div>a raw block</div>

* * *

![an image](/static/x.png) [to an entry](/errors/400-general-tricky) [unsafe](javascript:alert(1))

## Solution

Do it.
`

// TestSectionMarkdownRendersTheSameHTML writes every section of the
// catalogue, the real corpora and a tricky fixture back as Markdown and
// renders it again: the HTML must be the section's own, so a Markdown copy
// says exactly what the page says.
func TestSectionMarkdownRendersTheSameHTML(t *testing.T) {
	var entries []content.Entry
	es, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	entries = append(entries, es...)
	es, err = content.Load(fstest.MapFS{"400-general-tricky.md": {Data: []byte(tricky)}})
	if err != nil {
		t.Fatal(err)
	}
	entries = append(entries, es...)
	if out, ok := corpustest.ImportedDir(t); ok {
		es, err := content.LoadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, es...)
	}
	md := goldmark.New(goldmark.WithParserOptions(parser.WithAutoHeadingID()))
	n := 0
	for _, e := range entries {
		for _, sec := range e.Sections {
			n++
			m := sec.Markdown("")
			var buf bytes.Buffer
			if err := md.Convert([]byte(m), &buf); err != nil {
				t.Fatal(err)
			}
			if got, want := normalizeHTML(buf.String()), normalizeHTML(sec.HTML); got != want {
				t.Errorf("%s, section %s: the Markdown renders other HTML\nmarkdown:\n%s\nwant: %s\ngot:  %s", e.ID, sec.ID, m, want, got)
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d sections checked", n)
	}
}

var (
	commentRE   = regexp.MustCompile(`<!--.*?-->`)
	headingIDRE = regexp.MustCompile(`(<h[1-6]) id="[^"]*"`)
	betweenRE   = regexp.MustCompile(`>\s+<`)
)

// normalizeHTML drops what a Markdown copy leaves out on purpose: the
// comments standing for omitted raw HTML, and heading ids, which goldmark
// numbers across a whole body.
func normalizeHTML(s string) string {
	s = commentRE.ReplaceAllString(s, "")
	s = headingIDRE.ReplaceAllString(s, "$1")
	s = betweenRE.ReplaceAllString(s, "><")
	return strings.TrimSpace(s)
}

func TestSectionMarkdownLinksAndPlainText(t *testing.T) {
	es, err := content.Load(fstest.MapFS{"400-general-tricky.md": {Data: []byte(tricky)}})
	if err != nil {
		t.Fatal(err)
	}
	cause, _ := es[0].Section("cause")
	m := cause.Markdown("https://errata.example/")
	for _, want := range []string{"(https://errata.example/errors/400-general-tricky)", "(https://errata.example/static/x.png)", "[unsafe](<>)"} {
		if !strings.Contains(m, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, m)
		}
	}
	if strings.Contains(m, "javascript:") || strings.Contains(m, "<span>") {
		t.Errorf("Markdown carries what the page drops:\n%s", m)
	}
	// A section without HTML (corpus.Entries) is its text, escaped.
	plain := content.Section{Text: "1. Retry *now*\n\n# not a heading"}
	if got, want := plain.Markdown(""), "1\\. Retry \\*now\\*\n\n\\# not a heading"; got != want {
		t.Errorf("plain Markdown = %q, want %q", got, want)
	}
}
