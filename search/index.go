package search

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/errata/errata/content"
)

// Field names of the bleve documents.
const (
	fStatus    = "status"    // keyword "429", for facets and terms
	fClass     = "class"     // keyword "4xx"
	fStatusNum = "statusnum" // number, for ranges
	fProviders = "providers" // keyword slugs
	fID        = "id"        // keyword
	fTitle     = "title"     // English prose
	fMessage   = "message"
	fAlias     = "alias"
	fBody      = "body"   // cause and solution
	fIdent     = "ident"  // identifiers (not plain words) whole and by parts, unstemmed, over all text
	fPhrase    = "phrase" // word pairs of title, messages and aliases, for quoted phrases

	phraseAnalyzerName = "errata_phrase"
)

// limitClauses sets bleve's clause limit once, before the first index
// exists. bleve reads the package variable searcher.DisjunctionMaxClauseCount
// whenever it builds a disjunction; no search request, context key or index
// option stands for it. bleve's one per-search limit
// (search.MaxTermSearchersKey) counts the leaves of the whole query instead:
// a paste of 32 hyphenated words such as b-e-h-k-… rightly builds over 3,000,
// while no one disjunction comes near maxClauses. Set on every build, the
// variable raced the searches running on another index (a reload).
var limitClauses = sync.OnceFunc(func() { searcher.DisjunctionMaxClauseCount = maxClauses })

// Index is the searchable catalogue: entries plus their bleve index.
type Index struct {
	entries  entryStore // status order, then id; doc id i is entry i
	byID     []int32    // entries' indexes in id order, for Entry: a map of 100k ids costs megabytes
	redirect map[string]string
	orders   orders // entries by code and by title, for browsing
	bleve    bleve.Index
	closed   atomic.Bool // set by Close: bleve's on-disk index hands out no reader once closed
	vocab    *vocab      // every word with its document frequency, for typos, suggestions and rare words
	tokens   tokens      // every entry's title, messages and aliases as word ids, for re-ranking
	// templates name the entries whose message a text holds whole,
	// before full text (see templateHits)
	templates templateIndex
	docEntry  []int32     // bleve's internal document number → index in entries
	prov      providerSet // the catalogue's providers, numbered for bit masks
	provMask  []uint32    // per entry, its providers as bits (prov)
	status    []uint16    // per entry, its status: the collector reads these, not the large entries
	// How many entries each status and provider holds, to tell a narrow filter.
	statusTotals [600]int
	provTotals   [32]int
	statusStart  [601]int32       // entries of status s are statusStart[s]:statusStart[s+1]
	statusMasks  [600][]maskCount // per status, how many of its entries have each provider mask
	broad        broadLimits      // when a lone word skips the prose (broadWord)
	codes        codeIndex        // entries by their codes, exactly
	sets         docSets          // documents by status and provider, to count matches as bitmaps (count.go)
	scoring      scoringLimits    // how much of a query's matches is scored (match); zero is tuning.go's
	en           analyzerFunc
	pairs        analyzerFunc // word pairs, for quoted phrases
	// The analysis of short windows of entry text, whatever the query (the
	// English terms and the identifiers, with their offsets), for snippets.
	windows memo[*windowTerms]
	// Where each term of a whole text stands, for a small catalogue's
	// snippets (fewTexts).
	wholeTexts memo[*textTerms]
	// heldDicts are the dictionaries of an index held in memory, by field
	// (see holdDicts); nil for one read from files.
	heldDicts map[string][]segment.TermDictionary
	// heldTerms are the terms of those dictionaries, by field, for a
	// catalogue of fewTexts (holdTerms); nil otherwise.
	heldTerms map[string]map[string]struct{}
	replay    replayedPostings // a small catalogue's postings, decoded (collect)
	direct    directScoring    // a small catalogue's queries, scored without bleve's searchers (collect)
}

type doc struct {
	Status    string   `json:"status,omitempty"`
	Class     string   `json:"class,omitempty"`
	StatusNum float64  `json:"statusnum"`
	Providers []string `json:"providers"`
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Message   []string `json:"message"`
	Alias     []string `json:"alias"`
	Body      []string `json:"body"`
	Ident     []string `json:"ident"`
	Phrase    []string `json:"phrase"`
}

