package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/errata/errata/static"
	"github.com/errata/errata/web/components"
)

// base is the absolute site URL: the configured one, else the request's.
func (s *Server) base(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	host := r.Host
	if host == "" || strings.ContainsAny(host, " /\\<>\"'") {
		host = "localhost"
	}
	return scheme + "://" + host
}

func (s *Server) meta(r *http.Request, title, desc, path, ogType string) components.Meta {
	b := s.base(r)
	return components.Meta{Title: title, Description: desc, Canonical: b + path, OGType: ogType, SiteURL: b, Version: s.cfg.Version}
}

func writeText(w http.ResponseWriter, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(body)
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// opensearch lets browsers search Errata from the address bar.
func (s *Server) opensearch(w http.ResponseWriter, r *http.Request) error {
	b := xmlEscape(s.base(r))
	body := `<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>Errata</ShortName>
  <Description>Search API errors and their fixes</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Image width="32" height="32" type="image/svg+xml">` + b + xmlEscape(static.URL("favicon.svg")) + `</Image>
  <Url type="text/html" method="get" template="` + b + `/?q={searchTerms}"/>
  <Url type="application/json" method="get" template="` + b + `/api/v1/search?q={searchTerms}"/>
  <Url type="application/opensearchdescription+xml" rel="self" template="` + b + `/opensearch.xml"/>
</OpenSearchDescription>
`
	writeText(w, "application/opensearchdescription+xml; charset=utf-8", []byte(body))
	return nil
}

// sitemapMaxURLs is the most URLs the sitemap protocol allows in one file.
const sitemapMaxURLs = 50_000

// sitemap lists the home page and every entry. Past sitemapURLs URLs it is
// a sitemap index instead, naming /sitemaps/1.xml, /sitemaps/2.xml, … each
// listing at most sitemapURLs of them, as the protocol asks.
func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	urls := 1 + ix.Len()
	if urls <= s.sitemapURLs {
		s.writeURLSet(w, r, ix, 0, urls)
		return nil
	}
	b := s.base(r)
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for n := 1; n <= (urls+s.sitemapURLs-1)/s.sitemapURLs; n++ {
		fmt.Fprintf(&buf, "  <sitemap><loc>%s</loc></sitemap>\n", xmlEscape(b+"/sitemaps/"+strconv.Itoa(n)+".xml"))
	}
	buf.WriteString("</sitemapindex>\n")
	writeText(w, "application/xml; charset=utf-8", buf.Bytes())
	return nil
}

// sitemapPart is file N.xml of a sitemap index: URLs (N-1)·sitemapURLs up
// to N·sitemapURLs, the home page counting as the first.
func (s *Server) sitemapPart(w http.ResponseWriter, r *http.Request) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	urls := 1 + ix.Len()
	num, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || urls <= s.sitemapURLs || (n-1)*s.sitemapURLs >= urls || strconv.Itoa(n) != num {
		return s.notFound(w, r)
	}
	s.writeURLSet(w, r, ix, (n-1)*s.sitemapURLs, min(urls, n*s.sitemapURLs))
	return nil
}

// writeURLSet writes a sitemap of URLs lo to hi, URL 0 being the home page
// and URL i entry i-1.
func (s *Server) writeURLSet(w http.ResponseWriter, r *http.Request, ix index, lo, hi int) {
	b := s.base(r)
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for u := lo; u < hi; u++ {
		if u == 0 {
			fmt.Fprintf(&buf, "  <url><loc>%s/</loc></url>\n", xmlEscape(b))
			continue
		}
		e := ix.At(u - 1)
		fmt.Fprintf(&buf, "  <url><loc>%s</loc>", xmlEscape(b+EntryPath(e.ID)))
		if !e.Updated.IsZero() {
			fmt.Fprintf(&buf, "<lastmod>%s</lastmod>", e.Updated.Format("2006-01-02"))
		}
		buf.WriteString("</url>\n")
	}
	buf.WriteString("</urlset>\n")
	writeText(w, "application/xml; charset=utf-8", buf.Bytes())
}

func (s *Server) robots(w http.ResponseWriter, r *http.Request) error {
	body := "User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: " + s.base(r) + "/sitemap.xml\n"
	writeText(w, "text/plain; charset=utf-8", []byte(body))
	return nil
}

// favicon answers browsers that ask for /favicon.ico with the SVG icon.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	f, _ := static.Lookup("favicon.svg")
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(f.Data)
}
