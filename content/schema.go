package content

import (
	"encoding/json"
	"slices"
)

// FrontMatterSchema is a JSON Schema (2020-12) of an entry's front matter,
// made from the loader's own rules (the keys, which are required, the id
// pattern, the status range, the providers), so that an editor that
// validates YAML against it (yaml-language-server, VS Code's YAML
// extension, Front Matter CMS) flags what `errata check` reports about a
// single file's keys. What needs the other files (duplicate ids, related
// ids that exist, the file name matching the id, a code claimed twice) only
// `errata check` sees. providers are those entries may name.
func FrontMatterSchema(providers *Providers) []byte {
	scalarText := []string{"string", "number", "boolean"} // the loader reads any scalar as text
	nonBlank := map[string]any{"type": scalarText, "pattern": `\S`}
	slug := map[string]any{"type": "string", "pattern": slugRE.String(), "maxLength": maxIDLength}
	date := map[string]any{"type": "string", "format": "date", "pattern": `^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$`}
	list := func(desc string, item map[string]any) map[string]any {
		// "key:" with nothing after it is an empty list.
		return map[string]any{"description": desc, "type": []string{"array", "null"}, "items": item}
	}
	props := map[string]any{
		"id": with(slug, "description", "The entry's stable, URL-safe slug used in every link (/errors/<id>): lower-case letters, digits, single hyphens. It must equal the file name without .md. Never change it; rename with redirect_from."),
		"status": map[string]any{
			"description": "The HTTP status, 100–599, or none when the source gives no HTTP status.",
			"anyOf": []any{
				map[string]any{"type": "integer", "minimum": minStatus, "maximum": maxStatus},
				map[string]any{"type": "string", "pattern": "^[1-5][0-9][0-9]$"},
				map[string]any{"const": "none"},
			},
		},
		"title":     with(nonBlank, "description", "The error's title as people know it."),
		"updated":   with(date, "description", "Date of the last review by a person, YYYY-MM-DD. An entry needs updated, imported, or both."),
		"imported":  with(date, "description", "Date errata import wrote the entry, YYYY-MM-DD; replaced by updated once a person reviews it."),
		"codes":     list("The identifiers the API returns, exactly, primary first: 21211, AADSTS50126, rateLimitExceeded, invalid_grant. Each code at most once per provider in the catalogue.", map[string]any{"type": []string{"string", "number"}, "pattern": codeRE.String(), "maxLength": MaxCodeLength}),
		"providers": list("Provider slugs, as providers.yaml declares them. Leave it out when the error applies to every provider.", map[string]any{"enum": providers.Slugs()}),
		"messages":  list("The exact strings a client receives, verbatim, one per item; variable parts as {placeholders}.", nonBlank),
		"aliases":   list("Other words people search for: the status's reason phrase, the status as text, names of the error that are not codes.", nonBlank),
		"source": map[string]any{
			"description":          "The catalogue the entry came from, as pages name it: From <name>.",
			"type":                 "object",
			"required":             []string{"name"},
			"additionalProperties": false,
			"properties": map[string]any{
				"name": with(nonBlank, "description", "The catalogue's name: Twilio's error dictionary."),
				"url":  map[string]any{"description": "The catalogue's (or this error's) http or https address.", "type": "string", "pattern": `^https?://[^\s<>"]+$`},
			},
		},
		"related":       list("Ids of related entries; each must exist.", slug),
		"redirect_from": list("Old ids of this entry, for renamed entries; old links answer with a redirect.", slug),
	}
	for k := range knownKeys {
		if _, ok := props[k]; !ok {
			panic("content: front-matter key " + k + " has no schema") // a key added to the loader must be described here
		}
	}
	schema := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"title":                "Errata entry front matter",
		"description":          "The YAML between the two --- lines at the top of an entry file in content/entries. Any other key is an error.",
		"type":                 "object",
		"required":             slices.Clone(requiredKeys),
		"anyOf":                []any{map[string]any{"required": []string{"updated"}}, map[string]any{"required": []string{"imported"}}},
		"additionalProperties": false,
		"properties":           props,
	}
	b, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return append(b, '\n')
}

// with is a copy of m with key set to v.
func with(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
}
