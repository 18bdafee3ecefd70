package search

import (
	"fmt"
	"math/bits"
	"net/url"
	"slices"
	"strings"

	"github.com/errata/errata/content"
)

// signals say whose error a text is, read from the catalogue's providers
// (providers.yaml): the words people type, the hosts of their APIs, the
// names of their SDKs and the marks only their answers hold. Each signal
// names the provider that declares it; a word declared by several (outlook)
// names each. An index builds its signals once, from its own providers.
type signals struct {
	// words are typed among the words (searched and boosted); in a paste
	// they are also read as one segment of a path, package or host
	// (site-packages/twilio/rest, Twilio::REST::RestError).
	words map[string][]string
	// names are the words that are a provider's slug (twilio, gmail): a
	// provider named by name, where a word such as exchange or office may
	// mean something else.
	names map[string]bool
	// segments are the words and the SDK names, lower-cased, their
	// segments joined by dots: microsoft.identity for Microsoft.Identity,
	// twilio.python for twilio-python.
	segments map[string][]string
	maxSegs  int                 // the most segments of an SDK name
	lastSegs map[string]bool     // the last segments of SDK names of several
	hosts    map[string][]string // an API host, or the end of one
	marks    []mark
	host     map[string]string // slug → the first host it declares
	// statusCode is the code a provider's catalogue gives a bare status,
	// with {status}, by slug.
	statusCode map[string]string
}

// mark is a text only a provider's answers hold, as written.
type mark struct {
	text  string
	slugs []string
}

func newSignals(reg *content.Providers) *signals {
	sg := &signals{words: map[string][]string{}, names: map[string]bool{}, segments: map[string][]string{}, hosts: map[string][]string{}, host: map[string]string{}, maxSegs: 1, lastSegs: map[string]bool{}, statusCode: map[string]string{}}
	for _, pr := range reg.List() {
		slug := []string{pr.Slug}
		if pr.StatusCode != "" {
			sg.statusCode[pr.Slug] = pr.StatusCode
		}
		words := pr.Words
		if isWordSlug(pr.Slug) {
			words = append([]string{pr.Slug}, words...) // a slug of one word is one of its words
			sg.names[pr.Slug] = true
		}
		for _, w := range words {
			w = strings.ToLower(w)
			sg.words[w] = appendNew(sg.words[w], slug...)
			sg.segments[w] = appendNew(sg.segments[w], slug...)
		}
		for _, name := range pr.SDKs {
			var segs []string
			eachSegment(strings.ToLower(name), func(seg string) { segs = append(segs, seg) })
			if len(segs) == 0 {
				continue
			}
			key := strings.Join(segs, ".")
			sg.segments[key] = appendNew(sg.segments[key], slug...)
			sg.maxSegs = max(sg.maxSegs, len(segs))
			if len(segs) > 1 {
				sg.lastSegs[segs[len(segs)-1]] = true
			}
		}
		for _, h := range pr.Hosts {
			h = strings.ToLower(h)
			sg.hosts[h] = appendNew(sg.hosts[h], slug...)
			if _, ok := sg.host[pr.Slug]; !ok {
				sg.host[pr.Slug] = h
			}
		}
		for _, m := range pr.Marks {
			if i := slices.IndexFunc(sg.marks, func(k mark) bool { return k.text == m }); i >= 0 {
				sg.marks[i].slugs = appendNew(sg.marks[i].slugs, slug...)
			} else if m != "" {
				sg.marks = append(sg.marks, mark{m, slug})
			}
		}
	}
	return sg
}

// isWordSlug reports whether a slug is letters and digits only (o365).
func isWordSlug(slug string) bool {
	return slug != "" && strings.IndexByte(slug, '-') < 0
}

// appendNew appends the values of vs that s does not hold yet.
func appendNew(s []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(s, v) {
			s = append(s, v)
		}
	}
	return s
}

// hostFor is the first host slug declares, or "".
func (sg *signals) hostFor(slug string) string { return sg.host[slug] }

// hostProviders is the provider slugs a host names: api.twilio.com is
// twilio.com's, gmail.googleapis.com is googleapis.com's.
func (sg *signals) hostProviders(host string) []string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	var out []string
	for {
		out = appendNew(out, sg.hosts[host]...)
		i := strings.IndexByte(host, '.')
		if i < 0 {
			return out
		}
		host = host[i+1:]
	}
}

