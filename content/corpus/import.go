package corpus

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/errata/errata/content"
)

// Marker is the line errata import writes right after the opening "---" of
// every entry file. Import replaces only files that carry it, so a
// hand-written entry, or an imported one whose mark a writer deleted to
// keep their edits, is never overwritten. It is a YAML comment: the loader
// reads past it.
const Marker = "# errata import wrote this file and replaces it when the import runs again: delete this line to keep your edits"

// ImportStats counts what an import did.
type ImportStats struct {
	Written   int // entry files created or replaced
	Unchanged int // entry files that already held the same entry, left untouched
}

// ImportFile reads a JSONL file and imports its records into outDir like
// Import. Bad lines and bad records are reported together, so one run
// lists every problem of the file.
func ImportFile(path, outDir string, progress io.Writer) (ImportStats, error) {
	recs, err := ReadFile(path)
	var ps content.Problems
	if err != nil && !errors.As(err, &ps) {
		return ImportStats{}, err
	}
	if len(recs) == 0 && len(ps) == 0 {
		return ImportStats{}, content.Problems{{File: path, Line: 1, Message: "no records",
			Fix: "give a JSONL file that holds one error record a line"}}
	}
	return importRecords(recs, ps, outDir, progress)
}

// Import writes one entry file per record into outDir, named <id>.md, all
// or nothing:
//
//   - Every file is built in memory and parsed by the loader errata check
//     uses (content.Load) before anything is written. Whatever would fail
//     check, and every record that cannot be imported (a repeated id, an id
//     too long for a file name, an entry file in the way), is a problem
//     naming the record's file:line (see Record); the error is then
//     content.Problems and nothing is written.
//   - A file of the same name is replaced only when an earlier import wrote
//     it (it carries Marker). An unchanged entry is not rewritten and keeps
//     its imported date, so importing the same records again changes nothing.
//   - No link is followed: outDir must not be a symbolic link, a link at an
//     entry's name is a problem, and every path stays inside outDir.
//   - Each file is written to a hidden temp file, synced, and moved into
//     place in one step, so a crash never leaves half a file.
//
// Records become entries as Drafts says, with the providers of outDir's
// providers.yaml, or the built-in ones. progress, when not nil, gets a line
// every few hundred files; the caller decides whether it is a terminal
// worth writing to.
func Import(recs []Record, outDir string, progress io.Writer) (ImportStats, error) {
	return importRecords(recs, nil, outDir, progress)
}

func importRecords(recs []Record, ps content.Problems, outDir string, progress io.Writer) (ImportStats, error) {
	outDir = filepath.Clean(outDir) // "out/" would let Lstat follow a link named out
	root, err := openOut(outDir)
	if err != nil {
		return ImportStats{}, err
	}
	im := &importer{outDir: outDir, root: root, today: time.Now().UTC().Format(time.DateOnly), problems: ps}
	providers, err := im.loadProviders()
	if err != nil {
		if root != nil {
			root.Close()
		}
		return ImportStats{}, err
	}
	drafts, dps := Drafts(recs, providers)
	im.problems = append(im.problems, dps...)
	files := im.plan(drafts)
	im.validate(files)
	if len(im.problems) > 0 {
		if root != nil {
			root.Close()
		}
		slices.SortStableFunc(im.problems, func(a, b content.Problem) int {
			return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
		})
		return ImportStats{}, im.problems
	}
	if root == nil {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return ImportStats{}, err
		}
		if im.root, err = openOut(outDir); err != nil {
			return ImportStats{}, err
		}
	}
	defer im.root.Close()
	return im.write(files, progress)
}

// openOut opens outDir as a root no path can leave, or returns nil when it
// does not exist yet. A link as outDir is refused: its target is not the
// folder the user named.
func openOut(dir string) (*os.Root, error) {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(dir)
		return nil, fmt.Errorf("%s is a symbolic link (to %s) — errata import writes only into a real folder: give that folder itself, or a new one", dir, target)
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is not a folder — give the folder the entry files go to (it is created when missing)", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	// The folder could have been swapped for a link since Lstat.
	if st, err := root.Stat("."); err != nil || !os.SameFile(fi, st) {
		root.Close()
		return nil, fmt.Errorf("%s changed while errata import opened it — run the import again", dir)
	}
	return root, nil
}

