package web

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/yuin/goldmark"

	"github.com/errata/errata/content"
)

// Every entry has a Markdown copy at /errors/{id}.md, linked from its page,
// that says what the page says: title, status, providers, messages verbatim
// and each section, with links to the site made absolute.
func TestEntryMarkdownCopy(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	for _, e := range ix.Entries() {
		doc := inertHTML(t, ask(t, h, "GET", EntryPath(e.ID)))
		href, ok := doc.Find(`head link[rel=alternate][type="text/markdown"]`).Attr("href")
		if !ok || href != EntryPath(e.ID)+".md" {
			t.Errorf("%s: Markdown alternate %q (found %v), want %s.md", e.ID, href, ok, EntryPath(e.ID))
		}
		a := ask(t, h, "GET", href)
		if a.status != 200 || a.header.Get("Content-Type") != "text/markdown; charset=utf-8" {
			t.Fatalf("%s: %q, want 200 text/markdown; charset=utf-8", a, a.header.Get("Content-Type"))
		}
		if want := `<https://errata.example/errors/` + e.ID + `>; rel="canonical"`; a.header.Get("Link") != want {
			t.Errorf("%s: Link %q, want %q", a, a.header.Get("Link"), want)
		}
		want := []string{"# " + entryTitle(e) + "\n", "- ID: `" + e.ID + "`", "- Page: https://errata.example/errors/" + e.ID + "\n"}
		for _, m := range e.Messages {
			want = append(want, "- "+content.MarkdownCode(m)+"\n")
		}
		for _, sec := range e.Sections {
			want = append(want, "\n## "+sec.Title+"\n\n"+sec.Markdown("https://errata.example")+"\n")
		}
		for _, w := range want {
			if !strings.Contains(a.body, w) {
				t.Errorf("%s: the copy lacks %q:\n%s", a, w, a.body)
			}
		}
		if strings.Contains(a.body, "](/") {
			t.Errorf("%s: a link relative to the site:\n%s", a, a.body)
		}
		// It is Markdown a renderer reads as the page: one h1, the sections as h2.
		var out bytes.Buffer
		if err := goldmark.Convert([]byte(a.body), &out); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out.String(), "<h1>"); n != 1 {
			t.Errorf("%s: %d h1 headings rendered, want 1", a, n)
		}
		for _, sec := range e.Sections {
			if !strings.Contains(out.String(), "<h2>"+sec.Title+"</h2>") {
				t.Errorf("%s: no <h2>%s</h2> rendered", a, sec.Title)
			}
		}
	}
}

func TestEntryMarkdownRedirectAndErrors(t *testing.T) {
	h, _ := testServer(t, fixtures(t))
	a := ask(t, h, "GET", "/errors/old-not-found.md")
	if a.status != http.StatusMovedPermanently || a.header.Get("Location") != "/errors/404-fixture-0.md" {
		t.Errorf("%s: Location %q, want 301 to /errors/404-fixture-0.md", a, a.header.Get("Location"))
	}
	long := strings.Repeat("x", 5000)
	for _, c := range []struct{ target, want string }{
		{"/errors/no-such-error.md", `404 Not Found: No error in the catalogue has the id or code “no-such-error”. It may have been renamed; search for it: https://errata.example/?q=no+such+error`},
		{"/errors/.md", `404 Not Found: No error in the catalogue has the id or code “”.`},
		{"/errors/404-fixture-0.md.md", `404 Not Found: No error in the catalogue has the id or code “404-fixture-0.md”.`},
		{"/errors/" + long + ".md", "404 Not Found: No error in the catalogue has the id or code “" + strings.Repeat("x", maxEcho) + "…”."},
		{"/errors/%3Cscript%3E.md", "404 Not Found: No error in the catalogue has the id or code “<script>”."},
	} {
		a := ask(t, h, "GET", c.target)
		if a.status != 404 || a.header.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.HasPrefix(a.body, c.want) {
			t.Errorf("%s %q:\n%s\nwant 404 text/plain starting %q", a, a.header.Get("Content-Type"), cut(a.body, 400), c.want)
		}
		checkSecurityHeaders(t, c.target, a.header)
	}
	// With no catalogue loaded yet: 503, said in text.
	none, _ := testServer(t, nil)
	if res := do(t, none, "GET", "/errors/x.md"); res.StatusCode != 503 || !strings.Contains(body(t, res), "still loading") {
		t.Errorf("GET /errors/x.md before any catalogue: %d, want 503 saying the catalogue is loading", res.StatusCode)
	}
}

// An entry whose Markdown carries script links and raw HTML has a copy
// with neither: the copy is made from the page's safe HTML.
func TestEntryMarkdownOfHostileContent(t *testing.T) {
	h, _ := testServer(t, buildIndex(t, hostileEntries()))
	a := ask(t, h, "GET", "/errors/400-hostile-markup.md")
	if a.status != 200 {
		t.Fatalf("%s", a)
	}
	var out bytes.Buffer
	if err := goldmark.Convert([]byte(a.body), &out); err != nil {
		t.Fatal(err)
	}
	inertFragment(t, "/errors/400-hostile-markup.md rendered", out.String())
	if strings.Contains(strings.ToLower(a.body), "javascript:") && !strings.Contains(a.body, "`javascript:alert(4)`") {
		t.Errorf("a script link outside a code span:\n%s", a.body)
	}
}
