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

// maxRelated bounds the related list on an entry page; maxRelatedScan the
// entries of the same status read to fill it.
const (
	maxRelated     = 6
	maxRelatedScan = 200
)

// lookup finds an entry by id. An old id answers with the current one as
// moved; an unknown id is a 404 that offers a search for it.
func lookup(ix index, id string) (content.Entry, string, error) {
	if e, ok := ix.Entry(id); ok {
		return e, "", nil
	}
	if to, ok := ix.Redirect(id); ok {
		return content.Entry{}, to, nil
	}
	return content.Entry{}, "", &notFoundError{
		What:   "No error in the catalogue has the id “" + clipEcho(id) + "”. It may have been renamed; search for it:",
		Search: clipEcho(strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(id))),
	}
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
	ix, err := s.index()
	if err != nil {
		return err
	}
	e, moved, err := lookup(ix, r.PathValue("id"))
	if err != nil {
		return err
	}
	if moved != "" {
		redirect(w, r, EntryPath(moved))
		return nil
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
		Back:     backLink(r, e.Status),
	}
	v.Meta = s.meta(r, entryTitle(e), describe(e), EntryPath(e.ID), "article")
	v.Permalink = v.Meta.Canonical
	if !e.Updated.IsZero() {
		v.Updated = e.Updated.Format("2006-01-02")
	}
	for _, p := range e.Providers {
		v.Providers = append(v.Providers, content.ProviderName(p))
	}
	for _, sec := range e.Sections {
		v.Sections = append(v.Sections, components.Section{ID: sec.ID, Title: sec.Title, HTML: sec.HTML})
	}
	for _, rel := range related(ix, e) {
		v.Related = append(v.Related, item(rel.ID, rel.Status, rel.Title, rel.Providers, nil, "", ""))
	}
	return v
}

func entryTitle(e content.Entry) string {
	if e.Status == 0 {
		return e.Title
	}
	return strconv.Itoa(e.Status) + " " + e.Title
}

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
	d = strings.Join(strings.Fields(d), " ")
	if utf8.RuneCountInString(d) > 200 {
		rs := []rune(d)
		d = strings.TrimSpace(string(rs[:197])) + "…"
	}
	return d
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
func backLink(r *http.Request, status int) components.Link {
	if from := r.URL.Query().Get("from"); from != "" {
		if vals, err := url.ParseQuery(from); err == nil {
			st := listState{Q: strings.TrimSpace(vals.Get("q"))}
			if set, err := search.ParseStatus(vals.Get("status")); err == nil {
				st.Status = statusString(set)
			}
			if ps, err := search.ParseProviders(vals["provider"]); err == nil {
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
