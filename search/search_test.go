package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content"
	"github.com/google/go-cmp/cmp"
)

// entry is a fixture entry with cause and solution sections.
func entry(id string, status int, title string, providers, messages, aliases []string, cause, solution string) content.Entry {
	return content.Entry{
		ID: id, Status: status, Title: title, Providers: providers, Messages: messages, Aliases: aliases,
		Sections: []content.Section{
			{ID: "cause", Title: "Cause", Text: cause, HTML: "<p>" + cause + "</p>"},
			{ID: "solution", Title: "Solution", Text: solution, HTML: "<p>" + solution + "</p>"},
		},
	}
}

// fixtures is a small catalogue where each entry holds one word in one field,
// so that tests can tell which field a match came from.
func fixtures() []content.Entry {
	return []content.Entry{
		entry("429-in-message", 429, "Slow Down", []string{"gmail"}, []string{"The mailbox quota was exceeded for user {user} today."}, nil, "Too much mail.", "Wait."),
		entry("400-in-title", 400, "Mailbox Quota", nil, []string{"Something else went wrong."}, nil, "Unknown.", "Retry."),
		entry("403-in-alias", 403, "Forbidden Thing", []string{"microsoft"}, []string{"Access denied."}, []string{"quota", "force_password"}, "Policy.", "Ask an admin."),
		entry("500-in-cause", 500, "Server Broke", []string{"microsoft-graph"}, []string{"Internal error."}, nil, "A quota service failed.", "Wait and retry."),
		entry("401-identifiers", 401, "Identifier Soup", []string{"microsoft-entra"}, []string{"AADSTS50126: Error validating credentials due to invalid username or password."},
			[]string{"userinfo.email", "rateLimitExceeded"}, "The scope userinfo.email is missing.", "Grant it."),
		entry("422-throttled", 422, "Throttled Account", []string{"gmail", "microsoft"}, []string{"The account has been throttled."}, nil, "Too many requests.", "Back off."),
		entry("402-html", 402, "Payment <b>Required</b>", nil, []string{"Pay <script>alert(1)</script> now & later."}, nil, "Billing.", "Pay."),
		entry("404-phrase", 404, "Scattered Words", []string{"twilio"}, []string{"Token refresh failed while the token was revoked."}, nil, "Refresh.", "Token."),
		entry("404-exact-phrase", 404, "Exact Words", []string{"twilio"}, []string{"The refresh token was revoked."}, nil, "Revoked.", "New token."),
	}
}

func TestBuild(t *testing.T) {
	es := fixtures()
	ix := build(t, es)
	if ix.Count() != len(es) {
		t.Errorf("Count() = %d, want %d", ix.Count(), len(es))
	}
	var got []string
	for _, e := range ix.Entries() {
		got = append(got, e.ID)
	}
	want := []string{"400-in-title", "401-identifiers", "402-html", "403-in-alias", "404-exact-phrase", "404-phrase", "422-throttled", "429-in-message", "500-in-cause"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Entries() order (-want +got):\n%s", diff)
	}
	if e, ok := ix.Entry("403-in-alias"); !ok || e.Title != "Forbidden Thing" {
		t.Errorf("Entry(403-in-alias) = %v, %v", e.Title, ok)
	}
	if _, ok := ix.Entry("nope"); ok {
		t.Error("Entry(nope) found")
	}

	dup := append(fixtures(), fixtures()[0])
	if _, err := Build(dup); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("Build with a duplicate id: err = %v, want duplicate", err)
	}
}

func TestRedirect(t *testing.T) {
	es := fixtures()
	es[0].RedirectFrom = []string{"old-429"}
	ix := build(t, es)
	if id, ok := ix.Redirect("old-429"); !ok || id != "429-in-message" {
		t.Errorf("Redirect(old-429) = %q, %v", id, ok)
	}
	if _, ok := ix.Redirect("429-in-message"); ok {
		t.Error("a current id must not redirect")
	}
}

func TestFieldRanking(t *testing.T) {
	ix := build(t, fixtures())
	// One word: title > alias > message > cause.
	res := run(t, ix, Query{Text: "quota"})
	got := ids(res)
	want := []string{"400-in-title", "403-in-alias", "429-in-message", "500-in-cause"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quota (-want +got):\n%s", diff)
	}
	// The exact message, placeholder filled in, beats the title.
	res = run(t, ix, Query{Text: "The mailbox quota was exceeded for user Jane Doe today."})
	if got := ids(res); len(got) == 0 || got[0] != "429-in-message" {
		t.Errorf("exact message: got %v, want 429-in-message first", got)
	}
	// The same words in phrase order beat them scattered.
	res = run(t, ix, Query{Text: "refresh token was revoked"})
	if got := ids(res); len(got) < 2 || got[0] != "404-exact-phrase" {
		t.Errorf("phrase order: got %v, want 404-exact-phrase first", got)
	}
}

