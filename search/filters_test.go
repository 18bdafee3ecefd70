package search

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
)

func TestParseStatus(t *testing.T) {
	for _, c := range []struct {
		in   string
		want StatusSet
		str  string
	}{
		{"", nil, ""},
		{"429", StatusSet{{429, 429}}, "429"},
		{" 400, 401 ", StatusSet{{400, 401}}, "400-401"},
		{"400,403", StatusSet{{400, 400}, {403, 403}}, "400,403"},
		{"400-499", StatusSet{{400, 499}}, "400-499"},
		{"4xx", StatusSet{{400, 499}}, "400-499"},
		{"4XX", StatusSet{{400, 499}}, "400-499"},
		{"400,5xx", StatusSet{{400, 400}, {500, 599}}, "400,500-599"},
		{"429,4xx", StatusSet{{400, 499}}, "400-499"},
		{"100-599", StatusSet{{100, 599}}, "100-599"},
		{"none", StatusSet{{0, 0}}, "none"},
		{" NONE ", StatusSet{{0, 0}}, "none"},
		{"4xx,None", StatusSet{{0, 0}, {400, 499}}, "none,400-499"},
		{"none,100,none", StatusSet{{0, 0}, {100, 100}}, "none,100"},
	} {
		got, err := ParseStatus(c.in)
		if err != nil {
			t.Errorf("ParseStatus(%q): %v", c.in, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("ParseStatus(%q) (-want +got):\n%s", c.in, diff)
		}
		if got.String() != c.str {
			t.Errorf("ParseStatus(%q).String() = %q, want %q", c.in, got.String(), c.str)
		}
		// The canonical form, which URLs carry, reads back as the same set.
		if again, err := ParseStatus(got.String()); err != nil || !cmp.Equal(again, got) {
			t.Errorf("ParseStatus(%q) = %v, %v; want %v", got.String(), again, err, got)
		}
	}
}

func TestParseStatusInvalid(t *testing.T) {
	for _, in := range []string{"499-400", "abc", "4xx' OR 1=1", "600", "99", "6xx", "0xx", "42", "4290", "-1", "400-", "-499", ",", "4 29", strings.Repeat("4", 1000), "४२९",
		"0", "000", "nothing", "none-499", "0-499", "non", "nones", "null"} {
		_, err := ParseStatus(in)
		var ie *InvalidError
		if !errors.As(err, &ie) {
			t.Errorf("ParseStatus(%q) = %v, want *InvalidError", in, err)
			continue
		}
		if ie.Param != "status" || !strings.Contains(ie.Message, "such as") || !strings.Contains(ie.Message, "none") {
			t.Errorf("ParseStatus(%q): message %q should name the param and the fix", in, ie.Message)
		}
	}
	// A long value is echoed cut on a character boundary.
	for _, in := range []string{strings.Repeat("४", 30), strings.Repeat("४२९", 200)} {
		_, err := ParseStatus(in)
		var ie *InvalidError
		if !errors.As(err, &ie) || !utf8.ValidString(ie.Value) || !utf8.ValidString(ie.Message) || len(ie.Value) > 64+len("…") {
			t.Errorf("ParseStatus(%d bytes) = %v: want a short, valid UTF-8 echo", len(in), err)
		}
	}
}

func TestStatusSetContains(t *testing.T) {
	s, _ := ParseStatus("400,5xx")
	for code, want := range map[int]bool{400: true, 401: false, 500: true, 599: true, 429: false} {
		if got := s.Contains(code); got != want {
			t.Errorf("%v.Contains(%d) = %v, want %v", s, code, got, want)
		}
	}
	if s.Contains(0) {
		t.Errorf("%v.Contains(0): a set of codes holds no entry without a status", s)
	}
	n, _ := ParseStatus("none,5xx")
	for code, want := range map[int]bool{0: true, 100: false, 500: true, 429: false} {
		if got := n.Contains(code); got != want {
			t.Errorf("%v.Contains(%d) = %v, want %v", n, code, got, want)
		}
	}
	if !StatusSet(nil).Contains(0) {
		t.Error("an empty set must contain entries without a status")
	}
	if !StatusSet(nil).Contains(418) {
		t.Error("an empty set must contain every code")
	}
}

func TestParseProviders(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want []string
	}{
		{nil, nil},
		{[]string{"gmail"}, []string{"gmail"}},
		{[]string{"Gmail", "MICROSOFT"}, []string{"gmail", "microsoft"}},
		{[]string{"gmail,twilio", "gmail"}, []string{"gmail", "twilio"}},
		{[]string{"Microsoft Graph"}, []string{"microsoft-graph"}},
		{[]string{"exchange web services"}, []string{"microsoft-ews"}},
		{[]string{" microsoft-entra , "}, []string{"microsoft-entra"}},
	} {
		got, err := ParseProviders(content.BuiltinProviders(), c.in)
		if err != nil {
			t.Errorf("ParseProviders(%q): %v", c.in, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("ParseProviders(%q) (-want +got):\n%s", c.in, diff)
		}
	}
	for _, in := range [][]string{{"yahoo"}, {"gmail,nope"}, {"<script>"}, {strings.Repeat("g", 5000)}} {
		_, err := ParseProviders(content.BuiltinProviders(), in)
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Param != "provider" {
			t.Errorf("ParseProviders(%q) = %v, want *InvalidError for provider", in, err)
			continue
		}
		if len(in[0]) < 100 && !strings.Contains(ie.Message, "gmail") {
			t.Errorf("ParseProviders(%q): message %q should list the known providers", in, ie.Message)
		}
	}
}
