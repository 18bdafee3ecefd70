package web

import (
	"encoding/json"
	"testing"

	"github.com/errata/errata/content"
)

// /schema/entry.json serves the loader's front-matter schema as it is made
// (content's tests hold it against the loader).
func TestEntrySchemaRoute(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	a := ask(t, h, "GET", "/schema/entry.json")
	if a.status != 200 || a.header.Get("Content-Type") != "application/schema+json" || a.body != string(content.FrontMatterSchema(content.BuiltinProviders())) {
		t.Fatalf("%s %q:\n%s", a, a.header.Get("Content-Type"), cut(a.body, 300))
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(a.body), &s); err != nil || s["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("not a 2020-12 schema (%v): %v", err, s["$schema"])
	}
	checkSecurityHeaders(t, a.target, a.header)
	if a := ask(t, h, "GET", "/schema/nope.json"); a.status != 404 {
		t.Errorf("%s, want 404", a)
	}
}
