package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/search"
	"github.com/errata/errata/web/middleware"
)

func resultIDsOf(doc *goquery.Document) []string {
	return attrs(doc.Find("[data-testid=result]"), "data-id")
}

func TestCatalogueBrowseGroupsByStatus(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	doc := page(t, h, "/", 200)
	var want []string
	for _, e := range ix.Entries() {
		want = append(want, e.ID)
	}
	if diff := cmp.Diff(want, resultIDsOf(doc)); diff != "" {
		t.Errorf("browse order (-want +got):\n%s", diff)
	}
	// One group per status, in ascending order, headed by its code unless
	// its one card says it.
	var heads []int
	doc.Find("[data-testid=group]").Each(func(_ int, g *goquery.Selection) {
		cards := g.Find("[data-testid=result]").Length()
		if cards == 1 && g.Find("h2").Length() == 0 {
			code, _ := strconv.Atoi(g.Find("[data-testid=result] [data-testid=status]").Text())
			heads = append(heads, code)
			return
		}
		code, err := strconv.Atoi(strings.TrimSpace(g.Find("h2 [data-testid=status]").Text()))
		if err != nil || cards < 2 {
			t.Fatalf("group of %d heading without a status: %q", cards, g.Find("h2").Text())
		}
		heads = append(heads, code)
		g.Find("[data-testid=result]").Each(func(_ int, r *goquery.Selection) {
			id, _ := r.Attr("data-id")
			if e, _ := ix.Entry(id); e.Status != code {
				t.Errorf("%s (status %d) is listed under %d", id, e.Status, code)
			}
		})
	})
	if len(heads) < 3 || !slices.IsSorted(heads) {
		t.Errorf("group headings %v: want several, ascending", heads)
	}
	if got := strings.TrimSpace(doc.Find("[data-testid=count]").Text()); got != strconv.Itoa(len(want))+" errors" {
		t.Errorf("count line %q", got)
	}
	if doc.Find("[data-testid=snippet] mark").Length() != 0 {
		t.Error("browsing marks words")
	}
	if got, _ := doc.Find("link[rel=canonical]").Attr("href"); got != "https://errata.example/" {
		t.Errorf("canonical %q", got)
	}
	// Entry links without a search carry no hl= and no from=.
	if href, _ := doc.Find("[data-testid=result] a[data-result]").First().Attr("href"); href != "/errors/"+want[0] {
		t.Errorf("first link %q", href)
	}
}

func TestCatalogueSearchRanksAndHighlights(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	doc := page(t, h, "/?q=quota", 200)
	ids := resultIDsOf(doc)
	if len(ids) == 0 || ids[0] != "429-general-quota-exceeded" {
		t.Fatalf("results %v: want 429-general-quota-exceeded first", ids)
	}
	if doc.Find("[data-testid=group] h2").Length() != 0 {
		t.Error("a search is grouped by status; want one ranked list")
	}
	marks := texts(doc.Find("[data-testid=result]").First().Find("[data-testid=snippet] mark"))
	if len(marks) == 0 || !strings.EqualFold(marks[0], "quota") {
		t.Errorf("marks %v: want quota", marks)
	}
	href, _ := doc.Find("a[data-result]").First().Attr("href")
	u, err := url.Parse(href)
	if err != nil || u.Path != "/errors/429-general-quota-exceeded" || u.Query().Get("hl") != "quota" || u.Query().Get("from") != "q=quota" {
		t.Errorf("result link %q: want the entry with hl=quota and from=q=quota", href)
	}
	if got := strings.TrimSpace(doc.Find("[data-testid=count]").Text()); got != strconv.Itoa(len(ids))+" matches for “quota”" {
		t.Errorf("count line %q", got)
	}
	if v, _ := doc.Find("#q").Attr("value"); v != "quota" {
		t.Errorf("search box holds %q", v)
	}
	if got, _ := doc.Find("link[rel=canonical]").Attr("href"); got != "https://errata.example/?q=quota" {
		t.Errorf("canonical %q", got)
	}
}

