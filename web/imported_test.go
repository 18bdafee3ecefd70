package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

// rawMarkup is Markdown or HTML a reader should never see as text: a link
// written out, emphasis marks, backticks, a tag, an escaped tag, a heading
// mark.
var rawMarkup = regexp.MustCompile("\\]\\(|\\*\\*|`|</?(?:span|br|b|i|em|strong|li|ul|ol|a|p|div|code)\\b[^>]*>|&(?:lt|gt|amp|nbsp|quot);|(?:^|\\s)#{2,6} ")

// visibleText is the text of sel a reader sees as prose: code and
// preformatted blocks show their text as written, so they are left out.
func visibleText(sel *goquery.Selection) string {
	c := sel.Clone()
	c.Find("code, pre, script, style").Remove()
	return strings.Join(strings.Fields(c.Text()), " ")
}

// Every page of the imported catalogue reads as well as our own: nothing
// raw on screen, its code in the heading and the tab, its source named.
func TestImportedPagesReadWell(t *testing.T) {
	ix := imported(t)
	h, _ := testServer(t, ix)
	checked, coded := 0, 0
	for _, e := range ix.Entries() {
		if e.Imported.IsZero() {
			continue // the 15 hand-written entries: their golden pages
		}
		checked++
		doc := page(t, h, EntryPath(e.ID), 200)
		main := doc.Find("main")
		if m := rawMarkup.FindString(visibleText(main)); m != "" {
			t.Errorf("%s shows raw markup %q:\n%s", e.ID, m, cut(visibleText(main), 600))
		}
		if d := doc.Find("meta[name=description]").AttrOr("content", ""); d == "" || rawMarkup.MatchString(d) {
			t.Errorf("%s: link preview %q is empty or raw", e.ID, d)
		}
		h1, title := strings.Join(strings.Fields(doc.Find("h1").Text()), " "), doc.Find("title").Text()
		if c := e.Code(); c != "" {
			coded++
			if !strings.HasPrefix(h1, c) || !strings.HasPrefix(title, c) {
				t.Errorf("%s: code %q does not lead the heading %q and the title %q", e.ID, c, h1, title)
			}
		}
		if src := doc.Find("[data-testid=source]").Text(); !strings.HasPrefix(strings.TrimSpace(src), "From "+e.Source.Name) {
			t.Errorf("%s: source line %q, want From %s", e.ID, src, e.Source.Name)
		}
		if doc.Find("[data-testid=imported]").Length() != 1 || strings.Contains(doc.Find("main").Text(), "Reviewed") {
			t.Errorf("%s: an imported entry must say it was imported, not reviewed", e.ID)
		}
		if texts(doc.Find("[data-testid=status]")) != nil && e.Status == 0 {
			t.Errorf("%s has no status but shows a status badge", e.ID)
		}
		if len(e.Messages) == 0 && doc.Find("[data-testid=message]").Length() > 0 {
			t.Errorf("%s shows a Message box though a client receives no message", e.ID)
		}
		if strings.Contains(visibleText(main), "The source gives no") {
			t.Errorf("%s: a note does not name its source", e.ID)
		}
	}
	if checked < 2800 || coded != checked {
		t.Errorf("checked %d imported pages, %d with a code; want all 2,807, every one coded", checked, coded)
	}
}

// Every code of every record leads to its entry, in any case:
// /errors/{code} answers 301 to it, or lists it with the others that share
// the code; /errors/{provider}/{code} answers 301 to it.
func TestEveryCodeReachesItsEntry(t *testing.T) {
	ix := imported(t)
	h, _ := testServer(t, ix)
	shared := 0
	for _, r := range corpustest.RealRecords(t) {
		var want content.Entry
		for _, e := range ix.ByCode(r.Code) {
			if slices.Contains(e.Providers, r.Provider) {
				want = e
			}
		}
		if want.ID == "" {
			t.Errorf("record %s: no entry lists code %q for %s", r.ID, r.Code, r.Provider)
			continue
		}
		for _, code := range []string{r.Code, strings.ToLower(r.Code), strings.ToUpper(r.Code)} {
			res := do(t, h, "GET", "/errors/"+url.PathEscape(code))
			switch res.StatusCode {
			case http.StatusMovedPermanently:
				if loc := res.Header.Get("Location"); loc != EntryPath(want.ID) {
					t.Errorf("/errors/%s: 301 to %s, want %s", code, loc, EntryPath(want.ID))
				}
			case http.StatusMultipleChoices:
				shared++
				doc, err := goquery.NewDocumentFromReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				if ids := attrs(doc.Find("[data-testid=result]"), "data-id"); !slices.Contains(ids, want.ID) || len(ids) < 2 {
					t.Errorf("/errors/%s lists %v, want %s among the entries sharing it", code, ids, want.ID)
				}
			default:
				t.Errorf("/errors/%s: %d, want 301 to %s", code, res.StatusCode, want.ID)
			}
		}
		res := do(t, h, "GET", "/errors/"+r.Provider+"/"+url.PathEscape(strings.ToLower(r.Code)))
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusMovedPermanently || loc != EntryPath(want.ID) {
			t.Errorf("/errors/%s/%s: %d to %q, want 301 to %s", r.Provider, r.Code, res.StatusCode, loc, EntryPath(want.ID))
		}
	}
	if shared == 0 {
		t.Error("no code is shared by two entries: the listing page went untested")
	}
}

