package web

import (
	"net/http"

	"github.com/errata/errata/content"
)

// schema is /schema/entry.json, for editors that check front matter while
// an entry is written: the providers it names are the catalogue's.
func (s *Server) schema(w http.ResponseWriter, r *http.Request) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/schema+json")
	_, _ = w.Write(content.FrontMatterSchema(ix.Providers()))
	return nil
}
