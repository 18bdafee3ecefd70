package search

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search/pasteset"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSaveAndOpen(t *testing.T) {
	es := fixtures()
	dir := filepath.Join(t.TempDir(), "index")
	if err := Save(es, dir); err != nil {
		t.Fatalf("Save: %v", err)
	}
	opened, err := Open(dir, es)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer opened.Close()
	built := build(t, es)
	if opened.Count() != len(es) {
		t.Errorf("Count = %d", opened.Count())
	}
	for _, q := range []Query{{}, {Text: "quota"}, {Text: "throtled"}, {Text: "quota", Status: StatusSet{{400, 499}}, Providers: []string{"microsoft"}}, {Text: `"refresh token was revoked"`}, {Text: "userinfo.email"}} {
		want, got := run(t, built, q), run(t, opened, q)
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Results{}, "Took"), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
			t.Errorf("%q: opened index differs from built (-built +opened):\n%s", q.Text, diff)
		}
	}

	changed := fixtures()
	changed[0].Messages = []string{"Something new."}
	if _, err := Open(dir, changed); !errors.Is(err, ErrStale) {
		t.Errorf("Open with changed entries: err = %v, want ErrStale", err)
	}
	if _, err := Open(dir, es[:3]); !errors.Is(err, ErrStale) {
		t.Errorf("Open with fewer entries: err = %v, want ErrStale", err)
	}
	if _, err := Open(t.TempDir(), es); err == nil {
		t.Error("Open of an empty directory succeeded")
	}
}

// OpenSaved needs nothing but the directory: the entries come back from the
// snapshot Save keeps, whole, and answer like the index they were built in.
func TestOpenSaved(t *testing.T) {
	opened, built := savedAndBuilt(t, fixtures())
	if diff := cmp.Diff(built.Entries(), opened.Entries(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("entries differ (-built +saved):\n%s", diff)
	}
	want, got := run(t, built, Query{Text: "quota"}), run(t, opened, Query{Text: "quota"})
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Results{}, "Took"), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("opened index answers differently (-built +opened):\n%s", diff)
	}
	if _, err := OpenSaved(t.TempDir()); err == nil || !strings.Contains(err.Error(), "errata index") {
		t.Errorf("OpenSaved of an empty directory: %v, want a hint to run errata index", err)
	}
}

// savedAndBuilt is es saved by Save and opened by OpenSaved, beside the same
// entries built in memory; both close when the test ends.
func savedAndBuilt(tb testing.TB, es []content.Entry) (opened, built *Index) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "index")
	if err := Save(es, dir); err != nil {
		tb.Fatalf("Save: %v", err)
	}
	opened, err := OpenSaved(dir)
	if err != nil {
		tb.Fatalf("OpenSaved: %v", err)
	}
	tb.Cleanup(func() { opened.Close() })
	return opened, build(tb, es)
}

