package corpus

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
)

// Draft is the entry errata import writes for one record, or for the
// records that give one provider's code more than once (Exchange's
// reference describes ErrorMailboxFailover twice): those are one error, so
// they make one entry, named after the first, whose Cause holds what each
// says. Cause and Solution are Markdown.
type Draft struct {
	Records  []*Record // the first names the entry
	ID       string    // the slug of the first's id, numbered when two ids make one slug ("x", "x-2")
	Title    string
	Status   *int
	Codes    []string // the record's code; none when the record has none
	Provider string   // a slug of the providers; "" for every provider
	Messages []string // what a client receives: the records' messages fields
	Aliases  []string // a code that is not one word, kept for searching
	Source   content.Source
	Cause    string
	Solution string
}

// Drafts turns records into the entries an import writes, in the order of
// the records, with the providers their provider fields must name (by slug
// or by name, in any case; blank for every provider). Records that cannot
// be imported are problems naming their line, with the file that declares
// providers.
func Drafts(recs []Record, providers *content.Providers) ([]*Draft, content.Problems) {
	var out []*Draft
	var ps content.Problems
	byCode := map[[2]string]*Draft{} // provider, lower-cased code → its draft
	firstAt := map[string]int{}      // record id → its index
	for i := range recs {
		r := &recs[i]
		if prev, dup := firstAt[r.ID]; dup {
			file, line := recordAt(r, i)
			pfile, pline := recordAt(&recs[prev], prev)
			also := fmt.Sprintf("%s:%d", pfile, pline)
			if pfile == file {
				also = fmt.Sprintf("line %d", pline)
			}
			ps = append(ps, content.Problem{File: file, Line: line, Message: fmt.Sprintf("duplicate id %q, also on %s", r.ID, also),
				Fix: "give each record its own id, or delete the repeated line"})
			continue
		}
		firstAt[r.ID] = i
		slug, ok := providerSlug(providers, r.Provider)
		if !ok {
			file, line := recordAt(r, i)
			ps = append(ps, content.Problem{File: file, Line: line,
				Message: fmt.Sprintf("provider %q is not declared in %s", clip(r.Provider), providers.File),
				Fix:     fmt.Sprintf("declare it in a providers.yaml beside the entries (start from a copy of content/providers.yaml), use one of %s, or leave provider empty for an error of every provider", strings.Join(providers.Slugs(), ", "))})
			continue
		}
		code := strings.TrimSpace(r.Code)
		key := [2]string{slug, strings.ToLower(code)}
		if d, same := byCode[key]; same && content.IsCode(code) {
			d.Records = append(d.Records, r)
			continue
		}
		d := &Draft{Records: []*Record{r}, Provider: slug}
		if content.IsCode(code) {
			d.Codes = []string{code}
			byCode[key] = d
		} else if code != "" {
			d.Aliases = []string{code}
		}
		out = append(out, d)
	}
	ids := newIDs(len(out))
	for _, d := range out {
		d.ID = ids.take(content.Slugify(d.Records[0].ID))
		d.fill(providers)
	}
	return out, ps
}

// providerSlug finds the provider a record names, by slug or by name.
func providerSlug(providers *content.Providers, name string) (string, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", true
	}
	for _, p := range providers.List() {
		if strings.EqualFold(p.Slug, name) || strings.EqualFold(p.Name, name) {
			return p.Slug, true
		}
	}
	return "", false
}

// recordAt is where a record was read, for problems: its file and line, or
// its place among records built in code.
func recordAt(r *Record, i int) (string, int) {
	if r.File == "" {
		return "record", i + 1
	}
	return r.File, r.Line
}

