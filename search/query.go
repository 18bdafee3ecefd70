package search

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// textQuery is the query bleve runs for the text: a hit matches every must
// clause, and the should clauses only add to its score. must is empty when
// nothing can match (stop words alone, with no pair to look up).
//
// It is built in steps:
//  1. each word becomes one query over the fields (wordQuery), so that a
//     document scores by the share of the words it holds;
//  2. the words are grouped by what they do (groupWords): rare words find
//     the hits, common words only score them, and a quoted phrase finds the
//     hits for its own words;
//  3. what a hit must match is picked (finders): the words that find, the
//     entries the codes name, and the statuses read from status positions;
//  4. stop words alone look up their word pairs (stopPairs);
//  5. quoted phrases are required (phraseQueries);
//  6. reason phrases and exception class words, a status typed among the
//     words, only score.
//
// fields says where the words are looked for (see reach).
func (ix *Index) textQuery(pl *plan, ws []word, fields reach) (must, should []query.Query) {
	pl.look = ix.termLookup()
	defer func() { pl.look.close(); pl.look = nil }()
	return ix.groupedQuery(pl, ix.groupWords(*pl, ws, fields), ws)
}

// groupedQuery is textQuery of words already grouped.
func (ix *Index) groupedQuery(pl *plan, g wordGroups, ws []word) (must, should []query.Query) {
	find, common := g.findWith()
	var hints []query.Query
	for _, w := range pl.scoreOnly {
		hints = append(hints, ix.wordQuery(word{text: w, lower: w}, false, pl.look).score)
	}
	pl.templateHits = ix.templateHits(ix.rerankSeq(pl, ws))
	finders := ix.finders(*pl, find)
	switch {
	case len(finders) > 0:
		must = append(must, bleve.NewDisjunctionQuery(finders...))
	case len(hints) > 0 && len(pl.phrases) == 0:
		// Nothing else to find with ({"message": "Unauthorized"}): the
		// reason phrase finds after all.
		must, hints = append(must, bleve.NewDisjunctionQuery(hints...)), nil
	case len(pl.phrases) == 0:
		// Only stop words ("should not have same From"): the English
		// fields drop them, but the word pairs keep them, so the entries
		// holding the most of the query's pairs come first.
		if pq := ix.stopPairs(ws); pq != nil {
			must = append(must, pq)
		}
	}
	if len(common) > 0 {
		should = append(should, bleve.NewDisjunctionQuery(scoring(common)...))
	}
	if len(hints) > 0 {
		should = append(should, bleve.NewDisjunctionQuery(hints...))
	}
	if len(g.phrased) > 0 {
		should = append(should, bleve.NewDisjunctionQuery(g.phrased...))
	}
	must = append(must, ix.phraseQueries(*pl)...)
	if len(pl.textStatus) > 0 && !pl.statusFinds {
		should = append(should, statusQuery(pl.textStatus, boostStatus))
	}
	if len(must) == 0 && len(should) > 0 {
		// Nothing is required (stop words with a status: "the 429"), so
		// bleve would match on the optional clauses alone. Say so, for a
		// narrow filter counts its matches on must alone (see match).
		must, should = []query.Query{bleve.NewDisjunctionQuery(should...)}, nil
	}
	return must, should
}

// finders are the queries any of which finds a hit: the words that find
// (find, nil when none can), the entries the query's codes name, the
// entries whose message the text holds whole, and the entries of statuses
// read from status positions.
func (ix *Index) finders(pl plan, find query.Query) []query.Query {
	var out []query.Query
	if find != nil {
		out = append(out, find)
	}
	if tmpl := pl.templateHits; len(tmpl) > 0 {
		// A message of common words is found by its entries' ids, as a
		// code is, so that thousands of entries sharing its words do not
		// push it out of the re-rank window.
		q := bleve.NewDocIDQuery(docNumbers(tmpl))
		q.SetBoost(boostTemplate)
		out = append(out, q)
	}
	if len(pl.codeHits) > 0 && !ix.codesSearched(pl) {
		// A code read from a class name or a field is not among the
		// words: its entries are found by their ids.
		q := bleve.NewDocIDQuery(docIDs(pl.codeHits))
		q.SetBoost(boostCode)
		out = append(out, q)
	}
	if pl.statusFinds {
		out = append(out, statusQuery(pl.textStatus, boostStatus))
	}
	return out
}

