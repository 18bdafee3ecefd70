package web

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/errata/errata/search"
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

// Past 50,000 URLs (here lowered to 4), /sitemap.xml is a sitemap index of
// files that each list at most that many; together they list the home page
// and every entry once, in order. A file past the last is a 404.
func TestSitemapIndexPastTheLimit(t *testing.T) {
	ix := catalogueIndex(t)
	s := NewServer(Config{BaseURL: "https://errata.example"}, ix)
	s.sitemapURLs = 4
	h := s.Handler()
	var idx struct {
		XMLName xml.Name
		Locs    []string `xml:"sitemap>loc"`
	}
	if err := xml.Unmarshal([]byte(body(t, do(t, h, "GET", "/sitemap.xml"))), &idx); err != nil {
		t.Fatal(err)
	}
	files := (ix.Len() + 1 + 3) / 4
	if idx.XMLName.Local != "sitemapindex" || len(idx.Locs) != files {
		t.Fatalf("sitemap.xml is %s with %d files, want a sitemapindex of %d", idx.XMLName.Local, len(idx.Locs), files)
	}
	var got []string
	for i, loc := range idx.Locs {
		if want := "https://errata.example/sitemaps/" + strconv.Itoa(i+1) + ".xml"; loc != want {
			t.Errorf("file %d is %s, want %s", i+1, loc, want)
		}
		var set struct {
			Locs []string `xml:"url>loc"`
		}
		res := do(t, h, "GET", strings.TrimPrefix(loc, "https://errata.example"))
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
			t.Fatalf("%s: %d %s", loc, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if err := xml.Unmarshal([]byte(body(t, res)), &set); err != nil {
			t.Fatal(err)
		}
		if len(set.Locs) == 0 || len(set.Locs) > 4 {
			t.Errorf("%s lists %d URLs, want 1 to 4", loc, len(set.Locs))
		}
		got = append(got, set.Locs...)
	}
	want := []string{"https://errata.example/"}
	for _, e := range ix.Entries() {
		want = append(want, "https://errata.example/errors/"+e.ID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the files list\n%v\nwant\n%v", got, want)
	}
	for _, bad := range []string{"/sitemaps/" + strconv.Itoa(files+1) + ".xml", "/sitemaps/0.xml", "/sitemaps/01.xml", "/sitemaps/1", "/sitemaps/x.xml"} {
		if res := do(t, h, "GET", bad); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", bad, res.StatusCode)
		}
	}
	// Under the limit there is one sitemap and no files.
	if res := do(t, testHandler(t, ix), "GET", "/sitemaps/1.xml"); res.StatusCode != 404 {
		t.Errorf("GET /sitemaps/1.xml under the limit: %d, want 404", res.StatusCode)
	}
}

func testHandler(t *testing.T, ix *search.Index) http.Handler {
	h, _ := testServer(t, ix)
	return h
}
