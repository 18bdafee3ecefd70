package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/errata/errata/search"
)

var payloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`'><svg onload=alert(1)>`,
	`javascript:alert(1)`,
	`</title><script>alert(1)</script>`,
	`{{.}}<!--`,
}

// Every parameter and the path echo a hostile value only as escaped text.
func TestXSSIsEscaped(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, p := range payloads {
		e := url.QueryEscape(p)
		targets := []string{
			"/?q=" + e,
			"/?q=" + e + "&status=4xx&provider=gmail",
			"/?status=" + e,
			"/?provider=" + e,
			"/?page=" + e,
			"/errors/429-gmail-too-many-requests?from=" + url.QueryEscape("q="+p) + "&hl=" + e,
			"/errors/" + url.PathEscape(p),
			"/" + url.PathEscape(p),
			"/api/v1/search?q=" + e,
			"/api/v1/search?status=" + e,
			"/api/v1/search?provider=" + e,
			"/api/v1/errors/" + url.PathEscape(p),
		}
		for _, target := range targets {
			res := do(t, h, "GET", target)
			b := body(t, res)
			if res.StatusCode >= 500 {
				t.Errorf("%s: status %d", target, res.StatusCode)
			}
			if strings.Contains(b, "<script>alert") || strings.Contains(b, "<img src=x") || strings.Contains(b, "<svg onload") {
				t.Errorf("%s: the payload came back unescaped", target)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				continue
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			doc.Find("*").Each(func(_ int, s *goquery.Selection) {
				for _, a := range s.Nodes[0].Attr {
					if strings.HasPrefix(a.Key, "on") {
						t.Errorf("%s: event handler attribute %s=%q", target, a.Key, a.Val)
					}
					if (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
						t.Errorf("%s: %s=%q", target, a.Key, a.Val)
					}
				}
			})
			doc.Find("script").Each(func(_ int, s *goquery.Selection) {
				if _, ok := s.Attr("src"); !ok {
					t.Errorf("%s: inline script %q", target, s.Text())
				}
			})
			if doc.Find("style, [style]").Length() != 0 {
				t.Errorf("%s: inline style", target)
			}
		}
	}
	// Where the page shows what was typed, it shows it exactly, as text;
	// the heading names what it was understood as, as text too.
	doc := page(t, h, "/?q="+url.QueryEscape(payloads[1]), 200)
	if v, _ := doc.Find("#q").Attr("value"); v != payloads[1] {
		t.Errorf("search box holds %q", v)
	}
	u := getJSON[apiSearchResponse](t, h, "/api/v1/search?q="+url.QueryEscape(payloads[1]), 200).Understood
	if count := doc.Find("[data-testid=count]"); !strings.Contains(count.Text(), linkText(payloads[1], search.Understood{Pasted: u.Pasted, Query: u.Query})) || count.Children().Length() != 0 {
		t.Errorf("count line %q", count.Text())
	}
}
