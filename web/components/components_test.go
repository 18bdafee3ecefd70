package components

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/errata/errata/search"
)

// Raw HTML is embedded in one place only: an entry's rendered Markdown.
func TestRawOnlyForSectionHTML(t *testing.T) {
	files, _ := filepath.Glob("*.templ")
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "templ.Raw(") {
				n++
				if strings.TrimSpace(line) != "@templ.Raw(s.HTML)" {
					t.Errorf("%s: raw HTML other than Section.HTML: %s", f, strings.TrimSpace(line))
				}
			}
		}
	}
	if n != 1 {
		t.Errorf("templ.Raw used %d times, want once", n)
	}
}

func TestSnippetMarks(t *testing.T) {
	it := Item{ID: "x", Status: 429, Title: "T", Href: "/errors/x",
		Snippet: search.Snippet{{Text: "a <b> "}, {Text: "quota", Mark: true}, {Text: " & more"}}}
	var b strings.Builder
	if err := hit(it).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	snip := doc.Find("[data-testid=snippet]")
	if got := strings.TrimSpace(snip.Text()); got != "a <b> quota & more" {
		t.Errorf("snippet text %q", got)
	}
	if got := snip.Find("mark").Text(); got != "quota" {
		t.Errorf("mark %q", got)
	}
	if snip.Find("b").Length() != 0 {
		t.Error("snippet text became markup")
	}
	if got := doc.Find("[data-testid=status]").Text(); strings.TrimSpace(got) != "429" {
		t.Errorf("badge %q", got)
	}
	if got := doc.Find(".prov").Text(); got != "All providers" {
		t.Errorf("providers %q", got)
	}
}

// A badge's colour is its status's class of response; a status of none is
// n/a.
func TestBadgeClasses(t *testing.T) {
	for status, want := range map[int]string{0: "badge s0", 200: "badge s2", 302: "badge s3", 429: "badge s4", 499: "badge s4", 503: "badge s5", 599: "badge s5"} {
		var b strings.Builder
		if err := badge(status).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		span := doc.Find("[data-testid=status]")
		if got, _ := span.Attr("class"); got != want {
			t.Errorf("badge of %d: class %q, want %q", status, got, want)
		}
		text := "n/a"
		if status != 0 {
			text = strconv.Itoa(status)
		}
		if got := strings.TrimSpace(span.Text()); got != text {
			t.Errorf("badge of %d says %q", status, got)
		}
	}
}

// text and number write what { s } and { itoa(n) } wrote: templ's escaping,
// so that text never becomes markup and reads back as it was.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "plain", `a <b> & "c" 'd'`, "</p><script>x()</script>", "“quota” ‘x’ — ünï", "&amp;"} {
		f.Add(s, 429)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r\f") {
			t.Skip() // the HTML parser rewrites these, so they cannot read back
		}
		var b strings.Builder
		b.WriteString("<p>")
		if err := text(s).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		b.WriteString("</p><p>")
		if err := number(n).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		b.WriteString("</p>")
		if want := "<p>" + templ.EscapeString(s) + "</p><p>" + strconv.Itoa(n) + "</p>"; b.String() != want {
			t.Fatalf("wrote %q, want %q", b.String(), want)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		ps := doc.Find("body > p")
		if ps.Length() != 2 || ps.Children().Length() != 0 {
			t.Fatalf("%q became markup: %d paragraphs, %d elements in them", s, ps.Length(), ps.Children().Length())
		}
		if got := ps.First().Text(); got != s {
			t.Errorf("text reads back %q, want %q", got, s)
		}
		if got := ps.Last().Text(); got != strconv.Itoa(n) {
			t.Errorf("number reads back %q, want %d", got, n)
		}
	})
}
