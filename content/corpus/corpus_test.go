package corpus_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

func TestReadDirReal(t *testing.T) {
	recs := corpustest.RealRecords(t)
	if len(recs) != 2832 {
		t.Fatalf("read %d records, want the 2,832 of ../shared/corpora", len(recs))
	}
	count := map[string]int{}
	for _, r := range recs {
		count[r.Provider]++
	}
	want := map[string]int{"microsoft-entra": 312, "microsoft-ews": 482, "microsoft-graph": 85, "twilio": 1953}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("records per provider (-want +got):\n%s", diff)
	}
	// Sorted by file then line: aadsts.jsonl comes first.
	if recs[0].ID != "aadsts:AADSTS16000" {
		t.Errorf("first record %q, want the first line of aadsts.jsonl", recs[0].ID)
	}
}

func TestReadFileNamesTheBadLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.jsonl")
	data := `{"id":"a:1","title":"A","message":"m"}` + "\n\n" + `{"id":"a:2",` + "\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := corpus.ReadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":3: not a JSON record") {
		t.Errorf("err = %v, want it to name %s:3", err, path)
	}
	if err := os.WriteFile(path, []byte(`{"title":"no id"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := corpus.ReadFile(path); err == nil || !strings.Contains(err.Error(), ":1: record has no id") {
		t.Errorf("err = %v, want a missing-id error on line 1", err)
	}
	if _, err := corpus.ReadDir(t.TempDir()); err == nil {
		t.Error("ReadDir of a folder without .jsonl files succeeded")
	}
}

func TestTwilioCausesComeFromTheBody(t *testing.T) {
	body := "## Warning - 82001\r\n\r\n### Function invocation resulted in StatusCode 4xx\r\nYour Function invocation returned a 4xx StatusCode. \r\n\r\n#### Possible Causes\r\n* Function route does not exist\r\n\r\n#### Possible Solutions\r\n* Check the Function route you are invoking exists"
	es := corpus.Entries([]corpus.Record{{ID: "twilio:82001", Provider: "twilio", Code: "82001", Title: "T", Message: "M", Body: body}})
	cause, _ := es[0].Section("cause")
	sol, _ := es[0].Section("solution")
	if cause.Text != "Function route does not exist" || sol.Text != "Check the Function route you are invoking exists" {
		t.Errorf("cause %q, solution %q: want the body's Possible Causes / Possible Solutions", cause.Text, sol.Text)
	}
	for _, empty := range []*string{nil, ptr(""), ptr("- "), ptr("*\r\n-")} {
		es = corpus.Entries([]corpus.Record{{ID: "ews:X", Provider: "microsoft-ews", Code: "X", Title: "X", Message: "M", Cause: empty}})
		if c, _ := es[0].Section("cause"); c.Text != corpus.NoCause {
			t.Errorf("cause %q where the source gives none, want %q", c.Text, corpus.NoCause)
		}
	}
}

func TestEntries(t *testing.T) {
	recs := corpustest.RealRecords(t)
	es := corpus.Entries(recs)
	if len(es) != len(recs) {
		t.Fatalf("%d entries for %d records", len(es), len(recs))
	}
	ids := map[string]bool{}
	for i, e := range es {
		if !content.IsSlug(e.ID) || ids[e.ID] {
			t.Fatalf("entry %d: id %q is not a unique slug", i, e.ID)
		}
		ids[e.ID] = true
		if e.Title != recs[i].Title || !slices.Contains(e.Aliases, recs[i].Code) {
			t.Errorf("%s: title %q aliases %q, want the record's title and code", e.ID, e.Title, e.Aliases)
		}
	}
	for id, want := range map[string]string{"twilio:22225": "twilio-22225", "aadsts:AADSTS50126": "aadsts-aadsts50126", "ews:ErrorArchiveMailboxServiceDiscoveryFailed#2": "ews-errorarchivemailboxservicediscoveryfailed-2"} {
		i := slices.IndexFunc(recs, func(r corpus.Record) bool { return r.ID == id })
		if i < 0 || es[i].ID != want {
			t.Errorf("record %s → id %q, want %q", id, es[i].ID, want)
		}
	}
}

func BenchmarkEntries(b *testing.B) {
	recs := corpustest.RealRecords(b)
	for b.Loop() {
		corpus.Entries(recs)
	}
}

// BenchmarkLoadImported loads the 2,832 imported entries from disk (target:
// well under a couple of seconds).
func BenchmarkLoadImported(b *testing.B) {
	recs := corpustest.RealRecords(b)
	dir := b.TempDir()
	if _, err := corpus.Import(recs, dir, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := content.LoadDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}
