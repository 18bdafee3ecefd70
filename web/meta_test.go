package web

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/errata/errata/static"
)

func TestOpenSearch(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	res := do(t, h, "GET", "/opensearch.xml")
	var d struct {
		ShortName string `xml:"ShortName"`
		URLs      []struct {
			Type     string `xml:"type,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Url"`
	}
	if err := xml.Unmarshal([]byte(body(t, res)), &d); err != nil {
		t.Fatal(err)
	}
	if d.ShortName != "Errata" || len(d.URLs) == 0 || d.URLs[0].Template != "https://errata.example/?q={searchTerms}" {
		t.Errorf("%+v", d)
	}
	// Pages point browsers at it.
	doc := page(t, h, "/", 200)
	if href, _ := doc.Find(`link[rel=search][type="application/opensearchdescription+xml"]`).Attr("href"); href != "/opensearch.xml" {
		t.Errorf("link rel=search %q", href)
	}
}

func TestSitemapAndRobots(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	var sm struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(body(t, do(t, h, "GET", "/sitemap.xml"))), &sm); err != nil {
		t.Fatal(err)
	}
	if len(sm.URLs) != len(ix.Entries())+1 || sm.URLs[0].Loc != "https://errata.example/" {
		t.Fatalf("sitemap has %d urls, want %d", len(sm.URLs), len(ix.Entries())+1)
	}
	for i, e := range ix.Entries() {
		u := sm.URLs[i+1]
		if u.Loc != "https://errata.example/errors/"+e.ID || u.LastMod != e.Updated.Format("2006-01-02") {
			t.Errorf("sitemap url %+v for %s", u, e.ID)
		}
	}
	robots := body(t, do(t, h, "GET", "/robots.txt"))
	if !strings.Contains(robots, "Sitemap: https://errata.example/sitemap.xml") || !strings.Contains(robots, "Disallow: /api/") {
		t.Errorf("robots.txt:\n%s", robots)
	}
}

// Without a configured base URL, absolute URLs use the request's host.
func TestBaseURLFromRequest(t *testing.T) {
	s := NewServer(Config{}, catalogueIndex(t))
	req := func(host, proto string) string {
		r, _ := http.NewRequest("GET", "/robots.txt", nil)
		r.Host = host
		if proto != "" {
			r.Header.Set("X-Forwarded-Proto", proto)
		}
		return s.base(r)
	}
	if got := req("errata.local:8080", ""); got != "http://errata.local:8080" {
		t.Errorf("got %q", got)
	}
	if got := req("errata.example", "https"); got != "https://errata.example" {
		t.Errorf("got %q", got)
	}
	if got := req(`evil"><script>`, ""); got != "http://localhost" {
		t.Errorf("hostile host gave %q", got)
	}
}

func TestFavicon(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	f, _ := static.Lookup("favicon.svg")
	if b := body(t, do(t, h, "GET", "/favicon.ico")); b != string(f.Data) {
		t.Error("favicon.ico is not the icon")
	}
}
