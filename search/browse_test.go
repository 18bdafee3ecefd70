package search

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestBrowseAndPaging(t *testing.T) {
	es := fixtures()
	ix := build(t, es)
	res := run(t, ix, Query{PerPage: 4, Page: 2})
	if res.Total != len(es) || res.Page != 2 || res.PerPage != 4 {
		t.Errorf("Total/Page/PerPage = %d/%d/%d", res.Total, res.Page, res.PerPage)
	}
	if diff := cmp.Diff([]string{"404-exact-phrase", "404-phrase", "422-throttled", "429-in-message"}, ids(res)); diff != "" {
		t.Errorf("page 2 (-want +got):\n%s", diff)
	}
	h := run(t, ix, Query{Status: StatusSet{{403, 403}}}).Hits[0]
	if h.ID != "403-in-alias" || h.Title != "Forbidden Thing" || h.Status != 403 || !slices.Equal(h.Providers, []string{"microsoft"}) {
		t.Errorf("hit = %+v", h)
	}
	if got := marked(h.Snippet); got != "Access denied." {
		t.Errorf("browse snippet = %q, want the start of the first message", got)
	}
	res = run(t, ix, Query{})
	if res.Page != 1 || res.PerPage != DefaultPerPage || res.Query.Page != 1 || res.Query.PerPage != DefaultPerPage {
		t.Errorf("defaults not normalised: %+v", res.Query)
	}
	// Past the end: no hits, the total still told.
	res = run(t, ix, Query{Text: "quota", Page: 3, PerPage: 2})
	if res.Total != 4 || len(res.Hits) != 0 {
		t.Errorf("page 3 of quota: total %d hits %v", res.Total, ids(res))
	}
	// Paging a text query walks the same order.
	var walked []string
	for p := 1; p <= 2; p++ {
		walked = append(walked, ids(run(t, ix, Query{Text: "quota", Page: p, PerPage: 2}))...)
	}
	if diff := cmp.Diff(ids(run(t, ix, Query{Text: "quota"})), walked); diff != "" {
		t.Errorf("pages differ from one page (-want +got):\n%s", diff)
	}
}

// refBrowse is browse as it was before it visited only the admitted
// statuses: every entry, in order, those without a status last.
func refBrowse(ix *Index, q Query, pl plan, res *Results) {
	order := make([]int, 0, len(ix.entries.all))
	for _, none := range []bool{false, true} {
		for i := range ix.entries.all {
			if (ix.entries.all[i].Status == 0) == none {
				order = append(order, i)
			}
		}
	}
	status, any := q.Status.intersect(pl.textStatus)
	from := (q.Page - 1) * q.PerPage
	var statusCounts [600]int
	provCounts := map[string]int{}
	pmask := ix.prov.filter(q.Providers)
	for _, i := range order {
		e := &ix.entries.all[i]
		inStatus := any && status.Contains(e.Status)
		inProv := pmask == 0 || ix.provMask[i]&pmask != 0
		if inProv && pl.textStatus.Contains(e.Status) { // status 0 counts as "none"
			statusCounts[e.Status]++
		}
		if inStatus {
			// Each provider named, and the parent of a child named, once.
			counted := map[string]bool{}
			for _, p := range e.Providers {
				for _, c := range []string{p, ix.prov.reg.Parent(p)} {
					if c != "" && !counted[c] {
						counted[c] = true
						provCounts[c]++
					}
				}
			}
		}
		if inStatus && inProv {
			if res.Total >= from && len(res.Hits) < q.PerPage {
				res.Hits = append(res.Hits, ix.hit(i, 0, "", nil))
			}
			res.Total++
		}
	}
	res.Facets = facetsFrom(statusCounts[:], provCounts, q)
}

// Browsing visits only the statuses the filters admit, and answers as a
// visit of every entry does: same hits, total and facets.
func TestBrowseMatchesFullScan(t *testing.T) {
	t.Parallel() // reads the shared index only
	ix := corporaIndex(t)
	texts := []string{"", "429", "4xx", "400-404", "500 503", "5xx 429", "200"}
	filters := []Query{{}, {Status: StatusSet{{400, 499}}}, {Status: StatusSet{{429, 429}}}, {Status: StatusSet{{500, 599}}},
		{Providers: []string{"twilio"}}, {Providers: []string{"microsoft-graph", "gmail"}}, {Status: StatusSet{{400, 403}}, Providers: []string{"microsoft-entra"}},
		{Page: 3}, {Page: 40, PerPage: 50},
		{Status: StatusSet{{0, 0}}}, {Status: StatusSet{{0, 0}, {400, 499}}, Providers: []string{"twilio"}}, {Status: StatusSet{{0, 0}}, Page: 30},
		{Providers: []string{"twilio"}, Page: 5, PerPage: 7}, {Status: StatusSet{{0, 0}, {400, 499}}, Providers: []string{"microsoft-ews", "twilio"}, Page: 9, PerPage: 33},
		{Status: StatusSet{{0, 0}}, Providers: []string{"microsoft-entra"}, Page: 1000, PerPage: 100}}
	n := 0
	for _, text := range texts {
		for _, f := range filters {
			q := f
			q.Text = text
			if err := normalizeQuery(&q, ix.prov.reg); err != nil {
				t.Fatal(err)
			}
			pl := understand(q.Text, builtinSignals)
			if len(pl.words) > 0 {
				t.Fatalf("%q has words: not a browse", text)
			}
			var got, want Results
			ix.browse(q, pl, &got)
			refBrowse(ix, q, pl, &want)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%q %v %v page %d: browse differs from a full scan (-full +browse):\n%s", text, q.Status, q.Providers, q.Page, diff)
			}
			n += got.Total
		}
	}
	if n == 0 {
		t.Error("every browse was empty")
	}
}
