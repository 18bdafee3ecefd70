package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

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

func TestLongTokensAreCut(t *testing.T) {
	var got []string
	eachIdent("short "+strings.Repeat("é", 100)+" "+strings.Repeat("z", 200), func(_, _ int, w string) { got = append(got, w) })
	if len(got) != 3 {
		t.Fatalf("tokens = %d, want 3", len(got))
	}
	for _, w := range got {
		if len(w) > maxTokenBytes || !utf8.ValidString(w) {
			t.Errorf("token of %d bytes (valid UTF-8: %v), want at most %d", len(w), utf8.ValidString(w), maxTokenBytes)
		}
	}
}
