package search

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// A saved index is often shared (replicas on one folder, a read-only volume)
// and bolt panics on a damaged file, so nothing of it reaches bleve before it
// is known to be whole: Save writes, last, a manifest of every file it wrote
// with its size and SHA-256, and opening checks every byte against it first.
// A damaged index is then refused at start with the file named, instead of a
// panic in bolt or a 500 from the first search that reads a bad segment.
const (
	manifestFile   = "errata-manifest.json"
	manifestFormat = "errata-index"
	// manifestVersion changes with what a saved index holds: 2 added the
	// code table (codes.bin), which an index of 1 lacks.
	manifestVersion = 2
	// manifestMax bounds the manifest read: a real one lists a few files.
	manifestMax = 1 << 20
)

// ErrDamaged is wrapped by the errors of opening a saved index that is not
// as Save wrote it: a file missing, truncated, changed or added.
var ErrDamaged = errors.New("saved index is damaged")

// errOtherVersion is a saved index of another format: it is not read, but
// errata index may replace it.
var errOtherVersion = errors.New("written by another version of errata index")

// ErrNotSaved is wrapped by the errors of opening, or saving over, a folder
// that holds no index written by Save.
var ErrNotSaved = errors.New("not an index written by errata index")

type manifest struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Files   []manifestEntry `json:"files"`
}

type manifestEntry struct {
	Path   string `json:"path"` // slash-separated, inside the index folder
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// rebuildHint ends every error about a saved index that cannot be used.
func rebuildHint(dir string) string {
	return "build it again with: errata index --out " + dir
}

// writeManifest records every file under dir; Save calls it once all of
// them are written and closed.
func writeManifest(dir string) error {
	m := manifest{Format: manifestFormat, Version: manifestVersion}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		size, sum, err := hashFile(path)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, manifestEntry{Path: filepath.ToSlash(rel), Size: size, SHA256: sum})
		return nil
	})
	if err != nil {
		return fmt.Errorf("search: manifest: %w", err)
	}
	return writeFile(filepath.Join(dir, manifestFile), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
}

// readManifest reads dir's manifest and checks that this errata reads its
// format; the files it lists are not looked at.
func readManifest(dir string) (manifest, error) {
	var m manifest
	f, err := os.Open(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return m, fmt.Errorf("search: %w; %s", serr, rebuildHint(dir))
		}
		return m, fmt.Errorf("search: %s is %w (it has no %s); write one with: errata index --out %s", dir, ErrNotSaved, manifestFile, dir)
	}
	if err != nil {
		return m, fmt.Errorf("search: %w", err)
	}
	defer f.Close()
	if err := json.NewDecoder(io.LimitReader(f, manifestMax)).Decode(&m); err != nil || m.Format != manifestFormat {
		return m, fmt.Errorf("search: %s is %w (unreadable %s); %s", dir, ErrNotSaved, manifestFile, rebuildHint(dir))
	}
	if m.Version != manifestVersion {
		return m, fmt.Errorf("search: %s was %w (format %d; this errata reads %d); %s",
			dir, errOtherVersion, m.Version, manifestVersion, rebuildHint(dir))
	}
	for _, e := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(e.Path)) || e.Path == manifestFile {
			return m, fmt.Errorf("search: %s: %s lists %q, which is not a file of the index; %s", dir, manifestFile, e.Path, rebuildHint(dir))
		}
	}
	return m, nil
}

// verify checks that dir holds exactly the files its manifest lists, each
// with the size and SHA-256 recorded when it was written.
func verify(dir string) error {
	m, err := readManifest(dir)
	if err != nil {
		return err
	}
	damaged := func(path, format string, a ...any) error {
		return fmt.Errorf("search: %s: %w: %s %s; %s", dir, ErrDamaged, path, fmt.Sprintf(format, a...), rebuildHint(dir))
	}
	// The files are hashed side by side, a core each: at a million
	// entries the hashing is most of the start (see README, Performance).
	type hashed struct {
		size int64
		sum  string
		err  error
	}
	sums := make([]hashed, len(m.Files))
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, e := range m.Files {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			h := &sums[i]
			h.size, h.sum, h.err = hashFile(filepath.Join(dir, filepath.FromSlash(e.Path)))
		})
	}
	wg.Wait()
	for i, e := range m.Files {
		path := filepath.Join(dir, filepath.FromSlash(e.Path))
		size, sum, err := sums[i].size, sums[i].sum, sums[i].err
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return damaged(path, "is missing")
		case err != nil:
			return fmt.Errorf("search: %s: cannot read %s: %w", dir, path, err)
		case size < e.Size:
			return damaged(path, "is truncated (%d of its %d bytes)", size, e.Size)
		case size != e.Size:
			return damaged(path, "has %d bytes where errata index wrote %d", size, e.Size)
		case sum != e.SHA256:
			return damaged(path, "has changed since errata index wrote it (its SHA-256 differs)")
		}
	}
	// bleve reads whatever its folder holds (a leftover index_meta.json_temp
	// is even renamed over the real one), so a file nobody listed is damage.
	if extra, err := unlisted(dir, m, bleveDir); err != nil {
		return fmt.Errorf("search: %s: %w", dir, err)
	} else if extra != "" {
		return damaged(extra, "was not written by errata index")
	}
	return nil
}

// unlisted returns the first file under dir/sub, or under dir itself when
// sub is "", that the manifest does not list, or "" when there is none.
func unlisted(dir string, m manifest, sub string) (string, error) {
	listed := make(map[string]bool, len(m.Files)+1)
	listed[manifestFile] = true
	for _, e := range m.Files {
		listed[e.Path] = true
	}
	var extra string
	err := filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err == nil && !listed[filepath.ToSlash(rel)] {
			extra = path
			return filepath.SkipAll
		}
		return err
	})
	if errors.Is(err, fs.ErrNotExist) && sub != "" {
		return "", nil // the listed files under sub are reported missing
	}
	return extra, err
}

// hashFile returns the size and hex SHA-256 of the file at path.
func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// CheckSaveDir returns nil when Save may write dir: it does not exist, is an
// empty folder, or holds an index Save wrote and nothing else, which Save
// replaces whole. Save never deletes or overwrites a file it did not write.
// The errors start with dir, for a caller to put after the flag that named it.
func CheckSaveDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is a file, not a folder; choose a new folder", dir)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return nil
	}
	m, err := readManifest(dir)
	if err != nil && !errors.Is(err, errOtherVersion) {
		return fmt.Errorf("%s is not empty and %w, the only kind errata index replaces; choose a new or empty folder", dir, ErrNotSaved)
	}
	extra, err := unlisted(dir, m, "")
	if err != nil {
		return err
	}
	if extra != "" {
		return fmt.Errorf("%s holds an index but also %s, which errata index did not write and will not delete; move it away or choose a new folder",
			dir, extra)
	}
	return nil
}

// fileModes makes every folder and file under dir readable by all, so that
// an index built by one user serves as another (the image runs as nonroot);
// bleve creates its files readable by their owner only.
func fileModes(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(path, mode)
	})
}
