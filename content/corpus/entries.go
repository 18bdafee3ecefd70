package corpus

import (
	"strconv"
	"strings"

	"github.com/errata/errata/content"
)

// What an entry says where its source gives no cause or solution.
const (
	NoCause    = "The source gives no cause for this error."
	NoSolution = "The source gives no solution for this error."
)

// Entries turns records straight into entries, without Markdown, for
// indexes and benchmarks. Sections carry Text only (HTML is empty); entries
// share their provider lists and the record strings, so a large corpus
// costs little more than its text.
func Entries(recs []Record) []content.Entry {
	ids := newIDs(len(recs))
	out := make([]content.Entry, len(recs))
	for i := range recs {
		out[i] = entry(&recs[i], ids.take(content.Slugify(recs[i].ID)))
	}
	return out
}

func entry(r *Record, id string) content.Entry {
	cause, solution := causeSolution(r)
	cause, solution = plain(cause), plain(solution)
	if cause == "" {
		cause = NoCause
	}
	if solution == "" {
		solution = NoSolution
	}
	e := content.Entry{
		ID:        id,
		Title:     r.Title,
		Providers: providerList(r.Provider),
		Aliases:   aliases(r),
		Sections: []content.Section{
			{ID: "cause", Title: "Cause", Text: cause},
			{ID: "solution", Title: "Solution", Text: solution},
		},
	}
	if r.Status != nil {
		e.Status = *r.Status
	}
	if strings.TrimSpace(r.Message) != "" {
		e.Messages = []string{r.Message}
	}
	return e
}

// providerLists holds one shared slice per provider.
var providerLists = func() map[string][]string {
	m := map[string][]string{}
	for _, p := range content.BuiltinProviders().Slugs() {
		m[p] = []string{p}
	}
	return m
}()

func providerList(p string) []string {
	return providerLists[p] // nil for an unknown provider: the entry applies to all
}

// ids hands out unique slugs, numbering repeats ("x", "x-2", "x-3").
type ids map[string]bool

func newIDs(n int) ids { return make(ids, n) }

func (s ids) take(id string) string {
	if id == "" {
		id = "entry"
	}
	try := id
	for n := 2; s[try]; n++ {
		try = id + "-" + strconv.Itoa(n)
	}
	s[try] = true
	return try
}

// aliases are the record's code and id, and its provider when Errata does
// not know it (so it is not lost). A blank code or provider is left out:
// the loader refuses an empty alias.
func aliases(r *Record) []string {
	as := make([]string, 0, 3)
	for _, a := range []string{r.Code, r.ID} {
		if strings.TrimSpace(a) != "" {
			as = append(as, a)
		}
	}
	if strings.TrimSpace(r.Provider) != "" && !content.BuiltinProviders().Known(r.Provider) {
		as = append(as, r.Provider)
	}
	return as
}
