package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

func TestBuild(t *testing.T) {
	es := fixtures()
	ix := build(t, es)
	if ix.Count() != len(es) {
		t.Errorf("Count() = %d, want %d", ix.Count(), len(es))
	}
	var got []string
	for _, e := range ix.Entries() {
		got = append(got, e.ID)
	}
	want := []string{"400-in-title", "401-identifiers", "402-html", "403-in-alias", "404-exact-phrase", "404-phrase", "422-throttled", "429-in-message", "500-in-cause"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Entries() order (-want +got):\n%s", diff)
	}
	if e, ok := ix.Entry("403-in-alias"); !ok || e.Title != "Forbidden Thing" {
		t.Errorf("Entry(403-in-alias) = %v, %v", e.Title, ok)
	}
	if _, ok := ix.Entry("nope"); ok {
		t.Error("Entry(nope) found")
	}

	dup := append(fixtures(), fixtures()[0])
	if _, err := Build(dup); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("Build with a duplicate id: err = %v, want duplicate", err)
	}
}

func TestBuildRefusesStatusOutOfRange(t *testing.T) {
	es := fixtures()
	es[2].Status = 700
	if _, err := Build(es); err == nil || !strings.Contains(err.Error(), "403-in-alias") || !strings.Contains(err.Error(), "700") {
		t.Errorf("Build with status 700: %v, want an error naming the entry and its status", err)
	}
}

func TestRedirect(t *testing.T) {
	es := fixtures()
	es[0].RedirectFrom = []string{"old-429"}
	ix := build(t, es)
	if id, ok := ix.Redirect("old-429"); !ok || id != "429-in-message" {
		t.Errorf("Redirect(old-429) = %q, %v", id, ok)
	}
	if _, ok := ix.Redirect("429-in-message"); ok {
		t.Error("a current id must not redirect")
	}
}

// Entry finds every entry by its id, from the ids sorted once.
func TestEntryFindsEveryID(t *testing.T) {
	ix := corporaIndex(t)
	for _, e := range corpustest.RealEntries(t) {
		got, ok := ix.Entry(e.ID)
		if !ok || got.ID != e.ID || got.Title != e.Title {
			t.Fatalf("Entry(%q) = %q, %v", e.ID, got.ID, ok)
		}
	}
	for _, id := range []string{"", "nope", "zzzz", "0", ix.entries.all[0].ID + "x"} {
		if _, ok := ix.Entry(id); ok {
			t.Errorf("Entry(%q) found an entry", id)
		}
	}
}

// A disjunction wider than maxClauses is refused, not run: the queries
// built stay far below it, so reaching it is a bug.
func TestClauseCountIsBounded(t *testing.T) {
	ix := build(t, fixtures())
	wide := make([]query.Query, maxClauses+1)
	for i := range wide {
		tq := bleve.NewTermQuery(fmt.Sprintf("w%d", i))
		tq.SetField(fTitle)
		wide[i] = tq
	}
	c := ix.newCollector(Query{}, 1)
	if err := ix.collect(context.Background(), bleve.NewDisjunctionQuery(wide...), "", c); err == nil || !strings.Contains(err.Error(), "TooManyClauses") {
		t.Errorf("a disjunction of %d clauses: err = %v, want TooManyClauses", len(wide), err)
	}
	if err := ix.collect(context.Background(), bleve.NewDisjunctionQuery(wide[:maxClauses]...), "", c); err != nil {
		t.Errorf("a disjunction of %d clauses: %v", maxClauses, err)
	}
}

