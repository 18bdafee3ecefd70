package search

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/errata/errata/content"
)

// The orders browsing may list entries in. Searching always ranks.
const (
	SortStatus = ""      // by status, then id: the catalogue's own order
	SortCode   = "code"  // by primary code, numbers by value; entries without one last
	SortTitle  = "title" // by title, ignoring case
)

// ParseSort reads the sort parameter: "" or "status", "code", "title".
func ParseSort(s string) (string, error) {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "", "status":
		return SortStatus, nil
	case SortCode, SortTitle:
		return s, nil
	}
	return "", &InvalidError{Param: "sort", Value: clip(s, 32), Message: fmt.Sprintf("%q is not an order; use status, code or title.", clip(s, 32))}
}

// orders are the entries' positions in each order but status, made on
// first use (most catalogues are never browsed so), or read from a saved
// index: sorting a million mapped entries took two seconds, which the
// first person to sort them would have waited.
type orders struct {
	code, title func() []int32
}

func newOrders(ix *Index) orders {
	sorted := func(less func(a, b *sortKey) int) func() []int32 {
		return sync.OnceValue(func() []int32 {
			// Each entry's keys are read once, lower-cased once: decoding
			// whole mapped entries, and lower-casing titles at every
			// comparison, took seconds at 100k entries.
			n := ix.entries.len()
			keys := make([]sortKey, n)
			out := make([]int32, n)
			for i := range out {
				keys[i] = ix.entries.sortKey(i)
				out[i] = int32(i)
			}
			slices.SortStableFunc(out, func(a, b int32) int { return less(&keys[a], &keys[b]) })
			return out
		})
	}
	return orders{
		code: sorted(func(a, b *sortKey) int {
			return cmp.Or(byCodeKey(a.code, b.code), strings.Compare(a.id, b.id))
		}),
		title: sorted(func(a, b *sortKey) int {
			return cmp.Or(strings.Compare(a.title, b.title), strings.Compare(a.id, b.id))
		}),
	}
}

// savedOrders are the orders a saved index holds, or made on first use
// when it holds none (an index saved before they were) or they are not
// each a permutation of the n entries.
func savedOrders(ix *Index, code, title []int32) orders {
	o := newOrders(ix)
	if isPermutation(code, ix.entries.len()) {
		o.code = func() []int32 { return code }
	}
	if isPermutation(title, ix.entries.len()) {
		o.title = func() []int32 { return title }
	}
	return o
}

// isPermutation reports whether order lists each of 0…n-1 once.
func isPermutation(order []int32, n int) bool {
	if len(order) != n {
		return false
	}
	seen := make([]bool, n)
	for _, i := range order {
		if i < 0 || int(i) >= n || seen[i] {
			return false
		}
		seen[i] = true
	}
	return true
}

// sortKey is what the orders compare of an entry: its id, its title and
// primary code lower-cased. A mapped id points into the file, which the
// index keeps mapped while it sorts.
type sortKey struct{ id, title, code string }

// sortKey reads entry i's keys; of a mapped entry, only the fields before
// its codes' first are read, not its sections, which are most of its bytes.
func (s *entryStore) sortKey(i int) sortKey {
	if s.all != nil {
		e := &s.all[i]
		return sortKey{e.ID, strings.ToLower(e.Title), strings.ToLower(e.Code())}
	}
	r := s.m.record(i) // id, status, title, codes: see appendEntry
	k := sortKey{id: r.str()}
	r.uvarint()
	k.title = strings.ToLower(r.str())
	if r.uvarint() > 0 {
		k.code = strings.ToLower(r.str())
	}
	return k
}

// byCodeKey orders primary codes, entries without one last.
func byCodeKey(a, b string) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return compareCodes(a, b)
}

// byCode orders entries by primary code, those without one last.
func byCode(a, b *content.Entry) int {
	return byCodeKey(a.Code(), b.Code())
}

// byTitle orders entries by title, ignoring case.
func byTitle(a, b *content.Entry) int {
	return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
}

// compareCodes orders codes as people read them: numbers by value (400
// before 21211), the rest ignoring case.
func compareCodes(a, b string) int {
	if digits(a) && digits(b) {
		return cmp.Or(cmp.Compare(len(strings.TrimLeft(a, "0")), len(strings.TrimLeft(b, "0"))), strings.Compare(strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")))
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// sortBrowsed replaces the hits browse found (in status order) with the
// page of the same entries in q's order. Totals and facets stay browse's.
func (ix *Index) sortBrowsed(q Query, pl plan, res *Results) {
	var order []int32
	switch q.Sort {
	case SortCode:
		order = ix.orders.code()
	case SortTitle:
		order = ix.orders.title()
	default:
		return
	}
	status, any := q.Status.intersect(pl.textStatus)
	pmask := ix.prov.filter(q.Providers)
	from := (q.Page - 1) * q.PerPage
	res.Hits = res.Hits[:0]
	k := 0
	for _, i := range order {
		if len(res.Hits) == q.PerPage || !any {
			break
		}
		if !status.Contains(int(ix.status[i])) || pmask != 0 && ix.provMask[i]&pmask == 0 {
			continue
		}
		if k >= from {
			res.Hits = append(res.Hits, ix.hit(int(i), 0, "", nil))
		}
		k++
	}
}
