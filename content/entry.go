// Package content is Errata's entry model: it loads Markdown entries from an
// fs.FS, validates them strictly and renders them once with goldmark.
package content

import "time"

// Entry is one error of the catalogue, loaded from one Markdown file.
type Entry struct {
	ID           string    // stable URL-safe slug, e.g. "429-gmail-too-many-requests"
	Status       int       // HTTP status 100–599, or 0 where the source gives none
	Title        string    // human title, e.g. "Too Many Requests"
	Providers    []string  // provider slugs ("gmail", "microsoft"); empty means every provider
	Messages     []string  // exact strings users see; variable parts as {placeholders}
	Aliases      []string  // other words and codes people search for
	Related      []string  // ids of related entries
	Updated      time.Time // last reviewed
	RedirectFrom []string  // old ids that answer 301 to ID
	Sections     []Section // body sections in file order: cause, solution, optional see-also
	Path         string    // file path inside the loaded fs.FS, for messages
}

// Section is one "## Heading" of an entry body, rendered once at load.
type Section struct {
	ID    string // heading id used as the URL fragment: "cause", "solution", "see-also"
	Title string // heading text: "Cause"
	HTML  string // goldmark output, raw HTML disabled; safe to embed
	Text  string // plain text, no Markdown syntax, for the index and snippets
}

// Section returns the section with the given heading id.
func (e Entry) Section(id string) (Section, bool) {
	for _, s := range e.Sections {
		if s.ID == id {
			return s, true
		}
	}
	return Section{}, false
}
