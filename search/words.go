package search

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
)

// word is one searched word with what the index knows of it.
type word struct {
	text  string   // as typed
	lower string   // lower-cased
	df    uint32   // documents that hold it (or its best correction)
	light uint32   // documents that hold its stem (or a correction's) in a title or message
	work  uint32   // postings of its stems (and its corrections') in title, message and body
	stop  bool     // an English stop word: it matches no field
	fixes []string // known words within its edit distance, when it is unknown
	// completions are the known words it begins, when it is the last word
	// of typed text (the one being typed): thrott finds throttled.
	completions []string
	// stems are the English analysis of text as the English fields index
	// it ("validating" is valid), once analysed (lookUp): the query, the
	// highlighter and a lone code use them rather than analyse it again.
	stems    []string
	analysed bool
}

// english is the English analysis of text, one of w's forms: w's own
// stems when text is w.text and lookUp has analysed it.
func (ix *Index) english(w *word, text string) []string {
	if w.analysed && text == w.text {
		return w.stems
	}
	var terms []string
	ix.en(text, func(t string, _, _ int) { terms = append(terms, t) })
	return terms
}

// words looks every word of the plan up in the vocabulary and the postings.
func (ix *Index) words(ctx context.Context, pl plan) ([]word, error) {
	df := ix.dfReader(ctx)
	out := ix.lookUpWords(pl, df)
	if err := df.close(); err != nil {
		return nil, err
	}
	return out, nil
}

// lookUpWords is words, counting with df.
func (ix *Index) lookUpWords(pl plan, df *dfCounter) []word {
	out := make([]word, 0, len(pl.words))
	for _, w := range pl.words {
		out = append(out, ix.lookUp(w, pl.pasted, w == pl.prefix, df))
	}
	return out
}

// lookUp is what the index knows of w. The word being typed (prefix) gets
// its completions; an unknown word of four letters or more typed by a
// person that completes to nothing gets corrections; a paste is taken as
// written.
func (ix *Index) lookUp(w string, pasted, prefix bool, df *dfCounter) word {
	lw := lowerASCII(w)
	wd := word{text: w, lower: lw, df: ix.vocab.df[lw], stop: true}
	// In a small catalogue every word is rare and none is broad, so a
	// stem's count only tells whether the index holds the word, which the
	// vocabulary says when it knows the word.
	counted := ix.entries.len() > minCommonCutoff
	countStems := counted || wd.df == 0
	wd.analysed = true
	ix.en(w, func(stem string, _, _ int) {
		wd.stop = false
		wd.stems = append(wd.stems, stem)
		if countStems {
			// The English fields match the stem ("validating" finds
			// "valid"), so the stem's frequency is what the word costs.
			wd.addStem(df.count(stem))
		}
	})
	if wd.stop && identParts(w) == nil && !hasDigit(w) && ix.prov.sig.words[lw] == nil {
		return wd
	}
	wd.stop = false
	for _, slug := range ix.prov.sig.words[lw] {
		if b, ok := ix.prov.bit[slug]; ok {
			wd.work += uint32(ix.provTotals[b])
		}
	}
	if prefix {
		ix.complete(&wd, df, counted)
	}
	if fz := fuzziness(lw); wd.df == 0 && fz > 0 && !pasted && !hasDigit(lw) {
		wd.fixes = ix.vocab.corrections(lw, fz, maxFixes)
		for _, f := range wd.fixes {
			wd.df = max(wd.df, ix.vocab.df[f])
			if counted {
				ix.en(f, func(stem string, _, _ int) { wd.addStem(df.count(stem)) })
			}
		}
	}
	return wd
}

// complete adds the completions of the word being typed, the likeliest
// first, while their postings stay within a broad word's: "req" is request
// alone at 100k entries, not request, requests, required and five more. A
// plain word already (token) completes to nothing, as its stem finds its
// inflections; an identifier already (rateLimit) completes only to rare
// ones (rateLimitExceeded), judged by the vocabulary alone.
func (ix *Index) complete(wd *word, df *dfCounter, counted bool) {
	if ix.vocab.df[wd.lower] > 0 {
		if identParts(wd.text) == nil && !hasDigit(wd.text) {
			return // a plain word
		}
		for _, c := range ix.vocab.completions(wd.lower, maxCompletions) {
			if ix.vocab.df[c] <= rareCompletion {
				wd.completions = append(wd.completions, c)
			}
		}
		return
	}
	for _, c := range ix.vocab.completions(wd.lower, maxCompletions) {
		var cw word
		if counted {
			ix.en(c, func(stem string, _, _ int) { cw.addStem(df.count(stem)) })
		}
		if len(wd.completions) > 0 && wd.work+cw.work > ix.broad.work {
			continue
		}
		wd.completions = append(wd.completions, c)
		wd.df = max(wd.df, ix.vocab.df[c], cw.df)
		wd.light, wd.work = max(wd.light, cw.light), wd.work+cw.work
	}
}

