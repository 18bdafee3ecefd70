package corpus

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// The sources write their text as Markdown, with some HTML in it: Twilio
// wraps parameter names in <span class='rest-attribute'>, Microsoft's
// tables break lines with <br />, and list items with <li>. An entry shows
// what the source meant, never its markup: sourceMarkdown keeps the
// Markdown, turns the HTML into the Markdown that means the same, and keeps
// text that only looks like a tag (TwiML's <Dial>, placeholders such as
// <conversation sid>) as text. Code spans and fenced code blocks are left
// exactly as written.

// sourceMarkdown is text as Markdown an entry section can hold. base is the
// address relative links of the source are relative to; without one, a
// relative link keeps its words and loses its target, which is not on this
// site.
func sourceMarkdown(text, base string) string {
	return strings.TrimSpace(outsideFences(text, func(prose string) string {
		return blockFixes(mapOutsideCode(unflatten(prose), func(s string) string {
			return resolveLinks(htmlToMarkdown(s), base)
		}))
	}))
}

// outsideFences applies f to the runs of lines of text outside fenced code
// blocks, which hold text as written; a fence the text leaves open is
// closed.
func outsideFences(text string, f func(string) string) string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var out []string
	var prose []string
	flush := func() {
		if len(prose) > 0 {
			out = append(out, f(strings.Join(prose, "\n")))
			prose = nil
		}
	}
	fence := ""
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimLeft(line, " ")
		switch {
		case fence != "":
			out = append(out, line)
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]+" \t") == "" {
				fence = ""
			}
		case len(line)-len(t) < 4 && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			flush()
			fence = t[:3]
			out = append(out, line)
		default:
			prose = append(prose, line)
		}
	}
	flush()
	if fence != "" {
		out = append(out, fence) // close what the source left open
	}
	return strings.Join(out, "\n")
}

var (
	inlineHeadingRE = regexp.MustCompile(`(\S)[ \t]+(#{2,6}[ \t])`)
	inlineItemRE    = regexp.MustCompile(`[ \t]{2,}([*-][ \t]{2,})(\S)`)
)

// unflatten puts back the line breaks some of Twilio's texts lost, which
// left headings and list items in the middle of a line ("… is invalid. ##
// Error - 11100", "Causes  *   Server misconfiguration *   Network"):
// Markdown would show their marks as text.
func unflatten(text string) string {
	if !strings.Contains(text, "#") && !strings.Contains(text, "   ") {
		return text
	}
	return mapOutsideCode(text, func(s string) string {
		return inlineItemRE.ReplaceAllString(inlineHeadingRE.ReplaceAllString(s, "$1\n\n$2"), "\n$1$2")
	})
}

// plainText is text as one plain string, as a title or a message shows it:
// HTML tags and code-span backticks go, their words stay, and lines join.
func plainText(text string) string {
	text = mapOutsideCode(text, func(s string) string {
		s = htmlToMarkdown(s)
		s = strings.ReplaceAll(s, brMark, " ")
		return strings.ReplaceAll(s, `\<`, "<")
	})
	text = codeSpanRE.ReplaceAllString(text, "$2")
	text = strongRE.ReplaceAllString(text, "$1")
	text = mdLinkRE.ReplaceAllString(text, "$1")
	return strings.Join(strings.Fields(text), " ")
}

var (
	codeSpanRE = regexp.MustCompile("(`+)([^`]|[^`][\\s\\S]*?[^`])(?:`+)")
	strongRE   = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
)

// mapOutsideCode applies f to the parts of Markdown text outside its code
// spans, which hold text as written.
func mapOutsideCode(text string, f func(string) string) string {
	var b strings.Builder
	start := 0
	for i := 0; i < len(text); {
		if text[i] != '`' || (i > 0 && text[i-1] == '\\') {
			i++
			continue
		}
		n := 0
		for i+n < len(text) && text[i+n] == '`' {
			n++
		}
		end := closingTicks(text, i+n, n)
		if end < 0 {
			i += n
			continue
		}
		b.WriteString(f(text[start:i]))
		b.WriteString(text[i : end+n])
		i = end + n
		start = i
	}
	b.WriteString(f(text[start:]))
	return b.String()
}

// closingTicks finds the run of exactly n backticks that closes a code
// span opened before from, -1 when none does before a blank line.
func closingTicks(text string, from, n int) int {
	for i := from; i < len(text); {
		if text[i] == '\n' && strings.TrimSpace(lineAt(text, i+1)) == "" {
			return -1
		}
		if text[i] != '`' {
			i++
			continue
		}
		k := 0
		for i+k < len(text) && text[i+k] == '`' {
			k++
		}
		if k == n {
			return i
		}
		i += k
	}
	return -1
}

