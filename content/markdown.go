package content

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// md is the one goldmark instance, built once and shared: it is safe for
// concurrent use. Raw HTML stays off (no html.WithUnsafe), so a <script> in
// an entry renders as "<!-- raw HTML omitted -->"; safeLinks (below) drops
// every link destination that is not relative, http(s) or mailto.
var md = goldmark.New(
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(safeLinks{}, 100)),
	),
)

// safeLinks keeps only link destinations a reader can follow safely:
// relative URLs, fragments, http, https and mailto. Anything else (data:,
// javascript: in any spelling goldmark misses, custom schemes) loses its
// destination; an autolink to it becomes plain text.
type safeLinks struct{}

func (safeLinks) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var autolinks []*ast.AutoLink
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if !safeURL(n.Destination) {
				n.Destination = nil
			}
		case *ast.Image:
			if !safeURL(n.Destination) {
				n.Destination = nil
			}
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL && !safeURL(n.URL(source)) {
				autolinks = append(autolinks, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range autolinks {
		n.Parent().ReplaceChild(n.Parent(), n, ast.NewString(n.Label(source)))
	}
}

// safeURL reports whether a destination is relative or uses an allowed scheme.
func safeURL(u []byte) bool {
	// Check what the renderer will write: escapes and entities resolved.
	u = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(u)))
	s := strings.TrimLeftFunc(string(u), func(r rune) bool { return r <= ' ' })
	for i, c := range s {
		switch {
		case c == ':':
			scheme := strings.ToLower(s[:i])
			return scheme == "http" || scheme == "https" || scheme == "mailto"
		case c == '/' || c == '?' || c == '#':
			return true // no scheme: a relative URL
		}
	}
	return true
}

// sectionTitles maps each allowed "## Heading" to its section id.
var sectionTitles = map[string]string{
	"Cause":    "cause",
	"Solution": "solution",
	"See also": "see-also",
}

// rawSection is one "## Heading" and the top-level nodes below it.
type rawSection struct {
	title string
	line  int // line of the heading, in the file
	nodes []ast.Node
}

// parseBody parses a Markdown body and splits it at level-2 headings.
// lineOf turns a byte offset in body into a line of the file. Problems are
// reported through bad(line, what, fix).
func parseBody(body []byte, lineOf func(int) int, bad func(line int, what, fix string)) ([]rawSection, []entryLink) {
	doc := md.Parser().Parse(text.NewReader(body))
	if n, depth := tooDeep(doc); n != nil {
		// guardBody sees markers on one line; indentation nests too.
		what, fix := tooNested(depth)
		bad(lineOf(nodeOffset(n)), what, fix)
	}
	links := entryLinks(doc, lineOf)
	var secs []rawSection
	preamble := false
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level <= 2 {
			title := plainText(body, h)
			line := lineOf(nodeOffset(h))
			if h.Level == 1 {
				bad(line, "a level-1 heading \""+title+"\" in the body", "put the title in the front matter's title key and use \"## Cause\", \"## Solution\", \"## See also\" in the body")
				continue
			}
			secs = append(secs, rawSection{title: title, line: line})
			continue
		}
		if len(secs) == 0 {
			if !preamble {
				bad(lineOf(nodeOffset(n)), "text before the first section heading", "start the body with \"## Cause\"")
				preamble = true // one report covers the whole preamble
			}
			continue
		}
		secs[len(secs)-1].nodes = append(secs[len(secs)-1].nodes, n)
	}
	return secs, links
}

// tooDeep finds the first quote or list nested deeper than maxNesting, and
// its depth.
func tooDeep(doc ast.Node) (ast.Node, int) {
	var found ast.Node
	depth := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.Kind() {
		case ast.KindBlockquote, ast.KindList:
		default:
			return ast.WalkContinue, nil
		}
		if !entering {
			depth--
			return ast.WalkContinue, nil
		}
		if depth++; depth > maxNesting {
			found = n
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return found, depth
}

// entryLink is a link to another entry ("/errors/<id>") and its line.
type entryLink struct {
	id   string
	line int
}

// entryLinks finds the links to other entries, so Load can check they exist.
func entryLinks(doc ast.Node, lineOf func(int) int) []entryLink {
	var links []entryLink
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		l, ok := n.(*ast.Link)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		id, found := strings.CutPrefix(string(l.Destination), "/errors/")
		if !found {
			return ast.WalkContinue, nil
		}
		id, _, _ = strings.Cut(id, "#")
		block := n.Parent()
		for block != nil && block.Type() != ast.TypeBlock {
			block = block.Parent()
		}
		line := -1
		if block != nil {
			line = nodeOffset(block)
		}
		links = append(links, entryLink{id: id, line: lineOf(line)})
		return ast.WalkContinue, nil
	})
	return links
}

// nodeOffset is the byte offset where a block node starts, or -1.
func nodeOffset(n ast.Node) int {
	for c := n; c != nil; c = c.FirstChild() {
		if c.Type() == ast.TypeBlock {
			if l := c.Lines(); l != nil && l.Len() > 0 {
				return l.At(0).Start
			}
		}
		if t, ok := c.(*ast.Text); ok {
			return t.Segment.Start
		}
	}
	return -1
}

// renderHTML renders top-level nodes with the shared goldmark renderer.
func renderHTML(source []byte, nodes []ast.Node) (string, error) {
	var buf bytes.Buffer
	for _, n := range nodes {
		if err := md.Renderer().Render(&buf, source, n); err != nil {
			return "", err
		}
	}
	return buf.String(), nil
}

// renderText is the plain text of top-level nodes: the words a reader sees,
// without Markdown syntax or raw HTML; blocks end with a newline.
func renderText(source []byte, nodes []ast.Node) string {
	var b strings.Builder
	for _, n := range nodes {
		writeText(&b, source, n)
	}
	return strings.TrimSpace(b.String())
}

// plainText is the text of one node on one line (headings, link labels).
func plainText(source []byte, n ast.Node) string {
	var b strings.Builder
	writeText(&b, source, n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func writeText(b *strings.Builder, source []byte, root ast.Node) {
	// ast.Walk recurses; content files are bounded in size (maxFileSize),
	// so nesting depth is bounded too and Go stacks grow as needed.
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				v := n.Value(source)
				if !n.IsRaw() {
					v = unescape(v)
				}
				b.Write(v)
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte('\n')
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(source))
			}
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if entering {
				lines := n.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.Write(seg.Value(source))
				}
				b.WriteByte('\n')
			}
			return ast.WalkSkipChildren, nil
		default:
			if !entering && n.Type() == ast.TypeBlock {
				if s := b.String(); len(s) > 0 && s[len(s)-1] != '\n' {
					b.WriteByte('\n')
				}
			}
		}
		return ast.WalkContinue, nil
	})
}

// unescape turns Markdown text into what a reader sees, in one pass as
// goldmark's HTML writer does: "\\&amp;" is a literal "&amp;", not "&".
func unescape(v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 && bytes.IndexByte(v, '&') < 0 {
		return v
	}
	out := make([]byte, 0, len(v))
	start := 0
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && util.IsPunct(v[i+1]) {
			out = append(out, util.ResolveEntityNames(util.ResolveNumericReferences(v[start:i]))...)
			out = append(out, v[i+1])
			i++
			start = i + 1
		}
	}
	return append(out, util.ResolveEntityNames(util.ResolveNumericReferences(v[start:]))...)
}
