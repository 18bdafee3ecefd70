package content_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/jsonschema-go/jsonschema"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

// frontMatterSchema is FrontMatterSchema, checked to be a schema and
// resolved for validation.
func frontMatterSchema(tb testing.TB) *jsonschema.Resolved {
	tb.Helper()
	var s jsonschema.Schema
	if err := json.Unmarshal(content.FrontMatterSchema(content.BuiltinProviders()), &s); err != nil {
		tb.Fatalf("the schema is not a JSON Schema: %v", err)
	}
	if s.Schema != "https://json-schema.org/draft/2020-12/schema" {
		tb.Errorf("$schema %q, want 2020-12", s.Schema)
	}
	rs, err := s.Resolve(nil)
	if err != nil {
		tb.Fatalf("the schema does not resolve: %v", err)
	}
	return rs
}

// frontMatter is the YAML between the --- lines of an entry file, decoded as
// an editor's YAML server sees it.
func frontMatter(tb testing.TB, file string) any {
	tb.Helper()
	rest, ok := strings.CutPrefix(file, "---\n")
	fm, _, found := strings.Cut(rest, "\n---\n")
	if !ok || !found {
		tb.Fatalf("no front matter in:\n%s", file)
	}
	var v any
	if err := yaml.Unmarshal([]byte(fm), &v); err != nil {
		tb.Fatalf("front matter is not YAML: %v\n%s", err, fm)
	}
	if v == nil {
		v = map[string]any{}
	}
	return v
}

// The schema accepts the front matter of every entry the loader accepts:
// the catalogue, the real corpora as imported, and forms the loader reads
// the same way (quoted status, none, empty lists, a number as a title).
func TestFrontMatterSchemaAcceptsWhatLoads(t *testing.T) {
	rs := frontMatterSchema(t)
	check := func(name, file string) {
		t.Helper()
		if err := rs.Validate(frontMatter(t, file)); err != nil {
			t.Errorf("%s: the schema rejects front matter the loader accepts: %v", name, err)
		}
	}
	n := 0
	_ = fs.WalkDir(content.Embedded(), ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".md") {
			b, _ := fs.ReadFile(content.Embedded(), path)
			check(path, string(b))
			n++
		}
		return nil
	})
	if n != 15 {
		t.Errorf("checked %d catalogue entries, want all 15", n)
	}
	if out, ok := corpustest.ImportedDir(t); ok {
		files, _ := filepath.Glob(filepath.Join(out, "*.md"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			check(filepath.Base(f), string(data))
		}
		if len(files) < 2000 {
			t.Errorf("only %d imported entries checked", len(files))
		}
	}
	for name, file := range map[string]string{
		"status none":      edit(t, good, "status: 429", "status: none"),
		"quoted status":    edit(t, good, "status: 429", `status: "429"`),
		"empty providers":  edit(t, good, "providers: [gmail]", "providers: []"),
		"bare providers":   edit(t, good, "providers: [gmail]", "providers:"),
		"number as title":  edit(t, good, "title: Too Many Requests", "title: 404"),
		"every key":        edit(t, good, "updated:", "codes: [rateLimitExceeded, 21211]\naliases: [quota, \"429\"]\nrelated: [429-general-quota-exceeded]\nredirect_from: [old-id]\nsource:\n  name: Gmail's error reference\n  url: https://developers.google.com/gmail/api\nimported: 2026-12-01\nupdated:"),
		"imported only":    edit(t, good, "updated:", "imported:"),
		"no optional keys": edit(t, edit(t, good, "providers: [gmail]\n", ""), "messages:\n  - The Gmail account has exceeded the usage limit.\n", ""),
	} {
		fsys := files("429-gmail-too-many-requests.md", file, "429-general-quota-exceeded.md", other)
		if _, err := content.Load(fsys); err != nil {
			t.Fatalf("%s: the loader rejects the fixture: %v", name, err)
		}
		check(name, file)
	}
}