func lineAt(text string, i int) string {
	if i >= len(text) {
		return ""
	}
	l, _, _ := strings.Cut(text[i:], "\n")
	return l
}

// brMark stands for a <br> until the line breaks are written.
const brMark = "\x00br\x00"

var (
	commentRE  = regexp.MustCompile(`(?s)<!--.*?-->`)
	droppedRE  = regexp.MustCompile(`(?is)<(script|style|iframe|object)\b.*?</(script|style|iframe|object)\s*>`)
	tagRE      = regexp.MustCompile(`<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*?)?)\s*(/?)>`)
	hrefRE     = regexp.MustCompile(`(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
	altRE      = regexp.MustCompile(`(?i)\balt\s*=\s*(?:"([^"]*)"|'([^']*)')`)
	autolinkRE = regexp.MustCompile(`^<(?:https?|mailto):[^\s<>]*>`)
)

// htmlTags are the elements a source's HTML is read as. Only tags written
// in lower case count: TwiML's <Dial> and <Number> are words of the text.
var htmlTags = map[string]string{
	"span": "", "font": "", "u": "", "small": "", "sup": "", "sub": "", "div": "\n\n", "p": "\n\n",
	"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`", "br": brMark, "a": "",
	"ul": "\n\n", "ol": "\n\n", "li": "", "img": "", "hr": "\n\n* * *\n\n",
	"table": "\n\n", "thead": "", "tbody": "", "tr": "\n", "td": " ", "th": " ", "pre": "\n\n", "blockquote": "\n\n",
	"h1": "\n\n", "h2": "\n\n", "h3": "\n\n", "h4": "\n\n", "h5": "\n\n", "h6": "\n\n",
}

// htmlToMarkdown turns the HTML in prose into Markdown, and escapes what
// only looks like a tag so that it shows as written.
func htmlToMarkdown(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	s = commentRE.ReplaceAllString(s, "")
	s = droppedRE.ReplaceAllString(s, "")
	var b strings.Builder
	var hrefs []string // open <a> elements' targets
	var spans []string // what each open <span> closes with
	ordered := []bool{}
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		if m := autolinkRE.FindString(s); m != "" {
			b.WriteString(m)
			s = s[len(m):]
			continue
		}
		loc := tagRE.FindStringSubmatchIndex(s)
		if loc == nil || loc[0] != 0 {
			b.WriteString(`\<`)
			s = s[1:]
			continue
		}
		tag := s[:loc[1]]
		closing, name, attrs := s[loc[2]:loc[3]] == "/", s[loc[4]:loc[5]], s[loc[6]:loc[7]]
		s = s[loc[1]:]
		md, known := htmlTags[name]
		if !known {
			b.WriteString(`\` + tag) // words in angle brackets: keep them
			continue
		}
		switch name {
		case "span":
			// Twilio marks parameter names as <span class='rest-attribute'>:
			// code, as its newer text writes them.
			if closing {
				if n := len(spans); n > 0 {
					b.WriteString(spans[n-1])
					spans = spans[:n-1]
				}
				continue
			}
			md := ""
			if strings.Contains(attrs, "rest-attribute") {
				md = "`"
			}
			spans = append(spans, md)
			b.WriteString(md)
		case "a":
			if closing {
				if n := len(hrefs); n > 0 {
					if hrefs[n-1] != "" {
						b.WriteString("](" + linkDest(hrefs[n-1]) + ")")
					}
					hrefs = hrefs[:n-1]
				}
				continue
			}
			href := attrValue(hrefRE, attrs)
			hrefs = append(hrefs, href)
			if href != "" {
				b.WriteString("[")
			}
		case "li":
			if !closing {
				marker := "- "
				if n := len(ordered); n > 0 && ordered[n-1] {
					marker = "1. "
				}
				b.WriteString("\n" + marker)
			}
		case "ul", "ol":
			if closing && len(ordered) > 0 {
				ordered = ordered[:len(ordered)-1]
			} else if !closing {
				ordered = append(ordered, name == "ol")
			}
			b.WriteString(md)
		case "img":
			b.WriteString(attrValue(altRE, attrs))
		case "h1", "h2", "h3", "h4", "h5", "h6":
			if closing {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n\n### ")
			}
		default:
			b.WriteString(md)
		}
	}
	return lineBreaks(b.String())
}

func attrValue(re *regexp.Regexp, attrs string) string {
	m := re.FindStringSubmatch(attrs)
	for _, v := range m[min(1, len(m)):] {
		if v != "" {
			return v
		}
	}
	return ""
}