// Build indexes entries (already validated by content.Load) with the
// built-in providers, in batches of bounded size (see buildBatch). A
// catalogue of one batch is indexed in memory. A larger one is indexed in a
// temporary folder, merged into one segment and opened from there,
// read-only (see buildInTemp); where no temporary folder can be written, it
// stays in memory, in one segment per batch.
func Build(entries []content.Entry) (*Index, error) {
	return BuildCatalogue(&content.Catalogue{Entries: entries, Providers: content.BuiltinProviders()})
}

// BuildCatalogue is Build of a catalogue's entries with its providers.
func BuildCatalogue(c *content.Catalogue) (*Index, error) {
	ix, err := prepare(c.Entries, c.Providers)
	if err != nil {
		return nil, err
	}
	if len(c.Entries) > buildBatch {
		b, err := ix.buildInTemp()
		if err == nil {
			if err := ix.finish(b, b.Mapping()); err != nil {
				return nil, errors.Join(err, b.Close())
			}
			return ix, nil
		}
		if !errors.Is(err, errNoTemp) {
			return nil, err
		}
	}
	m := newMapping()
	b, err := bleve.NewUsing("", m, scorch.Name, bleve.Config.DefaultMemKVStore, nil)
	if err != nil {
		return nil, fmt.Errorf("search: new index: %w", err)
	}
	if err := ix.fill(b, true); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	if err := ix.finish(b, m); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	if err := ix.holdDicts(); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	return ix, nil
}

// errNoTemp is buildInTemp finding no temporary folder it may write.
var errNoTemp = errors.New("search: no temporary folder to build in")

// buildInTemp indexes ix's entries in a new temporary folder, merges them
// into one segment and opens that read-only; the folder is deleted at once,
// its files staying open (and mapped) until the index is closed. In memory,
// bleve never merges segments, so a large catalogue would be searched in
// one segment per batch, and its segments would all be Go heap: 1.3 GB at
// a million entries, against a few megabytes mapped.
func (ix *Index) buildInTemp() (bleve.Index, error) {
	tmp, err := os.MkdirTemp("", "errata-index-")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoTemp, err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, bleveDir)
	b, err := bleve.NewUsing(dir, newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoTemp, err)
	}
	if err := ix.fill(b, true); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	if err := mergeSegments(b, dir); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	if err := b.Close(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	b, err = bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("search: open %s: %w", dir, err)
	}
	return b, nil
}

// prepare sorts the entries and builds the lookups that need no index.
func prepare(entries []content.Entry, providers *content.Providers) (*Index, error) {
	limitClauses()
	if providers == nil {
		providers = content.BuiltinProviders()
	}

	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b content.Entry) int {
		return cmp.Or(cmp.Compare(a.Status, b.Status), strings.Compare(a.ID, b.ID))
	})
	ix := &Index{entries: storeOf(es), byID: make([]int32, len(es)), redirect: map[string]string{}, vocab: newVocab(), prov: newProviderSet(providers)}
	for i, e := range es {
		if e.ID == "" {
			return nil, fmt.Errorf("search: entry %d (%s) has no id", i, e.Path)
		}
		if e.Status != 0 && (e.Status < 100 || e.Status > 599) {
			return nil, fmt.Errorf("search: entry %s has status %d; an entry's status is 100–599, or 0 for none", e.ID, e.Status)
		}
		ix.byID[i] = int32(i)
	}
	slices.SortFunc(ix.byID, func(a, b int32) int { return strings.Compare(es[a].ID, es[b].ID) })
	for k := 1; k < len(ix.byID); k++ {
		if id := es[ix.byID[k]].ID; id == es[ix.byID[k-1]].ID {
			return nil, fmt.Errorf("search: duplicate entry id %q", id)
		}
	}
	ix.orders = newOrders(ix)
	ix.broad = broadLimits{work: broadWork, light: broadLight}
	var err error
	if ix.codes, err = buildCodes(es); err != nil {
		return nil, err
	}
	ix.provMask = make([]uint32, len(es))
	ix.status = make([]uint16, len(es))
	for i, e := range es {
		ix.provMask[i] = ix.prov.mask(e.Providers)
		ix.status[i] = uint16(e.Status)
		for _, old := range e.RedirectFrom {
			if _, clash := ix.lookup(old); !clash {
				ix.redirect[old] = e.ID
			}
		}
	}
	ix.tally()
	return ix, nil
}

