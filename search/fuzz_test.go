package search

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/errata/errata/content"
)

// Fuzzing budgets. They detect a hang or a blow-up (a quadratic path, a
// runaway regexp), not slowness: speed lives in the benchmarks. A search
// must fit in searchTimeout, its own deadline in production, so that budget
// also bounds the time spent understanding the text before bleve runs.
const (
	fuzzSearchBudget = searchTimeout
	fuzzPasteBudget  = searchTimeout / 2
)

// FuzzQuery feeds arbitrary text, status, provider and page strings through
// the filter parsers the web layer uses and then Search: a bad filter or an
// out-of-range page is an *InvalidError naming its parameter, anything else
// searches without error within the budget, and what comes back honours the
// filters and the bounds. (A page that is no number is the web layer's to
// refuse; here it leaves the page at its default.)
// Seeds: testdata/fuzz/FuzzQuery. Run longer with
// go test -run='^$' -fuzz='^FuzzQuery$' -fuzztime=10m ./search
func FuzzQuery(f *testing.F) {
	for _, s := range [][4]string{
		{"429 too many requests gmail", "", "", ""},
		{"quota", "4xx", "gmail", "1"},
		{"", "400-499,5xx", "microsoft,twilio", "2"},
		{`"refresh token" revoked`, "401", "Microsoft Graph", ""},
		{"*a*b* /.*.*a/ a~100 a^1000000 field:value +-+-", "abc", "nope", "-1"},
		{`HTTP/1.1 403 Forbidden {"error":{"code":403,"message":"denied"}}`, "499-400", "", "99999999999999999999"},
		{"quo\x00ta \xff\xfe \u202eabc\u202c q\u0301uota", "4xx' OR 1=1", "gmail,,", "0"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	ix, err := fuzzIndex()
	if err != nil {
		f.Fatalf("building the fuzz index: %v", err)
	}
	f.Fuzz(func(t *testing.T, text, status, provider, page string) {
		q := Query{Text: text}
		var inv *InvalidError
		var err error
		if q.Status, err = ParseStatus(status); err != nil {
			checkInvalid(t, err, "status")
			return
		}
		checkStatusSet(t, status, q.Status)
		if q.Providers, err = ParseProviders(content.BuiltinProviders(), []string{provider}); err != nil {
			checkInvalid(t, err, "provider")
			return
		}
		for _, p := range q.Providers {
			if !content.BuiltinProviders().Known(p) {
				t.Fatalf("ParseProviders(%q) kept unknown %q", provider, p)
			}
		}
		if n, err := strconv.Atoi(strings.TrimSpace(page)); err == nil {
			q.Page = n
		}

		ctx, cancel := context.WithTimeout(context.Background(), 4*fuzzSearchBudget)
		defer cancel()
		start := time.Now()
		res, err := ix.Search(ctx, q)
		took := time.Since(start)
		if q.Page < 0 || q.Page > MaxPage {
			checkInvalid(t, err, "page")
			return
		}
		if errors.As(err, &inv) {
			t.Fatalf("Search refused filters the parsers accepted: %v", err)
		}
		if err != nil {
			t.Fatalf("Search(%q): %v after %v", clip(text, 200), err, took)
		}
		if took > fuzzSearchBudget {
			t.Fatalf("Search(%q) took %v, budget %v", clip(text, 200), took, fuzzSearchBudget)
		}
		checkResults(t, q, res)
	})
}

func checkInvalid(t *testing.T, err error, param string) {
	t.Helper()
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("%s: error %T %v, want *InvalidError", param, err, err)
	}
	if inv.Param != param || strings.TrimSpace(inv.Message) == "" {
		t.Fatalf("%s: InvalidError %+v, want Param %q and a message", param, inv, param)
	}
	if !utf8.ValidString(inv.Value) || !utf8.ValidString(inv.Message) {
		t.Fatalf("%s: InvalidError %q, %q is not valid UTF-8", param, inv.Value, inv.Message)
	}
	if len(inv.Value) > 64+len("…") || len(inv.Message) > 1024 {
		t.Fatalf("%s: InvalidError echoes %d bytes in a %d-byte message", param, len(inv.Value), len(inv.Message))
	}
}

// checkStatusSet: a parsed set holds real statuses, sorted and merged, and
// its canonical string parses back to itself.
func checkStatusSet(t *testing.T, in string, s StatusSet) {
	t.Helper()
	for i, r := range s {
		if r.Lo < 100 || r.Hi > 599 || r.Lo > r.Hi || (i > 0 && r.Lo <= s[i-1].Hi+1) {
			t.Fatalf("ParseStatus(%q) = %v: range %d out of bounds or unmerged", in, s, i)
		}
	}
	if len(s) == 0 {
		return
	}
	again, err := ParseStatus(s.String())
	if err != nil || !slices.Equal(again, s) {
		t.Fatalf("ParseStatus(%q) = %v, whose string %q parses to %v, %v", in, s, s.String(), again, err)
	}
}

func checkResults(t *testing.T, q Query, res *Results) {
	t.Helper()
	u := res.Understood
	if !utf8.ValidString(u.Terms) || strings.ContainsRune(u.Terms, 0) || len(u.Terms) > maxTextBytes {
		t.Fatalf("Terms not clean or too long: %d bytes %q", len(u.Terms), clip(u.Terms, 200))
	}
	if n := len(strings.Fields(u.Terms)); n > maxTerms {
		t.Fatalf("%d terms searched, want at most %d", n, maxTerms)
	}
	if len(u.Phrases) > maxPhrases {
		t.Fatalf("%d phrases, want at most %d", len(u.Phrases), maxPhrases)
	}
	if res.Page != max(q.Page, 1) || res.PerPage != DefaultPerPage || len(res.Hits) > res.PerPage || res.Total < 0 {
		t.Fatalf("page %d per page %d, %d hits of %d", res.Page, res.PerPage, len(res.Hits), res.Total)
	}
	for _, h := range res.Hits {
		if !q.Status.Contains(h.Status) {
			t.Fatalf("hit %s status %d outside the filter %v", h.ID, h.Status, q.Status)
		}
		// Filtering by a parent (microsoft) keeps its children's entries too.
		wanted := content.BuiltinProviders().WithChildren(q.Providers)
		if len(q.Providers) > 0 && !slices.ContainsFunc(h.Providers, func(p string) bool { return slices.Contains(wanted, p) }) {
			t.Fatalf("hit %s providers %v outside the filter %v", h.ID, h.Providers, q.Providers)
		}
		// At most snippetBytes of the entry's text, with "…" at either end.
		n := 0
		for _, sp := range h.Snippet {
			if sp.Mark && sp.Text == "" {
				t.Fatalf("hit %s snippet marks an empty span: %q", h.ID, marked(h.Snippet))
			}
			n += len(sp.Text)
		}
		if !utf8.ValidString(marked(h.Snippet)) || n > snippetBytes+2*len("…") {
			t.Fatalf("hit %s snippet is not valid UTF-8 or is too long: %q", h.ID, marked(h.Snippet))
		}
	}
}

// FuzzPaste feeds arbitrary text to the pasted-error extractor and the query
// understanding around it: no panic, the budget, and bounded, clean output
// (the text searched is capped, the statuses are real statuses).
// Seeds: testdata/fuzz/FuzzPaste. Run longer with
// go test -run='^$' -fuzz='^FuzzPaste$' -fuzztime=10m ./search
func FuzzPaste(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 429 Too Many Requests",
		`{"error":{"code":403,"message":"Gmail API has not been used in project 123456789012 before","status":"PERMISSION_DENIED"}}`,
		`"{\"error\":{\"code\":401,\"message\":\"Could not verify access credentials.\"}}"`,
		`2024-05-02 10:11:12,345 WARN [worker-3] request_id=8f3e2a1c-9b7d-4c1e-a2f3-0d9e8c7b6a51 status=401 Could not verify https://x.example/a`,
		`{"error":"{\"message\":\"nested\",\"status\":422}"}`,
		strings.Repeat(`{"error":`, 40) + `"deep"` + strings.Repeat("}", 40),
		`{"a":{"b":[1,2,{"message":"x","code":"y"}]},"status":"429"}`,
		"\xff\xfe\x00 \u202e HTTP/2 503 \u200b",
		`"quoted phrase" "another one" “curly phrase”`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		start := time.Now()
		clean := cleanInput(text)
		p := extractFields(clean, builtinSignals)
		pl := understand(text, builtinSignals)
		if took := time.Since(start); took > fuzzPasteBudget {
			t.Fatalf("understanding %d bytes took %v, budget %v", len(text), took, fuzzPasteBudget)
		}
		if len(clean) > maxRawBytes || !utf8.ValidString(clean) || strings.ContainsRune(clean, 0) {
			t.Fatalf("cleanInput kept %d bytes, valid %v", len(clean), utf8.ValidString(clean))
		}
		if text := p.text(); len(text) > maxTextBytes || !utf8.ValidString(text) {
			t.Fatalf("extracted %d bytes (valid UTF-8 %v), want at most %d", len(text), utf8.ValidString(text), maxTextBytes)
		}
		for _, c := range p.status {
			if c < 100 || c > 599 {
				t.Fatalf("status %d extracted from %q", c, clip(text, 200))
			}
		}
		if len(pl.words) > maxTerms || len(pl.phrases) > maxPhrases {
			t.Fatalf("%d words, %d phrases: over the caps", len(pl.words), len(pl.phrases))
		}
		for _, w := range pl.words {
			if w == "" || len(w) > maxTokenBytes || !utf8.ValidString(w) {
				t.Fatalf("word %q: empty, over %d bytes or not UTF-8", w, maxTokenBytes)
			}
		}
		for _, r := range pl.textStatus {
			if r.Lo < 100 || r.Hi > 599 || r.Lo > r.Hi {
				t.Fatalf("text status %v out of bounds", r)
			}
		}
	})
}
