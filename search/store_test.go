package search

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/errata/errata/content"
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
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Results{}, "Took")); diff != "" {
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
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Results{}, "Took")); diff != "" {
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
