package web

import (
	_ "embed"
	"net/http"
)

// openAPI describes the JSON API (OpenAPI 3.1). Its test validates real
// answers of every route against it, so it cannot drift from the handlers.
//
//go:embed openapi.json
var openAPI []byte

// serviceDesc is the Link every API answer carries to the description
// (RFC 8631), so that a client that has one answer can find the rest.
const serviceDesc = `</openapi.json>; rel="service-desc"`

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPI)
	return nil
}