// tally counts the entries of each status and provider from ix.status and
// ix.provMask.
func (ix *Index) tally() {
	ix.broad = broadLimits{work: broadWork, light: broadLight}
	for i, m := range ix.provMask {
		ix.statusTotals[ix.status[i]]++
		for ; m != 0; m &= m - 1 {
			ix.provTotals[bits.TrailingZeros32(m)]++
		}
	}
	n := 0
	for code, k := range ix.statusTotals {
		ix.statusStart[code] = int32(n)
		n += k
	}
	ix.statusStart[len(ix.statusTotals)] = int32(n)
	ix.countMasks()
}

// maskCount is how many entries of one status have one provider mask.
type maskCount struct {
	mask uint32
	n    int
}

// countMasks fills statusMasks: entries share few provider combinations, so
// browsing counts a status's entries per provider from a handful of masks
// instead of visiting each entry.
func (ix *Index) countMasks() {
	for code := range ix.statusMasks {
		lo, hi := ix.statusStart[code], ix.statusStart[code+1]
		if lo == hi {
			continue
		}
		at := map[uint32]int{}
		var out []maskCount
		for _, m := range ix.provMask[lo:hi] {
			k, ok := at[m]
			if !ok {
				k = len(out)
				at[m] = k
				out = append(out, maskCount{mask: m})
			}
			out[k].n++
		}
		ix.statusMasks[code] = out
	}
}

// fill indexes every entry into b in batches of buildBatch entries, one
// after the other, so that memory stays bounded whatever the number of
// entries (and counts the vocabulary when asked). bleve analyses a batch's
// documents on every core; applying two batches at once peaked 450 MB
// higher at 100k entries and was no faster on two cores.
func (ix *Index) fill(b bleve.Index, countWords bool) error {
	seen := map[string]struct{}{}
	es := ix.entries.all // a build always has its entries in memory
	for lo := 0; lo < len(es); lo += buildBatch {
		batch := b.NewBatch()
		for i := lo; i < min(lo+buildBatch, len(es)); i++ {
			d := toDoc(es[i])
			if countWords {
				ix.vocab.addDoc(seen, d.Ident...)
			}
			if err := batch.Index(strconv.Itoa(i), d); err != nil {
				return fmt.Errorf("search: index %s: %w", es[i].ID, err)
			}
		}
		if err := b.Batch(batch); err != nil {
			return fmt.Errorf("search: batch: %w", err)
		}
	}
	return nil
}

// finish checks that every entry was indexed and maps document numbers.
func (ix *Index) finish(b bleve.Index, m mapping.IndexMapping) error {
	ix.bleve = b
	ix.en = remembering(analyzerOf(m, en.AnalyzerName))
	ix.pairs = analyzerOf(m, phraseAnalyzerName)
	ix.vocab.seal()
	if !ix.tokens.valid(ix) {
		ix.tokens = ix.tokenize()
		ix.templates = templateIndex{} // saved keys are of the saved tokens
	}
	if ix.templates.keys == nil {
		ix.templates = ix.indexTemplates()
	}
	n, err := b.DocCount()
	if err != nil {
		return fmt.Errorf("search: count: %w", err)
	}
	if int(n) != ix.entries.len() {
		return fmt.Errorf("search: indexed %d documents of %d entries", n, ix.entries.len())
	}
	if ix.docEntry == nil {
		if err := ix.mapDocs(); err != nil {
			return fmt.Errorf("search: map documents: %w", err)
		}
	}
	if ix.fewTexts() {
		if err := ix.holdTerms(); err != nil {
			return fmt.Errorf("search: hold terms: %w", err)
		}
	}
	return nil
}

