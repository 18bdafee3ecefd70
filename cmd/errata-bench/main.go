// Command errata-bench measures Errata's search against SQLite FTS5 on the
// same corpora and queries in the same run, and checks the README's targets:
// query latency per kind, build (start-to-ready) time, memory, HTTP throughput
// of the search paths against /healthz, and keystroke-to-paint in Chromium.
// It also scores both on the paste set (top-1 and MRR by shape).
//
//	go run ./cmd/errata-bench -sizes catalogue,real,10k,100k -http -browser -json bench.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/errata/errata/search"
	"github.com/errata/errata/web"
	"github.com/errata/errata/web/middleware"
)

// config is every flag of the command.
type config struct {
	Sizes        []corpusSpec
	Kinds        []string
	PerKind      int
	Rounds       int
	Seed         int64
	JSON         string
	Markdown     string
	HTTP         bool
	HTTPTime     time.Duration
	HTTPWorkers  int
	HTTPRate     int
	HTTPOpenTime time.Duration
	Browser      bool
	Keystrokes   int
	Chromium     string
	CPUProfile   string
	HTTPProfile  string
	MemProfile   string
	// LatencyIndex is the index the latency and HTTP phases query: the
	// saved one opened (saved) or one built in memory (built).
	LatencyIndex string
	Pastes       string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("errata-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	sizes := fs.String("sizes", "catalogue,real,10k,100k", "corpora to run: catalogue, real (../shared/corpora), or a count grown from real (10k, 100k, 1m: the 1m run takes about half an hour and 3 GB)")
	kindList := fs.String("kinds", strings.Join(kinds, ","), "query kinds to run (fewer kinds make a profile of one kind)")
	fs.IntVar(&cfg.PerKind, "queries", 100, "queries of each kind drawn from each corpus")
	fs.IntVar(&cfg.Rounds, "rounds", 5, "timed passes over the queries (after one warm-up pass)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed for grown corpora and queries")
	fs.StringVar(&cfg.JSON, "json", "", "write the report as JSON to this file")
	fs.StringVar(&cfg.Markdown, "markdown", "", "write the report as Markdown tables to this file")
	fs.BoolVar(&cfg.HTTP, "http", false, "load the real web handler with vegeta: /healthz, /api/v1/search, /?q=")
	fs.DurationVar(&cfg.HTTPTime, "http-duration", 4*time.Second, "load time per endpoint")
	fs.IntVar(&cfg.HTTPWorkers, "http-workers", 8, "closed-loop workers per endpoint (max throughput)")
	fs.IntVar(&cfg.HTTPRate, "http-rate", 200, "open-loop requests per second of distinct queries, API and page in turn (0: no open-loop run)")
	fs.DurationVar(&cfg.HTTPOpenTime, "http-open-duration", 10*time.Second, "how long the open-loop run sends")
	fs.BoolVar(&cfg.Browser, "browser", false, "measure keystroke to results painted in headless Chromium")
	fs.IntVar(&cfg.Keystrokes, "keystrokes", 20, "keystrokes timed in the browser")
	fs.StringVar(&cfg.Chromium, "chromium", "/usr/bin/chromium", "Chromium binary for -browser")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the query phase of the last corpus")
	fs.StringVar(&cfg.HTTPProfile, "http-cpuprofile", "", "write CPU profiles of the HTTP load of the last corpus, one per run, named after it (http.prof: http.api-distinct.prof, …); samples are labelled side=server or side=client (pprof -tagfocus side=server)")
	fs.StringVar(&cfg.LatencyIndex, "latency-index", "saved", "index the latency and HTTP phases query: saved (errata index, then serve --index) or built (in memory, as serve --content)")
	fs.StringVar(&cfg.MemProfile, "memprofile", "", "write a heap profile after Errata's index of the last corpus is built")
	fs.StringVar(&cfg.Pastes, "pastes", "search/testdata/pastes.json", "paste set to score both engines on, over the catalogue and ../shared/corpora (\"\" to skip)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q; every option is a flag (see -h)", fs.Args())
	}
	var err error
	if cfg.Sizes, err = parseSizes(*sizes); err != nil {
		return nil, err
	}
	for _, k := range strings.Split(*kindList, ",") {
		if k = strings.TrimSpace(k); !slices.Contains(kinds, k) {
			return nil, fmt.Errorf("-kinds: %q is not one of %s", k, strings.Join(kinds, ", "))
		}
		cfg.Kinds = append(cfg.Kinds, k)
	}
	if cfg.PerKind < 1 || cfg.Rounds < 1 {
		return nil, fmt.Errorf("-queries and -rounds must be at least 1")
	}
	if cfg.LatencyIndex != "saved" && cfg.LatencyIndex != "built" {
		return nil, fmt.Errorf("-latency-index: %q is not saved or built", cfg.LatencyIndex)
	}
	if cfg.HTTPRate < 0 {
		return nil, fmt.Errorf("-http-rate must be 0 (no open-loop run) or more")
	}
	return cfg, nil
}

