//go:build unix

package content

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// LoadDir's files open without blocking: a named pipe that replaced an
// entry after the listing (so no type check saw it) is refused at once
// rather than waited on for a writer that never comes.
func TestLoadDirOpensPipeWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "bad.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := readLimited(newNonBlockingDirFS(dir), "bad.md")
		done <- err
	}()
	select {
	case err := <-done:
		var nr *notRegularError
		if !errors.As(err, &nr) || nr.Error() != "not a regular file (a named pipe)" {
			t.Errorf("reading a named pipe: %v, want not a regular file (a named pipe)", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("opening a named pipe blocked (no writer will ever come)")
	}
}