// providerQuery matches the entries of any of slugs.
func providerQuery(slugs []string, boost float64) query.Query {
	return bleve.NewDisjunctionQuery(termQueries(slugs, fProviders, boost)...)
}

// termQueries is a term query on field for each of terms, each with boost.
func termQueries(terms []string, field string, boost float64) []query.Query {
	tqs := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := bleve.NewTermQuery(t)
		tq.SetField(field)
		tq.SetBoost(boost)
		tqs[i] = tq
	}
	return tqs
}

// wordQuery is one searched word as a query in two forms.
type wordQuery struct {
	find  query.Query // every field the word is looked for in: finds hits
	score query.Query // title, message, alias and provider only: scores hits
	// df and light are the word's documents anywhere and in a title or
	// message: what its postings cost to walk.
	df, light uint32
}

// scoring is the scoring form of each word query.
func scoring(qs []wordQuery) []query.Query {
	out := make([]query.Query, len(qs))
	for i, q := range qs {
		out[i] = q.score
	}
	return out
}

// finding is the finding form of each word query.
func finding(qs []wordQuery) []query.Query {
	out := make([]query.Query, len(qs))
	for i, q := range qs {
		out[i] = q.find
	}
	return out
}

// wordQuery is w as a disjunction over the fields, its corrections counting
// less. A broad word skips the long prose of cause and solution and does
// not match every entry of a provider it names (see broadWork). A field
// that does not hold a term gets a query that matches nothing in its
// place (see termQuery).
func (ix *Index) wordQuery(w word, broad bool, look *termLookup) wordQuery {
	var find, score []query.Query
	add := func(text string, scale float64) {
		// The English fields share one analysis of the word.
		terms := ix.english(&w, text)
		find = append(find,
			termsQuery(terms, fTitle, boostTitle*scale, look),
			termsQuery(terms, fMessage, boostMessage*scale, look),
			termsQuery(terms, fAlias, boostAlias*scale, look))
		// A word that only scores skips the long prose: its postings
		// are the longest and its weight the smallest.
		score = append(score, find[len(find)-3:]...)
		if !broad {
			find = append(find, termsQuery(terms, fBody, boostBody*scale, look))
		}
		find = append(find, termQuery(lowerASCII(text), fIdent, boostIdent*scale, look))
	}
	// A word half typed is no word: "rateLi" would find what its stem
	// "rate" finds. Only its completions are searched.
	if len(w.completions) == 0 || ix.vocab.df[w.lower] > 0 {
		add(w.text, 1)
	}
	for _, f := range w.fixes {
		add(f, boostFuzzy)
	}
	for _, c := range w.completions {
		add(c, boostPrefix)
	}
	if !broad {
		for _, slug := range ix.prov.sig.words[w.lower] {
			t := termQuery(slug, fProviders, boostProvider, look)
			find = append(find, t)
			score = append(score, t)
		}
	}
	return wordQuery{anyOf(find), anyOf(score), w.df, w.light}
}

// wordGroups are the word queries of a text, by what each does.
type wordGroups struct {
	rare    []wordQuery   // in at most commonCutoff documents: they find the hits
	common  []wordQuery   // in more: they find hits only when no rare word can
	phrased []query.Query // scoring forms of words in a quoted phrase, which finds their hits
	known   bool          // some rare word is in the index
	head    bool          // looked for outside the prose only (reachHead)
	lean    *leanScoring  // when set, the common words scored are bounded
}

