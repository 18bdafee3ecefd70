package search

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/errata/errata/content"
)

// searchTimeout bounds a search whose context has no deadline of its own.
const searchTimeout = 2 * time.Second

// rerankWindow is how many of bleve's best hits are re-ranked by phrase
// coverage before the page is cut.
const rerankWindow = 50

func itoa(n int) string { return strconv.Itoa(n) }

// Search runs q under ctx; a bad value in q is an *InvalidError.
func (ix *Index) Search(ctx context.Context, q Query) (*Results, error) {
	if ix == nil || ix.bleve == nil || ix.closed.Load() {
		return nil, errClosed
	}
	if err := normalizeQuery(&q); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, searchTimeout)
		defer cancel()
	}
	start := time.Now()
	pl := understand(q.Text)
	res := &Results{
		Query:   q,
		Page:    q.Page,
		PerPage: q.PerPage,
		Understood: Understood{
			Terms:   strings.Join(pl.words, " "),
			Status:  pl.textStatus,
			Pasted:  pl.pasted,
			Phrases: pl.phrases,
		},
	}
	var err error
	if len(pl.words) == 0 && len(pl.phrases) == 0 {
		ix.browse(q, pl, res)
	} else {
		err = ix.searchText(ctx, q, pl, res)
	}
	res.Took = time.Since(start)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// normalizeQuery fills defaults and rejects values out of bounds.
func normalizeQuery(q *Query) error {
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PerPage == 0 {
		q.PerPage = DefaultPerPage
	}
	if q.Page < 1 || q.Page > MaxPage {
		return &InvalidError{Param: "page", Value: itoa(q.Page), Message: fmt.Sprintf("must be a whole number from 1 to %d.", MaxPage)}
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		return &InvalidError{Param: "per_page", Value: itoa(q.PerPage), Message: fmt.Sprintf("must be a whole number from 1 to %d.", MaxPerPage)}
	}
	for _, r := range q.Status {
		if r != noStatus && (r.Lo < 100 || r.Hi > 599 || r.Lo > r.Hi) {
			return &InvalidError{Param: "status", Value: q.Status.String(), Message: "must be codes from 100 to 599, such as 429, 400-499 or 4xx, or none for entries without a status."}
		}
	}
	for _, p := range q.Providers {
		if !content.KnownProvider(p) {
			return &InvalidError{Param: "provider", Value: clip(p, 64), Message: fmt.Sprintf("%q is not a known provider; use one of %s.", clip(p, 32), strings.Join(content.ProviderSlugs(), ", "))}
		}
	}
	return nil
}

// hasProvider reports whether e names any of slugs (an empty filter matches all).
func hasProvider(e *content.Entry, slugs []string) bool {
	if len(slugs) == 0 {
		return true
	}
	for _, p := range e.Providers {
		if slices.Contains(slugs, p) {
			return true
		}
	}
	return false
}

// browse answers a query without words from the entries slice: every entry
// in status order, filtered, with exact facets. Counts come from each
// admitted status's provider masks (statusMasks), so only the entries on
// the page are visited: entries without a status, most of an imported
// catalogue, cost their few masks when a status filter leaves them out
// and only the none facet counts them.
func (ix *Index) browse(q Query, pl plan, res *Results) {
	status, any := q.Status.intersect(pl.textStatus)
	from := (q.Page - 1) * q.PerPage
	var statusCounts [600]int
	var provCounts [32]int
	pmask := providerMask(q.Providers)
	for code := range statusCounts {
		in := any && status.Contains(code)
		// A status in the text (never 0) leaves entries without one uncounted.
		counted := pl.textStatus.Contains(code)
		if !in && !counted {
			continue
		}
		n := 0 // entries of this status the provider filter admits
		for _, mc := range ix.statusMasks[code] {
			if pmask == 0 || mc.mask&pmask != 0 {
				n += mc.n
			}
			if in {
				for b := mc.mask; b != 0; b &= b - 1 {
					provCounts[bits.TrailingZeros32(b)] += mc.n
				}
			}
		}
		if counted {
			statusCounts[code] = n
		}
		if !in {
			continue
		}
		if k := res.Total; k+n > from && len(res.Hits) < q.PerPage {
			lo, hi := int(ix.statusStart[code]), int(ix.statusStart[code+1])
			if pmask == 0 && k < from {
				lo, k = lo+from-k, from
			}
			for i := lo; i < hi && len(res.Hits) < q.PerPage; i++ {
				if pmask != 0 && ix.provMask[i]&pmask == 0 {
					continue
				}
				if k >= from {
					res.Hits = append(res.Hits, ix.hit(i, 0, nil))
				}
				k++
			}
		}
		res.Total += n
	}
	res.Facets = facetsFrom(statusCounts[:], providerCounts(&provCounts), q)
}

