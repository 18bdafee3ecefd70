package content

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxFileSize is the largest entry file Load accepts. A real entry is a few
// KiB; the limit keeps a runaway file (or a pasted log) from slowing every
// start and bounds how deeply Markdown can nest.
const MaxFileSize = 256 << 10

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// IsSlug reports whether s is a valid entry id: lower-case letters and
// digits in words joined by single hyphens.
func IsSlug(s string) bool { return len(s) <= maxIDLength && slugRE.MatchString(s) }

// maxIDLength bounds an id, which every URL of the entry carries.
const maxIDLength = 200

// Load reads every *.md file below the root of fsys, validates all of them
// and returns the entries sorted by status then id. Problems of every file
// are collected in one pass; when there is any, Load returns them as
// Problems together with the entries that did load (so a checker can count
// them). Callers must not serve entries when err is not nil. A *.md that is
// not a regular file (a named pipe, a device, a socket, or a link to one) is
// a problem, never opened. Providers are those of the providers.yaml at the
// root of fsys, or the built-in ones (see LoadCatalogue).
func Load(fsys fs.FS) ([]Entry, error) {
	return LoadContext(context.Background(), fsys)
}

// LoadContext is Load that stops when ctx is done (a signal, a shutdown) and
// then returns ctx.Err() at once, without waiting for a file being read.
func LoadContext(ctx context.Context, fsys fs.FS) ([]Entry, error) {
	c, err := LoadCatalogue(ctx, FSFolder(fsys))
	return c.Entries, err
}

// LoadDir loads a folder of entry files from disk, like Load(os.DirFS(dir)),
// except that problems name files by their real path (dir joined), so a
// writer can open them straight from the message, and that files are opened
// without blocking: a named pipe swapped in while loading cannot hang it.
func LoadDir(dir string) ([]Entry, error) {
	return LoadDirContext(context.Background(), dir)
}

// LoadDirContext is LoadDir that stops when ctx is done, as LoadContext.
func LoadDirContext(ctx context.Context, dir string) ([]Entry, error) {
	c, err := LoadCatalogue(ctx, DirFolder(dir))
	return c.Entries, err
}

// Folder is one folder of entry files, maybe with its own providers.yaml.
type Folder struct {
	FS   fs.FS
	Name func(path string) string // a path inside FS as problems name it
}

// FSFolder is the entry files of fsys, named by their path inside it.
func FSFolder(fsys fs.FS) Folder {
	return Folder{FS: fsys, Name: func(p string) string { return p }}
}

// DirFolder is a folder on disk, opened without blocking and named by real
// paths (see LoadDir).
func DirFolder(dir string) Folder {
	return Folder{FS: newNonBlockingDirFS(dir), Name: func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }}
}

// Catalogue is what one or more folders hold together: their entries and
// the providers those may name.
type Catalogue struct {
	Entries   []Entry
	Providers *Providers
}

// LoadCatalogue loads the folders as one catalogue: ids, related entries,
// links and codes are checked across all of them, as Load checks one. Each
// folder brings its providers.yaml, or the built-in list when it has none;
// the catalogue's providers are the union, and a provider two lists declare
// differently is a problem. Errors are as Load's; the Catalogue is never nil.
func LoadCatalogue(ctx context.Context, sources ...Folder) (*Catalogue, error) {
	cat := &Catalogue{}
	var ps Problems
	var lists []*Providers
	var paths []sourcePath
	for si, src := range sources {
		p, pps := LoadProviders(src.FS, src.Name)
		ps = append(ps, pps...)
		if p == nil {
			p = BuiltinProviders() // still check the entries against something
		}
		lists = append(lists, p)
		found, wps, err := walkEntries(ctx, src)
		if err != nil {
			return cat, err
		}
		ps = append(ps, wps...)
		for _, f := range found {
			paths = append(paths, sourcePath{si, f})
		}
	}
	providers, mps := mergeProviders(lists)
	ps = append(ps, mps...)
	cat.Providers = providers
	if len(paths) == 0 && len(ps) == 0 {
		name := "."
		if len(sources) > 0 {
			name = sources[0].Name(".")
		}
		return cat, Problems{{name, 1, "no .md entry files found", "point --content at a folder of entry .md files, such as content/entries"}}
	}

	results, err := loadFiles(ctx, sources, paths, providers)
	if err != nil {
		return cat, err
	}

	var files []*fileResult
	for i := range results {
		r := &results[i]
		ps = append(ps, r.problems...)
		if r.ok {
			cat.Entries = append(cat.Entries, r.entry)
			files = append(files, r)
		}
	}
	ps = append(ps, crossCheck(files)...)

	slices.SortFunc(cat.Entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Status, b.Status), strings.Compare(a.ID, b.ID))
	})
	if len(ps) > 0 {
		slices.SortStableFunc(ps, func(a, b Problem) int {
			return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
		})
		return cat, ps
	}
	return cat, nil
}

