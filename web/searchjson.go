package web

import (
	"strconv"
	"unicode/utf8"
)

// appendJSON appends r as encodeJSON writes it, byte for byte (HTML
// escaped, fields in order, the newline after), without reflection: a
// catalogue's answer took encoding/json 10–14 µs and takes this 3 µs
// (BenchmarkSearchJSON), on a never-asked search of about 100 µs. The
// API's other answers go through encodeJSON.
func (r *apiSearchResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"query":{"q":`...)
	b = appendJSONString(b, r.Query.Q)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, r.Query.Status)
	if r.Query.Sort != "" {
		b = append(b, `,"sort":`...)
		b = appendJSONString(b, r.Query.Sort)
	}
	b = append(b, `,"provider":`...)
	b = appendJSONStrings(b, r.Query.Provider)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(r.Query.Page), 10)
	b = append(b, `,"per_page":`...)
	b = strconv.AppendInt(b, int64(r.Query.PerPage), 10)
	b = append(b, `},"total":`...)
	b = strconv.AppendInt(b, int64(r.Total), 10)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(r.Page), 10)
	b = append(b, `,"per_page":`...)
	b = strconv.AppendInt(b, int64(r.PerPage), 10)
	b = append(b, `,"results":`...)
	b = appendJSONArray(b, r.Results, appendHitJSON)
	b = append(b, `,"facets":{"status":`...)
	b = appendFacetsJSON(b, r.Facets.Status)
	b = append(b, `,"provider":`...)
	b = appendFacetsJSON(b, r.Facets.Provider)
	b = append(b, `},"suggestion":`...)
	b = appendJSONString(b, r.Suggestion)
	if len(r.TooCommon) > 0 {
		b = append(b, `,"too_common":`...)
		b = appendJSONStrings(b, r.TooCommon)
	}
	u := &r.Understood
	b = append(b, `,"understood":{"pasted":`...)
	b = strconv.AppendBool(b, u.Pasted)
	b = append(b, `,"shape":`...)
	b = appendJSONString(b, u.Shape)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, u.Status)
	b = append(b, `,"codes":`...)
	b = appendJSONStrings(b, u.Codes)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, u.Message)
	b = append(b, `,"providers":`...)
	b = appendJSONStrings(b, u.Providers)
	b = append(b, `,"terms":`...)
	b = appendJSONString(b, u.Terms)
	b = append(b, `,"query":`...)
	b = appendJSONString(b, u.Query)
	return append(b, "}}\n"...)
}

func appendHitJSON(b []byte, h *apiHit) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, h.ID)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(h.Status), 10)
	b = append(b, `,"codes":`...)
	b = appendJSONStrings(b, h.Codes)
	b = append(b, `,"providers":`...)
	b = appendJSONStrings(b, h.Providers)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, h.Title)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, h.URL)
	b = append(b, `,"snippet":`...)
	b = appendJSONString(b, h.Snippet)
	b = append(b, `,"snippet_html":`...)
	b = appendJSONString(b, h.SnippetHTML)
	b = append(b, `,"snippet_from":`...)
	b = appendJSONString(b, h.SnippetFrom)
	if h.Match != "" {
		b = append(b, `,"match":`...)
		b = appendJSONString(b, h.Match)
	}
	return append(b, '}')
}

func appendFacetsJSON(b []byte, fs []apiFacet) []byte {
	return appendJSONArray(b, fs, func(b []byte, f *apiFacet) []byte {
		b = append(b, `{"value":`...)
		b = appendJSONString(b, f.Value)
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, int64(f.Count), 10)
		return append(b, '}')
	})
}

func appendJSONStrings(b []byte, ss []string) []byte {
	return appendJSONArray(b, ss, func(b []byte, s *string) []byte { return appendJSONString(b, *s) })
}

// appendJSONArray appends xs as encoding/json writes a slice: null when it
// is nil, else each element by appendOne, between brackets.
func appendJSONArray[T any](b []byte, xs []T, appendOne func(b []byte, x *T) []byte) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendOne(b, &xs[i])
	}
	return append(b, ']')
}

// jsonSafe are the ASCII bytes a JSON string holds as they are, HTML
// escaping on.
var jsonSafe = func() (safe [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		safe[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return safe
}()

// appendJSONString quotes s as encoding/json does with HTML escaping on:
// <, > and & as \u003c, \u003e and \u0026, U+2028 and U+2029 escaped,
// each byte of invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
