package web

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// The JSON shapes of /api/v1. Slices are never nil, so that clients see []
// rather than null.

type apiQuery struct {
	Q        string   `json:"q"`
	Status   string   `json:"status"`
	Provider []string `json:"provider"`
	Page     int      `json:"page"`
	PerPage  int      `json:"per_page"`
}

type apiHit struct {
	ID          string   `json:"id"`
	Status      int      `json:"status"`
	Providers   []string `json:"providers"`
	Title       string   `json:"title"`
	URL         string   `json:"url"`
	Snippet     string   `json:"snippet"`
	SnippetHTML string   `json:"snippet_html"`
}

type apiFacet struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

type apiFacets struct {
	Status   []apiFacet `json:"status"`
	Provider []apiFacet `json:"provider"`
}

type apiSearchResponse struct {
	Query      apiQuery  `json:"query"`
	Total      int       `json:"total"`
	Page       int       `json:"page"`
	PerPage    int       `json:"per_page"`
	Results    []apiHit  `json:"results"`
	Facets     apiFacets `json:"facets"`
	Suggestion string    `json:"suggestion"`
	// TooCommon: the words that found nothing because each is too common
	// to search for alone ("cannot"); absent otherwise.
	TooCommon []string `json:"too_common,omitempty"`
}

type apiEntrySummary struct {
	ID        string   `json:"id"`
	Status    int      `json:"status"`
	Title     string   `json:"title"`
	Providers []string `json:"providers"`
	URL       string   `json:"url"`
	Updated   string   `json:"updated,omitempty"`
}

type apiErrorsResponse struct {
	Total   int               `json:"total"`
	Page    int               `json:"page"`
	PerPage int               `json:"per_page"`
	Pages   int               `json:"pages"`
	Links   apiLinks          `json:"links"`
	Errors  []apiEntrySummary `json:"errors"`
}

// apiLinks are the pages around this one, as in the Link header; a page
// that does not exist is left out.
type apiLinks struct {
	First string `json:"first"`
	Prev  string `json:"prev,omitempty"`
	Next  string `json:"next,omitempty"`
	Last  string `json:"last"`
}

type apiSection struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
	HTML  string `json:"html"`
}

