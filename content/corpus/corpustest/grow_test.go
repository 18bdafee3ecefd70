package corpustest_test

import (
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/google/go-cmp/cmp"
)

func TestGrowIsDeterministic(t *testing.T) {
	real := corpustest.RealEntries(t)
	a := corpustest.Grow(real, 5000, 7)
	b := corpustest.Grow(real, 5000, 7)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different corpora (-a +b):\n%.2000s", diff)
	}
	c := corpustest.Grow(real, 5000, 8)
	if cmp.Equal(a[len(real):], c[len(real):]) {
		t.Error("seeds 7 and 8 grew the same entries")
	}
	if got := corpustest.Grow(real, 10, 7); len(got) != 10 || got[0].ID != real[0].ID {
		t.Errorf("Grow(n < len(real)) = %d entries starting %q, want the first real ones", len(got), got[0].ID)
	}
	if corpustest.Grow(nil, 10, 1) != nil || corpustest.Grow(real, 0, 1) != nil {
		t.Error("Grow of nothing returned entries")
	}
}

func TestGrowKeepsShapeAndSkew(t *testing.T) {
	recs := corpustest.RealRecords(t)
	const n = 30000
	grown := corpustest.Grow(corpustest.RealEntries(t), n, 42)
	if len(grown) != n {
		t.Fatalf("%d entries, want %d", len(grown), n)
	}
	if diff := cmp.Diff(corpus.Entries(recs), grown[:len(recs)]); diff != "" {
		t.Errorf("the real records do not come first (-want +got):\n%.2000s", diff)
	}
	ids := make(map[string]bool, n)
	for i, e := range grown {
		if ids[e.ID] || !content.IsSlug(e.ID) {
			t.Fatalf("id %q repeated or not a slug", e.ID)
		}
		ids[e.ID] = true
		if i < len(recs) {
			continue // real records may have no message
		}
		if len(e.Messages) != 1 || e.Messages[0] == "" || e.Title == "" || len(e.Sections) != 2 {
			t.Fatalf("%s is incomplete: %+v", e.ID, e)
		}
	}
	// Provider and status shares of the new entries follow the real ones.
	share := func(es []content.Entry, key func(content.Entry) string) map[string]float64 {
		m := map[string]float64{}
		for _, e := range es {
			m[key(e)] += 1 / float64(len(es))
		}
		return m
	}
	provider := func(e content.Entry) string { return strings.Join(e.Providers, ",") }
	withStatus := func(e content.Entry) string {
		if e.Status == 0 {
			return "none"
		}
		return "some"
	}
	for name, key := range map[string]func(content.Entry) string{"provider": provider, "status": withStatus} {
		real, got := share(grown[:len(recs)], key), share(grown[len(recs):], key)
		for k, w := range real {
			if d := got[k] - w; d > 0.02 || d < -0.02 {
				t.Errorf("%s %q: %.3f of grown entries, %.3f of real ones", name, k, got[k], w)
			}
		}
	}
	// Word skew: the most frequent words of grown messages are the most
	// frequent words of real ones.
	top := func(es []content.Entry) []string {
		freq := map[string]int{}
		for _, e := range es {
			for _, m := range e.Messages {
				for _, w := range strings.Fields(strings.ToLower(m)) {
					freq[w]++
				}
			}
		}
		words := make([]string, 0, len(freq))
		for w := range freq {
			words = append(words, w)
		}
		sort.Slice(words, func(i, j int) bool {
			return freq[words[i]] > freq[words[j]] || freq[words[i]] == freq[words[j]] && words[i] < words[j]
		})
		return words[:30]
	}
	realTop, grownTop := top(grown[:len(recs)]), top(grown[len(recs):])
	common := 0
	for _, w := range grownTop {
		if slices.Contains(realTop, w) {
			common++
		}
	}
	if common < 24 {
		t.Errorf("only %d of the 30 most frequent words agree:\nreal  %q\ngrown %q", common, realTop, grownTop)
	}
}

// BenchmarkGrow100k grows the 100k corpus the index benchmarks use and
// reports the heap it keeps (target: a second or two, and lean enough for a
// 100k index within 150 MB of heap in total).
func BenchmarkGrow100k(b *testing.B) {
	real := corpustest.RealEntries(b)
	var kept []content.Entry
	for b.Loop() {
		kept = corpustest.Grow(real, 100_000, 1)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heapMB")
	runtime.KeepAlive(kept)
}
