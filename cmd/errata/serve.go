package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/web"
	"github.com/errata/errata/web/middleware"
)

// Config is everything serve reads from flags and the environment.
type Config struct {
	Addr            string        // listen address, ":8080" or "127.0.0.1:0"
	MetricsAddr     string        // listen address of /metrics alone; "" serves no metrics
	Content         []string      // folders of entry files ("embedded" the built-in one), one catalogue; none serves the built-in one
	Index           string        // folder written by `errata index`; served instead of Content
	Watch           bool          // reload Content when its files change
	BaseURL         string        // absolute site URL for canonical links
	LogFormat       string        // "text" or "json"
	RateLimit       float64       // requests per second per client; 0 disables
	RateBurst       int           // requests a client may send at once
	RateIPv6Prefix  int           // leading bits of an IPv6 address that name one client
	TrustProxy      bool          // take the client address from X-Forwarded-For
	CacheMB         int           // megabytes of answers kept for repeated requests; 0 disables
	MaxConns        int           // connections open at once; past it a new one is answered 503
	Drain           time.Duration // time /readyz answers 503 before the listener closes
	ShutdownTimeout time.Duration // time requests in flight get to finish
}

// The server's timeouts are web's (web.NewHTTPServer).
const (
	// oldIndexGrace is how long a replaced index stays open for requests that
	// started before a reload.
	oldIndexGrace = web.WriteTimeout + 5*time.Second
	// watchDebounce groups the burst of events one save makes into one reload.
	watchDebounce = 150 * time.Millisecond
)

// Main is the serve command: a catalogue, its index, the web server and the
// HTTP server around it. ParseFlags, Run, then Shutdown or Close.
type Main struct {
	Config  Config
	Version string
	Stdout  io.Writer
	Log     *slog.Logger

	metrics *middleware.Metrics
	web     *web.Server
	srv     *http.Server
	ln      net.Listener
	served  chan error // each server's Serve result

	metricsSrv *http.Server // nil without --metrics-addr
	metricsLn  net.Listener

	mu        sync.Mutex // guards index
	index     *search.Index
	watchers  []*watcher // one per --content folder with --watch
	reloading sync.Mutex

	releaseHeapFloor func() // nil until Run keeps the floor
}

// NewMain returns a Main with the defaults of every flag.
func NewMain(env Env) *Main {
	return &Main{
		Config: Config{
			Addr:            ":8080",
			LogFormat:       "text",
			RateLimit:       20,
			RateBurst:       60,
			RateIPv6Prefix:  middleware.DefaultIPv6Prefix,
			CacheMB:         middleware.DefaultCacheBytes >> 20,
			MaxConns:        web.DefaultMaxConns,
			Drain:           3 * time.Second,
			ShutdownTimeout: 5 * time.Second,
		},
		Version: env.Version,
		Stdout:  env.Stdout,
		Log:     newLogger(env.Stderr, "text"),
	}
}

