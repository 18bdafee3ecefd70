package search

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/errata/errata/content"
)

// highlighter marks the query's words in entry text. It works from the
// entries slice with the index's own analyzers, so the index keeps no term
// vectors and only the page's hits are highlighted.
type highlighter struct {
	ix    *Index
	keys  []string        // lower-case prefixes of every term: words holding none are not analysed
	en    map[string]bool // stemmed words
	ident map[string]bool // identifiers as typed, lower-cased
	// The same terms listed, for wholeMarks to look up.
	enTerms, identTerms []string
	// Every key is ASCII, so ASCII text needs no lower-cased copy.
	asciiKeys bool
}

func (ix *Index) newHighlighter(pl plan, ws []word) *highlighter {
	hl := &highlighter{ix: ix, en: map[string]bool{}, ident: map[string]bool{}}
	for _, w := range ws {
		for _, t := range slices.Concat([]string{w.text}, w.fixes, w.completions) {
			for _, t := range ix.english(&w, t) {
				if !hl.en[t] {
					hl.en[t] = true
					hl.enTerms = append(hl.enTerms, t)
				}
			}
			// Only an identifier can match whole (see marksIn): a plain
			// word, a stop word above all, needs no key of its own.
			if id := lowerASCII(t); !isPlainWord(t) && !hl.ident[id] {
				hl.ident[id] = true
				hl.identTerms = append(hl.identTerms, id)
			}
		}
	}
	if ix.fewTexts() {
		return hl // whole texts are marked from their terms (wholeMarks): no keys
	}
	for _, t := range hl.enTerms {
		// A stem's last letter may not be in the text ("may" stems to
		// mai, "hoping" to hope): its key stops short.
		hl.keys = append(hl.keys, t[:max(1, min(len(t)-1, maxKeyBytes))])
	}
	hl.keys = append(hl.keys, hl.identTerms...)
	// A key holding another finds nothing more.
	slices.Sort(hl.keys)
	all := slices.Compact(hl.keys)
	hl.keys = nil
	for _, k := range all {
		if !slices.ContainsFunc(all, func(o string) bool { return o != k && strings.Contains(k, o) }) {
			hl.keys = append(hl.keys, k)
		}
	}
	hl.asciiKeys = !slices.ContainsFunc(hl.keys, func(k string) bool { return !isASCII(k) })
	return hl
}

// Where a snippet comes from (Hit.SnippetFrom).
const (
	FromMessage  = "message"
	FromCause    = "cause"
	FromSolution = "solution"
	FromTitle    = "title"
)

// snippet picks the entry text with the most marked words (messages first,
// then cause and solution) and cuts it around the first mark; from names
// which text it is. Without a highlighter it is the start of the first
// message.
func (hl *highlighter) snippet(e *content.Entry) (sn Snippet, from string) {
	type text struct{ s, from string }
	var room [4]text // most entries have a message, a cause and a solution: no growing
	texts := room[:0]
	for _, m := range e.Messages {
		texts = append(texts, text{m, FromMessage})
	}
	if s, ok := e.Section("cause"); ok {
		texts = append(texts, text{s.Text, FromCause})
	}
	if s, ok := e.Section("solution"); ok {
		texts = append(texts, text{s.Text, FromSolution})
	}
	if len(texts) == 0 {
		texts = append(texts, text{e.Title, FromTitle})
	}
	if hl == nil {
		return cut(texts[0].s, nil), texts[0].from
	}
	best, bestMarks := texts[0], [][2]int(nil)
	for _, t := range texts {
		if marks := hl.marks(t.s); len(marks) > len(bestMarks) {
			best, bestMarks = t, marks
		}
	}
	return cut(best.s, bestMarks), best.from
}

// marks returns the byte ranges of text that match the query, merged.
// Only the words holding one of the keys can match, so only they are
// analysed: each key found widens to the whitespace around it, and those
// windows go through the analyzers instead of the whole text.
func (hl *highlighter) marks(text string) [][2]int {
	if len(text) > maxMarkedBytes {
		text = text[:maxMarkedBytes]
	}
	if hl.ix.fewTexts() {
		return hl.wholeMarks(text)
	}
	// ASCII keys are found ignoring case with no lower-cased copy of the
	// text, in any text where only ASCII lower-cases to ASCII; anything
	// else is lower-cased first.
	index, lower := indexFold, text
	if !hl.asciiKeys || !isASCII(text) && hasLowerToASCII(text) {
		index, lower = strings.Index, lowerASCII(text)
		if len(lower) != len(text) {
			// Lower-casing changed byte offsets: analyse the whole text.
			return hl.marksIn(text, [][2]int{{0, len(text)}})
		}
	}
	var wins [][2]int
	for _, k := range hl.keys {
		if k == "" {
			continue
		}
		for from := 0; from < len(lower); {
			i := index(lower[from:], k)
			if i < 0 {
				break
			}
			i += from
			lo, hi := i, i+len(k)
			for lo > 0 && !isSpaceByte(text[lo-1]) {
				lo--
			}
			for hi < len(text) && !isSpaceByte(text[hi]) {
				hi++
			}
			wins = append(wins, [2]int{lo, hi})
			from = hi
		}
	}
	if len(wins) == 0 {
		return nil
	}
	wins = mergeSpans(wins)
	n := 0
	for _, w := range wins {
		n += w[1] - w[0]
	}
	if n > len(text)/2 {
		// Keys everywhere: one pass over the text costs less.
		wins = [][2]int{{0, len(text)}}
	}
	return hl.marksIn(text, wins)
}

