package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
)

// Page sizes of the files for language models: a catalogue of 100k entries
// would make one file of megabytes that no model reads whole, so each page
// stays small and links to the next.
const (
	llmsLinksPerPage   = 1000
	llmsEntriesPerPage = 100
)

// llms is /llms.txt in the llmstxt.org shape: a title, a summary, then one
// section of links per provider and status, each to an entry's Markdown.
func (s *Server) llms(w http.ResponseWriter, r *http.Request) error {
	return s.writeLLMS(w, r, false)
}

// llmsFull is /llms-full.txt: the same header, then every entry whole.
func (s *Server) llmsFull(w http.ResponseWriter, r *http.Request) error {
	return s.writeLLMS(w, r, true)
}

func (s *Server) writeLLMS(w http.ResponseWriter, r *http.Request, full bool) error {
	sel, err := s.selectEntries(r)
	if err != nil {
		return err
	}
	perPage := llmsLinksPerPage
	if full {
		perPage = llmsEntriesPerPage
	}
	entries, pages, err := sel.page(perPage)
	if err != nil {
		return err
	}
	base := s.base(r)
	var b strings.Builder
	b.WriteString("# Errata\n\n")
	b.WriteString("> Errata explains API error responses (Gmail, Microsoft, Twilio and more), one entry per error: " +
		"its exact messages, why it happens and how to fix it.\n\n")
	fmt.Fprintf(&b, "To find the entry for an error, paste it into the search: %s/api/v1/search?q=TEXT (JSON, described at %s/openapi.json), "+
		"or call the tools search_errors, get_error and explain_error of the MCP server at %s/mcp. ", base, base, base)
	if full {
		fmt.Fprintf(&b, "A link to every entry: %s/llms.txt.\n\n", base)
	} else {
		fmt.Fprintf(&b, "Every entry in one file: %s/llms-full.txt.\n\n", base)
	}
	b.WriteString(llmsCount(sel, len(entries), pages))
	if full {
		for _, e := range entries {
			b.WriteString("\n" + entryMarkdown(e, sel.providers, base))
		}
	} else {
		writeLLMSLinks(&b, entries, sel.providers, sel.providers.WithChildren(sel.query.Providers), base)
	}
	if p := max(sel.query.Page, 1); p < pages {
		fmt.Fprintf(&b, "\n## More\n\n- [Page %d of %d](%s): the next %s\n", p+1, pages, base+sel.pageURL(r.URL.Path, p+1), plural(perPage, "entry", "entries"))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
	return nil
}

// llmsCount says how many entries the file holds, of what.
func llmsCount(sel selection, shown, pages int) string {
	what := plural(len(sel.entries), "entry", "entries")
	if f := sel.filters(); f != "" {
		what += " with " + f
	}
	if len(sel.entries) == 0 {
		return "No entry matches (" + what + ").\n"
	}
	if pages == 1 {
		return "This file holds all " + what + ".\n"
	}
	return fmt.Sprintf("This is page %d of %d: %s of %s.\n", max(sel.query.Page, 1), pages, strconv.Itoa(shown), what)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// pageURL is the path of page p of the file at path, with the same filters.
func (sel selection) pageURL(path string, p int) string {
	v := sel.values()
	v.Set("page", strconv.Itoa(p))
	return path + "?" + v.Encode()
}

// llmsGroup is one section of llms.txt: the entries of one provider (""
// for every provider) and one status (0 for none).
type llmsGroup struct {
	provider string
	status   int
}

func (g llmsGroup) heading(providers *content.Providers) string {
	who := "Every provider"
	if g.provider != "" {
		who = providers.Name(g.provider)
	}
	if g.status == 0 {
		return who + ": no HTTP status"
	}
	return who + ": " + strconv.Itoa(g.status) + " " + http.StatusText(g.status)
}

// writeLLMSLinks writes one section per provider and status: providers in
// their usual order, entries for every provider last; statuses ascending,
// none last. An entry for two providers is listed under both, unless only
// some providers were asked for (only, with their children): then under
// those alone.
func writeLLMSLinks(b *strings.Builder, entries []content.Entry, providers *content.Providers, only []string, base string) {
	groups := map[llmsGroup][]content.Entry{}
	for _, e := range entries {
		provs := e.Providers
		if len(provs) == 0 {
			provs = []string{""}
		}
		for _, p := range provs {
			if len(only) > 0 && !slices.Contains(only, p) {
				continue
			}
			g := llmsGroup{p, e.Status}
			groups[g] = append(groups[g], e)
		}
	}
	order := providers.Slugs()
	rank := func(p string) int {
		if p == "" {
			return len(order)
		}
		return slices.Index(order, p)
	}
	statusRank := func(st int) int {
		if st == 0 {
			return 1000
		}
		return st
	}
	keys := make([]llmsGroup, 0, len(groups))
	for g := range groups {
		keys = append(keys, g)
	}
	slices.SortFunc(keys, func(a, b llmsGroup) int {
		return cmp.Or(cmp.Compare(rank(a.provider), rank(b.provider)), cmp.Compare(statusRank(a.status), statusRank(b.status)))
	})
	for _, g := range keys {
		b.WriteString("\n## " + inlineText(g.heading(providers)) + "\n\n")
		for _, e := range groups[g] {
			b.WriteString("- [" + inlineText(codedTitle(e)) + "](" + base + markdownPath(e.ID) + ")")
			if d := describe(e); d != "" {
				b.WriteString(": " + inlineText(d))
			}
			b.WriteString("\n")
		}
	}
}
