package search

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"
	"unsafe"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/errata/errata/content"
)

// An index saved ahead of time (errata index) opens in a fraction of the
// time a build takes: bleve's segments, the entries and the code table are
// mapped from disk, the other lookups read from the metadata, and no entry
// is decoded. The saved index records a fingerprint of the
// entries it was built from, so a stale index is refused, never served.
const (
	bleveDir    = "bleve"
	metaFile    = "errata-index.gob"
	metaMagic   = "errata-index/2"
	entriesFile = "entries.bin" // see writeEntries
	codesFile   = "codes.bin"   // see codesMagic
)

// ErrStale is returned by Open when the saved index was built from other
// entries than those given: build it again.
var ErrStale = errors.New("search: saved index does not match the entries")

type savedMeta struct {
	Magic       string
	Count       int
	Fingerprint uint64
	Words       map[string]uint32
	// The entries' templates as word ids (see tokens), so that opening
	// does not tokenize them again. An index saved without them is
	// tokenized when opened.
	Tokens       []byte
	TokenOffsets []uint32
	// The catalogue's providers; an index saved without them has the
	// built-in ones.
	Providers     []content.Provider
	ProvidersFile string
	// What searching needs of every entry, so that opening decodes none:
	// little-endian arrays (gob reads a byte slice at once, an int slice
	// number by number) of each entry's status (uint16), provider mask
	// (uint32), messages and aliases counts (uint16), and entry numbers in
	// id order (uint32); and the old ids that redirect.
	Status, ProvMask, MsgCounts, AliasCounts, ByID []byte
	Redirect                                       map[string]string
	// The message templates' keys (templateIndex), little-endian uint64
	// and uint32, saved with the Tokens they were derived from: keying a
	// million entries' messages took most of the time to open. An index
	// saved without them keys its templates when opened.
	TemplateKeys, TemplateDocs []byte
	// The entries in code and in title order (int32), for browsing.
	// An index saved without them sorts on first use.
	CodeOrder, TitleOrder []byte
}

// Save builds the index of entries into dir. dir may be new, an empty folder
// or an index Save wrote before, which is replaced whole: the new index is
// built in a hidden sibling folder, with its manifest written last, and only
// then renamed into place, so a server never opens half an index. Save
// refuses a folder holding anything else: it never deletes or overwrites a
// file it did not write.
func Save(entries []content.Entry, dir string) error {
	return SaveCatalogue(&content.Catalogue{Entries: entries, Providers: content.BuiltinProviders()}, dir)
}

// SaveCatalogue is Save of a catalogue's entries with its providers.
func SaveCatalogue(c *content.Catalogue, dir string) error {
	if err := CheckSaveDir(dir); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	ix, err := prepare(c.Entries, c.Providers)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp-")
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer os.RemoveAll(tmp) // nothing left once renamed into place
	if err := ix.write(tmp); err != nil {
		return err
	}
	if err := fileModes(tmp); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := writeManifest(tmp); err != nil {
		return err
	}
	return replace(tmp, dir)
}

