package web

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/search"
)

// noStatusFixtures is the fixture catalogue plus entries written with
// "status: none", as imported records without an HTTP status are.
var noStatusFixtures = onceIndex("the catalogue with entries without a status", func() fs.FS {
	fsys := fixtureFS()
	for i, p := range []string{"providers: [twilio]\n", "providers: [twilio]\n", "providers: [gmail]\n", "", "providers: [twilio]\n"} {
		id := fmt.Sprintf("none-fixture-%d", i)
		fsys["entries/"+id+".md"] = &fstest.MapFile{Data: []byte(fmt.Sprintf(`---
id: %s
status: none
title: Queue overflow number %d
%smessages:
  - "Queue overflow %d: the {resource} went wobbly"
updated: 2026-02-%02d
---

## Cause

The zorblat queue on fixture %d overflowed.

## Solution

Drain the zorblat queue.
`, id, i, p, i, 1+i, i))}
	}
	return fsys
})

func hitIDs(r apiSearchResponse) []string {
	var out []string
	for _, h := range r.Results {
		out = append(out, h.ID)
	}
	return out
}

// The API's status=none, alone, in a list, with words and providers, gives
// what a scan of the entries (or of the unfiltered matches) gives.
func TestAPINoStatus(t *testing.T) {
	ix := noStatusFixtures(t)
	h, _ := testServer(t, ix)
	zero := 0
	for _, e := range ix.Entries() {
		if e.Status == 0 {
			zero++
		}
	}
	if zero == 0 {
		t.Fatal("the fixtures have no entry without a status")
	}
	for _, c := range []struct {
		q, status, canonical string
		providers            []string
	}{
		{"", "none", "none", nil},
		{"", "NONE", "none", nil},
		{"", "4xx,none", "none,400-499", nil},
		{"", "none", "none", []string{"twilio"}},
		{"", "none,5xx", "none,500-599", []string{"gmail", "twilio"}},
		{"zorblat", "none", "none", nil},
		{"queue overflow", "none,429", "none,429", []string{"twilio"}},
		{"wobbly", "none,4xx", "none,400-499", []string{"gmail"}},
	} {
		st, _ := search.ParseStatus(c.status)
		v := url.Values{"q": {c.q}, "status": {c.status}, "provider": c.providers, "per_page": {"100"}}
		name := v.Encode()
		got := getJSON[apiSearchResponse](t, h, "/api/v1/search?"+name, 200)
		if got.Query.Status != c.canonical {
			t.Errorf("%s: query.status %q, want %q", name, got.Query.Status, c.canonical)
		}
		var want []string
		if c.q == "" { // status order, entries without a status last
			for _, none := range []bool{false, true} {
				for _, e := range ix.Entries() {
					if (e.Status == 0) == none && st.Contains(e.Status) && hasAnyProvider(e.Providers, c.providers) {
						want = append(want, e.ID)
					}
				}
			}
		} else {
			all := getJSON[apiSearchResponse](t, h, "/api/v1/search?"+url.Values{"q": {c.q}, "per_page": {"100"}}.Encode(), 200)
			for _, r := range all.Results {
				if st.Contains(r.Status) && hasAnyProvider(r.Providers, c.providers) {
					want = append(want, r.ID)
				}
			}
		}
		ids := hitIDs(got)
		if c.q != "" {
			slices.Sort(ids)
			slices.Sort(want)
		}
		if diff := cmp.Diff(want, ids); diff != "" || got.Total != len(want) {
			t.Errorf("%s: total %d; ids (-scan +api):\n%s", name, got.Total, diff)
		}
		if !slices.ContainsFunc(got.Results, func(r apiHit) bool { return r.Status == 0 }) {
			t.Errorf("%s: no entry without a status among %v", name, ids)
		}
		// The none facet (status filter ignored) is what clicking it gives.
		n := -1
		for _, f := range got.Facets.Status {
			if f.Value == "none" {
				n = f.Count
			}
		}
		click := getJSON[apiSearchResponse](t, h, "/api/v1/search?"+url.Values{"q": {c.q}, "status": {"none"}, "provider": c.providers}.Encode(), 200)
		if n != click.Total {
			t.Errorf("%s: none facet %d, status=none gives %d", name, n, click.Total)
		}
	}
	// A status typed in the words selects codes only.
	got := getJSON[apiSearchResponse](t, h, "/api/v1/search?q=4xx&per_page=100", 200)
	for _, r := range got.Results {
		if r.Status == 0 {
			t.Errorf("q=4xx found %s, which has no status", r.ID)
		}
	}
	if got := getJSON[apiSearchResponse](t, h, "/api/v1/search?q=4xx&status=none", 200); got.Total != 0 {
		t.Errorf("q=4xx&status=none: %d results, want 0", got.Total)
	}
}

func hasAnyProvider(have, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, p := range have {
		if slices.Contains(want, p) {
			return true
		}
	}
	return false
}