// An index opened from a saved one keeps its entries out of the Go heap:
// they stay in the mapped entries file and are decoded one at a time, so a
// million entries do not cost their text in heap. Every entry still comes
// back whole, by position, by id and in hits, and outlives the index.
func TestOpenSavedKeepsEntriesOutOfTheHeap(t *testing.T) {
	const n, causeBytes = 1500, 8 << 10
	es := make([]content.Entry, n)
	long := strings.Repeat("a cause told at length ", causeBytes/23)
	for i := range es {
		es[i] = entry(fmt.Sprintf("e-%04d", i), 400+i%100, fmt.Sprintf("Title %d", i), []string{"gmail"},
			[]string{fmt.Sprintf("message number %d", i)}, []string{fmt.Sprintf("CODE%d", i)}, long, "solution")
		es[i].RedirectFrom = []string{fmt.Sprintf("old-%04d", i)}
		es[i].Updated = time.Date(2026, 11, 1+i%28, 0, 0, 0, 0, time.UTC)
	}
	dir := filepath.Join(t.TempDir(), "index")
	if err := Save(es, dir); err != nil {
		t.Fatal(err)
	}
	before := heapAlloc()
	ix, err := OpenSaved(dir)
	if err != nil {
		t.Fatal(err)
	}
	grown := int64(heapAlloc()) - int64(before)
	text := int64(n * causeBytes)
	if grown > text/4 {
		t.Errorf("opening grew the heap by %d MB for %d MB of entry text; the entries must stay out of the heap", grown>>20, text>>20)
	}
	built := build(t, es)
	if ix.Len() != n {
		t.Fatalf("Len = %d, want %d", ix.Len(), n)
	}
	for _, i := range []int{0, 1, n / 2, n - 1} {
		if diff := cmp.Diff(built.At(i), ix.At(i), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("entry %d (-built +opened):\n%s", i, diff)
		}
	}
	e, ok := ix.Entry("e-1234")
	if !ok || e.Messages[0] != "message number 1234" || len(e.Sections) != 2 {
		t.Errorf("Entry(e-1234) = %+v, %v", e, ok)
	}
	if id, ok := ix.Redirect("old-0042"); !ok || id != "e-0042" {
		t.Errorf("Redirect(old-0042) = %q, %v", id, ok)
	}
	if lo, hi := ix.StatusRange(429); hi-lo != n/100 || ix.At(lo).Status != 429 {
		t.Errorf("StatusRange(429) = %d, %d", lo, hi)
	}
	res := run(t, ix, Query{Text: "CODE1234"})
	if len(res.Hits) == 0 || res.Hits[0].ID != "e-1234" {
		t.Errorf("CODE1234 found %v", ids(res))
	}
	hit := fmt.Sprintf("%+v", res.Hits)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.GC() // the mapping's cleanup has run
	if e.ID != "e-1234" || e.Title != "Title 1234" {
		t.Errorf("an entry read before Close changed: %q %q", e.ID, e.Title)
	}
	if got := fmt.Sprintf("%+v", res.Hits); got != hit {
		t.Errorf("hits read before Close changed:\n%s\nwas\n%s", got, hit)
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// An index saved before the code table was (format 1, no codes.bin) is
// refused with the command that rebuilds it, never served with codes that
// find nothing, and errata index may write the new one over it.
func TestOpenSavedOfTheFormatBefore(t *testing.T) {
	dir := saved(t)
	remove(t, filepath.Join(dir, codesFile))
	editManifest(t, dir, func(m *manifest) {
		m.Version = 1
		m.Files = slices.DeleteFunc(m.Files, func(f manifestEntry) bool { return f.Path == codesFile })
	})
	if ix, err := OpenSaved(dir); err == nil {
		ix.Close()
		t.Fatal("OpenSaved of a format-1 index succeeded")
	} else if msg := err.Error(); !strings.Contains(msg, "another version of errata index (format 1") || !strings.Contains(msg, "errata index --out "+dir) {
		t.Errorf("OpenSaved: %q, want the format named and the command that rebuilds it", msg)
	}
	if err := Save(fixtures(), dir); err != nil {
		t.Fatalf("Save over a format-1 index: %v", err)
	}
	ix, err := OpenSaved(dir)
	if err != nil {
		t.Fatalf("OpenSaved after saving again: %v", err)
	}
	defer ix.Close()
	if res := run(t, ix, Query{Text: "rateLimitExceeded"}); len(res.Hits) == 0 || res.Hits[0].ID != "401-identifiers" || res.Hits[0].Match != "code" {
		t.Errorf("rateLimitExceeded after saving again: %+v, want 401-identifiers named by its code", res.Hits)
	}
}

// A code table that is not one errata index wrote, even with a manifest
// that agrees with it, is an error that names it: never a panic, and never
// codes that name entries out of range.
func TestOpenSavedRefusesBadCodes(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(saved(t), codesFile))
	if err != nil {
		t.Fatal(err)
	}
	entryAt := len(codesMagic) + 8 + 8*int(binary.LittleEndian.Uint32(good[len(codesMagic):]))
	for name, bad := range map[string][]byte{
		"empty":           {},
		"magic only":      []byte(codesMagic),
		"cut":             good[:len(good)-3],
		"other magic":     append([]byte("errata-codes/9\x00\x00"), good[len(codesMagic):]...),
		"entry too large": append(append(slices.Clone(good[:entryAt]), 0xff, 0xff, 0xff, 0x7f), good[entryAt+4:]...),
		"keys unordered":  append(append(slices.Clone(good[:len(codesMagic)+8]), 0xff, 0xff, 0, 0), good[len(codesMagic)+12:]...),
	} {
		t.Run(name, func(t *testing.T) {
			dir := saved(t)
			writeTestFile(t, filepath.Join(dir, codesFile), string(bad))
			remove(t, filepath.Join(dir, manifestFile))
			if err := writeManifest(dir); err != nil {
				t.Fatal(err)
			}
			ix, err := OpenSaved(dir)
			if err == nil {
				ix.Close()
				t.Fatal("OpenSaved succeeded")
			}
			if msg := err.Error(); !strings.Contains(msg, "unreadable saved codes") || !strings.Contains(msg, "errata index --out "+dir) {
				t.Errorf("err = %q", msg)
			}
		})
	}
}

// A saved index of the real catalogue answers exactly as the one built in
// memory: every entry whole (codes, source and import date included), every
// code of every entry by ByCode, every paste of the paste set (the codes it
// names, its hits, totals and facets), and the status and provider facets
// of browsing.
func TestSavedRealCatalogueAnswersAsBuilt(t *testing.T) {
	built, opened := importedBuiltAndSaved(t)

	if opened.Len() != built.Len() {
		t.Fatalf("Len = %d, built %d", opened.Len(), built.Len())
	}
	var withCodes, withSource, imported int
	codes := map[string]bool{}
	for i := range built.Len() {
		want, got := built.At(i), opened.At(i)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("entry %d (-built +saved):\n%s", i, diff)
		}
		withCodes += min(len(got.Codes), 1)
		withSource += min(len(got.Source.Name), 1)
		if !got.Imported.IsZero() {
			imported++
		}
		for _, code := range got.Codes {
			codes[code] = true
		}
	}
	// The catalogue must hold what is compared, or the check above proves nothing.
	if withCodes < 2000 || withSource < 2000 || imported < 2000 {
		t.Fatalf("of %d entries, %d have codes, %d a source, %d an import date; want the real corpora's thousands",
			built.Len(), withCodes, withSource, imported)
	}

	for code := range codes {
		want, got := built.ByCode(code), opened.ByCode(code)
		if len(want) == 0 {
			t.Errorf("ByCode(%q) found nothing in the built index", code)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ByCode(%q) (-built +saved):\n%s", code, diff)
		}
	}

	// Scores are sums whose last bits follow bleve's segments: one built in
	// memory, the saved index's merged one.
	sameAnswer := cmp.Options{cmpopts.IgnoreFields(Results{}, "Took"), cmpopts.EquateApprox(0, 1e-12)}
	cases, err := pasteset.Load("testdata/pastes.json")
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, pc := range cases {
		want, got := run(t, built, Query{Text: pc.Paste}), run(t, opened, Query{Text: pc.Paste})
		named += min(len(got.Understood.Codes), 1)
		if diff := cmp.Diff(want, got, sameAnswer); diff != "" {
			t.Errorf("paste %q (-built +saved):\n%s", clip(pc.Paste, 60), diff)
		}
	}
	if named < len(cases)/3 {
		t.Errorf("only %d of %d pastes named a code in the saved index", named, len(cases))
	}

	for _, q := range []Query{
		{}, {Status: StatusSet{{0, 0}}}, {Providers: []string{"twilio"}}, {Status: StatusSet{{400, 499}}, Providers: []string{"microsoft"}},
		{Text: "AADSTS50126"}, {Text: "21211"}, {Text: "ErrorItemNotFound"}, {Text: "invalid_grant"}, {Text: "rate limit", Providers: []string{"twilio"}},
	} {
		want, got := run(t, built, q), run(t, opened, q)
		if diff := cmp.Diff(want, got, sameAnswer); diff != "" {
			t.Errorf("%+v (-built +saved):\n%s", q, diff)
		}
	}
}

