package content

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Markdown is the section as Markdown, made from its rendered HTML on
// demand: what the HTML shows, and nothing the HTML dropped (raw HTML, unsafe
// link destinations), so that a Markdown copy is as safe as the page. Keeping
// no Markdown source in memory keeps large catalogues small. Links to the
// site itself ("/errors/…") are made absolute with base unless base is "".
// A section loaded without HTML (corpus.Entries) becomes its plain text.
func (s Section) Markdown(base string) string {
	if s.HTML == "" {
		var paras []string
		for _, p := range strings.Split(s.Text, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				paras = append(paras, escapeText(p))
			}
		}
		return strings.Join(paras, "\n\n")
	}
	nodes, err := html.ParseFragment(strings.NewReader(s.HTML), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return escapeLines(s.Text) // x/net/html reads any input; kept for safety
	}
	w := mdWriter{base: strings.TrimRight(base, "/")}
	return trimLayout(w.blocks(nodes, false))
}

// MarkdownText is s as Markdown text that renders as s: what Markdown would
// read as syntax is escaped.
func MarkdownText(s string) string { return escapeText(s) }

// MarkdownCode is s verbatim in a Markdown code span.
func MarkdownCode(s string) string { return codeSpan(s) }

// mdWriter turns the HTML goldmark writes (no extensions, raw HTML off) back
// into CommonMark that renders to the same HTML.
type mdWriter struct{ base string }

// blocks renders a run of sibling nodes: block elements each as a block,
// consecutive inline nodes as one paragraph. tight joins blocks with one
// newline, as in a tight list item.
func (w *mdWriter) blocks(nodes []*html.Node, tight bool) string {
	var out []string
	var inline strings.Builder
	flush := func() {
		if t := trimLayout(inline.String()); t != "" {
			out = append(out, t)
		}
		inline.Reset()
	}
	for _, n := range nodes {
		if isBlock(n) {
			flush()
			if b := w.block(n); b != "" {
				out = append(out, b)
			}
			continue
		}
		inline.WriteString(w.inline(n, true))
	}
	flush()
	sep := "\n\n"
	if tight {
		sep = "\n"
	}
	return strings.Join(out, sep)
}

// trimLayout trims the spaces, tabs and newlines Markdown reads as layout
// around a block; a no-break space (&nbsp;) is text and stays.
func trimLayout(s string) string { return strings.Trim(s, " \t\r\n") }

func children(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, c)
	}
	return out
}

func isBlock(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Li,
		atom.Blockquote, atom.Pre, atom.Hr, atom.Div, atom.Table:
		return true
	}
	return false
}

func (w *mdWriter) block(n *html.Node) string {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Table:
		return trimLayout(w.inlines(children(n)))
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		level := int(n.Data[1] - '0')
		return strings.Repeat("#", level) + " " + trimLayout(w.inlines(children(n)))
	case atom.Hr:
		return "* * *"
	case atom.Pre:
		return w.code(n)
	case atom.Blockquote:
		inner := w.blocks(children(n), false)
		lines := strings.Split(inner, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight("> "+l, " ")
		}
		return strings.Join(lines, "\n")
	case atom.Ul, atom.Ol:
		return w.list(n)
	case atom.Li: // outside a list: as its content
		return w.blocks(children(n), true)
	}
	return ""
}