// addStem adds the counts of one of the word's stems (see dfCounter.count).
func (w *word) addStem(all, light, work uint32) {
	w.df, w.light, w.work = max(w.df, all), max(w.light, light), w.work+work
}

// fuzziness is the edit distance allowed for a word that is not in the
// index (see oneEditRunes).
func fuzziness(w string) int {
	switch n := len([]rune(w)); {
	case n < oneEditRunes:
		return 0
	case n < twoEditRunes:
		return 1
	default:
		return 2
	}
}

// commonCutoff is the document frequency above which a word is common: it
// scores hits but does not find them on its own, as long as the query has
// rarer words (the "common terms" idea). Small catalogues treat every word
// as rare.
func (ix *Index) commonCutoff() uint32 {
	return uint32(max(minCommonCutoff, ix.entries.len()/commonShare))
}

// broadLimits are the thresholds of broadWord for one index (see broadWork).
type broadLimits struct{ work, light uint32 }

// broadWord reports whether the query is one broad word (with its
// corrections and any stop words): it skips the prose fields, and does not
// match every entry of a provider it names.
func (ix *Index) broadWord(pl plan, ws []word) bool {
	if len(pl.phrases) > 0 {
		return false
	}
	var lone *word
	for i := range ws {
		if ws[i].stop {
			continue
		}
		if lone != nil {
			return false
		}
		lone = &ws[i]
	}
	return lone != nil && lone.work >= ix.broad.work && lone.light >= ix.broad.light
}

// stopWordsOnly is the words of a query made of stop words only, as typed,
// or nil when any word is not one.
func stopWordsOnly(ws []word) []string {
	var out []string
	for _, w := range ws {
		if !w.stop {
			return nil
		}
		out = append(out, w.text)
	}
	return out
}

// dfCounter reads how many documents hold a stemmed term in the English
// fields, from bleve's own postings.
// It opens its reader on the first count: a query on a small catalogue
// often needs none (see lookUp). The first error sticks: counts after it
// are 0 and close returns it.
type dfCounter struct {
	ctx context.Context
	ix  *Index
	r   index.IndexReader
	err error
	// keep keeps the postings count opens, with the frequencies and norms
	// that scoring reads, for a lone code's search to read (take) rather
	// than look its term up again in the same fields.
	keep bool
	kept []keptPostings
}

type keptPostings struct {
	term, field string
	tfr         index.TermFieldReader
}

func (ix *Index) dfReader(ctx context.Context) *dfCounter {
	return &dfCounter{ctx: ctx, ix: ix}
}

func (d *dfCounter) open() error {
	r, err := d.ix.reader()
	if err != nil {
		return err
	}
	d.r = r
	return nil
}

// count is the largest document frequency of term over the English fields,
// the largest over the title and message alone, and their sum.
func (d *dfCounter) count(term string) (all, light, sum uint32) {
	if _, err := d.reader(); err != nil {
		return 0, 0, 0
	}
	for _, f := range []string{fBody, fMessage, fTitle} {
		tfr, err := d.r.TermFieldReader(d.ctx, []byte(term), f, d.keep, d.keep, false)
		if err != nil {
			d.err = fmt.Errorf("search: count %q in %s: %w", term, f, err)
			return 0, 0, 0
		}
		n := uint32(min(tfr.Count(), 1<<31))
		if d.keep {
			d.kept = append(d.kept, keptPostings{term, f, tfr})
		} else if err := tfr.Close(); err != nil {
			d.err = fmt.Errorf("search: count %q in %s: %w", term, f, err)
			return 0, 0, 0
		}
		all = max(all, n)
		sum += n
		if f != fBody {
			light = max(light, n)
		}
	}
	return all, light, sum
}

// take hands over the postings of term in field that count kept, unread;
// nil when it kept none. The caller closes them.
func (d *dfCounter) take(term, field string) index.TermFieldReader {
	for k, p := range d.kept {
		if p.term == term && p.field == field {
			d.kept = slices.Delete(d.kept, k, k+1)
			return p.tfr
		}
	}
	return nil
}

// reader is the index reader counts read, opened if none was yet.
func (d *dfCounter) reader() (index.IndexReader, error) {
	if d.r == nil && d.err == nil {
		d.err = d.open()
	}
	return d.r, d.err
}

// close releases the reader and the postings kept and not taken, and
// returns the first error of any count.
func (d *dfCounter) close() error {
	for _, p := range d.kept {
		d.err = errors.Join(d.err, p.tfr.Close())
	}
	d.kept = nil
	if d.r != nil {
		d.err = errors.Join(d.err, d.r.Close())
		d.r = nil
	}
	return d.err
}