// importer is one import run: where it writes and what it found wrong.
type importer struct {
	outDir        string
	root          *os.Root // nil while outDir does not exist
	today         string
	providersYAML []byte // outDir's providers.yaml, nil when it has none
	problems      content.Problems
}

// loadProviders reads outDir's providers.yaml, which the written entries
// are checked against; without one the built-in providers apply. A list
// with problems stops the import, its problems named.
func (im *importer) loadProviders() (*content.Providers, error) {
	if im.root == nil {
		return content.BuiltinProviders(), nil
	}
	p, ps := content.LoadProviders(im.root.FS(), im.path)
	if len(ps) > 0 {
		return nil, ps
	}
	if p != content.BuiltinProviders() {
		im.providersYAML, _ = readStart(im.root, content.ProvidersFile)
	}
	return p, nil
}

// entryFile is one entry file an import writes.
type entryFile struct {
	file    string // the record's JSONL file and line, for problems
	line    int
	draft   *Draft
	id      string
	data    []byte
	replace bool   // an earlier import's file holds the name: rename over it
	same    bool   // that file already holds data: leave it
	tmp     string // the temp file written, until it is moved into place
}

func (im *importer) bad(f *entryFile, what, fix string) {
	im.problems = append(im.problems, content.Problem{File: f.file, Line: f.line, Message: what, Fix: fix})
}

// plan builds the entry file of every draft that can be imported and
// notes a problem for each that cannot.
func (im *importer) plan(drafts []*Draft) []*entryFile {
	existing, oldIDs, codes := im.existing()
	files := make([]*entryFile, 0, len(drafts))
	for i, d := range drafts {
		r := d.Records[0]
		f := &entryFile{file: r.File, line: r.Line, draft: d}
		if f.file == "" {
			f.file, f.line = "record", i+1
		}
		f.id = d.ID
		if !content.IsSlug(f.id) { // Slugify makes slugs: only the length fails
			im.bad(f, fmt.Sprintf("id %q is too long: it makes an entry id (and file name) of %d characters", clip(r.ID), len(f.id)),
				`shorten the record's id, e.g. to "source:code"`)
			continue
		}
		f.data = d.bytes(f.id, im.today)
		if len(f.data) > content.MaxFileSize {
			field, size := longestField(r)
			im.bad(f, fmt.Sprintf("the entry file would be %d KiB, over the %d KiB limit; its longest field is %q (%d KiB)", kib(len(f.data)), content.MaxFileSize>>10, field, kib(size)),
				fmt.Sprintf("shorten the record's %s: an entry explains one error in a few paragraphs", field))
			continue
		}
		name := f.id + ".md"
		if p, ok := existing[f.id]; ok && p != name {
			im.bad(f, fmt.Sprintf("id %q is already the id of %s", f.id, im.path(p)), "move that entry out of the folder, or give the record another id")
			continue
		}
		if p, ok := oldIDs[f.id]; ok && p != name {
			im.bad(f, fmt.Sprintf("id %q is an old id of %s (in its redirect_from)", f.id, im.path(p)), "remove it from that redirect_from, or give the record another id")
			continue
		}
		if c, p := codes.claimedBy(d, name); p != "" {
			im.bad(f, fmt.Sprintf("code %q is already claimed by %s", c, im.path(p)), "remove the code from that entry, or leave this record out: a provider's code names one entry")
			continue
		}
		if im.mayWrite(f) {
			files = append(files, f)
		}
	}
	return files
}

// existing finds in outDir what an entry file added there could clash
// with: the ids of entries that are not at <id>.md (a file at <id>.md is
// mayWrite's to judge), the old ids their redirect_from claim, and the
// codes they claim. Problems of those files are not this import's: the
// caller checks the whole folder once it is written.
func (im *importer) existing() (ids, oldIDs map[string]string, codes codeOwners) {
	ids, oldIDs, codes = map[string]string{}, map[string]string{}, codeOwners{}
	if im.root == nil {
		return ids, oldIDs, codes
	}
	entries, _ := content.Load(im.root.FS()) // root.FS: no link leads out of the folder
	for _, e := range entries {
		if e.Path != e.ID+".md" {
			ids[e.ID] = e.Path
		}
		for _, old := range e.RedirectFrom {
			oldIDs[old] = e.Path
		}
		codes.add(e)
	}
	return ids, oldIDs, codes
}