// serveFlags registers serve's flags on f, bound to m.Config.
func (m *Main) serveFlags(f *flags) {
	c := &m.Config
	f.StringVar(&c.Addr, "addr", c.Addr, "`address` to listen on, e.g. :8080 or 127.0.0.1:8080")
	f.fromEnv("addr", "ERRATA_ADDR")
	f.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "`address` of a listener serving Prometheus metrics at /metrics, e.g. 127.0.0.1:9090; keep it off the public network. Empty serves no metrics")
	f.fromEnv("metrics-addr", "ERRATA_METRICS_ADDR")
	addContentFlag(f, &c.Content, "to serve")
	f.StringVar(&c.Index, "index", c.Index, "`folder` written by `errata index`: serve its entries and index, reading no Markdown (fast start for large catalogues)")
	f.fromEnv("index", "ERRATA_INDEX")
	f.BoolVar(&c.Watch, "watch", c.Watch, "reload when a file of a --content folder changes; a broken edit keeps the last good catalogue")
	f.fromEnv("watch", "ERRATA_WATCH")
	f.StringVar(&c.BaseURL, "base-url", c.BaseURL, "absolute `URL` of the site for canonical and link-preview URLs, e.g. https://errata.example.com")
	f.fromEnv("base-url", "ERRATA_BASE_URL")
	f.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log `format`: text or json")
	f.fromEnv("log-format", "ERRATA_LOG_FORMAT")
	f.Float64Var(&c.RateLimit, "rate-limit", c.RateLimit, "`requests` per second allowed per client address; 0 disables")
	f.fromEnv("rate-limit", "ERRATA_RATE_LIMIT")
	f.IntVar(&c.RateBurst, "rate-burst", c.RateBurst, "`requests` a client may send at once before --rate-limit applies")
	f.fromEnv("rate-burst", "ERRATA_RATE_BURST")
	f.IntVar(&c.RateIPv6Prefix, "rate-limit-ipv6-prefix", c.RateIPv6Prefix, "leading `bits` of an IPv6 address that count as one client for --rate-limit (64: a /64, what one home or server is given; 128: each address); IPv4 is always per address")
	f.fromEnv("rate-limit-ipv6-prefix", "ERRATA_RATE_LIMIT_IPV6_PREFIX")
	f.BoolVar(&c.TrustProxy, "trust-proxy", c.TrustProxy, "take the client address from X-Forwarded-For (only behind a reverse proxy)")
	f.fromEnv("trust-proxy", "ERRATA_TRUST_PROXY")
	f.IntVar(&c.CacheMB, "cache-mb", c.CacheMB, "`megabytes` of answers kept in memory for requests asked again (emptied on every reload); 0 disables")
	f.fromEnv("cache-mb", "ERRATA_CACHE_MB")
	f.IntVar(&c.MaxConns, "max-conns", c.MaxConns, "`connections` open at once; past it a new one is answered 503 with Retry-After (lowered to fit the open-file limit)")
	f.fromEnv("max-conns", "ERRATA_MAX_CONNS")
	f.DurationVar(&c.Drain, "drain", c.Drain, "on SIGTERM, `time` /readyz answers 503 before new connections are refused")
	f.fromEnv("drain", "ERRATA_DRAIN")
	f.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "on SIGTERM, `time` requests in flight get to finish")
	f.fromEnv("shutdown-timeout", "ERRATA_SHUTDOWN_TIMEOUT")
}

// ParseFlags reads the environment and args into m.Config and validates it.
func (m *Main) ParseFlags(env Env, args []string) error {
	f := newFlags(env, "serve")
	m.serveFlags(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	c := &m.Config
	switch {
	case len(pos) > 0:
		return f.usageErr("unexpected argument %q (did you mean --content %s?)", pos[0], pos[0])
	case c.LogFormat != "text" && c.LogFormat != "json":
		return f.usageErr("--log-format must be text or json, not %q", c.LogFormat)
	case c.RateLimit < 0:
		return f.usageErr("--rate-limit must be 0 (off) or more, not %v", c.RateLimit)
	case c.RateIPv6Prefix < 1 || c.RateIPv6Prefix > 128:
		return f.usageErr("--rate-limit-ipv6-prefix must be 1 to 128 bits (64 counts each /64 as one client), not %d", c.RateIPv6Prefix)
	case c.CacheMB < 0 || c.CacheMB > 1<<20:
		return f.usageErr("--cache-mb must be 0 (off) to 1048576 megabytes, not %d", c.CacheMB)
	case c.MaxConns < 1:
		return f.usageErr("--max-conns must be 1 or more, not %d (the default is %d)", c.MaxConns, web.DefaultMaxConns)
	case c.Index != "" && (len(c.Content) > 0 || c.Watch):
		return f.usageErr("--index serves the entries it was built from; drop --content and --watch, or drop --index")
	case c.Watch && len(m.watchedDirs()) == 0:
		return f.usageErr("--watch needs --content DIR: the embedded catalogue never changes")
	case c.Drain < 0 || c.ShutdownTimeout <= 0:
		return f.usageErr("--drain must be 0 or more and --shutdown-timeout more than 0")
	}
	if err := checkContentDirs(f, c.Content); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return f.usageErr("--addr %q: want host:port or :port, e.g. :8080 or 127.0.0.1:8080", c.Addr)
	}
	if c.MetricsAddr != "" {
		_, port, err := net.SplitHostPort(c.MetricsAddr)
		switch {
		case err != nil:
			return f.usageErr("--metrics-addr %q: want host:port, e.g. 127.0.0.1:9090", c.MetricsAddr)
		case c.MetricsAddr == c.Addr && port != "0":
			return f.usageErr("--metrics-addr %s is --addr too: give metrics an address of their own, e.g. 127.0.0.1:9090", c.MetricsAddr)
		}
	}
	m.Log = newLogger(env.Stderr, c.LogFormat)
	return nil
}