// sourcePath is an entry file of one of the folders.
type sourcePath struct {
	source int
	path   string
}

// walkEntries finds the entry files of src. Anything unreadable, and files
// that are almost entries, are problems; an error is ctx's or a folder that
// cannot be read at all.
func walkEntries(ctx context.Context, src Folder) ([]string, Problems, error) {
	var ps Problems
	var paths []string
	err := fs.WalkDir(src.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			what := "cannot read: " + err.Error()
			if p == "." {
				what = "cannot read the content folder: " + err.Error()
			}
			ps = append(ps, Problem{src.Name(p), 1, what, "check that the path exists and is readable"})
			return nil
		}
		base := d.Name()
		if d.IsDir() {
			if p != "." && strings.HasPrefix(base, ".") {
				return fs.SkipDir // .git and friends
			}
			return nil
		}
		switch ext := path.Ext(base); {
		case strings.HasPrefix(base, "."):
		case ext == ".md":
			if err := checkRegular(src.FS, p, d); err != nil {
				ps = append(ps, Problem{src.Name(p), 1, err.Error(), notRegularFix})
				return nil
			}
			paths = append(paths, p)
		case strings.EqualFold(ext, ".md") || strings.EqualFold(ext, ".markdown"):
			// Almost an entry: say so rather than skip it without a word.
			ps = append(ps, Problem{src.Name(p), 1, "not loaded: entry files must end in .md", "rename it to " + strings.TrimSuffix(base, ext) + ".md"})
		}
		return nil
	})
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	if err != nil {
		return nil, nil, Problems{{src.Name("."), 1, "cannot read the content folder: " + err.Error(), "point --content at a folder of entry .md files"}}
	}
	return paths, ps, nil
}

// mergeProviders is the union of the folders' lists. The same list (the
// built-in one, most often) counts once; a provider two lists declare
// differently is a problem at the later list.
func mergeProviders(lists []*Providers) (*Providers, Problems) {
	if len(lists) == 0 {
		return BuiltinProviders(), nil
	}
	var unique []*Providers
	for _, l := range lists {
		if !slices.Contains(unique, l) {
			unique = append(unique, l)
		}
	}
	if len(unique) == 1 {
		return unique[0], nil
	}
	var ps Problems
	merged := []Provider{}
	from := map[string]*Providers{}
	for _, l := range unique {
		for _, pr := range l.List() {
			first, seen := from[pr.Slug]
			if !seen {
				from[pr.Slug] = l
				merged = append(merged, pr)
				continue
			}
			if old, _ := first.Get(pr.Slug); !reflect.DeepEqual(old, pr) {
				ps = append(ps, Problem{l.File, 1, fmt.Sprintf("provider %q is declared differently in %s", pr.Slug, first.File),
					"declare it the same way in both lists, or only in one"})
			}
		}
	}
	names := []string{}
	for _, l := range unique {
		if !slices.Contains(names, l.File) {
			names = append(names, l.File)
		}
	}
	file := strings.Join(names, " and ")
	if len(merged) > MaxProviders {
		ps = append(ps, Problem{unique[len(unique)-1].File, 1, fmt.Sprintf("the lists declare %d providers together; a catalogue has at most %d", len(merged), MaxProviders),
			"merge providers that are one, or serve their entries from two catalogues"})
	}
	return NewProviders(file, merged), ps
}

