package web

import (
	"errors"
	"strings"
	"testing"

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
