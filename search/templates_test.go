package search

import (
	"strconv"
	"strings"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
)

// A paste holding the whole message of an entry lands on it even when every
// word of the message is common: in a catalogue grown to 20k, thousands of
// entries hold each word, and full text alone left such entries out of the
// re-rank window (11 of these 21 pastes missed before templates named
// candidates). The messages are new, each in one entry added to the grown
// catalogue, and no other entry's title or message holds them.
func TestWholeMessageOfCommonWordsAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a catalogue of 20k entries")
	}
	real := corpustest.RealEntries(t)
	es := corpustest.Grow(real, 20_000, 1)
	messages := []string{
		"The request could not be completed because the account is not valid for this number.",
		"The phone number you are trying to use is not a valid number for the account, please check the number and try the request again with a valid phone number.",
		"The message could not be sent to the number because the number is not valid or the account does not have permission to send a message to this number.",
		"Your request could not be processed because the user account is not valid or the token has expired, please sign in again with a valid account.",
		"Unable to create the resource because the request is not valid.",
		"The number is not valid.",
		"The user is not valid.",
	}
	for k, msg := range messages {
		base := es[len(real)+k*97] // a grown entry's status, title and providers
		es = append(es, content.Entry{ID: "common-words-" + strconv.Itoa(k), Status: base.Status, Title: base.Title,
			Providers: base.Providers, Messages: []string{msg}, Sections: base.Sections})
	}
	for _, e := range es[:len(es)-len(messages)] {
		for _, text := range append([]string{e.Title}, e.Messages...) {
			for _, msg := range messages {
				if strings.Contains(strings.ToLower(text), strings.ToLower(strings.TrimSuffix(msg, "."))) {
					t.Fatalf("%s holds %q already", e.ID, msg)
				}
			}
		}
	}
	ix := build(t, es)
	cutoff := ix.commonCutoff()
	for k, msg := range messages {
		eachTemplateWord(msg, func(w string) {
			if ix.vocab.df[w] <= cutoff {
				t.Errorf("%q of message %d is in %d entries, not more than %d: not a common word", w, k, ix.vocab.df[w], cutoff)
			}
		})
		id := "common-words-" + strconv.Itoa(k)
		for _, paste := range []string{
			`{"error": {"message": ` + strconv.Quote(msg) + `}}`,
			"2026-11-30T10:12:01Z ERROR worker-3 send failed: " + msg + " (attempt 2 of 5)",
			msg,
		} {
			if got := ids(run(t, ix, Query{Text: paste})); len(got) == 0 || got[0] != id {
				t.Errorf("%q lands on %v, want %s first", paste, first(got, 3), id)
			}
		}
	}
}