// codeOwners maps a provider's code, in lower case, to the file of the
// entry that claims it ("" provider: every provider).
type codeOwners map[[2]string]string

func (c codeOwners) add(e content.Entry) {
	provs := e.Providers
	if len(provs) == 0 {
		provs = []string{""}
	}
	for _, p := range provs {
		for _, code := range e.Codes {
			c[[2]string{p, strings.ToLower(code)}] = e.Path
		}
	}
}

// claimedBy is a code of d that an entry other than the file name claims,
// and that entry's file; "" when none.
func (c codeOwners) claimedBy(d *Draft, name string) (code, path string) {
	for _, code := range d.Codes {
		if p := c[[2]string{d.Provider, strings.ToLower(code)}]; p != "" && p != name {
			return code, p
		}
	}
	return "", ""
}

// mayWrite reports whether f's name in outDir is free, or holds a regular
// file an earlier import wrote. Then it notes whether that file already
// holds the entry: an unchanged entry keeps the date it was written on.
func (im *importer) mayWrite(f *entryFile) bool {
	if im.root == nil {
		return true
	}
	name := f.id + ".md"
	path := im.path(name)
	fi, err := im.root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true
	case err != nil:
		im.bad(f, fmt.Sprintf("cannot check %s: %v", path, err), "make the folder readable, or import into another folder")
		return false
	case fi.Mode()&fs.ModeSymlink != 0:
		im.bad(f, path+" is a symbolic link: errata import never writes through a link", "remove the link, or import into another folder")
		return false
	case !fi.Mode().IsRegular():
		im.bad(f, path+" is in the way and is not a file", "move it out of the folder, or import into another folder")
		return false
	}
	old, err := readStart(im.root, name)
	if err != nil {
		im.bad(f, fmt.Sprintf("cannot read %s: %v", path, err), "make it readable, or move it out of the folder")
		return false
	}
	if !bytes.HasPrefix(old, []byte("---\n"+Marker+"\n")) {
		im.bad(f, path+" already exists and errata import did not write it (its second line is not the import's mark)",
			"move it out of the folder, or give the record another id: errata import replaces only the files it wrote")
		return false
	}
	f.replace = true
	if d := importedDate(old); d != im.today {
		if same := f.draft.bytes(f.id, d); bytes.Equal(same, old) {
			f.data = same
		}
	}
	f.same = bytes.Equal(f.data, old)
	return true
}

// validate parses every planned file with the loader errata check uses and
// turns each problem into one of the record it came from.
func (im *importer) validate(files []*entryFile) {
	if len(files) == 0 {
		return
	}
	// An in-memory folder: nothing touches the disk until every file passes.
	fsys := fstest.MapFS{}
	if im.providersYAML != nil {
		fsys[content.ProvidersFile] = &fstest.MapFile{Data: im.providersYAML}
	}
	byName := map[string]*entryFile{}
	for _, f := range files {
		fsys[f.id+".md"] = &fstest.MapFile{Data: f.data}
		byName[f.id+".md"] = f
	}
	_, err := content.Load(fsys)
	var ps content.Problems
	if !errors.As(err, &ps) {
		return
	}
	for _, p := range ps {
		f, ok := byName[p.File]
		if !ok { // the loader found no file: cannot happen with files to load
			im.problems = append(im.problems, p)
			continue
		}
		what := fmt.Sprintf("its entry file %s would fail errata check at line %d: %s", p.File, p.Line, p.Message)
		if field := fieldAt(f.data, p.Line); field != "" {
			what = fmt.Sprintf("field %q: %s", field, p.Message)
		}
		im.bad(f, what, p.Fix)
	}
}

