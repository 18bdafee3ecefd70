package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/search"
)

func getJSON[T any](t *testing.T, h http.Handler, target string, wantStatus int) T {
	t.Helper()
	res := do(t, h, "GET", target)
	b := body(t, res)
	if res.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d\n%s", target, res.StatusCode, wantStatus, cut(b, 2000))
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var v T
	dec := json.NewDecoder(strings.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("GET %s: %v\n%s", target, err, cut(b, 2000))
	}
	return v
}

func TestAPISearch(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	got := getJSON[apiSearchResponse](t, h, "/api/v1/search?q=quota&status=4xx&provider=Gmail,microsoft&per_page=5", 200)

	res, err := ix.Search(context.Background(), search.Query{Text: "quota", Status: search.StatusSet{{Lo: 400, Hi: 499}},
		Providers: []string{"gmail", "microsoft"}, PerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := apiSearchResponse{
		Query:      apiQuery{Q: "quota", Status: "400-499", Provider: []string{"gmail", "microsoft"}, Page: 1, PerPage: 5},
		Total:      res.Total,
		Page:       1,
		PerPage:    5,
		Results:    []apiHit{},
		Facets:     apiFacets{Status: []apiFacet{}, Provider: []apiFacet{}},
		Understood: apiUnderstood{Shape: "text", Codes: []string{}, Providers: []string{}, Terms: "quota", Query: "quota"},
	}
	for _, hit := range res.Hits {
		want.Results = append(want.Results, apiHit{ID: hit.ID, Status: hit.Status, Codes: nonNil(hit.Codes), Providers: nonNil(hit.Providers),
			Title: hit.Title, URL: "/errors/" + hit.ID, Snippet: plain(hit.Snippet), SnippetHTML: snippetHTML(hit.Snippet),
			SnippetFrom: hit.SnippetFrom, Match: hit.Match})
	}
	for _, f := range res.Facets.Status {
		want.Facets.Status = append(want.Facets.Status, apiFacet{f.Value, f.Count})
	}
	for _, f := range res.Facets.Provider {
		want.Facets.Provider = append(want.Facets.Provider, apiFacet{f.Value, f.Count})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("search JSON (-want +got):\n%s", diff)
	}
	if len(got.Results) == 0 || !strings.Contains(got.Results[0].SnippetHTML, "<mark>") {
		t.Errorf("no highlighted result: %+v", got.Results)
	}
}

// The exact bytes of a small answer: field names, [] for empty lists.
func TestAPISearchShape(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	res := do(t, h, "GET", "/api/v1/search?q=zzzxqy")
	want := `{"query":{"q":"zzzxqy","status":"","provider":[],"page":1,"per_page":20},"total":0,"page":1,"per_page":20,"results":[],"facets":{"status":[],"provider":[]},"suggestion":"",` +
		`"understood":{"pasted":false,"shape":"text","status":"","codes":[],"message":"","providers":[],"terms":"zzzxqy","query":"zzzxqy"}}` + "\n"
	if b := body(t, res); b != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	// An entry for every provider has providers [] (not null); every
	// entry of the catalogue names Nylas, so a fixture is that entry.
	fh, _ := testServer(t, fixtures(t))
	got := getJSON[apiSearchResponse](t, fh, "/api/v1/search?q=wobble30", 200)
	found := false
	for _, r := range got.Results {
		if r.ID == "429-fixture-2" {
			found = true
			if r.Providers == nil || len(r.Providers) != 0 {
				t.Errorf("all-provider entry has providers %#v", r.Providers)
			}
		}
	}
	if !found {
		t.Error("429-fixture-2 not found for wobble30")
	}
	b := body(t, do(t, h, "GET", "/api/v1/search?q=quota"))
	if !strings.Contains(b, `"id":"429-general-quota-exceeded","status":429,"codes":[],"providers":["nylas"],`) {
		t.Errorf("codes is not [] or providers are not Nylas's: %s", cut(b, 2000))
	}
	if b := body(t, do(t, fh, "GET", "/api/v1/search?q=wobble30")); !strings.Contains(b, `"id":"429-fixture-2","status":429,"codes":[],"providers":[],`) {
		t.Errorf("codes or providers is not []: %s", cut(b, 2000))
	}
	if !strings.Contains(b, `"id":"429-gmail-too-many-requests","status":429,"codes":["rateLimitExceeded","userRateLimitExceeded","dailyLimitExceeded"],`) {
		t.Errorf("codes are not on the hit, primary first: %s", cut(b, 2000))
	}
}

func TestAPISearchErrors(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, c := range []struct{ target, param string }{
		{"/api/v1/search?status=abc", "status"},
		{"/api/v1/search?provider=nope", "provider"},
		{"/api/v1/search?page=0", "page"},
		{"/api/v1/search?per_page=1000", "per_page"},
		{"/api/v1/search?per_page=x", "per_page"},
	} {
		got := getJSON[apiErrorBody](t, h, c.target, 400)
		if got.Error.Code != "invalid_parameter" || got.Error.Param != c.param || got.Error.Message == "" {
			t.Errorf("%s: %+v", c.target, got.Error)
		}
	}
	got := getJSON[apiErrorBody](t, h, "/api/v1/errors/nope", 404)
	if got.Error.Code != "not_found" || !strings.Contains(got.Error.Message, "nope") {
		t.Errorf("unknown id: %+v", got.Error)
	}
	got = getJSON[apiErrorBody](t, h, "/api/v2/whatever", 404)
	if got.Error.Code != "not_found" {
		t.Errorf("unknown endpoint: %+v", got.Error)
	}
}

func TestAPIErrors(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	got := getJSON[apiErrorsResponse](t, h, "/api/v1/errors", 200)
	one := "/api/v1/errors?page=1&per_page=100"
	want := apiErrorsResponse{Total: len(ix.Entries()), Page: 1, PerPage: 100, Pages: 1, Links: apiLinks{First: one, Last: one}, Errors: []apiEntrySummary{}}
	for _, e := range ix.Entries() {
		want.Errors = append(want.Errors, apiEntrySummary{ID: e.ID, Status: e.Status, Codes: nonNil(e.Codes), Title: e.Title,
			Providers: nonNil(e.Providers), URL: "/errors/" + e.ID, Updated: e.Updated.Format("2006-01-02")})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The listing comes a page at a time, with links to the next and previous
// pages in the body and in a Link header; following them gives every entry
// once, in order. A page past the last, or a bad size, is a 400 that says
// what is allowed.
func TestAPIErrorsPages(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	var got []string
	next, pages := "/api/v1/errors?per_page=4", 0
	for next != "" && pages < 10 {
		res := do(t, h, "GET", next)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", next, res.StatusCode)
		}
		link := strings.Join(res.Header.Values("Link"), ", ") // the service-desc link, then the pages
		var page apiErrorsResponse
		if err := json.Unmarshal([]byte(body(t, res)), &page); err != nil {
			t.Fatal(err)
		}
		pages++
		if page.Total != ix.Len() || page.PerPage != 4 || page.Pages != (ix.Len()+3)/4 || page.Page != pages || len(page.Errors) > 4 {
			t.Errorf("page %d: total %d, per_page %d, pages %d, %d errors", page.Page, page.Total, page.PerPage, page.Pages, len(page.Errors))
		}
		if (page.Links.Prev != "") != (pages > 1) || !strings.Contains(link, `rel="first"`) || !strings.Contains(link, `rel="last"`) ||
			strings.Contains(link, `rel="next"`) != (page.Links.Next != "") || strings.Contains(link, `rel="prev"`) != (page.Links.Prev != "") {
			t.Errorf("page %d: links %+v, Link %q", pages, page.Links, link)
		}
		if page.Links.Next != "" && !strings.Contains(link, "<https://errata.example"+page.Links.Next+`>; rel="next"`) {
			t.Errorf("page %d: Link %q lacks next %s", pages, link, page.Links.Next)
		}
		for _, e := range page.Errors {
			got = append(got, e.ID)
		}
		next = page.Links.Next
	}
	var want []string
	for _, e := range ix.Entries() {
		want = append(want, e.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries over every page (-want +got):\n%s", diff)
	}
	last := (ix.Len() + 3) / 4
	for target, says := range map[string]string{
		"/api/v1/errors?per_page=4&page=" + strconv.Itoa(last+1): "from 1 to " + strconv.Itoa(last),
		"/api/v1/errors?page=0":                                  "from 1 to 1",
		"/api/v1/errors?per_page=0":                              "from 1 to 1000",
		"/api/v1/errors?per_page=1001":                           "from 1 to 1000",
		"/api/v1/errors?per_page=lots":                           "from 1 to 1000",
		"/api/v1/errors?page=999999999":                          "from 1 to 1",
	} {
		e := getJSON[apiErrorBody](t, h, target, 400)
		if e.Error.Code != "invalid_parameter" && e.Error.Code != "bad_request" || !strings.Contains(e.Error.Message, says) {
			t.Errorf("GET %s: %+v, want it to say %q", target, e.Error, says)
		}
	}
}

func TestAPIError(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	const id = "429-gmail-too-many-requests"
	e, _ := ix.Entry(id)
	got := getJSON[apiEntry](t, h, "/api/v1/errors/"+id, 200)
	want := apiEntry{ID: id, Status: 429, Codes: []string{"rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded"}, Title: e.Title, Providers: []string{"nylas", "gmail"}, URL: "/errors/" + id,
		Messages: e.Messages, Aliases: e.Aliases, Related: e.Related, RedirectFrom: []string{},
		Source: &apiSource{Name: "Nylas's error reference"}, Updated: e.Updated.Format("2006-01-02")}
	for _, s := range e.Sections {
		want.Sections = append(want.Sections, apiSection{ID: s.ID, Title: s.Title, Text: s.Text, HTML: s.HTML})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var ids []string
	for _, s := range got.Sections {
		ids = append(ids, s.ID)
		if s.Text == "" || s.HTML == "" {
			t.Errorf("section %s lacks text or html", s.ID)
		}
	}
	if len(ids) < 2 || ids[0] != "cause" || ids[1] != "solution" {
		t.Errorf("sections %v", ids)
	}
}

// snippet_html carries the matched spans in <mark> and escapes every byte
// of the entry's text.
func TestSnippetHTML(t *testing.T) {
	sn := search.Snippet{{Text: "Pay <script>alert(1)</script> "}, {Text: "now & \"later\"", Mark: true}, {Text: "…"}}
	want := `Pay &lt;script&gt;alert(1)&lt;/script&gt; <mark>now &amp; &#34;later&#34;</mark>…`
	if got := snippetHTML(sn); got != want {
		t.Errorf("snippetHTML = %q, want %q", got, want)
	}
}