// The form and links are rendered from the parsed query, so every spelling
// of a state shows the same canonical state.
func TestCatalogueCanonicalState(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, target := range []string{
		"/?status=4xx&provider=Gmail",
		"/?status=400-499&provider=gmail",
		"/?status=400-499&provider=GMAIL&page=1",
	} {
		doc := page(t, h, target, 200)
		form := doc.Find("[data-testid=search-form]")
		if got := attrs(form.Find("input[type=hidden][name=status]"), "value"); !cmp.Equal(got, []string{"400-499"}) {
			t.Errorf("%s: hidden status %v", target, got)
		}
		if got := attrs(form.Find("input[type=hidden][name=provider]"), "value"); !cmp.Equal(got, []string{"gmail"}) {
			t.Errorf("%s: hidden provider %v", target, got)
		}
		if got, _ := doc.Find("link[rel=canonical]").Attr("href"); got != "https://errata.example/?status=400-499&provider=gmail" {
			t.Errorf("%s: canonical %q", target, got)
		}
		if got := texts(doc.Find("[data-testid=active-filter]")); !cmp.Equal(got, []string{"Status 400–499 ×", "Gmail ×"}) {
			t.Errorf("%s: active chips %v", target, got)
		}
	}
	// Several providers, repeated or comma-separated, are the same state.
	a := resultIDsOf(page(t, h, "/?provider=gmail&provider=microsoft", 200))
	b := resultIDsOf(page(t, h, "/?provider=gmail,microsoft", 200))
	if len(a) == 0 || !cmp.Equal(a, b) {
		t.Errorf("repeated %v vs comma-separated %v", a, b)
	}
}

func TestCatalogueFilters(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	doc := page(t, h, "/", 200)

	// Each status range and provider filter is a link whose count is the
	// number of results it leads to.
	check := func(testid string) {
		n := 0
		doc.Find("[data-testid=" + testid + "]").Each(func(_ int, a *goquery.Selection) {
			n++
			href, _ := a.Attr("href")
			count, _ := strconv.Atoi(a.Find(".count").Text())
			got := len(resultIDsOf(page(t, h, href+"&per_page=100", 200)))
			if got != count && got != min(count, 20) {
				t.Errorf("%s %s says %d, leads to %d", testid, href, count, got)
			}
			if _, sel := a.Attr("aria-current"); sel {
				t.Errorf("%s %s is marked selected on the unfiltered page", testid, href)
			}
		})
		if n == 0 {
			t.Errorf("no %s links", testid)
		}
	}
	check("status-range")
	check("status-code")
	check("provider-filter")

	gmail := doc.Find("[data-testid=provider-filter][data-value=gmail]")
	if href, _ := gmail.Attr("href"); href != "/?provider=gmail" {
		t.Errorf("Gmail filter links to %q", href)
	}
	// Once selected, a filter links to its own removal and shows as current.
	doc = page(t, h, "/?status=400-499&provider=gmail", 200)
	gmail = doc.Find("[data-testid=provider-filter][data-value=gmail]")
	if _, ok := gmail.Attr("aria-current"); !ok {
		t.Error("selected Gmail filter has no aria-current")
	}
	if href, _ := gmail.Attr("href"); href != "/?status=400-499" {
		t.Errorf("selected Gmail filter links to %q, want its removal", href)
	}
	rng := doc.Find("[data-testid=status-range][data-value=\"400-499\"]")
	if href, _ := rng.Attr("href"); href != "/?provider=gmail" {
		t.Errorf("selected range links to %q, want its removal", href)
	}
	for _, id := range resultIDsOf(doc) {
		e, _ := ix.Entry(id)
		if !slices.Contains(e.Providers, "gmail") && len(e.Providers) != 0 {
			t.Errorf("%s (%v) listed under the Gmail filter", id, e.Providers)
		}
	}
	if href, _ := doc.Find("[data-testid=clear]").Attr("href"); href != "/" {
		t.Errorf("clear links to %q", href)
	}
}

func TestCatalogueChart(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	doc := page(t, h, "/", 200)
	bars := doc.Find("[data-testid=chart-bar]")
	if bars.Length() < 2 {
		t.Fatalf("%d chart bars", bars.Length())
	}
	codes := map[string]string{}
	doc.Find("[data-testid=status-code]").Each(func(_ int, a *goquery.Selection) {
		v, _ := a.Attr("data-value")
		codes[v], _ = a.Attr("href")
	})
	bars.Each(func(_ int, b *goquery.Selection) {
		label := b.Find("text.bl").Text()
		href, _ := b.Attr("href")
		if codes[label] != href || href == "" {
			t.Errorf("bar %s links to %q, want %q", label, href, codes[label])
		}
		if h, _ := b.Find("rect").Attr("height"); h == "" || h == "0" {
			t.Errorf("bar %s has no height", label)
		}
	})
	// With many codes the chart shows one bar per status class.
	hf, _ := testServer(t, fixtures(t))
	doc = page(t, hf, "/", 200)
	if got := texts(doc.Find("[data-testid=chart-bar] text.bl")); !cmp.Equal(got, []string{"2xx", "3xx", "4xx", "5xx"}) {
		t.Errorf("class bars %v", got)
	}
	if href, _ := doc.Find("[data-testid=chart-bar]").Eq(3).Attr("href"); href != "/?status=500-599" {
		t.Errorf("5xx bar links to %q", href)
	}
}

