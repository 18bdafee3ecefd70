package web

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden pages under testdata/golden")

// TestEntryPagesGolden keeps the pages of the hand-written catalogue as they
// are: what a tab, a link preview and a reader see of each entry (its title,
// description and main content) is compared with testdata/golden/<id>.html.
// A change a reader sees shows up there as a diff to review; refresh with
// go test ./web -run TestEntryPagesGolden -update.
func TestEntryPagesGolden(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	dir := filepath.Join("testdata", "golden")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range ix.Entries() {
		doc := page(t, h, EntryPath(e.ID), 200)
		got := goldenPage(t, doc)
		path := filepath.Join(dir, e.ID+".html")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if diff := cmp.Diff(string(want), got); diff != "" {
			t.Errorf("%s changed (-want +got):\n%s", e.ID, diff)
		}
	}
}

// goldenPage is what a reader sees of a page: its head's title and
// preview texts, and its main content one tag a line.
func goldenPage(tb testing.TB, doc *goquery.Document) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("title: " + doc.Find("title").Text() + "\n")
	for _, sel := range []string{`meta[name=description]`, `meta[property="og:title"]`, `meta[property="og:description"]`} {
		b.WriteString(sel + ": " + doc.Find(sel).AttrOr("content", "") + "\n")
	}
	main, err := goquery.OuterHtml(doc.Find("main"))
	if err != nil {
		tb.Fatal(err)
	}
	b.WriteString(betweenTags.ReplaceAllString(strings.TrimSpace(main), ">\n<") + "\n")
	return b.String()
}

var betweenTags = regexp.MustCompile(`>\s*<`)