// Building an index while another answers searches (a reload) shares no
// state between them: run with -race.
func TestBuildWhileSearching(t *testing.T) {
	ix := build(t, fixtures())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := ix.Search(context.Background(), Query{Text: "quota mailbox", Status: StatusSet{{400, 499}}}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 5 {
		build(t, fixtures())
	}
	close(stop)
	wg.Wait()
}

func TestClosedIndex(t *testing.T) {
	ix, err := Build(fixtures())
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	if _, err := ix.Search(context.Background(), Query{Text: "quota"}); err == nil {
		t.Error("search on a closed index succeeded")
	}
	var nilIx *Index
	if _, err := nilIx.Search(context.Background(), Query{}); err == nil {
		t.Error("search on a nil index succeeded")
	}
	// A saved index, large enough that a search reads word counts from the
	// postings, answers an error once closed (a closed on-disk index hands
	// out no reader).
	es := fixtures()
	for i := range minCommonCutoff {
		es = append(es, entry(fmt.Sprintf("503-pad-%03d", i), 503, "Padding", nil, []string{"The service is unavailable."}, nil, "Down.", "Retry."))
	}
	opened, _ := savedAndBuilt(t, es)
	opened.Close()
	for _, text := range []string{"quota", "throtled"} {
		if _, err := opened.Search(context.Background(), Query{Text: text}); !errors.Is(err, errClosed) {
			t.Errorf("%q on a closed saved index: err = %v, want %v", text, err, errClosed)
		}
	}
	// A search that began before Close reads counts after it: an error too.
	df := opened.dfReader(context.Background())
	if all, _, _ := df.count("quota"); all != 0 {
		t.Errorf("count on a closed index = %d, want 0", all)
	}
	if err := df.close(); !errors.Is(err, errClosed) {
		t.Errorf("counts on a closed index: err = %v, want %v", err, errClosed)
	}
	if n := opened.Count(); n != 0 {
		t.Errorf("Count of a closed index = %d, want 0", n)
	}
}

type bleveIndex = bleve.Index

// batchRecorder is a bleve index that records the size of every batch it is
// given and how many are applied at once.
type batchRecorder struct {
	bleveIndex
	mu              sync.Mutex
	sizes           []int
	now, mostAtOnce int
}

func (r *batchRecorder) Batch(b *bleve.Batch) error {
	r.mu.Lock()
	r.sizes = append(r.sizes, b.Size())
	r.now++
	r.mostAtOnce = max(r.mostAtOnce, r.now)
	r.mu.Unlock()
	err := r.bleveIndex.Batch(b)
	r.mu.Lock()
	r.now--
	r.mu.Unlock()
	return err
}

// A build's memory is bounded by its batches: bleve analyses a whole batch
// before writing its segment, so however many entries there are, no batch
// holds more than buildBatch of them and one is applied at a time.
func TestBuildBatchesAreBounded(t *testing.T) {
	const n = 3*buildBatch + 123
	es := make([]content.Entry, n)
	for i := range es {
		es[i] = entry(fmt.Sprintf("e-%05d", i), 400+i%100, fmt.Sprintf("Title %d", i), nil, []string{fmt.Sprintf("message %d", i)}, nil, "", "")
	}
	ix, err := prepare(es, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bleve.NewUsing("", newMapping(), scorch.Name, bleve.Config.DefaultMemKVStore, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &batchRecorder{bleveIndex: b}
	if err := ix.fill(rec, true); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	total := 0
	for _, s := range rec.sizes {
		total += s
		if s > buildBatch {
			t.Errorf("a batch of %d entries; no batch may hold more than %d", s, buildBatch)
		}
	}
	if total != n {
		t.Errorf("batches hold %d entries of %d", total, n)
	}
	if rec.mostAtOnce > 1 {
		t.Errorf("%d batches applied at once; one at a time", rec.mostAtOnce)
	}
	if got, _ := b.DocCount(); got != n {
		t.Errorf("indexed %d documents of %d", got, n)
	}
}

// A saved index is one segment, however many batches built it: every query
// looks up each of its terms once per segment.
func TestSaveMergesIntoOneSegment(t *testing.T) {
	const n = 3*buildBatch + 7
	es := make([]content.Entry, n)
	for i := range es {
		es[i] = entry(fmt.Sprintf("e-%05d", i), 400+i%100, fmt.Sprintf("Title %d", i), nil, []string{fmt.Sprintf("message %d", i)}, nil, "", "")
	}
	dir := filepath.Join(t.TempDir(), "index")
	if err := Save(es, dir); err != nil {
		t.Fatal(err)
	}
	zaps, err := filepath.Glob(filepath.Join(dir, bleveDir, "store", "*.zap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(zaps) != 1 {
		t.Errorf("saved index has %d segments %v, want 1", len(zaps), zaps)
	}
	ix, err := OpenSaved(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if res := run(t, ix, Query{Text: "message 15006"}); res.Total == 0 || res.Hits[0].ID != "e-15006" {
		t.Errorf("the merged index does not find the last entry: %+v", res.Hits)
	}
}

// A catalogue larger than one batch is built into one segment, mapped from
// a temporary folder that is gone once it is open: bleve never merges
// segments kept in memory, and every query looks up each of its terms once
// per segment.
func TestBuildMergesIntoOneSegment(t *testing.T) {
	const n = 3*buildBatch + 11
	es := make([]content.Entry, n)
	for i := range es {
		es[i] = entry(fmt.Sprintf("e-%05d", i), 400+i%100, fmt.Sprintf("Title %d", i), nil, []string{fmt.Sprintf("message %d", i)}, nil, "", "")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ix := build(t, es)
	stats, _ := ix.bleve.StatsMap()["index"].(map[string]any)
	segments := fmt.Sprint(stats["num_root_memorysegments"], "+", stats["num_root_filesegments"])
	if segments != "0+1" && segments != "1+0" {
		t.Errorf("built index has %s (memory+file) segments, want one", segments)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the build left %d files in the temporary folder", len(left))
	}
	if res := run(t, ix, Query{Text: "message 15010"}); res.Total == 0 || res.Hits[0].ID != "e-15010" {
		t.Errorf("the merged index does not find the last entry: %+v", res.Hits)
	}
	// Where no temporary folder can be written, the build stays in memory.
	t.Setenv("TMPDIR", filepath.Join(tmp, "missing"))
	if res := run(t, build(t, es), Query{Text: "message 15010"}); res.Total == 0 || res.Hits[0].ID != "e-15010" {
		t.Errorf("the in-memory build does not find the last entry: %+v", res.Hits)
	}
}

// The English analysis remembered gives each word of the real entries, and
// texts around rememberedBytes, the terms and offsets the analyzer gives,
// asked from several goroutines at once and asked again; it keeps no more
// than analysesKept texts.
func TestRememberedAnalysisAsTheAnalyzer(t *testing.T) {
	raw := analyzerOf(newMapping(), en.AnalyzerName)
	calls := 0
	counted := func(text string, fn func(string, int, int)) { calls++; raw(text, fn) }
	mem := remembering(counted)
	texts := []string{"", " ", "validating", "Validating the request's tokens", "İstanbul", "\xff\xfe", strings.Repeat("a", rememberedBytes), strings.Repeat("ab ", rememberedBytes)}
	for _, e := range corpustest.RealEntries(t)[:300] {
		texts = append(texts, strings.Fields(e.Title+" "+strings.Join(e.Messages, " "))...)
	}
	type term struct {
		t    string
		s, e int
	}
	analyse := func(a analyzerFunc, text string) []term {
		var out []term
		a(text, func(t string, s, e int) { out = append(out, term{t, s, e}) })
		return out
	}
	var want [][]term
	for _, text := range texts {
		want = append(want, analyse(raw, text))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	var mu sync.Mutex // counted is not safe for goroutines: calls is shared
	guarded := remembering(func(text string, fn func(string, int, int)) { mu.Lock(); defer mu.Unlock(); counted(text, fn) })
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, text := range texts {
				if got := analyse(guarded, text); !cmp.Equal(got, want[i], cmp.AllowUnexported(term{})) {
					errs <- fmt.Sprintf("%q: remembered %v, analysed %v", text, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	calls = 0
	for range 2 {
		for i, text := range texts {
			if got := analyse(mem, text); !cmp.Equal(got, want[i], cmp.AllowUnexported(term{})) {
				t.Fatalf("%q: remembered %v, analysed %v", text, got, want[i])
			}
		}
	}
	distinct := map[string]bool{}
	long := 0
	for _, text := range texts {
		if len(text) > rememberedBytes {
			long++
		} else {
			distinct[text] = true
		}
	}
	if want := len(distinct) + 2*long; calls != want {
		t.Errorf("the analyzer ran %d times for %d texts asked twice, want %d: once per short text, every time for a long one", calls, 2*len(texts), want)
	}
	// Past analysesKept texts, what is kept is forgotten.
	calls = 0
	for i := range analysesKept + 1 {
		analyse(mem, fmt.Sprintf("zq%d", i))
	}
	analyse(mem, "zq0")
	if calls != analysesKept+2 {
		t.Errorf("the analyzer ran %d times for %d distinct texts and one asked again after them, want %d", calls, analysesKept+1, analysesKept+2)
	}
}
