package content

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Front-matter keys. Required keys make an entry findable and linkable;
// messages is optional because some errors are known only by their title.
// An entry has updated (reviewed by a person), imported (written by errata
// import and not reviewed since), or both.
var (
	requiredKeys = []string{"id", "status", "title"}
	knownKeys    = map[string]bool{
		"id": true, "status": true, "title": true, "codes": true, "providers": true, "messages": true,
		"aliases": true, "related": true, "source": true, "updated": true, "imported": true, "redirect_from": true,
	}
	keyList = "id, status, title, codes, providers, messages, aliases, related, source, updated, imported, redirect_from"
)

// MaxCodeLength bounds an error code, which /errors/{code} carries.
const MaxCodeLength = 100

// codeRE is an error code as APIs return it: one word of letters, digits
// and . _ : - ("21211", "AADSTS50126", "invalid_grant", "0x80070005").
var codeRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._:-]*[A-Za-z0-9_])?$`)

// IsCode reports whether s may be an entry's code.
func IsCode(s string) bool { return len(s) <= MaxCodeLength && codeRE.MatchString(s) }

// The statuses an entry may have, besides none.
const (
	minStatus = 100
	maxStatus = 599
)

// decodeFrontMatter decodes the YAML front matter into r.entry, strictly:
// every key is checked on its own so one pass reports all problems, each at
// the key's (or list item's) line. It reports whether the entry has a valid
// id, which cross-file checks need.
func decodeFrontMatter(fm []byte, fmLine int, providers *Providers, r *fileResult, bad func(int, string, string)) bool {
	at := func(n ast.Node) int { return n.GetToken().Position.Line + fmLine - 1 }
	file, err := parser.ParseBytes(fm, 0)
	if err != nil {
		line, msg := yamlErrorAt(err, fmLine)
		bad(line, "front matter is not valid YAML: "+msg, "write one \"key: value\" per line and lists as \"- item\" lines; quote values that contain \": \" or start with a special character")
		return false
	}
	var pairs []*ast.MappingValueNode
	if len(file.Docs) > 0 && file.Docs[0].Body != nil {
		switch b := file.Docs[0].Body.(type) {
		case *ast.MappingNode:
			pairs = b.Values
		case *ast.MappingValueNode:
			pairs = []*ast.MappingValueNode{b}
		default:
			bad(at(b), "front matter is not a set of \"key: value\" lines", "write one \"key: value\" per line ("+keyList+")")
			return false
		}
	}
	e := &r.entry
	for _, kv := range pairs {
		key := kv.Key.GetToken().Value
		line := at(kv.Key)
		if prev, dup := r.lines[key]; dup {
			bad(line, fmt.Sprintf("key %q appears twice (first on line %d)", key, prev), "keep one of them")
			continue
		}
		r.lines[key] = line
		if !knownKeys[key] {
			bad(line, fmt.Sprintf("unknown front-matter key %q", key), "use only "+keyList)
			continue
		}
		v := kv.Value
		switch key {
		case "id":
			s, ok := scalar(v)
			switch {
			case !ok || s == "":
				bad(line, "id is empty or not text", "write the entry's slug, e.g. id: 429-gmail-too-many-requests")
			case !IsSlug(s):
				example := Slugify(s)
				if example == "" {
					example = "429-gmail-too-many-requests"
				}
				bad(line, fmt.Sprintf("id %q is not a slug", s), fmt.Sprintf("use lower-case letters, digits and single hyphens, e.g. %q", example))
			default:
				e.ID = s
			}
		case "title":
			if s, ok := scalar(v); ok && strings.TrimSpace(s) != "" {
				e.Title = s
			} else {
				bad(line, "title is empty or not text", "write the error's title as users know it, e.g. title: Too Many Requests")
			}
		case "status":
			s, ok := scalar(v)
			if !ok {
				bad(line, "status is not a number", "write an HTTP status from 100 to 599, or none when the source gives no status")
				break
			}
			if s == "none" {
				break // Status 0: the source gives no HTTP status
			}
			var n int
			if _, err := fmt.Sscan(s, &n); err != nil || fmt.Sprint(n) != s {
				bad(line, fmt.Sprintf("status %q is not a number", s), "write an HTTP status from 100 to 599, or none when the source gives no status")
			} else if n < minStatus || n > maxStatus {
				bad(line, fmt.Sprintf("status %d is outside 100–599", n), "write an HTTP status from 100 to 599, or none when the source gives no status")
			} else {
				e.Status = n
			}
		case "updated", "imported":
			s, _ := scalar(v)
			d, err := time.Parse(time.DateOnly, s)
			switch {
			case err != nil && key == "updated":
				bad(line, fmt.Sprintf("updated %q is not a date", s), "write the date of the last review as YYYY-MM-DD, e.g. updated: 2026-11-24")
			case err != nil:
				bad(line, fmt.Sprintf("imported %q is not a date", s), "write the date errata import wrote the entry as YYYY-MM-DD, e.g. imported: 2026-12-01")
			case key == "updated":
				e.Updated = d
			default:
				e.Imported = d
			}
		case "source":
			e.Source = decodeSource(kv, at, bad)
		case "codes", "providers", "messages", "aliases", "related", "redirect_from":
			items, lines, badItem := list(v, at)
			if badItem > 0 {
				bad(badItem, "an item of "+key+" is not text", "write each item as plain text: one \"- item\" per line, no nested lists or maps")
				break
			}
			if items == nil && v.Type() != ast.NullType {
				bad(line, key+" is not a list", fmt.Sprintf("write it as a list: %s: [a, b] or one \"- item\" per line", key))
				break
			}
			r.items[key] = lines
			for i, s := range items {
				switch {
				case strings.TrimSpace(s) == "":
					bad(lines[i], "empty item in "+key, "remove the empty item")
				case key == "providers" && !providers.Known(s):
					bad(lines[i], fmt.Sprintf("unknown provider %q", s), unknownProviderFix(providers))
				case key == "codes" && !IsCode(s):
					bad(lines[i], fmt.Sprintf("code %q is not one word", clipText(s, 60)), fmt.Sprintf("write the code exactly as the API returns it, one per item: letters, digits and . _ : - (at most %d characters); put words people search for in aliases", MaxCodeLength))
				case key == "codes" && slices.ContainsFunc(items[:i], func(c string) bool { return strings.EqualFold(c, s) }):
					bad(lines[i], fmt.Sprintf("code %q is listed twice", s), "keep it once")
				case (key == "related" || key == "redirect_from") && !IsSlug(s):
					bad(lines[i], fmt.Sprintf("%s id %q is not a slug", key, s), "use an entry id: lower-case letters, digits and single hyphens")
				}
			}
			switch key {
			case "codes":
				e.Codes = items
			case "providers":
				e.Providers = items
			case "messages":
				e.Messages = items
			case "aliases":
				e.Aliases = items
			case "related":
				e.Related = items
			case "redirect_from":
				e.RedirectFrom = items
			}
		}
	}
	for _, k := range requiredKeys {
		if _, ok := r.lines[k]; !ok {
			bad(fmLine-1, fmt.Sprintf("missing front-matter key %q", k), requiredFix[k])
		}
	}
	_, updated := r.lines["updated"]
	if _, imported := r.lines["imported"]; !updated && !imported {
		bad(fmLine-1, `missing front-matter key "updated"`, "add updated: with the date of the last review, YYYY-MM-DD (an entry errata import wrote has imported: instead)")
	}
	return e.ID != ""
}

var requiredFix = map[string]string{
	"id":     "add id: with the entry's slug, the file name without .md",
	"status": "add status: with the HTTP status (100–599), or none when the source gives none",
	"title":  "add title: with the error's title as users know it",
}

// unknownProviderFix says where providers are declared and which there are.
func unknownProviderFix(p *Providers) string {
	return "use one of " + strings.Join(p.Slugs(), ", ") + ", declare it in " + p.File +
		", or leave providers out when the error applies to every provider"
}

// decodeSource reads source: a mapping of name and an optional url.
func decodeSource(kv *ast.MappingValueNode, at func(ast.Node) int, bad func(int, string, string)) Source {
	const fix = "write it as two indented lines: name: (the catalogue's name, e.g. Twilio's error dictionary) and url: (its https address)"
	var s Source
	pairs, ok := mappingPairs(kv.Value)
	if !ok {
		bad(at(kv.Key), "source is not a set of \"key: value\" lines", fix)
		return s
	}
	for _, p := range pairs {
		key, line := p.Key.GetToken().Value, at(p.Key)
		v, ok := scalar(p.Value)
		v = strings.TrimSpace(v)
		switch {
		case key != "name" && key != "url":
			bad(line, fmt.Sprintf("unknown source key %q", key), "use only name and url")
		case !ok || v == "":
			bad(line, "source "+key+" is empty or not text", fix)
		case key == "name":
			s.Name = v
		case !webURL(v):
			bad(line, fmt.Sprintf("source url %q is not an http or https address", clipText(v, 80)), "write the full address, e.g. https://www.twilio.com/docs/api/errors, or leave url out")
		default:
			s.URL = v
		}
	}
	if s.Name == "" && s.URL != "" {
		bad(at(kv.Key), "source has a url but no name", fix)
	}
	return s
}

// yamlErrorAt is the line and message of a YAML syntax error; the parser
// counts lines from 1 at the start of what it read, which is line first of
// the file.
func yamlErrorAt(err error, first int) (int, string) {
	line, msg := first, err.Error()
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tok := ye.GetToken(); tok != nil {
			line = tok.Position.Line + first - 1
		}
	}
	return line, msg
}

// clipText shortens s for a message.
func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// scalar is the text of a scalar YAML value, as written (so 400 and "400"
// are both "400", and 2026-11-24 stays a date string).
func scalar(n ast.Node) (string, bool) {
	switch n := n.(type) {
	case *ast.StringNode:
		return n.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	case *ast.LiteralNode:
		return n.Value.Value, true
	case *ast.TagNode:
		return scalar(n.Value)
	}
	return "", false
}

// list decodes a YAML sequence of scalars with each item's file line. It
// returns nil items when n is not a sequence ("aliases:" with nothing is an
// empty list), and the line of the first item that is not text, if any.
func list(n ast.Node, at func(ast.Node) int) (items []string, lines []int, badItem int) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		return nil, nil, 0
	}
	items = make([]string, 0, len(seq.Values))
	lines = make([]int, 0, len(seq.Values))
	for _, v := range seq.Values {
		s, ok := scalar(v)
		if !ok && v.Type() != ast.NullType {
			return nil, nil, at(v)
		}
		items = append(items, s)
		lines = append(lines, at(v))
	}
	return items, lines, 0
}

// Slugify turns text into an id: lower-case ASCII letters and digits joined
// by single hyphens ("ews:ErrorX#2" → "ews-errorx-2").
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}
