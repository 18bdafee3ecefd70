package search

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/errata/errata/search/pasteset"
	"github.com/google/go-cmp/cmp"
)

func TestTermsAreCapped(t *testing.T) {
	ix := build(t, fixtures())
	var words []string
	for i := range 500 {
		words = append(words, "word"+strings.Repeat("q", i%50)+string(rune('a'+i%26)))
	}
	res := run(t, ix, Query{Text: strings.Join(words, " ") + " quota"})
	if n := len(strings.Fields(res.Understood.Terms)); n != maxTerms {
		t.Errorf("%d terms searched, want %d", n, maxTerms)
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

func TestSplitUnknown(t *testing.T) {
	ix := build(t, fixtures())
	for _, c := range []struct {
		text      string
		words     []string
		scoreOnly []string
	}{
		// In a paste, an unknown identifier only scores by its parts.
		{`{"error":{"code":"TooManyRequests","message":"Please retry"}}`, []string{"Please", "retry"}, []string{"too", "many", "requests"}},
		// Typed, its parts are searched.
		{"TooManyRequests quota", []string{"too", "many", "requests", "quota"}, nil},
		// A known identifier stays whole, and so does a typo of one.
		{"rateLimitExceeded", []string{"rateLimitExceeded"}, nil},
		{"rateLimitExceded", []string{"rateLimitExceded"}, nil},
	} {
		pl := understand(c.text, builtinSignals)
		ix.resolve(&pl)
		if !slices.Equal(pl.words, c.words) || !slices.Equal(pl.scoreOnly, c.scoreOnly) {
			t.Errorf("%q: words %q score-only %q, want %q %q", c.text, pl.words, pl.scoreOnly, c.words, c.scoreOnly)
		}
		for _, w := range pl.seq {
			if strings.EqualFold(w, "toomanyrequests") {
				t.Errorf("%q: the sequence kept %q whole", c.text, w)
			}
		}
	}
}

// TestUnderstandPlainTyped runs understand with and without the fast path
// for plain typed text (see plainTyped) over every query, paste, real code
// and title it is tested on: the plans must be the same.
func TestUnderstandPlainTyped(t *testing.T) {
	t.Parallel() // reads the shared records only
	texts := []string{"AADSTS50126", "aadsts50126", "21211", "429", "4xx", "ERROR", "ERRORS", "error500", "Error 500", "HTTP429",
		"code50126", "api404", "deadbeef12", "1234567", "123456", "0x80070005", "curl x", "rate limit", " quota \n", "invalid_grant",
		"TooManyRequests", "WARN quota", "quota INFO", "ErrorItemNotFund", "status 404", "a  b", "Ungültige"}
	for _, c := range loadRelevance(t) {
		texts = append(texts, c.Query)
	}
	pastes, err := pasteset.Load("testdata/pastes.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pastes {
		texts = append(texts, c.Paste)
	}
	for _, r := range corpustest.RealRecords(t) {
		texts = append(texts, r.Code, r.Title, strings.ToLower(r.Code), r.Code+" "+r.Title)
	}
	opts := cmp.AllowUnexported(plan{}, fields{})
	plain := 0
	for _, raw := range texts {
		s := cleanInput(raw)
		full := readFields(s, builtinSignals)
		// stripNoise skips plain fields of pastes too.
		for _, p := range append(slices.Clone(full.msgs), full.rest, s) {
			if plainTyped(p) {
				if got := stripNoiseRE(p); got != p {
					t.Errorf("stripNoise(%q) = %q, yet plainTyped skips it", clip(p, 80), got)
				}
			}
		}
		if !plainTyped(s) {
			continue
		}
		plain++
		if diff := cmp.Diff(full, extractFields(raw, builtinSignals), opts); diff != "" {
			t.Errorf("fields of %q (-all passes +plain):\n%s", clip(raw, 80), diff)
		}
		if diff := cmp.Diff(understandFields(raw, full, builtinSignals), understand(raw, builtinSignals), opts); diff != "" {
			t.Errorf("plan of %q (-all passes +plain):\n%s", clip(raw, 80), diff)
		}
	}
	if plain < 1000 {
		t.Errorf("only %d of %d texts are plain: the check hardly checks", plain, len(texts))
	}
	for _, s := range []string{"ERROR", "error500", "HTTP429", "code50126", "deadbeef12", "1234567", "curl x", "WARN quota", "status 404", "Ungültige", "a\nb", "a=b"} {
		if plainTyped(s) {
			t.Errorf("plainTyped(%q) is true: a pass reads it", s)
		}
	}
}

// FuzzPlainTyped checks on any text that plain typed text is read as
// every pass reads it.
func FuzzPlainTyped(f *testing.F) {
	for _, s := range []string{"AADSTS50126", "21211", "rate limit", "error500", "ERROR", "deadbeef12", "1234567", "WARN x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s := cleanInput(raw)
		if !plainTyped(s) {
			return
		}
		if stripNoiseRE(s) != s {
			t.Errorf("stripNoise changes %q", s)
		}
		opts := cmp.AllowUnexported(plan{}, fields{})
		full := readFields(s, builtinSignals)
		if diff := cmp.Diff(understandFields(raw, full, builtinSignals), understand(raw, builtinSignals), opts); diff != "" {
			t.Errorf("plan of %q (-all passes +plain):\n%s", raw, diff)
		}
	})
}

// quotedRE is what eachQuoted reads without running it.
var quotedRE = regexp.MustCompile(`"([^"]{1,512})"|“([^”]{1,512})”`)

// quotedByRE is the texts quotedRE finds in text, in order.
func quotedByRE(text string) []string {
	var out []string
	for _, m := range quotedRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

func quotedByScan(text string) []string {
	var out []string
	eachQuoted(text, func(inner string) { out = append(out, inner) })
	return out
}

// eachQuoted finds what quotedRE finds: in the texts the paste scans are
// held to their expressions on (noiseTexts: the relevance sets, the real
// entries' texts, pasted errors, tricky strings), and strings built to
// sit on its edges (empty quotes, unclosed ones, 512 and 513 runes, curly
// quotes holding straight ones, runes of several bytes, invalid UTF-8).
func TestEachQuotedAsTheExpression(t *testing.T) {
	texts := []string{``, `"`, `""`, `"""`, `""""`, `"a"`, `"a" "b"`, `x"a"y"b`, `“a”`, `“”`, `“a"b”`, `"a“b"`, `“a` + `"` + `”"`,
		`"` + strings.Repeat("é", 512) + `"`, `"` + strings.Repeat("é", 513) + `"`, `“` + strings.Repeat("x", 512) + `”`,
		`“` + strings.Repeat("x", 513) + `”`, "\"\xff\xfe\"", "“\xe2\x80”", `"` + strings.Repeat("a", 600) + `" "b c"`,
		`say "refresh token" or “access token” and "x`}
	texts = append(texts, noiseTexts(t)...)
	found := 0
	for _, text := range texts {
		want, got := quotedByRE(text), quotedByScan(text)
		if !slices.Equal(got, want) {
			t.Fatalf("in %q:\nscan       %q\nexpression %q", clip(text, 200), got, want)
		}
		found += len(got)
	}
	if found < 100 {
		t.Errorf("only %d quoted texts in %d texts: the comparison hardly compares", found, len(texts))
	}
}

// FuzzEachQuoted checks eachQuoted against quotedRE on any text.
func FuzzEachQuoted(f *testing.F) {
	for _, s := range []string{`"a"`, `“a”`, `""x"`, `“"”`, "\"\xff\"", `"` + strings.Repeat("b", 512) + `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if want, got := quotedByRE(text), quotedByScan(text); !slices.Equal(got, want) {
			t.Errorf("in %q:\nscan       %q\nexpression %q", text, got, want)
		}
	})
}

// A last word that lower-cases to one already typed (İ after i: lowerASCII
// folds it, strings.EqualFold does not) is that word being typed, not a
// panic.
func TestLastWordFoldsAsItWasCounted(t *testing.T) {
	ix := catalogue(t)
	for _, text := range []string{"i İ", "quota i İ", "10.0.0.12:8080curl -i İ", "K \u212a", "rate limit RATE"} {
		pl := understand(text, builtinSignals)
		if lowerASCII(pl.prefix) != lowerASCII(strings.Fields(text)[len(strings.Fields(text))-1]) && pl.prefix != "" {
			t.Errorf("%q: the word being typed is %q", text, pl.prefix)
		}
		if _, err := ix.Search(context.Background(), Query{Text: text}); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}