// fill makes the entry's text from its records.
func (d *Draft) fill(providers *content.Providers) {
	first := d.Records[0]
	d.Title = plainText(first.Title)
	d.Status = first.Status
	ref := content.Reference{}
	if p, ok := providers.Get(d.Provider); ok {
		ref = p.Reference
	}
	d.Source = recordSource(first, ref, providers.Name(d.Provider), strings.Join(d.Codes, ""))
	base := ref.URL
	if base == "" {
		base = d.Source.URL
	}
	var causes, solutions, extras []string
	for _, r := range d.Records {
		for _, m := range r.Messages {
			if m = plainText(m); m != "" && !contains(d.Messages, m) {
				d.Messages = append(d.Messages, m)
			}
		}
		c, s := causeSolution(r)
		desc, more := bodyParts(r)
		// The record's message is its source's description of the error:
		// it explains, so it leads the Cause (a client never receives it).
		cause := sourceMarkdown(c, base)
		msg, _ := bodyParts(&Record{Title: r.Title, Body: given(r.Message)}) // a message may hold a whole body
		for _, t := range []string{msg, desc} {
			for _, para := range paragraphs(sourceMarkdown(t, base)) {
				if !sameWords(para, r.Title) && !containsWords([]string{cause}, para) {
					causes = addText(causes, para)
				}
			}
		}
		causes = addText(causes, cause)
		solutions = addText(solutions, sourceMarkdown(s, base))
		for _, x := range more {
			if md := sourceMarkdown(x, base); md != "" {
				extras = append(extras, md)
			}
		}
	}
	d.Cause = strings.Join(causes, "\n\n")
	d.Solution = strings.Join(append(solutions, extras...), "\n\n")
	who := "The source"
	if d.Source.Name != "" {
		who = upperFirst(d.Source.Name)
	}
	if d.Cause == "" {
		d.Cause = content.MarkdownText(who + " gives no cause for this error.")
	}
	if solutions == nil {
		note := content.MarkdownText(who + " gives no solution for this error.")
		d.Solution = strings.TrimSpace(note + "\n\n" + d.Solution)
	}
}

// recordSource is where an entry came from: the provider's reference and
// the error's page in it, else the record's own source, a web address or a
// GitHub file ("owner/repo@commit:path").
func recordSource(r *Record, ref content.Reference, provider, code string) content.Source {
	if ref.Name != "" {
		return content.Source{Name: ref.Name, URL: ref.PageURL(code)}
	}
	src := strings.TrimSpace(r.Source)
	switch m := githubSourceRE.FindStringSubmatch(src); {
	case src == "":
		return content.Source{}
	case strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://"):
		return content.Source{Name: provider + "'s documentation", URL: src}
	case m != nil:
		return content.Source{Name: m[1] + " on GitHub", URL: "https://github.com/" + m[1] + "/blob/" + m[2] + "/" + m[3]}
	}
	return content.Source{Name: plainText(src)}
}

var githubSourceRE = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@([0-9a-f]{7,40}):([^\s]+)$`)

// paragraphs splits Markdown at blank lines outside fenced code, so that
// a description repeated in part is kept once.
func paragraphs(md string) []string {
	var out []string
	var cur []string
	fence := ""
	for _, l := range strings.Split(md, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case fence != "":
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fence = t[:3]
		case t == "":
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, "\n"))
				cur = nil
			}
			continue
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

// bodyParts reads a body written as Twilio's are ("## ERROR - 21211",
// "### <title>", its description, "#### Possible Causes", …): the
// description, and the text under any other heading ("#### Example") as a
// sub-section. A body without headings is a description, less the title
// that Microsoft's tables put before it ("InvalidUserNameOrPassword - …").
func bodyParts(r *Record) (desc string, more []string) {
	body := outsideFences(given(r.Body), unflatten)
	if !headingLineRE.MatchString(body) {
		if rest, ok := strings.CutPrefix(body, strings.TrimSpace(r.Title)); ok {
			body = strings.TrimPrefix(strings.TrimSpace(rest), "- ")
		}
		return body, nil
	}
	var parts [][]string // parts[0] the description, then one per other heading
	parts = append(parts, nil)
	cur := 0 // the part being read; -1 skips
	for l := range strings.Lines(body) {
		t := strings.TrimSpace(l)
		if m := headingRE.FindStringSubmatch(t); m != nil {
			h := strings.TrimSpace(m[1])
			switch {
			case h == "" && len(parts) == 1, sameWords(h, r.Title):
				cur = 0 // the title heading, or an empty one: the description follows
			case sectionKind(h) != "" || errorHeadRE.MatchString(h):
				cur = -1
			case len(parts) == 1 && strings.TrimSpace(strings.Join(parts[0], "")) == "":
				if h != "" && !sameWords(h, r.Title) {
					parts[0] = append(parts[0], h, "") // a title of its own says what the error is
				}
				cur = 0
			default:
				parts = append(parts, []string{"### " + h, ""})
				cur = len(parts) - 1
			}
			continue
		}
		if cur >= 0 {
			parts[cur] = append(parts[cur], strings.TrimRight(l, "\n"))
		}
	}
	for _, p := range parts[1:] {
		if text := strings.TrimSpace(strings.Join(p[1:], "\n")); text != "" {
			more = append(more, p[0]+"\n\n"+text)
		} else { // a heading alone says something too
			parts[0] = append(parts[0], "", strings.TrimPrefix(p[0], "### "))
		}
	}
	return strings.TrimSpace(strings.Join(parts[0], "\n")), more
}

var (
	headingLineRE = regexp.MustCompile(`(?m)^[ \t]{0,3}#{1,6}(?:[ \t]|$)`)
	headingRE     = regexp.MustCompile(`^#{1,6}(?:[ \t]+(.*?))?[ \t#]*$`)
	errorHeadRE   = regexp.MustCompile(`(?i)^(?:error|warning)?\s*-?\s*[0-9]*$`) // "ERROR - 21211", "Warning", "- 45357"
)

