package search

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/errata/errata/content"
)

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
			return nil, &InvalidError{Param: "provider", Value: clip(v, 64), Message: "is too long; choose one or a few providers."}
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
	return &InvalidError{Param: "provider", Value: clip(name, 64),
		Message: fmt.Sprintf("%q is not a known provider; use one of %s.", clip(name, 32), strings.Join(providers.Slugs(), ", "))}
}

// Providers are the providers of the catalogue: what entries may name and
// filters may choose.
func (ix *Index) Providers() *content.Providers { return ix.prov.reg }
