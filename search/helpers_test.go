package search

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/google/go-cmp/cmp"
)

// entry is a fixture entry with cause and solution sections.
func entry(id string, status int, title string, providers, messages, aliases []string, cause, solution string) content.Entry {
	return content.Entry{
		ID: id, Status: status, Title: title, Providers: providers, Messages: messages, Aliases: aliases,
		Sections: []content.Section{
			{ID: "cause", Title: "Cause", Text: cause, HTML: "<p>" + cause + "</p>"},
			{ID: "solution", Title: "Solution", Text: solution, HTML: "<p>" + solution + "</p>"},
		},
	}
}

// fixtures is a small catalogue where each entry holds one word in one field,
// so that tests can tell which field a match came from.
func fixtures() []content.Entry {
	return []content.Entry{
		entry("429-in-message", 429, "Slow Down", []string{"gmail"}, []string{"The mailbox quota was exceeded for user {user} today."}, nil, "Too much mail.", "Wait."),
		entry("400-in-title", 400, "Mailbox Quota", nil, []string{"Something else went wrong."}, nil, "Unknown.", "Retry."),
		entry("403-in-alias", 403, "Forbidden Thing", []string{"microsoft"}, []string{"Access denied."}, []string{"quota", "force_password"}, "Policy.", "Ask an admin."),
		entry("500-in-cause", 500, "Server Broke", []string{"microsoft-graph"}, []string{"Internal error."}, nil, "A quota service failed.", "Wait and retry."),
		entry("401-identifiers", 401, "Identifier Soup", []string{"microsoft-entra"}, []string{"AADSTS50126: Error validating credentials due to invalid username or password."},
			[]string{"userinfo.email", "rateLimitExceeded"}, "The scope userinfo.email is missing.", "Grant it."),
		entry("422-throttled", 422, "Throttled Account", []string{"gmail", "microsoft"}, []string{"The account has been throttled."}, nil, "Too many requests.", "Back off."),
		entry("402-html", 402, "Payment <b>Required</b>", nil, []string{"Pay <script>alert(1)</script> now & later."}, nil, "Billing.", "Pay."),
		entry("404-phrase", 404, "Scattered Words", []string{"twilio"}, []string{"Token refresh failed while the token was revoked."}, nil, "Refresh.", "Token."),
		entry("404-exact-phrase", 404, "Exact Words", []string{"twilio"}, []string{"The refresh token was revoked."}, nil, "Revoked.", "New token."),
	}
}

// noStatusFixtures are entries whose source gives no HTTP status, with words
// the fixtures share (quota, token revoked) and a twin of a 429 entry.
func noStatusFixtures() []content.Entry {
	return []content.Entry{
		entry("none-queue-quota", 0, "Queue Quota Reached", []string{"twilio"}, []string{"The queue quota was reached."}, nil, "Too many queued.", "Drain the queue."),
		entry("none-token-revoked", 0, "Upstream Revocation", []string{"microsoft-entra"}, []string{"The refresh token was revoked upstream."}, nil, "Revoked.", "Sign in again."),
		entry("none-no-provider", 0, "Quota Without Status", nil, []string{"A quota ran out."}, nil, "Unknown.", "Wait."),
		entry("twin-none", 0, "Twin Glitch", []string{"gmail"}, []string{"The twin glitch happened."}, nil, "Glitch.", "Retry."),
		entry("twin-429", 429, "Twin Glitch", []string{"gmail"}, []string{"The twin glitch happened."}, nil, "Glitch.", "Retry."),
	}
}

// statusValue is how a facet and a filter name an entry's status.
func statusValue(code int) string {
	if code == 0 {
		return StatusNone
	}
	return strconv.Itoa(code)
}

// Shared fixtures, built once per test binary: indexing the real corpora's
// 2,832 entries takes a second or more, so every test that only searches
// them shares one index, and likewise the embedded catalogue. Nothing may
// change a shared index (its broad limits, its entries): a test that needs
// to builds its own with build.
var (
	sharedCatalogue = sync.OnceValues(func() (*Index, error) {
		es, err := content.Load(content.Embedded())
		if err != nil {
			return nil, err
		}
		return Build(es)
	})
	sharedCorporaIndex = sync.OnceValues(func() (*Index, error) {
		es, err := corpustest.Entries()
		if err != nil {
			return nil, err
		}
		return Build(es)
	})
	// sharedFull is the catalogue people search: the embedded entries and
	// the real corpora's, 2,847 in all, as the paste set expects.
	sharedFull = sync.OnceValues(func() (*Index, error) {
		real, err := corpustest.Entries()
		if err != nil {
			return nil, err
		}
		es, err := content.Load(content.Embedded())
		if err != nil {
			return nil, err
		}
		return Build(append(es, real...))
	})
	// fuzzIndex is the embedded catalogue plus the fixtures (which hold
	// markup in titles and messages).
	fuzzIndex = sync.OnceValues(func() (*Index, error) {
		es, err := content.Load(content.Embedded())
		if err != nil {
			return nil, err
		}
		return Build(append(es, fixtures()...))
	})
)

// catalogue is the shared index of the embedded catalogue.
func catalogue(tb testing.TB) *Index {
	tb.Helper()
	ix, err := sharedCatalogue()
	if err != nil {
		tb.Fatalf("index the catalogue: %v", err)
	}
	return ix
}

// corporaIndex is the shared index of the real corpora (their entries are
// corpustest.RealEntries); it skips loudly when they are absent.
func corporaIndex(tb testing.TB) *Index {
	tb.Helper()
	corpustest.RealEntries(tb) // skips when absent
	ix, err := sharedCorporaIndex()
	if err != nil {
		tb.Fatalf("index the real corpora: %v", err)
	}
	return ix
}