func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// Run loads and indexes the catalogue, starts listening and returns once the
// server accepts connections.
func (m *Main) Run(ctx context.Context) error {
	start := time.Now()
	ix, err := m.open(ctx)
	if err != nil {
		return err
	}
	m.index = ix
	indexed := time.Since(start)
	// Off (0) where GOGC is set: the operator's tuning wins.
	heapFloorMB := 0
	var floor bool
	if m.releaseHeapFloor, floor = web.KeepHeapFloor(web.DefaultHeapFloor); floor {
		heapFloorMB = web.DefaultHeapFloor >> 20
	}

	m.metrics = middleware.NewMetrics()
	m.web = web.NewServer(web.Config{
		BaseURL: m.Config.BaseURL,
		Version: m.Version,
		Logger:  m.Log,
		RateLimit: middleware.RateLimitConfig{
			Rate:       m.Config.RateLimit,
			Burst:      m.Config.RateBurst,
			TrustProxy: m.Config.TrustProxy,
			IPv6Prefix: m.Config.RateIPv6Prefix,
		},
		CacheBytes: int64(m.Config.CacheMB) << 20,
		Metrics:    m.metrics,
	}, ix)
	if m.Config.Watch {
		for _, dir := range m.watchedDirs() {
			w, err := watch(ctx, dir, watchDebounce, m.Log, m.reload)
			if err != nil {
				return fmt.Errorf("--watch %s: %w", dir, err)
			}
			m.watchers = append(m.watchers, w)
		}
	}

	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", m.Config.Addr, err)
	}
	if m.Config.MetricsAddr != "" {
		if m.metricsLn, err = net.Listen("tcp", m.Config.MetricsAddr); err != nil {
			_ = ln.Close() // not yet m.ln: Close does not see it
			return fmt.Errorf("--metrics-addr: cannot listen on %s: %w", m.Config.MetricsAddr, err)
		}
		m.metricsSrv = web.NewHTTPServer(m.metrics.Endpoint(), m.Log)
	}
	var conns *web.ConnGuard
	m.srv, conns = m.web.HTTPServer(ln, web.ConnLimits{Max: m.Config.MaxConns})
	if conns.Max() < m.Config.MaxConns {
		m.Log.Warn("--max-conns lowered to fit the open-file limit", "max_conns", conns.Max(), "asked", m.Config.MaxConns,
			"fix", "raise the limit (ulimit -n, docker run --ulimit nofile=N, systemd LimitNOFILE=N) or lower --max-conns")
	}
	m.ln = conns
	m.srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	m.served = make(chan error, 2) // room for both servers' results: neither goroutine blocks
	go func() { m.served <- m.srv.Serve(m.ln) }()
	metricsURL := "off"
	if m.metricsSrv != nil {
		go func() { m.served <- fmt.Errorf("metrics: %w", m.metricsSrv.Serve(m.metricsLn)) }()
		metricsURL = listenURL(m.metricsLn, m.Config.MetricsAddr) + "/metrics"
	}
	m.web.SetReady(true)

	url := m.URL()
	m.Log.Info("ready", "entries", ix.Count(), "took", time.Since(start), "index_took", indexed,
		"heap_floor_mb", heapFloorMB, "url", url, "metrics", metricsURL, "content", m.source(), "watch", m.Config.Watch, "version", m.Version)
	fmt.Fprintf(m.Stdout, "errata: %d entries indexed in %s; serving on %s\n", ix.Count(), ms(indexed), url)
	return nil
}