// write saves ix's bleve index, its metadata and its entries into dir.
func (ix *Index) write(dir string) error {
	b, err := bleve.NewUsing(filepath.Join(dir, bleveDir), newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return fmt.Errorf("search: new index in %s: %w", dir, err)
	}
	if err := ix.fill(b, true); err != nil {
		b.Close()
		return err
	}
	if err := mergeSegments(b, filepath.Join(dir, bleveDir)); err != nil {
		b.Close()
		return err
	}
	n, err := b.DocCount()
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	es := ix.entries.all
	if int(n) != len(es) {
		return fmt.Errorf("search: indexed %d documents of %d entries", n, len(es))
	}
	meta := savedMeta{Magic: metaMagic, Count: len(es), Fingerprint: fingerprint(es), Words: ix.vocab.df,
		Providers: ix.prov.reg.List(), ProvidersFile: ix.prov.reg.File,
		Status: packUint(ix.status), ProvMask: packUint(ix.provMask), MsgCounts: packUint(ix.entries.nMsg),
		AliasCounts: packUint(ix.entries.nAlias), ByID: packUint(ix.byID), Redirect: ix.redirect,
		CodeOrder: packUint(ix.orders.code()), TitleOrder: packUint(ix.orders.title())}
	ix.vocab.seal()
	if t := ix.tokenize(); len(ix.vocab.ids) == len(meta.Words) {
		// Every id comes from the counts saved beside them (none was
		// interned), so sealing those counts again gives the same ids.
		meta.Tokens, meta.TokenOffsets = t.data, t.off
		ix.tokens = t
		tmpl := ix.indexTemplates()
		meta.TemplateKeys, meta.TemplateDocs = packUint(tmpl.keys), packUint(tmpl.docs)
	}
	if err := writeGob(filepath.Join(dir, metaFile), meta); err != nil {
		return err
	}
	// The code table is kept as it is laid out in memory, so that opening
	// maps it rather than decoding every entry to build it again.
	if err := writeFile(filepath.Join(dir, codesFile), func(w io.Writer) error {
		_, err := w.Write(ix.codes.data)
		return err
	}); err != nil {
		return err
	}
	// The entries are kept beside their index, so that a server can start
	// from the saved index alone, without reading or parsing Markdown.
	return writeEntries(filepath.Join(dir, entriesFile), es)
}

// mergeSegments merges the segments of a saved index into one: batches of
// bounded size (see fill) leave one segment each, and every query looks up
// its terms once per segment. It then waits, a bounded time, for bleve to
// delete the merged segments' files, which it does in the background: left
// behind, they would double the index on disk and the hashing of its
// manifest at every start.
func mergeSegments(b bleve.Index, dir string) error {
	adv, err := b.Advanced()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return fmt.Errorf("search: the index is %T, not scorch", adv)
	}
	// One force merge runs one plan, whose tasks merge ten segments each:
	// 20 batches left two segments, 200 would leave twenty. Each round
	// divides them by ten, so a few rounds make one.
	for round := 0; round < maxMergeRounds; round++ {
		if err := s.ForceMerge(context.Background(), &mergeplan.SingleSegmentMergePlanOptions); err != nil {
			return fmt.Errorf("search: merge segments: %w", err)
		}
		if n, err := segments(s); err != nil || n <= 1 {
			break
		}
	}
	for wait := time.Duration(0); wait < mergeCleanupWait; wait += 10 * time.Millisecond {
		if zaps, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap")); len(zaps) <= 1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// maxMergeRounds bounds the force merges of a saved index: each merges
// ten segments into one, and four take 10,000 segments to one.
const maxMergeRounds = 4

// segments is how many segments s's current snapshot has.
func segments(s *scorch.Scorch) (int, error) {
	r, err := s.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, fmt.Errorf("search: a scorch reader is %T", r)
	}
	return len(snap.Segments()), nil
}

// writeGob writes v to a new file at path.
func writeGob(path string, v any) error {
	return writeFile(path, func(w io.Writer) error { return gob.NewEncoder(w).Encode(v) })
}

// writeFile writes a new file at path with encode and flushes it to disk.
func writeFile(path string, encode func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = encode(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("search: write %s: %w", path, err)
	}
	return nil
}

// replace renames the finished index tmp to dir. A previous index there is
// moved aside first and deleted after: servers already running on it keep
// reading their open files, and one starting in between the two renames
// finds no index and says so.
func replace(tmp, dir string) error {
	// Checked again: another process may have written dir meanwhile.
	if err := CheckSaveDir(dir); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("search: cannot move the previous %s aside: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir) // the previous index back, if there was one
		return fmt.Errorf("search: cannot move the new index into %s (was another errata index writing it at the same time?): %w", dir, err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("search: the new index is in %s, but the previous one is left in %s: %w", dir, old, err)
	}
	return syncDir(filepath.Dir(tmp))
}

// syncDir flushes a folder's entries (a rename) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("search: sync %s: %w", dir, err)
	}
	return nil
}

