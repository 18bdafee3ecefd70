package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEntryPage(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	const id = "429-gmail-too-many-requests"
	e, ok := ix.Entry(id)
	if !ok {
		t.Fatalf("%s is not in the catalogue", id)
	}
	doc := page(t, h, "/errors/"+id, 200)
	if got := doc.Find("[data-testid=entry] [data-testid=status]").First().Text(); got != "429" {
		t.Errorf("status badge %q", got)
	}
	if got := doc.Find("[data-testid=title]").Text(); got != e.Title {
		t.Errorf("title %q, want %q", got, e.Title)
	}
	if got := texts(doc.Find("[data-testid=entry] [data-testid=provider]")); !cmp.Equal(got, []string{"Gmail"}) {
		t.Errorf("providers %v", got)
	}
	// Messages verbatim, each with a copy button (shown by JavaScript).
	msgs := doc.Find("[data-testid=message]")
	if !cmp.Equal(texts(msgs), e.Messages) {
		t.Errorf("messages %v, want %v", texts(msgs), e.Messages)
	}
	if n := doc.Find("pre[data-testid=message] > code").Length(); n != len(e.Messages) {
		t.Errorf("%d messages in <pre><code>", n)
	}
	if n := doc.Find(".msg button[data-copy]").Length(); n != len(e.Messages) {
		t.Errorf("%d copy buttons for %d messages", n, len(e.Messages))
	}
	// Cause and Solution under linkable headings.
	for _, sec := range []string{"cause", "solution"} {
		h2 := doc.Find("h2#" + sec)
		if h2.Length() != 1 {
			t.Fatalf("no h2#%s", sec)
		}
		if href, _ := h2.Find("a.anchor").Attr("href"); href != "#"+sec {
			t.Errorf("%s anchor %q", sec, href)
		}
		s, _ := e.Section(sec)
		if html, _ := doc.Find("[data-testid=section-" + sec + "]").Html(); !strings.Contains(html, strings.TrimSpace(s.HTML)) {
			t.Errorf("%s section does not hold the rendered Markdown", sec)
		}
	}
	// Related: front matter first, then the same status for other providers.
	rel := attrs(doc.Find("[data-testid=related] [data-testid=result]"), "data-id")
	if len(rel) < len(e.Related) || !cmp.Equal(rel[:len(e.Related)], e.Related) {
		t.Errorf("related %v, want to start with %v", rel, e.Related)
	}
	for _, r := range rel[len(e.Related):] {
		re, _ := ix.Entry(r)
		if re.Status != e.Status || cmp.Equal(re.Providers, e.Providers) {
			t.Errorf("related %s (%d %v) is not the same status for another provider", r, re.Status, re.Providers)
		}
	}
	if href, _ := doc.Find("[data-testid=back]").Attr("href"); href != "/?status=429" {
		t.Errorf("back link %q", href)
	}
	if u, _ := doc.Find("[data-testid=copy-link]").Attr("data-url"); u != "https://errata.example/errors/"+id {
		t.Errorf("copy link %q", u)
	}
	// Link previews.
	meta := func(sel string) string { v, _ := doc.Find(sel).Attr("content"); return v }
	if got, _ := doc.Find("link[rel=canonical]").Attr("href"); got != "https://errata.example/errors/"+id {
		t.Errorf("canonical %q", got)
	}
	if got := meta(`meta[property="og:title"]`); got != "429 "+e.Title {
		t.Errorf("og:title %q", got)
	}
	if got := meta(`meta[property="og:url"]`); got != "https://errata.example/errors/"+id {
		t.Errorf("og:url %q", got)
	}
	if got := meta(`meta[property="og:type"]`); got != "article" {
		t.Errorf("og:type %q", got)
	}
	if d := meta(`meta[property="og:description"]`); !strings.HasPrefix(d, e.Messages[0]) || d != meta(`meta[name="twitter:description"]`) || d != meta(`meta[name=description]`) {
		t.Errorf("descriptions %q", d)
	}
	if meta(`meta[name="twitter:card"]`) == "" {
		t.Error("no twitter:card")
	}
}

func TestEntryBackLink(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	cases := map[string]string{
		"?from=" + "q%3Drate%2Blimit%26provider%3Dgmail": "/?q=rate+limit&provider=gmail",
		"?from=status%3D4xx":                             "/?status=400-499",
		"?from=status%3Dbogus%26q%3Dx":                   "/?q=x",
		"?from=%25zz":                                    "/?status=429",
		"?from=https%3A%2F%2Fevil.example%2F":            "/",
	}
	for query, want := range cases {
		doc := page(t, h, "/errors/429-gmail-too-many-requests"+query, 200)
		if href, _ := doc.Find("[data-testid=back]").Attr("href"); href != want {
			t.Errorf("%s: back %q, want %q", query, href, want)
		}
	}
}

func TestEntryRedirectAndNotFound(t *testing.T) {
	h, _ := testServer(t, fixtures(t))
	res := do(t, h, "GET", "/errors/old-not-found?hl=wobble&from=q%3Dwobble")
	if res.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("old id: status %d, want 301", res.StatusCode)
	}
	if loc := res.Header.Get("Location"); loc != "/errors/404-fixture-0?hl=wobble&from=q%3Dwobble" {
		t.Errorf("Location %q", loc)
	}
	res = do(t, h, "GET", "/api/v1/errors/old-not-found")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/api/v1/errors/404-fixture-0" {
		t.Errorf("API old id: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	doc := page(t, h, "/errors/too-many-wobbles", 404)
	if doc.Find("[data-testid=error-heading]").Text() != "Page not found" {
		t.Error("404 heading")
	}
	if !strings.Contains(doc.Find("[data-testid=error-message]").Text(), "too-many-wobbles") {
		t.Error("404 does not name the id")
	}
	form := doc.Find("[data-testid=notfound-search]")
	if action, _ := form.Attr("action"); action != "/" {
		t.Errorf("search form action %q", action)
	}
	if v, _ := form.Find("input[name=q]").Attr("value"); v != "too many wobbles" {
		t.Errorf("search prefilled with %q", v)
	}
	if robots, _ := doc.Find("meta[name=robots]").Attr("content"); robots != "noindex" {
		t.Error("404 page is indexable")
	}
	// Any unknown path is the same friendly page.
	doc = page(t, h, "/nothing-here", 404)
	if v, _ := doc.Find("[data-testid=notfound-search] input[name=q]").Attr("value"); v != "nothing here" {
		t.Errorf("search prefilled with %q", v)
	}
}
