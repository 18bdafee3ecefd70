package search

import "time"

// Every number that tunes the search is here, with why it has its value.
// Relevance weights were measured with the relevance set
// (go test ./search -run Relevance -v: top-1 and MRR over
// testdata/relevance.json); speed thresholds with the benchmarks
// (go test ./search -bench .) at up to 100k entries.

// Bounds of a Query. They are part of the API: the web layer offers and
// checks them too.
const (
	// DefaultPerPage is used when a Query leaves PerPage at 0: a page of
	// results that fits a screen or two.
	DefaultPerPage = 20
	// MaxPerPage bounds PerPage, and so the hits one answer highlights.
	MaxPerPage = 100
	// MaxPage bounds Page so that a deep link can never ask the index to
	// rank an unbounded number of hits (MaxPage × MaxPerPage at most).
	MaxPage = 1000
	// MaxQueryBytes is as much of a query's text as is ever read; callers
	// that echo the text back (a page's search box) cut it to this too. A
	// pasted page of logs, or a long stack trace, fits; a 1 MB paste
	// answers as fast as one of this size.
	MaxQueryBytes = 256 << 10
	// MaxShortQueryBytes bounds Understood.Query, the short text that
	// searches as a paste does: an address to share, not the paste.
	MaxShortQueryBytes = 300
)

// Input guards: a pasted page of logs is read, but only so much of it is
// searched, so that no input costs more than a long typed query.
const (
	// maxRawBytes is the paste read before any parsing.
	maxRawBytes = MaxQueryBytes
	// maxTextBytes is the text kept after noise is removed: a long error
	// message and the fields of its JSON body fit.
	maxTextBytes = 4 << 10
	// maxJSONDepth bounds the nesting of a pasted JSON body that is read:
	// real error bodies nest a few levels; a hostile one may nest thousands.
	maxJSONDepth = 16
	// maxJSONBodies is how many JSON objects of one paste are read: a log
	// line with a context object, a trace with a response body.
	maxJSONBodies = 8
	// maxXMLTags is how many tags of an XML answer are read: an EWS
	// response or SOAP fault holds a few dozen.
	maxXMLTags = 2000
	// maxShortMessage is how much of a paste's message Understood keeps:
	// a long message's first sentence or two.
	maxShortMessage = 200
	// minMessageWords is the fewest words of a message field that says
	// what the error is, rather than what failed ("auth failed").
	minMessageWords = 4
	// maxFields bounds the fields read out of a paste (messages and codes).
	maxFields = 256
	// maxCodes bounds the candidate codes looked up for one query.
	maxCodes = 64
	// maxCodeWeight caps what the codes of one paste add up to for one
	// entry: two codes naming it are surer than one, five no surer than two.
	maxCodeWeight = 1.5
	// namedCodeShare is what a code without a number (invalid_request)
	// counts beside one with a number (AADSTS50011) naming another entry:
	// OAuth's error names are categories of the numbered errors.
	namedCodeShare = 0.6
	// maxCodeEntries is the most entries one code may name: a key shared
	// by more is a word of the catalogue, not a code. Grown benchmark
	// catalogues share each real code among some 35 entries.
	maxCodeEntries = 100
	// maxHintBytes is how much of a paste is read for hosts and SDK names,
	// half at each end: where the request and the exception are.
	maxHintBytes = 16 << 10
	// maxTerms is the number of distinct words searched: enough for a
	// whole error message; the words past it are dropped.
	maxTerms = 32
	// maxPhrases is the number of quoted phrases honoured; each one is a
	// required conjunction of word pairs.
	maxPhrases = 4
	// maxPhraseTokens is the number of words in one quoted phrase: a
	// sentence of a message, at most 15 pairs to look up.
	maxPhraseTokens = 16
	// maxTokenBytes bounds one token: longer runs are cut, so a pasted blob
	// can never feed a huge term to the index or the query. Real codes and
	// identifiers are far shorter.
	maxTokenBytes = 64
	// maxFilterLen bounds a status or provider parameter before it is
	// parsed: every status and provider fits in it many times.
	maxFilterLen = 256
	// maxClauses bounds every disjunction bleve builds (see limitClauses).
	// Queries stay far below it (32 words, a few fields each, no fuzzy or
	// wildcard expansion), so reaching it means a bug, answered as an
	// error rather than a slow search.
	maxClauses = 1024
	// maxStopPairs bounds the word pairs looked up for a query of stop
	// words only: as many as the words searched.
	maxStopPairs = maxTerms
)

