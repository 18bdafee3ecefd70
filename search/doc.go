// Package search is Errata's index: it builds a bleve index from content
// entries and answers queries typed or pasted by people. No bleve type leaves
// this package.
//
// A query goes through named stages, top to bottom; each is tested on its
// own, and every number that tunes them is in tuning.go.
//
//  1. Detect the shape (shape.go, detectShape): typed text, or a pasted
//     JSON body, XML answer, curl output, stack trace, redirect URL or form
//     post, or log line.
//  2. Extract the fields (paste.go, extractFields, one pass per wrapper):
//     provider hints from the hosts, SDK names and response marks that the
//     catalogue's providers.yaml declares (providers.go, signals, built
//     once per index); query strings decoded (pastekv.go); curl's command
//     and headers dropped (pastehttp.go); stack frames dropped and
//     exception lines read (pastetrace.go); XML, JSON and key=value fields
//     read by their names (pastexml.go, pastejson.go, pastekv.go); statuses
//     read in status positions only, their reason phrases kept as hints,
//     and numbers in code positions (pastehttp.go). Request ids,
//     timestamps and URLs are dropped as noise.
//  3. Understand (understand.go, understand): the words to search, quoted
//     phrases of typed text, statuses typed among words, candidate codes,
//     providers named among the words.
//  4. Look codes up exactly (codes.go, Index.resolve): AADSTS 50126,
//     aadsts50126 and the 50126 of a sign-in log are one code; a code that
//     belongs to one entry names it. Identifiers the catalogue does not
//     know are split into their words.
//  5. Look the words up (words.go): how many entries hold each, stop
//     words, typo corrections. Text with nothing to search browses instead
//     (browse.go).
//  6. Match message templates (templates.go, templateHits): each message
//     is keyed by its rarest pair of adjacent words when the index is built
//     (a saved index keeps the keys); the entries the text's word pairs
//     key, and whose message it then holds whole as one run, are named as a
//     code names its entry, so a message of common words is found among
//     thousands of entries holding its words.
//  7. Full text (query.go, textQuery; collect.go): one bleve query in which
//     rare words, the entries the codes and templates name, and the
//     statuses read from a paste find the hits, and common words, reason
//     phrases and class words only score them. The postings' bitmaps count
//     the matches and facets exactly (count.go); a collector filters and
//     keeps the best of a bounded number scored, by the rarest common
//     words whose postings fit a budget of work (leanScoring). A query of
//     one typed code is answered before that query is built (codequery.go,
//     answerCode): its term's postings, those its word's count opened
//     among them, are read and scored as bleve would score them
//     (matchCode). On a catalogue of at most collectorCounts entries the
//     tree is scored without bleve's searchers, over the postings replayed
//     from memory (evaluate.go, replay.go).
//  8. Rerank (rank.go, rerank, templateBonus, signalBonus): bleve's score
//     plus how much of each hit's messages, title and aliases the query
//     holds as one run (placeholders matching any words), plus the
//     signals: the code that names the entry, the status read, the
//     provider named by a host, an SDK, a mark or a word.
//  9. Snippets (snippet.go): the page's hits get an excerpt with their
//     matches marked, found by analysing only the words around each key,
//     or, on a catalogue of at most wholeTextEntries entries, from each
//     text's terms analysed once and remembered; a search that finds
//     nothing suggests a correction (suggest.go).
//
// The English analysis of short texts (words, corrections, completions)
// is remembered for the index's life, bounded (index.go, remembering).
package search
