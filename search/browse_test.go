package search

import (
	"strings"
	"testing"

	"github.com/errata/errata/content/corpus"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// refBrowse is browse as it was before it visited only the admitted
// statuses: every entry, in order.
func refBrowse(ix *Index, q Query, pl plan, res *Results) {
	status, any := q.Status.intersect(pl.textStatus)
	from := (q.Page - 1) * q.PerPage
	var statusCounts [600]int
	provCounts := map[string]int{}
	pmask := providerMask(q.Providers)
	for i := range ix.entries {
		e := &ix.entries[i]
		inStatus := any && status.Contains(e.Status)
		inProv := pmask == 0 || ix.provMask[i]&pmask != 0
		if inProv && pl.textStatus.Contains(e.Status) { // status 0 counts as "none"
			statusCounts[e.Status]++
		}
		if inStatus {
			for _, p := range e.Providers {
				provCounts[p]++
			}
		}
		if inStatus && inProv {
			if res.Total >= from && len(res.Hits) < q.PerPage {
				res.Hits = append(res.Hits, ix.hit(i, 0, nil))
			}
			res.Total++
		}
	}
	res.Facets = facetsFrom(statusCounts[:], provCounts, q)
}

// Browsing visits only the statuses the filters admit, and answers as a
// visit of every entry does: same hits, total and facets.
func TestBrowseMatchesFullScan(t *testing.T) {
	ix := build(t, corpus.Entries(realCorpora(t)))
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
			if err := normalizeQuery(&q); err != nil {
				t.Fatal(err)
			}
			pl := understand(q.Text)
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

func TestBuildRefusesStatusOutOfRange(t *testing.T) {
	es := fixtures()
	es[2].Status = 700
	if _, err := Build(es); err == nil || !strings.Contains(err.Error(), "403-in-alias") || !strings.Contains(err.Error(), "700") {
		t.Errorf("Build with status 700: %v, want an error naming the entry and its status", err)
	}
}