// termLookup tells whether a field holds a term at all, from the field's
// dictionary, so that a query leaves out the term queries that cannot
// match: each costs bleve a term searcher (a dictionary, postings and a
// scorer), the look-up a walk of the dictionary's automaton. On a small
// catalogue most of a word's fields do not hold it. It reads one snapshot,
// opened on the first look-up and released by close.
type termLookup struct {
	ix     *Index
	snap   *scorch.IndexSnapshot
	opened map[string][]segment.TermDictionary
	err    error // the first failure: every term is then taken as present
	buf    []byte
}

func (ix *Index) termLookup() *termLookup { return &termLookup{ix: ix} }

// has reports whether field may hold term: false only when no segment's
// dictionary holds it.
func (l *termLookup) has(field, term string) bool {
	if l == nil {
		return true
	}
	if terms, ok := l.ix.heldTerms[field]; ok {
		_, in := terms[term]
		return in
	}
	ds, ok := l.ix.heldDicts[field]
	if !ok {
		if ds, ok = l.dicts(field); !ok {
			return true
		}
	}
	return l.contains(ds, term)
}

// contains reports whether any of ds holds term (or cannot tell).
func (l *termLookup) contains(ds []segment.TermDictionary, term string) bool {
	l.buf = append(l.buf[:0], term...)
	for _, d := range ds {
		if in, err := d.Contains(l.buf); in || err != nil {
			return true
		}
	}
	return false
}

// dicts is field's dictionary in each segment of the snapshot, opened on
// the first look-up; false after a failure.
func (l *termLookup) dicts(field string) ([]segment.TermDictionary, bool) {
	if l.snap == nil && l.err == nil {
		l.err = l.open()
	}
	if l.err != nil {
		return nil, false
	}
	ds, ok := l.opened[field]
	if ok {
		return ds, true
	}
	ds, err := fieldDicts(l.snap, field)
	if err != nil {
		l.err = err
		return nil, false
	}
	l.opened[field] = ds
	return ds, true
}

// fieldDicts is field's dictionary in each segment of snap that has one.
func fieldDicts(snap *scorch.IndexSnapshot, field string) ([]segment.TermDictionary, error) {
	ds := []segment.TermDictionary{}
	for _, s := range snap.Segments() {
		d, err := s.Segment().Dictionary(field)
		if err != nil {
			return nil, err
		}
		if d != nil {
			ds = append(ds, d)
		}
	}
	return ds, nil
}

// holdDicts opens, for an index held in memory, the dictionaries of the
// fields textQuery looks terms up in, once for the index's life: its
// segments never change, and their memory is the Go heap's, so the
// dictionaries stay valid whatever happens to the snapshot. termLookup
// then opens no snapshot per query.
func (ix *Index) holdDicts() error {
	return ix.withLookedUpDicts(func(dicts map[string][]segment.TermDictionary) error {
		ix.heldDicts = dicts
		return nil
	})
}

// holdTerms copies the terms of the fields textQuery looks terms up in
// into sets, for a catalogue of fewTexts, built or opened from files: a set
// answers a look-up several times faster than a dictionary's automaton, and
// a never-asked search on the catalogue makes dozens of them. The terms are
// copies, so the sets outlive the snapshot they were read from.
func (ix *Index) holdTerms() error {
	return ix.withLookedUpDicts(func(dicts map[string][]segment.TermDictionary) error {
		held := map[string]map[string]struct{}{}
		for f, ds := range dicts {
			terms := map[string]struct{}{}
			for _, d := range ds {
				it := d.AutomatonIterator(&vellum.AlwaysMatch{}, nil, nil)
				for {
					de, err := it.Next()
					if err != nil {
						return err
					}
					if de == nil {
						break
					}
					terms[de.Term] = struct{}{}
				}
			}
			held[f] = terms
		}
		ix.heldTerms = held
		return nil
	})
}

// withLookedUpDicts calls fn with the dictionaries, in each segment, of the
// fields textQuery looks terms up in, read from a snapshot held open while
// fn runs; fn is not called for an index that is not scorch's.
func (ix *Index) withLookedUpDicts(fn func(map[string][]segment.TermDictionary) error) error {
	r, err := ix.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	dicts := map[string][]segment.TermDictionary{}
	for _, f := range []string{fTitle, fMessage, fAlias, fBody, fIdent, fProviders} {
		if dicts[f], err = fieldDicts(snap, f); err != nil {
			return err
		}
	}
	return fn(dicts)
}

func (l *termLookup) open() error {
	r, err := l.ix.reader()
	if err != nil {
		return err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		_ = r.Close()
		return errUncountable
	}
	l.snap, l.opened = snap, map[string][]segment.TermDictionary{}
	return nil
}

// close releases the snapshot.
func (l *termLookup) close() {
	if l != nil && l.snap != nil {
		_ = l.snap.Close()
		l.snap = nil
	}
}
