// Package web serves Errata's pages and JSON API over the search index.
package web

// STUB: placeholder signatures so that cmd/errata compiles while the web
// package is written. The web package's author replaces this file.

import (
	"log/slog"
	"net/http"

	"github.com/errata/errata/search"
)

// Config is what the server needs besides the index.
type Config struct {
	BaseURL string       // absolute site URL for canonical and link-preview URLs; "" uses the request's host
	Version string       // build version, shown in the footer and /api
	Logger  *slog.Logger // where handler errors are logged; nil discards
}

// Server holds the routes over a catalogue that can be swapped while serving.
type Server struct{}

// New returns a server over ix.
func New(cfg Config, ix *search.Index) *Server { return &Server{} }

// Handler is every route with security headers and panic recovery applied.
func (s *Server) Handler() http.Handler { return http.NotFoundHandler() }

// SetIndex swaps the catalogue served (used by --watch); requests in flight keep the old one.
func (s *Server) SetIndex(ix *search.Index) {}

// SetReady sets what /readyz answers: 200 when true, 503 when false (shutting down).
func (s *Server) SetReady(ready bool) {}
