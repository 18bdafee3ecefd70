package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"

	"github.com/errata/errata/search"
	"github.com/errata/errata/web/components"
	"github.com/errata/errata/web/middleware"
)

// handler is a route that returns its failure instead of writing it.
type handler func(w http.ResponseWriter, r *http.Request) error

// notFoundError is a 404; Search is what the page offers to search for.
type notFoundError struct {
	What   string // "No error has the id “x”."
	Search string
}

func (e *notFoundError) Error() string { return "not found: " + e.What }

// errNotReady is answered 503 while no index is loaded.
var errNotReady = errors.New("the catalogue is still loading")

// errBusy is a search that waited its turn (see Server.searchSlots) until
// its deadline.
var errBusy = errors.New("too many searches at once")

// problem is an error as a person sees it.
type problem struct {
	Status  int
	Code    string // API error code
	Heading string
	Message string
	Param   string
	Search  string
}

// internalProblem is what a person sees of a failure that is ours: nothing
// of its details.
var internalProblem = problem{Status: http.StatusInternalServerError, Code: "internal", Heading: "Something went wrong",
	Message: "Something went wrong on our side. Please try again; if it keeps happening, let us know."}

// classify maps an error to what the user sees. Only errors we made for
// people carry their text through; anything else is an internal error whose
// details go to the log and never to the response.
func (s *Server) classify(r *http.Request, err error) problem {
	var inv *search.InvalidError
	var nf *notFoundError
	var req *requestError
	switch {
	case errors.As(err, &req):
		return req.problem()
	case errors.As(err, &inv):
		return problem{Status: http.StatusBadRequest, Code: "invalid_parameter", Heading: "That request can’t be read",
			Message: invalidMessage(inv), Param: inv.Param, Search: r.URL.Query().Get("q")}
	case errors.As(err, &nf):
		return problem{Status: http.StatusNotFound, Code: "not_found", Heading: "Page not found", Message: nf.What, Search: nf.Search}
	case errors.Is(err, errNotReady):
		return problem{Status: http.StatusServiceUnavailable, Code: "unavailable", Heading: "Starting up",
			Message: "The catalogue is still loading. Please try again in a few seconds."}
	case errors.Is(err, errBusy):
		return problem{Status: http.StatusServiceUnavailable, Code: "busy", Heading: "Too many searches at once",
			Message: "Errata is answering many searches at once. Please try again in a moment."}
	case errors.Is(err, context.DeadlineExceeded):
		return problem{Status: http.StatusServiceUnavailable, Code: "timeout", Heading: "That took too long",
			Message: "The search took too long. Please try again with fewer words."}
	}
	if !errors.Is(err, context.Canceled) {
		s.log.Error("handler failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	return internalProblem
}

// invalidMessage makes a sentence of an InvalidError, whose message may be a
// predicate about the parameter ("must be a whole number…").
func invalidMessage(e *search.InvalidError) string {
	m := strings.TrimSpace(e.Message)
	r, _ := utf8.DecodeRuneInString(m)
	switch {
	case m == "":
		return "The " + e.Param + " parameter has a value that can’t be used."
	case unicode.IsUpper(r):
		return m
	case unicode.IsLower(r):
		return "The " + e.Param + " parameter " + m
	}
	return "The " + e.Param + " parameter is wrong: " + m
}

// retryAfter asks a client turned away busy (errBusy) to come back in a
// second.
func retryAfter(w http.ResponseWriter, err error) {
	if errors.Is(err, errBusy) {
		w.Header().Set("Retry-After", "1")
	}
}

// page adapts a page handler: an error becomes an HTML error page.
func (s *Server) page(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			retryAfter(w, err)
			s.writeErrorPage(w, r, s.classify(r, err))
		}
	})
}

// api adapts an API handler: an error becomes {"error":{"code","message"}}.
// Every answer, errors included, links the API's description.
func (s *Server) api(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", serviceDesc)
		if err := h(w, r); err != nil {
			retryAfter(w, err)
			s.writeErrorJSON(w, s.classify(r, err))
		}
	})
}