// leanScoring bounds the work of scoring a query's common words, once the
// matches are counted (see match). bleve steps through every posting of a
// scoring word up to each candidate, and scores each candidate: a common
// word costs the postings it walks (its titles' and messages') plus
// candidateWork for each candidate. The rarest are scored while the work
// stays within work; the others, which say least of a hit, are left out.
// A conjunction of common words (findWith) leaves out its second word
// when its postings are longer than walk: the query then finds more than
// it matches, so its hits are filtered by the matches counted (loose).
type leanScoring struct {
	work, walk int
	candidates int // the matches that will be scored
	loose      bool
}

// reach is where a query's words are looked for.
type reach int

const (
	// reachAll is every field: what a query matches, and so what it counts.
	reachAll reach = iota
	// reachBroad skips the prose of cause and solution for a broad word
	// typed alone (broadWord), where counting by bitmaps is not possible.
	reachBroad
	// reachHead skips the prose for every word: titles, messages, aliases,
	// identifiers and providers hold a query's best hits, in postings far
	// shorter than the prose's. Only scoring uses it (see match).
	reachHead
)

// groupWords makes each word that is not a stop word a query and groups it.
func (ix *Index) groupWords(pl plan, ws []word, fields reach) wordGroups {
	var inPhrase map[string]bool
	if ix.phraseCount(pl) > 0 {
		inPhrase = map[string]bool{}
		for _, ph := range pl.phrases {
			eachIdent(ph, func(_, _ int, w string) { inPhrase[lowerASCII(w)] = true })
		}
	}
	g := wordGroups{head: fields == reachHead}
	cutoff := ix.commonCutoff()
	broad := fields == reachHead || fields == reachBroad && ix.broadWord(pl, ws)
	for _, w := range ws {
		if w.stop {
			continue
		}
		q := ix.wordQuery(w, broad, pl.look)
		switch {
		case inPhrase[w.lower]:
			g.phrased = append(g.phrased, q.score)
		case w.df > cutoff:
			g.common = append(g.common, q)
		default:
			g.rare = append(g.rare, q)
			g.known = g.known || w.df > 0
		}
	}
	return g
}

// findWith is the query a hit must match, nil when no word can find hits,
// and the word queries left to only score them.
func (g wordGroups) findWith() (find query.Query, scoreOnly []wordQuery) {
	switch {
	case g.known:
		// Rare words find the hits; common ones only score them.
		return bleve.NewDisjunctionQuery(finding(g.rare)...), g.scored(g.common)
	case len(g.common) >= 2:
		// Only common words: a hit must hold the two rarest, so that a
		// fragment such as "is not a valid phone number" walks the
		// documents holding both rather than every document holding one.
		common := slices.Clone(g.common)
		slices.SortStableFunc(common, func(a, b wordQuery) int { return cmp.Compare(a.df, b.df) })
		n := 2
		if l := g.lean; l != nil && g.walked(common[1]) > l.walk {
			// Walking the second's postings costs more than scoring
			// what the first finds beyond the matches.
			n, l.loose = 1, true
		}
		return bleve.NewConjunctionQuery(finding(common[:n])...), append(g.scored(common[n:]), g.rare...)
	case len(g.rare)+len(g.common) > 0:
		return bleve.NewDisjunctionQuery(finding(append(slices.Clone(g.rare), g.common...))...), nil
	}
	return nil, nil
}

// walked is the postings a common word's finding form walks: outside the
// prose (head), those of its titles and messages, else every field's.
func (g wordGroups) walked(q wordQuery) int {
	if g.head {
		return int(q.light)
	}
	return int(q.df)
}

// scored is the common words qs that only score: every one, or under
// lean those that fit its work, the rarest first, in the order of qs.
func (g wordGroups) scored(qs []wordQuery) []wordQuery {
	l := g.lean
	if l == nil {
		return qs
	}
	order := make([]int, len(qs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(qs[a].light, qs[b].light) })
	keep := make([]bool, len(qs))
	left := l.work
	for _, i := range order {
		work := int(qs[i].light) + l.candidates*candidateWork
		if work > left {
			break
		}
		left -= work
		keep[i] = true
	}
	var out []wordQuery
	for i, q := range qs {
		if keep[i] {
			out = append(out, q)
		}
	}
	return out
}

