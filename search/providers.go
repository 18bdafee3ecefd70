package search

import (
	"fmt"
	"math/bits"
	"net/url"
	"slices"
	"strings"

	"github.com/errata/errata/content"
)

// What says whose error a text is, per provider, in one table: the words
// people type, the hosts of its APIs and the names of its SDKs. A row may
// name several slugs (Microsoft spans four catalogues).
var providerSignals = []struct {
	slugs []string
	// words are typed among the words (searched and boosted); in a paste
	// they are also read as one segment of a path, package or host
	// (site-packages/twilio/rest, Twilio::REST::RestError).
	words []string
	// hosts are API hosts, or the end of them, in a URL or a header.
	hosts []string
	// sdks are SDK packages, namespaces and exception classes, lower-cased,
	// as one segment or two joined by a dot (microsoft.identity for
	// Microsoft.Identity.Client.MsalUiRequiredException).
	sdks []string
	// marks are what only its answers hold, as written: a header, a field
	// name, a namespace, a code prefix.
	marks []string
}{
	{
		slugs: []string{"gmail"},
		words: []string{"gmail", "google", "gsuite", "workspace"},
		hosts: []string{"googleapis.com", "accounts.google.com", "mail.google.com"},
		sdks:  []string{"googleapiclient", "googleapi", "gaxios", "gaxioserror", "signet"},
		marks: []string{"usageLimits", "type.googleapis.com/google.rpc"},
	},
	{
		slugs: []string{"microsoft", "microsoft-entra", "microsoft-ews", "microsoft-graph"},
		words: []string{"microsoft"},
	},
	{
		slugs: []string{"microsoft", "microsoft-graph"},
		words: []string{"outlook", "m365"},
	},
	{
		slugs: []string{"microsoft"},
		words: []string{"office", "office365", "o365", "hotmail"},
	},
	{
		slugs: []string{"microsoft", "microsoft-ews"},
		words: []string{"exchange"},
	},
	{
		slugs: []string{"microsoft", "microsoft-entra"},
		words: []string{"azure"},
	},
	{
		slugs: []string{"microsoft-entra"},
		words: []string{"entra", "aad"},
		hosts: []string{"login.microsoftonline.com", "login.windows.net", "sts.windows.net"},
		sdks: []string{"msal", "msal4j", "msalserviceexception", "msaluirequiredexception", "msalclientexception", "microsoft.identity",
			"azure.identity", "clientauthenticationerror", "authenticationfailedexception"},
		marks: []string{"AADSTS", "x-ms-ests-server"},
	},
	{
		slugs: []string{"microsoft-ews"},
		words: []string{"ews"},
		hosts: []string{"outlook.office365.com"},
		sdks:  []string{"exchangelib", "exchange.webservices", "serviceresponseexception", "serverbusyexception", "soapfaultdetails", "viewpoint"},
		marks: []string{"schemas.microsoft.com/exchange/services", "ResponseClass=", "ServerVersionInfo"},
	},
	{
		slugs: []string{"microsoft-graph"},
		words: []string{"graph"},
		hosts: []string{"graph.microsoft.com"},
		sdks:  []string{"msgraph", "microsoft.graph", "grapherror", "graphserviceexception", "odataerror"},
		marks: []string{"x-ms-ags-diagnostic", "innerError", "innererror"},
	},
	{
		slugs: []string{"twilio"},
		words: []string{"twilio"},
		hosts: []string{"twilio.com"},
		sdks:  []string{"twiliorestexception"},
		marks: []string{"Twilio-Request-Id", "AccountSid="},
	},
}

// providerWords maps a lower-cased word to the provider slugs it names;
// segmentProviders adds the SDK names, for the segments of a paste.
var providerWords, segmentProviders = func() (words, segments map[string][]string) {
	words, segments = map[string][]string{}, map[string][]string{}
	for _, p := range providerSignals {
		for _, w := range p.words {
			words[w] = appendNew(words[w], p.slugs...)
			segments[w] = appendNew(segments[w], p.slugs...)
		}
		for _, s := range p.sdks {
			segments[s] = appendNew(segments[s], p.slugs...)
		}
	}
	return words, segments
}()

// appendNew appends the values of vs that s does not hold yet.
func appendNew(s []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(s, v) {
			s = append(s, v)
		}
	}
	return s
}

// hostFor is the first host the table gives for slug alone, or "".
func hostFor(slug string) string {
	for _, p := range providerSignals {
		if len(p.slugs) == 1 && p.slugs[0] == slug && len(p.hosts) > 0 {
			return p.hosts[0]
		}
	}
	return ""
}

// hostProviders is the provider slugs a host names: api.twilio.com is
// twilio.com's, gmail.googleapis.com is googleapis.com's.
func hostProviders(host string) []string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	var out []string
	for _, p := range providerSignals {
		for _, h := range p.hosts {
			if host == h || strings.HasSuffix(host, "."+h) {
				out = appendNew(out, p.slugs...)
			}
		}
	}
	return out
}

// providerHints reads the providers a paste names by its marks, its hosts
// (in URLs or bare, as in "from graph.microsoft.com") and its SDK names.
// When words is set and none of those names one, provider words as
// segments of its paths and packages count (site-packages/twilio). Only
// maxHintBytes are read, half from each end: the request and a Java
// exception come first, a Python exception last.
func providerHints(s string, words bool) []string {
	if len(s) > maxHintBytes {
		s = s[:maxHintBytes/2] + "\n" + s[len(s)-maxHintBytes/2:]
	}
	var named, worded []string
	for _, p := range providerSignals {
		for _, m := range p.marks {
			if strings.Contains(s, m) {
				named = appendNew(named, p.slugs...)
			}
		}
	}
	eachToken(s, func(tok string) {
		if strings.IndexByte(tok, '.') > 0 {
			if host := hostOf(tok); host != "" {
				named = appendNew(named, hostProviders(host)...)
			}
		}
		var prev string
		eachSegment(tok, func(seg string) {
			seg = lowerASCII(seg)
			if _, isWord := providerWords[seg]; isWord {
				if words {
					worded = appendNew(worded, segmentProviders[seg]...)
				}
			} else {
				named = appendNew(named, segmentProviders[seg]...)
			}
			if prev != "" {
				named = appendNew(named, segmentProviders[prev+"."+seg]...)
			}
			prev = seg
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
}

func newProviderSet(reg *content.Providers) providerSet {
	ps := providerSet{reg: reg, bit: map[string]uint{}}
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
	byName := map[string]string{}
	for _, pr := range providers.List() {
		byName[pr.Slug] = pr.Slug
		byName[strings.ToLower(pr.Name)] = pr.Slug
	}
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
