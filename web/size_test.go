package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// firstLoadBudget is the most the first load of "/" may weigh, gzip-compressed,
// with every asset it references.
const firstLoadBudget = 30 * 1024

func gzipSize(tb testing.TB, b []byte) int {
	tb.Helper()
	var n countWriter
	zw, err := gzip.NewWriterLevel(&n, gzip.DefaultCompression)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return int(n)
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

func TestFirstLoadWeight(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	res := do(t, h, "GET", "/")
	html, _ := io.ReadAll(res.Body)
	total := gzipSize(t, html)
	t.Logf("%-40s %6d bytes gzip (%d raw)", "/", total, len(html))
	doc, err := goquery.NewDocumentFromReader(stringsReader(html))
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	doc.Find("link[rel=stylesheet], link[rel=icon], script[src], img[src]").Each(func(_ int, s *goquery.Selection) {
		if u, ok := s.Attr("href"); ok {
			urls = append(urls, u)
		}
		if u, ok := s.Attr("src"); ok {
			urls = append(urls, u)
		}
	})
	if len(urls) < 4 {
		t.Fatalf("found only %d assets (%v): the page should reference CSS, htmx, app.js and the icon", len(urls), urls)
	}
	for _, u := range urls {
		res := do(t, h, "GET", u)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", u, res.StatusCode)
		}
		n := gzipSize(t, b)
		t.Logf("%-40s %6d bytes gzip (%d raw)", u, n, len(b))
		total += n
	}
	t.Logf("first load of / : %d bytes gzip, budget %d", total, firstLoadBudget)
	if total > firstLoadBudget {
		t.Errorf("first load of / is %d bytes gzip-compressed, over the %d budget", total, firstLoadBudget)
	}
}
