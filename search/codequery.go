package search

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
)

// A query that is one typed code (AADSTS50126, 21211, ErrorServerBusy) is
// the most common search and the one with least to do: the code table
// names its entries, and every other entry that mentions the code holds
// the same term in the few fields a word is looked for in. matchCode reads
// those postings directly and scores them as bleve scores textQuery's one
// word query (each field's term: √freq × norm × idf × boost × idf × query
// norm; their sum times the share of fields matched), so the hits, totals,
// facets and scores are those of the full search, without building and
// running bleve's searchers and collector, or even the query. Anything
// else takes the full search.

// codeFields are the fields, boosts and analysis of wordQuery's finding
// form for a word that is not broad, in its order.
var codeFields = [...]struct {
	name  string
	boost float64
	ident bool // the identifier term (lower-cased word) rather than the English one
}{{fTitle, boostTitle, false}, {fMessage, boostMessage, false}, {fAlias, boostAlias, false}, {fBody, boostBody, false}, {fIdent, boostIdent, true}}

// loneCode returns the terms a query made of one typed code looks up, or
// false when the query is anything else: the query must be exactly the one
// bleve query wordQuery makes of a known word that names entries by the
// code table and needs no document ids (codesSearched). A text of one
// word has no word pairs to name entries by their messages (templateHits).
func (ix *Index) loneCode(pl plan, ws []word) (terms [len(codeFields)]string, ok bool) {
	if pl.pasted || len(pl.phrases) > 0 || len(pl.textStatus) > 0 || len(pl.scoreOnly) > 0 || len(pl.codeHits) == 0 || len(ws) != 1 || len(pl.seq) > 1 {
		return terms, false
	}
	w := ws[0]
	if w.stop || w.df == 0 || len(w.fixes) > 0 || len(w.completions) > 0 || len(ix.prov.sig.words[w.lower]) > 0 ||
		ix.broadWord(pl, ws) || !ix.codesSearched(pl) {
		return terms, false
	}
	if len(w.stems) != 1 {
		return terms, false // wordQuery's fields would each hold a disjunction
	}
	for k, f := range codeFields {
		terms[k] = w.stems[0]
		if f.ident {
			terms[k] = lowerASCII(w.text)
		}
	}
	return terms, true
}

// answerCode answers a query of one typed code into res as the full
// search does (searchText), from its postings (matchCode), and reports
// whether it did. It looks the text's word up itself, keeping the
// postings the look-up opens for matchCode to read, and returns the words
// it looked up (nil when it looked up none) for the full search.
func (ix *Index) answerCode(ctx context.Context, q Query, pl plan, res *Results) (answered bool, ws []word, err error) {
	if pl.pasted || len(pl.words) != 1 || len(pl.codeHits) == 0 {
		return false, nil, nil // surely not a lone code (loneCode)
	}
	df := ix.dfReader(ctx)
	df.keep = true
	defer func() { err = errors.Join(err, df.close()) }()
	if ws = ix.lookUpWords(pl, df); df.err != nil {
		return false, nil, df.err
	}
	terms, ok := ix.loneCode(pl, ws)
	if !ok {
		return false, ws, nil
	}
	c := ix.newCollector(q, max(q.Page*q.PerPage, rerankWindow))
	defer c.release()
	c.named = pl.namedDocs()
	if err := ix.matchCode(ctx, terms, df, c); err != nil {
		return true, ws, err
	}
	ix.answer(q, pl, ws, c, res)
	return true, ws, nil
}

// matchCode hands c every entry that the one word query of a lone code
// (its terms, loneCode) matches, scored as bleve scores it. It reads the
// postings df kept when it counted the word and opens the others with
// df's reader. Filters and facets are c's, as for the full search.
func (ix *Index) matchCode(ctx context.Context, terms [len(codeFields)]string, df *dfCounter, c *collector) error {
	r, err := df.reader()
	if err != nil {
		return err
	}
	total, err := r.DocCount()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	var readers [len(codeFields)]index.TermFieldReader
	defer func() {
		for _, tr := range readers {
			if tr != nil {
				tr.Close()
			}
		}
	}()
	var idf [len(codeFields)]float64
	for k, f := range codeFields {
		if readers[k] = df.take(terms[k], f.name); readers[k] == nil {
			if readers[k], err = r.TermFieldReader(ctx, []byte(terms[k]), f.name, true, true, false); err != nil {
				return fmt.Errorf("search: %w", err)
			}
		}
		idf[k] = 1.0 + math.Log(float64(total)/float64(readers[k].Count()+1.0))
	}
	// bleve's disjunction orders its children by their postings, fewest
	// first (stably, for five), and adds weights and scores in that order.
	order := []int{0, 1, 2, 3, 4}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(readers[a].Count(), readers[b].Count()) })
	// The query norm bleve's root searcher hands every term: the inverse
	// root of the sum of each term's (boost × idf)², over the fields that
	// hold the term (textQuery leaves the others out, see termQuery).
	sumSq := 0.0
	for _, k := range order {
		if readers[k].Count() == 0 {
			continue
		}
		w := codeFields[k].boost * idf[k]
		sumSq += w * w
	}
	qnorm := 1.0 / math.Sqrt(sumSq)

	// Each document's field scores, summed in the fields' order as bleve's
	// disjunction sums its matching children: the postings of every field,
	// field after field in that order, then sorted by document, stably.
	type posting struct {
		num   uint64
		score float64
	}
	n := uint64(0)
	for _, tr := range readers {
		n += tr.Count()
	}
	ps := make([]posting, 0, min(n, uint64(len(ix.docEntry))*uint64(len(codeFields))))
	var tfd index.TermFieldDoc
	for _, k := range order {
		weight := codeFields[k].boost * idf[k] * qnorm
		for {
			d, err := readers[k].Next(&tfd)
			if err != nil {
				return fmt.Errorf("search: %w", err)
			}
			if d == nil {
				break
			}
			if len(ps)%1024 == 1023 && ctx.Err() != nil {
				return fmt.Errorf("search: %w", ctx.Err())
			}
			var tf float64
			if d.Freq < scorer.MaxSqrtCache {
				tf = scorer.SqrtCache[int(d.Freq)]
			} else {
				tf = math.Sqrt(float64(d.Freq))
			}
			s := tf * d.Norm * idf[k]
			if weight != 1.0 {
				s *= weight
			}
			ps = append(ps, posting{binary.BigEndian.Uint64(d.ID), s})
		}
	}
	slices.SortStableFunc(ps, func(a, b posting) int { return cmp.Compare(a.num, b.num) })
	type match struct {
		entry int32
		score float64
	}
	ms := make([]match, 0, len(ps))
	for lo := 0; lo < len(ps); {
		hi, sum := lo, 0.0
		for ; hi < len(ps) && ps[hi].num == ps[lo].num; hi++ {
			sum += ps[hi].score
		}
		num := ps[lo].num
		if num >= uint64(len(ix.docEntry)) {
			return errDocMap
		}
		ms = append(ms, match{ix.docEntry[num], sum * (float64(hi-lo) / float64(len(codeFields)))})
		lo = hi
	}
	// The collector reads each entry's status and providers: read them
	// in a pass of their own first, where no read waits for another (see
	// entryStore.warm).
	var warm uint32
	for _, m := range ms {
		warm += uint32(ix.status[m.entry]) + ix.provMask[m.entry]
	}
	warmSink.Store(warm)
	for _, m := range ms {
		c.add(int(m.entry), m.score)
	}
	return nil
}
