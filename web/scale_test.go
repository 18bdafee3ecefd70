package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Browsing the imported catalogue: where the list is, how long it is, page
// sizes, a page past the end, the chart's bar for entries without a status.
func TestBrowseAtScale(t *testing.T) {
	ix := imported(t)
	h, _ := testServer(t, ix)
	n := len(ix.Entries())
	pages := (n + 19) / 20
	total := thousands(n)

	doc := page(t, h, "/", 200)
	if got := strings.Join(strings.Fields(doc.Find("[data-testid=count]").Text()), " "); got != fmt.Sprintf("1–20 of %s errors page 1 of %d", total, pages) {
		t.Errorf("count line %q", got)
	}
	if got := doc.Find("title").Text(); got != fmt.Sprintf("Every API error, explained — page 1 of %d · Errata", pages) {
		t.Errorf("title %q", got)
	}
	// The list opens on entries with a status: those without come last.
	first := resultIDsOf(doc)[0]
	if e, _ := ix.Entry(first); e.Status == 0 {
		t.Errorf("the list opens on %s, an entry without a status", first)
	}
	if got := texts(doc.Find("[data-testid=per-page] a")); !slices.Equal(got, []string{"20", "50", "100"}) {
		t.Errorf("page sizes %v", got)
	}
	if href := doc.Find(`[data-testid=per-page] a[data-value="50"]`).AttrOr("href", ""); href != "/?per_page=50" {
		t.Errorf("50 a page links to %q", href)
	}
	doc = page(t, h, "/?per_page=50&page=2", 200)
	if got := strings.Join(strings.Fields(doc.Find("[data-testid=count]").Text()), " "); !strings.HasPrefix(got, "51–100 of "+total) || len(resultIDsOf(doc)) != 50 {
		t.Errorf("50 a page, page 2: %q, %d results", got, len(resultIDsOf(doc)))
	}
	if next := doc.Find("[data-testid=next]").AttrOr("href", ""); next != "/?per_page=50&page=3" {
		t.Errorf("next keeps the page size: %q", next)
	}

	// Past the end: the last page, with a note; the API keeps its 400.
	doc = page(t, h, "/?page=999", 200)
	if note := doc.Find("[data-testid=page-note]").Text(); !strings.Contains(note, "There is no page 999") || !strings.Contains(doc.Find("[data-testid=page-of]").Text(), fmt.Sprintf("page %d of %d", pages, pages)) {
		t.Errorf("page 999: note %q, %q", note, doc.Find("[data-testid=page-of]").Text())
	}
	if a := ask(t, h, "GET", "/api/v1/search?page=999"); a.status != 200 || !strings.Contains(a.body, `"results":[]`) {
		t.Errorf("API past the end: %s", a)
	}

	// The chart has a bar for entries without a status, and it filters.
	doc = page(t, h, "/", 200)
	none := doc.Find(`[data-testid=chart-bar][href="/?status=none"]`)
	if none.Length() != 1 || !strings.Contains(none.AttrOr("aria-label", ""), "none") {
		t.Errorf("no chart bar for entries without a status: %v", attrs(doc.Find("[data-testid=chart-bar]"), "href"))
	}
	// With no status among the entries shown, the chart is that one bar.
	doc = page(t, h, "/?provider=twilio", 200)
	if bars := doc.Find("[data-testid=chart-bar]"); bars.Length() != 1 || bars.AttrOr("href", "") != "/?status=none&provider=twilio" {
		t.Errorf("Twilio's chart: %v", attrs(bars, "href"))
	}
}

// Status filters add up; each chip takes one out.
func TestSeveralStatuses(t *testing.T) {
	ix := imported(t)
	h, _ := testServer(t, ix)
	doc := page(t, h, "/", 200)
	href := func(sel string) string {
		u, _ := url.PathUnescape(doc.Find(sel).AttrOr("href", ""))
		return u
	}
	four := href(`[data-testid=status-range][data-value="400-499"]`)
	if four != "/?status=400-499" {
		t.Fatalf("4xx links to %q", four)
	}
	doc = page(t, h, four, 200)
	both := href(`[data-testid=status-none]`)
	if both != "/?status=none,400-499" {
		t.Fatalf("No status after 4xx links to %q, want both", both)
	}
	doc = page(t, h, both, 200)
	if doc.Find(`[data-testid=status-none][aria-current]`).Length() != 1 || doc.Find(`[data-testid=status-range][data-value="400-499"][aria-current]`).Length() != 1 {
		t.Error("both choices are not marked current")
	}
	res := getJSON[apiSearchResponse](t, h, "/api/v1/search?status=none,400-499&per_page=1", 200)
	if got := strings.Join(strings.Fields(doc.Find("[data-testid=count]").Text()), " "); !strings.Contains(got, "of "+thousands(res.Total)) {
		t.Errorf("count %q, the API says %d", got, res.Total)
	}
	if chips := texts(doc.Find("[data-testid=active-filter]")); !slices.Equal(chips, []string{"No status ×", "Status 400–499 ×"}) {
		t.Errorf("chips %v", chips)
	}
	// A code inside a chosen class: taking it out keeps the rest.
	doc = page(t, h, "/?status=400-499", 200)
	if got := href(`[data-testid=status-code][data-value="429"]`); got != "/?status=400-428,430-499" {
		t.Errorf("429 inside 4xx links to %q, want 4xx without it", got)
	}
	if got := href(`[data-testid=status-none]`); got != "/?status=none,400-499" {
		t.Errorf("No status with 4xx chosen links to %q", got)
	}
}

