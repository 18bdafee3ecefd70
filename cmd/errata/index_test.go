package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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

	if r := run(t, nil, "index", "--out", out); r.code != 2 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("index over an existing folder: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := run(t, nil, "index"); r.code != 2 || !strings.Contains(r.stderr, "--out DIR is required") {
		t.Errorf("index without --out: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := run(t, nil, "serve", "--index", out, "--watch", "--content", "x"); r.code != 2 || !strings.Contains(r.stderr, "drop --content and --watch") {
		t.Errorf("serve --index with --watch: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--index", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "run errata index") {
		t.Errorf("serve --index of an empty folder: exit %d, stderr %q", r.code, r.stderr)
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
// index at once with exit 1 and says the output is incomplete.
func TestIndexStopsOnSIGTERM(t *testing.T) {
	dir := largeCatalogue(t, 40)
	out := filepath.Join(t.TempDir(), "index")
	p := launch(t, nil, nil, "index", "--content", dir, "--out", out)
	waitFor(t, "index creates "+out, 30*time.Second, func() bool {
		_, err := os.Stat(out)
		return err == nil
	})
	p.signal(t, syscall.SIGTERM)
	code := p.wait(t, 20*time.Second)
	want := "errata index: stopped while indexing (terminated signal received); " + out + " is incomplete: remove it if it exists, then run index again\n"
	if code != 1 || p.Log.String() != want || p.Stdout.String() != "" {
		t.Errorf("index after SIGTERM: exit %d\nstdout %s\nstderr %s\nwant exit 1 and %q", code, p.Stdout, p.Log, want)
	}
}
