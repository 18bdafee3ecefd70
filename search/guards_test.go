package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

func TestHugePasteIsCut(t *testing.T) {
	ix := build(t, fixtures())
	for name, text := range map[string]string{
		"1 MB of words":    strings.Repeat("quota exceeded mailbox ", 1<<20/23),
		"1 MB one token":   strings.Repeat("a", 1<<20),
		"100 KB token":     "quota " + strings.Repeat("x", 100<<10),
		"1 MB of json":     `{"message":"` + strings.Repeat("quota ", 1<<20/6) + `"}`,
		"deep json":        strings.Repeat(`{"error":`, 5000) + `"quota"` + strings.Repeat("}", 5000),
		"1 MB of brackets": strings.Repeat("{[(", 1<<20/3),
	} {
		t.Run(name, func(t *testing.T) {
			res := run(t, ix, Query{Text: text})
			if len(res.Understood.Terms) > maxTextBytes {
				t.Errorf("Terms kept %d bytes, want at most %d", len(res.Understood.Terms), maxTextBytes)
			}
			if n := len(strings.Fields(res.Understood.Terms)); n > maxTerms {
				t.Errorf("%d terms searched, want at most %d", n, maxTerms)
			}
		})
	}
}

func TestTermsAreCapped(t *testing.T) {
	ix := build(t, fixtures())
	var words []string
	for i := range 500 {
		words = append(words, "word"+strings.Repeat("q", i%50)+string(rune('a'+i%26)))
	}
	res := run(t, ix, Query{Text: strings.Join(words, " ") + " quota"})
	if n := len(strings.Fields(res.Understood.Terms)); n != maxTerms {
		t.Errorf("%d terms searched, want %d", n, maxTerms)
	}
}

func TestLongTokensAreCut(t *testing.T) {
	var got []string
	eachIdent("short "+strings.Repeat("é", 100)+" "+strings.Repeat("z", 200), func(_, _ int, w string) { got = append(got, w) })
	if len(got) != 3 {
		t.Fatalf("tokens = %d, want 3", len(got))
	}
	for _, w := range got {
		if len(w) > maxTokenBytes || !utf8.ValidString(w) {
			t.Errorf("token of %d bytes (valid UTF-8: %v), want at most %d", len(w), utf8.ValidString(w), maxTokenBytes)
		}
	}
}

func TestStrangeCharacters(t *testing.T) {
	ix := build(t, fixtures())
	for _, text := range []string{
		"quo\x00ta", "\xff\xfequota\xc3", "\u202equota\u202c", "\u200fquota", "q\u0301uota", "quota\u0000\u0000",
		"مرحبا quota", "ｑｕｏｔａ", "😀 quota 😀", "\ufeffquota", "quota\r\n\t", strings.Repeat("\u0301", 5000) + "quota",
	} {
		res, err := ix.Search(context.Background(), Query{Text: text})
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if !utf8.ValidString(res.Understood.Terms) || strings.ContainsRune(res.Understood.Terms, 0) {
			t.Errorf("%q: Terms %q not clean", text, res.Understood.Terms)
		}
		for _, h := range res.Hits {
			if !utf8.ValidString(marked(h.Snippet)) {
				t.Errorf("%q: invalid snippet", text)
			}
		}
	}
	// Invisible characters do not split or hide a word.
	for _, text := range []string{"\u202equota\u202c", "quo\u200bta", "\ufeffquota"} {
		if res := run(t, ix, Query{Text: text}); res.Total != 4 {
			t.Errorf("%q: total %d, want 4 as for quota", text, res.Total)
		}
	}
}

func TestContextIsHonoured(t *testing.T) {
	ix := build(t, fixtures())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ix.Search(ctx, Query{Text: "quota"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled search: err = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := ix.Search(ctx, Query{Text: "quota"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired search: err = %v, want context.DeadlineExceeded", err)
	}
}

// A disjunction wider than maxClauses is refused, not run: the queries
// built stay far below it, so reaching it is a bug.
func TestClauseCountIsBounded(t *testing.T) {
	ix := build(t, fixtures())
	wide := make([]query.Query, maxClauses+1)
	for i := range wide {
		tq := bleve.NewTermQuery(fmt.Sprintf("w%d", i))
		tq.SetField(fTitle)
		wide[i] = tq
	}
	c := ix.newCollector(Query{}, 1)
	if err := ix.collect(context.Background(), bleve.NewDisjunctionQuery(wide...), "", c); err == nil || !strings.Contains(err.Error(), "TooManyClauses") {
		t.Errorf("a disjunction of %d clauses: err = %v, want TooManyClauses", len(wide), err)
	}
	if err := ix.collect(context.Background(), bleve.NewDisjunctionQuery(wide[:maxClauses]...), "", c); err != nil {
		t.Errorf("a disjunction of %d clauses: %v", maxClauses, err)
	}
}

// Building an index while another answers searches (a reload) shares no
// state between them: run with -race.
func TestBuildWhileSearching(t *testing.T) {
	ix := build(t, fixtures())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := ix.Search(context.Background(), Query{Text: "quota mailbox", Status: StatusSet{{400, 499}}}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 5 {
		build(t, fixtures())
	}
	close(stop)
	wg.Wait()
}

func TestClosedIndex(t *testing.T) {
	ix, err := Build(fixtures())
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	if _, err := ix.Search(context.Background(), Query{Text: "quota"}); err == nil {
		t.Error("search on a closed index succeeded")
	}
	var nilIx *Index
	if _, err := nilIx.Search(context.Background(), Query{}); err == nil {
		t.Error("search on a nil index succeeded")
	}
	// A saved index, large enough that a search reads word counts from the
	// postings, answers an error once closed (a closed on-disk index hands
	// out no reader).
	es := fixtures()
	for i := range minCommonCutoff {
		es = append(es, entry(fmt.Sprintf("503-pad-%03d", i), 503, "Padding", nil, []string{"The service is unavailable."}, nil, "Down.", "Retry."))
	}
	opened, _ := savedAndBuilt(t, es)
	opened.Close()
	for _, text := range []string{"quota", "throtled"} {
		if _, err := opened.Search(context.Background(), Query{Text: text}); !errors.Is(err, errClosed) {
			t.Errorf("%q on a closed saved index: err = %v, want %v", text, err, errClosed)
		}
	}
	// A search that began before Close reads counts after it: an error too.
	df := opened.dfReader(context.Background())
	if all, _, _ := df.count("quota"); all != 0 {
		t.Errorf("count on a closed index = %d, want 0", all)
	}
	if err := df.close(); !errors.Is(err, errClosed) {
		t.Errorf("counts on a closed index: err = %v, want %v", err, errClosed)
	}
	if n := opened.Count(); n != 0 {
		t.Errorf("Count of a closed index = %d, want 0", n)
	}
}