func main() {
	if job := os.Getenv(childEnv); job != "" {
		os.Exit(childMain(job))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command; tests call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintln(stderr, "errata-bench:", err)
		return 2
	}
	rep, err := bench(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "errata-bench:", err)
		return 1
	}
	printReport(stdout, rep)
	if cfg.JSON != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(cfg.JSON, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "errata-bench:", err)
			return 1
		}
	}
	if cfg.Markdown != "" {
		var b strings.Builder
		writeMarkdown(&b, rep)
		if err := os.WriteFile(cfg.Markdown, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(stderr, "errata-bench:", err)
			return 1
		}
	}
	return 0
}

// bench runs every corpus in turn and evaluates the targets.
func bench(cfg *config, log io.Writer) (*report, error) {
	rep := &report{
		Command:   "go run ./cmd/errata-bench " + strings.Join(os.Args[1:], " "),
		Started:   time.Now().UTC(),
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:      runtime.NumCPU(),
		Seed:      cfg.Seed,
		PerKind:   cfg.PerKind,
		Rounds:    cfg.Rounds,
	}
	for i, spec := range cfg.Sizes {
		last := i == len(cfg.Sizes)-1
		cr, err := runCorpus(cfg, spec, last, log)
		if err != nil {
			return nil, fmt.Errorf("corpus %s: %w", spec.Name, err)
		}
		rep.Corpora = append(rep.Corpora, *cr)
	}
	var err error
	if rep.Pastes, err = pasteSetOf(cfg.Pastes, log); err != nil {
		return nil, fmt.Errorf("paste set: %w", err)
	}
	rep.Targets = evaluate(rep)
	return rep, nil
}