func facetsFrom(statusCounts []int, provCounts map[string]int, q Query) Facets {
	var f Facets
	for code, n := range statusCounts {
		if n > 0 {
			v := itoa(code)
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

// searchText runs the words through bleve once, with no filter: every
// match is handed to a collector, which applies the filters from the entries
// slice, counts both facets (each ignoring its own filter) and keeps the best
// hits. One pass gives hits, total and exact facets, with no doc-value reads.
func (ix *Index) searchText(ctx context.Context, q Query, pl plan, res *Results) error {
	ws, err := ix.words(ctx, pl)
	if err != nil {
		return err
	}
	must, should := ix.textQuery(pl, ws)
	if len(pl.textStatus) > 0 {
		should = append(should, statusQuery(pl.textStatus, boostStatus))
	}
	if len(must) == 0 {
		// Nothing is required (stop words, perhaps with a status: "the
		// 429"). bleve would then match on the optional clauses alone; say
		// so, for the passes of a narrow filter match on must only.
		if len(should) == 0 {
			res.Suggestion = ix.suggest(pl, ws)
			res.TooCommon = tooCommon(pl, ws)
			return nil
		}
		must, should = []query.Query{bleve.NewDisjunctionQuery(should...)}, nil
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(must...)
	if len(should) > 0 {
		bq.AddShould(should...)
	}

	from := (q.Page - 1) * q.PerPage
	c := ix.newCollector(q, max(from+q.PerPage, rerankWindow))
	if ix.selective(q) {
		// A narrow filter: count facets in a pass that scores nothing, then
		// score only the filtered documents (bleve drives the conjunction
		// from the filter's short postings).
		c.rank = false
		count := bleve.NewBooleanQuery()
		count.AddMust(must...)
		if err := ix.collect(ctx, count, "none", c); err != nil {
			return err
		}
		c.rank, c.count = true, false
		ranked := bleve.NewBooleanQuery()
		ranked.AddMust(filterQueries(q)...)
		ranked.AddMust(must...)
		if len(should) > 0 {
			ranked.AddShould(should...)
		}
		if err := ix.collect(ctx, ranked, "", c); err != nil {
			return err
		}
	} else if err := ix.collect(ctx, bq, "", c); err != nil {
		return err
	}
	res.Total = c.total
	res.Facets = facetsFrom(c.statusCounts[:], providerCounts(&c.provCounts), q)

	ranked := ix.rerank(c.best(), pl)
	if from < len(ranked) {
		page := ranked[from:min(len(ranked), from+q.PerPage)]
		hl := ix.newHighlighter(pl, ws)
		for _, r := range page {
			res.Hits = append(res.Hits, ix.hit(r.doc, r.score, hl))
		}
	}
	if res.Total == 0 {
		res.Suggestion = ix.suggest(pl, ws)
		res.TooCommon = tooCommon(pl, ws)
	}
	return nil
}

// tooCommon lists the words of a text made only of stop words, which the
// English fields never index, so that the page can say why nothing matched.
func tooCommon(pl plan, ws []word) []string {
	if len(pl.phrases) > 0 || len(pl.textStatus) > 0 {
		return nil
	}
	return stopWordsOnly(ws)
}

// collect runs q through bleve, handing every match to c.
func (ix *Index) collect(ctx context.Context, q query.Query, score string, c *collector) error {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = score
	cctx := context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, bsearch.MakeDocumentMatchHandler(c.handler))
	if _, err := ix.bleve.SearchInContext(cctx, req); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return c.err
}

// selectiveShare is the largest share of the catalogue a filter may admit
// for the two-pass search to pay.
const selectiveShare = 0.2

// selective reports whether q's filters admit few enough entries that
// scoring only them beats scoring every match.
func (ix *Index) selective(q Query) bool {
	if len(q.Status) == 0 && len(q.Providers) == 0 {
		return false
	}
	admit := len(ix.entries)
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
		for _, p := range q.Providers {
			if b, ok := providerBit[p]; ok {
				n += ix.provTotals[b]
			}
		}
		admit = min(admit, n)
	}
	return float64(admit) < selectiveShare*float64(len(ix.entries))
}

// filterQueries are q's filters as bleve queries that add nothing to scores.
func filterQueries(q Query) []query.Query {
	var out []query.Query
	if len(q.Status) > 0 {
		out = append(out, statusQuery(q.Status, 0))
	}
	if len(q.Providers) > 0 {
		var ps []query.Query
		for _, p := range q.Providers {
			t := bleve.NewTermQuery(p)
			t.SetField(fProviders)
			t.SetBoost(0)
			ps = append(ps, t)
		}
		out = append(out, bleve.NewDisjunctionQuery(ps...))
	}
	return out
}

// ranked is a document with its final score.
type ranked struct {
	doc   int
	score float64
}

// rerank adds phrase coverage to bleve's relevance: a message pasted whole
// (placeholders matching any words) beats the same words scattered, and a
// title typed whole beats an alias.
func (ix *Index) rerank(hits []ranked, pl plan) []ranked {
	maxScore := 0.0
	for _, h := range hits {
		maxScore = max(maxScore, h.score)
	}
	if maxScore == 0 {
		maxScore = 1
	}
	seq := ix.rerankSeq(&pl)
	var r tokenReader
	for i := range hits {
		h := &hits[i]
		h.score = h.score/maxScore + ix.phraseBonus(h.doc, seq, &pl, &r)
	}
	slices.SortStableFunc(hits, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.doc, b.doc))
	})
	return hits
}

// hit turns document i into a Hit with a snippet.
func (ix *Index) hit(i int, score float64, hl *highlighter) Hit {
	e := &ix.entries[i]
	h := Hit{
		ID:        e.ID,
		Status:    e.Status,
		Providers: e.Providers,
		Title:     e.Title,
		Score:     score,
	}
	h.Snippet = hl.snippet(e)
	return h
}