// loadFiles parses every file of paths. Files are independent until the
// cross-file checks: they are parsed on all cores, with results kept in path
// order so output is deterministic. When ctx is done it returns ctx.Err() at
// once; workers take no further file, and one stuck in a read is left
// behind (its result is never looked at).
func loadFiles(ctx context.Context, sources []Folder, paths []sourcePath, providers *Providers) ([]fileResult, error) {
	results := make([]fileResult, len(paths))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Go(func() {
			for i := range next {
				src, p := sources[paths[i].source], paths[i].path
				results[i] = loadFileSafely(src.FS, p, src.Name(p), providers)
			}
		})
	}
	finished := make(chan struct{})
	go func() {
		for i := range paths {
			select {
			case next <- i:
			case <-ctx.Done():
				close(next)
				return
			}
		}
		close(next)
		wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return results, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fileResult is one file's entry, its problems and the lines cross-file
// checks point at.
type fileResult struct {
	name     string // the file as problems name it
	entry    Entry
	ok       bool // the entry is complete enough to take part in cross-file checks
	problems Problems
	lines    map[string]int   // front-matter key → line
	items    map[string][]int // list key → line of each item
	links    []entryLink      // links to other entries in the body
}

// crossCheck finds what no single file shows: duplicate ids, related ids
// that do not exist, redirects that collide with ids or with each other.
func crossCheck(files []*fileResult) Problems {
	var ps Problems
	byID := map[string]*fileResult{}
	for _, f := range files {
		if other, dup := byID[f.entry.ID]; dup {
			ps = append(ps, Problem{f.name, f.lines["id"],
				fmt.Sprintf("duplicate id %q, also used by %s", f.entry.ID, other.name),
				"give one of the two entries another id (and rename its file to match)"})
			continue
		}
		byID[f.entry.ID] = f
	}
	redirects := map[string]*fileResult{}
	for _, f := range files {
		for i, r := range f.entry.RedirectFrom {
			line := itemLine(f, "redirect_from", i)
			if owner, clash := byID[r]; clash {
				ps = append(ps, Problem{f.name, line,
					fmt.Sprintf("redirect_from %q is the id of %s", r, owner.name),
					"remove it from redirect_from: an old id must not be a live entry's id"})
				continue
			}
			if other, dup := redirects[r]; dup && other != f {
				ps = append(ps, Problem{f.name, line,
					fmt.Sprintf("redirect_from %q is also claimed by %s", r, other.name),
					"keep the old id in only one entry's redirect_from"})
				continue
			}
			redirects[r] = f
		}
	}
	for _, f := range files {
		for i, r := range f.entry.Related {
			line := itemLine(f, "related", i)
			switch {
			case r == f.entry.ID:
				ps = append(ps, Problem{f.name, line,
					fmt.Sprintf("related %q is this entry itself", r), "remove it from related"})
			case byID[r] == nil:
				fix := "use the id of an existing entry (its file name without .md)"
				if to, ok := redirects[r]; ok {
					fix = fmt.Sprintf("%q was renamed: use %q", r, to.entry.ID)
				}
				ps = append(ps, Problem{f.name, line,
					fmt.Sprintf("related id %q does not exist", r), fix})
			}
		}
	}
	ps = append(ps, codeClaims(files)...)
	for _, f := range files {
		for _, l := range f.links {
			if byID[l.id] != nil {
				continue
			}
			fix := "link to an existing entry: /errors/<id>, where id is its file name without .md"
			if to, ok := redirects[l.id]; ok {
				fix = fmt.Sprintf("%q was renamed: link to /errors/%s", l.id, to.entry.ID)
			}
			ps = append(ps, Problem{f.name, l.line, fmt.Sprintf("link to /errors/%s: no entry has that id", l.id), fix})
		}
	}
	return ps
}

// codeClaims finds a code two entries claim for one provider (or both for
// every provider): /errors/{provider}/{code} must name one entry. Codes
// differ in case only in APIs no one uses, and a code is looked up in any
// case, so "ErrorX" and "errorx" are one code.
func codeClaims(files []*fileResult) Problems {
	var ps Problems
	type claim struct{ provider, code string }
	owner := map[claim]*fileResult{}
	for _, f := range files {
		provs := f.entry.Providers
		if len(provs) == 0 {
			provs = []string{""}
		}
		for i, code := range f.entry.Codes {
			for _, p := range provs {
				c := claim{p, strings.ToLower(code)}
				other, dup := owner[c]
				if !dup {
					owner[c] = f
					continue
				}
				if other == f {
					continue
				}
				who := "provider " + p
				if p == "" {
					who = "every provider (neither names providers)"
				}
				ps = append(ps, Problem{f.name, itemLine(f, "codes", i),
					fmt.Sprintf("code %q of %s is also claimed by %s", code, who, other.name),
					"keep the code in one of the two entries: if both describe the same error, merge them and list the other id in redirect_from"})
			}
		}
	}
	return ps
}

func itemLine(f *fileResult, key string, i int) int {
	if ls := f.items[key]; i < len(ls) {
		return ls[i]
	}
	return f.lines[key]
}

// loadFileSafely is loadFile turning a panic in a parser into a problem:
// one hostile file must not take the whole server down.
func loadFileSafely(fsys fs.FS, p, name string, providers *Providers) (r fileResult) {
	defer func() {
		if v := recover(); v != nil {
			r = fileResult{name: name, problems: Problems{{name, 1, fmt.Sprintf("cannot load the file: internal error: %v", v), "simplify the file and report it to Errata's maintainers"}}}
		}
	}()
	return loadFile(fsys, p, name, providers)
}

// loadFile reads, parses and validates one file on its own.
func loadFile(fsys fs.FS, p, name string, providers *Providers) fileResult {
	r := fileResult{name: name, entry: Entry{Path: p}}
	bad := func(line int, what, fix string) {
		r.problems = append(r.problems, Problem{name, line, what, fix})
	}
	data, err := readLimited(fsys, p)
	var notRegular *notRegularError
	switch {
	case errors.As(err, &notRegular):
		bad(1, notRegular.Error(), notRegularFix)
		return r
	case errors.Is(err, errTooBig):
		bad(1, fmt.Sprintf("file is over the %d KiB limit", MaxFileSize>>10), "shorten it: an entry explains one error in a few paragraphs")
		return r
	case err != nil:
		bad(1, "cannot read the file: "+err.Error(), "check that it is a readable file")
		return r
	case len(bytes.TrimSpace(data)) == 0:
		bad(1, "empty file", "write the front matter and the Cause and Solution sections, or delete the file")
		return r
	case !utf8.Valid(data):
		bad(invalidUTF8Line(data), "invalid UTF-8", "save the file as UTF-8 (the line holds a byte that is not UTF-8 text)")
		return r
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))

	fm, fmLine, body, bodyLine, ok := splitFrontMatter(data)
	if !ok {
		if fmLine == 0 {
			bad(1, "missing front matter", "start the file with a line \"---\", the keys (id, status, title, updated…) and another \"---\"")
		} else {
			bad(1, "front matter is never closed", "end the front matter with a line \"---\" before the body")
		}
		return r
	}
	r.lines, r.items = map[string]int{}, map[string][]int{}
	complete := decodeFrontMatter(fm, fmLine, providers, &r, bad)

	if want := r.entry.ID + ".md"; complete && IsSlug(r.entry.ID) && path.Base(p) != want {
		bad(r.lines["id"], fmt.Sprintf("file name %q does not match id %q", path.Base(p), r.entry.ID),
			fmt.Sprintf("rename the file to %s, or change the id", want))
	}

	newlines := lineStarts(body)
	lineOf := func(off int) int {
		if off < 0 {
			return bodyLine
		}
		i, _ := slices.BinarySearch(newlines, off+1)
		return bodyLine + i
	}
	seen := map[string]int{}
	if l, what, fix, ok := guardBody(body); !ok {
		bad(bodyLine+l, what, fix)
		r.ok = complete
		return r
	}
	secs, links := parseBody(body, lineOf, bad)
	r.links = links
	for _, s := range secs {
		id, known := sectionTitles[s.title]
		if !known {
			bad(s.line, fmt.Sprintf("unknown section \"## %s\"", s.title), "use only \"## Cause\", \"## Solution\" and \"## See also\" (put sub-headings at level 3: \"### …\")")
			continue
		}
		if first, dup := seen[id]; dup {
			bad(s.line, fmt.Sprintf("second \"## %s\" section (the first is on line %d)", s.title, first), "merge the two sections into one")
			continue
		}
		seen[id] = s.line
		html, err := renderHTML(body, s.nodes)
		if err != nil {
			bad(s.line, "cannot render the section: "+err.Error(), "simplify the Markdown of this section")
			continue
		}
		txt := renderText(body, s.nodes)
		if txt == "" {
			bad(s.line, fmt.Sprintf("section \"## %s\" is empty", s.title), "write it; where the source gives nothing, say so in a sentence")
		}
		r.entry.Sections = append(r.entry.Sections, Section{ID: id, Title: s.title, HTML: html, Text: txt})
	}
	closing := bodyLine - 1 // the closing "---" of the front matter
	for _, want := range []string{"Cause", "Solution"} {
		if _, ok := seen[sectionTitles[want]]; !ok {
			bad(closing, fmt.Sprintf("missing section \"## %s\"", want), fmt.Sprintf("add a \"## %s\" heading and its text after the front matter", want))
		}
	}
	r.ok = complete
	return r
}

var errTooBig = errors.New("file too big")

func readLimited(fsys fs.FS, p string) ([]byte, error) {
	f, err := openRegular(fsys, p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, errTooBig
	}
	return data, nil
}

func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// lineStarts lists the offsets just after each newline of b.
func lineStarts(b []byte) []int {
	var starts []int
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// splitFrontMatter splits "---\nyaml\n---\nbody". fmLine is the file line of
// the first YAML line (0 when the file does not open with "---"); bodyLine
// the file line where the body starts.
func splitFrontMatter(data []byte) (fm []byte, fmLine int, body []byte, bodyLine int, ok bool) {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if string(bytes.TrimRight(first, " \t\r")) != "---" {
		return nil, 0, nil, 0, false
	}
	start := len(first) + 1
	line := 2
	for off := start; off < len(data); line++ {
		l, _, found := bytes.Cut(data[off:], []byte("\n"))
		if t := string(bytes.TrimRight(l, " \t\r")); t == "---" || t == "..." {
			return data[start:off], 2, data[min(off+len(l)+1, len(data)):], line + 1, true
		}
		if !found {
			break
		}
		off += len(l) + 1
	}
	return nil, 2, nil, 0, false
}