// phraseQueries requires each quoted phrase of two words or more as the
// conjunction of its word pairs (one word: its word query already finds it).
func (ix *Index) phraseQueries(pl plan) []query.Query {
	var out []query.Query
	for _, ph := range pl.phrases {
		if !ix.isPhrase(ph) {
			continue
		}
		if pairs := ix.pairTerms(ph); len(pairs) > 0 {
			out = append(out, bleve.NewConjunctionQuery(pairs...))
		}
	}
	return out
}

// pairTerms looks up each distinct word pair of text in the phrase field.
func (ix *Index) pairTerms(text string) []query.Query {
	var pairs []query.Query
	seen := map[string]bool{}
	ix.pairs(text, func(p string, _, _ int) {
		if !seen[p] {
			seen[p] = true
			t := bleve.NewTermQuery(p)
			t.SetField(fPhrase)
			pairs = append(pairs, t)
		}
	})
	return pairs
}

// stopPairs matches the word pairs of a query made of stop words only, or
// is nil when it has fewer than two.
func (ix *Index) stopPairs(ws []word) query.Query {
	words := stopWordsOnly(ws)
	if len(words) < 2 {
		return nil
	}
	pairs := ix.pairTerms(strings.Join(words, " "))
	if len(pairs) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(pairs[:min(len(pairs), maxStopPairs)]...)
}

// isPhrase reports whether ph has two words or more, stop words included.
func (ix *Index) isPhrase(ph string) bool {
	n := 0
	ix.pairs(ph, func(string, int, int) { n++ })
	return n >= 1
}

// phraseCount is how many quoted phrases are real phrases.
func (ix *Index) phraseCount(pl plan) int {
	n := 0
	for _, ph := range pl.phrases {
		if ix.isPhrase(ph) {
			n++
		}
	}
	return n
}

// termsQuery is the query bleve's MatchQuery builds for text its field's
// analyzer turns into terms (a disjunction of term queries, or nothing), from
// terms analysed once for all the English fields rather than once per field.
func termsQuery(terms []string, field string, boost float64, look *termLookup) query.Query {
	if len(terms) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	tqs := make([]query.Query, len(terms))
	for i, t := range terms {
		tqs[i] = termQuery(t, field, boost, look)
	}
	if len(tqs) == 1 {
		// A disjunction of one term scores as the term does (its coord
		// is 1/1), for one searcher less.
		return tqs[0]
	}
	d := bleve.NewDisjunctionQuery(tqs...)
	d.SetMin(1)
	d.SetBoost(boost)
	return d
}

// termQuery is a term query on field, or a query that matches nothing when
// look says the field does not hold term. The stand-in keeps its place in
// the disjunction above it, whose score is scaled by the share of its
// clauses a document matches, so that scores stay bleve's own (up to the
// query norm, which every score of the query shares and the re-rank
// divides out); bleve builds it no term searcher.
func termQuery(term, field string, boost float64, look *termLookup) query.Query {
	if !look.has(field, term) {
		return bleve.NewMatchNoneQuery()
	}
	t := bleve.NewTermQuery(term)
	t.SetField(field)
	t.SetBoost(boost)
	return t
}

// anyOf is the disjunction of qs, or one query that matches nothing when
// none of them can match.
func anyOf(qs []query.Query) query.Query {
	for _, q := range qs {
		if _, none := q.(*query.MatchNoneQuery); !none {
			return bleve.NewDisjunctionQuery(qs...)
		}
	}
	return bleve.NewMatchNoneQuery()
}