// linkDest is a link target as Markdown reads it.
func linkDest(u string) string {
	if strings.ContainsAny(u, " ()<>") {
		return "<" + strings.NewReplacer("<", "%3C", ">", "%3E").Replace(u) + ">"
	}
	return u
}

var (
	brRunRE    = regexp.MustCompile(`[ \t]*` + brMark + `(?:[ \t\n]*` + brMark + `)+[ \t]*`)
	brItemRE   = regexp.MustCompile(`[ \t]*` + brMark + `[ \t]*([-*+] |[0-9]{1,9}[.)] )`)
	brEndRE    = regexp.MustCompile(`[ \t]*` + brMark + `[ \t]*(\n|$)`)
	brSingleRE = regexp.MustCompile(`[ \t]*` + brMark + `[ \t]*`)
)

// lineBreaks writes each <br>: two or more in a row end a paragraph, one
// before a list marker starts the item's line, one at a line's end is
// nothing, any other is a line break.
func lineBreaks(s string) string {
	if !strings.Contains(s, brMark) {
		return s
	}
	s = brRunRE.ReplaceAllString(s, "\n\n")
	s = brItemRE.ReplaceAllString(s, "\n$1")
	s = brEndRE.ReplaceAllString(s, "$1")
	return brSingleRE.ReplaceAllString(s, "\\\n")
}

var mdLinkRE = regexp.MustCompile(`\[([^\[\]]*)\]\(\s*(<[^<>\n]*>|[^()\s]*)((?:\s+"[^"\n]*")?)\s*\)`)

// resolveLinks makes every relative link target absolute against base: on
// this site it would point nowhere. A relative link to a .md file names the
// page its docs site made of it. Without a base the link keeps its words.
func resolveLinks(s, base string) string {
	if !strings.Contains(s, "](") && !strings.Contains(s, "]:") {
		return s
	}
	b, _ := url.Parse(base)
	// Reference definitions ("[ref]: /docs/x") have no words to fall back
	// on: without a base they keep their target.
	s = refDefRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := refDefRE.FindStringSubmatch(m)
		if u := absolute(b, strings.Trim(sub[2], "<>")); u != "" {
			return sub[1] + linkDest(u)
		}
		return m
	})
	return mdLinkRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLinkRE.FindStringSubmatch(m)
		words, dest, title := sub[1], strings.Trim(sub[2], "<>"), sub[3]
		u, err := url.Parse(dest)
		switch {
		case err != nil || dest == "":
			return words
		case u.IsAbs() || strings.HasPrefix(dest, "#") && base == "":
			return m
		case base == "" || b == nil || !b.IsAbs():
			return words
		}
		return "[" + words + "](" + linkDest(absolute(b, dest)) + title + ")"
	})
}

// absolute is the relative target dest resolved against base, "" when
// dest is absolute already or there is no base to resolve it with.
func absolute(base *url.URL, dest string) string {
	u, err := url.Parse(dest)
	if err != nil || u.IsAbs() || base == nil || !base.IsAbs() || strings.HasPrefix(dest, "#") {
		return ""
	}
	abs := base.ResolveReference(u)
	if strings.HasSuffix(abs.Path, ".md") {
		abs.Path = strings.TrimSuffix(abs.Path, ".md")
		abs.RawPath = ""
	}
	if path.Base(abs.Path) == "index" {
		abs.Path = path.Dir(abs.Path) + "/"
	}
	return abs.String()
}

var (
	refDefRE = regexp.MustCompile(`(?m)^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^<>\n]*>|\S+)`)
	atxRE    = regexp.MustCompile(`^( {0,3})(#{1,6})([ \t]+|$)`)
	setextRE = regexp.MustCompile(`^ {0,3}(=+|-+)[ \t]*$`)
)

// blockFixes keeps prose inside the entry section it goes to: a heading of
// level 1 or 2 would end the section (or be refused), so headings become
// level-3 sub-headings, and a line of = or - under a paragraph, which would
// make that paragraph a heading, is kept as text.
func blockFixes(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if m := atxRE.FindStringSubmatch(l); m != nil && len(m[2]) < 3 {
			lines[i] = m[1] + "###" + l[len(m[1])+len(m[2]):]
			if strings.TrimSpace(lines[i]) == "###" {
				lines[i] = ""
			}
			continue
		}
		if i > 0 && setextRE.MatchString(l) && strings.TrimSpace(lines[i-1]) != "" {
			lines[i] = `\` + strings.TrimLeft(l, " ")
		}
	}
	return strings.Join(lines, "\n")
}
