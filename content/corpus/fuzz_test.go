package corpus_test

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
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

// FuzzImport imports random JSONL into a folder that holds a link to a
// file outside it and a dangling link, beside a sentinel folder. Whatever
// the input: nothing outside --out changes; a failed import changes nothing
// at all; a successful one leaves files that load without a problem and
// give back each record's title, codes and messages as Drafts makes them.
// Seeds: the first lines of each real corpus, and hostile records.
func FuzzImport(f *testing.F) {
	if dir, ok := corpustest.Dir(); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		for _, file := range files {
			lines := firstLines(f, file, 3)
			for _, l := range lines {
				f.Add(l)
			}
			f.Add(bytes.Join(lines, []byte("\n")))
		}
	}
	for _, s := range []string{
		`{"id":"twilio:30001","title":"T","code":"30001"}`, // the name of the link to the sentinel
		`{"id":"twilio:30002","title":"T","code":"30002"}`, // the name of the dangling link
		`{"id":"acme:1","title":"T","status":999}`,
		`{"id":"acme:1","title":null}`,
		`{"id":"../../sentinel/x","title":"T"}`,
		`{"id":"a:1","title":"T"}` + "\n" + `{"id":"a:1","title":"T"}`,
		`{"id":"a:1","title":"\u2028\u0000\u007f\"\\","message":"\ud800 \t\r\n","cause":"- \n> # x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		in, out, sentinel := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out"), filepath.Join(dir, "sentinel")
		must(t, os.WriteFile(in, data, 0o644))
		must(t, os.MkdirAll(out, 0o755))
		must(t, os.MkdirAll(sentinel, 0o755))
		must(t, os.WriteFile(filepath.Join(sentinel, "secret.md"), []byte("secret\n"), 0o644))
		links := []string{filepath.Join(out, "twilio-30001.md"), filepath.Join(out, "twilio-30002.md")}
		must(t, os.Symlink("../sentinel/secret.md", links[0]))
		must(t, os.Symlink("../sentinel/created.md", links[1]))

		before := snapshot(t, dir)
		_, err := corpus.ImportFile(in, out, nil)
		after := snapshot(t, dir)
		var ps content.Problems
		switch {
		case errors.As(err, &ps):
			if diff := cmp.Diff(before, after); diff != "" {
				t.Fatalf("a failed import changed files (-before +after):\n%s\nproblems:\n%s", diff, ps)
			}
			return
		case err != nil:
			t.Fatalf("import failed without naming a problem: %v", err)
		}
		for p, was := range before {
			if !strings.HasPrefix(p, "out"+string(filepath.Separator)) && after[p] != was {
				t.Fatalf("import changed %s outside --out: %q → %q", p, was, after[p])
			}
		}
		for p := range after {
			if _, ok := before[p]; !ok && filepath.Dir(p) != "out" {
				t.Fatalf("import created %s outside --out", p)
			}
		}

		for _, l := range links { // they are not entries: only the import's files are checked
			must(t, os.Remove(l))
		}
		loaded, err := content.LoadDir(out)
		if err != nil {
			t.Fatalf("imported files fail check:\n%.3000s", err)
		}
		recs, err := corpus.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]content.Entry{}
		for _, e := range loaded {
			byID[e.ID] = e
		}
		drafts, _ := corpus.Drafts(recs, content.BuiltinProviders())
		for _, d := range drafts {
			got := byID[d.ID]
			if got.Title != d.Title || !slices.Equal(got.Messages, d.Messages) || !slices.Equal(got.Codes, d.Codes) {
				t.Fatalf("record %q loads back as title %q, codes %q, messages %q; want %q, %q, %q", d.Records[0].ID, got.Title, got.Codes, got.Messages, d.Title, d.Codes, d.Messages)
			}
		}
	})
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// firstLines reads the first n lines of a file.
func firstLines(tb testing.TB, path string, n int) [][]byte {
	tb.Helper()
	file, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<20)
	var lines [][]byte
	for len(lines) < n && sc.Scan() {
		lines = append(lines, slices.Clone(sc.Bytes()))
	}
	return lines
}

// snapshot maps every path below dir to its bytes or link target.
func snapshot(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			m[rel] = "link to " + target
			return err
		case d.IsDir():
			m[rel] = "folder"
		default:
			b, err := os.ReadFile(p)
			m[rel] = string(b)
			return err
		}
		return nil
	})
	must(tb, err)
	return m
}
