package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/errata/errata/search"
)

func TestParsePageAndPerPage(t *testing.T) {
	for in, want := range map[string]int{"": 1, "1": 1, "7": 7, " 3 ": 3, "1000": 1000} {
		if got, err := parsePage(in); err != nil || got != want {
			t.Errorf("parsePage(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]int{"": search.DefaultPerPage, "1": 1, "100": 100} {
		if got, err := parsePerPage(in); err != nil || got != want {
			t.Errorf("parsePerPage(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := []string{"0", "-1", "abc", "1.5", "99999999999999999999", "1e3", "0x10"}
	for _, in := range append(bad, "1001") {
		var ie *search.InvalidError
		if _, err := parsePage(in); !errors.As(err, &ie) || ie.Param != "page" {
			t.Errorf("parsePage(%q) = %v, want *InvalidError", in, err)
		}
	}
	for _, in := range append(bad, "101") {
		var ie *search.InvalidError
		if _, err := parsePerPage(in); !errors.As(err, &ie) || ie.Param != "per_page" || !strings.Contains(ie.Message, "1 to 100") {
			t.Errorf("parsePerPage(%q) = %v, want *InvalidError naming 1 to 100", in, err)
		}
	}
}

// hostileTexts are query texts meant to break a search: huge, deeply
// nested, full of query syntax, broken or odd Unicode.
func hostileTexts() map[string]string {
	var terms strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&terms, "term%d ", i)
	}
	return map[string]string{
		"1 MB in one token":     strings.Repeat("a", 1<<20),
		"thousands of terms":    terms.String(),
		"star":                  "*",
		"wildcards":             "*a*b*",
		"regexp":                "/.*.*a/",
		"fuzzy":                 "a~100",
		"boost":                 "a^1000000",
		"field":                 "field:value",
		"field and boolean":     "title:quota AND status:429 OR -providers:gmail",
		"unbalanced quote":      `"quota exceeded`,
		"unbalanced brackets":   `(quota [exceeded {gmail`,
		"closing brackets":      `quota)]} exceeded"`,
		"plus minus":            "+-+-",
		"NUL bytes":             "quo\x00ta \x00\x00 exceeded",
		"invalid UTF-8":         "\xff\xfe quota \xc3\x28 \xed\xa0\x80",
		"right to left":         "\u202equota\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u200f429",
		"combining":             "q\u0301u\u0308o\u0327ta" + strings.Repeat("\u0301", 5000),
		"zero width":            "quo\u200bta\ufeff ex\u200dceeded",
		"only punctuation":      strings.Repeat("!@#$%^&*()_+{}|:<>?", 100),
		"pasted JSON, 5k keys":  pastedJSON(5000),
		"deep JSON":             strings.Repeat(`{"error":`, 5000) + `"quota"` + strings.Repeat("}", 5000),
		"many quoted phrases":   strings.Repeat(`"a b" `, 2000),
		"status words":          strings.Repeat("429 4xx 400-499 ", 500),
		"long word with digits": strings.Repeat("a1", 50000),
	}
}

func pastedJSON(keys int) string {
	var b strings.Builder
	b.WriteString(`{"message":"quota exceeded"`)
	for i := range keys {
		fmt.Fprintf(&b, `,"k%d":%d`, i, i)
	}
	return b.String() + "}"
}

// Every bad input gets a clear 4xx, or a plain 200 with no results,
// through the site as errata serve runs it: never a 5xx, a panic or a hang.
// Hostile query text on the catalogue page, its htmx fragment and the API:
// a 200, inert HTML, JSON that parses, within the budget.
func TestHostileQueryText(t *testing.T) {
	h, logs := testServer(t, catalogueIndex(t))
	for name, text := range hostileTexts() {
		t.Run(name, func(t *testing.T) {
			q := url.QueryEscape(text)
			page := ask(t, h, "GET", "/?q="+q)
			if page.status != http.StatusOK {
				t.Fatalf("%s, want 200\n%s", page, cut(page.body, 500))
			}
			doc := inertHTML(t, page)
			if doc.Find("[data-testid=count]").Length() != 1 {
				t.Errorf("%s: no result count line", page)
			}
			frag := ask(t, h, "GET", "/?q="+q, "HX-Request", "true", "HX-Target", "results")
			if frag.status != http.StatusOK {
				t.Fatalf("%s (htmx fragment), want 200", frag)
			}
			inertHTML(t, frag)
			api := ask(t, h, "GET", "/api/v1/search?q="+q)
			if api.status != http.StatusOK {
				t.Fatalf("%s, want 200\n%s", api, cut(api.body, 500))
			}
			v := apiJSON(t, api)
			if _, ok := v["results"].([]any); !ok {
				t.Errorf("%s: no results array", api)
			}
			t.Logf("%s; %s", page, api)
			// The entry page reads hl and from (the list to go back to).
			entry := ask(t, h, "GET", "/errors/429-gmail-too-many-requests?hl="+q+"&from="+url.QueryEscape("q="+text))
			if entry.status != http.StatusOK {
				t.Fatalf("%s, want 200", entry)
			}
			inertHTML(t, entry)
		})
	}
	if strings.Contains(logs.String(), "panicked") || strings.Contains(logs.String(), "handler failed") {
		t.Errorf("handler errors logged:\n%s", cut(logs.String(), 2000))
	}
}

// Bad parameters answer 400 naming the parameter, in HTML on pages and in
// JSON on the API; odd but harmless ones answer 200.
func TestHostileParameters(t *testing.T) {
	h, _ := testServer(t, fixtures(t))
	huge := "99999999999999999999"
	cases := []struct {
		query     string
		page, api int    // status on / and on /api/v1/search
		param     string // the parameter a 400 names
	}{
		{"page=-1", 400, 400, "page"},
		{"page=0", 400, 400, "page"},
		{"page=" + huge, 400, 400, "page"},
		{"page=-" + huge, 400, 400, "page"},
		{"page=abc", 400, 400, "page"},
		{"page=1.5", 400, 400, "page"},
		{"page=1e3", 400, 400, "page"},
		{"page=0x10", 400, 400, "page"},
		{"page=%E2%91%A0", 400, 400, "page"}, // ① is a digit to unicode, not to us
		{"page=3", 200, 200, ""},
		{"page=1000", 200, 200, ""}, // past the last page: the page shows the last one and says so, the API is empty
		{"page=1001", 400, 400, "page"},
		{"per_page=-1", 400, 400, "per_page"},
		{"per_page=0", 400, 400, "per_page"},
		{"per_page=" + huge, 400, 400, "per_page"},
		{"per_page=abc", 400, 400, "per_page"},
		{"per_page=101", 400, 400, "per_page"},
		{"per_page=50", 200, 200, ""},
		{"sort=code&provider=gmail", 200, 200, ""},
		{"sort=size", 400, 400, "sort"},
		{"per_page=100", 200, 200, ""},
		{"status=abc", 400, 400, "status"},
		{"status=499-400", 400, 400, "status"},
		{"status=4xx'+OR+1%3D1", 400, 400, "status"},
		{"status=4xx%27%20OR%201=1--", 400, 400, "status"},
		{"status=600", 400, 400, "status"},
		{"status=099", 400, 400, "status"},
		{"status=6xx", 400, 400, "status"},
		{"status=" + huge, 400, 400, "status"},
		{"status=,,,", 400, 400, "status"},
		{"status=" + strings.Repeat("429,", 200), 400, 400, "status"},
		{"status=4XX", 200, 200, ""},
		{"status=+429+", 200, 200, ""},
		{"provider=nosuchprovider", 400, 400, "provider"},
		{"provider=gmail&provider=nosuch", 400, 400, "provider"},
		{"provider=" + strings.Repeat("gmail,", 500), 400, 400, "provider"},
		{"provider=GMAIL", 200, 200, ""},
		{"provider=gmail&provider=twilio", 200, 200, ""},
		{"provider=gmail,twilio,gmail", 200, 200, ""},
		// Repeated parameters: the first value counts (providers add up).
		{"q=quota&q=%3Cscript%3E", 200, 200, ""},
		{"status=429&status=abc", 200, 200, ""},
		{"status=abc&status=429", 400, 400, "status"},
		{"page=1&page=abc", 200, 200, ""},
		{"per_page=10&per_page=-1", 200, 200, ""},
		// Malformed query strings: what cannot be read is ignored.
		{"q=%zz&status=%", 200, 200, ""},
		{"&&&=&=x&q", 200, 200, ""},
		{"q;status=abc", 200, 200, ""},
		{"unknown=1&utm_source=x", 200, 200, ""},
		{strings.Repeat("x=1&", 5000), 200, 200, ""},
	}
	for _, c := range cases {
		t.Run(cut(c.query, 60), func(t *testing.T) {
			page := ask(t, h, "GET", "/?"+c.query)
			if page.status != c.page {
				t.Fatalf("%s, want %d\n%s", page, c.page, cut(page.body, 800))
			}
			doc := inertHTML(t, page)
			if c.page == 400 {
				msg := doc.Find("[data-testid=error-message]").Text()
				if !strings.Contains(msg, c.param) && !strings.Contains(msg, "page") {
					t.Errorf("%s: message %q does not name %s", page, msg, c.param)
				}
			}
			api := ask(t, h, "GET", "/api/v1/search?"+c.query)
			if api.status != c.api {
				t.Fatalf("%s, want %d\n%s", api, c.api, cut(api.body, 800))
			}
			v := apiJSON(t, api)
			if c.api == 400 {
				e, _ := v["error"].(map[string]any)
				if e["code"] != "invalid_parameter" || e["param"] != c.param {
					t.Errorf("%s: error %v, want invalid_parameter naming %s", api, e, c.param)
				}
			}
		})
	}
}

// FuzzParams sends arbitrary raw query strings to the catalogue page, its
// htmx fragment and the search API through the middleware chain: never a
// 5xx or a hang; a 400 says which parameter is wrong; pages stay inert and
// API bodies are JSON. Seeds: testdata/fuzz/FuzzParams. Run longer with
// go test -run='^$' -fuzz='^FuzzParams$' -fuzztime=10m ./web
func FuzzParams(f *testing.F) {
	for _, s := range []string{
		"q=quota", "q=429+gmail&status=4xx&provider=gmail&page=1", "page=-1", "page=99999999999999999999", "per_page=0",
		"status=499-400", "status=4xx'+OR+1%3D1", "provider=nosuch", "q=a&q=b&status=429&status=abc", "q=%zz&&=&x",
		"q=" + url.QueryEscape(xssPayloads[1]), "from=" + url.QueryEscape("q=<script>"),
	} {
		f.Add(s, false, false)
		f.Add(s, true, false)
		f.Add(s, false, true)
	}
	h, _ := testServer(f, catalogueIndex(f))
	f.Fuzz(func(t *testing.T, raw string, api, fragment bool) {
		target := "/?" + raw
		if api {
			target = "/api/v1/search?" + raw
		}
		if _, err := url.ParseRequestURI(target); err != nil {
			return // http.Server answers such a request line 400 itself
		}
		var hdr []string
		if fragment {
			hdr = []string{"HX-Request", "true", "HX-Target", "results"}
		}
		a := ask(t, h, "GET", target, hdr...)
		if a.status != 200 && a.status != 400 {
			t.Fatalf("%s, want 200 or 400\n%s", a, cut(a.body, 500))
		}
		if api {
			v := apiJSON(t, a)
			if e, _ := v["error"].(map[string]any); a.status == 400 && (e["param"] == nil || e["param"] == "") {
				t.Errorf("%s: error %v names no parameter", a, e)
			}
			return
		}
		doc := inertHTML(t, a)
		if a.status == 400 && strings.TrimSpace(doc.Find("[data-testid=error-message]").Text()) == "" {
			t.Errorf("%s: a 400 page without a message", a)
		}
	})
}

// A huge q is cut to what the search reads before it is echoed: the page
// shows it several times (box, heading, links), so 1 MB must not become 7.
func TestHugeQueryEchoIsBounded(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	q := strings.Repeat("é", 512<<10) // 1 MiB of two-byte characters
	res := do(t, h, "GET", "/?q="+url.QueryEscape(q))
	b := body(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	// Links carry the text URL-escaped (three bytes per byte of é), so
	// the page is about eleven cuts long: still less than the query sent.
	if limit := 16 * search.MaxQueryBytes; len(b) > limit {
		t.Errorf("page is %d bytes for a 1 MiB query, want at most %d", len(b), limit)
	}
	if !utf8.ValidString(b) {
		t.Error("the cut query split a character")
	}
}

// A page's links are made in one buffer (pageLinks): each must be the URL
// the state has alone, and stay so while the buffer grows under it; a
// state whose q changed escapes its own.
func TestPageLinksAreTheStatesURLs(t *testing.T) {
	states := []listState{
		{}, {Q: "quota"}, {Q: `a&b=c "<x>" ü#%`, Status: "400-499,none"}, {Providers: []string{"gmail", "microsoft"}, Sort: search.SortTitle},
		{Q: strings.Repeat("long words ", 50), PerPage: 50, Page: 3}, {Status: "429", Page: 2},
	}
	for _, st := range states {
		alone := func(s listState) listState { s.links = nil; return s }
		paged := st.withLinks(1) // too small: the buffer grows under the links made
		var made, want []string
		for _, s := range []listState{paged, paged.withPage(2), paged.toggleStatus("429"), paged.toggleStatus("none"), paged.toggleProvider("gmail"),
			paged.withSort(search.SortCode), paged.withPerPage(100), paged.withQ("other q&"), paged.withQ("")} {
			made = append(made, s.URL())
			want = append(want, alone(s).URL())
		}
		for _, id := range []string{"429-gmail-too-many-requests", "a b/ü"} {
			made = append(made, paged.links.entryURL(id, "?hl=x&from=q%3D1"))
			want = append(want, EntryPath(id)+"?hl=x&from=q%3D1")
		}
		if !slices.Equal(made, want) {
			t.Errorf("%+v: links\n%q\nwant\n%q", st, made, want)
		}
	}
}
