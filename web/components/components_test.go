package components

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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