// runCorpus measures one corpus: build and memory of each engine in its own
// child process, then query latency with both engines in this process, then
// HTTP and the browser over Errata alone.
func runCorpus(cfg *config, spec corpusSpec, last bool, log io.Writer) (*corpusReport, error) {
	logf := func(format string, a ...any) {
		fmt.Fprintf(log, "[%s] %s: %s\n", time.Now().Format("15:04:05"), spec.Name, fmt.Sprintf(format, a...))
	}
	cr := &corpusReport{Name: spec.Name}
	start := time.Now()
	entries, err := loadCorpus(spec, cfg.Seed)
	if err != nil {
		return nil, err
	}
	cr.Entries = len(entries)
	cr.LoadMS = ms(time.Since(start))
	logf("%d entries loaded in %s", len(entries), time.Since(start).Round(time.Millisecond))
	queries, err := makeQueries(entries, cfg.PerKind, cfg.Seed)
	if err != nil {
		return nil, err
	}
	queries = slices.DeleteFunc(queries, func(q benchQuery) bool { return !slices.Contains(cfg.Kinds, q.Kind) })
	// Larger mixes drawn with other seeds, for the HTTP runs that never
	// ask a query twice (nor one of the repeated mix): one for the closed
	// loops, one of its own for the open loop, so that it asks drawn
	// queries rather than the closed loops' leftovers with a word added.
	more, err := makeQueries(entries, distinctPerKind, cfg.Seed+1)
	if err != nil {
		return nil, err
	}
	opens, err := makeQueries(entries, max(distinctPerKind, cfg.HTTPRate*int(cfg.HTTPOpenTime.Seconds()+1)/len(kinds)+1), cfg.Seed+2)
	if err != nil {
		return nil, err
	}
	vocabulary := vocabularyOf(entries[:min(len(entries), vocabularyEntries)])
	distinct := &httpQueries{closed: newDistinctQueries(more, queries, vocabulary), open: newDistinctQueries(opens, append(slices.Clone(queries), more...), vocabulary)}

	// Build time and memory, one engine per child process; then an index
	// saved ahead of time (errata index) and opened in a child of its own.
	dir, err := os.MkdirTemp("", "errata-bench-index-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if cr.Errata, err = childEngine(childJob{Engine: "errata", Spec: spec, Seed: cfg.Seed}); err != nil {
		return nil, err
	}
	logf("errata: built in %.0f ms, heap %.1f MB, RSS %.1f MB, peak RSS %.1f MB", cr.Errata.BuildMS, cr.Errata.HeapInuseMB, cr.Errata.RSSMB, cr.Errata.PeakRSSMB)
	saveDir := filepath.Join(dir, "index")
	saved, err := runChild(childJob{Engine: "errata-save", Spec: spec, Seed: cfg.Seed, Dir: saveDir})
	if err != nil {
		return nil, err
	}
	cr.Errata.SaveMS, cr.Errata.SavePeakRSSMB = saved.TookMS, saved.Mem.PeakRSSMB
	o, err := runChild(childJob{Engine: "errata-open", Spec: spec, Seed: cfg.Seed, Dir: saveDir})
	if err != nil {
		return nil, err
	}
	if o.Entries != len(entries) {
		return nil, fmt.Errorf("the saved index opened with %d entries of %d", o.Entries, len(entries))
	}
	cr.Errata.OpenMS, cr.Errata.OpenMem = &o.TookMS, &o.Mem
	logf("errata: saved ahead of time in %.0f ms (peak RSS %.1f MB), opened in %.0f ms, heap %.1f MB, RSS %.1f MB", cr.Errata.SaveMS, cr.Errata.SavePeakRSSMB, o.TookMS, o.Mem.HeapInuseMB, o.Mem.RSSMB)
	cr.FTS5, err = childEngine(childJob{Engine: "fts5", Spec: spec, Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	logf("fts5: built in %.0f ms, heap %.1f MB, RSS %.1f MB, peak RSS %.1f MB", cr.FTS5.BuildMS, cr.FTS5.HeapInuseMB, cr.FTS5.RSSMB, cr.FTS5.PeakRSSMB)

	// Latency: the engines side by side in this process, Errata as
	// errata serve --index serves a large catalogue (or built in memory,
	// as serve --content does, with -latency-index built).
	var ix *search.Index
	var took time.Duration
	if cfg.LatencyIndex == "built" {
		ix, took, err = buildErrata(entries)
		cr.Errata.InProcessBuildMS = ms(took)
	} else {
		ix, _, err = openErrata(saveDir)
	}
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	cr.LatencyIndex = cfg.LatencyIndex
	if last && cfg.MemProfile != "" {
		if err := writeHeapProfile(cfg.MemProfile); err != nil {
			return nil, err
		}
	}
	fts, took, err := buildFTS(entries)
	if err != nil {
		return nil, err
	}
	cr.FTS5.InProcessBuildMS = ms(took)
	// errata serve never holds the corpus: at a million entries its
	// gigabytes in this heap made every GC cycle take the cores from the
	// queries (1.6× the time of the slowest filters and prefixes). The
	// heap floor is serve's too.
	entries = nil
	readMem()
	releaseFloor, _ := web.KeepHeapFloor(web.DefaultHeapFloor)
	logf("timing %d queries × %d rounds on both engines", len(queries), cfg.Rounds)
	stop := func() {}
	if last && cfg.CPUProfile != "" {
		if stop, err = startCPUProfile(cfg.CPUProfile); err != nil {
			return nil, err
		}
	}
	cr.Kinds, err = runLatency(ix, fts, queries, cfg.Rounds, cfg.Seed)
	stop()
	releaseFloor()
	fts.Close()
	if err != nil {
		return nil, err
	}
	for _, k := range cr.Kinds {
		for _, e := range k.Errors {
			logf("%s query failed: %s", k.Kind, e)
		}
	}
	readMem() // let SQLite's memory go before loading the server

	if cfg.HTTP || cfg.Browser {
		srv, release := startServer(ix, middleware.DefaultCacheBytes) // as errata serve
		defer release()
		defer srv.Close()
		fresh, releaseFresh := startServer(ix, 0) // every request searches
		defer releaseFresh()
		defer fresh.Close()
		if cfg.HTTP {
			logf("HTTP load, %d workers, %s per endpoint", cfg.HTTPWorkers, cfg.HTTPTime)
			profile := ""
			if last {
				profile = cfg.HTTPProfile
			}
			cr.HTTP, err = runHTTP(srv.URL, fresh.URL, queries, distinct, cfg, profile)
			if err != nil {
				return nil, err
			}
		}
		if cfg.Browser {
			logf("browser: %d keystrokes", cfg.Keystrokes)
			if cr.Browser, err = runBrowser(cfg.Chromium, srv.URL, queries, cfg.Keystrokes); err != nil {
				return nil, err
			}
		}
	}
	return cr, nil
}

// httpQueries are the queries never asked twice: those of the closed loops
// and those of the open loop.
type httpQueries struct{ closed, open *distinctQueries }

// distinctPerKind is how many queries of each kind are drawn for the runs
// of distinct queries; each is then asked with a different extra word on
// every later pass.
const distinctPerKind = 250

// vocabularyEntries is how many of a corpus's entries give the words the
// never-asked queries add: enough for any corpus's mix to last, few
// enough to read in a moment at a million.
const vocabularyEntries = 2000

// childEngine runs a build child and returns its figures as engine stats.
func childEngine(job childJob) (engineStats, error) {
	res, err := runChild(job)
	return engineStats{BuildMS: res.TookMS, memStats: res.Mem}, err
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}
