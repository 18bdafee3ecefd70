// Package content is Errata's entry model: it loads Markdown entries from an
// fs.FS, validates them strictly and renders them once with goldmark.
package content

import "time"

// Entry is one error of the catalogue, loaded from one Markdown file.
type Entry struct {
	ID           string    // stable URL-safe slug, e.g. "429-gmail-too-many-requests"
	Status       int       // HTTP status 100–599, or 0 where the source gives none
	Title        string    // human title, e.g. "Too Many Requests"
	Codes        []string  // the identifiers the API returns, primary first: "21211", "rateLimitExceeded"
	Providers    []string  // provider slugs ("gmail", "microsoft"); empty means every provider
	Messages     []string  // exact strings a client receives; variable parts as {placeholders}
	Aliases      []string  // other words people search for
	Related      []string  // ids of related entries
	Source       Source    // the catalogue the entry came from; zero when not given
	Updated      time.Time // last reviewed by a person; zero when never
	Imported     time.Time // written by errata import and not reviewed since; zero when not imported
	RedirectFrom []string  // old ids that answer 301 to ID
	Sections     []Section // body sections in file order: cause, solution, optional see-also
	Path         string    // file path inside the loaded fs.FS, for messages
}

// Source is the catalogue an entry came from, as pages name it: "From
// Twilio's error dictionary".
type Source struct {
	Name string // "Twilio's error dictionary"
	URL  string // its address, "" when not given
}

// Code is the entry's primary code, "" when it has none.
func (e Entry) Code() string {
	if len(e.Codes) == 0 {
		return ""
	}
	return e.Codes[0]
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
