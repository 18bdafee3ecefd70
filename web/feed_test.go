package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// parsedFeed is an Atom feed as a reader parses it, written apart from the
// server's own types so that a wrong tag there cannot pass here.
type parsedFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Author  []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		Title   string `xml:"http://www.w3.org/2005/Atom title"`
		ID      string `xml:"http://www.w3.org/2005/Atom id"`
		Updated string `xml:"http://www.w3.org/2005/Atom updated"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Type string `xml:"type,attr"`
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"http://www.w3.org/2005/Atom category"`
		Summary struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom summary"`
		Content struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom content"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// feedFixtures are more entries than the feed holds, many updated the
// same day, of several statuses and providers.
func feedFixtures(tb testing.TB) *search.Index {
	tb.Helper()
	fsys := fstest.MapFS{}
	statuses := []int{400, 403, 429, 503}
	provs := []string{"[twilio]", "[gmail, twilio]", "[microsoft]"}
	for i := range feedSize + 12 {
		id := fmt.Sprintf("%d-feed-%02d", statuses[i%4], i)
		fsys[id+".md"] = &fstest.MapFile{Data: fmt.Appendf(nil, "---\nid: %s\nstatus: %d\ntitle: Feed <%d> & co\nproviders: %s\nmessages:\n  - Feed message %d\nupdated: 2026-%02d-%02d\n---\n\n## Cause\n\nA *cause* with [a link](/errors/%s).\n\n## Solution\n\nS.\n",
			id, statuses[i%4], i, provs[i%3], i, 1+i%12, 1+i%5, id)}
	}
	return buildIndex(tb, fsys)
}

func getFeed(tb testing.TB, h http.Handler, target string) parsedFeed {
	tb.Helper()
	a := ask(tb, h, "GET", target)
	if a.status != 200 || a.header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		tb.Fatalf("%s: %q\n%s", a, a.header.Get("Content-Type"), cut(a.body, 400))
	}
	var f parsedFeed
	if err := xml.Unmarshal([]byte(a.body), &f); err != nil {
		tb.Fatalf("%s: not XML: %v", a, err)
	}
	return f
}

// The feed holds the entries by updated, newest first, each with what RFC
// 4287 requires and what a reader shows; the pages link it.
func TestFeed(t *testing.T) {
	ix := feedFixtures(t)
	h, _ := testServer(t, ix)
	f := getFeed(t, h, "/feed.xml")
	if f.ID != "https://errata.example/feed.xml" || f.Title == "" || len(f.Author) != 1 || f.Author[0].Name != "Errata" {
		t.Errorf("feed id %q, title %q, authors %v", f.ID, f.Title, f.Author)
	}
	if !slices.ContainsFunc(f.Links, func(l struct {
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
		Href string `xml:"href,attr"`
	}) bool {
		return l.Rel == "self" && l.Href == f.ID
	}) {
		t.Errorf("no self link to %s: %v", f.ID, f.Links)
	}
	want := slices.Clone(ix.Entries())
	slices.SortFunc(want, func(a, b content.Entry) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	want = want[:feedSize]
	if len(f.Entries) != feedSize {
		t.Fatalf("%d entries, want the %d of the %d updated last", len(f.Entries), feedSize, len(ix.Entries()))
	}
	if len(ix.Entries()) <= feedSize {
		t.Fatalf("the fixture catalogue has %d entries; the test needs more than %d", len(ix.Entries()), feedSize)
	}
	feedUpdated, err := time.Parse(time.RFC3339, f.Updated)
	if err != nil || !feedUpdated.Equal(want[0].Updated) {
		t.Errorf("feed updated %q (%v), want the newest entry's %v", f.Updated, err, want[0].Updated)
	}
	for i, got := range f.Entries {
		e := want[i]
		page := "https://errata.example/errors/" + e.ID
		updated, err := time.Parse(time.RFC3339, got.Updated)
		if got.ID != page || got.Title != entryTitle(e) || err != nil || !updated.Equal(e.Updated) {
			t.Errorf("entry %d: id %q title %q updated %q; want %s, %q, %s", i, got.ID, got.Title, got.Updated, page, entryTitle(e), e.Updated.Format(time.DateOnly))
		}
		if len(got.Links) < 2 || got.Links[0].Href != page || got.Links[0].Rel != "alternate" || got.Links[1].Href != page+".md" {
			t.Errorf("entry %s: links %v", e.ID, got.Links)
		}
		if got.Summary.Text != describe(e) || got.Content.Type != "html" {
			t.Errorf("entry %s: summary %q, content type %q", e.ID, got.Summary.Text, got.Content.Type)
		}
		for _, sec := range e.Sections {
			if !strings.Contains(got.Content.Text, sec.HTML) {
				t.Errorf("entry %s: content lacks its %s section", e.ID, sec.ID)
			}
		}
	}
	doc := inertHTML(t, ask(t, h, "GET", "/"))
	if href, _ := doc.Find(`head link[rel=alternate][type="application/atom+xml"]`).Attr("href"); href != "/feed.xml" {
		t.Errorf("the catalogue page links the feed at %q, want /feed.xml", href)
	}
	doc = inertHTML(t, ask(t, h, "GET", EntryPath(want[0].ID)))
	if doc.Find(`head link[rel=alternate][type="application/atom+xml"]`).Length() != 1 {
		t.Error("an entry page does not link the feed")
	}
}

// ?status= and ?provider= narrow the feed with the pages' values; its id
// names the filters in one spelling.
func TestFeedFilters(t *testing.T) {
	ix := feedFixtures(t)
	h, _ := testServer(t, ix)
	f := getFeed(t, h, "/feed.xml?status=+400-499&provider=twilio")
	if f.ID != "https://errata.example/feed.xml?provider=twilio&status=400-499" || !strings.Contains(f.Title, "(status 400-499, provider Twilio)") {
		t.Errorf("filtered feed id %q, title %q", f.ID, f.Title)
	}
	n := 0
	for _, e := range ix.Entries() {
		if e.Status >= 400 && e.Status < 500 && slices.Contains(e.Providers, "twilio") {
			n++
		}
	}
	if len(f.Entries) != n || n == 0 {
		t.Errorf("%d entries, want the %d Twilio 4xx entries", len(f.Entries), n)
	}
	for _, e := range f.Entries {
		terms := []string{}
		for _, c := range e.Categories {
			terms = append(terms, c.Term)
		}
		if !slices.Contains(terms, "provider:twilio") || !strings.HasPrefix(terms[0], "status:4") {
			t.Errorf("%s: categories %v", e.ID, terms)
		}
	}
	// No match is an empty, valid feed, dated by the catalogue.
	if f := getFeed(t, h, "/feed.xml?status=none"); len(f.Entries) != 0 || f.Updated == "" {
		t.Errorf("status=none: %d entries, updated %q", len(f.Entries), f.Updated)
	}
	for _, c := range []struct{ query, want string }{
		{"status=abc", "400 Bad Request: The status parameter"},
		{"provider=yahoo", `"yahoo" is not a known provider`},
		{"provider=" + strings.Repeat("x", 3000), "The provider parameter"},
		{"status=%00", "The status parameter"},
	} {
		a := ask(t, h, "GET", "/feed.xml?"+c.query)
		if a.status != 400 || a.header.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.Contains(a.body, c.want) || len(a.body) > 1000 {
			t.Errorf("%s:\n%s\nwant a short 400 text with %q", a, cut(a.body, 300), c.want)
		}
		checkSecurityHeaders(t, a.target, a.header)
	}
}
