package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// An index built ahead of time serves the same catalogue, with no Markdown
// read at start: the content folder may be gone by then.
func TestIndexThenServe(t *testing.T) {
	src := copyEntries(t)
	out := filepath.Join(t.TempDir(), "index")
	r := run(t, nil, "index", "--content", src, "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "entries indexed into "+out) || !strings.Contains(r.stdout, "serve --index "+out) {
		t.Fatalf("index: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	s := start(t, nil, "--index", out)
	if !strings.HasPrefix(s.Banner, "errata: "+strconv.Itoa(catalogueSize(t))+" entries") {
		t.Errorf("banner %q, want the catalogue's %d entries", s.Banner, catalogueSize(t))
	}
	_, body := get(t, s.URL+"/api/v1/search?q=Invalid+or+revoked+refresh+token")
	var res struct {
		Results []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || len(res.Results) == 0 || res.Results[0].ID != "400-gmail-authentication-failed" {
		t.Errorf("search through the saved index: %v %s", err, body)
	}

	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "index", "--out", filepath.Dir(notes)); r.code != 2 || !strings.Contains(r.stderr, "not an index written by errata index") {
		t.Errorf("index over a folder of other files: exit %d, stderr %q", r.code, r.stderr)
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "mine" {
		t.Errorf("a file in the folder refused: %q, %v; want it untouched", b, err)
	}
	if r := run(t, nil, "index"); r.code != 2 || !strings.Contains(r.stderr, "--out DIR is required") {
		t.Errorf("index without --out: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := run(t, nil, "serve", "--index", out, "--watch", "--content", "x"); r.code != 2 || !strings.Contains(r.stderr, "drop --content and --watch") {
		t.Errorf("serve --index with --watch: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--index", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "errata index --out") {
		t.Errorf("serve --index of an empty folder: exit %d, stderr %q", r.code, r.stderr)
	}
}

// saveIndex writes the embedded catalogue's index with errata index.
func saveIndex(tb testing.TB) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "index")
	if r := run(tb, nil, "index", "--out", out); r.code != 0 {
		tb.Fatalf("index: exit %d\n%s", r.code, r.stderr)
	}
	return out
}

// Replicas share one saved index, which none of them may write: both
// start and answer, and the folder is byte for byte and time for time as
// errata index left it. (Tests run as root, who writes anyway: the
// unchanged files prove nothing was written.)
func TestIndexReplicasShareReadOnlyFolder(t *testing.T) {
	out := saveIndex(t)
	before := fileStates(t, out)
	if err := exec.Command("chmod", "-R", "a-w", out).Run(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exec.Command("chmod", "-R", "u+w", out).Run() })

	t.Parallel()
	replicas := []*server{start(t, nil, "--index", out, "--drain", "0s"), start(t, nil, "--index", out, "--drain", "0s")}
	for _, s := range replicas {
		if resp, body := get(t, s.URL+"/api/v1/search?q=quota"); resp.StatusCode != 200 || !strings.Contains(body, `"total"`) {
			t.Errorf("replica %s: %d %s", s.URL, resp.StatusCode, body)
		}
	}
	for _, s := range replicas {
		s.signal(t, syscall.SIGTERM)
	}
	for _, s := range replicas {
		if code := s.wait(t, 30*time.Second); code != 0 {
			t.Errorf("replica exit %d after SIGTERM:\n%s", code, s.Log)
		}
	}
	if diff := cmp.Diff(before, fileStates(t, out)); diff != "" {
		t.Errorf("serving changed the saved index (-before +after):\n%s", diff)
	}
}

// fileStates is every file under dir with its SHA-256 and modification time.
func fileStates(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	states := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		sum := sha256.Sum256(b)
		states[path] = hex.EncodeToString(sum[:]) + " " + info.ModTime().Format(time.RFC3339Nano)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return states
}

// A damaged saved index stops serve at start with exit 1 and a message
// naming the file and how to rebuild: never a panic, a hang or a 500 later.
func TestServeRefusesDamagedIndex(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(dir string) (file string, err error)
		says   string
	}{
		{"truncated root.bolt", func(dir string) (string, error) {
			path := filepath.Join(dir, "bleve", "store", "root.bolt")
			return path, os.Truncate(path, 10_000)
		}, "is truncated"},
		{"one byte flipped in a segment", func(dir string) (string, error) {
			zaps, err := filepath.Glob(filepath.Join(dir, "bleve", "store", "*.zap"))
			if err != nil || len(zaps) == 0 {
				return "", fmt.Errorf("no zap segment: %v", err)
			}
			b, err := os.ReadFile(zaps[0])
			if err != nil {
				return "", err
			}
			b[len(b)/2] ^= 0x01
			return zaps[0], os.WriteFile(zaps[0], b, 0o644)
		}, "has changed since errata index wrote it"},
		{"deleted file", func(dir string) (string, error) {
			path := filepath.Join(dir, "entries.bin")
			return path, os.Remove(path)
		}, "is missing"},
		{"manifest missing", func(dir string) (string, error) {
			path := filepath.Join(dir, "errata-manifest.json")
			return path, os.Remove(path)
		}, "not an index written by errata index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := saveIndex(t)
			file, err := tc.damage(out)
			if err != nil {
				t.Fatal(err)
			}
			r := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--index", out)
			if r.code != 1 || strings.Contains(r.stderr, "panic") {
				t.Fatalf("serve --index of a damaged index: exit %d, want 1\n%s", r.code, r.stderr)
			}
			for _, want := range []string{"--index " + out, filepath.Base(file), tc.says, "errata index --out " + out} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q, want it to say %q", r.stderr, want)
				}
			}
		})
	}
}

