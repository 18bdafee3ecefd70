//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A process holding the saved index open for writing (an older errata serve,
// a bleve tool) holds bolt's lock exclusively: serve --index waits a few
// seconds for it, then exits 1 saying so, instead of hanging unkillable.
func TestServeIndexLockedForWriting(t *testing.T) {
	t.Parallel() // serve waits out its lock timeout
	out := saveIndex(t)
	f, err := os.Open(filepath.Join(out, "bleve", "store", "root.bolt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--index", out)
	if r.code != 1 || !strings.Contains(r.stderr, "another process has the index open for writing") || !strings.Contains(r.stderr, "--index "+out) {
		t.Errorf("serve --index of a locked index: exit %d, want 1 and the reason\n%s", r.code, r.stderr)
	}
}
