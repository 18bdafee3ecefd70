package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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
