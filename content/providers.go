package content

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// ProvidersFile is the name of the providers list: content/providers.yaml
// is built in, and a content folder may bring its own beside its entries.
const ProvidersFile = "providers.yaml"

// MaxProviders bounds the providers of one catalogue: the index keeps each
// entry's providers as bits of one word.
const MaxProviders = 32

//go:embed providers.yaml
var builtinProvidersYAML []byte

// Provider is one provider entries may name, as providers.yaml declares it.
type Provider struct {
	Slug     string   // what entries write: "microsoft-graph"
	Name     string   // what people see: "Microsoft Graph"
	Parent   string   // slug of the provider it belongs to, "" for none
	Homepage string   // its developer site, "" when not given
	Hosts    []string // host names that identify its errors: "graph.microsoft.com"
	SDKs     []string // its SDKs and the exceptions they throw: "MsalServiceException"
	Words    []string // other words people type for it: "google" for Gmail
	Marks    []string // what only its answers hold, as written: "Twilio-Request-Id"
	// StatusCode is the code its catalogue gives a bare HTTP status of its
	// API, with {status}: "20{status}" (Twilio's 20429 is its 429).
	StatusCode string
	Reference  Reference // the catalogue of its errors, if declared
}

// Reference is a provider's own catalogue of its errors.
type Reference struct {
	Name string // "Twilio's error dictionary"
	URL  string // the catalogue's address
	Page string // one error's page with {code} in it, "" when errors have no page of their own
}

// PageURL is the address of the page of code, or the catalogue's address
// when errors have no page of their own.
func (r Reference) PageURL(code string) string {
	if r.Page != "" && code != "" {
		return strings.ReplaceAll(r.Page, "{code}", url.PathEscape(code))
	}
	return r.URL
}

// Providers is the list of providers of one catalogue, in the order
// providers.yaml declares them. The zero value knows no provider.
type Providers struct {
	list   []Provider
	bySlug map[string]int
	File   string // where the list was read, for problems: "providers.yaml", "content/x/providers.yaml"
}

// NewProviders makes a list from providers already checked (a saved index
// keeps them): a repeated slug keeps its first declaration.
func NewProviders(file string, list []Provider) *Providers {
	p := &Providers{bySlug: make(map[string]int, len(list)), File: file}
	for _, pr := range list {
		if _, dup := p.bySlug[pr.Slug]; !dup {
			p.bySlug[pr.Slug] = len(p.list)
			p.list = append(p.list, pr)
		}
	}
	return p
}

// BuiltinProviders is content/providers.yaml, built in. Its tests keep it
// free of problems.
var BuiltinProviders = sync.OnceValue(func() *Providers {
	p, ps := ParseProviders("content/providers.yaml", builtinProvidersYAML)
	if len(ps) > 0 {
		panic("content: the built-in providers.yaml has problems:\n" + ps.Error())
	}
	return p
})

// List is every provider in declaration order. The slice is shared.
func (p *Providers) List() []Provider {
	if p == nil {
		return nil
	}
	return p.list
}

// Get is the provider of slug.
func (p *Providers) Get(slug string) (Provider, bool) {
	if p == nil {
		return Provider{}, false
	}
	i, ok := p.bySlug[slug]
	if !ok {
		return Provider{}, false
	}
	return p.list[i], true
}

// Known reports whether entries may name slug.
func (p *Providers) Known(slug string) bool {
	_, ok := p.Get(slug)
	return ok
}

// Name is the display name of slug ("gmail" → "Gmail"), slug itself when
// unknown.
func (p *Providers) Name(slug string) string {
	if pr, ok := p.Get(slug); ok {
		return pr.Name
	}
	return slug
}

// Slugs lists every slug in declaration order.
func (p *Providers) Slugs() []string {
	out := make([]string, 0, len(p.List()))
	for _, pr := range p.List() {
		out = append(out, pr.Slug)
	}
	return out
}

// Parent is the slug of slug's parent, "" for none.
func (p *Providers) Parent(slug string) string {
	pr, _ := p.Get(slug)
	return pr.Parent
}

// Children are the slugs whose parent is slug, in declaration order.
func (p *Providers) Children(slug string) []string {
	var out []string
	for _, pr := range p.List() {
		if pr.Parent == slug && slug != "" {
			out = append(out, pr.Slug)
		}
	}
	return out
}

