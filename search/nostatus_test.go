package search

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
	"github.com/google/go-cmp/cmp"
)

// noStatusFixtures are entries whose source gives no HTTP status, with words
// the fixtures share (quota, token revoked) and a twin of a 429 entry.
func noStatusFixtures() []content.Entry {
	return []content.Entry{
		entry("none-queue-quota", 0, "Queue Quota Reached", []string{"twilio"}, []string{"The queue quota was reached."}, nil, "Too many queued.", "Drain the queue."),
		entry("none-token-revoked", 0, "Upstream Revocation", []string{"microsoft-entra"}, []string{"The refresh token was revoked upstream."}, nil, "Revoked.", "Sign in again."),
		entry("none-no-provider", 0, "Quota Without Status", nil, []string{"A quota ran out."}, nil, "Unknown.", "Wait."),
		entry("twin-none", 0, "Twin Glitch", []string{"gmail"}, []string{"The twin glitch happened."}, nil, "Glitch.", "Retry."),
		entry("twin-429", 429, "Twin Glitch", []string{"gmail"}, []string{"The twin glitch happened."}, nil, "Glitch.", "Retry."),
	}
}

// statusValue is how a facet and a filter name an entry's status.
func statusValue(code int) string {
	if code == 0 {
		return StatusNone
	}
	return strconv.Itoa(code)
}

// The none filter, alone and in a list, with words and providers, answers
// what a scan of the unfiltered matches gives; browsing keeps status order.
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
					for _, e := range ix.Entries() { // status order, then id
						if st.Contains(e.Status) && hasProvider(&e, provs) {
							want = append(want, e.ID)
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
		err := normalizeQuery(&q)
		if (err == nil) != c.ok {
			t.Errorf("normalizeQuery(status %v) = %v, want ok %v", c.s, err, c.ok)
		}
	}
}

// On the real corpora, where most entries have no status, none counts and
// finds exactly the entries without one.
func TestNoStatusRealCorpora(t *testing.T) {
	es := corpus.Entries(realCorpora(t))
	ix := build(t, es)
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