// OpenSaved serves an index saved by Save together with the entries it was
// built from, which Save keeps beside it: start-up reads no Markdown.
func OpenSaved(dir string) (ix *Index, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // bolt maps its file: a cut one faults (see recoverDamaged)
	defer recoverDamaged(dir, &err)
	if err := verify(dir); err != nil {
		return nil, err
	}
	meta, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	m, err := openEntries(filepath.Join(dir, entriesFile))
	if err != nil {
		return nil, fmt.Errorf("search: %s: unreadable saved entries (%v); %s", dir, err, rebuildHint(dir))
	}
	codes, err := openCodes(filepath.Join(dir, codesFile), m.n)
	if err != nil {
		return nil, fmt.Errorf("search: %s: unreadable saved codes (%v); %s", dir, err, rebuildHint(dir))
	}
	ix, err = savedIndex(meta, m, codes)
	if err != nil {
		return nil, fmt.Errorf("search: %s: %v; %s", dir, err, rebuildHint(dir))
	}
	return openBleve(dir, ix, meta)
}

// savedIndex is the index of the entries in m with the lookups saved in
// meta, checked against each other.
func savedIndex(meta *savedMeta, m *mappedEntries, codes codeIndex) (*Index, error) {
	limitClauses()
	n := m.n
	ix := &Index{redirect: meta.Redirect, vocab: newVocab(), prov: newProviderSet(meta.providers())}
	ix.entries = entryStore{m: m, n: n}
	if n <= wholeTextEntries {
		// A small catalogue is decoded whole once, as a build holds it:
		// its hits are then read without a decode or a copy, and its few
		// entries cost the heap next to nothing.
		all, err := m.decodeAll()
		if err != nil {
			return nil, err
		}
		ix.entries = entryStore{all: all, n: n}
	}
	ix.status, ix.provMask = unpackUint[uint16](meta.Status), unpackUint[uint32](meta.ProvMask)
	ix.entries.nMsg, ix.entries.nAlias = unpackUint[uint16](meta.MsgCounts), unpackUint[uint16](meta.AliasCounts)
	ix.byID = unpackUint[int32](meta.ByID)
	if meta.Count != n || len(ix.status) != n || len(ix.provMask) != n || len(ix.entries.nMsg) != n || len(ix.entries.nAlias) != n || len(ix.byID) != n {
		return nil, errors.New("its entries and their lookups differ in number")
	}
	for i, k := range ix.byID {
		if k < 0 || int(k) >= n || ix.status[i] >= uint16(len(ix.statusTotals)) {
			return nil, errors.New("its entry lookups are out of range")
		}
	}
	if ix.redirect == nil {
		ix.redirect = map[string]string{}
	}
	ix.templates = savedTemplates(meta, n)
	ix.orders = savedOrders(ix, unpackUint[int32](meta.CodeOrder), unpackUint[int32](meta.TitleOrder))
	ix.codes = codes
	ix.tally()
	return ix, nil
}

// savedTemplates reads the template keys of meta; none (to be keyed
// again) when it has none or they do not hold together.
func savedTemplates(meta *savedMeta, n int) templateIndex {
	t := templateIndex{keys: unpackUint[uint64](meta.TemplateKeys), docs: unpackUint[int32](meta.TemplateDocs)}
	if len(t.keys) == 0 || len(t.keys) != len(t.docs) {
		return templateIndex{}
	}
	for k, d := range t.docs {
		if d < 0 || int(d) >= n || k > 0 && t.keys[k] < t.keys[k-1] {
			return templateIndex{}
		}
	}
	return t
}

// packUint lays out s as little-endian bytes.
func packUint[T uint16 | uint32 | int32 | uint64](s []T) []byte {
	size := int(unsafe.Sizeof(T(0)))
	out := make([]byte, 0, size*len(s))
	for _, v := range s {
		switch size {
		case 2:
			out = binary.LittleEndian.AppendUint16(out, uint16(v))
		case 4:
			out = binary.LittleEndian.AppendUint32(out, uint32(v))
		default:
			out = binary.LittleEndian.AppendUint64(out, uint64(v))
		}
	}
	return out
}

// unpackUint reads what packUint wrote; nil when b is not whole values.
func unpackUint[T uint16 | uint32 | int32 | uint64](b []byte) []T {
	size := int(unsafe.Sizeof(T(0)))
	if len(b)%size != 0 {
		return nil
	}
	out := make([]T, len(b)/size)
	for i := range out {
		switch size {
		case 2:
			out[i] = T(binary.LittleEndian.Uint16(b[2*i:]))
		case 4:
			out[i] = T(binary.LittleEndian.Uint32(b[4*i:]))
		default:
			out[i] = T(binary.LittleEndian.Uint64(b[8*i:]))
		}
	}
	return out
}