// URL is where to open the site on this machine: the address listened on,
// with "localhost" for an unspecified host.
func (m *Main) URL() string {
	if m.ln == nil {
		return ""
	}
	return listenURL(m.ln, m.Config.Addr)
}

// listenURL is where to reach ln, listening on the configured address, from
// this machine.
func listenURL(ln net.Listener, configured string) string {
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if h, _, _ := net.SplitHostPort(configured); h == "" || h == "0.0.0.0" || h == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (m *Main) source() string {
	if m.Config.Index != "" {
		return "index " + m.Config.Index
	}
	return contentName(m.Config.Content)
}

// watchedDirs are the --content folders on disk: the built-in one never
// changes.
func (m *Main) watchedDirs() []string {
	var dirs []string
	for _, d := range m.Config.Content {
		if d != embeddedContent {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// open builds the index of the catalogue, or opens the one saved by
// `errata index`. A signal (ctx done) stops it before serving.
func (m *Main) open(ctx context.Context) (*search.Index, error) {
	if m.Config.Index != "" {
		ix, err := unlessDone(ctx, func() (*search.Index, error) { return search.OpenSaved(m.Config.Index) }, closeIndex)
		if err != nil && ctx.Err() != nil {
			return nil, stopped(ctx, "opening --index "+m.Config.Index)
		}
		if err != nil {
			return nil, fmt.Errorf("--index %s: %w", m.Config.Index, err)
		}
		return ix, nil
	}
	cat, err := m.load(ctx)
	if err != nil && ctx.Err() != nil {
		return nil, stopped(ctx, "loading "+m.source())
	}
	if err != nil {
		m.logProblems(err)
		return nil, &silentError{exitFail}
	}
	ix, err := m.build(ctx, cat)
	if err != nil && ctx.Err() != nil {
		return nil, stopped(ctx, "indexing "+m.source())
	}
	if err != nil {
		return nil, fmt.Errorf("indexing the catalogue: %w", err)
	}
	return ix, nil
}

// load reads and validates the catalogue, unless ctx is done first.
func (m *Main) load(ctx context.Context) (*content.Catalogue, error) {
	return loadContent(ctx, m.Config.Content)
}

// build indexes the catalogue, unless ctx is done first: an index finished
// after that is closed, never served.
func (m *Main) build(ctx context.Context, cat *content.Catalogue) (*search.Index, error) {
	return unlessDone(ctx, func() (*search.Index, error) { return search.BuildCatalogue(cat) }, closeIndex)
}

func closeIndex(ix *search.Index) { _ = ix.Close() }

// logProblems logs every file:line problem of a failed load.
func (m *Main) logProblems(err error) {
	var ps content.Problems
	if !errors.As(err, &ps) {
		m.Log.Error("cannot load the catalogue", "content", m.source(), "error", err)
		return
	}
	for _, p := range ps {
		m.Log.Error("content problem", "problem", p.String())
	}
	m.Log.Error("catalogue not loaded", "content", m.source(), "problems", len(ps),
		"fix", "run `"+checkCommand(m.Config.Content)+"` and fix each problem")
}

// reload swaps in a fresh catalogue from disk. On any problem it logs them
// and keeps serving the last good one. When ctx is done (shutting down) it
// stops where it is.
func (m *Main) reload(ctx context.Context) {
	m.reloading.Lock() // one reload at a time: each watched folder may ask for one
	defer m.reloading.Unlock()
	start := time.Now()
	cat, err := m.load(ctx)
	if err != nil && ctx.Err() != nil {
		m.Log.Info("reload stopped: shutting down")
		return
	}
	if err != nil {
		var ps content.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				m.Log.Warn("content problem; still serving the last good catalogue", "problem", p.String())
			}
		} else {
			m.Log.Warn("cannot load content; still serving the last good catalogue", "content", m.source(), "error", err)
		}
		return
	}
	ix, err := m.build(ctx, cat)
	if err != nil && ctx.Err() != nil {
		m.Log.Info("reload stopped: shutting down")
		return
	}
	if err != nil {
		m.Log.Error("cannot index content; still serving the last good catalogue", "error", err)
		return
	}
	m.mu.Lock()
	old := m.index
	m.index = ix
	m.mu.Unlock()
	m.web.SetIndex(ix) // empties the answer cache and updates the entry count too
	m.Log.Info("reloaded", "entries", ix.Count(), "took", time.Since(start))
	if old != nil {
		time.AfterFunc(oldIndexGrace, func() { _ = old.Close() })
	}
}

// Wait blocks until ctx is done (a signal) or the server fails.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.served:
		m.served <- err
		return fmt.Errorf("server stopped: %w", err)
	}
}

