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
	Sort     string   `json:"sort,omitempty"`
	Provider []string `json:"provider"`
	Page     int      `json:"page"`
	PerPage  int      `json:"per_page"`
}

type apiHit struct {
	ID          string   `json:"id"`
	Status      int      `json:"status"`
	Codes       []string `json:"codes"`
	Providers   []string `json:"providers"`
	Title       string   `json:"title"`
	URL         string   `json:"url"`
	Snippet     string   `json:"snippet"`
	SnippetHTML string   `json:"snippet_html"`
	SnippetFrom string   `json:"snippet_from"`    // message, cause, solution or title
	Match       string   `json:"match,omitempty"` // code or message: why this hit is surely the one
}

// apiUnderstood is how the text was read: a paste's shape, status, codes,
// message and providers, and the short query that searches as it does.
type apiUnderstood struct {
	Pasted    bool     `json:"pasted"`
	Shape     string   `json:"shape"`
	Status    string   `json:"status"`
	Codes     []string `json:"codes"`
	Message   string   `json:"message"`
	Providers []string `json:"providers"`
	Terms     string   `json:"terms"`
	Query     string   `json:"query"`
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
	TooCommon  []string      `json:"too_common,omitempty"`
	Understood apiUnderstood `json:"understood"`
}

type apiEntrySummary struct {
	ID        string   `json:"id"`
	Status    int      `json:"status"`
	Codes     []string `json:"codes"`
	Title     string   `json:"title"`
	Providers []string `json:"providers"`
	URL       string   `json:"url"`
	Updated   string   `json:"updated,omitempty"`
	Imported  string   `json:"imported,omitempty"`
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

type apiSource struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type apiEntry struct {
	ID           string       `json:"id"`
	Status       int          `json:"status"`
	Codes        []string     `json:"codes"`
	Title        string       `json:"title"`
	Providers    []string     `json:"providers"`
	URL          string       `json:"url"`
	Messages     []string     `json:"messages"`
	Aliases      []string     `json:"aliases"`
	Related      []string     `json:"related"`
	RedirectFrom []string     `json:"redirect_from"`
	Source       *apiSource   `json:"source,omitempty"`
	Updated      string       `json:"updated,omitempty"`
	Imported     string       `json:"imported,omitempty"`
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
	if len(s) == 1 {
		return s[0].Text
	}
	var b strings.Builder
	b.Grow(snippetLen(s))
	for _, sp := range s {
		b.WriteString(sp.Text)
	}
	return b.String()
}

// snippetLen is the length of the snippet's text.
func snippetLen(s search.Snippet) int {
	n := 0
	for _, sp := range s {
		n += len(sp.Text)
	}
	return n
}

// snippetHTML is the snippet as HTML for API clients: matched spans in
// <mark>, every byte of text escaped.
func snippetHTML(s search.Snippet) string {
	var b strings.Builder
	b.Grow(snippetLen(s) + len(s)*len("<mark></mark>")/2)
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
	q, err := s.parseValues(r.URL.Query(), true)
	if err != nil {
		return err
	}
	return s.writeSearchJSON(w, r, q)
}

// writeSearchJSON runs q and writes its answer, for the GET and the POST.
func (s *Server) writeSearchJSON(w http.ResponseWriter, r *http.Request, q search.Query) error {
	res, err := s.run(r, q)
	if err != nil {
		return err
	}
	out := searchResponse(q, res)
	writeJSON(w, http.StatusOK, &out)
	return nil
}

// searchResponse is the API's answer to q.
func searchResponse(q search.Query, res *search.Results) apiSearchResponse {
	u := res.Understood
	out := apiSearchResponse{
		Query: apiQuery{Q: q.Text, Status: statusString(res.Query.Status), Sort: res.Query.Sort, Provider: nonNil(res.Query.Providers),
			Page: res.Page, PerPage: res.PerPage},
		Total:      res.Total,
		Page:       res.Page,
		PerPage:    res.PerPage,
		Results:    make([]apiHit, 0, len(res.Hits)),
		Facets:     apiFacets{Status: facets(res.Facets.Status), Provider: facets(res.Facets.Provider)},
		Suggestion: res.Suggestion,
		TooCommon:  res.TooCommon,
		Understood: apiUnderstood{Pasted: u.Pasted, Shape: u.Shape, Status: statusString(u.Status), Codes: nonNil(u.Codes),
			Message: u.Message, Providers: nonNil(u.Providers), Terms: u.Terms, Query: u.Query},
	}
	for _, h := range res.Hits {
		out.Results = append(out.Results, apiHit{ID: h.ID, Status: h.Status, Codes: nonNil(h.Codes), Providers: nonNil(h.Providers), Title: h.Title,
			URL: EntryPath(h.ID), Snippet: plain(h.Snippet), SnippetHTML: snippetHTML(h.Snippet), SnippetFrom: h.SnippetFrom, Match: h.Match})
	}
	return out
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
	w.Header().Add("Link", strings.Join(header, ", ")) // after the service-desc link every API answer carries
	lo, hi := (page-1)*perPage, min(total, page*perPage)
	out.Errors = make([]apiEntrySummary, 0, max(0, hi-lo))
	for i := lo; i < hi; i++ {
		e := ix.At(i)
		out.Errors = append(out.Errors, apiEntrySummary{ID: e.ID, Status: e.Status, Codes: nonNil(e.Codes), Title: e.Title,
			Providers: nonNil(e.Providers), URL: EntryPath(e.ID), Updated: date(e), Imported: importedDate(e)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiError(w http.ResponseWriter, r *http.Request) error {
	_, e, ok, err := s.requestedEntry(w, r, r.PathValue("id"), apiEntryPath)
	if !ok {
		return err
	}
	writeJSON(w, http.StatusOK, entryJSON(e))
	return nil
}

// apiEntryPath is the API path of an entry.
func apiEntryPath(id string) string { return "/api/v1/errors/" + url.PathEscape(id) }

func entryJSON(e content.Entry) apiEntry {
	out := apiEntry{ID: e.ID, Status: e.Status, Codes: nonNil(e.Codes), Title: e.Title, Providers: nonNil(e.Providers), URL: EntryPath(e.ID),
		Messages: nonNil(e.Messages), Aliases: nonNil(e.Aliases), Related: nonNil(e.Related),
		RedirectFrom: nonNil(e.RedirectFrom), Updated: date(e), Imported: importedDate(e), Sections: make([]apiSection, 0, len(e.Sections))}
	if e.Source.Name != "" {
		out.Source = &apiSource{Name: e.Source.Name, URL: e.Source.URL}
	}
	for _, sec := range e.Sections {
		out.Sections = append(out.Sections, apiSection{ID: sec.ID, Title: sec.Title, Text: sec.Text, HTML: sec.HTML})
	}
	return out
}

// date is when a person last reviewed e, "" when never.
func date(e content.Entry) string {
	if e.Updated.IsZero() {
		return ""
	}
	return e.Updated.Format("2006-01-02")
}

// importedDate is when errata import wrote e, "" when it did not.
func importedDate(e content.Entry) string {
	if e.Imported.IsZero() {
		return ""
	}
	return e.Imported.Format("2006-01-02")
}