// Open serves an index saved by Save for the same entries. It returns
// ErrStale when the entries changed since.
func Open(dir string, entries []content.Entry) (ix *Index, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // bolt maps its file: a cut one faults (see recoverDamaged)
	defer recoverDamaged(dir, &err)
	if err := verify(dir); err != nil {
		return nil, err
	}
	return open(dir, entries)
}

// lockWait is how long opening waits for bolt's lock, which only a process
// with the index open for writing holds (an older errata serve, a bleve tool).
const lockWait = 5 * time.Second

// open serves the verified index in dir for entries, read-only.
func open(dir string, entries []content.Entry) (*Index, error) {
	meta, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	ix, err := prepare(entries, meta.providers())
	if err != nil {
		return nil, err
	}
	if meta.Count != ix.entries.len() || meta.Fingerprint != fingerprint(ix.entries.all) {
		return nil, ErrStale
	}
	return openBleve(dir, ix, meta)
}

// providers are the catalogue's providers saved in meta; an index saved
// without them has the built-in ones.
func (meta *savedMeta) providers() *content.Providers {
	if len(meta.Providers) > 0 {
		return content.NewProviders(meta.ProvidersFile, meta.Providers)
	}
	return content.BuiltinProviders()
}

// readMeta reads the saved index's metadata.
func readMeta(dir string) (*savedMeta, error) {
	f, err := os.Open(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var meta savedMeta
	err = gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&meta)
	f.Close()
	if err != nil || meta.Magic != metaMagic {
		return nil, fmt.Errorf("search: %s: unreadable saved index; %s", dir, rebuildHint(dir))
	}
	return &meta, nil
}

// openBleve opens the bleve index in dir read-only under ix. Bolt then
// takes its file lock shared, so any number of servers open one folder at
// once; nothing is written, so a folder they may not write serves, and
// stays byte for byte as errata index wrote it.
func openBleve(dir string, ix *Index, meta *savedMeta) (*Index, error) {
	b, err := bleve.OpenUsing(filepath.Join(dir, bleveDir), map[string]any{"read_only": true, "bolt_timeout": lockWait.String()})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("search: %s: another process has the index open for writing (an errata serve older than this one, or a bleve tool); waited %s for it: stop it, or serve a copy of the folder",
			dir, lockWait)
	}
	if err != nil {
		return nil, fmt.Errorf("search: open %s: %w; %s", dir, err, rebuildHint(dir))
	}
	ix.vocab.df = meta.Words
	ix.tokens = tokens{data: meta.Tokens, off: meta.TokenOffsets}
	if err := ix.finish(b, b.Mapping()); err != nil {
		b.Close()
		return nil, err
	}
	return ix, nil
}

// recoverDamaged turns a panic inside bleve or bolt, which both trust the
// files they read, into an error: a saved index that passed its manifest
// check but still trips them is reported, never a crash. Bolt reads its
// file through a memory mapping, so a file cut short faults instead of
// panicking: opening sets debug.SetPanicOnFault to make that a panic too.
func recoverDamaged(dir string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("search: %s: %w: bleve failed reading it (%v); %s", dir, ErrDamaged, p, rebuildHint(dir))
	}
}

// fingerprint hashes everything the index holds of the entries.
func fingerprint(es []content.Entry) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	str := func(s string) {
		binary.LittleEndian.PutUint64(buf[:], uint64(len(s)))
		h.Write(buf[:])
		h.Write([]byte(s))
	}
	for _, e := range es {
		d := toDoc(e)
		str(d.ID)
		str(d.Status)
		for _, group := range [][]string{d.Providers, {d.Title}, d.Message, d.Alias, d.Body} {
			binary.LittleEndian.PutUint64(buf[:], uint64(len(group)))
			h.Write(buf[:])
			for _, s := range group {
				str(s)
			}
		}
	}
	return h.Sum64()
}
