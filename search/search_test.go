package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

func TestInvalidQueries(t *testing.T) {
	ix := build(t, fixtures())
	for _, q := range []Query{
		{Page: -1}, {Page: MaxPage + 1}, {PerPage: -5}, {PerPage: MaxPerPage + 1},
		{Status: StatusSet{{600, 700}}}, {Status: StatusSet{{499, 400}}}, {Providers: []string{"yahoo"}},
	} {
		_, err := ix.Search(context.Background(), q)
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Message == "" {
			t.Errorf("Search(%+v) = %v, want *InvalidError", q, err)
		}
	}
}

func TestNormalizeQueryStatus(t *testing.T) {
	for _, c := range []struct {
		s  StatusSet
		ok bool
	}{
		{StatusSet{{0, 0}}, true},
		{StatusSet{{0, 0}, {400, 499}}, true},
		{StatusSet{{0, 99}}, false},
		{StatusSet{{0, 499}}, false},
		{StatusSet{{1, 1}}, false},
		{StatusSet{{600, 600}}, false},
	} {
		q := Query{Status: c.s}
		err := normalizeQuery(&q, content.BuiltinProviders())
		if (err == nil) != c.ok {
			t.Errorf("normalizeQuery(status %v) = %v, want ok %v", c.s, err, c.ok)
		}
	}
}