func toDoc(e content.Entry) doc {
	d := doc{
		ID:        e.ID,
		Providers: e.Providers,
		Title:     e.Title,
		Message:   e.Messages,
		Alias:     searchAliases(e),
	}
	if e.Status != 0 {
		d.Status = strconv.Itoa(e.Status)
		d.Class = strconv.Itoa(e.Status/100) + "xx"
		d.StatusNum = float64(e.Status)
	}
	var cause, solution string
	if s, ok := e.Section("cause"); ok {
		cause = s.Text
	}
	if s, ok := e.Section("solution"); ok {
		solution = s.Text
	}
	d.Body = []string{cause, solution}
	d.Phrase = make([]string, 0, 1+len(e.Messages)+len(d.Alias))
	d.Phrase = append(d.Phrase, e.Title)
	d.Phrase = append(d.Phrase, e.Messages...)
	d.Phrase = append(d.Phrase, d.Alias...)
	d.Ident = make([]string, 0, 4+len(e.Messages)+len(d.Alias))
	d.Ident = append(d.Ident, e.Title)
	d.Ident = append(d.Ident, e.Messages...)
	d.Ident = append(d.Ident, d.Alias...)
	d.Ident = append(d.Ident, cause, solution)
	return d
}

// newMapping is explicit and static: nothing is indexed that is not named
// here, nothing is stored (the entries slice holds the text) and no term
// vectors are kept: snippets are highlighted from the entry text and quoted
// phrases match word pairs.
func newMapping() *mapping.IndexMappingImpl {
	// Facets are counted from the entries slice, so no field keeps doc values.
	keywordField := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	textField := func(analyzer string, positions bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = positions
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	num := bleve.NewNumericFieldMapping()
	num.Store = false
	num.IncludeInAll = false
	num.DocValues = false

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fStatus, keywordField(false))
	dm.AddFieldMappingsAt(fClass, keywordField(false))
	dm.AddFieldMappingsAt(fStatusNum, num)
	dm.AddFieldMappingsAt(fProviders, keywordField(false))
	dm.AddFieldMappingsAt(fID, keywordField(false))
	for _, f := range []string{fTitle, fMessage, fAlias} {
		dm.AddFieldMappingsAt(f, textField(en.AnalyzerName, false))
	}
	dm.AddFieldMappingsAt(fBody, textField(en.AnalyzerName, false))
	dm.AddFieldMappingsAt(fIdent, textField(identAnalyzerName, false))
	dm.AddFieldMappingsAt(fPhrase, textField(phraseAnalyzerName, false))
	// No composite _all field: every query names its fields.
	dm.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())

	m := bleve.NewIndexMapping()
	// Quoted phrases match word pairs ("refresh token", "token was", "was
	// revoked" must all be there): term lookups instead of bleve's phrase
	// search, which reads positions and is its slowest query on common words.
	// Both definitions are constant: an error is a bug that every build
	// meets, so it panics rather than reaching Build's callers.
	if err := m.AddCustomTokenFilter("errata_pairs", map[string]any{
		"type": shingle.Name, "min": 2.0, "max": 2.0, "output_original": false, "separator": " ", "filler": "",
	}); err != nil {
		panic(err)
	}
	if err := m.AddCustomAnalyzer(phraseAnalyzerName, map[string]any{
		"type": custom.Name, "tokenizer": unicode.Name, "token_filters": []any{lowercase.Name, "errata_pairs"},
	}); err != nil {
		panic(err)
	}
	m.DefaultMapping = dm
	m.DefaultAnalyzer = en.AnalyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// analyzerFunc calls fn for each term of text with its byte offsets.
type analyzerFunc func(text string, fn func(term string, start, end int))

func analyzerOf(m mapping.IndexMapping, name string) analyzerFunc {
	a := m.AnalyzerNamed(name)
	return func(text string, fn func(string, int, int)) {
		for _, t := range a.Analyze([]byte(text)) {
			fn(string(t.Term), t.Start, t.End)
		}
	}
}

// rememberedBytes is the longest text whose analysis remembering keeps: a
// word, a correction or a completion, which come back query after query
// (people search the same few hundred words), and whose analysis (a
// tokenizer, a stemmer and their allocations) costs several times a
// look-up.
const rememberedBytes = 32

// analysesKept bounds the analyses remembered, about 2 MB of them: past it
// they are all forgotten and remembering starts again.
const analysesKept = 1 << 14

