package search

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// saved is fixtures() saved by Save into a fresh folder.
func saved(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "index")
	if err := Save(fixtures(), dir); err != nil {
		tb.Fatalf("Save: %v", err)
	}
	return dir
}

// zapFile is the path of one of the saved index's bleve segments.
func zapFile(tb testing.TB, dir string) string {
	tb.Helper()
	zaps, err := filepath.Glob(filepath.Join(dir, bleveDir, "store", "*.zap"))
	if err != nil || len(zaps) == 0 {
		tb.Fatalf("no zap segment in %s (%v)", dir, err)
	}
	return zaps[0]
}

func rootBolt(dir string) string { return filepath.Join(dir, bleveDir, "store", "root.bolt") }

// Every way a saved index can differ from what Save wrote is refused before
// bleve or bolt read a byte of it, with the file named and the way to fix it.
func TestOpenSavedRefusesDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string) (file string)
		want   error
		says   string
	}{
		{"truncated root.bolt", func(t *testing.T, dir string) string {
			truncate(t, rootBolt(dir), 10_000)
			return rootBolt(dir)
		}, ErrDamaged, "is truncated (10000 of its 65536 bytes)"},
		{"one byte flipped in a segment", func(t *testing.T, dir string) string {
			zap := zapFile(t, dir)
			flipByte(t, zap, 1000)
			return zap
		}, ErrDamaged, "has changed since errata index wrote it"},
		{"segment grown", func(t *testing.T, dir string) string {
			zap := zapFile(t, dir)
			f, err := os.OpenFile(zap, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("x"))
			f.Close()
			return zap
		}, ErrDamaged, "bytes where errata index wrote"},
		{"deleted file", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, entriesFile)
			remove(t, path)
			return path
		}, ErrDamaged, "is missing"},
		{"file added to bleve's folder", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, bleveDir, "index_meta.json_temp")
			writeTestFile(t, path, `{"storage":"boltdb","index_type":"upside_down"}`)
			return path
		}, ErrDamaged, "was not written by errata index"},
		{"manifest missing", func(t *testing.T, dir string) string {
			remove(t, filepath.Join(dir, manifestFile))
			return manifestFile
		}, ErrNotSaved, "not an index written by errata index"},
		{"manifest unreadable", func(t *testing.T, dir string) string {
			truncate(t, filepath.Join(dir, manifestFile), 40)
			return manifestFile
		}, ErrNotSaved, "unreadable"},
		{"manifest of another version", func(t *testing.T, dir string) string {
			editManifest(t, dir, func(m *manifest) { m.Version = 99 })
			return dir
		}, nil, fmt.Sprintf("written by another version of errata index (format 99; this errata reads %d)", manifestVersion)},
		{"manifest naming a file outside the index", func(t *testing.T, dir string) string {
			editManifest(t, dir, func(m *manifest) { m.Files[0].Path = "../../etc/passwd" })
			return "../../etc/passwd"
		}, nil, "which is not a file of the index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := saved(t)
			file := tc.damage(t, dir)
			ix, err := OpenSaved(dir)
			if err == nil {
				ix.Close()
				t.Fatal("OpenSaved of a damaged index succeeded")
			}
			msg := err.Error()
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want one wrapping %v", err, tc.want)
			}
			for _, want := range []string{file, tc.says, "errata index --out " + dir} {
				if !strings.Contains(msg, want) {
					t.Errorf("err = %q, want it to say %q", msg, want)
				}
			}
			if _, err := Open(dir, fixtures()); err == nil || err.Error() != msg {
				t.Errorf("Open: err = %v, want the same as OpenSaved's", err)
			}
		})
	}
}

// A fault bleve or bolt still trips on, in files that match their
// manifest, is an error, never a panic and never a crash: a truncated
// root.bolt, on which bolt panics "invalid freelist page", and one whose
// root bucket lies past its end, where bolt, reading the file through
// mmap, faults.
func TestOpenSavedRecoversPanic(t *testing.T) {
	for name, damage := range map[string]func(path string){
		"truncated":         func(path string) { truncate(t, path, 10_000) },
		"root past its end": func(path string) { rootPastEnd(t, path) },
	} {
		dir := saved(t)
		damage(rootBolt(dir))
		remove(t, filepath.Join(dir, manifestFile))
		if err := writeManifest(dir); err != nil {
			t.Fatal(err)
		}
		ix, err := OpenSaved(dir)
		if err == nil {
			ix.Close()
			t.Fatalf("%s: OpenSaved of a damaged root.bolt succeeded", name)
		}
		if !strings.Contains(err.Error(), "errata index --out "+dir) {
			t.Errorf("%s: err = %q, want the way to build it again", name, err)
		}
	}
}