// marksIn marks the query's words in the given windows of text, which
// start and end at word boundaries and do not overlap.
func (hl *highlighter) marksIn(text string, wins [][2]int) [][2]int {
	var ms [][2]int
	for _, w := range wins {
		lo, part := w[0], text[w[0]:w[1]]
		var wt *windowTerms
		if len(part) > windowBytes {
			wt = analyseWindow(hl.ix, part)
		} else {
			wt = hl.ix.windows.get(part, windowsKept, func() *windowTerms { return analyseWindow(hl.ix, part) })
		}
		for _, t := range wt.en {
			if hl.en[t.term] {
				ms = append(ms, [2]int{lo + int(t.start), lo + int(t.end)})
			}
		}
		for _, t := range wt.ident {
			// Plain words were marked by their stem, identifiers are marked whole.
			if hl.ident[t.term] {
				ms = append(ms, [2]int{lo + int(t.start), lo + int(t.end)})
			}
		}
	}
	return mergeSpans(ms)
}

// windowBytes is the longest window whose analysis is remembered: a window
// is most often one word ("request," "requests."), met again in the next
// hit's texts and the next query's, and analysing it costs more than
// looking it up.
const windowBytes = 48

// wholeTextEntries is the largest catalogue whose texts are analysed and
// remembered whole (fewTexts): a few hundred texts, at most maxMarkedBytes
// each. A text met again then costs a look-up for each of the query's
// terms, instead of a search through it for each of its keys.
const wholeTextEntries = 100

// fewTexts is whether ix remembers its entries' texts analysed whole.
func (ix *Index) fewTexts() bool { return ix.entries.len() <= wholeTextEntries }

// wholeMarks is marksIn over the whole text, from where each of its terms
// stands (wholeTexts).
func (hl *highlighter) wholeMarks(text string) [][2]int {
	tt := hl.ix.wholeTexts.get(text, windowsKept, func() *textTerms { return termsOf(hl.ix, text) })
	var ms [][2]int
	for _, t := range hl.enTerms {
		for _, sp := range tt.en[t] {
			ms = append(ms, [2]int{int(sp[0]), int(sp[1])})
		}
	}
	for _, t := range hl.identTerms {
		for _, sp := range tt.ident[t] {
			ms = append(ms, [2]int{int(sp[0]), int(sp[1])})
		}
	}
	return mergeSpans(ms)
}

// textTerms are where each English term and identifier of a whole text
// stands, for a catalogue of fewTexts (wholeTexts).
type textTerms struct{ en, ident map[string][][2]int32 }

// termsOf is what wholeTexts keeps for text.
func termsOf(ix *Index, text string) *textTerms {
	wt := analyseWindow(ix, text)
	tt := &textTerms{en: map[string][][2]int32{}, ident: map[string][][2]int32{}}
	for _, t := range wt.en {
		tt.en[t.term] = append(tt.en[t.term], [2]int32{t.start, t.end})
	}
	for _, t := range wt.ident {
		tt.ident[t.term] = append(tt.ident[t.term], [2]int32{t.start, t.end})
	}
	return tt
}

// windowsKept bounds the windows remembered, about 2 MB of them: a large
// catalogue forgets them all and starts again.
const windowsKept = 1 << 14

type windowTerms struct{ en, ident []windowTerm }

type windowTerm struct {
	term       string
	start, end int32
}

// memo remembers values by a text, up to a bound: past it, it forgets them
// all and starts again (a large catalogue's texts would not fit).
type memo[T any] struct {
	mu sync.RWMutex
	m  map[string]T
}

// get is the value kept for key, or the one made and kept now; made may
// run twice for one key when two goroutines ask at once.
func (c *memo[T]) get(key string, bound int, made func() T) T {
	c.mu.RLock()
	v, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = made()
	c.mu.Lock()
	if c.m == nil || len(c.m) >= bound {
		c.m = map[string]T{}
	}
	c.m[strings.Clone(key)] = v // the key may be a mapped file's text
	c.mu.Unlock()
	return v
}

