package search

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/errata/errata/content"
)

// entryStore holds the entries in status order, then id. An index built in
// memory keeps the entries it was given. One opened from a saved index maps
// its entries file into memory and decodes an entry only when asked for it:
// a million entries then cost the Go heap nothing, and opening reads none of
// them (the pages a search touches are read by the kernel as needed). A
// saved catalogue of fewTexts is decoded whole when opened, as a build
// holds it (see savedIndex).
type entryStore struct {
	all []content.Entry // built in memory; nil when mapped
	m   *mappedEntries  // opened from a saved index
	n   int
	// How many messages and aliases each entry has: re-ranking walks an
	// entry's templates (see tokens) by these counts without decoding it.
	nMsg, nAlias []uint16
}

func storeOf(es []content.Entry) entryStore {
	s := entryStore{all: es, n: len(es), nMsg: make([]uint16, len(es)), nAlias: make([]uint16, len(es))}
	for i := range es {
		s.nMsg[i], s.nAlias[i] = uint16(min(len(es[i].Messages), maxTemplates)), uint16(min(len(es[i].Codes)+len(es[i].Aliases), maxTemplates))
	}
	return s
}

// maxTemplates bounds the messages, and the aliases, of one entry that
// re-ranking reads; content.Load allows far fewer.
const maxTemplates = 1<<16 - 1

func (s *entryStore) len() int { return s.n }

// at returns entry i; a mapped entry is decoded into strings of its own, so
// it outlives the index.
func (s *entryStore) at(i int) content.Entry { return s.decoded(i, partWhole, true) }

// decoded is entry i, whole when in memory; a mapped one holds the fields
// part names, with strings of their own when own is set (see
// mappedEntries.decodePart).
func (s *entryStore) decoded(i int, part entryPart, own bool) content.Entry {
	if s.all != nil {
		return s.all[i]
	}
	e, err := s.m.decodePart(i, part, own)
	if err != nil {
		// The file passed its manifest check when opened: only a bug in
		// writing it reaches here.
		panic(fmt.Sprintf("search: saved entry %d: %v", i, err))
	}
	return e
}

// id returns entry i's id. A mapped id points into the file: it must not
// outlive the call that asked for it (lookup compares it and lets it go).
func (s *entryStore) id(i int) string {
	if s.all != nil {
		return s.all[i].ID
	}
	r := s.m.record(i)
	return r.str()
}

// view is entry i with at least the fields part names (see entryPart),
// without copies: a mapped entry's strings point into the file, so the
// entry must not outlive the call that asked for it (a re-ranking reads it
// and lets it go), as with id.
func (s *entryStore) view(i int, part entryPart) content.Entry { return s.decoded(i, part, false) }

// hasCode reports whether any of entry i's codes (entryCodes) satisfies
// match; a mapped entry's are read in place, none copied.
func (s *entryStore) hasCode(i int, match func(code string) bool) bool {
	if s.all != nil {
		return slices.ContainsFunc(entryCodes(&s.all[i]), match)
	}
	found := false
	s.m.eachCode(i, func(c string) bool {
		found = match(c)
		return !found
	})
	return found
}

// The entries file of a saved index:
//
//	magic (16 bytes) | count (uint64) | offsets ((count+1) × uint64) | records
//
// all little-endian; record i is records[offsets[i]:offsets[i+1]]. A record
// is the entry's fields in Entry's order, each string as a uvarint length
// and its bytes, each list as a uvarint count and its strings, the status
// as a uvarint, Source as its name and URL, Updated and Imported as their
// MarshalBinary bytes (strings), sections as a
// count and each section's id, title, HTML and text.
const entriesMagic = "errata-entries/2"

