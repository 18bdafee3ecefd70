package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// selection is what a list for machines (llms.txt, the Atom feed) holds: the
// catalogue narrowed by ?status= and ?provider=, read as the pages read
// them, and the ?page= asked for.
type selection struct {
	query     search.Query    // status, providers and page as read
	entries   []content.Entry // every entry the filters admit, in catalogue order
	providers *content.Providers
}

func (s *Server) selectEntries(r *http.Request) (selection, error) {
	ix, err := s.index()
	if err != nil {
		return selection{}, err
	}
	q, err := parseQuery(r, false, ix.Providers())
	if err != nil {
		return selection{}, err
	}
	sel := selection{query: q, providers: ix.Providers()}
	admitted := ix.Providers().WithChildren(q.Providers)
	for e := range allEntries(ix) {
		if admits(q.Status, admitted, e) {
			sel.entries = append(sel.entries, e)
		}
	}
	return sel, nil
}

// admits reports whether e passes the status filter and names one of the
// providers, as the search does: no filter admits all, and an entry for
// every provider (none named) passes no provider filter. providers hold a
// parent's children too.
func admits(status search.StatusSet, providers []string, e content.Entry) bool {
	if len(status) > 0 && !status.Contains(e.Status) {
		return false
	}
	return len(providers) == 0 || slices.ContainsFunc(e.Providers, func(p string) bool { return slices.Contains(providers, p) })
}

// page cuts the selection to its ?page= of perPage entries. A page past the
// last is a 400 that names the pages there are.
func (sel selection) page(perPage int) ([]content.Entry, int, error) {
	pages := pageCount(len(sel.entries), perPage)
	p := max(sel.query.Page, 1)
	if p > pages {
		return nil, pages, pageError(p, pages)
	}
	from := (p - 1) * perPage
	return sel.entries[from:min(len(sel.entries), from+perPage)], pages, nil
}

// pageError is a request for page p of a list of pages pages.
func pageError(p, pages int) error {
	msg := fmt.Sprintf("There are only %d pages of results; ask for page 1 to %d.", pages, pages)
	if pages == 1 {
		msg = "There is only 1 page of results; ask for page 1."
	}
	return &search.InvalidError{Param: "page", Value: strconv.Itoa(p), Message: msg}
}

// values are the selection's filters as canonical query parameters.
func (sel selection) values() url.Values {
	v := url.Values{}
	if st := statusString(sel.query.Status); st != "" {
		v.Set("status", st)
	}
	for _, p := range sel.query.Providers {
		v.Add("provider", p)
	}
	return v
}

// filters describes the selection's filters for people: "status 4xx,
// provider Gmail", or "" for none.
func (sel selection) filters() string {
	var parts []string
	if st := statusString(sel.query.Status); st != "" {
		parts = append(parts, "status "+st)
	}
	if len(sel.query.Providers) > 0 {
		parts = append(parts, "provider "+providerNames(sel.providers, sel.query.Providers))
	}
	return strings.Join(parts, ", ")
}
