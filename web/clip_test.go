package web

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		tail string
		want string
	}{
		{"quota", 5, Ellipsis, "quota"},
		{"quota", 10, Ellipsis, "quota"},
		{"quotas", 5, Ellipsis, "quota…"},
		{"quota exceeded", 6, Ellipsis, "quota…"}, // no space before the mark
		{"quotas", 5, "", "quota"},
		{"ééé", 5, "", "éé"},       // two whole characters, not two and a half
		{"a😀b", 4, Ellipsis, "a…"}, // a 4-byte character is kept whole or not at all
		{"a😀b", 5, Ellipsis, "a😀…"},
		{"abc", 0, Ellipsis, "…"},
		{"abc", -1, "", ""},
	} {
		if got := Clip(c.s, c.n, c.tail); got != c.want {
			t.Errorf("Clip(%q, %d, %q) = %q, want %q", c.s, c.n, c.tail, got, c.want)
		}
	}
	// Cut anywhere, a path of many-byte characters stays valid UTF-8 and
	// within its bound (the benchmark shows paths cut to 60 bytes).
	path := "/?q=" + strings.Repeat("é€😀", 20)
	for n := range len(path) + 1 {
		got := Clip(path, n, Ellipsis)
		if !utf8.ValidString(got) || len(strings.TrimSuffix(got, Ellipsis)) > n || !strings.HasPrefix(path, strings.TrimSuffix(got, Ellipsis)) {
			t.Fatalf("Clip(path, %d) = %q: want a valid prefix of at most %d bytes", n, got, n)
		}
	}
}