func TestCataloguePagination(t *testing.T) {
	h, _ := testServer(t, fixtures(t))
	doc := page(t, h, "/", 200)
	first := resultIDsOf(doc)
	if len(first) != 20 {
		t.Fatalf("page 1 has %d results, want 20", len(first))
	}
	if doc.Find("[data-testid=prev]").Length() != 0 {
		t.Error("page 1 has a previous link")
	}
	next, _ := doc.Find("[data-testid=next]").Attr("href")
	if next != "/?page=2" {
		t.Fatalf("next %q", next)
	}
	doc = page(t, h, next, 200)
	second := resultIDsOf(doc)
	if len(second) != 20 || slices.Contains(first, second[0]) {
		t.Errorf("page 2 %v overlaps page 1", second)
	}
	if prev, _ := doc.Find("[data-testid=prev]").Attr("href"); prev != "/" {
		t.Errorf("prev %q, want /", prev)
	}
	if cur := doc.Find(".pager [aria-current=page]").Text(); cur != "2" {
		t.Errorf("current page %q", cur)
	}
	// A page past the last shows the last, and says so.
	doc = page(t, h, "/?page=3&status=5xx", 200)
	if msg := doc.Find("[data-testid=page-note]").Text(); !strings.Contains(msg, "There is no page 3") || len(resultIDsOf(doc)) == 0 {
		t.Errorf("past the last page: note %q, %d results", msg, len(resultIDsOf(doc)))
	}
	if got, _ := doc.Find("link[rel=canonical]").Attr("href"); got != "https://errata.example/?status=500-599" {
		t.Errorf("past the last page: canonical %q, want the last page's", got)
	}
	// Filters keep the page out: a new filter starts at page 1.
	doc = page(t, h, "/?page=2", 200)
	if href, _ := doc.Find("[data-testid=provider-filter][data-value=gmail]").Attr("href"); href != "/?provider=gmail" {
		t.Errorf("filter from page 2 links to %q", href)
	}
}

func TestCatalogueEmptyAndSuggestion(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	doc := page(t, h, "/?q=zzzxqy", 200)
	if doc.Find("[data-testid=empty]").Length() != 1 || len(resultIDsOf(doc)) != 0 {
		t.Error("no empty state for a query without hits")
	}
	doc = page(t, h, "/?q="+url.QueryEscape(`"refresh tokne was revoked"`), 200)
	a := doc.Find("[data-testid=suggestion] a")
	if a.Text() != "refresh token was revoked" {
		t.Fatalf("suggestion %q", a.Text())
	}
	href, _ := a.Attr("href")
	if got := resultIDsOf(page(t, h, href, 200)); len(got) == 0 {
		t.Errorf("the suggestion %s finds nothing", href)
	}
	// Filters that exclude everything offer to clear them.
	doc = page(t, h, "/?q=quota&provider=microsoft-graph", 200)
	if doc.Find("[data-testid=empty]").Length() != 1 {
		t.Error("no empty state")
	}
	if href, _ := doc.Find("[data-testid=empty] a").Attr("href"); href != "/?q=quota" {
		t.Errorf("clear filters link %q", href)
	}
}

func TestCatalogueBadParameters(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, target := range []string{"/?status=abc", "/?status=999", "/?provider=nope", "/?page=0", "/?page=-1", "/?page=x"} {
		doc := page(t, h, target, http.StatusBadRequest)
		msg := doc.Find("[data-testid=error-message]").Text()
		if msg == "" || !strings.Contains(doc.Find("title").Text(), "can’t be read") {
			t.Errorf("%s: message %q", target, msg)
		}
	}
	doc := page(t, h, "/?provider=nope", http.StatusBadRequest)
	if msg := doc.Find("[data-testid=error-message]").Text(); !strings.Contains(msg, "gmail") {
		t.Errorf("unknown provider message does not list the known ones: %q", msg)
	}
}

