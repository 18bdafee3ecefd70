package search

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
)

// takeJSON reads every JSON object of s (a body, one inside a log line, one
// escaped in a string literal) by its fields, and returns s without them.
func (f *fields) takeJSON(s string) string {
	for n, from := 0, 0; n < maxJSONBodies; n++ {
		i := strings.IndexByte(s[from:], '{')
		if i < 0 {
			break
		}
		i += from
		rest, ok := f.jsonAt(s, i)
		if !ok {
			from = i + 1
			continue
		}
		s, from = rest, i
	}
	return s
}

// jsonAt parses the JSON object starting at s[i] (unescaping \" once if
// it was pasted from a string literal), reads its fields and returns s with
// the object removed.
func (f *fields) jsonAt(s string, i int) (string, bool) {
	for try := 0; try < 2; try++ {
		cand := s[i:]
		if try == 1 {
			// Unescaped only when the body as pasted is no object: the
			// same text would fail the same way again.
			if cand = strings.ReplaceAll(cand, `\"`, `"`); cand == s[i:] && !shortcutsOff {
				break
			}
		}
		dec := json.NewDecoder(strings.NewReader(cand))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			continue
		}
		if _, isObj := v.(map[string]any); !isObj {
			continue
		}
		w := jsonWalker{f: f}
		w.walk(v, "", 0)
		end := i + int(dec.InputOffset())
		if cand != s[i:] {
			end = len(s) // unescaped: the rest of the line belonged to the string
		}
		return s[:i] + " " + s[end:], true
	}
	return s, false
}

// jsonWalker hands the fields of a decoded body to fields.field, bounding
// the depth and the text read.
type jsonWalker struct {
	f    *fields
	size int
}

func (w *jsonWalker) walk(v any, key string, depth int) {
	if depth > maxJSONDepth || w.size > maxTextBytes {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		// Messages first, in a stable order, so the most telling text leads.
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			return cmp.Or(cmp.Compare(keyInterest(a), keyInterest(b)), strings.Compare(a, b))
		})
		for _, k := range keys {
			w.walk(v[k], k, depth+1)
		}
	case []any:
		for _, e := range v {
			w.walk(e, key, depth+1)
		}
	case json.Number:
		w.f.field(key, v.String())
	case string:
		w.size += len(v)
		w.f.field(key, v)
	}
}

// keyInterest orders keys: messages, then codes, then the rest.
func keyInterest(k string) int {
	switch keyKind(k) {
	case kindMessage:
		if n := normKey(k); n == "message" || n == "errordescription" || n == "msg" {
			return 0
		}
		return 1
	case kindCode, kindStatus:
		return 2
	}
	return 3
}