// providerHints reads the providers a paste names by its marks, its hosts
// (in URLs or bare, as in "from graph.microsoft.com") and its SDK names.
// When words is set and none of those names one, provider words as
// segments of its paths and packages count (site-packages/twilio). Only
// maxHintBytes are read, half from each end: the request and a Java
// exception come first, a Python exception last.
func (sg *signals) providerHints(s string, words bool) []string {
	if sg == nil {
		return nil
	}
	if len(s) > maxHintBytes {
		s = s[:maxHintBytes/2] + "\n" + s[len(s)-maxHintBytes/2:]
	}
	var named, worded []string
	for _, m := range sg.marks {
		if strings.Contains(s, m.text) {
			named = appendNew(named, m.slugs...)
		}
	}
	var window []string // the last segments of a token, for SDK names of several
	eachToken(s, func(tok string) {
		if strings.IndexByte(tok, '.') > 0 {
			if host := hostOf(tok); host != "" {
				named = appendNew(named, sg.hostProviders(host)...)
			}
		}
		window = window[:0]
		eachSegment(tok, func(seg string) {
			seg = lowerASCII(seg)
			if _, isWord := sg.words[seg]; isWord {
				if words {
					worded = appendNew(worded, sg.segments[seg]...)
				}
			} else {
				named = appendNew(named, sg.segments[seg]...)
			}
			if sg.maxSegs == 1 {
				return
			}
			if len(window) == sg.maxSegs {
				window = append(window[:0], window[1:]...)
			}
			window = append(window, seg)
			if !sg.lastSegs[seg] {
				return // no SDK name of several ends here; skip the joins
			}
			// Each run of the window ending here: "microsoft.identity" in
			// Microsoft.Identity.Client.
			key := seg
			for i := len(window) - 2; i >= 0; i-- {
				key = window[i] + "." + key
				named = appendNew(named, sg.segments[key]...)
			}
		})
	})
	if len(named) > 0 {
		return named
	}
	return worded
}

// eachToken calls fn with every run of s between spaces, quotes and
// brackets: a URL, a path, a package or class name stays whole.
func eachToken(s string, fn func(string)) {
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || isTokenSep(s[i]) {
			if start >= 0 && i > start {
				fn(s[start:i])
			}
			start = -1
			continue
		}
		if start < 0 {
			start = i
		}
	}
}

func isTokenSep(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', '(', ')', '[', ']', '{', '}', '<', '>', ',', ';', '=', '&', '|', '*':
		return true
	}
	return false
}

// eachSegment calls fn with the parts of a token between . : / $ - @ \.
func eachSegment(tok string, fn func(string)) {
	start := 0
	for i := 0; i <= len(tok); i++ {
		if i == len(tok) || isSegmentSep(tok[i]) {
			if i > start {
				fn(tok[start:i])
			}
			start = i + 1
		}
	}
}

func isSegmentSep(c byte) bool {
	return c == '.' || c == ':' || c == '/' || c == '$' || c == '-' || c == '@' || c == '\\' || c == '?' || c == '#' || c == '%'
}

// hostOf is the host of a URL, or the token itself when it looks like a
// host name (letters, digits, hyphens and at least two dots' worth of
// labels); "" otherwise.
func hostOf(tok string) string {
	if i := strings.Index(tok, "://"); i >= 0 {
		start := i // back to the scheme's first letter
		for start > 0 && (tok[start-1]|0x20 >= 'a' && tok[start-1]|0x20 <= 'z') {
			start--
		}
		if u, err := url.Parse(tok[start:]); err == nil {
			return u.Hostname()
		}
		return ""
	}
	if i := strings.IndexByte(tok, '/'); i >= 0 {
		tok = tok[:i] // graph.microsoft.com/v1.0/me
	}
	tok = strings.TrimRight(tok, ".:")
	labels := strings.Split(tok, ".")
	for _, l := range labels {
		if l == "" {
			return ""
		}
		for i := 0; i < len(l); i++ {
			if c := l[i] | 0x20; !(c >= 'a' && c <= 'z' || l[i] >= '0' && l[i] <= '9' || l[i] == '-') {
				return ""
			}
		}
	}
	if tld := labels[len(labels)-1]; len(labels) < 2 || len(tld) < 2 || !isLetters([]byte(lowerASCII(tld))) {
		return "" // v1.0, 2.0.1
	}
	return tok
}