// htmx asks for the results only; everything else gets the whole page.
func TestCatalogueFragment(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	res := do(t, h, "GET", "/?q=quota", "HX-Request", "true", "HX-Target", "results", "HX-Trigger", "q")
	b := body(t, res)
	// The page's <title>, then #results: htmx takes the title off and swaps the rest.
	title, rest, _ := strings.Cut(b, "</title>")
	if title != "<title>“quota” · Errata" || !strings.HasPrefix(rest, `<div id="results"`) || strings.Contains(b, "<html") || strings.Contains(b, "<head") {
		t.Fatalf("fragment is not the title and #results:\n%s", cut(b, 2000))
	}
	if got := res.Header.Get("HX-Push-Url"); got != "/?q=quota" {
		t.Errorf("HX-Push-Url %q", got)
	}
	res2 := do(t, h, "GET", "/?q=&status=4xx&provider=GMAIL", "HX-Request", "true", "HX-Target", "results")
	if got := res2.Header.Get("HX-Push-Url"); got != "/?status=400-499&provider=gmail" {
		t.Errorf("HX-Push-Url %q, want the canonical URL", got)
	}
	// Every header that picks fragment or page is in Vary, so no cache
	// hands one to a request for the other.
	for _, h := range []string{"HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target"} {
		if !strings.Contains(res.Header.Get("Vary"), h) {
			t.Errorf("Vary %q lacks %s", res.Header.Get("Vary"), h)
		}
	}
	frag, _ := goquery.NewDocumentFromReader(strings.NewReader(b))
	full := page(t, h, "/?q=quota", 200)
	if !cmp.Equal(resultIDsOf(frag), resultIDsOf(full)) {
		t.Errorf("fragment %v, page %v", resultIDsOf(frag), resultIDsOf(full))
	}
	// The fragment is rendered on its own: it must be the page's title and
	// results byte for byte, on every kind of list.
	for _, target := range []string{"/?q=quota", "/", "/?q=&status=4xx&provider=gmail", "/?q=rate+limit&per_page=5&page=2",
		"/?q=nothing+matches+zzqx", "/?q=429", "/?q=the", "/?q=" + url.QueryEscape(`{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}`),
		"/?q=%3Cb%3E%22%26", "/?status=none", "/?provider=gmail&sort=title"} {
		whole := body(t, do(t, h, "GET", target))
		frag := body(t, do(t, h, "GET", target, "HX-Request", "true", "HX-Target", "results"))
		title := whole[strings.Index(whole, "<title>") : strings.Index(whole, "</title>")+len("</title>")]
		results := whole[strings.Index(whole, `<div id="results"`):strings.LastIndex(whole, "</main>")]
		if frag != title+results {
			t.Errorf("%s: the fragment is not the page's title and results:\n%s\n%s", target, cut(frag, 400), cut(title+results, 400))
		}
	}
	for _, hdr := range [][]string{
		{"HX-Request", "true", "HX-Boosted", "true", "HX-Target", "results"},
		{"HX-Request", "true", "HX-History-Restore-Request", "true"},
		{"HX-Request", "true"},
	} {
		res := do(t, h, "GET", "/?q=quota", hdr...)
		if b := body(t, res); !strings.Contains(b, "<!doctype html>") {
			t.Errorf("%v: want the whole page", hdr)
		}
	}
}

// Distinct, long values of the htmx headers the catalogue varies on are
// answered as the page reads them (htmx only sends "true" in HX-Request,
// HX-Boosted and HX-History-Restore-Request): from the answer the cache
// already holds, not each as one more answer to keep.
func TestCacheHostileHTMXHeaders(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	results := []string{"HX-Request", "true", "HX-Target", "results"}
	ask(t, h, "GET", "/?q=quota", results...) // the cache keeps an answer asked twice
	fragment := ask(t, h, "GET", "/?q=quota", results...)
	whole := ask(t, h, "GET", "/?q=quota")
	if strings.Contains(fragment.body, "<html") || !strings.Contains(whole.body, "<html") {
		t.Fatalf("fragment and page mixed up:\n%s\n%s", cut(fragment.body, 300), cut(whole.body, 300))
	}
	long := strings.Repeat("x", 15<<10)
	for i := range 100 {
		junk := fmt.Sprintf("%d-%s", i, long)
		for _, tc := range []struct {
			header []string
			want   answer
		}{
			{append(slices.Clone(results), "HX-Boosted", junk), fragment},
			{append(slices.Clone(results), "HX-History-Restore-Request", junk), fragment},
			{[]string{"HX-Request", junk}, whole},
		} {
			a := ask(t, h, "GET", "/?q=quota", tc.header...)
			if a.body != tc.want.body || a.header.Get(middleware.CacheHeader) != "hit" {
				t.Fatalf("%s set to %d bytes: cache %q, the right answer %v", tc.header[len(tc.header)-2], len(junk), a.header.Get(middleware.CacheHeader), a.body == tc.want.body)
			}
		}
	}
	if a := ask(t, h, "GET", "/?q=quota", append(slices.Clone(results), "HX-Boosted", "true")...); !strings.Contains(a.body, "<html") {
		t.Errorf("a boosted request got the fragment:\n%s", cut(a.body, 300))
	}
}

