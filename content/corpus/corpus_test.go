package corpus_test

import (
	"bytes"
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

func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// checkRoundTrip imports recs, loads the files back and compares every
// entry with its record.
func checkRoundTrip(t *testing.T, recs []corpus.Record) {
	t.Helper()
	dir := t.TempDir()
	var progress bytes.Buffer
	st, err := corpus.Import(recs, dir, &progress)
	if err != nil || st.Written != len(recs) {
		t.Fatalf("Import = %+v, %v; want %d written, nil", st, err, len(recs))
	}
	loaded, err := content.LoadDir(dir)
	if err != nil {
		t.Fatalf("imported entries do not load cleanly:\n%.3000s", err)
	}
	if len(loaded) != len(recs) {
		t.Fatalf("loaded %d entries from %d records", len(loaded), len(recs))
	}
	if !strings.HasSuffix(progress.String(), "imported "+itoa(len(recs))+"/"+itoa(len(recs))+" entries\n") {
		t.Errorf("progress ends %q", progress.String()[max(0, progress.Len()-80):])
	}
	byID := map[string]content.Entry{}
	for _, e := range loaded {
		byID[e.ID] = e
	}
	direct := corpus.Entries(recs)
	for i, r := range recs {
		e, ok := byID[direct[i].ID]
		if !ok {
			t.Errorf("record %s: no entry %s", r.ID, direct[i].ID)
			continue
		}
		var want []string
		if strings.TrimSpace(r.Message) != "" {
			want = []string{r.Message}
		}
		if !slices.Equal(e.Messages, want) {
			t.Errorf("%s: messages %q, want %q verbatim", e.ID, e.Messages, want)
		}
		if e.Title != r.Title || (r.Status != nil) != (e.Status != 0) || (r.Status != nil && *r.Status != e.Status) {
			t.Errorf("%s: title %q status %d, want %q %v", e.ID, e.Title, e.Status, r.Title, r.Status)
		}
		// A blank code or provider would be an empty alias, which fails check.
		aliases := []string{r.Code, r.ID}
		if strings.TrimSpace(r.Code) == "" {
			aliases = []string{r.ID}
		}
		if strings.TrimSpace(r.Provider) != "" && !content.BuiltinProviders().Known(r.Provider) {
			aliases = append(aliases, r.Provider)
		}
		if !slices.Equal(e.Aliases, aliases) || content.BuiltinProviders().Known(r.Provider) && !slices.Equal(e.Providers, []string{r.Provider}) {
			t.Errorf("%s: aliases %q", e.ID, e.Aliases)
		}
		for _, id := range []string{"cause", "solution"} {
			got, _ := e.Section(id)
			wantSec, _ := direct[i].Section(id)
			if words(got.Text) != words(wantSec.Text) {
				t.Errorf("%s: %s renders as\n%q\nwant the source text\n%q", e.ID, id, words(got.Text), words(wantSec.Text))
			}
		}
	}
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestImportRoundTripReal(t *testing.T) {
	checkRoundTrip(t, corpustest.RealRecords(t))
}

// Text Markdown would eat must come back verbatim.
func TestImportRoundTripTricky(t *testing.T) {
	nasty := []string{
		"1. not a list\n2) nor this",
		"- dash\n+ plus\n* star\n= equals\n---\n===",
		"# not a heading\n## nor this",
		"> not a quote",
		"<script>alert(1)</script> <b>bold</b> <!-- comment -->",
		"&amp; &lt; &#60; &copy;",
		"`code` **bold** _em_ ~strike~ [link](javascript:alert(1)) ![img](x.png) <https://example.com>",
		"back\\slash at the end \\",
		"    indented four spaces\n\tand a tab",
		"two trailing spaces  \nhard break?",
		"| a | b |\n|---|---|",
		"[ref]: https://example.com\n[ref]",
		"CRLF\r\nlines\r\n\r\nand a paragraph",
		"non\u00a0breaking and “quotes” ‘single’ … — ünïcödé",
		"{EmailHidden} '{idp}' \"double\" : colon # hash",
		"---\nid: fake\n---",
		"## Cause",
		"line\n\n\n\nwith blank lines",
	}
	var recs []corpus.Record
	for i, s := range nasty {
		recs = append(recs, corpus.Record{
			ID: "twilio:" + fmtInt(90000+i), Provider: "twilio", Code: fmtInt(90000 + i),
			Title: "Title: " + strings.ReplaceAll(s, "\n", " "), Message: s, Cause: ptr(s), Solution: ptr("Fix: " + s),
		})
	}
	recs = append(recs, corpus.Record{ID: "graph:http429", Provider: "microsoft-graph", Code: "429", Title: "Too Many Requests", Message: "m", Status: ptr(429)},
		corpus.Record{ID: "x:unknown", Provider: "nobody", Code: "1", Title: "t", Message: "  "},
		corpus.Record{ID: "x:nocode", Provider: " ", Code: " ", Title: "No code"})
	checkRoundTrip(t, recs)
}

func TestImportKeepsBulletsAsLists(t *testing.T) {
	dir := t.TempDir()
	recs := []corpus.Record{{ID: "twilio:1", Provider: "twilio", Code: "1", Title: "T", Message: "M",
		Cause: ptr("Intro line\r\n*  one <Dial>\r\n* two *em*\r\n\r\n-1 is not a bullet")}}
	if _, err := corpus.Import(recs, dir, nil); err != nil {
		t.Fatal(err)
	}
	es, err := content.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cause, _ := es[0].Section("cause")
	want := "<p>Intro line</p>\n<ul>\n<li>one &lt;Dial&gt;</li>\n<li>two *em*</li>\n</ul>\n<p>-1 is not a bullet</p>\n"
	if cause.HTML != want {
		t.Errorf("cause HTML\n%q\nwant\n%q", cause.HTML, want)
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
