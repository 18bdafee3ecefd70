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

// listState is the whole state of the catalogue page; its URL is canonical,
// so the same state always has the same address.
type listState struct {
	Q         string
	Status    string   // canonical StatusSet string, "" for any
	Providers []string // slugs, in the order given
	Sort      string   // browsing's order: search.SortStatus ("") or another
	PerPage   int      // results a page; 0 is search.DefaultPerPage
	Page      int

	links *pageLinks // where its URLs are made, nil for a string each (withLinks)
}

// pageLinks makes the links of one page: every link carries the same q, so
// it is escaped once, and every URL is written into one buffer and returned
// as a substring of it (a results page has dozens of links, and a string
// each was as many allocations). Written bytes never change, so each
// substring stays valid as the buffer grows.
type pageLinks struct {
	q, escaped string // q and url.QueryEscape(q)
	b          strings.Builder
}

// withLinks is s making its links, and those of the states made from it,
// in one pageLinks with room for about n of them.
func (s listState) withLinks(n int) listState {
	s.links = &pageLinks{q: s.Q, escaped: url.QueryEscape(s.Q)}
	s.links.b.Grow(n * s.urlSize())
	return s
}

// entryURL is the path of entry id with the query params (entryParams);
// without pageLinks (nil), a string of its own.
func (l *pageLinks) entryURL(id, params string) string {
	if l == nil {
		return EntryPath(id) + params
	}
	start := l.b.Len()
	l.b.WriteString("/errors/")
	l.b.WriteString(url.PathEscape(id)) // as EntryPath
	l.b.WriteString(params)
	return l.b.String()[start:]
}

// parseQuery reads the catalogue and search parameters (per_page when
// perPage); providers are the catalogue's. Bad values are
// *search.InvalidError, answered 400.
func parseQuery(r *http.Request, perPage bool, providers *content.Providers) (search.Query, error) {
	return parseValues(r.URL.Query(), perPage, providers)
}

// parseValues reads the parameters of a query string or a form.
func parseValues(v url.Values, perPage bool, providers *content.Providers) (search.Query, error) {
	// Cut to what the search reads, so that a page never echoes more of a
	// query than that (a 1 MB q would otherwise come back several times over).
	q := search.Query{Text: strings.TrimSpace(Clip(v.Get("q"), search.MaxQueryBytes, ""))}
	var err error
	if q.Status, err = search.ParseStatus(strings.TrimSpace(v.Get("status"))); err != nil {
		return q, err
	}
	if q.Providers, err = search.ParseProviders(providers, v["provider"]); err != nil {
		return q, err
	}
	if q.Page, err = parsePage(v.Get("page")); err != nil {
		return q, err
	}
	if q.Sort, err = search.ParseSort(v.Get("sort")); err != nil {
		return q, err
	}
	if perPage {
		if q.PerPage, err = parsePerPage(v.Get("per_page")); err != nil {
			return q, err
		}
	}
	return q, nil
}

// parsePage reads the page parameter, a 1-based page number ("" means 1).
func parsePage(s string) (int, error) {
	return parseBounded(s, "page", 1, search.MaxPage, 1)
}

// parsePerPage reads the per_page parameter, 1–search.MaxPerPage ("" means
// search.DefaultPerPage).
func parsePerPage(s string) (int, error) {
	return parseBounded(s, "per_page", 1, search.MaxPerPage, search.DefaultPerPage)
}

// parseBounded reads a whole number from lo to hi, def when s is blank.
func parseBounded(s, param string, lo, hi, def int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, &search.InvalidError{Param: param, Value: Clip(s, 32, ""),
			Message: fmt.Sprintf("must be a whole number from %d to %d.", lo, hi)}
	}
	return n, nil
}

func stateOf(q search.Query) listState {
	st := listState{Q: q.Text, Status: statusString(q.Status), Providers: q.Providers, Sort: q.Sort, Page: q.Page}
	if q.PerPage != search.DefaultPerPage {
		st.PerPage = q.PerPage
	}
	return st
}

func statusString(s search.StatusSet) string {
	if len(s) == 0 {
		return ""
	}
	return s.String()
}

// values encodes the state in a fixed order; page 1 is left out.
func (s listState) values() string {
	var b strings.Builder
	b.Grow(s.urlSize())
	s.writeValues(&b)
	return b.String()
}