// len is how many values are kept.
func (c *memo[T]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// analyseWindow is what the analyzers make of part: its English terms and
// its identifiers (plain words are not), with their offsets in it.
func analyseWindow(ix *Index, part string) *windowTerms {
	wt := &windowTerms{}
	ix.en(part, func(t string, s, e int) {
		wt.en = append(wt.en, windowTerm{t, int32(s), int32(e)})
	})
	eachIdent(part, func(s, e int, w string) {
		if !isPlainWord(w) {
			// The text may be the saved index's, mapped, and the terms
			// may be kept (Index.windows): a copy.
			wt.ident = append(wt.ident, windowTerm{strings.Clone(lowerASCII(w)), int32(s), int32(e)})
		}
	})
	return wt
}

// mergeSpans sorts byte ranges and merges those that overlap.
func mergeSpans(ms [][2]int) [][2]int {
	if len(ms) < 2 {
		return ms
	}
	slices.SortFunc(ms, func(a, b [2]int) int { return a[0] - b[0] })
	out := ms[:1]
	for _, m := range ms[1:] {
		last := &out[len(out)-1]
		if m[0] <= last[1] {
			last[1] = max(last[1], m[1])
			continue
		}
		out = append(out, m)
	}
	return out
}

// indexFold is strings.Index ignoring ASCII case, for a lower-case ASCII key
// k: each candidate is found by its first byte in either case.
func indexFold(s, k string) int {
	if k == "" {
		return 0
	}
	first, upper := k[0], k[0]
	if 'a' <= first && first <= 'z' {
		upper -= 'a' - 'A'
	}
	for i := 0; i+len(k) <= len(s); i++ {
		rest := s[i : len(s)-len(k)+1]
		j := strings.IndexByte(rest, first)
		if upper != first {
			end := len(rest)
			if j >= 0 {
				end = j
			}
			if u := strings.IndexByte(rest[:end], upper); u >= 0 {
				j = u
			}
		}
		if j < 0 {
			return -1
		}
		i += j
		if equalFoldASCII(s[i:i+len(k)], k) {
			return i
		}
	}
	return -1
}

// equalFoldASCII reports whether s, lower-cased in ASCII, is the lower-case k.
func equalFoldASCII(s, k string) bool {
	for i := 0; i < len(k); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != k[i] {
			return false
		}
	}
	return true
}

// hasLowerToASCII reports whether s holds a character beyond ASCII that
// lower-cases to ASCII (İ to i, the Kelvin sign to k): a text without them
// holds an ASCII key, ignoring case, exactly where its lower-cased copy
// does. Each is searched as a string, which skips to its first byte;
// strings.ContainsAny would decode every rune of s.
func hasLowerToASCII(s string) bool {
	return strings.Contains(s, "\u0130") || strings.Contains(s, "\u212a")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// cut returns at most snippetBytes of text around the first mark, as spans.
func cut(text string, marks [][2]int) Snippet {
	lo, hi := 0, len(text)
	if len(text) > snippetBytes {
		if len(marks) > 0 && marks[0][0] > snippetBytes/3 {
			lo = wordStart(text, marks[0][0]-snippetBytes/4)
		}
		hi = min(len(text), lo+snippetBytes)
		hi = wordEnd(text, hi)
	}
	var sn Snippet // an empty text has no span, not an empty list
	if len(text) > 0 {
		// A span before each mark and the mark, then the text after the
		// last and the two ellipses: one allocation, not a slice grown by
		// doubling.
		sn = make(Snippet, 0, 2*len(marks)+3)
	}
	if lo > 0 {
		sn = append(sn, Span{Text: "…"})
	}
	pos := lo
	for _, m := range marks {
		s, e := max(m[0], lo), min(m[1], hi)
		if s >= e {
			continue
		}
		if s > pos {
			sn = append(sn, Span{Text: text[pos:s]})
		}
		sn = append(sn, Span{Text: text[s:e], Mark: true})
		pos = e
	}
	if pos < hi {
		sn = append(sn, Span{Text: text[pos:hi]})
	}
	if hi < len(text) {
		sn = append(sn, Span{Text: "…"})
	}
	return sn
}

// wordStart moves i back to the start of a word (and of a rune).
func wordStart(s string, i int) int {
	i = max(0, i)
	for i > 0 && s[i-1] != ' ' && s[i-1] != '\n' && i > len(s)-snippetBytes*2 {
		i--
	}
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// wordEnd moves i back to the end of a word (and of a rune), not before 3/4.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	j := i
	for j > i-snippetBytes/4 && j > 0 && s[j] != ' ' {
		j--
	}
	if s[j] == ' ' {
		i = j
	}
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// isPlainWord reports whether w is letters only: such words are marked by
// their stem (stop words stay unmarked), identifiers by their whole form.
func isPlainWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
