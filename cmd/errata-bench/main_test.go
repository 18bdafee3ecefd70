package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/errata/errata/search/pasteset"
)

// TestMain lets the test binary play the child process that measures one
// engine's build and memory, as the command's own binary does.
func TestMain(m *testing.M) {
	if job := os.Getenv(childEnv); job != "" {
		os.Exit(childMain(job))
	}
	os.Exit(m.Run())
}

// runBench runs the whole command with args plus -json and returns the
// report it wrote and what it printed. Nothing here is timed.
func runBench(t *testing.T, args ...string) (*report, string) {
	t.Helper()
	dir := t.TempDir()
	path, md := filepath.Join(dir, "bench.json"), filepath.Join(dir, "bench.md")
	var stdout, stderr bytes.Buffer
	if code := run(append(args, "-json", path, "-markdown", md), &stdout, &stderr); code != 0 {
		t.Fatalf("errata-bench %s exited %d:\n%s\n%s", strings.Join(args, " "), code, stderr.String(), stdout.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	mdText, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range rep.Targets {
		if !strings.Contains(string(mdText), "| "+tg.Result+" | "+tg.What+" |") {
			t.Errorf("Markdown report lacks target %q", tg.What)
		}
	}
	return &rep, stdout.String()
}

// sizes is the catalogue and, when ../shared/corpora is present, a tiny
// corpus grown from it.
func sizes(t *testing.T) string {
	if _, ok := corpustest.Dir(); !ok {
		t.Log("SKIPPING the grown corpus: ../shared/corpora not found beside the module; running the catalogue only")
		return "catalogue"
	}
	return "catalogue,300"
}

func TestRunReportsEveryTarget(t *testing.T) {
	rep, out := runBench(t, "-sizes", sizes(t), "-queries", "3", "-rounds", "1", "-http", "-http-duration", "300ms", "-http-workers", "2",
		"-http-rate", "40", "-http-open-duration", "500ms")

	var ids []string
	for _, tg := range rep.Targets {
		ids = append(ids, tg.ID)
		if tg.Result != "PASS" && tg.Result != "FAIL" && tg.Result != "SKIP" {
			t.Errorf("target %s: result %q", tg.ID, tg.Result)
		}
		if !strings.Contains(out, tg.What) {
			t.Errorf("printed table lacks target %q", tg.What)
		}
	}
	if !slices.Equal(ids, targetIDs()) {
		t.Errorf("JSON targets = %v\nwant every target: %v", ids, targetIDs())
	}
	for _, id := range []string{"p50-ratio/code", "p50-ratio/prefix", "p99/pasted", "build-peak-rss", "start-to-ready", "heap",
		"api-rps", "page-rps", "api-rps-fresh", "page-rps-fresh", "api-rps-distinct", "page-rps-distinct", "http-open-p99"} {
		if tg := findTarget(rep, id); tg.Result == "SKIP" {
			t.Errorf("target %s was not measured: %+v", id, tg)
		}
	}
	if tg := findTarget(rep, "keystroke-paint"); tg.Result != "SKIP" {
		t.Errorf("keystroke-paint measured without -browser: %+v", tg)
	}

	for _, c := range rep.Corpora {
		if c.Entries == 0 || c.Errata.BuildMS <= 0 || c.FTS5.BuildMS <= 0 || c.Errata.RSSMB <= 0 || c.FTS5.RSSMB <= 0 || c.Errata.HeapInuseMB <= 0 ||
			c.Errata.PeakRSSMB < c.Errata.RSSMB || c.Errata.SavePeakRSSMB <= 0 || c.FTS5.PeakRSSMB <= 0 {
			t.Errorf("%s: build or memory not measured: %+v", c.Name, c)
		}
		if c.Errata.SaveMS <= 0 || c.Errata.OpenMS == nil || *c.Errata.OpenMS <= 0 || c.Errata.OpenMem == nil || c.Errata.OpenMem.RSSMB <= 0 {
			t.Errorf("%s: index saved ahead of time not measured: %+v", c.Name, c.Errata)
		}
		var got []string
		for _, k := range c.Kinds {
			got = append(got, k.Kind)
			if k.Queries != 3 || k.Samples != 3 || k.ErrataP50 <= 0 || k.FTSP50 <= 0 || k.RatioP50 <= 0 || k.NaiveFTSP50 <= 0 || k.NaiveRatioP50 <= 0 {
				t.Errorf("%s/%s: not timed: %+v", c.Name, k.Kind, k)
			}
			if len(k.Errors) > 0 {
				t.Errorf("%s/%s: queries failed: %v", c.Name, k.Kind, k.Errors)
			}
		}
		if !slices.Equal(got, kinds) {
			t.Errorf("%s: kinds %v, want %v", c.Name, got, kinds)
		}
		mix := 0
		for _, k := range c.Kinds {
			mix += k.Queries
		}
		if c.HTTP == nil || len(c.HTTP.Endpoints) != 5+3*distinctRounds || len(c.HTTP.Rounds) != distinctRounds {
			t.Fatalf("%s: HTTP not measured: %+v", c.Name, c.HTTP)
		}
		// Each round of never-asked queries follows a /healthz run of its
		// own, and its ratios are of that run.
		for i, r := range c.HTTP.Rounds {
			at := c.HTTP.Endpoints[5+3*i:]
			if at[0].Name != "healthz" || at[1].Name != "api-distinct" || at[2].Name != "page-distinct" ||
				r.Healthz.Requests != at[0].Requests || r.API.Requests != at[1].Requests || r.Page.Requests != at[2].Requests {
				t.Errorf("%s: round %d is not the runs %s, %s, %s", c.Name, i, at[0].Name, at[1].Name, at[2].Name)
			}
			if want := r.API.RPS / r.Healthz.RPS; r.APIRatio != want {
				t.Errorf("%s: round %d: API ratio %.3f, want %.3f", c.Name, i, r.APIRatio, want)
			}
		}
		var ratios []float64
		for _, r := range c.HTTP.Rounds {
			ratios = append(ratios, r.PageRatio)
		}
		slices.Sort(ratios)
		if c.HTTP.PageDistinctRatio != ratios[len(ratios)/2] { // an odd number of rounds
			t.Errorf("%s: page ratio %.3f is not the median round's of %v", c.Name, c.HTTP.PageDistinctRatio, ratios)
		}
		for _, e := range c.HTTP.Endpoints {
			if e.Requests == 0 || e.RPS <= 0 || e.Success < 1 {
				t.Errorf("%s: %s: %d requests, %.0f req/s, success %.2f, codes %v, errors %v", c.Name, e.Name, e.Requests, e.RPS, e.Success, e.Codes, e.Errors)
			}
			if processCPU() > 0 && e.CPUPerReqUS <= 0 {
				t.Errorf("%s: %s: no CPU per request measured", c.Name, e.Name)
			}
			// The served endpoints repeat the mix of queries for 300 ms, so
			// past its first two rounds (an answer is kept from its second
			// ask) most answers are hits; with the cache off there are none.
			// A slow machine (the race detector) may not get that far.
			switch e.Name {
			case "api", "page":
				if past := float64(e.Requests) - 3*float64(mix); past > 0 && e.CacheHit*float64(e.Requests) < past/2 {
					t.Errorf("%s: %s: %.0f%% cache hits of %d requests from a repeated mix of %d queries", c.Name, e.Name, 100*e.CacheHit, e.Requests, mix)
				}
			case "api-distinct", "page-distinct":
				// No query is asked twice, so an answer cache can never hit.
				if e.CacheHit != 0 {
					t.Errorf("%s: %s: %.1f%% cache hits from queries never asked twice", c.Name, e.Name, 100*e.CacheHit)
				}
			default:
				if e.CacheHit != 0 {
					t.Errorf("%s: %s: %.0f%% cache hits, want none", c.Name, e.Name, 100*e.CacheHit)
				}
			}
		}
		if o := c.HTTP.Open; o == nil || o.RateHz != 40 || o.Requests < 10 || o.Failed != 0 || o.CacheHit != 0 {
			t.Errorf("%s: open loop not measured, or its queries repeated: %+v", c.Name, o)
		}
	}
}

func TestRunBrowser(t *testing.T) {
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		corpustest.Missing(t, "ERRATA_BROWSER", "/usr/bin/chromium not found for the browser measurement; install Debian's chromium")
	}
	rep, _ := runBench(t, "-sizes", "catalogue", "-queries", "2", "-rounds", "1", "-browser", "-keystrokes", "4")
	b := rep.Corpora[0].Browser
	if b == nil || b.Keystrokes != 4 || b.Measured == 0 || b.P50MS <= 0 || b.P99MS < b.P50MS {
		t.Fatalf("browser not measured: %+v", b)
	}
	if b.P50NoDebounceMS > b.P50MS || math.Abs(b.P50MS-b.P50NoDebounceMS-float64(b.DebounceMS)) > 0.01 { // ms are rounded to µs
		t.Errorf("debounce %d ms not subtracted exactly: %+v", b.DebounceMS, b)
	}
	if tg := findTarget(rep, "keystroke-paint"); tg.Result == "SKIP" || tg.Value != b.P50MS {
		t.Errorf("keystroke-paint target = %+v, want it judged on p50 %.1f ms", tg, b.P50MS)
	}
}

func findTarget(rep *report, id string) target {
	for _, tg := range rep.Targets {
		if tg.ID == id {
			return tg
		}
	}
	return target{ID: id, Result: "missing"}
}

// Every kind of query comes out of the catalogue, and the same seed draws the
// same mix: the mix must fit any corpus and be rerunnable.
func TestQueriesFitTheCorpus(t *testing.T) {
	entries, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	a, err := makeQueries(entries, 5, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := makeQueries(entries, 5, 7)
	if !slices.EqualFunc(a, b, func(x, y benchQuery) bool { return x.Text == y.Text && x.Want == y.Want }) {
		t.Error("the same seed drew different queries")
	}
	ids := map[string]bool{}
	for _, e := range entries {
		ids[e.ID] = true
	}
	count := map[string]int{}
	for _, q := range a {
		count[q.Kind]++
		if !ids[q.Want] {
			t.Errorf("%s query %q wants unknown entry %q", q.Kind, q.Text, q.Want)
		}
		switch q.Kind {
		case kindPhrase:
			if !strings.HasPrefix(q.Text, `"`) || !strings.HasSuffix(q.Text, `"`) {
				t.Errorf("phrase %q is not quoted", q.Text)
			}
		case kindPasted:
			if !strings.Contains(q.Text, "{") || !strings.Contains(q.Text, "HTTP") && !strings.Contains(q.Text, "status=") {
				t.Errorf("paste %q lacks a status or a JSON body", q.Text)
			}
		case kindFilter:
			if len(q.Status) == 0 && len(q.Providers) == 0 {
				t.Errorf("filter query %q has no filter", q.Text)
			}
		case kindPrefix:
			if r := q.Text[len(q.Text)-1]; strings.HasSuffix(q.Text, " ") || !(r >= '0' && r <= '9' || r|0x20 >= 'a' && r|0x20 <= 'z') {
				t.Errorf("prefix %q does not end inside a word", q.Text)
			}
		}
	}
	for _, k := range kinds {
		if count[k] != 5 {
			t.Errorf("%d %s queries, want 5", count[k], k)
		}
	}
}

// User text never reaches FTS5 as syntax: operators, column filters, prefix
// stars and stray quotes are plain words, and a query of nothing but them
// still runs.
func TestFTSMatchIsSafe(t *testing.T) {
	entries, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := buildFTS(entries)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, text := range []string{
		`NEAR(too many) OR title:quota*`, `"unbalanced quote`, `^start + -minus AND NOT`, `()*:^"`, `{"error":"x"}`,
		strings.Repeat("word ", 500),
	} {
		for _, kind := range []string{kindWord, kindPasted, kindPrefix} {
			if _, err := f.search(context.Background(), benchQuery{Kind: kind, Text: text}); err != nil {
				t.Errorf("%s %q: %v", kind, text, err)
			}
		}
	}
	if got := ftsMatch(`say "too many" now`, false, false); got != `"say" "too many" "now"` {
		t.Errorf("ftsMatch = %s", got)
	}
	if got := ftsMatch(`quota exce`, false, true); got != `"quota" "exce"*` {
		t.Errorf("ftsMatch with a prefix = %s", got)
	}
	// The tuned peer answers as the naive one does: the same total, facets
	// and first hit, for every kind of query drawn from the catalogue.
	qs, err := makeQueries(entries, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		naive, err := f.search(context.Background(), q)
		if err != nil {
			t.Fatalf("%s %q: %v", q.Kind, q.Text, err)
		}
		tuned, err := f.tunedSearch(context.Background(), q)
		if err != nil {
			t.Fatalf("tuned %s %q: %v", q.Kind, q.Text, err)
		}
		if tuned.Total != naive.Total || !maps.Equal(tuned.StatusFacet, naive.StatusFacet) || !maps.Equal(tuned.ProviderFacet, naive.ProviderFacet) ||
			len(tuned.Hits) != len(naive.Hits) {
			t.Errorf("%s %q: tuned %d hits of %d %v %v, naive %d of %d %v %v", q.Kind, q.Text, len(tuned.Hits), tuned.Total, tuned.StatusFacet, tuned.ProviderFacet,
				len(naive.Hits), naive.Total, naive.StatusFacet, naive.ProviderFacet)
		}
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("catalogue, real,10k,100k,300")
	if err != nil {
		t.Fatal(err)
	}
	want := []corpusSpec{{"catalogue", 0}, {"real", 0}, {"10k", 10000}, {"100k", 100000}, {"300", 300}}
	if !slices.Equal(got, want) {
		t.Errorf("parseSizes = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "huge", "0", "-5k", "10k,10k"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) accepted", bad)
		}
	}
}

// The paste set runs through both engines in the same run and is reported by
// shape, by source and overall.
func TestPasteSetReport(t *testing.T) {
	corpustest.RealRecords(t) // skips loudly when the corpora are absent
	const set = "../../search/testdata/pastes.json"
	rep, out := runBench(t, "-sizes", "catalogue", "-kinds", "code", "-queries", "1", "-rounds", "1", "-pastes", set)
	p := rep.Pastes
	if p == nil || p.Entries < 2800 {
		t.Fatalf("paste set not run over the catalogue and the corpora: %+v", p)
	}
	cases, err := pasteset.Load(set)
	if err != nil {
		t.Fatal(err)
	}
	shapes := map[string]bool{}
	for _, c := range cases {
		shapes[c.Shape] = true
	}
	var all *pasteRow
	for i, r := range p.Rows {
		if r.Group == "shape" {
			delete(shapes, r.Key)
		}
		if r.Group == "all" {
			all = &p.Rows[i]
		}
	}
	if len(shapes) > 0 {
		t.Errorf("no row for shapes %v", shapes)
	}
	if all == nil || all.Pastes != len(cases) || all.ErrataTop1 < 0.95 || all.FTSTop1 <= 0 || all.FTSTop1 > 1 {
		t.Errorf("all pastes: %+v, want %d pastes, Errata top-1 at least 0.95 and an FTS5 figure", all, len(cases))
	}
	if !strings.Contains(out, "Paste set") || !strings.Contains(out, "FTS5 top-1") {
		t.Errorf("printed report lacks the paste set table:\n%s", out)
	}
}

// Never-asked queries come kind after kind in turn, so that a run of them
// too short to go round the mix still asks every kind alike (drawn kind
// after kind, its first queries were all of one), and none is asked twice
// or was asked by the repeated mix.
func TestDistinctQueriesTakeKindsInTurn(t *testing.T) {
	entries, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := makeQueries(entries, 6, 3)
	if err != nil {
		t.Fatal(err)
	}
	asked, err := makeQueries(entries, 1, 9) // a repeated mix, asked before
	if err != nil {
		t.Fatal(err)
	}
	kindOf := map[string]string{}
	for _, q := range drawn {
		kindOf[q.params()] = q.Kind
	}
	d := newDistinctQueries(drawn, asked, nil)
	seen := map[string]bool{}
	for _, q := range asked {
		seen[q.params()] = true
	}
	got := map[string]int{}
	for range 3 * len(kinds) {
		p := d.take()
		if seen[p] {
			t.Fatalf("%q asked twice", p)
		}
		seen[p] = true
		got[kindOf[p]]++
	}
	// Queries drawn twice, or asked before, are skipped: about three of each.
	for _, k := range kinds {
		if got[k] < 2 || got[k] > 4 {
			t.Errorf("%d %s queries among the first %d taken, want about 3 of each kind: %v", got[k], k, 3*len(kinds), got)
		}
	}
}

// The embedded catalogue's never-asked queries last for what the three
// rounds of a catalogue run ask (about 170,000 at 30,000 req/s); past
// them queries would repeat, answered from the cache.
func TestDistinctQueriesLast(t *testing.T) {
	entries, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	mix, err := makeQueries(entries, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := makeQueries(entries, distinctPerKind, 2)
	if err != nil {
		t.Fatal(err)
	}
	d := newDistinctQueries(drawn, mix, vocabularyOf(entries))
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	seen := make(map[string]bool, n)
	for i := range n {
		p := d.take()
		if seen[p] {
			t.Fatalf("query %d of %d asked again (%d drawn queries, %d words to add): %s", i, n, len(d.queries), len(d.words), p)
		}
		seen[p] = true
	}
}