func TestContextIsHonoured(t *testing.T) {
	ix := build(t, fixtures())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ix.Search(ctx, Query{Text: "quota"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled search: err = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := ix.Search(ctx, Query{Text: "quota"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired search: err = %v, want context.DeadlineExceeded", err)
	}
}

func TestPastedErrors(t *testing.T) {
	ix := build(t, fixtures())
	for q, want := range map[string]string{
		"HTTP/1.1 422 Unprocessable Entity\nThe account has been throttled.":        "422-throttled",
		`{"error":{"code":403,"message":"Access denied."}}`:                         "403-in-alias",
		`{"message":"Error validating credentials","type":"invalid_request_error"}`: "401-identifiers",
		`{"error":"invalid_grant","error_description":"AADSTS50126: Error validating credentials due to invalid username or password.\r\nTrace ID: 0b7c8e5a-1d2f-4b3c-9e8d-7a6b5c4d3e2f\r\nCorrelation ID: 1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d\r\nTimestamp: 2024-05-02 10:11:12Z","error_codes":[50126]}`: "401-identifiers",
		`time="2024-05-02T10:11:12Z" level=error msg="send failed" err="{\"message\":\"The mailbox quota was exceeded for user alice@example.com today.\"}" request_id=abc123def456`:                                                                                                                        "429-in-message",
	} {
		res := run(t, ix, Query{Text: q})
		if got := ids(res); len(got) == 0 || got[0] != want {
			t.Errorf("%q: got %v, want %s first", clip(q, 50), got, want)
		}
		if !res.Understood.Pasted {
			t.Errorf("%q: not read as a paste", clip(q, 50))
		}
	}
}

func TestSyntaxIsPlainText(t *testing.T) {
	ix := build(t, fixtures())
	for _, q := range []string{`title:Quota`, `quota~2`, `quota^10`, `quo*`, `+quota -mailbox`, `/quo.*/`, `[400 TO 500]`, `{quota}`, `(quota OR access)`, `status:429`, `\`, `"`, `""`, `" "`, `*:*`, `quota AND NOT access`, `_id:1`} {
		res, err := ix.Search(context.Background(), Query{Text: q})
		if err != nil {
			t.Errorf("%q: %v", q, err)
			continue
		}
		for _, h := range res.Hits {
			if res.Understood.Terms == "" {
				break // no words: browsing, checked below
			}
			e, _ := ix.Entry(h.ID)
			// Every hit must contain one of the query's words somewhere:
			// no wildcard, regexp or field query can widen the match.
			text := strings.ToLower(fmt.Sprint(e.Title, e.Messages, e.Aliases, e.Sections, e.Providers))
			found := false
			for _, w := range res.Understood.Status {
				found = found || w.Lo <= e.Status && e.Status <= w.Hi
			}
			eachIdent(strings.ToLower(res.Understood.Terms), func(_, _ int, w string) {
				found = found || strings.Contains(text, strings.TrimSuffix(w, "s")) || len(w) >= 4
			})
			if !found {
				t.Errorf("%q matched %s, which has none of its words", q, h.ID)
			}
		}
		if res.Understood.Terms != "" { // no words at all browses everything, as an empty query does
			if res.Total == len(ix.Entries()) {
				t.Errorf("%q matched everything: query syntax leaked", q)
			}
		}
	}
}

func TestFacetsHonourOtherFilters(t *testing.T) {
	// The fixtures alone: every filter admits a large share, one pass.
	// Padded with 60 Twilio 5xx entries: narrow filters take the two-pass
	// path (count, then score the filtered documents only).
	padded := fixtures()
	for i := range 60 {
		padded = append(padded, entry(fmt.Sprintf("503-pad-%02d", i), 503, "Padding Quota", []string{"twilio"},
			[]string{"The quota service is unavailable."}, nil, "Token refresh throttled.", "Retry."))
	}
	// Entries without a status, alone and in the padded catalogue, where
	// "none" is a narrow filter too.
	withNone := append(fixtures(), noStatusFixtures()...)
	paddedNone := append(padded, noStatusFixtures()...)
	for _, es := range [][]content.Entry{fixtures(), padded, withNone, paddedNone} {
		ix := build(t, es)
		if len(es) > len(withNone) && !ix.selective(Query{Status: StatusSet{{400, 499}}}) {
			t.Fatal("4xx should be a narrow filter in the padded catalogue")
		}
		if len(es) == len(paddedNone) && !ix.selective(Query{Status: StatusSet{{0, 0}}}) {
			t.Fatal("none should be a narrow filter in the padded catalogue")
		}
		checkFacets(t, ix, es)
	}
}

func checkFacets(t *testing.T, ix *Index, es []content.Entry) {
	t.Helper()
	for _, c := range []struct {
		text      string
		status    string
		providers []string
	}{
		{"", "", nil},
		{"", "4xx", nil},
		{"", "", []string{"microsoft"}},
		{"", "400-429", []string{"gmail", "twilio"}},
		{"quota", "", nil},
		{"quota", "4xx", nil},
		{"quota", "", []string{"microsoft"}},
		{"token revoked throttled quota", "4xx", []string{"gmail"}},
		{"429 quota", "", []string{"gmail"}},
		{"", "none", nil},
		{"", "none,4xx", []string{"twilio"}},
		{"quota", "none", nil},
		{"quota", "none,500", []string{"twilio", "gmail"}},
		{"refresh token revoked", "none", nil},
		{"429 quota", "none", nil},
		// Stop words alone require nothing: under a narrow filter too, they
		// find nothing, or only the status typed among them.
		{"cannot", "4xx", nil},
		{"the 429", "4xx", nil},
		{"the 5xx", "4xx", nil},
		{"the 429", "", []string{"gmail"}},
	} {
		name := fmt.Sprintf("%q status=%q providers=%v", c.text, c.status, c.providers)
		st, err := ParseStatus(c.status)
		if err != nil {
			t.Fatal(err)
		}
		q := Query{Text: c.text, Status: st, Providers: c.providers, PerPage: MaxPerPage}
		res := run(t, ix, q)
		// What a click on each facet value would give, found by running it.
		all := run(t, ix, Query{Text: c.text, PerPage: MaxPerPage})
		matched := map[string]bool{}
		for _, h := range all.Hits {
			matched[h.ID] = true
		}
		wantStatus, wantProv := map[string]int{}, map[string]int{}
		wantTotal := 0
		for _, e := range es {
			if !matched[e.ID] {
				continue
			}
			inS, inP := st.Contains(e.Status), hasProvider(&e, c.providers)
			if inP {
				wantStatus[statusValue(e.Status)]++
			}
			if inS { // each provider named, and the parent of a child named, once
				counted := map[string]bool{}
				for _, p := range e.Providers {
					for _, c := range []string{p, content.BuiltinProviders().Parent(p)} {
						if c != "" && !counted[c] {
							counted[c] = true
							wantProv[c]++
						}
					}
				}
			}
			if inS && inP {
				wantTotal++
			}
		}
		gotStatus, gotProv := map[string]int{}, map[string]int{}
		for _, f := range res.Facets.Status {
			gotStatus[f.Value] = f.Count
			code, _ := parseCode(f.Value) // "none" is 0
			if f.Selected != (len(st) > 0 && st.Contains(code)) {
				t.Errorf("%s: status %s Selected = %v", name, f.Value, f.Selected)
			}
		}
		for _, f := range res.Facets.Provider {
			gotProv[f.Value] = f.Count
			if f.Selected != slices.Contains(c.providers, f.Value) {
				t.Errorf("%s: provider %s Selected = %v", name, f.Value, f.Selected)
			}
		}
		if diff := cmp.Diff(wantStatus, gotStatus); diff != "" {
			t.Errorf("%s: status facet (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff(wantProv, gotProv); diff != "" {
			t.Errorf("%s: provider facet (-want +got):\n%s", name, diff)
		}
		if res.Total != wantTotal || len(res.Hits) != wantTotal {
			t.Errorf("%s: total %d, hits %d, want %d", name, res.Total, len(res.Hits), wantTotal)
		}
		for _, h := range res.Hits {
			if math.IsNaN(h.Score) || math.IsInf(h.Score, 0) {
				t.Errorf("%s: hit %s scores %v", name, h.ID, h.Score)
			}
		}
		// And each count is what the click gives.
		for _, f := range res.Facets.Status {
			s, _ := ParseStatus(f.Value)
			if n := run(t, ix, Query{Text: c.text, Status: s, Providers: c.providers}).Total; n != f.Count {
				t.Errorf("%s: status facet %s says %d, click gives %d", name, f.Value, f.Count, n)
			}
		}
		for _, f := range res.Facets.Provider {
			if n := run(t, ix, Query{Text: c.text, Status: st, Providers: []string{f.Value}}).Total; n != f.Count {
				t.Errorf("%s: provider facet %s says %d, click gives %d", name, f.Value, f.Count, n)
			}
		}
	}
}

func TestFacetOrder(t *testing.T) {
	ix := build(t, fixtures())
	res := run(t, ix, Query{})
	if !slices.IsSortedFunc(res.Facets.Status, func(a, b FacetValue) int { return strings.Compare(a.Value, b.Value) }) {
		t.Errorf("status facet not ascending: %v", res.Facets.Status)
	}
	if slices.ContainsFunc(res.Facets.Status, func(f FacetValue) bool { return f.Value == StatusNone }) {
		t.Errorf("status facet offers none in a catalogue where every entry has a status: %v", res.Facets.Status)
	}
	// Entries without a status come first, as status 0 does in Entries().
	res = run(t, build(t, append(fixtures(), noStatusFixtures()...)), Query{})
	if len(res.Facets.Status) < 2 || res.Facets.Status[0].Value != StatusNone ||
		!slices.IsSortedFunc(res.Facets.Status[1:], func(a, b FacetValue) int { return strings.Compare(a.Value, b.Value) }) {
		t.Errorf("status facet should be none, then codes ascending: %v", res.Facets.Status)
	}
	if res.Facets.Provider[0].Value != "gmail" && res.Facets.Provider[0].Value != "microsoft" {
		t.Errorf("provider facet should lead with the most common: %v", res.Facets.Provider)
	}
	for i := 1; i < len(res.Facets.Provider); i++ {
		a, b := res.Facets.Provider[i-1], res.Facets.Provider[i]
		if a.Count < b.Count || a.Count == b.Count && a.Value > b.Value {
			t.Errorf("provider facet order: %v", res.Facets.Provider)
		}
	}
}

// The none filter, alone and in a list, with words and providers, answers
// what a scan of the unfiltered matches gives; browsing keeps status order,
// entries without a status last.
func TestNoStatusFilter(t *testing.T) {
	es := append(fixtures(), noStatusFixtures()...)
	ix := build(t, es)
	byID := map[string]content.Entry{}
	for _, e := range es {
		byID[e.ID] = e
	}
	noneHits := 0
	for _, text := range []string{"", "quota", "refresh token revoked", "glitch", "gmail quota"} {
		for _, status := range []string{"none", "NONE", "none,4xx", "none,500-599", "429,none"} {
			for _, provs := range [][]string{nil, {"twilio"}, {"microsoft-entra", "gmail"}} {
				st, err := ParseStatus(status)
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%q status=%s providers=%v", text, status, provs)
				res := run(t, ix, Query{Text: text, Status: st, Providers: provs, PerPage: MaxPerPage})
				var want []string
				if text == "" {
					for _, none := range []bool{false, true} {
						for _, e := range ix.Entries() { // status order, then id
							if (e.Status == 0) == none && st.Contains(e.Status) && hasProvider(&e, provs) {
								want = append(want, e.ID)
							}
						}
					}
				} else {
					for _, id := range ids(run(t, ix, Query{Text: text, PerPage: MaxPerPage})) {
						if e := byID[id]; st.Contains(e.Status) && hasProvider(&e, provs) {
							want = append(want, id)
						}
					}
				}
				got := ids(res)
				if text != "" { // the filter may reorder equal scores; the set is what counts
					slices.Sort(got)
					slices.Sort(want)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: hits (-scan +search):\n%s", name, diff)
				}
				if res.Total != len(want) {
					t.Errorf("%s: total %d, scan finds %d", name, res.Total, len(want))
				}
				for _, h := range res.Hits {
					if h.Status == 0 {
						noneHits++
					}
				}
			}
		}
	}
	if noneHits == 0 {
		t.Error("no search found an entry without a status")
	}
}

// A status typed in the text is a code: it never selects, counts or lifts
// an entry without a status.
func TestTypedStatusSkipsNoStatus(t *testing.T) {
	es := append(fixtures(), noStatusFixtures()...)
	ix := build(t, es)
	for _, text := range []string{"429", "4xx", "100-599", "1xx 2xx 3xx 4xx 5xx"} {
		res := run(t, ix, Query{Text: text, PerPage: MaxPerPage})
		want := 0
		for _, e := range es {
			if e.Status > 0 && res.Understood.Status.Contains(e.Status) {
				want++
			}
		}
		if res.Total != want || len(res.Hits) != want {
			t.Errorf("%q: total %d, hits %d, want %d with a status", text, res.Total, len(res.Hits), want)
		}
		for _, h := range res.Hits {
			if h.Status == 0 {
				t.Errorf("%q found %s, which has no status", text, h.ID)
			}
		}
		if slices.ContainsFunc(res.Facets.Status, func(f FacetValue) bool { return f.Value == StatusNone }) {
			t.Errorf("%q: status facet counts entries without a status: %v", text, res.Facets.Status)
		}
		if n := run(t, ix, Query{Text: text, Status: StatusSet{{0, 0}}}).Total; n != 0 {
			t.Errorf("%q with status=none: %d hits, want none (no entry has both)", text, n)
		}
	}
	// Twins differ only by status: the word alone ties them (document order
	// puts the one without a status first); a typed class lifts the 429 only.
	if got := first(ids(run(t, ix, Query{Text: "glitch"})), 2); !slices.Equal(got, []string{"twin-none", "twin-429"}) {
		t.Errorf("glitch: %v, want the twins in document order", got)
	}
	if got := first(ids(run(t, ix, Query{Text: "4xx glitch"})), 2); !slices.Equal(got, []string{"twin-429", "twin-none"}) {
		t.Errorf("4xx glitch: %v, want the 429 twin first", got)
	}
}

// On the real corpora, where most entries have no status, none counts and
// finds exactly the entries without one.
func TestNoStatusRealCorpora(t *testing.T) {
	es, ix := corpustest.RealEntries(t), corporaIndex(t)
	none := StatusSet{{0, 0}}
	want := 0
	for _, e := range es {
		if e.Status == 0 {
			want++
		}
	}
	if want == 0 {
		t.Fatal("the corpora have no entry without a status; the test proves nothing")
	}
	if n := run(t, ix, Query{Status: none}).Total; n != want {
		t.Errorf("status=none: %d entries, want %d", n, want)
	}
	for _, text := range []string{"", "throttled", "token expired", "mailbox", "invalid phone number"} {
		all := run(t, ix, Query{Text: text})
		count := -1
		for _, f := range all.Facets.Status {
			if f.Value == StatusNone {
				count = f.Count
			}
		}
		got := run(t, ix, Query{Text: text, Status: none})
		if count < 0 && got.Total > 0 {
			t.Errorf("%q: no none facet, but status=none finds %d", text, got.Total)
		}
		if count >= 0 && got.Total != count {
			t.Errorf("%q: none facet says %d, status=none finds %d", text, count, got.Total)
		}
		for _, h := range got.Hits {
			if h.Status != 0 {
				t.Errorf("%q status=none found %s with status %d", text, h.ID, h.Status)
			}
		}
	}
}

// A catalogue of at most collectorCounts entries is counted by the
// collector as bleve hands it the matches; counting by bitmaps, as larger
// catalogues are, gives the same totals, facets and best hits with the same
// scores, with filters and without.
func TestSmallCatalogueCountsAsBitmaps(t *testing.T) {
	ix := catalogue(t)
	if ix.Len() > collectorCounts {
		t.Fatalf("the catalogue has %d entries, more than collectorCounts (%d): the test compares nothing", ix.Len(), collectorCounts)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	qs := rerankQueries(ix.entries.all, 60, rng)
	for _, c := range loadRelevance(t) {
		qs = append(qs, c.Query)
	}
	ctx := context.Background()
	compared := 0
	for _, text := range qs {
		for _, q := range []Query{
			{Text: text}, {Text: text, Status: StatusSet{{400, 499}}},
			{Text: text, Providers: []string{"gmail"}}, {Text: text, Status: StatusSet{{500, 599}}, Providers: []string{"microsoft"}},
		} {
			if err := normalizeQuery(&q, ix.prov.reg); err != nil {
				t.Fatal(err)
			}
			pl, ws := plannedWords(t, ix, q.Text)
			must, should := ix.textQuery(&pl, ws, reachAll)
			if len(must) == 0 {
				continue
			}
			small, counted := ix.newCollector(q, rerankWindow), ix.newCollector(q, rerankWindow)
			if err := ix.match(ctx, q, pl, ws, must, should, small); err != nil {
				t.Fatal(err)
			}
			if err := ix.matchCounted(ctx, q, pl, ws, must, should, counted); err != nil {
				t.Fatal(err)
			}
			if small.total != counted.total || small.statusCounts != counted.statusCounts || small.provCounts != counted.provCounts {
				t.Fatalf("%+v: the collector counts %d, the bitmaps %d (or the facets differ)", q, small.total, counted.total)
			}
			if s, c := small.best(), counted.best(); !slices.Equal(s, c) {
				t.Fatalf("%+v: best hits\ncollector %v\nbitmaps   %v", q, s, c)
			}
			compared += small.total
		}
	}
	if compared < len(qs) {
		t.Errorf("%d matches over %d queries: the comparison hardly compares", compared, len(qs))
	}
}
