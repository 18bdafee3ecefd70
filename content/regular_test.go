//go:build unix

package content_test

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
)

// mkfifo makes a named pipe at path. Nothing ever writes to it: opening it
// the ordinary way blocks for ever.
func mkfifo(tb testing.TB, path string) {
	tb.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		tb.Fatalf("mkfifo %s: %v", path, err)
	}
}

// problemLines is err's problems as "file:line: what — fix" lines.
func problemLines(tb testing.TB, err error) []string {
	tb.Helper()
	var ps content.Problems
	if !errors.As(err, &ps) {
		tb.Fatalf("error %v, want Problems", err)
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return lines
}

// A named pipe, a socket, a device or a link to one, named *.md, is a
// file:line problem, found at once: the good entry beside them still loads.
func TestSpecialFilesAreProblems(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "429-gmail-too-many-requests.md"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, filepath.Join(dir, "bad.md"))
	mkfifo(t, filepath.Join(dir, "pipe"))
	if err := os.Symlink("pipe", filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/null", filepath.Join(dir, "null.md")); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "sock.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	entries, err := loadWithin(t, func() ([]content.Entry, error) { return content.LoadDir(dir) })
	const fix = " — replace it with a Markdown file or remove it"
	want := []string{
		filepath.Join(dir, "bad.md") + ":1: not a regular file (a named pipe)" + fix,
		filepath.Join(dir, "link.md") + ":1: not a regular file (a symbolic link to a named pipe)" + fix,
		filepath.Join(dir, "null.md") + ":1: not a regular file (a symbolic link to a character device)" + fix,
		filepath.Join(dir, "sock.md") + ":1: not a regular file (a socket)" + fix,
	}
	if diff := cmp.Diff(want, problemLines(t, err)); diff != "" {
		t.Errorf("LoadDir problems (-want +got):\n%s", diff)
	}
	if len(entries) != 1 {
		t.Errorf("LoadDir loaded %d entries, want the 1 regular file", len(entries))
	}
}

// Any fs.FS gets the same check: Load never opens a file whose type is not
// regular.
func TestSpecialFilesInAnyFS(t *testing.T) {
	fsys := files("429-gmail-too-many-requests.md", good)
	fsys["pipe.md"] = &fstest.MapFile{Mode: fs.ModeNamedPipe}
	fsys["tty.md"] = &fstest.MapFile{Mode: fs.ModeDevice | fs.ModeCharDevice}
	fsys["disk.md"] = &fstest.MapFile{Mode: fs.ModeDevice}
	_, err := loadWithin(t, func() ([]content.Entry, error) { return content.Load(fsys) })
	const fix = " — replace it with a Markdown file or remove it"
	want := []string{
		"disk.md:1: not a regular file (a block device)" + fix,
		"pipe.md:1: not a regular file (a named pipe)" + fix,
		"tty.md:1: not a regular file (a character device)" + fix,
	}
	if diff := cmp.Diff(want, problemLines(t, err)); diff != "" {
		t.Errorf("Load problems (-want +got):\n%s", diff)
	}
}

// swappedFS lists bad.md as a regular file but opens a named pipe for it:
// the file was replaced between the folder listing and the open.
type swappedFS struct{ fstest.MapFS }

func (s swappedFS) Open(name string) (fs.File, error) {
	if name == "bad.md" {
		return s.MapFS.Open("pipe")
	}
	return s.MapFS.Open(name)
}

// What was opened is checked too, not only what was listed.
func TestFileSwappedForPipeAfterListing(t *testing.T) {
	fsys := files("429-gmail-too-many-requests.md", good, "bad.md", good)
	fsys["pipe"] = &fstest.MapFile{Mode: fs.ModeNamedPipe}
	_, err := loadWithin(t, func() ([]content.Entry, error) { return content.Load(swappedFS{fsys}) })
	want := []string{"bad.md:1: not a regular file (a named pipe) — replace it with a Markdown file or remove it"}
	if diff := cmp.Diff(want, problemLines(t, err)); diff != "" {
		t.Errorf("Load problems (-want +got):\n%s", diff)
	}
}

// A providers.yaml that is a named pipe, a folder, or over the size limit is
// a problem at its name, never read, and the folder's entries are still
// checked (against the built-in providers).
func TestProvidersFileNotAFile(t *testing.T) {
	for name, plant := range map[string]func(path string){
		"named pipe": func(path string) { mkfifo(t, path) },
		"folder":     func(path string) { must(t, os.Mkdir(path, 0o755)) },
		"too big":    func(path string) { must(t, os.WriteFile(path, make([]byte, content.MaxFileSize+1), 0o644)) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, "429-gmail-too-many-requests.md"), []byte(good), 0o644))
			plant(filepath.Join(dir, content.ProvidersFile))
			entries, err := content.LoadDir(dir)
			got := problemLines(t, err)
			if len(got) != 1 || len(entries) != 1 || !strings.HasPrefix(got[0], filepath.Join(dir, content.ProvidersFile)+":1: ") {
				t.Errorf("%d entries, problems %q", len(entries), got)
			}
		})
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
