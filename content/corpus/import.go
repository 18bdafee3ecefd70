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
//     its updated date, so importing the same records again changes nothing.
//   - No link is followed: outDir must not be a symbolic link, a link at an
//     entry's name is a problem, and every path stays inside outDir.
//   - Each file is written to a hidden temp file, synced, and moved into
//     place in one step, so a crash never leaves half a file.
//
// Text is quoted in the front matter and escaped in the body, so the words
// of the source come back verbatim. A provider Errata does not know is kept
// as an alias. progress, when not nil, gets a line every few hundred files;
// the caller decides whether it is a terminal worth writing to.
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
	files := im.plan(recs)
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
	outDir   string
	root     *os.Root // nil while outDir does not exist
	today    string
	problems content.Problems
}

// entryFile is one entry file an import writes.
type entryFile struct {
	file    string // the record's JSONL file and line, for problems
	line    int
	rec     *Record
	id      string
	data    []byte
	replace bool   // an earlier import's file holds the name: rename over it
	same    bool   // that file already holds data: leave it
	tmp     string // the temp file written, until it is moved into place
}

func (im *importer) bad(f *entryFile, what, fix string) {
	im.problems = append(im.problems, content.Problem{File: f.file, Line: f.line, Message: what, Fix: fix})
}

// plan builds the entry file of every record that can be imported and
// notes a problem for each that cannot.
func (im *importer) plan(recs []Record) []*entryFile {
	existing, oldIDs := im.existingIDs()
	first := map[string]*entryFile{} // record id → its first record
	taken := newIDs(len(recs))
	files := make([]*entryFile, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		f := &entryFile{file: r.File, line: r.Line, rec: r}
		if f.file == "" {
			f.file, f.line = "record", i+1
		}
		if prev, dup := first[r.ID]; dup {
			also := fmt.Sprintf("%s:%d", prev.file, prev.line)
			if prev.file == f.file {
				also = fmt.Sprintf("line %d", prev.line)
			}
			im.bad(f, fmt.Sprintf("duplicate id %q, also on %s", r.ID, also), "give each record its own id, or delete the repeated line")
			continue
		}
		first[r.ID] = f
		f.id = taken.take(content.Slugify(r.ID))
		if !content.IsSlug(f.id) { // Slugify makes slugs: only the length fails
			im.bad(f, fmt.Sprintf("id %q is too long: it makes an entry id (and file name) of %d characters", clip(r.ID), len(f.id)),
				`shorten the record's id, e.g. to "source:code"`)
			continue
		}
		f.data = entryBytes(r, f.id, im.today)
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
		if im.mayWrite(f) {
			files = append(files, f)
		}
	}
	return files
}

// existingIDs are the ids of the entries already in outDir that are not
// at <id>.md (a file at <id>.md is mayWrite's to judge), and the old ids
// their redirect_from claim: an entry file added with one of those ids
// would fail check. Problems of those files are not this import's: the
// caller checks the whole folder once it is written.
func (im *importer) existingIDs() (ids, oldIDs map[string]string) {
	ids, oldIDs = map[string]string{}, map[string]string{}
	if im.root == nil {
		return ids, oldIDs
	}
	entries, _ := content.Load(im.root.FS()) // root.FS: no link leads out of the folder
	for _, e := range entries {
		if e.Path != e.ID+".md" {
			ids[e.ID] = e.Path
		}
		for _, old := range e.RedirectFrom {
			oldIDs[old] = e.Path
		}
	}
	return ids, oldIDs
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
	if d := updatedDate(old); d != im.today {
		if same := entryBytes(f.rec, f.id, d); bytes.Equal(same, old) {
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

// updatedDate is the updated date of an entry file the import wrote, ""
// when it has none. Every front-matter value before it is quoted on one
// line, so the first "updated: " at a line start is the key.
func updatedDate(data []byte) string {
	_, rest, ok := bytes.Cut(data, []byte("\nupdated: "))
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
		{"id:", "id"}, {"status:", "status"}, {"title:", "title"}, {"providers:", "provider"},
		{"messages:", "message"}, {"aliases:", "code"}, {"updated:", ""}, {"## Cause", "cause"}, {"## Solution", "solution"},
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

// entryBytes is the Markdown entry file of one record.
func entryBytes(r *Record, id, updated string) []byte {
	var b bytes.Buffer
	writeEntry(&b, r, id, updated)
	return b.Bytes()
}

// writeEntry writes the Markdown entry file of one record.
func writeEntry(b *bytes.Buffer, r *Record, id, updated string) {
	status := "none"
	if r.Status != nil {
		status = strconv.Itoa(*r.Status)
	}
	fmt.Fprintf(b, "---\n%s\nid: %s\nstatus: %s\ntitle: %s\n", Marker, id, status, quote(r.Title))
	if content.BuiltinProviders().Known(r.Provider) {
		fmt.Fprintf(b, "providers: [%s]\n", r.Provider)
	}
	if strings.TrimSpace(r.Message) != "" {
		fmt.Fprintf(b, "messages:\n  - %s\n", quote(r.Message))
	}
	b.WriteString("aliases:\n")
	for _, a := range aliases(r) {
		fmt.Fprintf(b, "  - %s\n", quote(a))
	}
	fmt.Fprintf(b, "updated: %s\n---\n", updated)
	cause, solution := causeSolution(r)
	if cause == "" {
		cause = NoCause
	}
	if solution == "" {
		solution = NoSolution
	}
	fmt.Fprintf(b, "\n## Cause\n\n%s\n\n## Solution\n\n%s\n", markdown(cause), markdown(solution))
}

// quote is a YAML double-quoted scalar. Go's escapes for valid UTF-8 are a
// subset of YAML's, so strconv.Quote is exact.
func quote(s string) string { return strconv.Quote(s) }

// markdown writes source text so that it renders as itself: each line is
// trimmed (leading spaces would make code blocks), Markdown punctuation is
// backslash-escaped where Markdown would read it as syntax, blank lines stay
// paragraph breaks, and bullet lines ("* item", "- item") become list items:
// the one piece of the sources' formatting kept, as readers expect lists.
func markdown(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	blank := false
	for l := range strings.SplitSeq(text, "\n") {
		l = strings.TrimSpace(l)
		item, isItem := bullet(l)
		if l == "" || isItem && item == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		if isItem {
			b.WriteString("- ")
			l = item
		}
		escapeLine(&b, l)
	}
	return b.String()
}

func escapeLine(b *strings.Builder, l string) {
	// At the start of a line these begin lists, headings, quotes or
	// setext underlines; "1." and "1)" begin ordered lists.
	digits := 0
	for digits < len(l) && l[digits] >= '0' && l[digits] <= '9' {
		digits++
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case strings.IndexByte("\\`*_[]<>&!#|~", c) >= 0:
			b.WriteByte('\\')
		case i == 0 && strings.IndexByte("-+=:", c) >= 0:
			b.WriteByte('\\')
		case i == digits && digits > 0 && (c == '.' || c == ')'):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}
