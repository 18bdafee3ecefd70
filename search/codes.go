package search

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/errata/errata/content"
)

// codeIndex finds entries by their codes exactly, whatever the case and
// separators: AADSTS50126, aadsts50126, AADSTS 50126 and AADSTS-50126 are
// one code; 21211, ErrorItemNotFound, rateLimitExceeded, invalid_grant are
// others. A code that belongs to one entry names it: that entry comes first.
//
// It is one table of bytes, laid out as the codes file of a saved index
// (see codesMagic), so that an index built in memory and one opened from a
// saved index read it alike, and opening maps the file instead of decoding
// every entry to build it again.
type codeIndex struct {
	data           []byte // the whole table; mapped when opened from a saved index
	mapped         *mapped
	n              int    // keys
	keyEnd, docEnd []byte // per key, the end of its key and of its entries (uint32 each)
	docs, keys     []byte // entry numbers (uint32 each), then the keys, in byte order
}

// The codes file of a saved index, all little-endian:
//
//	magic (16 bytes) | keys (uint32) | entries (uint32) |
//	key ends (keys × uint32) | entry ends (keys × uint32) |
//	entry numbers (entries × uint32) | keys (bytes)
//
// Key k is keys[keyEnd[k-1]:keyEnd[k]] and its entries, in catalogue order,
// are entry numbers [entryEnd[k-1], entryEnd[k]); keys are sorted bytewise.
// An entry number with asWritten set has a code that is the key but for
// case, without separators (AADSTS50126 for aadsts50126, not AADSTS-50126,
// and not the 50126 of its digits): a word written so is its code, which
// codesSearched then knows without reading the entry.
const codesMagic = "errata-codes/1\x00\x00"

const asWritten int32 = math.MinInt32

// entryCodes are the codes of an entry: the codes its front matter lists
// or, for an entry that lists none, its aliases written as codes
// (isCodeLike), such as a Twilio number or an Exchange response code.
func entryCodes(e *content.Entry) []string {
	if len(e.Codes) > 0 {
		return e.Codes
	}
	var out []string
	for _, a := range e.Aliases {
		if isCodeLike(a) {
			out = append(out, a)
		}
	}
	return out
}

// buildCodes indexes the codes of every entry. A code of letters then
// digits (AADSTS50126) is also indexed by its digits, as a sign-in log or
// an error_codes field writes it (50126).
func buildCodes(es []content.Entry) (codeIndex, error) {
	byKey := map[string][]int32{}
	var buf []byte
	add := func(key []byte, doc int32) {
		docs, ok := byKey[string(key)] // no allocation for a key already held
		switch {
		case !ok:
			byKey[string(key)] = []int32{doc}
		case docs[len(docs)-1]&^asWritten != doc&^asWritten:
			byKey[string(key)] = append(docs, doc)
		default:
			docs[len(docs)-1] |= doc // the entry has the code as written, by another code
		}
	}
	for i := range es {
		for _, c := range entryCodes(&es[i]) {
			if buf = appendCodeKey(buf[:0], c); len(buf) == 0 {
				continue // separators only: no code to look up
			}
			doc := int32(i)
			if len(buf) == len(c) {
				doc |= asWritten
			}
			add(buf, doc)
			if d := trailingDigits(buf); len(d) >= 4 && len(d) < len(buf) && isLetters(buf[:len(buf)-len(d)]) {
				add(d, int32(i))
			}
		}
	}
	keys := slices.Sorted(maps.Keys(byKey))
	ndocs, nkey := 0, 0
	for _, k := range keys {
		ndocs += len(byKey[k])
		nkey += len(k)
	}
	b := make([]byte, 0, len(codesMagic)+8+8*len(keys)+4*ndocs+nkey)
	b = append(b, codesMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(keys)))
	b = binary.LittleEndian.AppendUint32(b, uint32(ndocs))
	at := 0
	for _, k := range keys {
		at += len(k)
		b = binary.LittleEndian.AppendUint32(b, uint32(at))
	}
	at = 0
	for _, k := range keys {
		at += len(byKey[k])
		b = binary.LittleEndian.AppendUint32(b, uint32(at))
	}
	for _, k := range keys {
		for _, d := range byKey[k] {
			b = binary.LittleEndian.AppendUint32(b, uint32(d))
		}
	}
	for _, k := range keys {
		b = append(b, k...)
	}
	if uint64(len(b)) > math.MaxUint32 || len(es) > math.MaxInt32 {
		return codeIndex{}, errors.New("search: too many codes to index")
	}
	return readCodes(b, len(es))
}

