// Package web serves Errata's pages and JSON API over the search index.
package web

import (
	"context"
	"io"
	"iter"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/static"
	"github.com/errata/errata/web/middleware"
)

// allEntries yields every entry of ix in status order, then id, one at a
// time: a saved index decodes each on demand rather than holding them all.
func allEntries(ix index) iter.Seq[content.Entry] {
	return func(yield func(content.Entry) bool) {
		for i := range ix.Len() {
			if !yield(ix.At(i)) {
				return
			}
		}
	}
}

// Config is what a server needs besides the index: everything the binary,
// the load and benchmark tools and the tests set differently.
type Config struct {
	BaseURL string       // absolute site URL for canonical and link-preview URLs; "" uses the request's host
	Version string       // build version, shown in the footer and /api
	Logger  *slog.Logger // one line per request, and handler errors; nil discards

	RateLimit  middleware.RateLimitConfig // per-client limit; Rate 0 disables it
	CacheBytes int64                      // answer cache (--cache-mb); 0 answers every request afresh
	// Metrics counts requests, cache hits, rate-limited requests, the
	// entries served, connections (see HTTPServer) and the searches the
	// handlers run; nil counts nothing. It is not served here: serve
	// Metrics.Endpoint on a listener of its own.
	Metrics *middleware.Metrics
}

// index is what the handlers need of *search.Index; tests substitute it to
// exercise failures the real index cannot produce on demand.
type index interface {
	Search(ctx context.Context, q search.Query) (*search.Results, error)
	Explain(ctx context.Context, text string, limit int) (*search.Explanation, error)
	Len() int               // entries, in status order then id
	At(i int) content.Entry // entry i of Len, decoded on demand from a saved index
	StatusRange(code int) (lo, hi int)
	Entry(id string) (content.Entry, bool)
	Redirect(oldID string) (string, bool)
	ByCode(code string) []content.Entry
	Providers() *content.Providers
	Count() int
}

// searchObserver is told of each search the handlers run, and only of
// those: an answer from the cache runs none, and browsing without words is
// not a search.
type searchObserver interface {
	ObserveSearch(took time.Duration, total int)
}

var _ searchObserver = (*middleware.Metrics)(nil)

// current wraps the index so that an atomic pointer can hold "none".
type current struct{ ix index }

// Server is the whole site: every route, inside Errata's middleware in the
// one order middleware.Stack gives it, over a catalogue that can be swapped
// while serving. The binary, the load and benchmark tools and the tests all
// serve it, so none of them wires the site by hand.
type Server struct {
	cfg      Config
	log      *slog.Logger
	ix       atomic.Pointer[current]
	ready    atomic.Bool
	mux      *http.ServeMux
	cache    *middleware.Cache // nil when off
	searches searchObserver
	handler  http.Handler // mux inside every middleware
	// sitemapURLs is the most URLs one sitemap file lists (the protocol's
	// 50,000); tests lower it.
	sitemapURLs int
	// searchSlots holds one token per search running: as many as there
	// are cores (see searchTurn).
	searchSlots chan struct{}

	mcpServer func() *mcp.Server // made on first use: the stdio and HTTP MCP transports share it
}

// NewServer returns the site over ix. It is ready at once; ix may be nil
// until SetIndex is called, in which case pages answer 503.
func NewServer(cfg Config, ix *search.Index) *Server {
	var i index
	if ix != nil {
		i = ix
	}
	return newServer(cfg, i)
}

func newServer(cfg Config, ix index) *Server {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), cache: middleware.NewCache(cfg.CacheBytes), searches: noSearchObserver{},
		sitemapURLs: sitemapMaxURLs, searchSlots: make(chan struct{}, runtime.GOMAXPROCS(0))}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics != nil {
		s.searches = cfg.Metrics
	}
	s.mcpServer = sync.OnceValue(s.newMCPServer)
	s.routes()
	site := middleware.Chain(
		middleware.RecoverPanics(s.log, http.HandlerFunc(s.internalError)),
		middleware.RejectUncleanPaths(s.page(s.notFound)),
	)(s.mux)
	s.handler = middleware.Stack(site, middleware.StackConfig{Log: s.log, Metrics: cfg.Metrics, RateLimit: cfg.RateLimit, Cache: s.cache})
	s.swap(ix)
	s.ready.Store(true)
	return s
}

