// Package web serves Errata's pages and JSON API over the search index.
package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/static"
	"github.com/errata/errata/web/middleware"
)

// Config is what the server needs besides the index.
type Config struct {
	BaseURL string       // absolute site URL for canonical and link-preview URLs; "" uses the request's host
	Version string       // build version, shown in the footer and /api
	Logger  *slog.Logger // where handler errors are logged; nil discards
}

// index is what the handlers need of *search.Index; tests substitute it to
// exercise failures the real index cannot produce on demand.
type index interface {
	Search(ctx context.Context, q search.Query) (*search.Results, error)
	Len() int               // entries, in status order then id
	At(i int) content.Entry // entry i of Len, decoded on demand from a saved index
	StatusRange(code int) (lo, hi int)
	Entry(id string) (content.Entry, bool)
	Redirect(oldID string) (string, bool)
	Count() int
}

// current wraps the index so that an atomic pointer can hold "none".
type current struct{ ix index }

// Server holds the routes over a catalogue that can be swapped while serving.
type Server struct {
	cfg   Config
	log   *slog.Logger
	ix    atomic.Pointer[current]
	ready atomic.Bool
	mux   *http.ServeMux
	// sitemapURLs is the most URLs one sitemap file lists (the protocol's
	// 50,000); tests lower it.
	sitemapURLs int
	// searchSlots holds one token per search running: as many as there
	// are cores (see searchTurn).
	searchSlots chan struct{}
}

// New returns a server over ix. It is ready at once; ix may be nil until
// SetIndex is called, in which case pages answer 503.
func New(cfg Config, ix *search.Index) *Server {
	var i index
	if ix != nil {
		i = ix
	}
	return newServer(cfg, i)
}

func newServer(cfg Config, ix index) *Server {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), sitemapURLs: sitemapMaxURLs,
		searchSlots: make(chan struct{}, runtime.GOMAXPROCS(0))}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.ix.Store(&current{ix})
	s.ready.Store(true)
	s.routes()
	return s
}

// routes is every URL the server answers. GET patterns answer HEAD too; any
// other method gets 405 with an Allow header from the mux.
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /{$}", s.page(s.catalogue))
	m.Handle("GET /errors/{id}", s.page(s.entry))
	m.Handle("GET /api/v1/search", s.api(s.apiSearch))
	m.Handle("GET /api/v1/errors", s.api(s.apiErrors))
	m.Handle("GET /api/v1/errors/{id}", s.api(s.apiError))
	m.Handle("GET /api/", s.api(s.apiNotFound))
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /static/{file}", static.Handler())
	m.Handle("GET /opensearch.xml", s.page(s.opensearch))
	m.Handle("GET /sitemap.xml", s.page(s.sitemap))
	m.Handle("GET /sitemaps/{file}", s.page(s.sitemapPart))
	m.Handle("GET /robots.txt", s.page(s.robots))
	m.HandleFunc("GET /favicon.ico", s.favicon)
	m.Handle("GET /", s.page(s.notFound))
}

// Handler is every route, with panics and unclean paths answered by the
// site's own error pages. Serve it inside middleware.Stack, which adds the
// security headers and everything else every answer needs.
func (s *Server) Handler() http.Handler {
	return middleware.Chain(
		middleware.RecoverPanics(s.log, http.HandlerFunc(s.internalError)),
		middleware.RejectUncleanPaths(s.page(s.notFound)),
	)(s.mux)
}

// SetIndex swaps the catalogue served (used by --watch); requests in flight keep the old one.
func (s *Server) SetIndex(ix *search.Index) {
	var i index
	if ix != nil {
		i = ix
	}
	s.ix.Store(&current{i})
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
