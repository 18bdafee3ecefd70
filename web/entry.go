package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/web/components"
)

// maxRelated bounds the related list on an entry page; maxRelatedScan the
// entries of the same status read to fill it.
const (
	maxRelated     = 6
	maxRelatedScan = 200
)

// requestedEntry finds the entry id names. An old id, or a code (in any
// case) that one entry lists, is answered with a 301 to path(the entry's
// id), and ok is false; a code several entries list is a *codeChoice; an
// unknown id is a 404 that offers a search for it.
func (s *Server) requestedEntry(w http.ResponseWriter, r *http.Request, id string, path func(id string) string) (ix index, e content.Entry, ok bool, err error) {
	if ix, err = s.index(); err != nil {
		return nil, e, false, err
	}
	if e, ok = ix.Entry(id); ok {
		return ix, e, true, nil
	}
	if to, moved := ix.Redirect(id); moved {
		redirect(w, r, path(to))
		return ix, e, false, nil
	}
	switch same := ix.ByCode(id); len(same) {
	case 0:
	case 1:
		redirect(w, r, path(same[0].ID))
		return ix, e, false, nil
	default:
		return ix, e, false, newCodeChoice(ix, id, same)
	}
	return ix, e, false, &notFoundError{
		What:   "No error in the catalogue has the id or code “" + clipEcho(id) + "”. It may have been renamed; search for it:",
		Search: clipEcho(strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(id))),
	}
}

// codeChoice is a code several entries list. The page lists them to pick
// from; an API or a Markdown copy answers 404 naming them.
type codeChoice struct {
	notFoundError
	code    string
	entries []content.Entry
}

func newCodeChoice(ix index, code string, entries []content.Entry) *codeChoice {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.ID + " (" + providerNames(ix.Providers(), e.Providers) + ")"
	}
	c := &codeChoice{code: code, entries: entries}
	c.What = fmt.Sprintf("The code “%s” names %d errors: %s. Ask for one by its id.", clipEcho(code), len(entries), strings.Join(names, ", "))
	c.Search = clipEcho(code)
	return c
}

func (c *codeChoice) Unwrap() error { return &c.notFoundError }

// codeChoicePage lists the entries of a code several list, 300 Multiple
// Choices: none of them is the one answer.
func (s *Server) codeChoicePage(w http.ResponseWriter, r *http.Request, ix index, c *codeChoice) error {
	v := components.CodeChoice{Code: c.code}
	v.Meta = s.meta(r, "Code "+c.code, fmt.Sprintf("%d errors have the code %s.", len(c.entries), c.code), EntryPath(c.code), "website")
	v.Meta.Canonical, v.Meta.NoIndex = "", true
	for _, e := range c.entries {
		l := entryListed(e)
		l.Snippet = search.Snippet{{Text: describe(e)}} // what tells them apart
		v.Items = append(v.Items, item(ix.Providers(), l))
	}
	return render(w, r, http.StatusMultipleChoices, components.CodeChoicePage(v))
}

// providerCode is "/errors/{provider}/{code}": the entry of that provider
// (or of its children) that lists the code.
func (s *Server) providerCode(w http.ResponseWriter, r *http.Request) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	prov, code := r.PathValue("provider"), r.PathValue("code")
	slugs, err := search.ParseProviders(ix.Providers(), []string{prov})
	if err != nil || len(slugs) != 1 {
		return &notFoundError{What: "No provider is called “" + clipEcho(prov) + "”; search for the code instead:", Search: clipEcho(code)}
	}
	admitted := ix.Providers().WithChildren(slugs)
	var same []content.Entry
	for _, e := range ix.ByCode(code) {
		if slices.ContainsFunc(e.Providers, func(p string) bool { return slices.Contains(admitted, p) }) {
			same = append(same, e)
		}
	}
	switch len(same) {
	case 0:
		return &notFoundError{What: "No error of " + ix.Providers().Name(slugs[0]) + " has the code “" + clipEcho(code) + "”; search for it:", Search: clipEcho(code)}
	case 1:
		redirect(w, r, EntryPath(same[0].ID))
		return nil
	}
	return s.codeChoicePage(w, r, ix, newCodeChoice(ix, code, same))
}

// currentEntry is the entry id names, following a redirect from an old id.
func currentEntry(ix index, id string) (content.Entry, bool) {
	if e, ok := ix.Entry(id); ok {
		return e, true
	}
	if to, ok := ix.Redirect(id); ok {
		return ix.Entry(to)
	}
	return content.Entry{}, false
}

// EntryPath is the path of an entry's page. Every link to an entry, in
// pages, the API, the sitemap and errata search, is made here.
func EntryPath(id string) string { return "/errors/" + url.PathEscape(id) }

// redirect answers 301 to path (an entry's current one), keeping the query.
func redirect(w http.ResponseWriter, r *http.Request, path string) {
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, path, http.StatusMovedPermanently)
}

func (s *Server) entry(w http.ResponseWriter, r *http.Request) error {
	ix, e, ok, err := s.requestedEntry(w, r, r.PathValue("id"), EntryPath)
	var choice *codeChoice
	if errors.As(err, &choice) {
		return s.codeChoicePage(w, r, ix, choice)
	}
	if !ok {
		return err
	}
	return render(w, r, http.StatusOK, components.EntryPage(s.entryView(r, ix, e)))
}

