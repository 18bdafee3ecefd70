package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/errata/errata/content"
)

// The stages of a search are listed in doc.go.

// Search runs q under ctx; a bad value in q is an *InvalidError.
func (ix *Index) Search(ctx context.Context, q Query) (*Results, error) {
	return ix.search(ctx, q, true)
}

// search is Search; with fastCode unset a lone typed code takes the full
// search instead of answerCode, which tests compare it with.
func (ix *Index) search(ctx context.Context, q Query, fastCode bool) (*Results, error) {
	if ix == nil || ix.bleve == nil || ix.closed.Load() {
		return nil, errClosed
	}
	if err := normalizeQuery(&q, ix.prov.reg); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, searchTimeout)
		defer cancel()
	}
	start := time.Now()
	pl := understand(q.Text, ix.prov.sig)
	ix.resolve(&pl)
	res := &Results{
		Query:   q,
		Page:    q.Page,
		PerPage: q.PerPage,
		Understood: Understood{
			Terms:     strings.Join(pl.words, " "),
			Status:    pl.textStatus,
			Pasted:    pl.pasted,
			Phrases:   pl.phrases,
			Shape:     pl.shape.String(),
			Codes:     pl.named,
			Message:   pl.message,
			Providers: pl.hints,
			Query:     pl.shortQuery(q.Text),
		},
	}
	var err error
	if pl.browses() {
		ix.browse(q, pl, res)
		ix.sortBrowsed(q, pl, res)
	} else {
		err = ix.searchText(ctx, q, pl, res, fastCode)
	}
	res.Took = time.Since(start)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// normalizeQuery fills defaults and rejects values out of bounds or
// providers the catalogue does not know.
func normalizeQuery(q *Query, providers *content.Providers) error {
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PerPage == 0 {
		q.PerPage = DefaultPerPage
	}
	if q.Page < 1 || q.Page > MaxPage {
		return &InvalidError{Param: "page", Value: strconv.Itoa(q.Page), Message: fmt.Sprintf("must be a whole number from 1 to %d.", MaxPage)}
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		return &InvalidError{Param: "per_page", Value: strconv.Itoa(q.PerPage), Message: fmt.Sprintf("must be a whole number from 1 to %d.", MaxPerPage)}
	}
	for _, r := range q.Status {
		if r != noStatus && (r.Lo < 100 || r.Hi > 599 || r.Lo > r.Hi) {
			return &InvalidError{Param: "status", Value: q.Status.String(), Message: "must be codes from 100 to 599, such as 429, 400-499 or 4xx, or none for entries without a status."}
		}
	}
	for _, p := range q.Providers {
		if !providers.Known(p) {
			return unknownProvider(providers, p)
		}
	}
	var err error
	q.Sort, err = ParseSort(q.Sort)
	return err
}

// searchText finds, counts and ranks the entries matching the text, then
// makes the page's hits. A lone typed code is answered from its postings
// when fastCode is set (codequery.go).
func (ix *Index) searchText(ctx context.Context, q Query, pl plan, res *Results, fastCode bool) error {
	var (
		ws       []word
		answered bool
		err      error
	)
	if fastCode {
		if answered, ws, err = ix.answerCode(ctx, q, pl, res); err != nil {
			return err
		}
	}
	if ws == nil {
		if ws, err = ix.words(ctx, pl); err != nil {
			return err
		}
	}
	if !answered {
		if must, should := ix.textQuery(&pl, ws, reachAll); len(must) > 0 {
			c := ix.newCollector(q, max(q.Page*q.PerPage, rerankWindow))
			defer c.release()
			c.named = pl.namedDocs()
			if err := ix.match(ctx, q, pl, ws, must, should, c); err != nil {
				return err
			}
			ix.answer(q, pl, ws, c, res)
		}
	}
	if res.Total == 0 {
		res.Suggestion = ix.suggest(pl, ws)
		res.TooCommon = tooCommon(pl, ws)
	}
	return nil
}

// match counts the documents the text matches in every field (must, of
// textQuery's query of every field), then hands the best of them to c,
// scored by must and should. Counts come from the postings' bitmaps
// (count.go): exact totals and facets, each facet ignoring its own filter,
// without scoring a document; a catalogue of at most collectorCounts
// entries is counted by the collector instead. Scoring is bounded twice, for its cost grows
// with the matches it visits:
//   - past headFrom matches, only the entries holding the words outside
//     the prose of cause and solution are scored (reachHead), as long as
//     they fill the window;
//   - scoring stops after maxScored matches, once the filters have
//     admitted a window of them, so that a common word costs at a million
//     entries what it does at 100k. Pages past them rank every match;
//   - the common words that only score are scored, the rarest first, while
//     the postings they walk and the candidates they score stay within a
//     budget (leanScoring); a conjunction of common words leaves out a
//     second word too common to walk, and only the counted matches are
//     kept of what its first word finds.
//
// A narrow filter is part of the scoring query, so that bleve walks only
// what it admits. Where bitmaps cannot count a query, bleve hands every
// match to c, which filters and counts as it goes.
func (ix *Index) match(ctx context.Context, q Query, pl plan, ws []word, must, should []query.Query, c *collector) error {
	if ix.entries.len() <= collectorCounts {
		return ix.matchEvery(ctx, q, must, should, c)
	}
	return ix.matchCounted(ctx, q, pl, ws, must, should, c)
}

