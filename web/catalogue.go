package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/web/components"
	"github.com/errata/errata/web/middleware"
)

// catalogue is "/": browse by status, or search with ranked snippets. An
// htmx request from the search box gets only the "results" fragment.
func (s *Server) catalogue(w http.ResponseWriter, r *http.Request) error {
	q, res, err := s.search(w, r, false)
	if err != nil {
		return err
	}
	state := stateOf(res.Query)
	state.Q = q.Text
	if pages := pageCount(res.Total, res.PerPage); res.Page > pages && res.Page > 1 {
		msg := fmt.Sprintf("There are only %d pages of results; ask for page 1 to %d.", pages, pages)
		if pages == 1 {
			msg = "There is only 1 page of results; ask for page 1."
		}
		return &search.InvalidError{Param: "page", Value: strconv.Itoa(res.Page), Message: msg}
	}
	v := s.catalogueView(r, state, res)
	// Every header wantsFragment reads, so that no cache (ours, nginx's, the
	// browser's) hands a fragment to a request for the page or back.
	w.Header().Add("Vary", "HX-Request, HX-Boosted, HX-History-Restore-Request, HX-Target")
	if wantsFragment(r) {
		// The address bar shows the canonical URL of what is on screen.
		w.Header().Set("HX-Push-Url", state.withPage(res.Page).URL())
		return render(w, r, http.StatusOK, components.CataloguePage(v), "title", "results")
	}
	return render(w, r, http.StatusOK, components.CataloguePage(v))
}

// wantsFragment is true for htmx's own requests from the search box, not
// for boosted links or history restores, which need the whole page. The
// flags are read with middleware.HTMXFlag, as the answer cache reads them.
func wantsFragment(r *http.Request) bool {
	return middleware.HTMXFlag(r, "HX-Request") && !middleware.HTMXFlag(r, "HX-Boosted") &&
		!middleware.HTMXFlag(r, "HX-History-Restore-Request") && r.Header.Get("HX-Target") == "results"
}

func pageCount(total, perPage int) int {
	if perPage <= 0 {
		perPage = search.DefaultPerPage
	}
	if total == 0 {
		return 1
	}
	return (total + perPage - 1) / perPage
}

// classes are the status ranges offered as filters and chart bars.
var classes = []struct {
	label, rng string
	lo, hi     int
}{
	{"1xx", "100-199", 100, 199},
	{"2xx", "200-299", 200, 299},
	{"3xx", "300-399", 300, 399},
	{"4xx", "400-499", 400, 499},
	{"5xx", "500-599", 500, 599},
}

