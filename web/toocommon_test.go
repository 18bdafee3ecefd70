package web

import (
	"slices"
	"strings"
	"testing"
)

// A search of only words too common to index ("cannot") says so, on the
// page and in the API, instead of the general advice for no match.
func TestTooCommonWords(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	doc := page(t, h, "/?q=cannot", 200)
	hint := doc.Find("[data-testid=too-common]").Text()
	if !strings.Contains(hint, "“cannot” is too common a word to search for on its own") || doc.Find("[data-testid=empty]").Length() != 1 {
		t.Errorf("/?q=cannot: hint %q", hint)
	}
	if got := page(t, h, "/?q=is+the", 200).Find("[data-testid=too-common]").Text(); !strings.Contains(got, "“is”, “the” are too common to search for on their own") {
		t.Errorf("/?q=is+the: hint %q", got)
	}
	api := getJSON[apiSearchResponse](t, h, "/api/v1/search?q=cannot", 200)
	if api.Total != 0 || !slices.Equal(api.TooCommon, []string{"cannot"}) {
		t.Errorf("API for cannot: total %d, too_common %q", api.Total, api.TooCommon)
	}
	// Other empty searches keep the general advice; a match has no hint.
	for _, q := range []string{"xyzzyq", "quota"} {
		d := page(t, h, "/?q="+q, 200)
		if d.Find("[data-testid=too-common]").Length() != 0 {
			t.Errorf("/?q=%s shows the too-common hint", q)
		}
		if b := body(t, do(t, h, "GET", "/api/v1/search?q="+q)); strings.Contains(b, "too_common") {
			t.Errorf("API for %s carries too_common: %s", q, cut(b, 2000))
		}
	}
	if d := page(t, h, "/?q=xyzzyq", 200); !strings.Contains(d.Find("[data-testid=empty]").Text(), "Try fewer words") {
		t.Error("an empty search lost the general advice")
	}
}
