package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
)

// markdownType is the media type of the Markdown copies (RFC 7763).
const markdownType = "text/markdown; charset=utf-8"

// markdownOr answers /errors/{id}.md with the entry as Markdown and every
// other /errors/{id} with page. Entry ids are slugs, which never hold a dot,
// so the suffix cannot be part of an id.
func (s *Server) markdownOr(page handler) http.Handler {
	md, html := s.plain(s.entryMarkdown), s.page(page)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.PathValue("id"), ".md") {
			md.ServeHTTP(w, r)
			return
		}
		html.ServeHTTP(w, r)
	})
}

// entryMarkdown serves an entry as Markdown; an old id redirects to the
// new id's copy.
func (s *Server) entryMarkdown(w http.ResponseWriter, r *http.Request) error {
	ix, e, ok, err := s.requestedEntry(w, r, strings.TrimSuffix(r.PathValue("id"), ".md"), markdownPath)
	if !ok {
		return err
	}
	base := s.base(r)
	w.Header().Set("Content-Type", markdownType)
	// The page is the copy search engines should show.
	w.Header().Set("Link", "<"+base+EntryPath(e.ID)+`>; rel="canonical"`)
	_, _ = w.Write([]byte(entryMarkdown(e, ix.Providers(), base)))
	return nil
}

// entryMarkdown is an entry as one Markdown document: its title, what
// identifies it, its messages verbatim, and its sections. Links to the
// site are absolute with base. The same document is /errors/{id}.md, a part
// of /llms-full.txt and the MCP resource errata://errors/{id}.
func entryMarkdown(e content.Entry, providers *content.Providers, base string) string {
	var b strings.Builder
	b.WriteString("# " + inlineText(entryTitle(e)) + "\n\n")
	b.WriteString("- ID: `" + e.ID + "`\n")
	if len(e.Codes) > 0 {
		spans := make([]string, len(e.Codes))
		for i, c := range e.Codes {
			spans[i] = codeText(c)
		}
		b.WriteString("- Codes: " + strings.Join(spans, ", ") + "\n")
	}
	if e.Status == 0 {
		b.WriteString("- Status: none (the source gives no HTTP status)\n")
	} else {
		b.WriteString("- Status: " + strconv.Itoa(e.Status) + " " + http.StatusText(e.Status) + "\n")
	}
	b.WriteString("- Providers: " + providerNames(providers, e.Providers) + "\n")
	if e.Source.Name != "" {
		src := inlineText(e.Source.Name)
		if e.Source.URL != "" {
			src = "[" + src + "](<" + e.Source.URL + ">)"
		}
		b.WriteString("- Source: " + src + "\n")
	}
	if d := date(e); d != "" {
		b.WriteString("- Updated: " + d + "\n")
	} else if d := importedDate(e); d != "" {
		b.WriteString("- Imported: " + d + " (not reviewed yet)\n")
	}
	b.WriteString("- Page: " + base + EntryPath(e.ID) + "\n")
	if len(e.Messages) > 0 {
		b.WriteString("\n## Messages\n\n")
		for _, m := range e.Messages {
			b.WriteString("- " + codeText(m) + "\n")
		}
	}
	if len(e.Aliases) > 0 {
		spans := make([]string, len(e.Aliases))
		for i, a := range e.Aliases {
			spans[i] = codeText(a)
		}
		b.WriteString("\nAlso known as: " + strings.Join(spans, ", ") + "\n")
	}
	for _, sec := range e.Sections {
		b.WriteString("\n## " + inlineText(sec.Title) + "\n\n" + sec.Markdown(base) + "\n")
	}
	return b.String()
}

// providerNames lists an entry's providers for people: "Gmail, Microsoft",
// or "every provider" for an entry that names none.
func providerNames(providers *content.Providers, slugs []string) string {
	if len(slugs) == 0 {
		return "every provider"
	}
	names := make([]string, len(slugs))
	for i, p := range slugs {
		names[i] = providers.Name(p)
	}
	return strings.Join(names, ", ")
}

// inlineText is s as Markdown text on one line.
func inlineText(s string) string { return content.MarkdownText(strings.Join(strings.Fields(s), " ")) }

// codeText is s verbatim in a code span, on one line.
func codeText(s string) string { return content.MarkdownCode(strings.Join(strings.Fields(s), " ")) }