// list renders ul and ol. A list is loose, its items apart by a blank line,
// when any item holds a paragraph, as goldmark renders it.
func (w *mdWriter) list(n *html.Node) string {
	loose := false
	var items []*html.Node
	for _, c := range children(n) {
		if c.DataAtom == atom.Li {
			items = append(items, c)
			for _, cc := range children(c) {
				if cc.DataAtom == atom.P {
					loose = true
				}
			}
		}
	}
	num := 1
	if n.DataAtom == atom.Ol {
		if v, err := strconv.Atoi(attr(n, "start")); err == nil {
			num = v
		}
	}
	var out []string
	for _, li := range items {
		marker := "-"
		if n.DataAtom == atom.Ol {
			marker = strconv.Itoa(num) + "."
			num++
		}
		body := w.blocks(children(li), !loose)
		pad := strings.Repeat(" ", len(marker)+1)
		lines := strings.Split(body, "\n")
		for i, l := range lines {
			switch {
			case i == 0:
				lines[i] = strings.TrimRight(marker+" "+l, " ")
			case l != "":
				lines[i] = pad + l
			}
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	sep := "\n"
	if loose {
		sep = "\n\n"
	}
	return strings.Join(out, sep)
}

// code renders <pre><code> as a fenced block longer than any run of
// backticks inside.
func (w *mdWriter) code(pre *html.Node) string {
	var text strings.Builder
	lang := ""
	for _, c := range children(pre) {
		if c.DataAtom == atom.Code {
			if l, ok := strings.CutPrefix(attr(c, "class"), "language-"); ok {
				lang = l
			}
		}
		text.WriteString(textOf(c))
	}
	body := text.String()
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	if lang != "" && strings.Contains(lang, "`") {
		lang = ""
	}
	return fence + lang + "\n" + body + fence
}

func (w *mdWriter) inlines(nodes []*html.Node) string {
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(w.inline(n, false))
	}
	return b.String()
}

// inline renders one inline node. top is true for inline nodes found among
// blocks (a tight list item's text), whose surrounding newlines are layout.
func (w *mdWriter) inline(n *html.Node, top bool) string {
	switch n.Type {
	case html.TextNode:
		t := n.Data
		if top && strings.TrimSpace(t) == "" {
			return ""
		}
		return escapeText(t)
	case html.ElementNode:
	default:
		return "" // comments ("raw HTML omitted") and the like
	}
	inner := func() string { return w.inlines(children(n)) }
	switch n.DataAtom {
	case atom.Code:
		return codeSpan(textOf(n))
	case atom.Strong, atom.B:
		return "**" + inner() + "**"
	case atom.Em, atom.I:
		return "*" + inner() + "*"
	case atom.Br:
		// goldmark writes the line break's newline after <br />, as text.
		if next := n.NextSibling; next != nil && next.Type == html.TextNode && strings.HasPrefix(next.Data, "\n") {
			return "\\"
		}
		return "\\\n"
	case atom.A:
		return "[" + inner() + "](" + w.dest(attr(n, "href")) + title(attr(n, "title")) + ")"
	case atom.Img:
		return "![" + escapeText(attr(n, "alt")) + "](" + w.dest(attr(n, "src")) + title(attr(n, "title")) + ")"
	}
	return inner()
}

// dest is a link destination, absolute when it points into the site.
func (w *mdWriter) dest(u string) string {
	if w.base != "" && strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		u = w.base + u
	}
	if u == "" || strings.ContainsAny(u, " ()<>\\") {
		return "<" + strings.NewReplacer("\\", "\\\\", "<", "\\<", ">", "\\>").Replace(u) + ">"
	}
	return u
}

func title(t string) string {
	if t == "" {
		return ""
	}
	return ` "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t) + `"`
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// codeSpan wraps s in enough backticks, padded where CommonMark would
// otherwise strip or merge them.
func codeSpan(s string) string {
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		(len(s) > 1 && s[0] == ' ' && s[len(s)-1] == ' ' && strings.TrimSpace(s) != "") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

var (
	// entityRE is text that CommonMark would read as a character reference.
	entityRE = regexp.MustCompile(`&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)
	// lineStartRE is what starts a block at the beginning of a line:
	// headings, quotes, list markers, fences, thematic breaks and setext
	// underlines.
	lineStartRE = regexp.MustCompile(`^(?:#{1,6}(?:[ \t]|$)|>|[-+*](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)|~~~|=+[ \t]*$|-+[ \t]*$|(?:[-*_][ \t]*){3,}$)`)
)

// escapeText escapes what Markdown would read as syntax in text: emphasis,
// code, links, HTML, references, and block markers at the start of a line.
// An underscore inside a word (invalid_grant) is left as it is: CommonMark
// never reads it as emphasis.
func escapeText(t string) string {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch c {
		case '\\', '`', '*', '[', ']', '<':
			b.WriteByte('\\')
		case '_':
			if i == 0 || i == len(t)-1 || !isWordByte(t[i-1]) || !isWordByte(t[i+1]) {
				b.WriteByte('\\')
			}
		case '&':
			if loc := entityRE.FindStringIndex(t[i:min(len(t), i+40)]); loc != nil && loc[0] == 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return escapeLines(b.String())
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// escapeLines escapes a block marker at the start of each line of t.
func escapeLines(t string) string {
	lines := strings.Split(t, "\n")
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " \t")
		loc := lineStartRE.FindStringIndex(trimmed)
		if loc == nil {
			continue
		}
		lead := l[:len(l)-len(trimmed)]
		// Escape the marker's last punctuation for ordered lists ("1\."),
		// its first character otherwise.
		if trimmed[0] >= '0' && trimmed[0] <= '9' {
			k := strings.IndexAny(trimmed, ".)")
			lines[i] = lead + trimmed[:k] + "\\" + trimmed[k:]
			continue
		}
		lines[i] = lead + "\\" + trimmed
	}
	return strings.Join(lines, "\n")
}