// The embedded catalogue gives every entry a status: no none facet, no
// "No status" link, and status=none finds nothing.
func TestNoStatusAbsentFromCatalogue(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	got := getJSON[apiSearchResponse](t, h, "/api/v1/search", 200)
	for _, f := range got.Facets.Status {
		if f.Value == "none" {
			t.Errorf("status facet offers none: %v", got.Facets.Status)
		}
	}
	if got := getJSON[apiSearchResponse](t, h, "/api/v1/search?status=none", 200); got.Total != 0 {
		t.Errorf("status=none: %d results in a catalogue where every entry has a status", got.Total)
	}
	doc := page(t, h, "/", 200)
	if n := doc.Find("[data-testid=status-none]").Length(); n != 0 {
		t.Errorf("%d No status links on a catalogue without such entries", n)
	}
	// Selected but empty, it still shows so that it can be removed.
	doc = page(t, h, "/?status=none", 200)
	a := doc.Find("[data-testid=status-none]")
	if href, _ := a.Attr("href"); a.Length() != 1 || href != "/" {
		t.Errorf("selected empty none: %d links to %q, want one to /", a.Length(), href)
	}
}

// The page offers "No status" with the count its click gives; selected,
// it is current, links to its removal and carries through the URL.
func TestCatalogueNoStatus(t *testing.T) {
	ix := noStatusFixtures(t)
	h, _ := testServer(t, ix)
	for _, base := range []url.Values{{}, {"provider": {"twilio"}}, {"q": {"zorblat"}}, {"q": {"queue overflow"}, "provider": {"gmail"}}} {
		doc := page(t, h, "/?"+base.Encode(), 200)
		a := doc.Find("[data-testid=status-none]")
		if a.Length() != 1 {
			t.Fatalf("%v: %d No status links, want 1", base, a.Length())
		}
		if got := strings.Join(strings.Fields(a.Find(".fl").Text()), " "); got != "No status" {
			t.Errorf("%v: label %q", base, got)
		}
		if _, sel := a.Attr("aria-current"); sel {
			t.Errorf("%v: No status marked current before it is chosen", base)
		}
		href, _ := a.Attr("href")
		want := url.Values{"status": {"none"}}
		for k, v := range base {
			want[k] = v
		}
		if u, err := url.Parse(href); err != nil || !cmp.Equal(u.Query(), want) {
			t.Errorf("%v: No status links to %q", base, href)
		}
		count, _ := strconv.Atoi(a.Find(".count").Text())
		clicked := page(t, h, href+"&per_page=100", 200)
		got := resultIDsOf(clicked)
		if count == 0 || len(got) != min(count, 20) {
			t.Errorf("%v: No status says %d, leads to %d", base, count, len(got))
		}
		for _, id := range got {
			if e, _ := ix.Entry(id); e.Status != 0 {
				t.Errorf("%v: No status lists %s with status %d", base, id, e.Status)
			}
		}
		sel := clicked.Find("[data-testid=status-none]")
		if _, ok := sel.Attr("aria-current"); !ok {
			t.Errorf("%v: chosen No status has no aria-current", base)
		}
		if h, _ := sel.Attr("href"); h != (listState{Q: base.Get("q"), Providers: base["provider"], PerPage: 100}).URL() {
			t.Errorf("%v: chosen No status links to %q, want its removal", base, h)
		}
		if got := texts(clicked.Find("[data-testid=active-filter]")); len(got) == 0 || got[0] != "No status ×" {
			t.Errorf("%v: active chips %v", base, got)
		}
		if got := attrs(clicked.Find("[data-testid=search-form] input[type=hidden][name=status]"), "value"); !cmp.Equal(got, []string{"none"}) {
			t.Errorf("%v: hidden status %v", base, got)
		}
	}
	// Canonical URL and htmx's pushed URL carry none in canonical form.
	doc := page(t, h, "/?status=4xx,NONE&provider=twilio", 200)
	if got, _ := doc.Find("link[rel=canonical]").Attr("href"); got != "https://errata.example/?status=none%2C400-499&provider=twilio" {
		t.Errorf("canonical %q", got)
	}
	res := do(t, h, http.MethodGet, "/?q=zorblat&status=None", "HX-Request", "true", "HX-Target", "results")
	if res.StatusCode != 200 || res.Header.Get("HX-Push-Url") != "/?q=zorblat&status=none" {
		t.Errorf("fragment: %d, HX-Push-Url %q", res.StatusCode, res.Header.Get("HX-Push-Url"))
	}
	frag, err := goquery.NewDocumentFromReader(strings.NewReader(body(t, res)))
	if err != nil {
		t.Fatal(err)
	}
	if ids := resultIDsOf(frag); len(ids) == 0 || !strings.HasPrefix(ids[0], "none-fixture-") {
		t.Errorf("fragment results %v", ids)
	}
}

// A bad status value answers 400 naming none among the accepted values.
func TestNoStatusBadValue(t *testing.T) {
	h, _ := testServer(t, noStatusFixtures(t))
	for _, v := range []string{"nothing", "0", "none-499", "nul"} {
		e := getJSON[apiErrorBody](t, h, "/api/v1/search?status="+url.QueryEscape(v), 400)
		if e.Error.Param != "status" || !strings.Contains(e.Error.Message, "none") {
			t.Errorf("status=%s: %+v, want a status message naming none", v, e.Error)
		}
		res := do(t, h, http.MethodGet, "/?status="+url.QueryEscape(v))
		if b := body(t, res); res.StatusCode != 400 || !strings.Contains(b, "none for entries without a status") {
			t.Errorf("page status=%s: %d, message naming none missing", v, res.StatusCode)
		}
	}
}
