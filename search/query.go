package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Query guards: a pasted page of logs is read, but only so much of it is
// searched.
const (
	maxTerms        = 32 // distinct words searched
	maxPhrases      = 4  // quoted phrases honoured
	maxPhraseTokens = 16 // words in one quoted phrase
)

// Field boosts, measured with the relevance set (testdata/relevance.json):
// a word in the title counts most, then aliases and messages, then the prose
// of cause and solution (the body). Exact message and title phrases are rewarded on top
// when hits are re-ranked (see phraseCoverage). Typos rank below exact words.
const (
	boostTitle    = 4.0
	boostMessage  = 3.0
	boostAlias    = 3.0
	boostIdent    = 3.0
	boostBody     = 1.0
	boostProvider = 3.0
	boostFuzzy    = 0.3
	boostStatus   = 2.0
)

// plan is how the query text was understood.
type plan struct {
	words      []string // distinct words to search, as typed (no statuses, no noise)
	seq        []string // lower-cased word sequence of the text, for phrase re-ranking
	phrases    []string // quoted phrases (typed, not pasted)
	textStatus StatusSet
	providers  []string // provider slugs named among the words
	pasted     bool
	tokens     []string // the words and statuses in typed order, to rebuild a suggestion
}

// providerWords are words that name a provider. A word boosts that
// provider's entries; it still matches as a word too.
var providerWords = map[string][]string{
	"gmail":     {"gmail"},
	"google":    {"gmail"},
	"gsuite":    {"gmail"},
	"workspace": {"gmail"},
	"microsoft": {"microsoft", "microsoft-entra", "microsoft-ews", "microsoft-graph"},
	"outlook":   {"microsoft", "microsoft-graph"},
	"office":    {"microsoft"},
	"office365": {"microsoft"},
	"o365":      {"microsoft"},
	"m365":      {"microsoft", "microsoft-graph"},
	"hotmail":   {"microsoft"},
	"exchange":  {"microsoft", "microsoft-ews"},
	"azure":     {"microsoft", "microsoft-entra"},
	"entra":     {"microsoft-entra"},
	"aad":       {"microsoft-entra"},
	"ews":       {"microsoft-ews"},
	"graph":     {"microsoft-graph"},
	"twilio":    {"twilio"},
}

var quotedRE = regexp.MustCompile(`"([^"]{1,512})"|“([^”]{1,512})”`)

// understand reads the free text of a query: a pasted error's status and
// message, quoted phrases, statuses and provider names among the words.
func understand(raw string) plan {
	var pl plan
	p := extractPaste(cleanInput(raw))
	pl.pasted = p.pasted
	text := p.text
	for _, c := range p.status {
		pl.textStatus = append(pl.textStatus, StatusRange{c, c})
	}
	if !p.pasted {
		for _, m := range quotedRE.FindAllStringSubmatch(text, -1) {
			ph := strings.TrimSpace(m[1] + m[2])
			if ph == "" || len(pl.phrases) == maxPhrases {
				continue
			}
			n := 0
			eachIdent(ph, func(int, int, string) { n++ })
			if n > 1 && n <= maxPhraseTokens && !slices.Contains(pl.phrases, ph) {
				pl.phrases = append(pl.phrases, ph)
			}
		}
	}
	seen := map[string]bool{}
	eachIdent(text, func(_, _ int, w string) {
		lw := lowerASCII(w)
		if isStatusWord(lw) {
			if r, ok := parseStatusPart(lw); ok {
				pl.textStatus = append(pl.textStatus, r)
				pl.tokens = append(pl.tokens, w)
				return
			}
		}
		if len(pl.seq) < 4*maxTerms*4 {
			pl.seq = append(pl.seq, lw)
		}
		if seen[lw] || len(pl.words) == maxTerms {
			return
		}
		seen[lw] = true
		pl.words = append(pl.words, w)
		pl.tokens = append(pl.tokens, w)
		for _, slug := range providerWords[lw] {
			if !slices.Contains(pl.providers, slug) {
				pl.providers = append(pl.providers, slug)
			}
		}
	})
	// "office 365" names Microsoft; 365 alone is no status.
	if len(pl.textStatus) > 0 {
		pl.textStatus = pl.textStatus.normalize()
	}
	return pl
}