// The provider facet is a tree: children under their parent, whose count
// holds theirs; filtering by the parent lists the children's entries.
func TestProviderTree(t *testing.T) {
	ix := imported(t)
	h, _ := testServer(t, ix)
	doc := page(t, h, "/", 200)
	parent := doc.Find(`[data-testid=provider-filter][data-value=microsoft]`).Parent()
	kids := parent.ChildrenFiltered("ul").Find(`[data-testid=provider-filter]`)
	if got := attrs(kids, "data-value"); len(got) != 3 || !slices.Contains(got, "microsoft-entra") || !slices.Contains(got, "microsoft-graph") || !slices.Contains(got, "microsoft-ews") {
		t.Fatalf("Microsoft's children %v", got)
	}
	count := func(s *goquery.Selection) int { n, _ := strconv.Atoi(s.Find(".count").First().Text()); return n }
	sum := 0
	kids.Each(func(_ int, k *goquery.Selection) { sum += count(k) })
	own := 0
	for _, e := range ix.Entries() {
		if slices.Contains(e.Providers, "microsoft") {
			own++
		}
	}
	pc := count(parent.Find("[data-testid=provider-filter]").First())
	if pc != sum+own {
		t.Errorf("Microsoft counts %d, its children %d and its own %d", pc, sum, own)
	}
	doc = page(t, h, "/?provider=microsoft&per_page=100", 200)
	res := getJSON[apiSearchResponse](t, h, "/api/v1/search?provider=microsoft&per_page=1", 200)
	if res.Total != pc {
		t.Errorf("filtering by Microsoft gives %d, its facet said %d", res.Total, pc)
	}
	if !slices.ContainsFunc(resultIDsOf(doc), func(id string) bool { return strings.HasPrefix(id, "aadsts-") }) && res.Total <= 100 {
		t.Error("filtering by Microsoft lists no Entra entry")
	}
	// The top level holds no child.
	doc.Find(`[data-testid=filters] > .fgroup > .flist > li > [data-testid=provider-filter]`).Each(func(_ int, f *goquery.Selection) {
		if p := ix.Providers().Parent(f.AttrOr("data-value", "")); p != "" {
			t.Errorf("%s is at the top level, not under %s", f.AttrOr("data-value", ""), p)
		}
	})
}

// Browsing a provider's entries can be ordered by code or by title; one
// card of a status needs no heading of its own.
func TestSortAndGroups(t *testing.T) {
	ix := imported(t)
	h, _ := testServer(t, ix)
	doc := page(t, h, "/?provider=twilio", 200)
	if got := attrs(doc.Find("[data-testid=sort] a"), "href"); !slices.Equal(got, []string{"/?provider=twilio", "/?provider=twilio&sort=code", "/?provider=twilio&sort=title"}) {
		t.Fatalf("sort links %v", got)
	}
	doc = page(t, h, "/?provider=twilio&sort=code", 200)
	codes := texts(doc.Find("[data-testid=result-code]"))
	if len(codes) != 20 || !slices.IsSortedFunc(codes, func(a, b string) int { return compareNumbers(a, b) }) {
		t.Errorf("Twilio by code: %v", codes)
	}
	if doc.Find("[data-testid=group] h2").Length() != 0 {
		t.Error("a list by code is grouped by status")
	}
	if page(t, h, "/", 200).Find("[data-testid=sort]").Length() != 0 {
		t.Error("the whole catalogue offers a sort (only a provider's entries do)")
	}
	doc = page(t, h, "/?provider=twilio&sort=title&page=2", 200)
	titles := texts(doc.Find(".hit-t"))
	if len(titles) != 20 || !slices.IsSortedFunc(titles, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Errorf("Twilio by title, page 2: %v", titles)
	}
	// One-card groups of the whole catalogue carry no heading.
	doc = page(t, h, "/?per_page=100", 200)
	doc.Find("[data-testid=group]").Each(func(_ int, g *goquery.Selection) {
		if g.Find("[data-testid=result]").Length() == 1 && g.Find("h2").Length() != 0 {
			t.Errorf("a group of one card repeats its heading %q", g.Find("h2").Text())
		}
	})
}

func compareNumbers(a, b string) int {
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x - y
}