// fullIndex is the shared index of the embedded catalogue and the real
// corpora together, 2,847 entries, as people search them.
func fullIndex(tb testing.TB) *Index {
	tb.Helper()
	corpustest.RealEntries(tb) // skips when absent
	ix, err := sharedFull()
	if err != nil {
		tb.Fatalf("index the real corpora: %v", err)
	}
	return ix
}

// build indexes es for one test, which may change it; it closes when the
// test ends.
func build(tb testing.TB, es []content.Entry) *Index {
	tb.Helper()
	ix, err := Build(es)
	if err != nil {
		tb.Fatalf("Build: %v", err)
	}
	tb.Cleanup(func() { ix.Close() })
	return ix
}

// run searches with a generous deadline that only detects hangs.
func run(tb testing.TB, ix *Index, q Query) *Results {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := ix.Search(ctx, q)
	if err != nil {
		tb.Fatalf("Search(%q): %v", q.Text, err)
	}
	return res
}

func ids(res *Results) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

// marked is a snippet's text with its matched spans in [brackets], to
// compare a snippet as one string.
func marked(sn Snippet) string {
	var b strings.Builder
	for _, sp := range sn {
		if sp.Mark {
			b.WriteString("[" + sp.Text + "]")
		} else {
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

// hasProvider reports whether e names any of slugs (an empty filter matches all).
// hasProvider reports whether a filter by slugs admits e: a parent admits
// its children.
func hasProvider(e *content.Entry, slugs []string) bool {
	if len(slugs) == 0 {
		return true
	}
	slugs = content.BuiltinProviders().WithChildren(slugs)
	for _, p := range e.Providers {
		if slices.Contains(slugs, p) {
			return true
		}
	}
	return false
}

// relevanceCase is one query a person would type or paste, and the entry it
// must find.
type relevanceCase struct {
	Kind  string `json:"kind"`
	Query string `json:"query"`
	Want  string `json:"want"`
}

func loadRelevance(tb testing.TB) []relevanceCase {
	tb.Helper()
	b, err := os.ReadFile("testdata/relevance.json")
	if err != nil {
		tb.Fatal(err)
	}
	var cs []relevanceCase
	if err := json.Unmarshal(b, &cs); err != nil {
		tb.Fatalf("testdata/relevance.json: %v", err)
	}
	return cs
}

// rerankQueries derives queries from entries the way people type and paste
// them: titles, aliases, whole messages with their placeholders filled,
// fragments, plurals and singulars (which the re-rank forgives), and a
// message inside a log line.
func rerankQueries(es []content.Entry, n int, rng *rand.Rand) []string {
	var qs []string
	for range n {
		e := &es[rng.IntN(len(es))]
		qs = append(qs, e.Title)
		qs = append(qs, e.Aliases...)
		for _, m := range e.Messages {
			filled := placeholderRE.ReplaceAllString(m, "user@example.com and more")
			qs = append(qs, filled, "ERROR 2024-05-02 request failed: "+filled)
			words := strings.Fields(filled)
			if len(words) > 3 {
				lo := rng.IntN(len(words) - 2)
				frag := slices.Clone(words[lo : lo+2+rng.IntN(min(5, len(words)-lo-1))])
				for i, w := range frag {
					switch {
					case strings.HasSuffix(w, "s") && rng.IntN(2) == 0:
						frag[i] = strings.TrimSuffix(w, "s")
					case rng.IntN(3) == 0:
						frag[i] = w + "s"
					}
				}
				qs = append(qs, strings.Join(frag, " "))
			}
		}
	}
	return qs
}

// checkFields fails tb for each of msgs and codes that the fields a paste
// reader took lack.
func checkFields(tb testing.TB, f fields, msgs, codes []string) {
	tb.Helper()
	for _, m := range msgs {
		if !slices.Contains(f.msgs, m) {
			tb.Errorf("messages %q lack %q", f.msgs, m)
		}
	}
	for _, code := range codes {
		if !slices.Contains(f.codes, code) {
			tb.Errorf("codes %q lack %q", f.codes, code)
		}
	}
}

// importedBuiltAndSaved is the imported catalogue built in memory
// (importedIndex), and the same catalogue saved and opened, its entries
// read in place from the mapped file; closed when tb ends.
func importedBuiltAndSaved(tb testing.TB) (built, saved *Index) {
	tb.Helper()
	c := corpustest.RealImported(tb)
	built, err := importedIndex()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(tb.TempDir(), "index")
	if err := SaveCatalogue(c, dir); err != nil {
		tb.Fatal(err)
	}
	if saved, err = OpenSaved(dir); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { saved.Close() })
	if saved.entries.all != nil {
		tb.Fatal("the saved index holds its entries in memory: no test of mapped entries")
	}
	return built, saved
}

// plannedWords is text understood, its codes resolved and its words looked
// up, as a search does before it builds its query.
func plannedWords(tb testing.TB, ix *Index, text string) (plan, []word) {
	tb.Helper()
	pl := understand(text, ix.prov.sig)
	ix.resolve(&pl)
	ws, err := ix.words(context.Background(), pl)
	if err != nil {
		tb.Fatal(err)
	}
	return pl, ws
}

// sameCounts reports where got's total, facets and number of hits differ
// from want's: two ways of searching that must count alike.
func sameCounts(tb testing.TB, name string, want, got *Results) {
	tb.Helper()
	if got.Total != want.Total {
		tb.Errorf("%s: total %d, want %d", name, got.Total, want.Total)
	}
	if diff := cmp.Diff(want.Facets, got.Facets); diff != "" {
		tb.Errorf("%s: facets (-want +got):\n%s", name, diff)
	}
	if len(got.Hits) != len(want.Hits) {
		tb.Errorf("%s: %d hits, want %d", name, len(got.Hits), len(want.Hits))
	}
}