// A small saved catalogue is opened as a build holds it, its entries
// decoded once and its terms in sets, and answers every query as the build
// does, hit for hit in the same order (entries of the same text included,
// whose scores differ in their last bits: see rankOf); one entry past
// fewTexts stays mapped and looks its terms up in the dictionaries, and
// answers the same too.
func TestSavedSmallCatalogueAnswersAsBuilt(t *testing.T) {
	t.Parallel() // builds and saves its own indexes
	sameAnswer := cmp.Options{cmpopts.IgnoreFields(Results{}, "Took"), cmpopts.EquateApprox(0, 1e-12)}
	cases, err := pasteset.Load("testdata/pastes.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, es := range atFewTexts(t) {
		opened, built := savedAndBuilt(t, es)
		small := len(es) <= wholeTextEntries
		if (opened.entries.all != nil) != small || (opened.heldTerms != nil) != small {
			t.Fatalf("%d entries saved: decoded whole %v, terms held %v; want both %v",
				len(es), opened.entries.all != nil, opened.heldTerms != nil, small)
		}
		if diff := cmp.Diff(built.heldTerms, opened.heldTerms); diff != "" {
			t.Errorf("%d entries: held terms (-built +saved):\n%s", len(es), diff)
		}
		qs := markedQueries(t, es, 80, rand.New(rand.NewPCG(uint64(len(es)), 3)))
		for _, c := range cases {
			qs = append(qs, c.Paste)
		}
		for _, q := range qs {
			want, got := run(t, built, Query{Text: q}), run(t, opened, Query{Text: q})
			if diff := cmp.Diff(want, got, sameAnswer); diff != "" {
				t.Fatalf("%d entries, %q (-built +saved):\n%s", len(es), clip(q, 60), diff)
			}
		}
	}
}