func (s *Server) catalogueView(r *http.Request, st listState, res *search.Results) components.Catalogue {
	v := components.Catalogue{
		Searching: st.Q != "",
		Q:         st.Q,
		Status:    st.Status,
		Providers: st.Providers,
		Total:     res.Total,
		Page:      res.Page,
		Pages:     pageCount(res.Total, res.PerPage),
		ClearHref: listState{Q: st.Q}.URL(),
	}
	title := "Every API error, explained"
	desc := "Search and browse API errors from Gmail, Microsoft, Twilio and more: what each one means and how to fix it."
	if st.Q != "" {
		title = "“" + st.Q + "”"
	}
	v.Meta = s.meta(r, title, desc, st.URL(), "website")
	v.Meta.Q = st.Q

	// Status ranges and chart bars from the status facet.
	counts := map[string]int{}
	for _, f := range res.Facets.Status {
		if f.Value == search.StatusNone {
			v.NoStatus = statusFilter(st, "No status", f.Value, f.Count)
			continue
		}
		code, err := strconv.Atoi(f.Value)
		if err != nil {
			continue
		}
		for _, c := range classes {
			if code >= c.lo && code <= c.hi {
				counts[c.rng] += f.Count
			}
		}
		sel := st.Status == f.Value
		href := st.withStatus(f.Value)
		if sel {
			href = st.withStatus("")
		}
		v.StatusCodes = append(v.StatusCodes, components.Filter{Label: f.Value + " " + http.StatusText(code),
			Value: f.Value, Href: href.URL(), Count: f.Count, Selected: sel})
	}
	for _, c := range classes {
		n := counts[c.rng]
		sel := st.Status == c.rng
		if n == 0 && !sel {
			continue
		}
		href := st.withStatus(c.rng)
		if sel {
			href = st.withStatus("")
		}
		label := strings.Replace(c.rng, "-", "–", 1)
		v.StatusRange = append(v.StatusRange, components.Filter{Label: label, Value: c.rng, Href: href.URL(), Count: n, Selected: sel})
	}
	// A selected none with no hits still shows, so it can be removed.
	if st.Status == search.StatusNone && v.NoStatus.Href == "" {
		v.NoStatus = statusFilter(st, "No status", search.StatusNone, 0)
	}
	v.Chart = chart(v.StatusCodes, v.StatusRange)

	for _, f := range res.Facets.Provider {
		sel := st.hasProvider(f.Value)
		v.ProviderF = append(v.ProviderF, components.Filter{Label: content.ProviderName(f.Value), Value: f.Value,
			Href: st.toggleProvider(f.Value).URL(), Count: f.Count, Selected: sel})
	}
	// A selected provider with no hits still shows, so it can be removed.
	for _, p := range st.Providers {
		found := false
		for _, f := range v.ProviderF {
			found = found || f.Value == p
		}
		if !found {
			v.ProviderF = append(v.ProviderF, components.Filter{Label: content.ProviderName(p), Value: p,
				Href: st.toggleProvider(p).URL(), Selected: true})
		}
	}

	if st.Status != "" {
		label := "Status " + st.Status
		if st.Status == search.StatusNone {
			label = "No status"
		}
		v.Active = append(v.Active, components.Filter{Label: label, Href: st.withStatus("").URL()})
	}
	for _, p := range st.Providers {
		v.Active = append(v.Active, components.Filter{Label: content.ProviderName(p), Href: st.toggleProvider(p).URL()})
	}

	if res.Suggestion != "" {
		v.Suggestion = components.Link{Label: res.Suggestion, Href: st.withQ(res.Suggestion).URL()}
	}
	v.Understood = understood(res.Understood)
	if len(res.TooCommon) > 0 {
		v.TooCommon = tooCommonHint(res.TooCommon)
	}

	// Results: grouped by status when browsing, one ranked list when searching.
	from := st.values()
	hl := highlightTerms(st.Q, res.Understood)
	for _, h := range res.Hits {
		it := item(h.ID, h.Status, h.Title, h.Providers, h.Snippet, hl, from)
		if st.Q == "" {
			if n := len(v.Groups); n == 0 || v.Groups[n-1].Status != h.Status {
				v.Groups = append(v.Groups, components.Group{Status: h.Status, Heading: statusHeading(h.Status)})
			}
		} else if len(v.Groups) == 0 {
			v.Groups = append(v.Groups, components.Group{})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Items = append(g.Items, it)
	}

	// Pagination: first, last and two either side of the current page.
	if v.Pages > 1 {
		if v.Page > 1 {
			v.Prev = st.withPage(v.Page - 1).URL()
		}
		if v.Page < v.Pages {
			v.Next = st.withPage(v.Page + 1).URL()
		}
		last := 0
		for p := 1; p <= v.Pages; p++ {
			if p != 1 && p != v.Pages && (p < v.Page-2 || p > v.Page+2) {
				continue
			}
			if last != 0 && p > last+1 {
				v.PageLinks = append(v.PageLinks, components.Filter{Label: "…"})
			}
			v.PageLinks = append(v.PageLinks, components.Filter{Label: strconv.Itoa(p), Href: st.withPage(p).URL(), Selected: p == v.Page})
			last = p
		}
	}
	return v
}

// statusFilter is the link for one status filter value: it selects the
// value, or clears the status filter when the value is the one selected.
func statusFilter(st listState, label, value string, count int) components.Filter {
	sel := st.Status == value
	href := st.withStatus(value)
	if sel {
		href = st.withStatus("")
	}
	return components.Filter{Label: label, Value: value, Href: href.URL(), Count: count, Selected: sel}
}

// item is one entry in a list of results or related entries; hl and from,
// when set, tell its page what to highlight and which list to return to.
func item(id string, status int, title string, providers []string, snip search.Snippet, hl, from string) components.Item {
	href := EntryPath(id)
	var params []string
	if hl != "" {
		params = append(params, "hl="+url.QueryEscape(hl))
	}
	if from != "" {
		params = append(params, "from="+url.QueryEscape(from))
	}
	if len(params) > 0 {
		href += "?" + strings.Join(params, "&")
	}
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = content.ProviderName(p)
	}
	return components.Item{ID: id, Status: status, Title: title, Href: href, Providers: names, Snippet: snip}
}

