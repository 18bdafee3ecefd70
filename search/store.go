package search

import (
	"bufio"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/errata/errata/content"
)

// An index saved ahead of time (errata index) opens in a fraction of the
// time a build takes: bleve's segments are read from disk and only the
// entry lookups are rebuilt. The saved index records a fingerprint of the
// entries it was built from, so a stale index is refused, never served.
const (
	bleveDir    = "bleve"
	metaFile    = "errata-index.gob"
	metaMagic   = "errata-index/1"
	entriesFile = "entries.gob"
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
}

// Save builds the index of entries into dir, which must not exist yet.
func Save(entries []content.Entry, dir string) error {
	ix, err := prepare(entries)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("search: %s already exists; remove it or choose another directory", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	m := newMapping()
	b, err := bleve.NewUsing(filepath.Join(dir, bleveDir), m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return fmt.Errorf("search: new index in %s: %w", dir, err)
	}
	if err := ix.fill(b, true); err != nil {
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
	if int(n) != len(ix.entries) {
		return fmt.Errorf("search: indexed %d documents of %d entries", n, len(ix.entries))
	}
	f, err := os.Create(filepath.Join(dir, metaFile))
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	meta := savedMeta{Magic: metaMagic, Count: len(ix.entries), Fingerprint: fingerprint(ix.entries), Words: ix.vocab.df}
	ix.vocab.seal()
	if t := ix.tokenize(); len(ix.vocab.ids) == len(meta.Words) {
		// Every id comes from the counts saved beside them (none was
		// interned), so sealing those counts again gives the same ids.
		meta.Tokens, meta.TokenOffsets = t.data, t.off
	}
	if err := gob.NewEncoder(f).Encode(meta); err != nil {
		f.Close()
		return fmt.Errorf("search: write %s: %w", metaFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return saveEntries(ix.entries, filepath.Join(dir, entriesFile))
}

// saveEntries keeps the entries beside their index, so that a server can
// start from the saved index alone, without reading or parsing Markdown.
func saveEntries(es []content.Entry, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := gob.NewEncoder(w).Encode(es); err != nil {
		f.Close()
		return fmt.Errorf("search: write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("search: write %s: %w", path, err)
	}
	return f.Close()
}

// OpenSaved serves an index saved by Save together with the entries it was
// built from, which Save keeps beside it: start-up reads no Markdown.
func OpenSaved(dir string) (*Index, error) {
	f, err := os.Open(filepath.Join(dir, entriesFile))
	if err != nil {
		return nil, fmt.Errorf("search: %s holds no saved index (run errata index --out %s): %w", dir, dir, err)
	}
	var es []content.Entry
	err = gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&es)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("search: %s: unreadable saved entries (%v); build it again with errata index", dir, err)
	}
	return Open(dir, es)
}

// Open serves an index saved by Save for the same entries. It returns
// ErrStale when the entries changed since.
func Open(dir string, entries []content.Entry) (*Index, error) {
	ix, err := prepare(entries)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, fmt.Errorf("search: %s holds no saved index (run errata index): %w", dir, err)
	}
	var meta savedMeta
	err = gob.NewDecoder(f).Decode(&meta)
	f.Close()
	if err != nil || meta.Magic != metaMagic {
		return nil, fmt.Errorf("search: %s: unreadable saved index; build it again", dir)
	}
	if meta.Count != len(ix.entries) || meta.Fingerprint != fingerprint(ix.entries) {
		return nil, ErrStale
	}
	b, err := bleve.Open(filepath.Join(dir, bleveDir))
	if err != nil {
		return nil, fmt.Errorf("search: open %s: %w", dir, err)
	}
	ix.vocab.df = meta.Words
	ix.tokens = tokens{data: meta.Tokens, off: meta.TokenOffsets}
	if err := ix.finish(b, b.Mapping()); err != nil {
		b.Close()
		return nil, err
	}
	return ix, nil
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