// write moves the planned files into outDir. Every file is written to a
// temp file first, so a full disk or a failing write stops the import
// before any entry file changes; then each moves into place in one step.
func (im *importer) write(files []*entryFile, progress io.Writer) (ImportStats, error) {
	var st ImportStats
	defer func() {
		for _, f := range files {
			if f.tmp != "" {
				im.root.Remove(f.tmp)
			}
		}
	}()
	for _, f := range files {
		if f.same {
			continue
		}
		tmp, err := writeTemp(im.root, f.data)
		if err != nil {
			return st, fmt.Errorf("cannot write into %s: %w — nothing was imported", im.outDir, err)
		}
		f.tmp = tmp
	}
	for i, f := range files {
		if f.same {
			st.Unchanged++
		} else if err := im.moveIntoPlace(f); err != nil {
			return st, fmt.Errorf("%w — %d of %d entries were written; run the import again", err, st.Written, len(files))
		} else {
			st.Written++
		}
		if progress != nil && ((i+1)%250 == 0 || i+1 == len(files)) {
			fmt.Fprintf(progress, "imported %d/%d entries\n", i+1, len(files))
		}
	}
	// The new names reach the disk too; a folder that cannot be synced
	// (some file systems refuse) still holds complete files.
	if d, err := im.root.Open("."); err == nil {
		d.Sync()
		d.Close()
	}
	return st, nil
}

// moveIntoPlace renames f's temp file over the file an earlier import
// wrote, or hard-links it at a free name: unlike a rename, a link never
// replaces a file someone put there since the import looked.
func (im *importer) moveIntoPlace(f *entryFile) error {
	name := f.id + ".md"
	if f.replace {
		if err := im.root.Rename(f.tmp, name); err != nil {
			return err
		}
		f.tmp = ""
		return nil
	}
	if err := im.root.Link(f.tmp, name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s appeared while importing and was left as it is", im.path(name))
		}
		return err
	}
	return nil // the deferred clean-up removes the temp name
}

// writeTemp writes data to a new hidden file in root (the loader skips
// hidden files) and syncs it, so the bytes are on disk before the name is.
// O_EXCL never opens an existing file, nor follows a link at the name.
func writeTemp(root *os.Root, data []byte) (string, error) {
	for try := 0; ; try++ {
		name := fmt.Sprintf(".errata-import-%016x.tmp", rand.Uint64())
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) && try < 10 {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			root.Remove(name)
			return "", err
		}
		return name, nil
	}
}

// readStart reads a file of root up to one byte over the loader's limit:
// enough to compare it with any entry the import writes.
func readStart(root *os.Root, name string) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, content.MaxFileSize+1))
}

func (im *importer) path(name string) string {
	return filepath.Join(im.outDir, filepath.FromSlash(name))
}

// importedDate is the imported date of an entry file the import wrote, ""
// when it has none. Every front-matter value before it is quoted on one
// line, so the first "imported: " at a line start is the key.
func importedDate(data []byte) string {
	_, rest, ok := bytes.Cut(data, []byte("\nimported: "))
	if !ok {
		return ""
	}
	d, _, _ := bytes.Cut(rest, []byte("\n"))
	if _, err := time.Parse(time.DateOnly, string(d)); err != nil {
		return ""
	}
	return string(d)
}

// fieldAt names the record field that line of an entry file was written
// from, so a problem the loader finds points at what to change in the
// JSONL. Keys start their line and body text is escaped, so a line that
// starts with a key or a "## " heading is the import's own.
func fieldAt(data []byte, line int) string {
	starts := []struct{ prefix, field string }{
		{"id:", "id"}, {"status:", "status"}, {"title:", "title"}, {"codes:", "code"}, {"providers:", "provider"},
		{"messages:", "messages"}, {"aliases:", "code"}, {"source:", "source"}, {"imported:", ""}, {"## Cause", "cause"}, {"## Solution", "solution"},
	}
	field, n := "", 0
	for l := range bytes.Lines(data) {
		if n++; n > line {
			break
		}
		for _, s := range starts {
			if bytes.HasPrefix(l, []byte(s.prefix)) {
				field = s.field
			}
		}
	}
	return field
}

// longestField is the record field that takes most room in its entry.
func longestField(r *Record) (string, int) {
	cause, solution := causeSolution(r)
	name, size := "title", len(r.Title)
	for _, f := range []struct {
		name string
		size int
	}{{"message", len(r.Message)}, {"cause", len(cause)}, {"solution", len(solution)}, {"id", len(r.ID)}, {"code", len(r.Code)}, {"provider", len(r.Provider)}} {
		if f.size > size {
			name, size = f.name, f.size
		}
	}
	return name, size
}

func kib(n int) int { return (n + 1023) >> 10 }

// clip shortens a long id for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// quote is a YAML double-quoted scalar. Go's escapes for valid UTF-8 are a
// subset of YAML's, so strconv.Quote is exact.
func quote(s string) string { return strconv.Quote(s) }
