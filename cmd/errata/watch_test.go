package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWatchNamedPipeAtRuntime: a named pipe created while watching is a
// logged problem (the last good catalogue stays), reloading goes on, and
// SIGTERM still stops the server.
func TestWatchNamedPipeAtRuntime(t *testing.T) {
	t.Parallel()
	dir := copyEntries(t)
	n := catalogueSize(t)
	s := start(t, nil, "--content", dir, "--watch", "--drain", "0s", "--metrics-addr", "127.0.0.1:0")
	metrics := s.metricsURL(t)
	pipe := filepath.Join(dir, "bad.md")
	mkfifo(t, pipe)
	s.waitLog(t, pipeProblem(pipe), 20*time.Second)
	if got := entryCount(t, metrics); got != n {
		t.Errorf("after a named pipe appeared %d entries, want the last good %d", got, n)
	}

	// An edit while the pipe is there reloads again, and finds it again.
	const id = "429-gmail-too-many-requests"
	orig, err := os.ReadFile(filepath.Join(dir, id+".md"))
	if err != nil {
		t.Fatal(err)
	}
	extra := strings.Replace(string(withoutCodes(orig)), "id: "+id, "id: 429-gmail-copy", 1)
	if err := os.WriteFile(filepath.Join(dir, "429-gmail-copy.md"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the pipe reported again after an edit", 20*time.Second, func() bool {
		return strings.Count(s.Log.String(), pipeProblem(pipe)) >= 2
	})
	if err := os.Remove(pipe); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edit served once the pipe is gone", 20*time.Second, func() bool { return entryCount(t, metrics) == n+1 })

	s.signal(t, syscall.SIGTERM)
	if code := s.wait(t, 20*time.Second); code != 0 {
		t.Errorf("SIGTERM after a named pipe: exit %d, want 0:\n%s", code, s.Log)
	}
}

// TestWatchStopsMidReload: SIGTERM in the middle of a reload stops the
// reload and the server, exit 0, without finishing the reload first.
func TestWatchStopsMidReload(t *testing.T) {
	t.Parallel()
	dir := largeCatalogue(t) // its own: the test saves a file in it
	s := start(t, nil, "--content", dir, "--watch", "--drain", "0s")
	file := filepath.Join(dir, "429-gmail-too-many-requests.md")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil { // a save: a reload
		t.Fatal(err)
	}
	s.waitReading(t, dir)
	s.signal(t, syscall.SIGTERM)
	if code := s.wait(t, 20*time.Second); code != 0 {
		t.Errorf("SIGTERM during a reload: exit %d, want 0:\n%s", code, s.Log)
	}
	if log := s.Log.String(); !strings.Contains(log, "reload stopped: shutting down") || strings.Contains(log, "reloaded") {
		t.Errorf("SIGTERM during a reload: the log does not show the reload stopped:\n%s", log)
	}
}
