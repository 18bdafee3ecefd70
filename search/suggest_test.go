package search

import (
	"testing"
)

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
