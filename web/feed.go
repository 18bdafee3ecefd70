package web

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// feedSize is how many of the most recently updated entries the feed holds.
const feedSize = 50

// The Atom feed (RFC 4287). Relative links in entry content resolve against
// the feed's own URL, which is on the site.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomEntry struct {
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Updated    string         `xml:"updated"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// feed is /feed.xml: the entries most recently updated, newest first,
// narrowed by ?status= and ?provider= as the pages are.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) error {
	sel, err := s.selectEntries(r)
	if err != nil {
		return err
	}
	base := s.base(r)
	self := base + sel.feedPath()
	title := "Errata: recently updated errors"
	if f := sel.filters(); f != "" {
		title += " (" + f + ")"
	}
	f := atomFeed{
		Title: title, ID: self, Updated: s.newest(sel.entries),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: base + "/"},
		},
		Author: atomAuthor{Name: "Errata", URI: base + "/"},
	}
	for _, e := range recent(sel.entries, feedSize) {
		f.Entries = append(f.Entries, feedEntry(e, sel.providers, base))
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = buf.WriteTo(w)
	return nil
}

// feedPath is the feed's path with its filters in canonical form: the
// feed's id and self link, the same for every spelling of one filter.
func (sel selection) feedPath() string {
	if v := sel.values(); len(v) > 0 {
		return "/feed.xml?" + v.Encode()
	}
	return "/feed.xml"
}

// recent is the n entries updated last, newest first, then by id; an entry
// without a date (built without front matter) is left out.
func recent(entries []content.Entry, n int) []content.Entry {
	var dated []content.Entry
	for _, e := range entries {
		if !e.Updated.IsZero() {
			dated = append(dated, e)
		}
	}
	slices.SortFunc(dated, func(a, b content.Entry) int {
		return cmp.Or(b.Updated.Compare(a.Updated), strings.Compare(a.ID, b.ID))
	})
	return dated[:min(n, len(dated))]
}

// newest is when the feed last changed: its newest entry's date, or the
// catalogue's when the filters admit none.
func (s *Server) newest(entries []content.Entry) string {
	if len(entries) == 0 {
		if ix, err := s.index(); err == nil {
			var t time.Time
			for e := range allEntries(ix) {
				if e.Updated.After(t) {
					t = e.Updated
				}
			}
			return atomTime(t)
		}
	}
	var t time.Time
	for _, e := range entries {
		if e.Updated.After(t) {
			t = e.Updated
		}
	}
	return atomTime(t)
}

func atomTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}

func feedEntry(e content.Entry, providers *content.Providers, base string) atomEntry {
	page := base + EntryPath(e.ID)
	ae := atomEntry{
		Title: entryTitle(e), ID: page, Updated: atomTime(e.Updated),
		Links: []atomLink{
			{Rel: "alternate", Type: "text/html", Href: page},
			{Rel: "alternate", Type: "text/markdown", Href: base + markdownPath(e.ID)},
		},
		Summary: atomText{Type: "text", Text: describe(e)},
	}
	status := search.StatusNone
	if e.Status != 0 {
		status = strconv.Itoa(e.Status)
	}
	ae.Categories = append(ae.Categories, atomCategory{Term: "status:" + status, Label: "Status " + status})
	for _, p := range e.Providers {
		ae.Categories = append(ae.Categories, atomCategory{Term: "provider:" + p, Label: providers.Name(p)})
	}
	var body strings.Builder
	for _, sec := range e.Sections {
		body.WriteString("<h2>" + html.EscapeString(sec.Title) + "</h2>\n" + sec.HTML)
	}
	ae.Content = atomText{Type: "html", Text: body.String()}
	return ae
}