var errCodesFile = errors.New("not a codes file written by errata index")

// readCodes reads a table laid out as buildCodes does, for entries 0..n-1,
// checking every offset and entry number, so that lookups need not.
func readCodes(b []byte, n int) (codeIndex, error) {
	head := len(codesMagic) + 8
	if len(b) < head || string(b[:len(codesMagic)]) != codesMagic {
		return codeIndex{}, errCodesFile
	}
	nk := uint64(binary.LittleEndian.Uint32(b[len(codesMagic):]))
	nd := uint64(binary.LittleEndian.Uint32(b[len(codesMagic)+4:]))
	if 8*nk+4*nd > uint64(len(b)-head) {
		return codeIndex{}, errCodesFile
	}
	ix := codeIndex{data: b, n: int(nk)}
	rest := b[head:]
	ix.keyEnd, rest = rest[:4*nk], rest[4*nk:]
	ix.docEnd, rest = rest[:4*nk], rest[4*nk:]
	ix.docs, ix.keys = rest[:4*nd], rest[4*nd:]
	var prevKey, prevDoc uint32
	for k := range ix.n {
		ke, de := ix.end(ix.keyEnd, k), ix.end(ix.docEnd, k)
		if ke <= prevKey && k > 0 || de <= prevDoc && k > 0 || ke == 0 || de == 0 {
			return codeIndex{}, errCodesFile // every key has bytes and entries
		}
		prevKey, prevDoc = ke, de
	}
	if uint64(prevKey) != uint64(len(ix.keys)) || uint64(prevDoc) != nd {
		return codeIndex{}, errCodesFile
	}
	for i := 0; i < len(ix.docs); i += 4 {
		if uint64(binary.LittleEndian.Uint32(ix.docs[i:])&^(1<<31)) >= uint64(n) {
			return codeIndex{}, errCodesFile
		}
	}
	return ix, nil
}

// mapped owns a file mapping: it is released when nothing refers to it
// any more, as the entries file's (see mappedEntries).
type mapped struct{ data []byte }

// openCodes maps the codes file at path, of a saved index of n entries.
func openCodes(path string, n int) (codeIndex, error) {
	data, err := mapFile(path)
	if err != nil {
		return codeIndex{}, err
	}
	ix, err := readCodes(data, n)
	if err != nil {
		unmapFile(data)
		return codeIndex{}, err
	}
	ix.mapped = &mapped{data: data}
	runtime.AddCleanup(ix.mapped, func(d []byte) { unmapFile(d) }, data)
	return ix, nil
}

// end is entry k of an array of ends; 0 before the first.
func (ix *codeIndex) end(ends []byte, k int) uint32 {
	if k < 0 {
		return 0
	}
	return binary.LittleEndian.Uint32(ends[4*k:])
}

// find returns the position of key, or -1.
func (ix *codeIndex) find(key []byte) int {
	k, ok := sort.Find(ix.n, func(k int) int {
		return bytes.Compare(key, ix.keys[ix.end(ix.keyEnd, k-1):ix.end(ix.keyEnd, k)])
	})
	if !ok {
		return -1
	}
	return k
}

// count is how many entries have key k (find) as a code.
func (ix *codeIndex) count(k int) int {
	if k < 0 {
		return 0
	}
	return int(ix.end(ix.docEnd, k) - ix.end(ix.docEnd, k-1))
}

// lookup returns the entries that have key (appendCodeKey) as a code, in
// catalogue order.
func (ix *codeIndex) lookup(key []byte) []int32 { return ix.entriesOf(ix.find(key)) }

