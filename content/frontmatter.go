package content

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Front-matter keys. Required keys make an entry findable and linkable;
// messages is optional because some errors are known only by their title.
var (
	requiredKeys = []string{"id", "status", "title", "updated"}
	knownKeys    = map[string]bool{
		"id": true, "status": true, "title": true, "providers": true, "messages": true,
		"aliases": true, "related": true, "updated": true, "redirect_from": true,
	}
	keyList = "id, status, title, providers, messages, aliases, related, updated, redirect_from"
)

// The statuses an entry may have, besides none.
const (
	minStatus = 100
	maxStatus = 599
)

// decodeFrontMatter decodes the YAML front matter into r.entry, strictly:
// every key is checked on its own so one pass reports all problems, each at
// the key's (or list item's) line. It reports whether the entry has a valid
// id, which cross-file checks need.
func decodeFrontMatter(fm []byte, fmLine int, r *fileResult, bad func(int, string, string)) bool {
	at := func(n ast.Node) int { return n.GetToken().Position.Line + fmLine - 1 }
	file, err := parser.ParseBytes(fm, 0)
	if err != nil {
		line, msg := fmLine, err.Error()
		var ye yaml.Error
		if errors.As(err, &ye) {
			msg = ye.GetMessage()
			if tok := ye.GetToken(); tok != nil {
				line = tok.Position.Line + fmLine - 1
			}
		}
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
		case "updated":
			s, _ := scalar(v)
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				bad(line, fmt.Sprintf("updated %q is not a date", s), "write the date of the last review as YYYY-MM-DD, e.g. updated: 2026-11-24")
			} else {
				e.Updated = d
			}
		case "providers", "messages", "aliases", "related", "redirect_from":
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
				case key == "providers" && !KnownProvider(s):
					bad(lines[i], fmt.Sprintf("unknown provider %q", s), "use one of "+strings.Join(ProviderSlugs(), ", ")+", or leave providers out when the error applies to every provider")
				case (key == "related" || key == "redirect_from") && !IsSlug(s):
					bad(lines[i], fmt.Sprintf("%s id %q is not a slug", key, s), "use an entry id: lower-case letters, digits and single hyphens")
				}
			}
			switch key {
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
	return e.ID != ""
}

var requiredFix = map[string]string{
	"id":      "add id: with the entry's slug, the file name without .md",
	"status":  "add status: with the HTTP status (100–599), or none when the source gives none",
	"title":   "add title: with the error's title as users know it",
	"updated": "add updated: with the date of the last review, YYYY-MM-DD",
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