// Shutdown stops gracefully: /readyz answers 503 for the drain period so
// load balancers take this copy out, then the listener closes and requests in
// flight get ShutdownTimeout to finish. Anything received on force (a second
// Ctrl-C) stops at once.
func (m *Main) Shutdown(force <-chan os.Signal) error {
	if m.srv == nil {
		return m.Close()
	}
	start := time.Now()
	m.web.SetReady(false)
	m.Log.Info("shutting down: draining", "drain", m.Config.Drain, "deadline", m.Config.ShutdownTimeout)
	forced := func() error {
		m.Log.Warn("second signal: stopping now")
		return errors.Join(m.srv.Close(), m.Close())
	}
	select {
	case <-time.After(m.Config.Drain):
	case <-force:
		return forced()
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.shutdownServers(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-force:
		return forced()
	}
	if err != nil {
		m.Log.Error("requests still running at the deadline; closing them", "error", err)
		_ = m.closeServers()
	}
	m.Log.Info("stopped", "took", time.Since(start))
	return errors.Join(err, m.Close())
}

// Close releases everything at once, without waiting for requests.
func (m *Main) Close() error {
	var errs []error
	for _, w := range m.watchers {
		errs = append(errs, w.Close())
	}
	errs = append(errs, m.closeServers())
	if m.releaseHeapFloor != nil {
		m.releaseHeapFloor()
	}
	m.mu.Lock()
	if m.index != nil {
		errs = append(errs, m.index.Close())
		m.index = nil
	}
	m.mu.Unlock()
	return errors.Join(errs...)
}

// servers is the site's server and, with --metrics-addr, the metrics one:
// they start and stop together.
func (m *Main) servers() []*http.Server {
	var ss []*http.Server
	for _, s := range []*http.Server{m.srv, m.metricsSrv} {
		if s != nil {
			ss = append(ss, s)
		}
	}
	return ss
}

// shutdownServers stops each server gracefully, the site first, so that
// metrics are scraped while its last requests finish.
func (m *Main) shutdownServers(ctx context.Context) error {
	var errs []error
	for _, s := range m.servers() {
		errs = append(errs, s.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

func (m *Main) closeServers() error {
	var errs []error
	for _, s := range m.servers() {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

func runServe(ctx context.Context, env Env, args []string) error {
	m := NewMain(env)
	if err := m.ParseFlags(env, args); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		_ = m.Close()
		return err
	}
	if err := m.Wait(ctx); err != nil {
		_ = m.Close()
		return err
	}
	force := make(chan os.Signal, 1)
	signal.Notify(force, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(force)
	return m.Shutdown(force)
}