func TestIdentifiers(t *testing.T) {
	ix := build(t, fixtures())
	for _, q := range []string{"force_password", "force password", "password force_password"} {
		if got := ids(run(t, ix, Query{Text: q})); len(got) == 0 || got[0] != "403-in-alias" {
			t.Errorf("%q: got %v, want 403-in-alias first", q, got)
		}
	}
	for _, q := range []string{"userinfo.email", "userinfo", "rateLimitExceeded", "ratelimitexceeded", "AADSTS50126", "aadsts50126", "50126", "AADSTS50126:"} {
		if got := ids(run(t, ix, Query{Text: q})); len(got) == 0 || got[0] != "401-identifiers" {
			t.Errorf("%q: got %v, want 401-identifiers first", q, got)
		}
	}
}

func TestQuotedPhrase(t *testing.T) {
	ix := build(t, fixtures())
	res := run(t, ix, Query{Text: `"refresh token was revoked"`})
	if diff := cmp.Diff([]string{"404-exact-phrase"}, ids(res)); diff != "" {
		t.Errorf("quoted phrase (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"refresh token was revoked"}, res.Understood.Phrases); diff != "" {
		t.Errorf("Understood.Phrases (-want +got):\n%s", diff)
	}
	// Unquoted, both entries match.
	if got := ids(run(t, ix, Query{Text: "refresh token was revoked"})); len(got) < 2 {
		t.Errorf("unquoted: got %v, want both token entries", got)
	}
}

func TestTypos(t *testing.T) {
	ix := build(t, fixtures())
	for q, want := range map[string]string{"throtled": "422-throttled", "thrrottled": "422-throttled", "mailbx quota exceeded": "429-in-message"} {
		if got := ids(run(t, ix, Query{Text: q})); len(got) == 0 || got[0] != want {
			t.Errorf("%q: got %v, want %s first", q, got, want)
		}
	}
	// A typo ranks below the exact word: "account" matches exactly in one
	// entry; "accound" (a typo of it) must not outrank an exact match.
	res := run(t, ix, Query{Text: "throttled"})
	if got := ids(res); len(got) != 1 || got[0] != "422-throttled" {
		t.Errorf("known words are not fuzzed: got %v", got)
	}
	// Short words are never fuzzed.
	if got := ids(run(t, ix, Query{Text: "quo"})); len(got) != 0 {
		t.Errorf("quo: got %v, want nothing (no fuzziness under 4 letters)", got)
	}
}

func TestTypoRanksBelowExact(t *testing.T) {
	es := []content.Entry{
		entry("400-exact", 400, "Token Expired", nil, []string{"The token expired."}, nil, "Old.", "Renew."),
		entry("401-typo-neighbour", 401, "Taken Name", nil, []string{"The name is taken."}, nil, "Used.", "Pick another."),
	}
	ix := build(t, es)
	// "tokn" is one edit from both "token" and "taken"... only token is 1 away.
	res := run(t, ix, Query{Text: "expired tokne"})
	if got := ids(res); len(got) == 0 || got[0] != "400-exact" {
		t.Errorf("got %v, want 400-exact first", got)
	}
	exact := run(t, ix, Query{Text: "token"})
	typo := run(t, ix, Query{Text: "tokne"})
	if len(exact.Hits) == 0 || len(typo.Hits) == 0 {
		t.Fatalf("exact %v typo %v", ids(exact), ids(typo))
	}
}

func TestStatusAmongWords(t *testing.T) {
	ix := build(t, fixtures())
	res := run(t, ix, Query{Text: "429"})
	if diff := cmp.Diff([]string{"429-in-message"}, ids(res)); diff != "" {
		t.Errorf("429 alone filters (-want +got):\n%s", diff)
	}
	if res.Understood.Status.String() != "429" || res.Understood.Terms != "" {
		t.Errorf("Understood = %+v, want status 429 and no terms", res.Understood)
	}
	res = run(t, ix, Query{Text: "4xx"})
	for _, h := range res.Hits {
		if h.Status < 400 || h.Status > 499 {
			t.Errorf("4xx gave %s (%d)", h.ID, h.Status)
		}
	}
	if res.Total != 8 {
		t.Errorf("4xx total = %d, want 8", res.Total)
	}
	res = run(t, ix, Query{Text: "400-429"})
	if res.Total != 8 {
		t.Errorf("400-429 total = %d, want 8 (%v)", res.Total, ids(res))
	}
	// With words, the status boosts: both throttled-ish entries match
	// "quota", the 500 one only by its cause; 500 lifts it first.
	res = run(t, ix, Query{Text: "500 quota"})
	if got := ids(res); len(got) == 0 || got[0] != "500-in-cause" {
		t.Errorf("500 quota: got %v, want 500-in-cause first", got)
	}
	if res.Understood.Terms != "quota" {
		t.Errorf("Terms = %q: the status must not be searched as a word", res.Understood.Terms)
	}
}

func TestProviderWords(t *testing.T) {
	ix := build(t, fixtures())
	res := run(t, ix, Query{Text: "quota microsoft"})
	got := ids(res)
	// 403-in-alias and 500-in-cause are Microsoft entries; the title match
	// alone (no provider) must come after the Microsoft alias match.
	if len(got) == 0 || got[0] != "403-in-alias" {
		t.Errorf("quota microsoft: got %v, want 403-in-alias first", got)
	}
	if i, j := slices.Index(got, "500-in-cause"), slices.Index(got, "429-in-message"); i < 0 || j >= 0 && i > j {
		t.Errorf("quota microsoft: the Microsoft cause match should outrank the Gmail message match: %v", got)
	}
	res = run(t, ix, Query{Text: "throttled gmail"})
	if got := ids(res); len(got) == 0 || got[0] != "422-throttled" {
		t.Errorf("throttled gmail: %v", got)
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
			if inS {
				for _, p := range e.Providers {
					wantProv[p]++
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

func TestSnippets(t *testing.T) {
	ix := build(t, fixtures())
	res := run(t, ix, Query{Text: "script pay"})
	if len(res.Hits) == 0 {
		t.Fatal("no hits")
	}
	// The text is as written (the web layer escapes it) with its matches marked.
	got := marked(res.Hits[0].Snippet)
	if got != "[Pay] <[script]>alert(1)</[script]> now & later." {
		t.Errorf("snippet = %q, want the text as written with pay and script marked", got)
	}
	res = run(t, ix, Query{Text: "exceeded quota"})
	sn := res.Hits[0].Snippet
	var marks []string
	for _, sp := range sn {
		if sp.Mark {
			marks = append(marks, strings.ToLower(sp.Text))
		}
	}
	if diff := cmp.Diff([]string{"quota", "exceeded"}, marks); diff != "" {
		t.Errorf("marked spans (-want +got):\n%s\n%s", diff, marked(sn))
	}
	// Identifiers are marked whole.
	res = run(t, ix, Query{Text: "userinfo.email"})
	if got := marked(res.Hits[0].Snippet); !strings.Contains(got, "[userinfo.email]") {
		t.Errorf("identifier snippet = %q", got)
	}
	// Long text is cut around the first mark.
	long := entry("400-long", 400, "Long", nil, []string{strings.Repeat("filler words here ", 40) + "needle found " + strings.Repeat("more filler ", 40)}, nil, "c", "s")
	ix2 := build(t, []content.Entry{long})
	sn = run(t, ix2, Query{Text: "needle"}).Hits[0].Snippet
	if h := marked(sn); len(h) > snippetBytes+40 || !strings.Contains(h, "[needle]") || !strings.HasPrefix(h, "…") || !strings.HasSuffix(h, "…") {
		t.Errorf("long snippet = %q", h)
	}
}

func TestSuggestion(t *testing.T) {
	ix := build(t, fixtures())
	res := run(t, ix, Query{Text: `"refresh tokne was revoked"`})
	if res.Total != 0 {
		t.Fatalf("want no hits, got %v", ids(res))
	}
	if res.Suggestion != "refresh token was revoked" {
		t.Errorf("Suggestion = %q, want %q", res.Suggestion, "refresh token was revoked")
	}
	res = run(t, ix, Query{Text: "quota", Status: StatusSet{{599, 599}}})
	if res.Total != 0 || res.Suggestion != "" {
		t.Errorf("known words get no suggestion: %q", res.Suggestion)
	}
	if res := run(t, ix, Query{Text: "quota"}); res.Suggestion != "" {
		t.Errorf("a query with hits gets no suggestion: %q", res.Suggestion)
	}
}

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