type noSearchObserver struct{}

func (noSearchObserver) ObserveSearch(time.Duration, int) {}

// routes is every URL the server answers. GET patterns answer HEAD too; any
// other method gets 405 with an Allow header from the mux.
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /{$}", s.page(s.catalogue))
	m.Handle("POST /{$}", s.page(s.cataloguePost))
	m.Handle("GET /errors/{id}", s.markdownOr(s.entry)) // and /errors/{id}.md, /errors/{code}
	m.Handle("GET /errors/{provider}/{code}", s.page(s.providerCode))
	m.Handle("GET /api/v1/search", s.api(s.apiSearch))
	m.Handle("POST /api/v1/search", s.api(s.apiSearchPost))
	m.Handle("GET /api/v1/errors", s.api(s.apiErrors))
	m.Handle("GET /api/v1/errors/{id}", s.api(s.apiError))
	m.Handle("GET /api/", s.api(s.apiNotFound))
	m.Handle("GET /openapi.json", s.plain(s.openapi))
	mcpHTTP := s.mcpHTTP()
	m.Handle("POST /mcp", mcpHTTP)
	m.Handle("GET /mcp", mcpHTTP)    // 405 in JSON-RPC: stateless, no stream to open
	m.Handle("DELETE /mcp", mcpHTTP) // 405 in JSON-RPC: no session to end
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /static/{file}", static.Handler())
	m.Handle("GET /opensearch.xml", s.page(s.opensearch))
	m.Handle("GET /sitemap.xml", s.page(s.sitemap))
	m.Handle("GET /feed.xml", s.plain(s.feed))
	m.Handle("GET /schema/entry.json", s.plain(s.schema))
	m.Handle("GET /sitemaps/{file}", s.page(s.sitemapPart))
	m.Handle("GET /robots.txt", s.page(s.robots))
	m.Handle("GET /llms.txt", s.plain(s.llms))
	m.Handle("GET /llms-full.txt", s.plain(s.llmsFull))
	m.HandleFunc("GET /favicon.ico", s.favicon)
	m.Handle("GET /", s.page(s.notFound))
}

// Handler is the whole site: every route, inside the middleware. Panics and
// unclean paths are answered by the site's own error pages.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer is the http.Server that serves the site on ln (NewHTTPServer),
// with ln bounded by limits (GuardConns) and its connections counted in the
// config's Metrics. Serve it on the listener returned. Call it once per
// Server: its metrics count one listener.
func (s *Server) HTTPServer(ln net.Listener, limits ConnLimits) (*http.Server, *ConnGuard) {
	srv := NewHTTPServer(s.handler, s.log)
	conns := GuardConns(srv, ln, limits)
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.ObserveConns(conns)
	}
	return srv, conns
}

// SetIndex swaps the catalogue served (used by --watch); requests in flight
// keep the old one. The answer cache is emptied after the swap, so that
// nothing made from the old catalogue is served again.
func (s *Server) SetIndex(ix *search.Index) {
	var i index
	if ix != nil {
		i = ix
	}
	s.swap(i)
}

func (s *Server) swap(ix index) {
	s.ix.Store(&current{ix})
	s.cache.Purge()
	if s.cfg.Metrics != nil && ix != nil {
		s.cfg.Metrics.SetEntries(ix.Count())
	}
}

// SetReady sets what /readyz answers: 200 when true, 503 when false (shutting down).
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// index returns the catalogue being served, or an error answered as 503.
func (s *Server) index() (index, error) {
	if c := s.ix.Load(); c != nil && c.ix != nil {
		return c.ix, nil
	}
	return nil, errNotReady
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, "ok\n")
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	switch _, err := s.index(); {
	case !s.ready.Load():
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "not ready: shutting down\n")
	case err != nil:
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "not ready: no index yet\n")
	default:
		_, _ = io.WriteString(w, "ready\n")
	}
}
