package search

import (
	"slices"
	"sync"
	"testing"

	"github.com/errata/errata/content/corpus/corpustest"
)

// importedIndex is the catalogue with the real corpora imported beside it
// (corpustest.Imported), entries with codes, built once.
var importedIndex = sync.OnceValues(func() (*Index, error) {
	c, err := corpustest.Imported()
	if err != nil {
		return nil, err
	}
	return BuildCatalogue(c)
})

// Browsing in code or title order pages through exactly the entries the
// status order does, filtered alike, in the order asked.
func TestBrowseSorted(t *testing.T) {
	corpustest.RealImported(t)
	ix, err := importedIndex()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{
		{Sort: SortCode},
		{Sort: SortTitle},
		{Sort: SortCode, Providers: []string{"microsoft"}},
		{Sort: SortTitle, Providers: []string{"twilio"}, Status: StatusSet{{0, 0}}},
		{Sort: SortCode, Status: StatusSet{{400, 499}}},
	} {
		var got []Hit
		total := 0
		for p := 1; ; p++ {
			q.Page, q.PerPage = p, 100
			res := run(t, ix, q)
			total = res.Total
			got = append(got, res.Hits...)
			if len(res.Hits) < 100 || p > 100 {
				break
			}
		}
		byStatus := run(t, ix, Query{Providers: q.Providers, Status: q.Status, PerPage: 1}).Total
		if len(got) != total || total != byStatus || total == 0 {
			t.Errorf("%+v: paged %d hits of a total %d; status order totals %d", q, len(got), total, byStatus)
		}
		less := func(a, b Hit) int {
			ea, _ := ix.Entry(a.ID)
			eb, _ := ix.Entry(b.ID)
			if q.Sort == SortCode {
				return byCode(&ea, &eb)
			}
			return byTitle(&ea, &eb)
		}
		if !slices.IsSortedFunc(got, less) {
			t.Errorf("%+v: hits not in %s order", q, q.Sort)
		}
	}
	if got := compareCodes("400", "21211"); got >= 0 {
		t.Errorf("400 sorts after 21211")
	}
	if _, err := ParseSort("size"); err == nil {
		t.Error("ParseSort(size) succeeded")
	}
}

// A saved index, whose entries are mapped, sorts them as a built one does.
func TestSavedIndexSortsAsBuilt(t *testing.T) {
	built, saved := importedBuiltAndSaved(t)
	for name, o := range map[string][2]func() []int32{
		"code":  {built.orders.code, saved.orders.code},
		"title": {built.orders.title, saved.orders.title},
	} {
		if want, got := o[0](), o[1](); !slices.Equal(want, got) || len(got) != built.Len() {
			t.Errorf("%s order: the saved index sorts %d entries otherwise than the built one (%d)", name, len(got), len(want))
		}
	}
}

// A saved index holds its orders, so that the first listing sorted by
// code or title does not sort a million entries while a person waits;
// orders that are not each a permutation of the entries (or none, from
// an index saved before they were) are made on first use instead.
func TestSavedIndexKeepsItsOrders(t *testing.T) {
	dir := saved(t)
	meta, err := readMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := OpenSaved(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	built := newOrders(ix)
	code, title := unpackUint[int32](meta.CodeOrder), unpackUint[int32](meta.TitleOrder)
	if !slices.Equal(code, built.code()) || !slices.Equal(title, built.title()) {
		t.Fatalf("saved orders %v and %v, want %v and %v as sorted", code, title, built.code(), built.title())
	}
	n := ix.Len()
	dup := slices.Clone(code)
	dup[0] = dup[1]
	for name, order := range map[string][]int32{
		"none": nil, "short": code[:n-1], "repeated": dup, "out of range": append(slices.Clone(code[:n-1]), int32(n)),
	} {
		o := savedOrders(ix, order, order)
		if !slices.Equal(o.code(), built.code()) || !slices.Equal(o.title(), built.title()) {
			t.Errorf("%s: orders not made again from the entries", name)
		}
	}
}