type apiEntry struct {
	ID           string       `json:"id"`
	Status       int          `json:"status"`
	Title        string       `json:"title"`
	Providers    []string     `json:"providers"`
	URL          string       `json:"url"`
	Messages     []string     `json:"messages"`
	Aliases      []string     `json:"aliases"`
	Related      []string     `json:"related"`
	RedirectFrom []string     `json:"redirect_from"`
	Updated      string       `json:"updated,omitempty"`
	Sections     []apiSection `json:"sections"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func facets(fs []search.FacetValue) []apiFacet {
	out := make([]apiFacet, 0, len(fs))
	for _, f := range fs {
		out = append(out, apiFacet{Value: f.Value, Count: f.Count})
	}
	return out
}

func plain(s search.Snippet) string {
	var b strings.Builder
	for _, sp := range s {
		b.WriteString(sp.Text)
	}
	return b.String()
}

// snippetHTML is the snippet as HTML for API clients: matched spans in
// <mark>, every byte of text escaped.
func snippetHTML(s search.Snippet) string {
	var b strings.Builder
	for _, sp := range s {
		if sp.Mark {
			b.WriteString("<mark>")
		}
		b.WriteString(html.EscapeString(sp.Text))
		if sp.Mark {
			b.WriteString("</mark>")
		}
	}
	return b.String()
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	q, res, err := s.search(w, r, true)
	if err != nil {
		return err
	}
	out := apiSearchResponse{
		Query: apiQuery{Q: q.Text, Status: statusString(res.Query.Status), Provider: nonNil(res.Query.Providers),
			Page: res.Page, PerPage: res.PerPage},
		Total:      res.Total,
		Page:       res.Page,
		PerPage:    res.PerPage,
		Results:    make([]apiHit, 0, len(res.Hits)),
		Facets:     apiFacets{Status: facets(res.Facets.Status), Provider: facets(res.Facets.Provider)},
		Suggestion: res.Suggestion,
		TooCommon:  res.TooCommon,
	}
	for _, h := range res.Hits {
		out.Results = append(out.Results, apiHit{ID: h.ID, Status: h.Status, Providers: nonNil(h.Providers), Title: h.Title,
			URL: EntryPath(h.ID), Snippet: plain(h.Snippet), SnippetHTML: snippetHTML(h.Snippet)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// The catalogue listing is paged: at a million entries one answer would be
// hundreds of megabytes.
const (
	listPerPage    = 100
	listMaxPerPage = 1000
)

// apiErrors lists the entries a page at a time (page, per_page), in status
// order then id, with links to the other pages in the body and in a Link
// header.
func (s *Server) apiErrors(w http.ResponseWriter, r *http.Request) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	v := r.URL.Query()
	perPage, err := parseBounded(v.Get("per_page"), "per_page", 1, listMaxPerPage, listPerPage)
	if err != nil {
		return err
	}
	total := ix.Len()
	pages := max(1, (total+perPage-1)/perPage)
	page, err := parseBounded(v.Get("page"), "page", 1, pages, 1)
	if err != nil {
		return err
	}
	out := apiErrorsResponse{Total: total, Page: page, PerPage: perPage, Pages: pages}
	link := func(p int) string {
		return "/api/v1/errors?" + url.Values{"page": {strconv.Itoa(p)}, "per_page": {strconv.Itoa(perPage)}}.Encode()
	}
	out.Links.First, out.Links.Last = link(1), link(pages)
	if page > 1 {
		out.Links.Prev = link(page - 1)
	}
	if page < pages {
		out.Links.Next = link(page + 1)
	}
	var header []string
	for _, l := range []struct{ rel, href string }{{"first", out.Links.First}, {"prev", out.Links.Prev}, {"next", out.Links.Next}, {"last", out.Links.Last}} {
		if l.href != "" {
			header = append(header, "<"+s.base(r)+l.href+`>; rel="`+l.rel+`"`)
		}
	}
	w.Header().Set("Link", strings.Join(header, ", "))
	lo, hi := (page-1)*perPage, min(total, page*perPage)
	out.Errors = make([]apiEntrySummary, 0, max(0, hi-lo))
	for i := lo; i < hi; i++ {
		e := ix.At(i)
		out.Errors = append(out.Errors, apiEntrySummary{ID: e.ID, Status: e.Status, Title: e.Title,
			Providers: nonNil(e.Providers), URL: EntryPath(e.ID), Updated: date(e)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiError(w http.ResponseWriter, r *http.Request) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	e, moved, err := lookup(ix, r.PathValue("id"))
	if err != nil {
		return err
	}
	if moved != "" {
		redirect(w, r, "/api/v1/errors/"+url.PathEscape(moved))
		return nil
	}
	writeJSON(w, http.StatusOK, entryJSON(e))
	return nil
}

func entryJSON(e content.Entry) apiEntry {
	out := apiEntry{ID: e.ID, Status: e.Status, Title: e.Title, Providers: nonNil(e.Providers), URL: EntryPath(e.ID),
		Messages: nonNil(e.Messages), Aliases: nonNil(e.Aliases), Related: nonNil(e.Related),
		RedirectFrom: nonNil(e.RedirectFrom), Updated: date(e), Sections: make([]apiSection, 0, len(e.Sections))}
	for _, sec := range e.Sections {
		out.Sections = append(out.Sections, apiSection{ID: sec.ID, Title: sec.Title, Text: sec.Text, HTML: sec.HTML})
	}
	return out
}

func date(e content.Entry) string {
	if e.Updated.IsZero() {
		return ""
	}
	return e.Updated.Format("2006-01-02")
}
