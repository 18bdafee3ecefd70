// Package components holds Errata's templ views. Components are pure: they
// take a view struct built by the web handlers and only render it.
package components

import "github.com/errata/errata/search"

// Meta is what every page carries in its <head> and header.
type Meta struct {
	Title       string // page title without the site name
	Description string // meta description and link previews
	Canonical   string // absolute canonical URL; "" names none (error pages)
	OGType      string // "website" or "article"
	SiteURL     string // absolute site root, for OpenSearch
	Version     string
	Q           string // text shown in the header search box
	NoIndex     bool   // error pages ask robots not to index them
	Markdown    string // path of the page's Markdown copy, "" when it has none
}

// Link is a labelled href.
type Link struct {
	Label string
	Href  string
}

// Filter is one facet choice: a link that toggles it, with its count.
type Filter struct {
	Label    string
	Value    string
	Href     string
	Count    int
	Selected bool
	Children []Filter // a provider's children, shown under it
}

// Bar is one bar of the entries-per-status chart.
type Bar struct {
	Label    string // "4xx"
	Count    int
	Href     string
	Selected bool
	Height   int // pixels, scaled to the tallest bar
	X        int // left edge in the SVG
	Width    int
}

// Item is one result in the list.
type Item struct {
	ID        string
	Status    int
	Code      string // the primary code, "" when none
	Title     string
	Href      string // entry URL carrying hl= and from=
	Providers []string
	Snippet   search.Snippet
	From      string // where the snippet comes from: "Message", "Cause", "Solution"; "" unsaid
}

// Answer is the first hit shown with its cause and first solution step,
// when a code of the search or its whole message names it.
type Answer struct {
	Title        string
	Href         string // the entry
	Why          string // "code 21211", "its message"
	Cause        string
	Step         string // the solution's first step
	CauseHref    string
	SolutionHref string
}

// Group is a run of results under one heading; searching has a single
// group without a heading.
type Group struct {
	Heading string
	Status  int
	Items   []Item
}

// Catalogue is the view of "/".
type Catalogue struct {
	Meta
	Searching    bool // q is not empty: ranked results with snippets
	Q            string
	Status       string   // canonical status filter, "" for any
	Providers    []string // active provider slugs
	Sort         string   // browsing's order, "" for status
	PerPage      int      // results a page when not the default, else 0
	Total        int
	From, To     int    // the results shown, 1-based; 0 when none
	Count        string // "41–60 of 2,822 errors"
	Note         string // why the page shown is not the one asked for, else ""
	Page         int
	Pages        int
	Groups       []Group
	StatusRange  []Filter // 1xx…5xx ranges
	StatusCodes  []Filter // each status code
	NoStatus     Filter   // entries without a status ("none"), Href "" when there are none
	ProviderF    []Filter
	Chart        []Bar
	Prev, Next   string // page links, "" when none
	PageLinks    []Filter
	SortLinks    []Filter // the orders a provider's entries can be browsed in; nil when searching or for every provider
	PerPageLinks []Filter // the page sizes offered; nil for a short list
	Suggestion   Link     // "did you mean", Href "" when none
	TooCommon    string   // why nothing matched when every word is too common, else ""
	ClearHref    string
	Understood   string   // what was read from a pasted error, "" when nothing special
	Active       []Filter // active filters as removable chips
	Named        string   // what the heading says was searched: the text, or what a paste was understood as
	Answer       *Answer  // the first hit's cause and fix when it is surely the one, else nil
	Best         string   // the first hit's address when it is clearly the best, for Enter; else ""
}

// Section is a rendered body section of an entry.
type Section struct {
	ID    string
	Title string
	HTML  string // trusted goldmark output with raw HTML off
}

// Entry is the view of "/errors/{id}".
type Entry struct {
	Meta
	ID         string
	Status     int
	Code       string   // the primary code, "" when none; it leads the heading
	OtherCodes []string // the entry's other codes
	Title      string
	Providers  []string // display names; empty means every provider
	Messages   []string
	Aliases    []string
	Source     Link   // the catalogue it came from ("Twilio's error dictionary"), Href "" when unlinked
	Updated    string // reviewed by a person, YYYY-MM-DD
	Imported   string // written by errata import and not reviewed since
	Sections   []Section
	Related    []Item
	Back       Link
	Permalink  string
}

// CodeChoice is "/errors/{code}" for a code several entries list.
type CodeChoice struct {
	Meta
	Code  string
	Items []Item
}

// Error is the view of an error page.
type Error struct {
	Meta
	Code    int
	Heading string
	Message string
	Search  string // a query to offer, e.g. the unknown id
}