// A code two entries share is a small page listing both; a provider picks
// one; an unknown code or provider is a 404 that offers a search.
func TestSharedCode(t *testing.T) {
	h, _ := testServer(t, imported(t))
	doc := page(t, h, "/errors/400", http.StatusMultipleChoices)
	if got := attrs(doc.Find("[data-testid=result]"), "data-id"); !slices.Equal(got, []string{"twilio-400", "graph-http400"}) {
		t.Errorf("/errors/400 lists %v", got)
	}
	if doc.Find(`meta[name=robots][content=noindex]`).Length() != 1 || !strings.Contains(doc.Find("h1").Text(), "2 errors have the code 400") {
		t.Errorf("the listing page: %q", doc.Find("h1").Text())
	}
	for target, want := range map[string]string{
		"/errors/twilio/400":            "/errors/twilio-400",
		"/errors/Microsoft%20Graph/400": "/errors/graph-http400",
		"/errors/microsoft/400":         "/errors/graph-http400", // a parent picks among its children
	} {
		if res := do(t, h, "GET", target); res.StatusCode != 301 || res.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want 301 to %s", target, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	for _, target := range []string{"/errors/gmail/400", "/errors/yahoo/400", "/errors/no-such-code-anywhere"} {
		doc := page(t, h, target, 404)
		if v, _ := doc.Find("[data-testid=notfound-search] input").Attr("value"); v == "" {
			t.Errorf("%s: the 404 offers no search", target)
		}
	}
	// The Markdown copy and the API name both entries instead.
	for _, target := range []string{"/errors/400.md", "/api/v1/errors/400"} {
		a := ask(t, h, "GET", target)
		if a.status != 404 || !strings.Contains(a.body, "graph-http400") || !strings.Contains(a.body, "twilio-400") {
			t.Errorf("%s: %d %s", target, a.status, cut(a.body, 300))
		}
	}
}

// Results of a search over the imported catalogue show each card's code
// before its title, and snippets without markup.
func TestImportedResultCards(t *testing.T) {
	h, _ := testServer(t, imported(t))
	for _, q := range []string{"invalid phone number", "E164 format", "rest-attribute Called", "AADSTS50126"} {
		doc := page(t, h, "/?q="+url.QueryEscape(q), 200)
		cards := doc.Find("[data-testid=result]")
		if cards.Length() == 0 {
			t.Fatalf("%q found nothing", q)
		}
		cards.Each(func(_ int, c *goquery.Selection) {
			if c.Find("[data-testid=result-code]").Length() != 1 {
				t.Errorf("%q: card %s shows no code", q, c.AttrOr("data-id", ""))
			}
			if m := rawMarkup.FindString(visibleText(c)); m != "" {
				t.Errorf("%q: card %s shows raw markup %q", q, c.AttrOr("data-id", ""), m)
			}
		})
	}
	// The two Invalid Phone Number cards are told apart by their codes.
	doc := page(t, h, "/?q=invalid+phone+number", 200)
	var codes []string
	doc.Find("[data-testid=result]").Each(func(_ int, c *goquery.Selection) {
		if strings.Contains(c.Find(".hit-t").Text(), "Invalid Phone Number") {
			codes = append(codes, c.Find("[data-testid=result-code]").Text())
		}
	})
	if !slices.Contains(codes, "60006") || !slices.Contains(codes, "22102") {
		t.Errorf("Invalid Phone Number cards show codes %v, want 60006 and 22102", codes)
	}
}