// matchCounted is match by bitmaps, whatever the catalogue's size.
func (ix *Index) matchCounted(ctx context.Context, q Query, pl plan, ws []word, must, should []query.Query, c *collector) error {
	m, err := ix.newMatcher(ctx)
	if errors.Is(err, errUncountable) {
		must, should := ix.textQuery(&pl, ws, reachBroad)
		return ix.matchEvery(ctx, q, must, should, c)
	}
	if err != nil {
		return err
	}
	defer m.close()
	matches, err := ix.count(m, q, must, c)
	if err != nil {
		if errors.Is(err, errUncountable) {
			must, should = ix.textQuery(&pl, ws, reachBroad)
			return ix.matchEvery(ctx, q, must, should, c)
		}
		return err
	}
	if c.total == 0 {
		return nil
	}
	c.count = false
	lim := ix.scoring.or()
	lean := &leanScoring{work: lim.work, walk: lim.walk, candidates: min(c.matched, lim.maxScored)}
	var g *wordGroups
	if c.matched > lim.headFrom && c.window <= lim.headFrom {
		head := ix.groupWords(pl, ws, reachHead)
		hmust, _ := ix.groupedQuery(&pl, head, ws)
		n, err := ix.admitted(m, q, hmust)
		if err != nil && !errors.Is(err, errUncountable) {
			return err
		}
		if err == nil && n >= c.window {
			g, lean.candidates = &head, min(n, lean.candidates)
		}
	}
	if g == nil && ix.leanBinds(lean, ws) {
		all := ix.groupWords(pl, ws, reachAll)
		g = &all
	}
	if g != nil {
		g.lean = lean
		must, should = ix.groupedQuery(&pl, *g, ws)
		if lean.loose {
			c.only = matches
		}
	}
	if c.matched > lim.maxScored && c.window <= lim.maxScored {
		c.limit = lim.maxScored
	}
	scoring := boolean(must, should)
	if ix.selective(q) {
		fq := q
		fq.Providers = ix.prov.reg.WithChildren(q.Providers)
		scoring = boolean(append(filterQueries(fq), must...), should)
	}
	if err := ix.collect(ctx, scoring, "", c); err != nil {
		return err
	}
	return ix.scoreUnseen(ctx, scoring, c)
}

// leanBinds reports whether l may leave any of ws out of scoring (an
// overestimate): if not, the query of every word is the one to score with.
func (ix *Index) leanBinds(l *leanScoring, ws []word) bool {
	cutoff := ix.commonCutoff()
	work, common, most := 0, 0, 0
	for _, w := range ws {
		if !w.stop && w.df > cutoff {
			work += int(w.light) + l.candidates*candidateWork
			common++
			most = max(most, int(w.df))
		}
	}
	return work > l.work || common >= 2 && most > l.walk
}

// scoreUnseen scores the entries the query names (by a code or a whole
// message) that bleve, stopped at the limit, never reached: the same query
// again, on those ids alone. The ids' own clause weighs next to nothing, so
// each scores as it would have in the first pass.
func (ix *Index) scoreUnseen(ctx context.Context, scoring query.Query, c *collector) error {
	unseen := c.unseen()
	if len(unseen) == 0 {
		return nil
	}
	ids := bleve.NewDocIDQuery(docNumbers(unseen))
	ids.SetBoost(unseenBoost)
	c.limit = 0
	return ix.collect(ctx, bleve.NewConjunctionQuery(ids, scoring), "", c)
}

// scoringLimits bound the scoring of one query's matches (see match and
// leanScoring).
type scoringLimits struct{ headFrom, maxScored, work, walk int }

// or is l with tuning.go's values in place of zeros.
func (l scoringLimits) or() scoringLimits {
	return scoringLimits{cmp.Or(l.headFrom, headFrom), cmp.Or(l.maxScored, maxScored), cmp.Or(l.work, maxScoreWork), cmp.Or(l.walk, maxWalk)}
}