// isStatusWord reports whether w looks like a status, range or class:
// 429, 4xx, 400-499.
func isStatusWord(w string) bool {
	switch len(w) {
	case 3:
		return w[0] >= '1' && w[0] <= '5' && ((w[1] >= '0' && w[1] <= '9' && w[2] >= '0' && w[2] <= '9') || w[1:] == "xx")
	case 7:
		return w[3] == '-' && isStatusWord(w[:3]) && isStatusWord(w[4:])
	}
	return false
}

// fuzziness is the edit distance allowed for a word that is not in the
// index: none below 4 letters, 1 up to 7, 2 from 8.
func fuzziness(w string) int {
	switch n := len([]rune(w)); {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// word is one searched word with what the index knows of it.
type word struct {
	text  string   // as typed
	lower string   // lower-cased
	df    uint32   // documents that hold it (or its best correction)
	light uint32   // documents that hold its stem (or a correction's) in a title or message
	work  uint32   // postings of its stems (and its corrections') in title, message and body
	stop  bool     // an English stop word: it matches no field
	fixes []string // known words within its edit distance, when it is unknown
}

// maxFixes bounds the corrections searched for one unknown word.
const maxFixes = 2

// words looks every word of the plan up in the vocabulary. Unknown words of
// four letters or more typed by a person get corrections; a paste is taken
// as written.
func (ix *Index) words(ctx context.Context, pl plan) ([]word, error) {
	out := make([]word, 0, len(pl.words))
	df := ix.dfReader(ctx)
	for _, w := range pl.words {
		lw := lowerASCII(w)
		wd := word{text: w, lower: lw, df: ix.vocab.df[lw], stop: true}
		// In a small catalogue every word is rare and none is broad, so a
		// stem's count only tells whether the index holds the word, which
		// the vocabulary says when it knows the word.
		exact := len(ix.entries) > minCommonCutoff || wd.df == 0
		ix.en(w, func(stem string, _, _ int) {
			wd.stop = false
			if !exact {
				return
			}
			// The English fields match the stem ("validating" finds
			// "valid"), so the stem's frequency is what the word costs.
			all, light, work := df.count(stem)
			wd.df, wd.light, wd.work = max(wd.df, all), max(wd.light, light), wd.work+work
		})
		if wd.stop && identParts(w) == nil && !hasDigit(w) && providerWords[lw] == nil {
			out = append(out, wd)
			continue
		}
		wd.stop = false
		for _, slug := range providerWords[lw] {
			wd.work += uint32(ix.provTotals[providerBit[slug]])
		}
		if fz := fuzziness(lw); wd.df == 0 && fz > 0 && !pl.pasted && isWordy(lw) {
			wd.fixes = ix.vocab.corrections(lw, fz, maxFixes)
			for _, f := range wd.fixes {
				wd.df = max(wd.df, ix.vocab.df[f])
				if len(ix.entries) <= minCommonCutoff {
					continue // a known word: see exact above
				}
				ix.en(f, func(stem string, _, _ int) {
					all, light, work := df.count(stem)
					wd.df, wd.light, wd.work = max(wd.df, all), max(wd.light, light), wd.work+work
				})
			}
		}
		out = append(out, wd)
	}
	if err := df.close(); err != nil {
		return nil, err
	}
	return out, nil
}

// commonCutoff is the document frequency above which a word is common: it
// scores hits but does not find them on its own, as long as the query has
// rarer words (the "common terms" idea), so "the invalid request" walks the
// postings of "invalid" only. Small catalogues treat every word as rare.
func (ix *Index) commonCutoff() uint32 {
	return uint32(max(minCommonCutoff, len(ix.entries)/200))
}

// minCommonCutoff is the smallest commonCutoff: in a catalogue of no more
// entries, every word is rare.
const minCommonCutoff = 100

// textQuery builds the scoring query for the words: each word is a
// disjunction over the fields (so a document scores by the share of words it
// matches); corrections of typos count less; rare words find the hits and
// common words only score them; quoted phrases are required.
func (ix *Index) textQuery(pl plan, ws []word) (must, should []query.Query) {
	type scored struct {
		q     query.Query // every field: finds hits
		light query.Query // title, message, alias: only scores hits
		df    uint32
	}
	var rare, common []scored
	cutoff := ix.commonCutoff()
	known := false // some rare word is in the index
	inPhrase := map[string]bool{}
	for _, ph := range pl.phrases {
		eachIdent(ph, func(_, _ int, w string) { inPhrase[lowerASCII(w)] = true })
	}
	var phraseWords []query.Query
	broad := ix.broadWord(pl, ws)
	for _, w := range ws {
		if w.stop {
			continue
		}
		var cl, light []query.Query
		addAll := func(text string, scale float64) {
			// The English fields share one analysis of the word.
			var terms []string
			ix.en(text, func(t string, _, _ int) { terms = append(terms, t) })
			cl = append(cl,
				termsQuery(terms, fTitle, boostTitle*scale),
				termsQuery(terms, fMessage, boostMessage*scale),
				termsQuery(terms, fAlias, boostAlias*scale))
			// A word that only scores skips the long prose: its postings
			// are the longest and its weight the smallest.
			light = append(light, cl[len(cl)-3:]...)
			if !broad {
				cl = append(cl, termsQuery(terms, fBody, boostBody*scale))
			}
			t := bleve.NewTermQuery(lowerASCII(text))
			t.SetField(fIdent)
			t.SetBoost(boostIdent * scale)
			cl = append(cl, t)
		}
		addAll(w.text, 1)
		for _, f := range w.fixes {
			addAll(f, boostFuzzy)
		}
		for _, slug := range providerWords[w.lower] {
			if broad {
				break
			}
			t := bleve.NewTermQuery(slug)
			t.SetField(fProviders)
			t.SetBoost(boostProvider)
			cl = append(cl, t)
			light = append(light, t)
		}
		q := scored{bleve.NewDisjunctionQuery(cl...), bleve.NewDisjunctionQuery(light...), w.df}
		if inPhrase[w.lower] && ix.phraseCount(pl) > 0 {
			// The phrase finds the hits; its words only score them.
			phraseWords = append(phraseWords, q.light)
			continue
		}
		if w.df > cutoff {
			common = append(common, q)
		} else {
			rare = append(rare, q)
			known = known || w.df > 0
		}
	}
	qs := func(ss []scored) []query.Query {
		out := make([]query.Query, len(ss))
		for i, s := range ss {
			out[i] = s.q
		}
		return out
	}
	switch {
	case known:
		// Rare words find the hits; common ones only score them.
		must = append(must, bleve.NewDisjunctionQuery(qs(rare)...))
	case len(common) >= 2:
		// Only common words: a hit must hold the two rarest, so that a
		// fragment such as "is not a valid phone number" walks the
		// documents holding both rather than every document holding one.
		slices.SortStableFunc(common, func(a, b scored) int { return cmp.Compare(a.df, b.df) })
		must = append(must, bleve.NewConjunctionQuery(qs(common[:2])...))
		common = append(common[2:], rare...)
	default:
		all := append(rare, common...)
		common = nil
		if len(all) > 0 {
			must = append(must, bleve.NewDisjunctionQuery(qs(all)...))
		}
	}
	if len(must) == 0 && len(pl.phrases) == 0 {
		// Only stop words ("should not have same From"): the English fields
		// drop them, but the word pairs keep them, so the entries holding
		// the most of the query's pairs come first.
		if pq := ix.stopPairs(ws); pq != nil {
			must = append(must, pq)
		}
	}
	if len(common) > 0 {
		lights := make([]query.Query, len(common))
		for i, c := range common {
			lights[i] = c.light
		}
		should = append(should, bleve.NewDisjunctionQuery(lights...))
	}
	if len(phraseWords) > 0 {
		should = append(should, bleve.NewDisjunctionQuery(phraseWords...))
	}
	for _, ph := range pl.phrases {
		if !ix.isPhrase(ph) {
			continue // one word: its word query already finds it
		}
		if pairs := ix.pairTerms(ph); len(pairs) > 0 {
			must = append(must, bleve.NewConjunctionQuery(pairs...))
		}
	}
	return must, should
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

// maxStopPairs bounds the pairs a stop-word query looks up.
const maxStopPairs = 32

// Broad words: a word typed alone whose postings are a large share of the
// latency budget ("error" is in 79,000 of 100,000 grown entries, most of
// them only in the prose of cause or solution) is looked for in titles,
// messages, aliases and identifiers only, where people look for it first,
// and does not match every entry of a provider it names. Walking its
// postings in the prose was half of a 12 ms search.
const (
	broadWork  = 30_000 // postings of the word's stems in title, message and body
	broadLight = 1_000  // entries holding it in a title or message, so that plenty remain
)

// broadLimits are the thresholds of broadWord for one index.
type broadLimits struct{ work, light uint32 }

// broadWord reports whether the query is one broad word (with its
// corrections and any stop words): it skips the prose fields.
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

// termsQuery is the query bleve's MatchQuery builds for text its field's
// analyzer turns into terms (a disjunction of term queries, or nothing), from
// terms analysed once for all the English fields rather than once per field.
func termsQuery(terms []string, field string, boost float64) query.Query {
	if len(terms) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	tqs := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := bleve.NewTermQuery(t)
		tq.SetField(field)
		tq.SetBoost(boost)
		tqs[i] = tq
	}
	d := bleve.NewDisjunctionQuery(tqs...)
	d.SetMin(1)
	d.SetBoost(boost)
	return d
}

// isWordy reports whether a word is worth correcting: letters, not a code.
func isWordy(w string) bool {
	for _, r := range w {
		if r >= '0' && r <= '9' {
			return false
		}
	}
	return true
}

// statusQuery matches documents whose status is in s. An entry without a
// status has no status term but a statusnum of 0 (see toDoc), so none is
// the numeric range 0–0.
func statusQuery(s StatusSet, boost float64) query.Query {
	var qs []query.Query
	for _, r := range s {
		if r.Lo == r.Hi && r != noStatus {
			t := bleve.NewTermQuery(itoa(r.Lo))
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

// dfCounter reads how many documents hold a stemmed term in the English
// fields, from bleve's own postings.
// It opens its reader on the first count: a query on a small catalogue
// often needs none (see words). The first error sticks: counts after it are
// 0 and close returns it.
type dfCounter struct {
	ctx context.Context
	ix  *Index
	r   index.IndexReader
	err error
}

func (ix *Index) dfReader(ctx context.Context) *dfCounter {
	return &dfCounter{ctx: ctx, ix: ix}
}

func (d *dfCounter) open() error {
	adv, err := d.ix.bleve.Advanced()
	if err != nil {
		return fmt.Errorf("search: read word counts: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("search: read word counts: %w", err)
	}
	// A closed on-disk index hands out a nil snapshot rather than an error.
	if snap, ok := r.(*scorch.IndexSnapshot); r == nil || ok && snap == nil {
		return errClosed
	}
	d.r = r
	return nil
}

// count is the largest document frequency of term over the English fields,
// the largest over the title and message alone, and their sum.
func (d *dfCounter) count(term string) (all, light, sum uint32) {
	if d.r == nil && d.err == nil {
		d.err = d.open()
	}
	if d.err != nil {
		return 0, 0, 0
	}
	for _, f := range []string{fBody, fMessage, fTitle} {
		tfr, err := d.r.TermFieldReader(d.ctx, []byte(term), f, false, false, false)
		if err != nil {
			d.err = fmt.Errorf("search: count %q in %s: %w", term, f, err)
			return 0, 0, 0
		}
		n := uint32(min(tfr.Count(), 1<<31))
		if err := tfr.Close(); err != nil {
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

// close releases the reader and returns the first error of any count.
func (d *dfCounter) close() error {
	if d.r != nil {
		d.err = errors.Join(d.err, d.r.Close())
	}
	return d.err
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
