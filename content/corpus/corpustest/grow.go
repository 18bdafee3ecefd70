package corpustest

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
)

// Grow returns n entries for benchmarks: the real entries first (as
// corpus.Entries makes them), then entries that recombine real sentences of
// their titles, messages, causes and solutions. Sampling whole real
// sentences keeps the natural skew of the vocabulary (uniform random words
// would make every term match every document), and each new entry copies
// the status and provider of a random real entry, so their shares stay
// real too. Ids are unique; the result depends only on real, n and seed,
// and real is not changed.
func Grow(real []content.Entry, n int, seed int64) []content.Entry {
	if n <= 0 || len(real) == 0 {
		return nil
	}
	if n <= len(real) {
		return slices.Clone(real[:n])
	}
	out := make([]content.Entry, len(real), n)
	copy(out, real)

	var msgs, causes, solutions pool
	for i := range real {
		msgs.add(message(&real[i]))
		c, s := causeSolution(&real[i])
		causes.add(c)
		solutions.add(s)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	for i := len(real); i < n; i++ {
		base := &real[rng.IntN(len(real))]
		shape := &real[rng.IntN(len(real))] // how long its texts are
		prefix := "general"
		if len(base.Providers) > 0 {
			prefix = base.Providers[0]
		}
		e := content.Entry{
			ID:        prefix + "-grown-" + strconv.Itoa(i),
			Status:    base.Status,
			Title:     real[rng.IntN(len(real))].Title,
			Providers: base.Providers,
			Aliases:   base.Aliases[:1:1], // the code people search for; grown entries share it
		}
		e.Messages = []string{msgs.sample(rng, countSentences(message(shape)))}
		cause, solution := corpus.NoCause, corpus.NoSolution
		if c, s := causeSolution(shape); c != "" || s != "" {
			if c != "" {
				cause = causes.sample(rng, countSentences(c))
			}
			if s != "" {
				solution = solutions.sample(rng, countSentences(s))
			}
		}
		e.Sections = []content.Section{
			{ID: "cause", Title: "Cause", Text: cause},
			{ID: "solution", Title: "Solution", Text: solution},
		}
		out = append(out, e)
	}
	return out
}

// message is a real entry's message, "" when its source gives none.
func message(e *content.Entry) string {
	if len(e.Messages) == 0 {
		return ""
	}
	return e.Messages[0]
}

// causeSolution is a real entry's cause and solution text, "" where its
// source gives none (corpus.Entries writes NoCause and NoSolution there).
func causeSolution(e *content.Entry) (cause, solution string) {
	c, _ := e.Section("cause")
	s, _ := e.Section("solution")
	if c.Text == corpus.NoCause {
		c.Text = ""
	}
	if s.Text == corpus.NoSolution {
		s.Text = ""
	}
	return c.Text, s.Text
}

// pool holds real sentences as substrings of the records' text, so the
// pool itself costs no copies.
type pool []string

func (p *pool) add(text string) {
	for s := range sentences(text) {
		*p = append(*p, s)
	}
}

// sample joins k random sentences (at least one).
func (p pool) sample(rng *rand.Rand, k int) string {
	if len(p) == 0 {
		return ""
	}
	if k <= 1 {
		return p[rng.IntN(len(p))] // shared, not copied
	}
	parts := make([]string, min(k, 6))
	for j := range parts {
		parts[j] = p[rng.IntN(len(p))]
	}
	return strings.Join(parts, " ")
}

// sentences yields the sentences of text: split after ". ", "? ", "! " and
// at line ends.
func sentences(text string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for line := range strings.Lines(text) {
			line = strings.TrimSpace(line)
			start := 0
			for i := 0; i+1 < len(line); i++ {
				if (line[i] == '.' || line[i] == '?' || line[i] == '!') && line[i+1] == ' ' {
					if s := strings.TrimSpace(line[start : i+1]); s != "" && !yield(s) {
						return
					}
					start = i + 2
				}
			}
			if s := strings.TrimSpace(line[start:]); s != "" && !yield(s) {
				return
			}
		}
	}
}

func countSentences(text string) int {
	n := 0
	for range sentences(text) {
		n++
	}
	return n
}