// rootPastEnd cuts the bolt file at path to its two meta pages and points
// both, checksums fixed, at a root bucket on page 4: inside the 32 KiB bolt
// maps at least, past the end of the file, so reading it faults (SIGBUS)
// on every run.
func rootPastEnd(tb testing.TB, path string) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	// A meta page: a 16-byte page header, then magic, version, page size
	// and flags (4 bytes each), root bucket page and sequence, freelist
	// page, page count and transaction id (8 bytes each), and a checksum
	// of all of it.
	const header, pageSizeAt, rootAt, freelistAt, pagesAt, sumAt = 16, 8, 16, 32, 40, 56
	pageSize := int(binary.LittleEndian.Uint32(b[header+pageSizeAt:]))
	if len(b) < 2*pageSize {
		tb.Fatalf("%s: %d bytes, fewer than two meta pages of %d", path, len(b), pageSize)
	}
	b = b[:2*pageSize]
	for _, meta := range []int{header, pageSize + header} {
		le := binary.LittleEndian
		le.PutUint64(b[meta+rootAt:], 4)
		le.PutUint64(b[meta+freelistAt:], 2)
		le.PutUint64(b[meta+pagesAt:], 8)
		h := fnv.New64a()
		h.Write(b[meta : meta+sumAt])
		le.PutUint64(b[meta+sumAt:], h.Sum64())
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// A saved index is opened read-only and shared: two opens at once both
// answer, a folder nobody may write serves, and not a byte or a
// modification time of it changes. (Tests run as root, who writes anyway:
// the unchanged files prove nothing was written.)
func TestOpenSavedReadOnlyAndShared(t *testing.T) {
	dir := saved(t)
	before := fileStates(t, dir)
	chmodAll(t, dir, 0o444, 0o555)
	t.Cleanup(func() { chmodAll(t, dir, 0o644, 0o755) })

	first, err := OpenSaved(dir)
	if err != nil {
		t.Fatalf("OpenSaved: %v", err)
	}
	second := make(chan error, 1)
	go func() {
		ix, err := OpenSaved(dir)
		if err == nil {
			_, err = ix.Search(context.Background(), Query{Text: "quota"})
			ix.Close()
		}
		second <- err
	}()
	select {
	case err := <-second:
		if err != nil {
			t.Errorf("second OpenSaved while the first is open: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("second OpenSaved still waiting after 30s while the first is open: the index is locked for one opener only")
	}
	if res := run(t, first, Query{Text: "quota"}); res.Total == 0 {
		t.Error("search through the read-only index found nothing for quota")
	}
	if err := first.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if diff := cmp.Diff(before, fileStates(t, dir)); diff != "" {
		t.Errorf("opening, searching and closing changed the saved index (-before +after):\n%s", diff)
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
		_, sum, err := hashFile(path)
		states[path] = sum + " " + info.ModTime().Format(time.RFC3339Nano)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return states
}

// chmodAll sets the mode of every file and folder under dir, dir included.
func chmodAll(tb testing.TB, dir string, files, dirs fs.FileMode) {
	tb.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(path, dirs)
		}
		return os.Chmod(path, files)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// Save writes into a new or empty folder, replaces an index it wrote
// before, and refuses anything else, leaving it as it was.
func TestSaveReplacesOnlyItsOwnIndex(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "index")
	if err := Save(fixtures(), dir); err != nil {
		t.Fatalf("Save into a new folder: %v", err)
	}
	fewer := fixtures()[:3]
	if err := Save(fewer, dir); err != nil {
		t.Fatalf("Save over the index it wrote: %v", err)
	}
	ix, err := OpenSaved(dir)
	if err != nil {
		t.Fatalf("OpenSaved of the replaced index: %v", err)
	}
	if ix.Count() != len(fewer) {
		t.Errorf("replaced index has %d entries, want the new %d", ix.Count(), len(fewer))
	}
	ix.Close()
	if names := dirNames(t, parent); len(names) != 1 || names[0] != "index" {
		t.Errorf("beside the index after Save: %q, want only index (no temporary folder left)", names)
	}

	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Save(fixtures(), empty); err != nil {
		t.Errorf("Save into an empty folder: %v", err)
	}

	foreign := filepath.Join(parent, "foreign")
	writeTestFile(t, filepath.Join(foreign, "notes.txt"), "mine")
	if err := Save(fixtures(), foreign); err == nil || !errors.Is(err, ErrNotSaved) || !strings.Contains(err.Error(), "choose a new or empty folder") {
		t.Errorf("Save into a folder of other files: %v, want a refusal", err)
	}
	if names := dirNames(t, foreign); len(names) != 1 || names[0] != "notes.txt" {
		t.Errorf("folder of other files after Save: %q, want it untouched", names)
	}

	extra := filepath.Join(dir, "notes.txt")
	writeTestFile(t, extra, "mine")
	if err := Save(fixtures(), dir); err == nil || !strings.Contains(err.Error(), extra) {
		t.Errorf("Save over an index holding another file: %v, want a refusal naming %s", err, extra)
	}
	if b, err := os.ReadFile(extra); err != nil || string(b) != "mine" {
		t.Errorf("the other file after Save: %q, %v", b, err)
	}

	file := filepath.Join(parent, "file")
	writeTestFile(t, file, "")
	if err := Save(fixtures(), file); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("Save onto a file: %v", err)
	}
}

func truncate(tb testing.TB, path string, size int64) {
	tb.Helper()
	if err := os.Truncate(path, size); err != nil {
		tb.Fatal(err)
	}
}

func flipByte(tb testing.TB, path string, at int) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) <= at {
		tb.Fatalf("read %s: %d bytes, %v", path, len(b), err)
	}
	b[at] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func remove(tb testing.TB, path string) {
	tb.Helper()
	if err := os.Remove(path); err != nil {
		tb.Fatal(err)
	}
}

func writeTestFile(tb testing.TB, path, text string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func editManifest(tb testing.TB, dir string, edit func(*manifest)) {
	tb.Helper()
	path := filepath.Join(dir, manifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	edit(&m)
	if b, err = json.Marshal(m); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	return names
}
