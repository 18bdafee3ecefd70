// Package pasteset reads the paste set (search/testdata/pastes.json): errors
// as people paste them (JSON bodies, curl output, stack traces, SOAP faults,
// redirect URLs, log lines, codes, typos, fragments, status lines), each with
// the entry it must find, and scores a search engine on it by shape and by
// source. The search tests and errata-bench share it, so that Errata and its
// SQLite FTS5 peer are scored the same way.
package pasteset

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// Case is one paste and the entry it must find.
type Case struct {
	Shape  string `json:"shape"`          // json, curl, stacktrace, soap, url, log, code, typo, fragment, status-line
	Form   string `json:"form,omitempty"` // the variant of the shape: google, python, kv, …
	Source string `json:"source"`         // the catalogue the entry comes from: errata, twilio, aadsts, ews, graph
	Want   string `json:"want"`           // the entry id
	Note   string `json:"note,omitempty"` // where such a paste comes from
	Paste  string `json:"paste"`
}

// Load reads a paste set file.
func Load(path string) ([]Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cs []Case
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, c := range cs {
		if c.Shape == "" || c.Source == "" || c.Want == "" || c.Paste == "" {
			return nil, fmt.Errorf("%s: paste %d lacks a shape, source, want or paste", path, i+1)
		}
	}
	return cs, nil
}

// Score is top-1 and mean reciprocal rank over some pastes.
type Score struct {
	N     int     // pastes
	Top1  int     // pastes whose entry came first
	RR    float64 // sum of reciprocal ranks (0 where the entry was not found)
	Empty int     // pastes that found nothing at all
}

// Accuracy is the share of pastes whose entry came first.
func (s Score) Accuracy() float64 { return ratio(float64(s.Top1), s.N) }

// MRR is the mean reciprocal rank.
func (s Score) MRR() float64 { return ratio(s.RR, s.N) }

func ratio(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return x / float64(n)
}

func (s *Score) add(rank, hits int) {
	s.N++
	if rank == 1 {
		s.Top1++
	}
	if rank > 0 {
		s.RR += 1 / float64(rank)
	}
	if hits == 0 {
		s.Empty++
	}
}

// Tally scores results as they come, overall, by shape and by source.
type Tally struct {
	All      Score
	BySource map[string]*Score
	ByShape  map[string]*Score
}

// NewTally starts an empty tally.
func NewTally() *Tally {
	return &Tally{BySource: map[string]*Score{}, ByShape: map[string]*Score{}}
}

// Add records that c's entry came at rank (1-based, 0 when absent) among
// hits results.
func (t *Tally) Add(c Case, rank, hits int) {
	t.All.add(rank, hits)
	scoreOf(t.ByShape, c.Shape).add(rank, hits)
	scoreOf(t.BySource, c.Source).add(rank, hits)
}

func scoreOf(m map[string]*Score, k string) *Score {
	if m[k] == nil {
		m[k] = &Score{}
	}
	return m[k]
}

// Rank is the 1-based position of want in ids, or 0.
func Rank(ids []string, want string) int {
	return slices.Index(ids, want) + 1
}

// Row is one line of a comparison: a shape, a source, or all pastes, with
// each engine's score.
type Row struct {
	Group  string // "shape", "source" or "all"
	Key    string
	Scores []Score // one per tally, in the order given
}

// Rows lines up tallies of the same paste set: one row per shape, one per
// source, then all.
func Rows(ts ...*Tally) []Row {
	if len(ts) == 0 {
		return nil
	}
	var rows []Row
	for _, g := range []struct {
		name string
		of   func(*Tally) map[string]*Score
	}{{"shape", func(t *Tally) map[string]*Score { return t.ByShape }}, {"source", func(t *Tally) map[string]*Score { return t.BySource }}} {
		for _, k := range slices.Sorted(maps.Keys(g.of(ts[0]))) {
			r := Row{Group: g.name, Key: k}
			for _, t := range ts {
				r.Scores = append(r.Scores, *scoreOf(g.of(t), k))
			}
			rows = append(rows, r)
		}
	}
	all := Row{Group: "all", Key: "all"}
	for _, t := range ts {
		all.Scores = append(all.Scores, t.All)
	}
	return append(rows, all)
}

// Table prints Rows with top-1, MRR and empty answers for each named engine.
func Table(w io.Writer, names []string, ts ...*Tally) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "paste set\tpastes\t")
	for _, n := range names {
		fmt.Fprintf(tw, "%s top-1\tMRR\tempty\t", n)
	}
	fmt.Fprintln(tw)
	group := ""
	for _, r := range Rows(ts...) {
		if r.Group != group && group != "" {
			fmt.Fprintln(tw, strings.Repeat("\t", 2+3*len(names)))
		}
		group = r.Group
		fmt.Fprintf(tw, "%s\t%d\t", r.Key, r.Scores[0].N)
		for _, s := range r.Scores {
			fmt.Fprintf(tw, "%.3f\t%.3f\t%d\t", s.Accuracy(), s.MRR(), s.Empty)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