// URL is the catalogue path of the state.
func (s listState) URL() string {
	var b *strings.Builder
	if s.links != nil {
		b = &s.links.b
	} else {
		b = new(strings.Builder)
		b.Grow(len("/?") + s.urlSize())
	}
	start := b.Len()
	b.WriteString("/?")
	s.writeValues(b)
	if b.Len() == start+len("/?") {
		return "/"
	}
	return b.String()[start:]
}

// urlSize is about as many bytes as the state's query string takes: enough
// that building it seldom grows its buffer.
func (s listState) urlSize() int {
	n := 3*len(s.Q) + len(s.Status) + 32
	if s.links != nil && s.links.q == s.Q {
		n = len(s.links.escaped) + len(s.Status) + 32
	}
	for _, p := range s.Providers {
		n += len("&provider=") + len(p)
	}
	return n
}

func (s listState) writeValues(b *strings.Builder) {
	start := b.Len()
	key := func(k string) {
		if b.Len() > start {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
	}
	if s.Q != "" {
		key("q")
		if s.links != nil && s.links.q == s.Q {
			b.WriteString(s.links.escaped)
		} else {
			b.WriteString(url.QueryEscape(s.Q))
		}
	}
	if s.Status != "" {
		key("status")
		b.WriteString(url.QueryEscape(s.Status))
	}
	for _, p := range s.Providers {
		key("provider")
		b.WriteString(url.QueryEscape(p))
	}
	if s.Sort != search.SortStatus {
		key("sort")
		b.WriteString(url.QueryEscape(s.Sort))
	}
	if s.PerPage > 0 && s.PerPage != search.DefaultPerPage {
		key("per_page")
		b.WriteString(strconv.Itoa(s.PerPage))
	}
	if s.Page > 1 {
		key("page")
		b.WriteString(strconv.Itoa(s.Page))
	}
}

func (s listState) withStatus(status string) listState {
	s.Status, s.Page = status, 1
	return s
}

// toggleStatus adds the statuses value names to the filter, or takes them
// out when it holds them all: status filters are choices that add up.
func (s listState) toggleStatus(value string) listState {
	v, _ := search.ParseStatus(value)
	if s.Status == "" { // as most pages: nothing to add to or take out
		return s.withStatus(statusString(v))
	}
	cur, _ := search.ParseStatus(s.Status)
	if holds(cur, v) {
		return s.withStatus(statusString(subtract(cur, v)))
	}
	both, _ := search.ParseStatus(cur.String() + "," + v.String())
	return s.withStatus(statusString(both))
}

// holdsStatus reports whether the filter holds every status value names.
func (s listState) holdsStatus(value string) bool {
	if s.Status == "" {
		return false
	}
	cur, _ := search.ParseStatus(s.Status)
	v, _ := search.ParseStatus(value)
	return holds(cur, v)
}

// holds reports whether set holds every status of v.
func holds(set, v search.StatusSet) bool {
	for _, r := range v {
		if !slices.ContainsFunc(set, func(c search.StatusRange) bool { return c.Lo <= r.Lo && r.Hi <= c.Hi }) {
			return false
		}
	}
	return len(v) > 0
}

// subtract is set without the statuses of v.
func subtract(set, v search.StatusSet) search.StatusSet {
	out := slices.Clone(set)
	for _, cut := range v {
		var next search.StatusSet
		for _, r := range out {
			if cut.Hi < r.Lo || cut.Lo > r.Hi {
				next = append(next, r)
				continue
			}
			if r.Lo < cut.Lo {
				next = append(next, search.StatusRange{Lo: r.Lo, Hi: cut.Lo - 1})
			}
			if cut.Hi < r.Hi {
				next = append(next, search.StatusRange{Lo: cut.Hi + 1, Hi: r.Hi})
			}
		}
		out = next
	}
	return out
}

func (s listState) withSort(sort string) listState {
	s.Sort, s.Page = sort, 1
	return s
}

func (s listState) withPerPage(n int) listState {
	s.PerPage, s.Page = n, 1
	return s
}

// toggleProvider adds or removes one provider filter.
func (s listState) toggleProvider(slug string) listState {
	out := make([]string, 0, len(s.Providers)+1)
	found := false
	for _, p := range s.Providers {
		if p == slug {
			found = true
			continue
		}
		out = append(out, p)
	}
	if !found {
		out = append(out, slug)
	}
	s.Providers, s.Page = out, 1
	return s
}

func (s listState) withPage(p int) listState {
	s.Page = p
	return s
}

func (s listState) withQ(q string) listState {
	s.Q, s.Page = q, 1
	return s
}

func (s listState) hasProvider(slug string) bool {
	for _, p := range s.Providers {
		if p == slug {
			return true
		}
	}
	return false
}