func (s *Server) entryView(r *http.Request, ix index, e content.Entry) components.Entry {
	v := components.Entry{
		ID:       e.ID,
		Status:   e.Status,
		Code:     e.Code(),
		Title:    e.Title,
		Messages: e.Messages,
		Aliases:  e.Aliases,
		Source:   components.Link{Label: e.Source.Name, Href: e.Source.URL},
		Back:     backLink(r, ix.Providers(), e.Status),
	}
	if len(e.Codes) > 1 {
		v.OtherCodes = e.Codes[1:]
	}
	if !e.Imported.IsZero() {
		v.Imported = e.Imported.Format("2006-01-02")
	}
	v.Meta = s.meta(r, entryTitle(e), describe(e), EntryPath(e.ID), "article")
	v.Meta.Markdown = markdownPath(e.ID)
	v.Permalink = v.Meta.Canonical
	if !e.Updated.IsZero() {
		v.Updated = e.Updated.Format("2006-01-02")
	}
	for _, p := range e.Providers {
		v.Providers = append(v.Providers, ix.Providers().Name(p))
	}
	for _, sec := range e.Sections {
		v.Sections = append(v.Sections, components.Section{ID: sec.ID, Title: sec.Title, HTML: sec.HTML})
	}
	for _, rel := range related(ix, e) {
		v.Related = append(v.Related, item(ix.Providers(), entryListed(rel)))
	}
	return v
}

// entryTitle names an entry where a line is all there is (a tab, a link
// preview, a feed): its primary code first, then its status and title,
// each said once ("21211 — Invalid 'To' Phone Number", "429 Too Many
// Requests", "ErrorItemNotFound").
func entryTitle(e content.Entry) string {
	if e.Status == 0 {
		return codedTitle(e)
	}
	status := strconv.Itoa(e.Status)
	switch c := e.Code(); {
	case c == "" || c == status:
		return status + " " + e.Title
	case strings.EqualFold(c, e.Title):
		return status + " " + c
	default:
		return c + " — " + status + " " + e.Title
	}
}

// codedTitle is an entry's primary code and title, each said once, where
// its status is said already ("21211 — Invalid 'To' Phone Number").
func codedTitle(e content.Entry) string {
	switch c := e.Code(); {
	case c == "" || c == strconv.Itoa(e.Status):
		return e.Title
	case strings.EqualFold(c, e.Title):
		return c
	default:
		return c + " — " + e.Title
	}
}

// maxDescription bounds the link-preview text, in bytes: about what search
// engines and chat previews show.
const maxDescription = 200

// describe is the link-preview text: the first message, else the cause.
func describe(e content.Entry) string {
	d := ""
	if len(e.Messages) > 0 {
		d = e.Messages[0]
	}
	if c, ok := e.Section("cause"); ok && (d == "" || utf8.RuneCountInString(d) < 40) {
		d = strings.TrimSpace(d + " — " + c.Text)
		d = strings.TrimPrefix(d, "— ")
	}
	return Clip(strings.Join(strings.Fields(d), " "), maxDescription, Ellipsis)
}

// related is the entry's own related list, then entries with the same
// status for other providers.
func related(ix index, e content.Entry) []content.Entry {
	seen := map[string]bool{e.ID: true}
	var out []content.Entry
	for _, id := range e.Related {
		if len(out) == maxRelated {
			return out
		}
		if r, ok := ix.Entry(id); ok && !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	if e.Status == 0 {
		return out
	}
	// Only the entries of its status are read, and a bounded number of
	// them: a status may hold a hundred thousand entries.
	lo, hi := ix.StatusRange(e.Status)
	for i := lo; i < min(hi, lo+maxRelatedScan); i++ {
		if len(out) == maxRelated {
			break
		}
		if r := ix.At(i); !seen[r.ID] && !sameProviders(r.Providers, e.Providers) {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

func sameProviders(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[string]bool{}
	for _, p := range a {
		set[p] = true
	}
	for _, p := range b {
		if !set[p] {
			return false
		}
	}
	return true
}

// backLink returns to the list the person came from (?from= carries its
// query); without it, to every entry of the same status.
func backLink(r *http.Request, providers *content.Providers, status int) components.Link {
	if from := r.URL.Query().Get("from"); from != "" {
		if vals, err := url.ParseQuery(from); err == nil {
			st := listState{Q: strings.TrimSpace(vals.Get("q"))}
			if set, err := search.ParseStatus(vals.Get("status")); err == nil {
				st.Status = statusString(set)
			}
			if ps, err := search.ParseProviders(providers, vals["provider"]); err == nil {
				st.Providers = ps
			}
			if p, err := parsePage(vals.Get("page")); err == nil {
				st.Page = p
			}
			label := "Back to the list"
			if st.Q != "" {
				label = "Back to results for “" + st.Q + "”"
			}
			return components.Link{Label: label, Href: st.URL()}
		}
	}
	if status == 0 {
		return components.Link{Label: "All errors", Href: "/"}
	}
	code := strconv.Itoa(status)
	return components.Link{Label: "All " + code + " errors", Href: "/?status=" + code}
}
