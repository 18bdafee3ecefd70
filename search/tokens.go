package search

import (
	"encoding/binary"
	"regexp"
	"strings"
)

// tokens holds the title, messages and aliases of every entry as word ids
// (see vocab.seal), tokenized once when the index is built or opened:
// re-ranking compares ids instead of tokenizing each candidate's text on
// every query. Ids are uvarints, so a common word takes one byte.
//
// Entry i is data[off[i]:off[i+1]]: its title, then each message, then each
// alias, every one as a uvarint header followed by that many ids, 0 standing
// for a {placeholder}. A title's or message's header is its length; an
// alias's is its length<<1, with the low bit set when the alias is a code
// (isCode).
type tokens struct {
	data []byte
	off  []uint32
	sole soleWords // found as the templates are made or checked
}

// soleWords are the ids of the words that are the only word, beside
// placeholders, of some entry's title, message or alias of more than one
// token: the only templates a query of one word can cover (coverageN
// counts a match of one word only in a template of one word).
type soleWords map[uint32]struct{}

// holds reports whether q is, or stands for, a sole word.
func (s soleWords) holds(q qword) bool {
	for _, id := range q {
		if _, ok := s[id]; ok {
			return true
		}
	}
	return false
}

// add adds the one word of a template's ids, if it has one.
func (s soleWords) add(ids []uint32, alias bool) {
	words, last := 0, uint32(placeholderID)
	for _, id := range ids {
		if id != placeholderID {
			words, last = words+1, id
		}
	}
	s.addOne(words, last, len(ids), alias)
}

// addOne adds last, the last word of a template of n ids of which words
// are words, when it is the template's one word and the template no alias
// of one id (a word match, never a template's: see templateBonus).
func (s soleWords) addOne(words int, last uint32, n int, alias bool) {
	if words == 1 && !(alias && n == 1) {
		s[last] = struct{}{}
	}
}

// placeholderID stands for a {placeholder} in a message template.
const placeholderID = 0

// tokenize numbers the templates of every entry. The vocabulary must be
// sealed.
func (ix *Index) tokenize() tokens {
	t := tokens{sole: soleWords{}}
	es := ix.entries.all // tokenized when built, or opened from an index saved without tokens
	if es == nil {
		es = ix.Entries()
	}
	t.off = make([]uint32, len(es)+1)
	var ids []uint32
	put := func(s string, alias bool) {
		ids = ids[:0]
		eachTemplateWord(s, func(w string) {
			if w == "" {
				ids = append(ids, placeholderID)
				return
			}
			ids = append(ids, ix.vocab.intern(w))
		})
		head := uint64(len(ids))
		if alias {
			head <<= 1
			if isCode(s) {
				head |= 1
			}
		}
		t.sole.add(ids, alias)
		t.data = binary.AppendUvarint(t.data, head)
		for _, id := range ids {
			t.data = binary.AppendUvarint(t.data, uint64(id))
		}
	}
	for i := range es {
		e := &es[i]
		put(e.Title, false)
		for _, m := range e.Messages {
			put(m, false)
		}
		for _, a := range e.Codes {
			put(a, true)
		}
		for _, a := range e.Aliases {
			put(a, true)
		}
		t.off[i+1] = uint32(len(t.data))
	}
	// Appending left up to half the capacity unused: keep only what is held.
	t.data = append(make([]byte, 0, len(t.data)), t.data...)
	return t
}

// valid reports whether t holds every entry's templates and nothing else,
// with known ids, so that reading them can never run past the data: a saved
// index's tokens are checked when opened, and their sole words found.
func (t *tokens) valid(ix *Index) bool {
	n := ix.entries.len()
	if len(t.off) != n+1 || t.off[0] != 0 || int(t.off[n]) != len(t.data) {
		return false
	}
	maxID := uint64(len(ix.vocab.ids))
	t.sole = soleWords{}
	for i := range n {
		if t.off[i] > t.off[i+1] {
			return false
		}
		b := t.data[t.off[i]:t.off[i+1]]
		nMsg, nAlias := int(ix.entries.nMsg[i]), int(ix.entries.nAlias[i])
		for k := range 1 + nMsg + nAlias {
			head, n := binary.Uvarint(b)
			if n <= 0 {
				return false
			}
			b = b[n:]
			if k > nMsg {
				head >>= 1
			}
			words, last := 0, uint64(placeholderID)
			for range head {
				id, n := binary.Uvarint(b)
				if n <= 0 || id > maxID {
					return false
				}
				b = b[n:]
				if id != placeholderID {
					words, last = words+1, id
				}
			}
			t.sole.addOne(words, uint32(last), int(head), k > nMsg)
		}
		if len(b) != 0 {
			return false
		}
	}
	return true
}

// isCode reports whether an alias is an identifier or code rather than a
// word: rateLimitExceeded, invalid_grant, AADSTS50126, 21211.
func isCode(a string) bool {
	return identParts(a) != nil || hasDigit(a)
}

var placeholderRE = regexp.MustCompile(`\{[^{}]{1,64}\}`)

// eachTemplateWord calls fn with every lower-cased word of s, and with ""
// for each {placeholder}.
func eachTemplateWord(s string, fn func(w string)) {
	last := 0
	if strings.IndexByte(s, '{') >= 0 {
		for _, m := range placeholderRE.FindAllStringIndex(s, -1) {
			eachIdent(s[last:m[0]], func(_, _ int, w string) { fn(lowerASCII(w)) })
			fn("")
			last = m[1]
		}
	}
	eachIdent(s[last:], func(_, _ int, w string) { fn(lowerASCII(w)) })
}

// tokenReader reads one entry's templates in order; its buffer is reused
// from entry to entry.
type tokenReader struct {
	b   []byte
	buf []uint32
}

// open points r at entry i's templates.
func (t *tokens) open(r *tokenReader, i int) { r.b = t.data[t.off[i]:t.off[i+1]] }

// next returns the next title's or message's ids, valid until the next call.
func (r *tokenReader) next() []uint32 {
	head, n := binary.Uvarint(r.b)
	r.b = r.b[n:]
	return r.read(head)
}

// nextAlias returns the next alias's ids and whether it is a code.
func (r *tokenReader) nextAlias() ([]uint32, bool) {
	head, n := binary.Uvarint(r.b)
	r.b = r.b[n:]
	return r.read(head >> 1), head&1 == 1
}

func (r *tokenReader) read(count uint64) []uint32 {
	r.buf = r.buf[:0]
	for range count {
		id, n := binary.Uvarint(r.b)
		r.b = r.b[n:]
		r.buf = append(r.buf, uint32(id))
	}
	return r.buf
}
