package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/errata/errata/content/corpus/corpustest"
)

// graphFolder imports the real Graph corpus into a new folder, as a team
// would, and returns it.
func graphFolder(t *testing.T) string {
	t.Helper()
	dir, ok := corpustest.Dir()
	if !ok {
		corpustest.Missing(t, "", corpustest.ErrNoCorpora.Error())
	}
	out := filepath.Join(t.TempDir(), "imported")
	if r := run(t, nil, "import", filepath.Join(dir, "graph.jsonl"), "--out", out); r.code != 0 {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return out
}

// total is what /api/v1/errors counts.
func total(t *testing.T, base string) int {
	t.Helper()
	_, body := get(t, base+"/api/v1/errors")
	var v struct{ Total int }
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("/api/v1/errors: %v\n%s", err, cut(body, 300))
	}
	return v.Total
}

// TestServeOursAndTheirs serves the built-in catalogue and an imported
// folder as one, without a file added to content/entries: from flags, from
// ERRATA_CONTENT, checked, indexed ahead, reloaded on a change.
func TestServeOursAndTheirs(t *testing.T) {
	t.Parallel()
	imported := graphFolder(t)
	n := catalogueSize(t)
	const graph = 83 // graph.jsonl's 85 records give resyncRequired and serviceNotAvailable twice

	s := start(t, nil, "--content", "embedded", "--content", imported, "--watch")
	if got := total(t, s.URL); got != n+graph {
		t.Errorf("--content embedded --content DIR serves %d entries, want %d + %d", got, n, graph)
	}
	for path, want := range map[string]string{
		"/errors/itemNotFound":        "/errors/graph-code-itemnotfound",
		"/errors/RATELIMITEXCEEDED":   "/errors/429-gmail-too-many-requests",
		"/errors/microsoft-graph/403": "/errors/graph-http403",
	} {
		resp, _ := get(t, s.URL+path) // redirects followed
		if got := resp.Request.URL.Path; resp.StatusCode != 200 || got != want {
			t.Errorf("%s: %d at %q, want to reach %s", path, resp.StatusCode, got, want)
		}
	}
	// A related link from an imported entry to one of ours loads as one
	// catalogue; a change in the folder reloads both.
	extra := strings.Join([]string{"---", "id: graph-see-ours", "status: 429", "title: Throttled by Graph",
		"providers: [microsoft-graph]", "related: [429-general-account-throttled]", "updated: 2026-12-01", "---", "",
		"## Cause", "", "Too many requests.", "", "## Solution", "", "Wait.", ""}, "\n")
	if err := os.WriteFile(filepath.Join(imported, "graph-see-ours.md"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the folder reloaded with the built-in catalogue", 10*time.Second, func() bool { return total(t, s.URL) == n+graph+1 })

	// ERRATA_CONTENT holds the same list, separated as PATH is; a flag
	// replaces it.
	s2 := start(t, []string{"ERRATA_CONTENT=embedded" + string(os.PathListSeparator) + imported})
	if got := total(t, s2.URL); got != n+graph+1 {
		t.Errorf("ERRATA_CONTENT=embedded:DIR serves %d entries, want %d", got, n+graph+1)
	}
	s3 := start(t, []string{"ERRATA_CONTENT=embedded" + string(os.PathListSeparator) + imported}, "--content", "embedded")
	if got := total(t, s3.URL); got != n {
		t.Errorf("--content embedded over ERRATA_CONTENT serves %d entries, want the built-in %d", got, n)
	}

	// check and index take the same folders.
	if r := run(t, nil, "check", "embedded", imported); r.code != 0 || !strings.HasPrefix(r.stdout, strconv.Itoa(n+graph+1)+" entries, 0 problems") {
		t.Errorf("check embedded DIR: exit %d\n%s", r.code, r.stdout)
	}
	if r := run(t, nil, "check", imported); r.code != 1 || !strings.Contains(r.stdout, `related id "429-general-account-throttled" does not exist`) {
		t.Errorf("check DIR alone: exit %d, want 1 for the related entry only the built-in catalogue has\n%s", r.code, r.stdout)
	}
	ixDir := filepath.Join(t.TempDir(), "index")
	if r := run(t, nil, "index", "--content", "embedded", "--content", imported, "--out", ixDir); r.code != 0 {
		t.Fatalf("index: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	s4 := start(t, nil, "--index", ixDir)
	if got := total(t, s4.URL); got != n+graph+1 {
		t.Errorf("--index of both serves %d entries, want %d", got, n+graph+1)
	}
}