// writeEntries writes es to a new file at path in the format above.
func writeEntries(path string, es []content.Entry) error {
	return writeFile(path, func(w io.Writer) error {
		// Each record is encoded twice, for the table and then for the
		// file, so that no more than one is held at a time.
		var rec []byte
		offsets := make([]byte, 0, 8*(len(es)+1))
		var at uint64
		for _, e := range es {
			offsets = binary.LittleEndian.AppendUint64(offsets, at)
			rec = appendEntry(rec[:0], e)
			at += uint64(len(rec))
		}
		offsets = binary.LittleEndian.AppendUint64(offsets, at)
		head := append([]byte(entriesMagic), binary.LittleEndian.AppendUint64(nil, uint64(len(es)))...)
		if _, err := w.Write(head); err != nil {
			return err
		}
		if _, err := w.Write(offsets); err != nil {
			return err
		}
		for _, e := range es {
			rec = appendEntry(rec[:0], e)
			if _, err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func appendEntry(b []byte, e content.Entry) []byte {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	list := func(ss []string) {
		b = binary.AppendUvarint(b, uint64(len(ss)))
		for _, s := range ss {
			str(s)
		}
	}
	str(e.ID)
	b = binary.AppendUvarint(b, uint64(e.Status))
	str(e.Title)
	list(e.Codes)
	list(e.Providers)
	list(e.Messages)
	list(e.Aliases)
	list(e.Related)
	str(e.Source.Name)
	str(e.Source.URL)
	updated, _ := e.Updated.MarshalBinary() // fails only for a zone offset in seconds, which a date never has
	str(string(updated))
	imported, _ := e.Imported.MarshalBinary()
	str(string(imported))
	list(e.RedirectFrom)
	b = binary.AppendUvarint(b, uint64(len(e.Sections)))
	for _, s := range e.Sections {
		str(s.ID)
		str(s.Title)
		str(s.HTML)
		str(s.Text)
	}
	str(e.Path)
	return b
}

// mappedEntries is an entries file mapped read-only into memory. The
// mapping is released when nothing refers to it any more, never by Close:
// a request may still be reading an entry of an index being replaced.
type mappedEntries struct {
	data    []byte
	n       int
	records []byte
}

var errEntriesFile = errors.New("not an entries file written by errata index")

// openEntries maps the entries file at path and checks its table.
func openEntries(path string) (*mappedEntries, error) {
	data, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	m := &mappedEntries{data: data}
	runtime.AddCleanup(m, func(d []byte) { unmapFile(d) }, data)
	head := len(entriesMagic) + 8
	if len(data) < head || string(data[:len(entriesMagic)]) != entriesMagic {
		return nil, errEntriesFile
	}
	n := binary.LittleEndian.Uint64(data[len(entriesMagic):])
	if n > uint64(len(data)-head)/8-1 {
		return nil, errEntriesFile
	}
	m.n = int(n)
	m.records = data[head+8*(m.n+1):]
	prev := uint64(0)
	for i := 0; i <= m.n; i++ {
		o := m.offset(i)
		if o < prev || o > uint64(len(m.records)) || (i == 0 && o != 0) {
			return nil, errEntriesFile
		}
		prev = o
	}
	return m, nil
}

func (m *mappedEntries) offset(i int) uint64 {
	return binary.LittleEndian.Uint64(m.data[len(entriesMagic)+8+8*i:])
}

// record returns a reader over record i.
func (m *mappedEntries) record(i int) *recordReader {
	return &recordReader{b: m.records[m.offset(i):m.offset(i+1)]}
}

// warm reads one byte of every cache line of the records of the entries
// hits names, up to warmBytes of each, before they are decoded. Decoding
// reads a record field after field, each length telling where the next
// field is, so that it waits for every line in turn when the record is
// not in the CPU's caches; here the reads do not depend on each other,
// and the memory system fetches the lines of all the page's records at
// once.
func (s *entryStore) warm(hits []ranked) {
	if s.m == nil {
		return
	}
	var sum uint32
	for _, h := range hits {
		lo, hi := s.m.offset(h.doc), s.m.offset(h.doc+1)
		for at := lo; at < min(hi, lo+warmBytes); at += 64 {
			sum += uint32(s.m.records[at])
		}
	}
	warmSink.Store(sum) // the reads are kept only if their sum is
}

// warmBytes is how much of each record warm reads: the head of a record
// and its messages, most of what a hit shows.
const warmBytes = 1024

var warmSink atomic.Uint32

// entryPart is how much of an entry a decode copies out of its record.
type entryPart int

const (
	// partHead is the id, status, title, codes and providers: what
	// re-ranking reads of every candidate.
	partHead entryPart = iota
	// partShown adds the messages and sections without their HTML: what
	// a hit shows and its snippet is cut from.
	partShown
	partWhole
)

// decodeAll is every entry, with strings of their own.
func (m *mappedEntries) decodeAll() ([]content.Entry, error) {
	all := make([]content.Entry, m.n)
	for i := range all {
		e, err := m.decodePart(i, partWhole, true)
		if err != nil {
			return nil, fmt.Errorf("saved entry %d: %w", i, err)
		}
		all[i] = e
	}
	return all, nil
}

// decodePart returns the fields of entry i that part names, with strings
// of their own when own is set, else pointing into the file (see
// entryStore.view); the other fields are skipped without a copy.
func (m *mappedEntries) decodePart(i int, part entryPart, own bool) (content.Entry, error) {
	r := m.record(i)
	copied := func() string {
		if !own {
			return r.str()
		}
		return string(r.bytes())
	}
	list := func(keep bool) []string {
		n := r.uvarint()
		if n == 0 || n > uint64(len(r.b)) {
			return nil
		}
		if !keep {
			for range n {
				r.bytes()
			}
			return nil
		}
		out := make([]string, n)
		for k := range out {
			out[k] = copied()
		}
		return out
	}
	var e content.Entry
	e.ID = copied()
	e.Status = int(r.uvarint())
	e.Title = copied()
	e.Codes = list(true)
	e.Providers = list(true)
	if part == partHead {
		return e, r.err
	}
	whole := part == partWhole
	e.Messages = list(true)
	e.Aliases = list(whole)
	e.Related = list(whole)
	source, url, updated, imported := r.bytes(), r.bytes(), r.bytes(), r.bytes()
	if whole {
		e.Source = content.Source{Name: string(source), URL: string(url)}
		if err := e.Updated.UnmarshalBinary(updated); err != nil && r.err == nil {
			return e, err
		}
		if err := e.Imported.UnmarshalBinary(imported); err != nil && r.err == nil {
			return e, err
		}
	}
	e.RedirectFrom = list(whole)
	if n := r.uvarint(); n > 0 && n <= uint64(len(r.b)) {
		e.Sections = make([]content.Section, n)
		for k := range e.Sections {
			s := &e.Sections[k]
			s.ID, s.Title = copied(), copied()
			if html := r.bytes(); whole {
				s.HTML = string(html)
			}
			s.Text = copied()
		}
	}
	if whole {
		e.Path = copied()
	}
	return e, r.err
}

// eachCode calls fn with each of entry i's codes as entryCodes lists them,
// until fn returns false. A mapped code points into the file: fn must not
// keep it.
func (m *mappedEntries) eachCode(i int, fn func(code string) bool) {
	r := m.record(i)
	r.bytes() // id
	r.uvarint()
	r.bytes() // title
	n := r.uvarint()
	for k := uint64(0); k < n && r.err == nil; k++ {
		if !fn(r.str()) {
			return
		}
	}
	if n > 0 {
		return
	}
	for range 2 { // providers, messages
		for n := r.uvarint(); n > 0 && r.err == nil; n-- {
			r.bytes()
		}
	}
	for n := r.uvarint(); n > 0 && r.err == nil; n-- {
		if a := r.str(); isCodeLike(a) && !fn(a) {
			return
		}
	}
}

// recordReader reads one record; a record cut short sets err and reads as
// empty from there on.
type recordReader struct {
	b   []byte
	err error
}

func (r *recordReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recordReader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// str returns the next string without copying it (see entryStore.id).
func (r *recordReader) str() string {
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (r *recordReader) fail() {
	if r.err == nil {
		r.err = errEntriesFile
	}
	r.b = nil
}
