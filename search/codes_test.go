package search

import (
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content"
)

func TestIsCodeLike(t *testing.T) {
	for s, want := range map[string]bool{
		"AADSTS50126": true, "aadsts50126": true, "AADSTS-50126": true, "21211": true, "ErrorItemNotFound": true,
		"rateLimitExceeded": true, "invalid_grant": true, "SERVICE_DISABLED": true, "userinfo.email": true,
		"400": false, "429": false, "Forbidden": false, "OAuth": false, "quota": false, "non-ASCII": false,
		"re-authenticate": false, "Too Many Requests": false, "twilio:22225": false, "a_b": false, ".abc": false,
	} {
		if got := isCodeLike(s); got != want {
			t.Errorf("isCodeLike(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCodeIndex(t *testing.T) {
	es := []content.Entry{
		{ID: "aadsts", Aliases: []string{"AADSTS50126", "aadsts:AADSTS50126"}},
		{ID: "twilio", Aliases: []string{"50127", "twilio:50127"}},
		{ID: "grant-google", Aliases: []string{"invalid_grant", "refresh token", "400"}},
		{ID: "grant-entra", Aliases: []string{"invalid_grant"}},
		{ID: "ews", Aliases: []string{"ErrorItemNotFound"}},
	}
	es[2].Providers = []string{"gmail"}
	es[3].Providers = []string{"microsoft-entra"}
	ix := &Index{entries: storeOf(es), codes: mustCodes(t, es), prov: newProviderSet(content.BuiltinProviders())}
	ix.provMask = make([]uint32, len(es))
	for i, e := range es {
		ix.provMask[i] = ix.prov.mask(e.Providers)
	}
	for _, c := range []struct {
		codes []string
		want  []codeHit
	}{
		{[]string{"AADSTS50126"}, []codeHit{{0, 1}}},
		{[]string{"aadsts50126"}, []codeHit{{0, 1}}},
		{[]string{"AADSTS-50126"}, []codeHit{{0, 1}}},
		{[]string{"AADSTS50126", "50126"}, []codeHit{{0, 1.5}}},      // two codes name it: surer
		{[]string{"AADSTS50126", "aadsts-50126"}, []codeHit{{0, 1}}}, // one code, written twice
		{[]string{"50126"}, []codeHit{{0, 1}}},                       // the digits of a sign-in log
		{[]string{"50127"}, []codeHit{{1, 1}}},
		{[]string{"INVALID_GRANT"}, []codeHit{{2, 0.5}, {3, 0.5}}},
		{[]string{"erroritemnotfound"}, []codeHit{{4, 1}}},
		{[]string{"400", "refresh token", "twilio", "nothing"}, nil},
		// Beside a numbered code, a named one names a category.
		{[]string{"ErrorItemNotFound", "AADSTS50126"}, []codeHit{{0, 1}, {4, namedCodeShare}}},
	} {
		if got, _ := ix.lookUpCodes(c.codes, 0); !slices.Equal(got, c.want) {
			t.Errorf("lookUpCodes(%q) = %v, want %v", c.codes, got, c.want)
		}
	}
	// The provider a paste names picks among the entries sharing a code.
	if got, _ := ix.lookUpCodes([]string{"invalid_grant"}, ix.prov.mask([]string{"gmail"})); !slices.Equal(got, []codeHit{{2, 1}, {3, 0.5}}) {
		t.Errorf("invalid_grant from a Google host: %v, want the Gmail entry named alone", got)
	}
	// A key many entries share is a word of the catalogue, not a code.
	var many []content.Entry
	for range maxCodeEntries + 1 {
		many = append(many, content.Entry{Aliases: []string{"sharedCode"}})
	}
	ix = &Index{entries: storeOf(many), codes: mustCodes(t, many), provMask: make([]uint32, len(many))}
	if got, _ := ix.lookUpCodes([]string{"sharedCode"}, 0); got != nil {
		t.Errorf("a code of %d entries named %d of them", len(many), len(got))
	}
}

func TestAppendCodes(t *testing.T) {
	for _, c := range []struct {
		prev, w string
		pasted  bool
		want    []string
	}{
		{"", "rateLimitExceeded", true, []string{"rateLimitExceeded"}},
		{"", "21211", false, []string{"21211"}},
		{"", "21211", true, nil}, // a pasted number is a code only in a code position
		{"AADSTS", "50126", true, []string{"AADSTS50126"}},
		{"twilio", "21610", false, []string{"21610", "twilio21610"}},
		{"", "quota", false, nil},
	} {
		if got := appendCodes(nil, c.prev, c.w, c.pasted); !slices.Equal(got, c.want) {
			t.Errorf("appendCodes(%q, %q, %v) = %q, want %q", c.prev, c.w, c.pasted, got, c.want)
		}
	}
}

func mustCodes(tb testing.TB, es []content.Entry) codeIndex {
	tb.Helper()
	c, err := buildCodes(es)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// codesSearched knows a word written as an entry's code from the table's
// marks, and reads the entry only for other words: either way it answers
// as comparing the words with every code of every named entry does.
func TestCodesSearched(t *testing.T) {
	es := []content.Entry{
		{ID: "aadsts", Codes: []string{"AADSTS50126"}},
		{ID: "grant", Codes: []string{"invalid_grant"}},
		{ID: "ews", Aliases: []string{"ErrorItemNotFound", "item not found"}},
		{ID: "both", Codes: []string{"AADSTS-7000", "aadsts7000"}},
	}
	ix := &Index{entries: storeOf(es), codes: mustCodes(t, es), prov: newProviderSet(content.BuiltinProviders()), provMask: make([]uint32, len(es))}
	for _, words := range [][]string{
		{"AADSTS50126"}, {"aadsts50126"}, {"AADSTS-50126"}, {"50126"}, {"invalid_grant"}, {"INVALID_GRANT"}, {"invalidgrant"},
		{"erroritemnotfound"}, {"ErrorItemNotFound", "AADSTS50126"}, {"AADSTS-7000"}, {"AADSTS7000"}, {"7000"},
	} {
		pl := plan{words: words}
		pl.codeHits, _ = ix.lookUpCodes(words, 0)
		if len(pl.codeHits) == 0 {
			t.Fatalf("%q named no entry", words)
		}
		want := true
		for _, h := range pl.codeHits {
			want = want && slices.ContainsFunc(entryCodes(&es[h.doc]), func(c string) bool {
				return slices.ContainsFunc(words, func(w string) bool { return strings.EqualFold(w, c) })
			})
		}
		if got := ix.codesSearched(pl); got != want {
			t.Errorf("codesSearched(%q) = %v, want %v", words, got, want)
		}
	}
}