// writeErrorPage renders p. The page asks not to be indexed, so it names no
// canonical URL, and its head describes it by the heading alone: what the
// person sent is echoed only in the message and the search box, cut by
// clipEcho.
func (s *Server) writeErrorPage(w http.ResponseWriter, r *http.Request, p problem) {
	v := components.Error{
		Meta: components.Meta{Title: p.Heading, Description: p.Heading, OGType: "website",
			SiteURL: s.base(r), Version: s.cfg.Version, NoIndex: true},
		Code:    p.Status,
		Heading: p.Heading,
		Message: p.Message,
		Search:  p.Search,
	}
	var buf bytes.Buffer
	if err := components.ErrorPage(v).Render(r.Context(), &buf); err != nil {
		if r.Context().Err() == nil {
			s.log.Error("error page failed", "err", err)
		}
		writeBareErrorPage(w, r, p)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = buf.WriteTo(w)
}

// bareErrorPage is the error page when the real one cannot be rendered (the
// request was cancelled, or a template failed): fixed markup with no script
// or style, p's heading and message, and the request id to quote.
const bareErrorPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>%[1]s</title></head>
<body><main><h1 data-testid="error-heading">%[1]s</h1><p data-testid="error-message">%[2]s</p>
<p>Request id: <code data-testid="request-id">%[3]s</code></p><p><a href="/">Search every error</a></p></main></body></html>
`

// writeBareErrorPage writes bareErrorPage with the security headers set
// here too, so that it is safe whatever wraps it.
func writeBareErrorPage(w http.ResponseWriter, r *http.Request, p problem) {
	h := w.Header()
	middleware.SetSecurityHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = fmt.Fprintf(w, bareErrorPage, html.EscapeString(p.Heading), html.EscapeString(p.Message),
		html.EscapeString(middleware.RequestIDFrom(r.Context())))
}

type apiErrorBody struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

func (p problem) json() apiErrorBody {
	return apiErrorBody{apiErrorDetail{Code: p.Code, Message: p.Message, Param: p.Param}}
}

func (s *Server) writeErrorJSON(w http.ResponseWriter, p problem) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, p.Status, p.json())
}

// writeJSON encodes v whole before sending a byte, by its own appendJSON
// when it has one. Should v not encode, the answer is the API's own 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bodies.Get()
	defer bodies.Put(buf)
	if a, ok := v.(jsonAppender); ok {
		buf.Write(a.appendJSON(buf.AvailableBuffer()))
	} else if err := encodeJSON(buf, v); err != nil {
		buf.Reset()
		status = internalProblem.Status
		_ = encodeJSON(buf, internalProblem.json()) // strings alone always encode
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeWhole(w, status, buf)
}

// writeWhole sends a body made whole in buf with its length, in one write,
// so that ETag hashes and sends it without copying it.
func writeWhole(w http.ResponseWriter, status int, buf *bytes.Buffer) {
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// bodies are the answers being made: a page is rendered whole into one
// before a byte is sent.
var bodies = middleware.BufferPool{Max: 256 << 10}

// jsonAppender is an answer that appends its JSON itself, byte for byte
// what encodeJSON writes for it, without reflection.
type jsonAppender interface{ appendJSON(b []byte) []byte }

// encodeJSON writes v with <, > and & escaped, so that no browser sniffs
// markup in an answer.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc.Encode(v)
}

// render writes a page only once it has rendered whole.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	buf := bodies.Get()
	defer bodies.Put(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		return fmt.Errorf("render %s: %w", r.URL.Path, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	writeWhole(w, status, buf)
	return nil
}

// internalError answers a request whose handler panicked: the API's JSON
// error under /api/, the error page elsewhere.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeErrorJSON(w, internalProblem)
	} else {
		s.writeErrorPage(w, r, internalProblem)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	q := strings.Trim(r.URL.Path, "/")
	if i := strings.LastIndex(q, "/"); i >= 0 {
		q = q[i+1:]
	}
	q = strings.NewReplacer("-", " ", "_", " ", ".", " ").Replace(q)
	return &notFoundError{What: "There is no page at this address. Search the catalogue instead:", Search: clipEcho(strings.TrimSpace(q))}
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) error {
	return &notFoundError{What: "There is no API endpoint at " + clipEcho(r.URL.Path) + ". See /api/v1/search and /api/v1/errors."}
}

// maxEcho is as many bytes of what a person sent (a path, an id) as an
// error repeats back: enough to recognise it, never so much that a long
// request makes a longer answer.
const maxEcho = 200

// clipEcho cuts s to maxEcho bytes, marking the cut with an ellipsis.
func clipEcho(s string) string { return Clip(s, maxEcho, Ellipsis) }