// errata index replaces an index it wrote while replicas serve it: they
// keep answering from the files they opened, and a replica started after
// serves the new one.
func TestIndexReplacesWhileServing(t *testing.T) {
	src := copyEntries(t)
	out := saveIndex(t)
	old := start(t, nil, "--index", out)
	files, err := filepath.Glob(filepath.Join(src, "*.md"))
	if err != nil || len(files) < 2 {
		t.Fatalf("entries: %v", err)
	}
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "index", "--content", src, "--out", out); r.code != 0 {
		t.Fatalf("index over the index being served: exit %d\n%s", r.code, r.stderr)
	}
	removed := "/api/v1/errors/" + strings.TrimSuffix(filepath.Base(files[0]), ".md")
	if resp, body := get(t, old.URL+removed); resp.StatusCode != 200 {
		t.Errorf("replica started before, GET %s: %d %s, want the old index's entry", removed, resp.StatusCode, body)
	}
	if resp, body := get(t, old.URL+"/api/v1/search?q=quota"); resp.StatusCode != 200 {
		t.Errorf("replica started before, search: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, start(t, nil, "--index", out).URL+removed); resp.StatusCode != 404 {
		t.Errorf("replica started after, GET %s: %d, want 404 from the new index", removed, resp.StatusCode)
	}
	if names, err := os.ReadDir(filepath.Dir(out)); err != nil || len(names) != 1 {
		t.Errorf("beside the index: %v (%v), want nothing left over", names, err)
	}
}

// TestIndexNamedPipe: a named pipe called *.md is a file:line problem; index
// exits 1 at once and writes nothing.
func TestIndexNamedPipe(t *testing.T) {
	dir, pipe := withPipe(t)
	out := filepath.Join(t.TempDir(), "index")
	r := runWithin(t, 20*time.Second, nil, "index", "--content", dir, "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, pipeProblem(pipe)+"\n") {
		t.Errorf("index of a folder with a named pipe: exit %d\nstdout %s\nstderr %s\nwant exit 1 and %q", r.code, r.stdout, r.stderr, pipeProblem(pipe))
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("index of a folder with problems created %s", out)
	}
}

// TestIndexStopsOnSIGTERM: SIGTERM while the index is being written ends
// index at once with exit 1, and --out is left as it was: the index is
// built in a hidden sibling and only renamed into place once whole.
func TestIndexStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := readOnlyLargeCatalogue(t)
	out := filepath.Join(t.TempDir(), "index")
	p := launch(t, nil, nil, "index", "--content", dir, "--out", out)
	waitFor(t, "index starts building beside "+out, 30*time.Second, func() bool {
		tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".index.tmp-*"))
		return len(tmp) > 0
	})
	p.signal(t, syscall.SIGTERM)
	code := p.wait(t, 20*time.Second)
	want := "errata index: stopped while indexing (terminated signal received); " + out + " was left as it was (remove any hidden .index.tmp-* folder beside it)\n"
	if code != 1 || p.Log.String() != want || p.Stdout.String() != "" {
		t.Errorf("index after SIGTERM: exit %d\nstdout %s\nstderr %s\nwant exit 1 and %q", code, p.Stdout, p.Log, want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("index stopped by SIGTERM still created %s", out)
	}
}
