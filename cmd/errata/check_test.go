package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCheckNamedPipe: a named pipe called *.md is a file:line problem and
// check exits 1 at once, instead of waiting for ever for a writer.
func TestCheckNamedPipe(t *testing.T) {
	dir, pipe := withPipe(t)
	r := runWithin(t, 20*time.Second, nil, "check", dir)
	if r.code != 1 || !strings.Contains(r.stdout, pipeProblem(pipe)+"\n") || !strings.Contains(r.stdout, " entries, 1 problem\n") {
		t.Errorf("check of a folder with a named pipe: exit %d\nstdout %s\nstderr %s\nwant exit 1 and %q", r.code, r.stdout, r.stderr, pipeProblem(pipe))
	}
}

// TestCheckStopsOnSIGTERM: SIGTERM in the middle of loading ends check at
// once with a message and exit 1, rather than after the work or never.
func TestCheckStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := readOnlyLargeCatalogue(t)
	p := launch(t, nil, nil, "check", dir)
	p.waitReading(t, dir)
	p.signal(t, syscall.SIGTERM)
	code := p.wait(t, 20*time.Second)
	want := "errata check: stopped while checking " + dir + " (terminated signal received)\n"
	if code != 1 || p.Log.String() != want || p.Stdout.String() != "" {
		t.Errorf("check after SIGTERM: exit %d\nstdout %s\nstderr %s\nwant exit 1, no summary and %q", code, p.Stdout, p.Log, want)
	}
}