// providerSet is a catalogue's providers numbered for bit masks: entry i
// names the providers whose bits provMask[i] holds. A filter by a parent
// admits its children, and a parent's facet counts the entries of its
// children too.
type providerSet struct {
	reg     *content.Providers
	bit     map[string]uint // slug → its bit
	slugs   []string        // bit → slug
	subtree []uint32        // bit → itself and its children
	parents []uint          // bits of the providers that have children
	sig     *signals        // what names each provider in a query or paste
}

func newProviderSet(reg *content.Providers) providerSet {
	ps := providerSet{reg: reg, bit: map[string]uint{}, sig: newSignals(reg)}
	for _, pr := range reg.List() {
		if len(ps.slugs) == content.MaxProviders {
			break // content refuses more: a list built in code is cut
		}
		ps.bit[pr.Slug] = uint(len(ps.slugs))
		ps.slugs = append(ps.slugs, pr.Slug)
	}
	ps.subtree = make([]uint32, len(ps.slugs))
	for b, slug := range ps.slugs {
		ps.subtree[b] = ps.filter([]string{slug})
		if ps.subtree[b] != 1<<b {
			ps.parents = append(ps.parents, uint(b))
		}
	}
	return ps
}

// mask is the bits of slugs exactly, as an entry names them.
func (ps providerSet) mask(slugs []string) uint32 {
	var m uint32
	for _, s := range slugs {
		if b, ok := ps.bit[s]; ok {
			m |= 1 << b
		}
	}
	return m
}

// filter is the bits a filter by slugs admits: each and its children.
func (ps providerSet) filter(slugs []string) uint32 {
	return ps.mask(ps.reg.WithChildren(slugs))
}

// count adds n entries naming the providers of m to counts: one for each
// provider named, and one for each parent of a named child the entries do
// not name themselves.
func (ps providerSet) count(counts *[32]int, m uint32, n int) {
	for b := m; b != 0; b &= b - 1 {
		counts[bits.TrailingZeros32(b)] += n
	}
	for _, p := range ps.parents {
		if m&(1<<p) == 0 && m&ps.subtree[p] != 0 {
			counts[p] += n
		}
	}
}

// counts names the counts kept by bit.
func (ps providerSet) counts(counts *[32]int) map[string]int {
	out := map[string]int{}
	for b, slug := range ps.slugs {
		if n := counts[b]; n > 0 {
			out[slug] = n
		}
	}
	return out
}

// ParseProviders reads repeated and comma-separated provider names or
// slugs, case-insensitively, into slugs of providers.
func ParseProviders(providers *content.Providers, vals []string) ([]string, error) {
	var byName map[string]string // made for the first name: most searches name none
	var out []string
	total := 0
	for _, v := range vals {
		total += len(v)
		if total > maxFilterLen*4 {
			return nil, &InvalidError{Param: "provider", Value: echo(v, 64), Message: "is too long; choose one or a few providers."}
		}
		for name := range strings.SplitSeq(v, ",") {
			name = strings.Join(strings.Fields(strings.ToLower(name)), " ")
			if name == "" {
				continue
			}
			if byName == nil {
				byName = map[string]string{}
				for _, pr := range providers.List() {
					byName[pr.Slug] = pr.Slug
					byName[strings.ToLower(pr.Name)] = pr.Slug
				}
			}
			slug, ok := byName[name]
			if !ok {
				slug, ok = byName[strings.ReplaceAll(name, " ", "-")]
			}
			if !ok {
				return nil, unknownProvider(providers, name)
			}
			if !slices.Contains(out, slug) {
				out = append(out, slug)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// unknownProvider refuses a provider the catalogue does not declare.
func unknownProvider(providers *content.Providers, name string) *InvalidError {
	return &InvalidError{Param: "provider", Value: echo(name, 64),
		Message: fmt.Sprintf("%q is not a known provider; use one of %s.", clip(name, 32), strings.Join(providers.Slugs(), ", "))}
}

// Providers are the providers of the catalogue: what entries may name and
// filters may choose.
func (ix *Index) Providers() *content.Providers { return ix.prov.reg }
