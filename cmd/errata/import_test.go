package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/google/go-cmp/cmp"
)

// handWritten is an entry a writer wrote by hand, with the id errata import
// gives acme:1001.
const handWritten = `---
id: acme-1001
status: 409
title: Widget Already Exists
updated: 2026-11-24
---

## Cause

Written by hand: the import must never replace it.

## Solution

Keep it.
`

// acmeLine is one valid record of the acme catalogue with the given id
// (its code is the part after "acme:"), status (JSON) and title (JSON) and
// a cause of the given size. Acme is no declared provider: its errors are
// every provider's.
func acmeLine(id, status, title string, causeBytes int) string {
	return fmt.Sprintf(`{"id": %q, "source": "test", "status": %s, "provider": "", "code": %q, "title": %s, "message": "Something failed.", "body": "", "cause": %q, "solution": "Try again."}`,
		id, status, strings.TrimPrefix(id, "acme:"), title, strings.Repeat("x", causeBytes))
}

// tree records everything below dir: each file's bytes and modification
// time, each link's target, each folder. Two equal trees mean nothing was
// written, replaced or touched.
func tree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			m[rel] = "link to " + target
			return err
		case d.IsDir():
			m[rel] = "folder"
		default:
			b, err := os.ReadFile(p)
			m[rel] = fmt.Sprintf("%s\n(modified %s)", b, info.ModTime().Format(time.RFC3339Nano))
			return err
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func writeFile(tb testing.TB, path, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func symlink(tb testing.TB, target, link string) {
	tb.Helper()
	if err := os.Symlink(target, link); err != nil {
		tb.Fatal(err)
	}
}

// TestImportRefusesHostileInput runs errata import on input and folders an
// attacker (or a careless writer) prepared. Each must end with exit 1, every
// problem named as file.jsonl:line (and the file in the way, if any), and
// not one byte written anywhere.
func TestImportRefusesHostileInput(t *testing.T) {
	tests := []struct {
		name  string
		jsonl string                          // the lines of in.jsonl
		setup func(tb testing.TB, dir string) // plants files in dir, which holds in.jsonl, out and outside
		out   string                          // --out, relative to dir; "out" when empty
		want  []string                        // in stderr; DIR is replaced by dir
	}{
		{
			name:  "hand-written entry with the same id",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) { writeFile(tb, filepath.Join(dir, "out", "acme-1001.md"), handWritten) },
			want:  []string{"in.jsonl:1: ", "DIR/out/acme-1001.md already exists and errata import did not write it"},
		},
		{
			name:  "hand-written entry with the same id in a subfolder",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) {
				writeFile(tb, filepath.Join(dir, "out", "hand", "acme-1001.md"), handWritten)
			},
			want: []string{"in.jsonl:1: ", `id "acme-1001" is already the id of DIR/out/hand/acme-1001.md`},
		},
		{
			name:  "an entry's old id",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) {
				renamed := strings.Replace(strings.Replace(handWritten, "acme-1001", "widget-exists", 1), "updated:", "redirect_from: [acme-1002]\nupdated:", 1)
				writeFile(tb, filepath.Join(dir, "out", "widget-exists.md"), renamed)
			},
			want: []string{"in.jsonl:2: ", `id "acme-1002" is an old id of DIR/out/widget-exists.md`},
		},
		{
			name:  "link in --out to a file outside",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) {
				writeFile(tb, filepath.Join(dir, "outside", "secret.md"), "secret\n")
				writeFile(tb, filepath.Join(dir, "out", "keep.txt"), "the folder exists\n")
				symlink(tb, "../outside/secret.md", filepath.Join(dir, "out", "acme-1001.md"))
			},
			want: []string{"in.jsonl:1: ", "DIR/out/acme-1001.md is a symbolic link"},
		},
		{
			name:  "dangling link in --out",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) {
				os.MkdirAll(filepath.Join(dir, "outside"), 0o755)
				os.MkdirAll(filepath.Join(dir, "out"), 0o755)
				symlink(tb, "../outside/created.md", filepath.Join(dir, "out", "acme-1002.md"))
			},
			want: []string{"in.jsonl:2: ", "DIR/out/acme-1002.md is a symbolic link"},
		},
		{
			name:  "--out is a link",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) {
				os.MkdirAll(filepath.Join(dir, "outside"), 0o755)
				symlink(tb, "outside", filepath.Join(dir, "out"))
			},
			want: []string{"DIR/out is a symbolic link"},
		},
		{
			name:  "--out is a link, written with a trailing slash",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) {
				os.MkdirAll(filepath.Join(dir, "outside"), 0o755)
				symlink(tb, "outside", filepath.Join(dir, "out"))
			},
			out:  "out/",
			want: []string{"DIR/out is a symbolic link"},
		},
		{
			name:  "--out is a file",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) { writeFile(tb, filepath.Join(dir, "out"), "not a folder\n") },
			want:  []string{"DIR/out is not a folder"},
		},
		{
			name:  "status 999",
			jsonl: acmeLine("acme:1", "409", `"T"`, 10) + "\n" + acmeLine("acme:2", "999", `"T"`, 10) + "\n",
			want:  []string{`in.jsonl:2: field "status": status 999 is outside 100–599 — `},
		},
		{
			name:  "null title",
			jsonl: acmeLine("acme:1", "409", `"T"`, 10) + "\n" + acmeLine("acme:2", "null", "null", 10) + "\n",
			want:  []string{`in.jsonl:2: field "title": title is empty or not text — `},
		},
		{
			name:  "300 KB cause",
			jsonl: acmeLine("acme:1", "409", `"T"`, 10) + "\n" + acmeLine("acme:2", "409", `"T"`, 300_000) + "\n",
			want:  []string{`in.jsonl:2: the entry file would be 294 KiB, over the 256 KiB limit; its longest field is "cause" (293 KiB) — shorten`},
		},
		{
			name:  "300-character id",
			jsonl: acmeLine("acme:1", "409", `"T"`, 10) + "\n" + acmeLine("acme:"+strings.Repeat("9", 295), "409", `"T"`, 10) + "\n",
			want:  []string{"in.jsonl:2: id \"acme:999", "is too long"},
		},
		{
			name:  "the same id twice",
			jsonl: acmeLine("acme:1", "409", `"T"`, 10) + "\n" + acmeLine("acme:2", "409", `"T"`, 10) + "\n" + acmeLine("acme:1", "409", `"T"`, 10) + "\n",
			want:  []string{`in.jsonl:3: duplicate id "acme:1", also on line 1 — `},
		},
		{
			name:  "every problem in one pass",
			jsonl: acmeLine("acme:1", "409", `"T"`, 10) + "\n{\"id\": \"acme:2\",\n" + acmeLine("acme:3", "1000", `""`, 10) + "\n{}\n",
			want: []string{"in.jsonl:2: not a JSON record", `in.jsonl:3: field "status": status 1000`, `in.jsonl:3: field "title"`,
				"in.jsonl:4: record has no id", "nothing was written"},
		},
		{
			name:  "no records",
			jsonl: "\n\n",
			want:  []string{"in.jsonl:1: no records"},
		},
		{
			name:  "a provider no providers.yaml declares",
			jsonl: strings.Replace(acmeLine("acme:1", "409", `"T"`, 10), `"provider": ""`, `"provider": "acme"`, 1) + "\n",
			want:  []string{`in.jsonl:1: provider "acme" is not declared in content/providers.yaml — declare it in a providers.yaml beside the entries`},
		},
		{
			name:  "a code an entry in --out claims",
			jsonl: importJSONL,
			setup: func(tb testing.TB, dir string) {
				owner := strings.Replace(strings.Replace(handWritten, "acme-1001", "widget-exists", 1), "updated:", "codes: [\"1002\"]\nupdated:", 1)
				writeFile(tb, filepath.Join(dir, "out", "widget-exists.md"), owner)
			},
			want: []string{"in.jsonl:2: ", `code "1002" is already claimed by DIR/out/widget-exists.md`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "in.jsonl"), tt.jsonl)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			out := tt.out
			if out == "" {
				out = "out"
			}
			before := tree(t, dir)
			r := run(t, nil, "import", filepath.Join(dir, "in.jsonl"), "--out", filepath.Join(dir, out))
			if r.code != 1 {
				t.Errorf("exit %d, want 1\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if diff := cmp.Diff(before, tree(t, dir)); diff != "" {
				t.Errorf("the import changed files although it failed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestImportIsIdempotent imports the same catalogue again, on a later day:
// the files keep their bytes and are not rewritten; a changed record
// rewrites its file only, and files the import wrote may be replaced.
func TestImportIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "acme.jsonl"), filepath.Join(dir, "out")
	writeFile(t, in, importJSONL)
	if r := run(t, nil, "import", in, "--out", out); r.code != 0 {
		t.Fatalf("first import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// As if the import had run long ago: an old import date and an old
	// modification time on every file.
	long := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	files, _ := filepath.Glob(filepath.Join(out, "*.md"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		today := "imported: " + time.Now().UTC().Format(time.DateOnly)
		if !strings.Contains(string(b), today) {
			t.Fatalf("%s has no %q line:\n%s", f, today, b)
		}
		writeFile(t, f, strings.Replace(string(b), today, "imported: 2020-01-02", 1))
		if err := os.Chtimes(f, long, long); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, dir)
	r := run(t, nil, "import", in, "--out", out)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "imported 3 entries") || !strings.Contains(r.stdout, "0 written, 3 unchanged") {
		t.Errorf("second import: exit %d, stdout %q; want 0 written, 3 unchanged\n%s", r.code, r.stdout, r.stderr)
	}
	if diff := cmp.Diff(before, tree(t, dir)); diff != "" {
		t.Errorf("importing the same records again changed files (-before +after):\n%s", diff)
	}

	writeFile(t, in, strings.Replace(importJSONL, "Pick another name.", "Pick a name nobody uses.", 1))
	if r := run(t, nil, "import", in, "--out", out); r.code != 0 || !strings.Contains(r.stdout, "1 written, 2 unchanged") {
		t.Errorf("import of one changed record: exit %d, stdout %q; want 1 written, 2 unchanged\n%s", r.code, r.stdout, r.stderr)
	}
	after := tree(t, dir)
	for name, was := range before {
		changed := after[name] != was
		if want := name == "acme.jsonl" || name == filepath.Join("out", "acme-1001.md"); changed != want {
			t.Errorf("%s changed: %v, want %v", name, changed, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out, "acme-1001.md")); !strings.Contains(string(b), "Pick a name nobody uses.") {
		t.Errorf("acme-1001.md was not rewritten with the changed solution:\n%s", b)
	}
}

// TestImportRealCorpora imports every real catalogue into one folder: all
// 2,832 records become entries that pass errata check, 2,807 of them, for
// Exchange's and Graph's references give 25 codes twice (each such pair is
// one entry).
func TestImportRealCorpora(t *testing.T) {
	t.Parallel()
	dir, ok := corpustest.Dir()
	if !ok {
		corpustest.Missing(t, "", corpustest.ErrNoCorpora.Error())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) != 4 {
		t.Fatalf("%d JSONL files in %s, want 4", len(files), dir)
	}
	out := filepath.Join(t.TempDir(), "imported")
	for _, f := range files {
		if r := run(t, nil, "import", f, "--out", out); r.code != 0 {
			t.Fatalf("import %s: exit %d\n%s%.3000s", f, r.code, r.stdout, r.stderr)
		}
	}
	if r := run(t, nil, "check", out); r.code != 0 || r.stdout != "2807 entries, 0 problems\n" {
		t.Errorf("check of the imported corpora: exit %d, %.3000s", r.code, r.stdout)
	}
}