func statusHeading(status int) string {
	if status == 0 {
		return "No HTTP status"
	}
	return http.StatusText(status)
}

// highlightTerms are the words an entry page marks when opened from a search.
func highlightTerms(q string, u search.Understood) string {
	if q == "" {
		return ""
	}
	t := strings.TrimSpace(u.Terms)
	for _, p := range u.Phrases {
		t += " " + p
	}
	t = strings.TrimSpace(t)
	if t == "" {
		t = q
	}
	if len(t) > 200 {
		t = t[:200]
	}
	return t
}

// understood says in words how pasted or mixed text was read.
func understood(u search.Understood) string {
	var parts []string
	if len(u.Status) > 0 {
		parts = append(parts, "status "+u.Status.String())
	}
	if !u.Pasted && len(parts) == 0 {
		return ""
	}
	if u.Terms != "" {
		parts = append(parts, "words “"+u.Terms+"”")
	}
	lead := "Searching for "
	if u.Pasted {
		lead = "Read as a pasted error: "
	}
	return lead + strings.Join(parts, " and ")
}

// chartWidth is the width of the chart's SVG viewBox.
const chartWidth = 200

// chart draws a bar per status code when there are few codes, else a bar
// per status class; each bar links to the same filter as its list entry.
func chart(codes, ranges []components.Filter) []components.Bar {
	src := codes
	if len(codes) > 10 {
		src = ranges
	}
	if len(src) == 0 {
		return nil
	}
	maxCount := 0
	for _, f := range src {
		maxCount = max(maxCount, f.Count)
	}
	step := (chartWidth - 4) / len(src)
	width := min(32, step-4)
	var bars []components.Bar
	for i, f := range src {
		label := f.Value
		if len(src) == len(ranges) && len(codes) > 10 {
			label = f.Value[:1] + "xx"
		}
		h := 0
		if maxCount > 0 {
			h = max(2, f.Count*52/maxCount)
		}
		bars = append(bars, components.Bar{Label: label, Count: f.Count, Href: f.Href, Selected: f.Selected,
			Height: h, X: 4 + i*step + (step-width)/2, Width: width})
	}
	return bars
}

// search parses the request's query and runs it; a text search tells the
// metrics middleware how many entries it found, so that searches finding
// nothing are counted. Browsing (no text) is not a search and carries no count.
func (s *Server) search(w http.ResponseWriter, r *http.Request, api bool) (search.Query, *search.Results, error) {
	ix, err := s.index()
	if err != nil {
		return search.Query{}, nil, err
	}
	q, err := parseQuery(r, api)
	if err != nil {
		return q, nil, err
	}
	release, err := s.searchTurn(r.Context())
	if err != nil {
		w.Header().Set("Retry-After", "1")
		return q, nil, err
	}
	defer release() // also when the search panics: a slot lost is a core lost
	res, err := ix.Search(r.Context(), q)
	if err != nil {
		return q, nil, err
	}
	if strings.TrimSpace(q.Text) != "" {
		w.Header().Set(middleware.SearchTotalHeader, strconv.Itoa(res.Total))
	}
	return q, res, nil
}

// searchTurn waits for one of the server's search slots, at most until
// ctx's deadline or searchQueueWait, and returns the function that frees
// it. A search uses one core to its end, so more searches at once than
// cores only make each slower: past that they wait in line, and a long
// line is answered 503 rather than left to time out.
func (s *Server) searchTurn(ctx context.Context) (func(), error) {
	free := func() { <-s.searchSlots }
	select {
	case s.searchSlots <- struct{}{}:
		return free, nil
	default:
	}
	wait := time.NewTimer(searchQueueWait)
	defer wait.Stop()
	select {
	case s.searchSlots <- struct{}{}:
		return free, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, ctx.Err()
		}
		return nil, errBusy
	case <-wait.C:
		return nil, errBusy
	}
}

// searchQueueWait bounds how long a search waits for its turn when its
// request has no deadline of its own: well past a search's p99 at a
// million entries times a full line.
const searchQueueWait = 2 * time.Second

// tooCommonHint says why words such as "cannot" or "the" find nothing alone.
func tooCommonHint(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "“" + w + "”"
	}
	what := quoted[0] + " is too common a word to search for on its own"
	if len(words) > 1 {
		what = strings.Join(quoted, ", ") + " are too common to search for on their own"
	}
	return what + ": add a word from the error, such as its code or a noun in its message, or paste the whole message."
}