// entriesOf is lookup of key k (find).
func (ix *codeIndex) entriesOf(k int) []int32 {
	out := ix.entriesMarked(k)
	for j := range out {
		out[j] &^= asWritten
	}
	return out
}

// lookupMarked is lookup with asWritten set on the entries that have the
// key as written.
func (ix *codeIndex) lookupMarked(key []byte) []int32 { return ix.entriesMarked(ix.find(key)) }

// entriesMarked is lookupMarked of key k (find).
func (ix *codeIndex) entriesMarked(k int) []int32 {
	if k < 0 {
		return nil
	}
	lo, hi := ix.end(ix.docEnd, k-1), ix.end(ix.docEnd, k)
	out := make([]int32, hi-lo)
	for j := range out {
		out[j] = int32(binary.LittleEndian.Uint32(ix.docs[4*(int(lo)+j):]))
	}
	return out
}

// isCodeLike reports whether one token is written as a code rather than a
// word: with an underscore (invalid_grant), a lower-to-upper change
// (rateLimitExceeded, ErrorItemNotFound), a dot inside (userinfo.email),
// letters and digits together (AADSTS50126), or four digits or more
// (21211). Plain words, hyphenated words (non-ASCII) and statuses ("400")
// are not codes.
func isCodeLike(s string) bool {
	if len(s) < 4 || len(s) > maxTokenBytes {
		return false
	}
	var letters, digits, under, dot, camel bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			letters = true
			if i+1 < len(s) && s[i+1] >= 'A' && s[i+1] <= 'Z' {
				camel = true
			}
		case c >= 'A' && c <= 'Z':
			letters = true
		case c >= '0' && c <= '9':
			digits = true
		case c == '_':
			under = true
		case c == '.':
			dot = i > 0 && i < len(s)-1
		case c == '-':
		default:
			return false // spaces, colons, anything else: not one code
		}
	}
	return camel || under && letters || dot && letters || letters && digits || !letters && digits && !under && !dot
}

// appendCodeKey appends the key of code c: lower case, without the
// separators people vary (_ - . and spaces).
func appendCodeKey(b []byte, c string) []byte {
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; {
		case ch >= 'A' && ch <= 'Z':
			b = append(b, ch+'a'-'A')
		case ch == '_' || ch == '-' || ch == '.' || ch == ' ':
		default:
			b = append(b, ch)
		}
	}
	return b
}

func trailingDigits(b []byte) []byte {
	i := len(b)
	for i > 0 && b[i-1] >= '0' && b[i-1] <= '9' {
		i--
	}
	return b[i:]
}