// Field boosts: a word in the title counts most, then aliases, messages
// and identifiers, then the prose of cause and solution (the body). Exact
// message and title phrases are rewarded on top when hits are re-ranked
// (see phraseBonus). Measured with the relevance set.
const (
	boostTitle    = 4.0
	boostMessage  = 3.0
	boostAlias    = 3.0
	boostIdent    = 3.0
	boostBody     = 1.0
	boostProvider = 3.0 // a provider named among the words ("gmail quota"): as much as a word in a message
	boostFuzzy    = 0.3 // a typo's correction counts under a third of the exact word in the same field
	boostPrefix   = 0.5 // a completion of the word being typed counts half the word typed whole: whole-word matches rank first
	boostStatus   = 2.0 // a status typed among words ("500 quota") lifts its entries above others holding the words
	boostCode     = 4.0 // the entries a code names, found by their ids: as much as a title word
	boostTemplate = 4.0 // the entries whose message the text holds whole, found by their ids: as a code's
)

// Phrase bonuses added to bleve's score (normalised to 0–1) when re-ranking:
// a message matched whole counts far above a title matched whole, which
// counts above an alias. Measured with the relevance set.
const (
	bonusMessage = 2.5
	bonusTitle   = 1.5
	bonusAlias   = 1.0
	// bonusCode is for an entry a code of the query names, times the
	// code's weight (1 when the entry holds it alone, 1/n when n do): more
	// than a message matched whole and than every signal of a category
	// together (a status, its reason phrase, a provider hint and all of
	// bleve's score), so that a body's code beats an entry whose title
	// shares the body's words or the response's status.
	bonusCode = 5.0
	// statusCodeWeight is the weight of a code a bare status names in the
	// catalogue of the paste's provider (status_code): bonusCode times it
	// is less than a message matched whole, which says more.
	statusCodeWeight = 0.4
	// bonusStatus is for an entry of a status typed among the words: enough
	// to decide between entries of equal words.
	bonusStatus = 0.75
	// bonusPastedStatus is for an entry of a status read from a status
	// position: the response said so, more than a title's words do, less
	// than a code.
	bonusPastedStatus = 1.25
	// bonusReasonTitle is for an entry of the status read whose title is
	// the status's reason phrase, as the paste wrote it: the status's own
	// entry among those of its status.
	bonusReasonTitle = 1.0
	// bonusHint is for an entry of a provider named by the paste's hosts or
	// SDK names (api.twilio.com, TwilioRestException): more than a status,
	// which every provider shares.
	bonusHint = 1.0
	bonusProv = 0.3 // a provider named among the words of a paste: a tie-breaker between entries of equal words
	// bonusTypedProv is for an entry of a provider a person typed by its
	// name ("gmail too many requests"; other words for it, such as
	// exchange or office, may mean something else and count bonusProv):
	// the name says whose error it is, so it counts
	// as much as another provider's message and title matched whole
	// (bonusMessage + bonusTitle), and less than a code.
	bonusTypedProv = 4.0
)

// Re-ranking and typo correction.
const (
	// rerankWindow is how many of bleve's best hits are re-ranked by phrase
	// coverage before the page is cut: more than two default pages, so the
	// first pages hold the best re-ranked hits, while few entries' templates
	// are read per query.
	rerankWindow = 50
	// maxTemplateHits is how many entries a message held whole may name
	// before full text: a message more entries share tells none apart,
	// and full text and the re-rank order them. maxTemplateCandidates
	// bounds the entries whose messages are compared to find them.
	maxTemplateHits       = 8
	maxTemplateCandidates = 64
	// maxSeqRerank is how many words of the query the re-rank compares
	// with templates: the longest messages, pasted with a log line's
	// words around them.
	maxSeqRerank = 160
	// maxGap is how many words a {placeholder} may stand for: a name, an
	// address or a short list, not a sentence.
	maxGap = 8
	// minFragment is the fewest words for which a run inside a message
	// counts as a typed fragment; two words are left to bleve's scoring,
	// which a short title would otherwise lose to a long message.
	minFragment = 3
	// maxFixes bounds the corrections searched for one unknown word: the
	// closest two, so a typo costs a few more term lookups, not dozens.
	maxFixes = 2
	// oneEditRunes and twoEditRunes are the lengths from which an unknown
	// word may hold one typo, and two: none below 4 letters, where nearly
	// every word is one edit from another ("quo" would find "quota" and
	// "quote"), 1 up to 7, 2 from 8.
	oneEditRunes = 4
	twoEditRunes = 8
	// minPrefixRunes is the shortest word being typed that is completed:
	// nearly every word begins with one or two letters.
	minPrefixRunes = 3
	// maxCompletions bounds the known words the word being typed is
	// searched as: the likeliest few, so that typing costs a few more
	// term lookups, not a walk of the dictionary.
	maxCompletions = 8
	// rareCompletion is the most entries a completion of a word typed
	// whole may be in: a rare identifier (rateLimit completes to
	// rateLimitExceeded), never an inflection of a common word, which its
	// stem finds already.
	rareCompletion = 500
)

