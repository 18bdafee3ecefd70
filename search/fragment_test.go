package search

import (
	"testing"

	"github.com/errata/errata/content/corpus"
)

// A few words typed from the middle of a long message find that message
// first, above an entry whose short title holds two of the words: the
// message holds the whole fragment as one run.
func TestFragmentOfLongMessage(t *testing.T) {
	es := append(fixtures(),
		entry("token-expired", 0, "Token expired", nil, []string{"The token expired."}, nil, "Old token.", "Refresh it."),
		entry("assertion-time", 0, "Assertion isn't within its valid time range", nil,
			[]string{"Assertion isn't within its valid time range. Ensure that the access token isn't expired before using it for user assertion, or request a new token."},
			nil, "Clock skew.", "Request a new token."),
	)
	ix := build(t, es)
	for _, q := range []string{"token isn't expired before using it", "access token isn't expired"} {
		res := run(t, ix, Query{Text: q})
		if len(res.Hits) == 0 || res.Hits[0].ID != "assertion-time" {
			t.Errorf("%q: %v, want assertion-time first", q, first(ids(res), 3))
		}
	}
	// Two words are left to bleve's scoring: the short title still wins.
	if res := run(t, ix, Query{Text: "token expired"}); len(res.Hits) == 0 || res.Hits[0].ID != "token-expired" {
		t.Errorf("token expired: %v, want token-expired first", first(ids(res), 3))
	}
}

// On the real corpora, fragments a person might copy from the middle of a
// message find their entry on the first page.
func TestFragmentsRealCorpora(t *testing.T) {
	ix := build(t, corpus.Entries(realCorpora(t)))
	for q, want := range map[string]string{
		"token isn't expired before using it":   "aadsts-aadsts500133",
		"is enabled for your account. Twilio's": "twilio-23001",
	} {
		res := run(t, ix, Query{Text: q})
		found := false
		for _, id := range ids(res) {
			found = found || id == want
		}
		if !found {
			t.Errorf("%q: %s not on the first page %v", q, want, first(ids(res), 5))
		}
	}
}
