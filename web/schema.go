package web

import (
	"net/http"
	"sync"

	"github.com/errata/errata/content"
)

// entrySchema is the JSON Schema of entry front matter, made once.
var entrySchema = sync.OnceValue(content.FrontMatterSchema)

// schema is /schema/entry.json, for editors that check front matter while
// an entry is written.
func (s *Server) schema(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/schema+json")
	_, _ = w.Write(entrySchema())
	return nil
}
