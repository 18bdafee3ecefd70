package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"text/tabwriter"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/errata/errata/search"
	"github.com/errata/errata/search/pasteset"
	"github.com/errata/errata/web"
)

// pasteReport is the paste set (search/testdata/pastes.json: errors as
// people paste them) asked of both engines over the catalogue people search,
// the embedded entries and the real corpora together, scored by shape, by
// source and overall on the first page of 20.
type pasteReport struct {
	File    string     `json:"file"`
	Entries int        `json:"entries"`
	Rows    []pasteRow `json:"rows"`
}

type pasteRow struct {
	Group       string  `json:"group"` // shape, source or all
	Key         string  `json:"key"`
	Pastes      int     `json:"pastes"`
	ErrataTop1  float64 `json:"errata_top1"`
	ErrataMRR   float64 `json:"errata_mrr"`
	ErrataEmpty int     `json:"errata_empty"`
	FTSTop1     float64 `json:"fts5_top1"`
	FTSMRR      float64 `json:"fts5_mrr"`
	FTSEmpty    int     `json:"fts5_empty"`
}

// errNoPasteSet says why the paste set was not run; the rest of the run goes on.
var errNoPasteSet = errors.New("paste set skipped")

// runPastes scores both engines on the paste set at path. FTS5 gets each
// paste as an OR of its tokens, as it gets the pasted kind of the latency
// mix: with AND, the noise of a paste would find nothing.
func runPastes(path string, log io.Writer) (*pasteReport, error) {
	cases, err := pasteset.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(log, "SKIPPING the paste set: %s not found (run from the module root, or give -pastes FILE)\n", path)
		return nil, errNoPasteSet
	}
	if err != nil {
		return nil, err
	}
	real, err := corpustest.Entries()
	if errors.Is(err, corpustest.ErrNoCorpora) {
		fmt.Fprintln(log, "SKIPPING the paste set: it is written over ../shared/corpora, not found beside the module")
		return nil, errNoPasteSet
	}
	if err != nil {
		return nil, err
	}
	entries, err := content.Load(content.Embedded())
	if err != nil {
		return nil, err
	}
	entries = append(entries, real...)
	ix, err := search.Build(entries)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	fts, _, err := buildFTS(entries)
	if err != nil {
		return nil, err
	}
	defer fts.Close()

	errata, peer := pasteset.NewTally(), pasteset.NewTally()
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		er, err := ix.Search(ctx, search.Query{Text: c.Paste, PerPage: search.DefaultPerPage})
		if err != nil {
			cancel()
			return nil, fmt.Errorf("errata: paste %q: %w", web.Clip(c.Paste, 60, web.Ellipsis), err)
		}
		fr, err := fts.search(ctx, benchQuery{Kind: kindPasted, Text: c.Paste})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("fts5: paste %q: %w", web.Clip(c.Paste, 60, web.Ellipsis), err)
		}
		eids := hitIDs(er)
		var fids []string
		for _, h := range fr.Hits {
			fids = append(fids, h.ID)
		}
		errata.Add(c, pasteset.Rank(eids, c.Want), len(eids))
		peer.Add(c, pasteset.Rank(fids, c.Want), len(fids))
	}
	rep := &pasteReport{File: path, Entries: len(entries)}
	for _, r := range pasteset.Rows(errata, peer) {
		e, f := r.Scores[0], r.Scores[1]
		rep.Rows = append(rep.Rows, pasteRow{
			Group: r.Group, Key: r.Key, Pastes: e.N,
			ErrataTop1: e.Accuracy(), ErrataMRR: e.MRR(), ErrataEmpty: e.Empty,
			FTSTop1: f.Accuracy(), FTSMRR: f.MRR(), FTSEmpty: f.Empty,
		})
	}
	return rep, nil
}

// pasteSetOf runs the paste set when asked, logging and skipping when its
// file or the corpora are missing.
func pasteSetOf(path string, log io.Writer) (*pasteReport, error) {
	if path == "" {
		return nil, nil
	}
	rep, err := runPastes(path, log)
	if errors.Is(err, errNoPasteSet) {
		return nil, nil
	}
	return rep, err
}

// printPastes prints the paste set's table: each engine's top-1, MRR and
// empty answers by shape, by source and overall.
func printPastes(w io.Writer, p *pasteReport) {
	fmt.Fprintf(w, "\nPaste set %s over %d entries (first page of 20):\n", p.File, p.Entries)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tpastes\tErrata top-1\tMRR\tempty\tFTS5 top-1\tMRR\tempty\t")
	for _, r := range p.Rows {
		fmt.Fprintf(tw, "%s %s\t%d\t%.3f\t%.3f\t%d\t%.3f\t%.3f\t%d\t\n", r.Group, r.Key, r.Pastes, r.ErrataTop1, r.ErrataMRR, r.ErrataEmpty, r.FTSTop1, r.FTSMRR, r.FTSEmpty)
	}
	tw.Flush()
	fmt.Fprintln(w, "(FTS5: every token of the paste quoted and ORed.)")
}

// markdownPastes writes the paste set's table for the README.
func markdownPastes(w io.Writer, p *pasteReport) {
	fmt.Fprintf(w, "#### Paste set (`%s`, %d entries: the catalogue and the real corpora)\n\n", p.File, p.Entries)
	fmt.Fprintln(w, "| group | pastes | Errata top-1 | Errata MRR | Errata empty | FTS5 top-1 | FTS5 MRR | FTS5 empty |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range p.Rows {
		fmt.Fprintf(w, "| %s %s | %d | %.3f | %.3f | %d | %.3f | %.3f | %d |\n", r.Group, r.Key, r.Pastes, r.ErrataTop1, r.ErrataMRR, r.ErrataEmpty, r.FTSTop1, r.FTSMRR, r.FTSEmpty)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "FTS5 gets every token of a paste quoted and ORed; ranks are on the first page of 20.")
	fmt.Fprintln(w)
}