// Speed: which words find hits and which only score them, and when a
// filter is narrow enough to search only what it admits.
const (
	// minCommonCutoff is the smallest commonCutoff: in a catalogue of no
	// more entries, every word is rare, and word frequencies need not be
	// read at all (see lookUp).
	minCommonCutoff = 100
	// collectorCounts is the largest catalogue whose matches the collector
	// counts as bleve hands them over (see match), every one of them
	// scored: below it, counting by bitmaps costs more than it saves (a
	// snapshot, a dictionary look-up per term, and bitmaps per facet).
	collectorCounts = 100
	// commonShare is the share of the catalogue (1 in 200) above which a
	// word is common: it scores hits but does not find them, as long as the
	// query has rarer words, so "the invalid request" walks the postings of
	// "invalid" only.
	commonShare = 200
	// broadWork and broadLight tell a broad word: a word typed alone whose
	// postings are a large share of the latency budget ("error" is in
	// 79,000 of 100,000 grown entries, most of them only in the prose) is
	// looked for in titles, messages, aliases and identifiers only, where
	// people look for it first, when the bitmaps cannot count the query
	// (reachBroad; headFrom does this job otherwise). Walking its postings
	// in the prose was half of a 12 ms search. broadWork also bounds the
	// completions of the word being typed.
	broadWork  = 30_000 // postings of the word's stems in title, message and body
	broadLight = 1_000  // entries holding it in a title or message, so that plenty remain
	// headFrom is the matches past which only the entries holding the
	// words outside the prose are scored, when they fill the page: the
	// prose's postings are the longest and its weight the smallest. Below
	// it, and so on every catalogue of a few thousand entries, every match
	// is scored.
	headFrom = 10_000
	// maxScored is how many matches are scored (more when the filters
	// admit fewer than a window of them); the rest are only counted (see
	// match). It bounds the work of a common word
	// whatever the catalogue's size: at 100k grown entries the commonest
	// (error, request) match 40–80k entries, at a million ten times more.
	// The first pages then hold the best of the first maxScored matches
	// in index order (status, then id), among the entries that hold the
	// words outside the prose (headFrom).
	maxScored = 50_000
	// maxScoreWork bounds the work of scoring a query's common words, in
	// postings stepped through (see leanScoring): bleve walks a scoring
	// word's postings up to each candidate, and scoring one candidate for
	// one word costs about what stepping through candidateWork postings
	// does (profiles at a million grown entries). At a million entries
	// fragments, typos and pastes spent up to 38 ms scoring common words
	// (error is in 78 % of the entries, invalid in 43 %); within this
	// budget, a few milliseconds of work, the slowest take about 20, and
	// at 100k hardly a query scores differently (found@20 unchanged at
	// both sizes).
	maxScoreWork  = 1_000_000
	candidateWork = 50
	// maxWalk is the longest postings the second word of a conjunction of
	// common words may have (see findWith): "error indcates that" walked
	// error's 780,000 postings to narrow "indicates" by a tenth.
	maxWalk = 50_000
	// selectiveShare is the largest share of the catalogue a filter may
	// admit for the two-pass search (count, then score only the filtered
	// entries) to beat scoring every match.
	selectiveShare = 0.2
	// searchTimeout bounds a search whose context has no deadline of its
	// own: some 200 times the p99 of every query kind at 100k entries.
	searchTimeout = 2 * time.Second
)

// Building the index.
const (
	// buildBatch is how many entries one batch holds. bleve analyses a
	// whole batch before it writes its segment, so a batch's size bounds a
	// build's memory: 25k-entry batches, four at once, peaked at 3.4–4.7 GB
	// of RSS at 100k entries, and ran out of memory at a million.
	buildBatch = 5000
	// mergeCleanupWait bounds the wait for bleve to delete the files of
	// segments merged into one (see mergeSegments); past it, they stay.
	mergeCleanupWait = 30 * time.Second
)

// Snippets.
const (
	// snippetBytes is the longest snippet shown under a hit: two lines of
	// a result list.
	snippetBytes = 200
	// maxMarkedBytes is how much of one text is searched for marks: far
	// more than a snippet shows, and a bound on the work for a long section.
	maxMarkedBytes = 8 << 10
	// maxKeyBytes is the longest key a highlighter looks for in a text
	// before analysing the words around it: a stem's first letters (never
	// its last, which the stemmer may have rewritten: "may" stems to
	// "mai"), short enough to be in each word that stems to it.
	maxKeyBytes = 4
)

// unseenBoost weighs the ids clause that scores the named entries a
// stopped search never reached (scoreUnseen): small enough that their
// scores are those of the first pass.
const unseenBoost = 1e-9