// matchEvery hands every document that matches must to c, scored by must
// and should; c filters and counts both facets as it goes. A narrow filter
// takes two passes instead: count in one that scores nothing, then score
// only the filtered documents (bleve drives the conjunction from the
// filter's short postings).
func (ix *Index) matchEvery(ctx context.Context, q Query, must, should []query.Query, c *collector) error {
	if len(must) == 0 {
		return nil
	}
	if !ix.selective(q) {
		return ix.collect(ctx, boolean(must, should), "", c)
	}
	c.rank = false
	if err := ix.collect(ctx, boolean(must, nil), "none", c); err != nil {
		return err
	}
	c.rank, c.count = true, false
	fq := q
	fq.Providers = ix.prov.reg.WithChildren(q.Providers)
	return ix.collect(ctx, boolean(append(filterQueries(fq), must...), should), "", c)
}

// selective reports whether q's filters admit few enough entries that
// scoring only them beats scoring every match.
func (ix *Index) selective(q Query) bool {
	if len(q.Status) == 0 && len(q.Providers) == 0 {
		return false
	}
	admit := ix.entries.len()
	if len(q.Status) > 0 {
		n := 0
		for code, k := range ix.statusTotals {
			if q.Status.Contains(code) {
				n += k
			}
		}
		admit = min(admit, n)
	}
	if len(q.Providers) > 0 {
		n := 0
		for _, p := range ix.prov.reg.WithChildren(q.Providers) {
			if b, ok := ix.prov.bit[p]; ok {
				n += ix.provTotals[b]
			}
		}
		admit = min(admit, n)
	}
	return float64(admit) < selectiveShare*float64(ix.entries.len())
}

// tooCommon lists the words of a text made only of stop words, which the
// English fields never index, so that the page can say why nothing matched.
func tooCommon(pl plan, ws []word) []string {
	if len(pl.phrases) > 0 || len(pl.textStatus) > 0 {
		return nil
	}
	return stopWordsOnly(ws)
}

// facetsFrom names the counts of each status and provider; values of q's
// filters are selected.
func facetsFrom(statusCounts []int, provCounts map[string]int, q Query) Facets {
	var f Facets
	for code, n := range statusCounts {
		if n > 0 {
			v := strconv.Itoa(code)
			if code == 0 {
				v = StatusNone
			}
			f.Status = append(f.Status, FacetValue{Value: v, Count: n, Selected: len(q.Status) > 0 && q.Status.Contains(code)})
		}
	}
	for p, n := range provCounts {
		f.Provider = append(f.Provider, FacetValue{Value: p, Count: n, Selected: slices.Contains(q.Providers, p)})
	}
	slices.SortFunc(f.Provider, func(a, b FacetValue) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	return f
}

// answer fills res with what c collected: the totals, the facets and the
// page's hits, re-ranked.
func (ix *Index) answer(q Query, pl plan, ws []word, c *collector, res *Results) {
	res.Total = c.total
	res.Facets = facetsFrom(c.statusCounts[:], ix.prov.counts(&c.provCounts), q)
	ranked := ix.rerank(c.best(), pl, ws)
	from := (q.Page - 1) * q.PerPage
	if from < len(ranked) {
		hl := ix.newHighlighter(pl, ws)
		page := ranked[from:min(len(ranked), from+q.PerPage)]
		ix.entries.warm(page)
		res.Hits = make([]Hit, 0, len(page))
		for _, r := range page {
			res.Hits = append(res.Hits, ix.hit(r.doc, r.score, r.match, hl))
		}
	}
}

// hit turns entry i into a Hit with a snippet (the start of its first
// message without a highlighter).
func (ix *Index) hit(i int, score float64, match string, hl *highlighter) Hit {
	s := &ix.entries
	e := new(s.view(i, partShown)) // the snippet's texts are read in place
	sn, from := hl.snippet(e)
	h := Hit{
		ID:          e.ID,
		Status:      e.Status,
		Codes:       e.Codes,
		Providers:   e.Providers,
		Title:       e.Title,
		Snippet:     sn,
		SnippetFrom: from,
		Match:       match,
		Score:       score,
	}
	if s.all == nil {
		ownHit(&h)
	}
	return h
}

// ownHit copies the strings of h, which point into a mapped entries file,
// into one allocation of its own, so that h outlives the call. Its lists
// are its own already (see mappedEntries.decodePart).
func ownHit(h *Hit) {
	n := len(h.ID) + len(h.Title)
	for _, ss := range [][]string{h.Codes, h.Providers} {
		for _, str := range ss {
			n += len(str)
		}
	}
	for _, sp := range h.Snippet {
		n += len(sp.Text)
	}
	buf := make([]byte, 0, n)
	own := func(str string) string {
		if str == "" {
			return ""
		}
		buf = append(buf, str...)
		return unsafe.String(&buf[len(buf)-len(str)], len(str)) // buf never grows: its capacity is all of them
	}
	h.ID, h.Title = own(h.ID), own(h.Title)
	for _, ss := range [][]string{h.Codes, h.Providers} {
		for k := range ss {
			ss[k] = own(ss[k])
		}
	}
	for k := range h.Snippet {
		h.Snippet[k].Text = own(h.Snippet[k].Text)
	}
}
