package search

import "time"

// Query is what a person asked for, already validated. Build it with
// ParseStatus and ParseProviders so that bad values are caught as *InvalidError.
type Query struct {
	Text      string    // what was typed or pasted (capped by the index)
	Status    StatusSet // empty means any status, with or without one
	Providers []string  // provider slugs; empty means any provider
	Page      int       // 1-based; 0 means 1
	PerPage   int       // 1–100; 0 means DefaultPerPage
	Sort      string    // browsing's order: SortStatus, SortCode or SortTitle (ParseSort)
}

// StatusRange is an inclusive range of HTTP statuses; a single code has Lo == Hi.
type StatusRange struct{ Lo, Hi int }

// StatusNone is the status filter and facet value of entries without an
// HTTP status (content.Entry.Status 0). In a StatusSet it is the range {0, 0}.
const StatusNone = "none"

// StatusSet is a union of ranges, parsed from "429", "400,401", "400-499",
// "4xx", "none". Its ranges are {0, 0} (none) or lie within 100–599, so
// none never merges with another.
type StatusSet []StatusRange

// Results is one page of answers to a Query.
type Results struct {
	Query      Query      // the query as run (page and per-page normalised)
	Understood Understood // what was read out of the text
	Total      int        // hits across all pages
	Page       int        // 1-based page returned
	PerPage    int        // page size used
	Hits       []Hit      // this page, best first (status order when browsing)
	Facets     Facets     // counts that honour the other active filters
	Suggestion string     // "did you mean" text when nothing matched, else ""
	// TooCommon are the words of a query that found nothing because every
	// word was one too common to search for ("cannot", "the"); else nil.
	TooCommon []string
	Took      time.Duration // time spent in the index
}

// Understood says how free text was read: a pasted error's shape, status,
// codes, message and provider, statuses typed among words, and the words
// that were searched for.
type Understood struct {
	Terms   string    // the text actually searched, noise removed
	Status  StatusSet // statuses found in the text ("429 gmail", a status line, a JSON code)
	Pasted  bool      // the text looked like a pasted error (status line, JSON body, log line)
	Phrases []string  // quoted phrases
	Shape   string    // how it was pasted: json, xml, http, trace, url, log; "text" when typed
	Codes   []string  // the codes that named entries, as written: AADSTS50126, 21211
	Message string    // the error's message as read from the paste, "" when typed
	// Providers are the providers the paste's hosts and SDK names point to.
	Providers []string
	// Query is a short text that searches as the paste does (its status,
	// codes, provider and message): a paste's shareable address.
	Query string
}

// Hit is one matching entry.
type Hit struct {
	ID        string
	Status    int
	Codes     []string // the codes the API returns, primary first
	Providers []string // slugs; empty means every provider
	Title     string
	Snippet   Snippet
	// SnippetFrom is the text the snippet comes from: FromMessage,
	// FromCause, FromSolution or FromTitle.
	SnippetFrom string
	// Match says why the hit is surely the one: MatchCode when a code of
	// the query belongs to it alone, MatchMessage when the query holds one
	// of its messages whole; "" otherwise.
	Match string
	Score float64
}

// What makes a hit sure (Hit.Match).
const (
	MatchCode    = "code"
	MatchMessage = "message"
)

// Snippet is a short excerpt of an entry's text, split into plain and
// matched spans: the text is as written, for the caller to escape.
type Snippet []Span

// Span is a run of snippet text; Mark is true for the words that matched.
type Span struct {
	Text string
	Mark bool
}

// Facets are counts per status and per provider.
type Facets struct {
	Status   []FacetValue // by status code ascending; "none" (no status) first
	Provider []FacetValue // by count descending, then slug
}

// FacetValue is one facet bucket.
type FacetValue struct {
	Value    string // "429", "none" or "gmail": the value a filter takes
	Count    int
	Selected bool // this value is part of the active filter
}

// InvalidError is a bad filter, page or query value, refused with a message
// for the person who gave it.
type InvalidError struct {
	Param   string // the value refused: "status", "provider", "page", "per_page" (PerPage) or "q"
	Value   string // what was given, cut short
	Message string // a sentence a person understands, with the fix
}

func (e *InvalidError) Error() string { return e.Param + ": " + e.Message }