// WithChildren is slugs and the children of each, each slug once: what a
// filter by those providers admits.
func (p *Providers) WithChildren(slugs []string) []string {
	out := slices.Clone(slugs)
	for _, s := range slugs {
		for _, c := range p.Children(s) {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// LoadProviders reads providers.yaml at the root of fsys; name turns its
// path into the name problems show. Without one, the built-in list applies.
func LoadProviders(fsys fs.FS, name func(string) string) (*Providers, Problems) {
	data, err := readLimited(fsys, ProvidersFile)
	switch {
	case err == nil:
		return ParseProviders(name(ProvidersFile), data)
	case errors.Is(err, fs.ErrNotExist):
		return BuiltinProviders(), nil
	case errors.Is(err, errTooBig):
		return nil, Problems{{name(ProvidersFile), 1, fmt.Sprintf("file is over the %d KiB limit", MaxFileSize>>10), "declare each provider in a few lines: slug, name, parent, homepage, hosts, sdks, words, marks, status_code"}}
	default:
		return nil, Problems{{name(ProvidersFile), 1, "cannot read the providers list: " + err.Error(), "make it a readable YAML file, or remove it to use the built-in list"}}
	}
}

// Bounds of a provider's mark, in bytes.
const (
	minMarkLen = 5
	maxMarkLen = 100
)

// isWord reports whether w is letters and digits only, at least one.
func isWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// The keys of one provider in providers.yaml.
var (
	providerKeys    = []string{"slug", "name", "parent", "homepage", "hosts", "sdks", "words", "marks", "status_code", "reference"}
	referenceKeys   = []string{"name", "url", "page"}
	providerExample = "- slug: sendgrid\n  name: SendGrid\n  hosts: [api.sendgrid.com]"
	hostRE          = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
)

// ParseProviders reads a providers.yaml, strictly: every problem of the file
// in one pass, each at its line. file names the file in problems. With any
// problem the list returned is nil.
func ParseProviders(file string, data []byte) (*Providers, Problems) {
	var ps Problems
	bad := func(line int, what, fix string) { ps = append(ps, Problem{file, line, what, fix}) }
	at := func(n ast.Node) int { return n.GetToken().Position.Line }
	doc, err := parser.ParseBytes(data, 0)
	if err != nil {
		line, msg := yamlErrorAt(err, 1)
		bad(line, "providers list is not valid YAML: "+msg, "write one \"- slug: …\" item per provider, its keys indented below it")
		return nil, ps
	}
	var items []ast.Node
	if len(doc.Docs) > 0 && doc.Docs[0].Body != nil {
		seq, ok := doc.Docs[0].Body.(*ast.SequenceNode)
		if !ok {
			bad(at(doc.Docs[0].Body), "the providers list is not a list", "write one item per provider:\n"+providerExample)
			return nil, ps
		}
		items = seq.Values
	}
	if len(items) == 0 {
		bad(1, "the providers list declares no provider", "declare at least one:\n"+providerExample)
		return nil, ps
	}
	var list []Provider
	lines := map[string]int{}       // slug → line of its declaration
	parentLines := map[string]int{} // slug → line of its parent key
	for _, item := range items {
		pr, parentLine, ok := parseProvider(item, at, bad)
		if !ok {
			continue
		}
		if first, dup := lines[pr.Slug]; dup {
			bad(at(item), fmt.Sprintf("provider %q is declared twice (first on line %d)", pr.Slug, first), "keep one declaration of it")
			continue
		}
		lines[pr.Slug] = at(item)
		parentLines[pr.Slug] = parentLine
		list = append(list, pr)
	}
	byParent := map[string]Provider{}
	for _, pr := range list {
		byParent[pr.Slug] = pr
	}
	for _, pr := range list {
		if pr.Parent == "" {
			continue
		}
		parent, ok := byParent[pr.Parent]
		switch {
		case pr.Parent == pr.Slug:
			bad(parentLines[pr.Slug], fmt.Sprintf("provider %q is its own parent", pr.Slug), "remove its parent key")
		case !ok:
			bad(parentLines[pr.Slug], fmt.Sprintf("parent %q of %q is not declared", pr.Parent, pr.Slug), "declare the parent as a provider of its own, or remove the parent key")
		case parent.Parent != "":
			bad(parentLines[pr.Slug], fmt.Sprintf("parent %q of %q has a parent of its own (%q)", pr.Parent, pr.Slug, parent.Parent), fmt.Sprintf("give %q the parent %q: providers nest one level deep", pr.Slug, parent.Parent))
		}
	}
	if len(list) > MaxProviders {
		bad(at(items[MaxProviders]), fmt.Sprintf("%d providers are declared; a catalogue has at most %d", len(list), MaxProviders), "merge providers that are one, or serve their entries from two catalogues")
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return NewProviders(file, list), nil
}

// parseProvider reads one item of providers.yaml. It returns the line of
// its parent key, and false when the provider cannot be used (no slug).
func parseProvider(item ast.Node, at func(ast.Node) int, bad func(int, string, string)) (Provider, int, bool) {
	var pr Provider
	pairs, ok := mappingPairs(item)
	if !ok {
		bad(at(item), "a provider is not a set of \"key: value\" lines", "write it as:\n"+providerExample)
		return pr, 0, false
	}
	seen := map[string]int{}
	parentLine := 0
	for _, kv := range pairs {
		key, line := kv.Key.GetToken().Value, at(kv.Key)
		if prev, dup := seen[key]; dup {
			bad(line, fmt.Sprintf("key %q appears twice (first on line %d)", key, prev), "keep one of them")
			continue
		}
		seen[key] = line
		text := func() string {
			s, ok := scalar(kv.Value)
			if !ok || strings.TrimSpace(s) == "" {
				bad(line, key+" is empty or not text", "write it on the same line: "+key+": …")
				return ""
			}
			return strings.TrimSpace(s)
		}
		items := func(check func(string) (string, bool)) []string {
			vals, lines, badItem := list(kv.Value, at)
			if badItem > 0 || vals == nil && kv.Value.Type() != ast.NullType {
				bad(max(badItem, line), key+" is not a list of text", fmt.Sprintf("write it as a list: %s: [a, b]", key))
				return nil
			}
			var out []string
			for i, v := range vals {
				v = strings.TrimSpace(v)
				if fix, ok := check(v); !ok {
					bad(lines[i], fmt.Sprintf("%s item %q is not valid", key, v), fix)
					continue
				}
				out = append(out, v)
			}
			return out
		}
		switch key {
		case "slug":
			if s := text(); s != "" && !IsSlug(s) {
				bad(line, fmt.Sprintf("slug %q is not a slug", s), fmt.Sprintf("use lower-case letters, digits and single hyphens, e.g. %q", Slugify(s)))
			} else {
				pr.Slug = s
			}
		case "name":
			pr.Name = text()
		case "parent":
			pr.Parent, parentLine = text(), line
		case "homepage":
			if s := text(); s != "" {
				if !webURL(s) {
					bad(line, fmt.Sprintf("homepage %q is not an http or https address", s), "write the full address, e.g. https://developer.example.com")
				} else {
					pr.Homepage = s
				}
			}
		case "hosts":
			pr.Hosts = items(func(h string) (string, bool) {
				return "write a host name in lower case, without scheme or path, e.g. api.twilio.com", hostRE.MatchString(h)
			})
		case "sdks":
			// A name is matched by its letters and digits between
			// separators: one without any would never match.
			pr.SDKs = items(func(w string) (string, bool) {
				return "write one name without spaces, e.g. TwilioRestException or twilio-python",
					!strings.ContainsAny(w, " \t\n") && strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
			})
		case "words":
			// A word is matched against the words of a query, which hold
			// letters and digits only: "send-grid" would never match.
			pr.Words = items(func(w string) (string, bool) {
				return "write one word of letters and digits, e.g. sendgrid", isWord(w)
			})
		case "marks":
			// A short mark would be found in anyone's answer.
			pr.Marks = items(func(m string) (string, bool) {
				return fmt.Sprintf("write %d to %d characters on one line that only its answers hold, e.g. X-Twilio-Signature", minMarkLen, maxMarkLen),
					len(m) >= minMarkLen && len(m) <= maxMarkLen && !strings.ContainsAny(m, "\n\r")
			})
		case "status_code":
			if s := text(); s != "" {
				if code := strings.ReplaceAll(s, "{status}", "429"); !strings.Contains(s, "{status}") || !codeRE.MatchString(code) || len(code) > MaxCodeLength {
					bad(line, fmt.Sprintf("status_code %q is not a code with {status} in it", s), "write the code its errors have for an HTTP status, with {status} for the status, e.g. 20{status}")
				} else {
					pr.StatusCode = s
				}
			}
		case "reference":
			pr.Reference = parseReference(kv, at, bad)
		default:
			bad(line, fmt.Sprintf("unknown provider key %q", key), "use only "+strings.Join(providerKeys, ", "))
		}
	}
	for _, k := range []string{"slug", "name"} {
		if _, ok := seen[k]; !ok {
			bad(at(item), fmt.Sprintf("a provider has no %s", k), "give each provider a slug and a name:\n"+providerExample)
		}
	}
	return pr, parentLine, pr.Slug != ""
}

// parseReference reads a provider's reference: name, url and page.
func parseReference(kv *ast.MappingValueNode, at func(ast.Node) int, bad func(int, string, string)) Reference {
	var r Reference
	pairs, ok := mappingPairs(kv.Value)
	if !ok {
		bad(at(kv.Key), "reference is not a set of \"key: value\" lines", "indent name: and url: below it")
		return r
	}
	for _, p := range pairs {
		key, line := p.Key.GetToken().Value, at(p.Key)
		s, _ := scalar(p.Value)
		s = strings.TrimSpace(s)
		switch key {
		case "name":
			r.Name = s
		case "url", "page":
			if !webURL(s) {
				bad(line, fmt.Sprintf("reference %s %q is not an http or https address", key, s), "write the full address, e.g. https://www.twilio.com/docs/api/errors")
				continue
			}
			if key == "url" {
				r.URL = s
			} else if !strings.Contains(s, "{code}") {
				bad(line, fmt.Sprintf("reference page %q has no {code}", s), "write where one error's page is, with {code} for its code, e.g. https://www.twilio.com/docs/api/errors/{code}")
			} else {
				r.Page = s
			}
		default:
			bad(line, fmt.Sprintf("unknown reference key %q", key), "use only "+strings.Join(referenceKeys, ", "))
		}
	}
	if r.Name == "" {
		bad(at(kv.Key), "reference has no name", "name the catalogue as pages say it after \"From\", e.g. name: Twilio's error dictionary")
	}
	return r
}

// mappingPairs is the key-value pairs of a YAML mapping node.
func mappingPairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// webURL reports whether s is an absolute http or https address.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\n<>\"")
}
