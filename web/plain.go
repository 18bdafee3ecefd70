package web

import (
	"fmt"
	"net/http"
	"net/url"
)

// plain adapts a handler whose answer is text for machines (Markdown,
// llms.txt, Atom): an error becomes one line of text/plain that says what
// was wrong and how to fix it, as a script or a language model reads it.
func (s *Server) plain(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		retryAfter(w, err)
		p := s.classify(r, err)
		msg := p.Message
		if p.Search != "" {
			msg += " " + s.base(r) + "/?q=" + url.QueryEscape(p.Search)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(p.Status)
		fmt.Fprintf(w, "%d %s: %s\n", p.Status, http.StatusText(p.Status), msg)
	})
}
