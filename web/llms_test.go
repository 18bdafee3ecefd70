package web

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/errata/errata/content"
)

// llmsFile is /llms.txt as read back: its title, summary and the links of
// each section.
type llmsFile struct {
	title, summary string
	sections       map[string][]llmsLink
	order          []string
}

type llmsLink struct{ text, url, note string }

var llmsLinkRE = regexp.MustCompile(`^- \[(.+?)\]\((\S+)\)(?:: (.*))?$`)

// parseLLMS reads the llmstxt.org shape strictly: an H1 first, a blockquote
// summary, free text, then H2 sections whose lines are all links.
func parseLLMS(tb testing.TB, body string) llmsFile {
	tb.Helper()
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	f := llmsFile{sections: map[string][]llmsLink{}}
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "# ") || lines[1] != "" || !strings.HasPrefix(lines[2], "> ") {
		tb.Fatalf("llms.txt does not start with an H1 and a blockquote summary:\n%s", cut(body, 600))
	}
	f.title, f.summary = lines[0][2:], lines[2][2:]
	section := ""
	for i, l := range lines[3:] {
		switch {
		case strings.HasPrefix(l, "## "):
			section = l[3:]
			if _, dup := f.sections[section]; dup {
				tb.Errorf("section %q appears twice", section)
			}
			f.sections[section] = nil
			f.order = append(f.order, section)
		case strings.HasPrefix(l, "#"):
			tb.Errorf("line %d: a heading other than H2: %q", i+4, l)
		case section != "" && l != "":
			m := llmsLinkRE.FindStringSubmatch(l)
			if m == nil {
				tb.Errorf("line %d of section %q is not a link: %q", i+4, section, l)
				continue
			}
			f.sections[section] = append(f.sections[section], llmsLink{m[1], m[2], m[3]})
		}
	}
	return f
}

// /llms.txt links every entry's Markdown copy under its provider and
// status, and every link answers.
func TestLLMSTxt(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	a := ask(t, h, "GET", "/llms.txt")
	if a.status != 200 || a.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("%s: %q", a, a.header.Get("Content-Type"))
	}
	f := parseLLMS(t, a.body)
	if f.title != "Errata" || !strings.Contains(f.summary, "API error") {
		t.Errorf("title %q, summary %q", f.title, f.summary)
	}
	for _, want := range []string{"https://errata.example/llms-full.txt", "https://errata.example/openapi.json", "https://errata.example/mcp", "all 15 entries"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("llms.txt does not mention %s", want)
		}
	}
	listed := map[string]int{}
	for _, sec := range f.order {
		for _, l := range f.sections[sec] {
			id := strings.TrimSuffix(strings.TrimPrefix(l.url, "https://errata.example/errors/"), ".md")
			e, ok := ix.Entry(id)
			if !ok || l.url != "https://errata.example/errors/"+id+".md" {
				t.Errorf("section %q links %s, which is no entry's Markdown copy", sec, l.url)
				continue
			}
			listed[id]++
			who := "Every provider"
			if len(e.Providers) > 0 {
				who = "" // one of its providers
				for _, p := range e.Providers {
					if strings.HasPrefix(sec, content.BuiltinProviders().Name(p)+": ") {
						who = content.BuiltinProviders().Name(p)
					}
				}
			}
			if who == "" || sec != (llmsGroup{providerSlug(who), e.Status}).heading(content.BuiltinProviders()) {
				t.Errorf("%s is listed under %q, not its provider and status", id, sec)
			}
			if l.text != codedTitle(e) || l.note == "" {
				t.Errorf("%s: link text %q, note %q; want its title and a note", id, l.text, l.note)
			}
		}
	}
	for _, e := range ix.Entries() {
		if want := max(1, len(e.Providers)); listed[e.ID] != want {
			t.Errorf("%s is listed %d times, want %d (once per provider)", e.ID, listed[e.ID], want)
		}
		if r := ask(t, h, "GET", markdownPath(e.ID)); r.status != 200 {
			t.Errorf("%s linked from llms.txt: %d", markdownPath(e.ID), r.status)
		}
	}
	// Sections run by provider in the list's order, then status; every
	// provider last.
	if !strings.HasPrefix(f.order[0], "Gmail: ") {
		t.Errorf("section order %q", f.order)
	}
	rank := func(sec string) [2]int {
		who, status, _ := strings.Cut(sec, ": ")
		r := [2]int{len(content.BuiltinProviders().Slugs()), 1000}
		if who != "Every provider" {
			r[0] = slices.Index(content.BuiltinProviders().Slugs(), providerSlug(who))
		}
		if n, err := strconv.Atoi(strings.Fields(status)[0]); err == nil {
			r[1] = n
		}
		return r
	}
	for i := 1; i < len(f.order); i++ {
		if a, b := rank(f.order[i-1]), rank(f.order[i]); a[0] > b[0] || a[0] == b[0] && a[1] >= b[1] {
			t.Errorf("section %q comes after %q", f.order[i], f.order[i-1])
		}
	}
}

