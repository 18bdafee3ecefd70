package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
	ix, q, res, err := s.search(r, true)
	if err != nil {
		return err
	}
	// A page past the end (an old link, a catalogue that shrank) shows the
	// last page and says so; the API answers 400 instead.
	note := ""
	if pages := pageCount(res.Total, res.PerPage); res.Page > pages && res.Page > 1 {
		asked := res.Page
		q.Page = pages
		if res, err = ix.Search(r.Context(), q); err != nil {
			return err
		}
		note = fmt.Sprintf("There is no page %d: these are the last results, page %d of %d.", asked, pages, pages)
	}
	return s.showCatalogue(w, r, ix.Providers(), q, res, note)
}

// showCatalogue renders the results of q, the page or htmx's fragment.
func (s *Server) showCatalogue(w http.ResponseWriter, r *http.Request, providers *content.Providers, q search.Query, res *search.Results, note string) error {
	state := stateOf(res.Query)
	state.Q = linkText(q.Text, res.Understood)
	// Room for the links of the filters, the cards (about two a card: an
	// entry's link carries the list's query escaped twice) and the rest.
	state = state.withLinks(len(res.Facets.Status) + len(res.Facets.Provider) + 2*len(res.Hits) + 8)
	v := s.catalogueView(r, providers, state, res)
	v.Q, v.Meta.Q = q.Text, q.Text // the box keeps what was typed or pasted
	v.Answer, v.Best = s.answer(res), best(res)
	v.Note = note
	// Every header wantsFragment reads, so that no cache (ours, nginx's, the
	// browser's) hands a fragment to a request for the page or back.
	w.Header().Add("Vary", "HX-Request, HX-Boosted, HX-History-Restore-Request, HX-Target")
	if wantsFragment(r) {
		// The address bar shows the canonical URL of what is on screen.
		w.Header().Set("HX-Push-Url", state.withPage(res.Page).URL())
		return render(w, r, http.StatusOK, components.CatalogueResults(v))
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
var classes = [...]struct {
	label, rng string
	lo, hi     int
}{
	{"1xx", "100-199", 100, 199},
	{"2xx", "200-299", 200, 299},
	{"3xx", "300-399", 300, 399},
	{"4xx", "400-499", 400, 499},
	{"5xx", "500-599", 500, 599},
}

// catalogueView is the page of one list state: its filters, its results
// and its pagination, each made by a step of its own below.
func (s *Server) catalogueView(r *http.Request, providers *content.Providers, st listState, res *search.Results) components.Catalogue {
	v := components.Catalogue{
		Searching: st.Q != "",
		Q:         st.Q,
		Named:     st.Q,
		Status:    st.Status,
		Providers: st.Providers,
		Sort:      st.Sort,
		PerPage:   st.PerPage,
		Total:     res.Total,
		Page:      res.Page,
		Pages:     pageCount(res.Total, res.PerPage),
		ClearHref: listState{Q: st.Q, Sort: st.Sort, PerPage: st.PerPage, links: st.links}.URL(),
	}
	if len(res.Hits) > 0 {
		v.From = (res.Page-1)*res.PerPage + 1
		v.To = v.From + len(res.Hits) - 1
	}
	v.Count = countLine(v)
	title := "Every API error, explained"
	desc := "Search and browse API errors from Gmail, Microsoft, Twilio and more: what each one means and how to fix it."
	if st.Q != "" {
		title = "“" + st.Q + "”"
	}
	if v.Pages > 1 {
		title += fmt.Sprintf(" — page %d of %d", v.Page, v.Pages)
	}
	v.Meta = s.meta(r, title, desc, st.URL(), "website")
	v.Meta.Q = st.Q

	v.StatusCodes, v.StatusRange, v.NoStatus = statusFilters(st, res.Facets.Status)
	v.Chart = chart(v.StatusCodes, v.StatusRange, v.NoStatus)
	v.ProviderF = providerFilters(providers, st, res.Facets.Provider)
	v.Active = activeFilters(providers, st)
	v.SortLinks, v.PerPageLinks = listControls(st, v)

	if res.Suggestion != "" {
		v.Suggestion = components.Link{Label: res.Suggestion, Href: st.withQ(res.Suggestion).URL()}
	}
	v.Understood = understood(providers, res.Understood)
	if len(res.TooCommon) > 0 {
		v.TooCommon = tooCommonHint(res.TooCommon)
	}

	v.Groups = resultGroups(providers, st, res)
	v.Prev, v.Next, v.PageLinks = pagination(st, v.Page, v.Pages)
	return v
}

// statusFilters are the filters the status facet offers: one per status
// code, one per class of codes with entries, and "No status" when entries
// without one match. A selected class or "No status" with no hits still
// shows, so that it can be removed.
func statusFilters(st listState, facet []search.FacetValue) (codes, ranges []components.Filter, none components.Filter) {
	var counts [len(classes)]int
	codes = make([]components.Filter, 0, len(facet))
	for _, f := range facet {
		if f.Value == search.StatusNone {
			none = statusFilter(st, "No status", f.Value, f.Count)
			continue
		}
		code, err := strconv.Atoi(f.Value)
		if err != nil {
			continue
		}
		for i, c := range classes {
			if code >= c.lo && code <= c.hi {
				counts[i] += f.Count
			}
		}
		codes = append(codes, statusFilter(st, f.Value+" "+http.StatusText(code), f.Value, f.Count))
	}
	for i, c := range classes {
		if n := counts[i]; n > 0 || st.holdsStatus(c.rng) {
			ranges = append(ranges, statusFilter(st, strings.Replace(c.rng, "-", "–", 1), c.rng, n))
		}
	}
	if st.holdsStatus(search.StatusNone) && none.Href == "" {
		none = statusFilter(st, "No status", search.StatusNone, 0)
	}
	return codes, ranges, none
}

// providerFilters are the filters the provider facet offers, then each
// selected provider with no hits, so that it can be removed.
func providerFilters(providers *content.Providers, st listState, facet []search.FacetValue) []components.Filter {
	all := make([]components.Filter, 0, len(facet)+len(st.Providers))
	for _, f := range facet {
		all = append(all, providerFilter(providers, st, f.Value, f.Count))
	}
	for _, p := range st.Providers {
		if !slices.ContainsFunc(all, func(f components.Filter) bool { return f.Value == p }) {
			all = append(all, providerFilter(providers, st, p, 0))
		}
	}
	// A tree: each child under its parent, in the facet's order (most
	// entries first); a child whose parent is not offered stands alone.
	out := make([]components.Filter, 0, len(all))
	for _, f := range all {
		parent := providers.Parent(f.Value)
		if parent == "" || !slices.ContainsFunc(all, func(p components.Filter) bool { return p.Value == parent }) {
			out = append(out, f)
		}
	}
	for i := range out {
		for _, f := range all {
			if providers.Parent(f.Value) == out[i].Value {
				out[i].Children = append(out[i].Children, f)
			}
		}
	}
	return out
}

// providerFilter is the link for one provider: it adds the provider to the
// filter, or removes it when selected.
func providerFilter(providers *content.Providers, st listState, slug string, count int) components.Filter {
	return components.Filter{Label: providers.Name(slug), Value: slug, Href: st.toggleProvider(slug).URL(),
		Count: count, Selected: st.hasProvider(slug)}
}

// activeFilters are the filters in use, as chips that each remove one.
func activeFilters(providers *content.Providers, st listState) []components.Filter {
	var out []components.Filter
	set, _ := search.ParseStatus(st.Status)
	for _, r := range set { // one chip per range of statuses chosen
		value := search.StatusSet{r}.String()
		label := "Status " + strings.Replace(value, "-", "–", 1)
		if value == search.StatusNone {
			label = "No status"
		}
		out = append(out, components.Filter{Label: label, Href: st.toggleStatus(value).URL()})
	}
	for _, p := range st.Providers {
		out = append(out, components.Filter{Label: providers.Name(p), Href: st.toggleProvider(p).URL()})
	}
	return out
}

// resultGroups are the hits grouped by status when browsing, or one ranked
// group when searching.
func resultGroups(providers *content.Providers, st listState, res *search.Results) []components.Group {
	var groups []components.Group
	if len(res.Hits) > 0 && (st.Q != "" || st.Sort != search.SortStatus) { // one ranked group
		groups = []components.Group{{Items: make([]components.Item, 0, len(res.Hits))}}
	}
	// Every card links with the same query: escape it once. The cards'
	// provider names share one array.
	params := entryParams(highlightTerms(st.Q, res.Understood), st.values())
	n := 0
	for _, h := range res.Hits {
		n += len(h.Providers)
	}
	names := make([]string, 0, n)
	for _, h := range res.Hits {
		n := len(names)
		it := card(providers, hitListed(h), st.links.entryURL(h.ID, params), names[n:n:n+len(h.Providers)])
		names = names[:n+len(h.Providers)]
		if st.Q != "" {
			it.From = snippetLabels[h.SnippetFrom]
		}
		if st.Q == "" && st.Sort == search.SortStatus {
			if n := len(groups); n == 0 || groups[n-1].Status != h.Status {
				groups = append(groups, components.Group{Status: h.Status, Heading: statusHeading(h.Status)})
			}
		}
		g := &groups[len(groups)-1]
		g.Items = append(g.Items, it)
	}
	for i := range groups {
		if len(groups[i].Items) == 1 {
			groups[i].Heading = "" // its card's badge says the status
		}
	}
	return groups
}

// pagination links the previous and next pages and, with "…" for the gaps,
// the first, the last and two pages either side of the current one.
func pagination(st listState, page, pages int) (prev, next string, links []components.Filter) {
	if pages <= 1 {
		return "", "", nil
	}
	if page > 1 {
		prev = st.withPage(page - 1).URL()
	}
	if page < pages {
		next = st.withPage(page + 1).URL()
	}
	last := 0
	for p := 1; p <= pages; p++ {
		if p != 1 && p != pages && (p < page-2 || p > page+2) {
			continue
		}
		if last != 0 && p > last+1 {
			links = append(links, components.Filter{Label: "…"})
		}
		links = append(links, components.Filter{Label: strconv.Itoa(p), Href: st.withPage(p).URL(), Selected: p == page})
		last = p
	}
	return prev, next, links
}

// statusFilter is the link for one status filter value: it adds the value
// to the statuses chosen, or takes it out when they hold it.
func statusFilter(st listState, label, value string, count int) components.Filter {
	return components.Filter{Label: label, Value: value, Href: st.toggleStatus(value).URL(), Count: count, Selected: st.holdsStatus(value)}
}

// countLine says how many results there are and which are shown:
// "41–60 of 2,822 errors", "3 matches for “quota”".
func countLine(v components.Catalogue) string {
	what := "error"
	if v.Searching {
		what = "match"
	}
	n := plural(v.Total, what, what+pluralEnd(what))
	if v.Pages > 1 && v.From > 0 {
		n = fmt.Sprintf("%s–%s of %s %s", thousands(v.From), thousands(v.To), thousands(v.Total), what+pluralEnd(what))
	} else if v.Total >= 1000 {
		n = thousands(v.Total) + " " + what + pluralEnd(what)
	}
	if v.Searching {
		n += " for “" + v.Named + "”"
	}
	return n
}

func pluralEnd(word string) string {
	if strings.HasSuffix(word, "ch") {
		return "es"
	}
	return "s"
}

// thousands writes n with a comma every three digits: 2,847.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// perPageChoices are the page sizes the list offers.
var perPageChoices = []int{search.DefaultPerPage, 50, 100}

// listControls are the order a provider's entries may be browsed in (only
// when browsing by provider) and the page sizes (when there is more than
// a page of the smallest).
func listControls(st listState, v components.Catalogue) (sorts, sizes []components.Filter) {
	if st.Q == "" && len(st.Providers) > 0 {
		for _, o := range []struct{ label, sort string }{{"Status", search.SortStatus}, {"Code", search.SortCode}, {"Title", search.SortTitle}} {
			sorts = append(sorts, components.Filter{Label: o.label, Value: o.sort, Href: st.withSort(o.sort).URL(), Selected: st.Sort == o.sort})
		}
	}
	if v.Total > perPageChoices[0] || st.PerPage > 0 {
		per := cmp.Or(st.PerPage, search.DefaultPerPage)
		for _, n := range perPageChoices {
			sizes = append(sizes, components.Filter{Label: strconv.Itoa(n), Value: strconv.Itoa(n), Href: st.withPerPage(n).URL(), Selected: per == n})
		}
	}
	return sorts, sizes
}

// listed is what a list shows of an entry, from a search hit or the entry.
type listed struct {
	ID        string
	Status    int
	Codes     []string
	Title     string
	Providers []string
	Snippet   search.Snippet
}

func hitListed(h search.Hit) listed {
	return listed{ID: h.ID, Status: h.Status, Codes: h.Codes, Title: h.Title, Providers: h.Providers, Snippet: h.Snippet}
}

func entryListed(e content.Entry) listed {
	return listed{ID: e.ID, Status: e.Status, Codes: e.Codes, Title: e.Title, Providers: e.Providers}
}

// item is one entry in a list of related entries, or of a code's, linking
// to its page (a result's card also says what to highlight: resultGroups).
func item(providers *content.Providers, l listed) components.Item {
	return card(providers, l, EntryPath(l.ID), make([]string, 0, len(l.Providers)))
}

// entryParams is the query of a link to an entry: the words to mark (hl)
// and the list it was opened from, "" when neither.
func entryParams(hl, from string) string {
	var params []string
	if hl != "" {
		params = append(params, "hl="+url.QueryEscape(hl))
	}
	if from != "" {
		params = append(params, "from="+url.QueryEscape(from))
	}
	if len(params) == 0 {
		return ""
	}
	return "?" + strings.Join(params, "&")
}

// card is the list item of l linking to href, its providers' names
// appended to names.
func card(providers *content.Providers, l listed, href string, names []string) components.Item {
	for _, p := range l.Providers {
		names = append(names, providers.Name(p))
	}
	it := components.Item{ID: l.ID, Status: l.Status, Title: l.Title, Href: href, Providers: names, Snippet: l.Snippet}
	if len(l.Codes) > 0 && !saysStatus(l.Codes[0], l.Status) { // the badge says a code that is the status
		it.Code = l.Codes[0]
	}
	return it
}

// saysStatus reports whether code is status in digits, as strconv.Itoa
// writes it (compared without making the string).
func saysStatus(code string, status int) bool {
	var digits [20]byte
	return code == string(strconv.AppendInt(digits[:0], int64(status), 10))
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

// understood says in words how pasted or mixed text was read: a paste's
// shape, status, codes, provider and message, or a status typed among
// words.
func understood(providers *content.Providers, u search.Understood) string {
	var parts []string
	if len(u.Status) > 0 {
		parts = append(parts, "status "+u.Status.String())
	}
	if !u.Pasted {
		if len(parts) == 0 {
			return ""
		}
		if u.Terms != "" {
			parts = append(parts, "words “"+u.Terms+"”")
		}
		return "Searching for " + strings.Join(parts, " and ")
	}
	for _, c := range u.Codes {
		parts = append(parts, "code "+c)
	}
	if len(u.Providers) > 0 {
		names := make([]string, len(u.Providers))
		for i, p := range u.Providers {
			names[i] = providers.Name(p)
		}
		parts = append(parts, strings.Join(names, ", "))
	}
	switch {
	case u.Message != "":
		parts = append(parts, "message “"+u.Message+"”")
	case u.Terms != "" && u.Terms != strings.Join(u.Codes, " "):
		parts = append(parts, "words “"+clipEcho(u.Terms)+"”")
	}
	return "Read as " + shapeNames[u.Shape] + ": " + strings.Join(parts, " · ")
}

// shapeNames name the shapes of a paste for people.
var shapeNames = map[string]string{
	"text": "a pasted error", "json": "a pasted JSON body", "xml": "a pasted XML answer", "http": "a pasted HTTP response",
	"trace": "a pasted stack trace", "url": "a pasted redirect URL or form post", "log": "a pasted log line",
}

// chartWidth is the width of the chart's SVG viewBox.
const chartWidth = 200

// chart draws a bar per status code when there are few codes, else a bar
// per status class, and a bar for entries without a status; each bar links
// to the same filter as its list entry.
func chart(codes, ranges []components.Filter, none components.Filter) []components.Bar {
	src := codes
	if len(codes) > 10 {
		src = ranges
	}
	if none.Href != "" {
		src = append(slices.Clip(src), none)
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
		if len(codes) > 10 && f.Value != search.StatusNone {
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

// search parses the request's query and runs it.
func (s *Server) search(r *http.Request, api bool) (index, search.Query, *search.Results, error) {
	ix, err := s.index()
	if err != nil {
		return nil, search.Query{}, nil, err
	}
	q, err := parseQuery(r, api, ix.Providers())
	if err != nil {
		return ix, q, nil, err
	}
	res, err := s.runOn(r, ix, q)
	return ix, q, res, err
}

// parseValues reads the parameters of a query string or a form for the
// catalogue's providers.
func (s *Server) parseValues(v url.Values, perPage bool) (search.Query, error) {
	ix, err := s.index()
	if err != nil {
		return search.Query{}, err
	}
	return parseValues(v, perPage, ix.Providers())
}

// run asks the index q.
func (s *Server) run(r *http.Request, q search.Query) (*search.Results, error) {
	ix, err := s.index()
	if err != nil {
		return nil, err
	}
	return s.runOn(r, ix, q)
}

// runOn asks ix q, once a search slot is free (see searchTurn; errBusy when
// none frees in time). A text search is told to the search observer (the
// metrics), so that searches and those finding nothing are counted where
// they run; browsing (no text) is not a search.
func (s *Server) runOn(r *http.Request, ix index, q search.Query) (*search.Results, error) {
	release, err := s.searchTurn(r.Context())
	if err != nil {
		return nil, err
	}
	defer release() // also when the search panics: a slot lost is a core lost
	start := time.Now()
	res, err := ix.Search(r.Context(), q)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(q.Text) != "" {
		s.searches.ObserveSearch(time.Since(start), res.Total)
	}
	return res, nil
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