func isLetters(b []byte) bool {
	for _, c := range b {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return len(b) > 0
}

// codeHit is an entry found by one of the query's codes, and how surely:
// 1 when the code belongs to it alone, 1/n when n entries share it.
type codeHit struct {
	doc    int32
	weight float64
}

// lookUpCodes finds the entries the query's codes name (see
// plan.codes). Each distinct code adds 1/n to the n entries it names, or,
// when some of them are of the providers the paste names (hints, a
// provider mask), 1/k to those k: invalid_grant from oauth2.googleapis.com
// is Gmail's alone. A code's weights add up to maxCodeWeight: an entry named by two of the paste's codes
// (AADSTS7000222 in the description and 7000222 in error_codes) is surer
// than one named by one (invalid_client in the error field). Beside a code
// with a number, an entry named only by codes without one counts
// namedCodeShare as much. A code shared
// by more than maxCodeEntries entries names none: it is a word of the
// catalogue rather than a code.
//
// named are the codes that named entries, as first written.
func (ix *Index) lookUpCodes(codes []string, hints uint32) (hits []codeHit, named []string) {
	if ix.codes.n == 0 || len(codes) == 0 {
		return nil, nil
	}
	// A query names a few codes of a few entries each: slices searched in
	// turn cost less than maps here.
	var numbered []bool   // per hit, named by a code with a number
	var pos map[int32]int // hits by entry, once they are many
	find := func(d int32) int {
		if pos == nil && len(hits) > 32 {
			pos = make(map[int32]int, 2*len(hits))
			for k, h := range hits {
				pos[h.doc] = k
			}
		}
		if pos != nil {
			if k, ok := pos[d]; ok {
				return k
			}
			return -1
		}
		return slices.IndexFunc(hits, func(h codeHit) bool { return h.doc == d })
	}
	var seen []string
	var buf []byte
	for _, c := range codes {
		buf = appendCodeKey(buf[:0], c)
		key := ix.codes.find(buf) // once: a search of the whole table
		if n := ix.codes.count(key); n == 0 || n > maxCodeEntries || slices.Contains(seen, string(buf)) {
			continue
		}
		seen = append(seen, string(buf))
		named = append(named, c)
		docs := ix.codes.entriesOf(key)
		hinted := 0
		for _, d := range docs {
			if hints != 0 && ix.provMask[d]&hints != 0 { // typed text has no hints: no mask read
				hinted++
			}
		}
		for _, d := range docs {
			w := 1 / float64(len(docs))
			if hinted > 0 && ix.provMask[d]&hints != 0 {
				w = 1 / float64(hinted)
			}
			k := -1
			if len(named) > 1 { // the first code's entries are distinct
				k = find(d)
			}
			if k < 0 {
				k = len(hits)
				hits, numbered = append(hits, codeHit{doc: d}), append(numbered, false)
				if pos != nil {
					pos[d] = k
				}
			}
			hits[k].weight = min(hits[k].weight+w, maxCodeWeight)
			numbered[k] = numbered[k] || hasDigit(c)
		}
	}
	if len(hits) == 0 {
		return nil, nil
	}
	if slices.Contains(numbered, true) {
		for k := range hits {
			if !numbered[k] {
				// A numbered code (AADSTS50011) names one error; a named
				// one beside it (invalid_request) names its category.
				hits[k].weight *= namedCodeShare
			}
		}
	}
	slices.SortFunc(hits, func(a, b codeHit) int { return int(a.doc) - int(b.doc) })
	return hits, named
}

// codesSearched reports whether every entry the codes name holds one of
// the searched words as a code, as written but for case: the identifier
// field finds it then (a typed AADSTS50126 or 21211), and no lookup of
// document ids is needed. AADSTS-50076 and a code read from a class name
// are not among the words.
func (ix *Index) codesSearched(pl plan) bool {
	// A word written without separators is the code of the entries the
	// table marks for its key; only the others are read.
	var known []int32
	var buf []byte
	for _, w := range pl.words {
		if buf = appendCodeKey(buf[:0], w); len(buf) == len(w) {
			for _, d := range ix.codes.lookupMarked(buf) {
				if d&asWritten != 0 {
					known = append(known, d&^asWritten)
				}
			}
		}
	}
	for _, h := range pl.codeHits {
		if slices.Contains(known, h.doc) {
			continue
		}
		searched := ix.entries.hasCode(int(h.doc), func(c string) bool {
			return slices.ContainsFunc(pl.words, func(w string) bool { return strings.EqualFold(w, c) })
		})
		if !searched {
			return false
		}
	}
	return true
}

// docIDs are the bleve document ids of hits.
func docIDs(hits []codeHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = strconv.Itoa(int(h.doc))
	}
	return out
}

// ByCode is every entry that lists code among its codes, in any case, in
// catalogue order (status, then id). It reads the code index, keeping the
// entries whose front matter lists the code as written but for case.
func (ix *Index) ByCode(code string) []content.Entry {
	buf := appendCodeKey(nil, code)
	if len(buf) == 0 {
		return nil
	}
	var out []content.Entry
	for _, d := range ix.codes.lookup(buf) {
		if e := ix.entries.view(int(d), partHead); slices.ContainsFunc(e.Codes, func(c string) bool { return strings.EqualFold(c, code) }) {
			out = append(out, ix.entries.at(int(d)))
		}
	}
	return out
}

// searchAliases are the names an entry is searched by besides its title
// and messages: its codes, then its aliases. The index, its re-ranking
// templates (tokens) and their reader (rank) take them in this order.
func searchAliases(e content.Entry) []string {
	if len(e.Codes) == 0 {
		return e.Aliases
	}
	return append(slices.Clip(e.Codes), e.Aliases...)
}