// statusQuery matches documents whose status is in s. An entry without a
// status has no status term but a statusnum of 0 (see toDoc), so none is
// the numeric range 0–0.
func statusQuery(s StatusSet, boost float64) query.Query {
	var qs []query.Query
	for _, r := range s {
		if r.Lo == r.Hi && r != noStatus {
			t := bleve.NewTermQuery(strconv.Itoa(r.Lo))
			t.SetField(fStatus)
			t.SetBoost(boost)
			qs = append(qs, t)
			continue
		}
		lo, hi := float64(r.Lo), float64(r.Hi)
		incl := true
		n := bleve.NewNumericRangeInclusiveQuery(&lo, &hi, &incl, &incl)
		n.SetField(fStatusNum)
		n.SetBoost(boost)
		qs = append(qs, n)
	}
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// filterQueries are q's filters as bleve queries that add nothing to scores.
func filterQueries(q Query) []query.Query {
	var out []query.Query
	if len(q.Status) > 0 {
		out = append(out, statusQuery(q.Status, 0))
	}
	if len(q.Providers) > 0 {
		out = append(out, providerQuery(q.Providers, 0))
	}
	return out
}

// boolean is a query that requires must and scores with should too.
func boolean(must, should []query.Query) *query.BooleanQuery {
	b := bleve.NewBooleanQuery()
	b.AddMust(must...)
	if len(should) > 0 {
		b.AddShould(should...)
	}
	return b
}

// flat is q with each conjunction or disjunction of a single query
// replaced by that query. bleve builds a searcher for every level of a
// tree and hands each match up through all of them: the trees of common
// words nest three levels of one child above their word queries. One
// child scores as its parent does (a sum of one score, a coord of 1/1, a
// weight summed from its one child), so scores are the same to the bit.
// q itself is left as it was.
func flat(q query.Query) query.Query {
	switch q := q.(type) {
	case *query.BooleanQuery:
		out := *q
		out.Must, out.Should = flatClause(q.Must), flatClause(q.Should)
		return &out
	case *query.ConjunctionQuery, *query.DisjunctionQuery:
		if child, ok := lone(q); ok {
			return flat(child)
		}
		return flatChildren(q)
	}
	return q
}

// flatClause is flat for a clause of a boolean query. There a clause that
// bleve makes a match-none searcher counts as no clause at all, and a
// should clause alone then finds hits: a lone child is taken in place of
// its parent only when it cannot be one (a term, or a composite of its
// own children).
func flatClause(q query.Query) query.Query {
	if q == nil {
		return nil
	}
	child, ok := lone(q)
	if !ok {
		return flatChildren(q)
	}
	f := flat(child)
	switch f := f.(type) {
	case *query.TermQuery:
		return f
	case *query.ConjunctionQuery:
		if len(f.Conjuncts) > 0 {
			return f
		}
	case *query.DisjunctionQuery:
		if len(f.Disjuncts) > 0 {
			return f
		}
	}
	return flatChildren(q)
}

// lone is the single child of a conjunction, or of a disjunction that
// needs no more than one match, when it has one.
func lone(q query.Query) (query.Query, bool) {
	switch q := q.(type) {
	case *query.ConjunctionQuery:
		if len(q.Conjuncts) == 1 {
			return q.Conjuncts[0], true
		}
	case *query.DisjunctionQuery:
		if len(q.Disjuncts) == 1 && q.Min <= 1 {
			return q.Disjuncts[0], true
		}
	}
	return nil, false
}

// flatChildren is a copy of the conjunction or disjunction q with its
// children flat; any other q as it is.
func flatChildren(q query.Query) query.Query {
	switch q := q.(type) {
	case *query.ConjunctionQuery:
		out := *q
		out.Conjuncts = flatAll(q.Conjuncts)
		return &out
	case *query.DisjunctionQuery:
		out := *q
		out.Disjuncts = flatAll(q.Disjuncts)
		return &out
	}
	return q
}

func flatAll(qs []query.Query) []query.Query {
	out := make([]query.Query, len(qs))
	for i, q := range qs {
		out[i] = flat(q)
	}
	return out
}