// sectionKind says whether a body heading heads the causes or the
// solutions ("Possible Causes", "Possible solution:", "Causes"), else "".
func sectionKind(h string) string {
	h = strings.ToLower(strings.TrimRight(strings.TrimSpace(h), ":"))
	h = strings.TrimPrefix(h, "possible ")
	switch h {
	case "cause", "causes":
		return "cause"
	case "solution", "solutions":
		return "solution"
	}
	return ""
}

// sameWords reports whether a and b are the same text once markup and
// spacing are set aside.
func sameWords(a, b string) bool { return strings.EqualFold(plainText(a), plainText(b)) }

// addText adds md to texts unless one of them already says it, and drops
// those that md says in full.
func addText(texts []string, md string) []string {
	if strings.TrimSpace(plainText(md)) == "" || containsWords(texts, md) {
		return texts
	}
	out := texts[:0]
	for _, t := range texts {
		if !containsWords([]string{md}, t) {
			out = append(out, t)
		}
	}
	return append(out, md)
}

// containsWords reports whether one of texts already says all of t, its
// words and the targets of its links.
func containsWords(texts []string, t string) bool {
	w := strings.ToLower(plainText(t))
	for _, x := range texts {
		if strings.Contains(strings.ToLower(plainText(x)), w) && hasLinks(x, t) {
			return true
		}
	}
	return false
}

// hasLinks reports whether Markdown x links to every target t links to.
func hasLinks(x, t string) bool {
	for _, m := range mdLinkRE.FindAllStringSubmatch(t, -1) {
		if !strings.Contains(x, "]("+m[2]) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// bytes is the Markdown entry file of the draft, named id; imported is the
// date it is written with.
func (d *Draft) bytes(id, imported string) []byte {
	var b bytes.Buffer
	status := "none"
	if d.Status != nil {
		status = strconv.Itoa(*d.Status)
	}
	fmt.Fprintf(&b, "---\n%s\nid: %s\nstatus: %s\ntitle: %s\n", Marker, id, status, quote(d.Title))
	writeList(&b, "codes", d.Codes)
	if d.Provider != "" {
		fmt.Fprintf(&b, "providers: [%s]\n", d.Provider)
	}
	writeList(&b, "messages", d.Messages)
	writeList(&b, "aliases", d.Aliases)
	if d.Source.Name != "" {
		fmt.Fprintf(&b, "source:\n  name: %s\n", quote(d.Source.Name))
		if d.Source.URL != "" {
			fmt.Fprintf(&b, "  url: %s\n", quote(d.Source.URL))
		}
	}
	fmt.Fprintf(&b, "imported: %s\n---\n\n## Cause\n\n%s\n\n## Solution\n\n%s\n", imported, d.Cause, d.Solution)
	return b.Bytes()
}

func writeList(b *bytes.Buffer, key string, items []string) {
	if len(items) == 0 {
		return
	}
	b.WriteString(key + ":\n")
	for _, it := range items {
		fmt.Fprintf(b, "  - %s\n", quote(it))
	}
}