func providerSlug(name string) string {
	for _, p := range content.BuiltinProviders().Slugs() {
		if content.BuiltinProviders().Name(p) == name {
			return p
		}
	}
	return ""
}

// /llms-full.txt is the same header and every entry's Markdown copy.
func TestLLMSFullTxt(t *testing.T) {
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	a := ask(t, h, "GET", "/llms-full.txt")
	if a.status != 200 || !strings.HasPrefix(a.body, "# Errata\n\n> ") || !strings.Contains(a.body, "https://errata.example/llms.txt") {
		t.Fatalf("%s:\n%s", a, cut(a.body, 600))
	}
	for _, e := range ix.Entries() {
		if !strings.Contains(a.body, "\n"+entryMarkdown(e, content.BuiltinProviders(), "https://errata.example")) {
			t.Errorf("llms-full.txt lacks the Markdown copy of %s", e.ID)
		}
	}
}

// ?status= and ?provider= narrow both files as they narrow the pages; a
// big selection is cut in pages that link to the next.
func TestLLMSFiltersAndPages(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	f := parseLLMS(t, ask(t, h, "GET", "/llms.txt?provider=gmail&status=4xx").body)
	for sec, links := range f.sections {
		if !strings.HasPrefix(sec, "Gmail: 4") || len(links) == 0 {
			t.Errorf("filtered to Gmail 4xx, got section %q with %d links", sec, len(links))
		}
	}
	if a := ask(t, h, "GET", "/llms.txt?status=none"); a.status != 200 || !strings.Contains(a.body, "No entry matches (0 entries with status none).") {
		t.Errorf("%s:\n%s", a, a.body)
	}

	// 120 entries: two pages of llms-full.txt.
	fsys := fstest.MapFS{}
	for i := range 120 {
		id := fmt.Sprintf("400-paged-%03d", i)
		fsys[id+".md"] = &fstest.MapFile{Data: fmt.Appendf(nil, "---\nid: %s\nstatus: 400\ntitle: Paged %d\nproviders: [twilio]\nupdated: 2026-01-01\n---\n\n## Cause\n\nC.\n\n## Solution\n\nS.\n", id, i)}
	}
	paged, _ := testServer(t, buildIndex(t, fsys))
	first := ask(t, paged, "GET", "/llms-full.txt?provider=twilio")
	next := "https://errata.example/llms-full.txt?page=2&provider=twilio"
	if !strings.Contains(first.body, "This is page 1 of 2: 100 of 120 entries with provider Twilio.") || !strings.Contains(first.body, "- [Page 2 of 2]("+next+")") {
		t.Errorf("page 1 does not say what it holds or link page 2:\n%s", cut(first.body, 800))
	}
	second := ask(t, paged, "GET", strings.TrimPrefix(next, "https://errata.example"))
	if got := strings.Count(second.body, "\n# "); got != 20 || strings.Contains(second.body, "## More") {
		t.Errorf("page 2 holds %d entries, want the last 20 and no next page", got)
	}
	if got := strings.Count(first.body, "\n# "); got != 100 {
		t.Errorf("page 1 holds %d entries, want 100", got)
	}
}

// Bad parameters are a 400 in one line of text that names the parameter
// and the fix; unknown ones are ignored, as on the pages.
func TestLLMSBadParameters(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	for _, path := range []string{"/llms.txt", "/llms-full.txt"} {
		for _, c := range []struct{ query, want string }{
			{"status=abc", "400 Bad Request: The status parameter"},
			{"status=" + strings.Repeat("4", 5000), "400 Bad Request: The status parameter"},
			{"provider=yahoo", `"yahoo" is not a known provider; use one of gmail,`},
			{"page=0", "400 Bad Request: The page parameter must be a whole number from 1 to"},
			{"page=abc", "400 Bad Request: The page parameter must be a whole number"},
			{"page=2", "400 Bad Request: There is only 1 page of results; ask for page 1."},
			{"provider=%3Cscript%3E", "is not a known provider"},
		} {
			a := ask(t, h, "GET", path+"?"+c.query)
			if a.status != 400 || a.header.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.Contains(a.body, c.want) || strings.Count(a.body, "\n") != 1 {
				t.Errorf("%s %q:\n%s\nwant one line of 400 text with %q", a, a.header.Get("Content-Type"), cut(a.body, 300), c.want)
			}
			checkSecurityHeaders(t, a.target, a.header)
		}
		if a := ask(t, h, "GET", path+"?utm_source=x&q=ignored"); a.status != 200 {
			t.Errorf("%s: unknown parameters should be ignored", a)
		}
		if a := ask(t, h, "POST", path); a.status != http.StatusMethodNotAllowed {
			t.Errorf("%s, want 405", a)
		}
	}
}