// remembering is a, remembering what it makes of short texts.
func remembering(a analyzerFunc) analyzerFunc {
	var kept memo[[]windowTerm]
	return func(text string, fn func(string, int, int)) {
		if len(text) > rememberedBytes {
			a(text, fn)
			return
		}
		ts := kept.get(text, analysesKept, func() []windowTerm {
			ts := []windowTerm{}
			a(text, func(t string, s, e int) { ts = append(ts, windowTerm{t, int32(s), int32(e)}) })
			return ts
		})
		for _, t := range ts {
			fn(t.term, int(t.start), int(t.end))
		}
	}
}

// mapDocs records which entry each of bleve's internal document numbers
// holds, so that collecting a match needs no id lookup.
func (ix *Index) mapDocs() error {
	ix.docEntry = make([]int32, ix.entries.len())
	for i := range ix.docEntry {
		ix.docEntry[i] = -1
	}
	var bad error
	mk := func(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		return func(d *bsearch.DocumentMatch) error {
			if d == nil {
				return nil
			}
			num := binary.BigEndian.Uint64(d.IndexInternalID)
			i, err := strconv.Atoi(d.ID)
			if err != nil || num >= uint64(len(ix.docEntry)) || i < 0 || i >= ix.entries.len() {
				bad = errDocMap
			} else {
				ix.docEntry[num] = int32(i)
			}
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, true, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), 0, 0, false)
	req.Score = "none"
	if _, err := ix.bleve.SearchInContext(withMatchHandler(context.Background(), mk), req); err != nil {
		return err
	}
	if bad != nil {
		return bad
	}
	for _, v := range ix.docEntry {
		if v < 0 {
			return errDocMap
		}
	}
	return nil
}

// withMatchHandler makes bleve hand every match of a search under ctx to
// the handler that mk makes.
func withMatchHandler(ctx context.Context, mk func(*bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error)) context.Context {
	return context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, bsearch.MakeDocumentMatchHandler(mk))
}

// Entries returns every entry in status order, then id.
// An index opened from a saved one decodes them all: use Len and At to
// read a page of them.
func (ix *Index) Entries() []content.Entry {
	if ix.entries.all != nil {
		return ix.entries.all
	}
	out := make([]content.Entry, ix.entries.len())
	for i := range out {
		out[i] = ix.entries.at(i)
	}
	return out
}

// Len is the number of entries.
func (ix *Index) Len() int { return ix.entries.len() }

// At returns entry i (0 ≤ i < Len) in the order of Entries.
func (ix *Index) At(i int) content.Entry { return ix.entries.at(i) }

// StatusRange returns the positions [lo, hi) of the entries with status
// code (0 for none) in the order of Entries; lo == hi when there is none.
func (ix *Index) StatusRange(code int) (lo, hi int) {
	if code < 0 || code >= len(ix.statusTotals) {
		return 0, 0
	}
	return int(ix.statusStart[code]), int(ix.statusStart[code+1])
}

// Entry returns the entry with the given id.
func (ix *Index) Entry(id string) (content.Entry, bool) {
	i, ok := ix.lookup(id)
	if !ok {
		return content.Entry{}, false
	}
	return ix.entries.at(i), true
}

// lookup finds the entry with the given id.
func (ix *Index) lookup(id string) (int, bool) {
	k, ok := slices.BinarySearchFunc(ix.byID, id, func(i int32, id string) int { return strings.Compare(ix.entries.id(int(i)), id) })
	if !ok {
		return 0, false
	}
	return int(ix.byID[k]), true
}

// Redirect returns the current id of an entry once called oldID (redirect_from).
func (ix *Index) Redirect(oldID string) (string, bool) {
	id, ok := ix.redirect[oldID]
	return id, ok
}

// Count is the number of documents in the index: one per entry, as
// checked when it was built or opened (see finish); 0 once closed.
func (ix *Index) Count() int {
	if ix == nil || ix.bleve == nil || ix.closed.Load() {
		return 0
	}
	return ix.entries.len()
}

// Close releases the index. Closing it again does nothing.
func (ix *Index) Close() error {
	if ix == nil || ix.bleve == nil || ix.closed.Swap(true) {
		return nil
	}
	return ix.bleve.Close()
}

var (
	errClosed = errors.New("search: index closed")
	errDocMap = errors.New("search: bleve document numbers do not match the entries")
)
