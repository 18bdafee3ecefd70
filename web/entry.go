package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/web/components"
)

// maxRelated bounds the related list on an entry page.
const maxRelated = 6

// requestedEntry finds the entry id names. An old id is answered with a 301 to path(its current id), and ok
// is false; an unknown id is a 404 that offers a search for it.
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
	return ix, e, false, &notFoundError{
		What:   "No error in the catalogue has the id “" + clipEcho(id) + "”. It may have been renamed; search for it:",
		Search: clipEcho(strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(id))),
	}
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
	if !ok {
		return err
	}
	return render(w, r, http.StatusOK, components.EntryPage(s.entryView(r, ix, e)))
}

func (s *Server) entryView(r *http.Request, ix index, e content.Entry) components.Entry {
	v := components.Entry{
		ID:       e.ID,
		Status:   e.Status,
		Title:    e.Title,
		Messages: e.Messages,
		Aliases:  e.Aliases,
		Back:     backLink(r, ix.Providers(), e.Status),
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
		v.Related = append(v.Related, item(ix.Providers(), entryListed(rel), "", ""))
	}
	return v
}

func entryTitle(e content.Entry) string {
	if e.Status == 0 {
		return e.Title
	}
	return strconv.Itoa(e.Status) + " " + e.Title
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
	for _, r := range ix.Entries() {
		if len(out) == maxRelated {
			break
		}
		if r.Status == e.Status && !seen[r.ID] && !sameProviders(r.Providers, e.Providers) {
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