// Searches are counted where they run: a text search each time it runs,
// its answer kept by the cache once asked twice and asked again from it (a
// hit, counted as one); one
// that finds nothing as such; browsing, which is no search, not at all.
func TestSearchesCountedWhereTheyRun(t *testing.T) {
	for _, target := range []string{"/api/v1/search?q=quota", "/?q=quota"} {
		t.Run(target, func(t *testing.T) {
			cfg := servedConfig()
			cfg.Metrics = middleware.NewMetrics()
			s, _ := testServerWith(t, cfg, catalogueIndex(t))
			for range 3 {
				do(t, s.Handler(), "GET", target)
			}
			for name, want := range map[string]float64{
				"errata_search_duration_seconds":  2,
				"errata_searches_total":           2,
				"errata_searches_no_result_total": 0,
				"errata_cache_hits_total":         1,
			} {
				if got := metric(t, cfg.Metrics, name); got != want {
					t.Errorf("one search asked three times: %s = %v, want %v", name, got, want)
				}
			}
		})
	}
	cfg := servedConfig()
	cfg.Metrics = middleware.NewMetrics()
	s, _ := testServerWith(t, cfg, catalogueIndex(t))
	for _, target := range []string{"/api/v1/search?q=zzzqqqxxyy", "/?q=zzzqqqxxyy", "/api/v1/search?status=429", "/?status=429", "/"} {
		do(t, s.Handler(), "GET", target)
	}
	if got := metric(t, cfg.Metrics, "errata_searches_total"); got != 2 {
		t.Errorf("two searches and three browsings: errata_searches_total = %v, want 2", got)
	}
	if got := metric(t, cfg.Metrics, "errata_searches_no_result_total"); got != 2 {
		t.Errorf("two searches finding nothing: errata_searches_no_result_total = %v, want 2", got)
	}
}

// BenchmarkCatalogueView is what the web package adds to a search for the
// page and for htmx's fragment: the view made from results searched
// beforehand (distinct queries on the real catalogue) and rendered, with
// no middleware. cpu-ns/op is the process's CPU per request, GC included.
// go test ./web -run '^$' -bench CatalogueView
func BenchmarkCatalogueView(b *testing.B) {
	ix := catalogueIndex(b)
	next := distinctQueries(b, ix)
	s := newServer(servedConfig(), ix)
	type asked struct {
		r   *http.Request
		q   search.Query
		res *search.Results
	}
	var all []asked
	for i := range 300 {
		r := httptest.NewRequest(http.MethodGet, "/?q="+url.QueryEscape(next(i)), nil)
		q, err := parseQuery(r, true, ix.Providers())
		if err != nil {
			b.Fatal(err)
		}
		res, err := ix.Search(r.Context(), q)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, asked{r, q, res})
	}
	for _, tc := range []struct {
		name   string
		header http.Header
	}{
		{"page", http.Header{}},
		{"fragment", http.Header{"Hx-Request": {"true"}, "Hx-Target": {"results"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			w := &discardWriter{header: http.Header{}}
			i := 0
			cpu := cpuTime()
			for b.Loop() {
				a := all[i%len(all)]
				i++
				a.r.Header = tc.header
				clear(w.header)
				if err := s.showCatalogue(w, a.r, ix.Providers(), a.q, a.res, ""); err != nil {
					b.Fatal(err)
				}
			}
			if cpu > 0 {
				b.ReportMetric(float64(cpuTime()-cpu)/float64(i), "cpu-ns/op")
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps nothing but its header.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