// The schema rejects each broken front matter that `errata check` rejects
// for a problem of the file's own keys.
func TestFrontMatterSchemaRejectsWhatCheckRejects(t *testing.T) {
	rs := frontMatterSchema(t)
	for _, c := range []struct{ name, old, new string }{
		{"unknown key", "status: 429\n", "status: 429\ncategory: mail\n"},
		{"missing status", "status: 429\n", ""},
		{"missing updated", "updated: 2026-11-24\n", ""},
		{"code with a space", "updated:", "codes: [rate limit]\nupdated:"},
		{"code empty", "updated:", "codes: [\"\"]\nupdated:"},
		{"codes not a list", "updated:", "codes: rateLimitExceeded\nupdated:"},
		{"source without a name", "updated:", "source:\n  url: https://example.com\nupdated:"},
		{"source url not http", "updated:", "source:\n  name: X\n  url: javascript:alert(1)\nupdated:"},
		{"source unknown key", "updated:", "source:\n  name: X\n  page: https://example.com\nupdated:"},
		{"source a string", "updated:", "source: Twilio\nupdated:"},
		{"bad imported date", "updated: 2026-11-24", "imported: 2026-1-2"},
		{"missing id", "id: 429-gmail-too-many-requests\n", ""},
		{"missing title", "title: Too Many Requests\n", ""},
		{"status too low", "status: 429", "status: 99"},
		{"status too high", "status: 429", "status: 600"},
		{"status not a number", "status: 429", "status: Too Many"},
		{"status None", "status: 429", "status: None"},
		{"status with a zero", "status: 429", `status: "0429"`},
		{"non-slug id", "id: 429-gmail-too-many-requests", "id: Too_Many"},
		{"id too long", "id: 429-gmail-too-many-requests", "id: " + strings.Repeat("a", 201)},
		{"unknown provider", "providers: [gmail]", "providers: [gmail, yahoo]"},
		{"providers not a list", "providers: [gmail]", "providers: gmail"},
		{"empty title", "title: Too Many Requests", "title:"},
		{"blank title", "title: Too Many Requests", `title: "  "`},
		{"empty list item", "  - The Gmail account has exceeded the usage limit.\n", "  - The Gmail account has exceeded the usage limit.\n  - \"\"\n"},
		{"null list item", "  - The Gmail account has exceeded the usage limit.\n", "  - The Gmail account has exceeded the usage limit.\n  -\n"},
		{"related not a slug", "updated:", "related:\n  - Quota Exceeded\nupdated:"},
		{"redirect_from not a slug", "updated:", "redirect_from: [Old Id]\nupdated:"},
		{"list of lists", "updated:", "aliases:\n  - [a, b]\nupdated:"},
		{"map in a list", "updated:", "aliases:\n  - {a: b}\nupdated:"},
		{"bad date", "updated: 2026-11-24", "updated: 24/11/2026"},
		{"no month 13", "updated: 2026-11-24", "updated: 2026-13-01"},
		{"title a list", "title: Too Many Requests", "title: [Too, Many]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := edit(t, good, c.old, c.new)
			_, err := content.Load(files("429-gmail-too-many-requests.md", file))
			var ps content.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("the loader accepts the fixture (%v); it is no broken fixture", err)
			}
			if err := rs.Validate(frontMatter(t, file)); err == nil {
				t.Errorf("the schema accepts front matter that errata check rejects with:\n%s", ps)
			}
		})
	}
}

// The schema names every key the loader knows and requires the same ones.
func TestFrontMatterSchemaKeys(t *testing.T) {
	var s struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
		Additional bool                       `json:"additionalProperties"`
	}
	if err := json.NewDecoder(bytes.NewReader(content.FrontMatterSchema(content.BuiltinProviders()))).Decode(&s); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Required, ", "); got != "id, status, title" {
		t.Errorf("required %s, want id, status, title (and updated or imported)", got)
	}
	keys := []string{"id", "status", "title", "codes", "providers", "messages", "aliases", "related", "source", "updated", "imported", "redirect_from"}
	for _, k := range keys {
		if _, ok := s.Properties[k]; !ok {
			t.Errorf("no property %s", k)
		}
	}
	if len(s.Properties) != len(keys) || s.Additional {
		t.Errorf("%d properties, additionalProperties %v; want the %d keys and no other", len(s.Properties), s.Additional, len(keys))
	}
}
