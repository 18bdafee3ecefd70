package web

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/errata/errata/search"
)

// jsonOf is what encodeJSON writes for v.
func jsonOf(tb testing.TB, v any) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := encodeJSON(&b, v); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// The search answer written by hand is encodeJSON's, byte for byte, for
// every query drawn from the embedded catalogue and from the real
// corpora imported beside it (filters, later pages, pastes and typed codes
// among them), and for answers whose every string is made of what JSON
// must escape.
func TestSearchJSONAsEncodeJSON(t *testing.T) {
	t.Parallel() // reads the shared indexes only
	checked := 0
	check := func(what string, out apiSearchResponse) {
		t.Helper()
		want := jsonOf(t, out)
		if got := out.appendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("%s:\nby hand     %s\nencodeJSON  %s", what, got, want)
		}
		checked++
	}
	for name, ix := range map[string]*search.Index{"catalogue": catalogueIndex(t), "imported": imported(t)} {
		next := distinctQueries(t, ix)
		var qs []search.Query
		for i := range 300 {
			qs = append(qs, search.Query{Text: next(i)})
		}
		for i := range ix.Len() {
			e := ix.At(i)
			q := search.Query{Text: e.Title, Page: 1 + i%2, PerPage: 5}
			switch i % 4 {
			case 0:
				q.Status = search.StatusSet{{Lo: e.Status, Hi: e.Status}}
			case 1:
				q.Providers = e.Providers
			case 2:
				q.Sort = search.SortStatus
			}
			if len(e.Codes) > 0 && i%3 == 0 {
				q.Text = e.Codes[0]
			}
			if len(e.Messages) > 0 && i%5 == 0 {
				q.Text = `HTTP/1.1 400 Bad Request` + "\n\n" + `{"error":{"code":"` + strings.Join(e.Codes, ",") + `","message":"` + e.Messages[0] + `"}}`
			}
			qs = append(qs, q)
			if len(qs) > 700 {
				break
			}
		}
		for _, q := range append(qs, search.Query{}, search.Query{Text: "the"}, search.Query{Text: "cannot"}) {
			res, err := ix.Search(context.Background(), q)
			if err != nil {
				continue // a query the index refuses is answered by the error path, not this one
			}
			check(name+" "+Clip(q.Text, 60, Ellipsis), searchResponse(q, res))
		}
	}
	odd := []string{"", "<mark>a & b</mark>", "\"quoted\" \\ back", "\b\f\n\r\t\x00\x01\x1f\x7f", "\u2028\u2029", "\xff\xfe bad", "é İ 🙂", "\u00a0\ufeff"}
	for i, s := range odd {
		lst := []string{s, odd[(i+1)%len(odd)]}
		check("odd "+s, apiSearchResponse{
			Query: apiQuery{Q: s, Status: s, Sort: s, Provider: lst, Page: i, PerPage: -i},
			Total: i * 1000, Page: i, PerPage: 20,
			Results: []apiHit{{ID: s, Status: 400 + i, Codes: lst, Providers: nil, Title: s, URL: s, Snippet: s, SnippetHTML: s, SnippetFrom: s, Match: s},
				{ID: "x", Codes: []string{}, Providers: []string{}}},
			Facets:     apiFacets{Status: []apiFacet{{Value: s, Count: i}}, Provider: nil},
			Suggestion: s, TooCommon: lst,
			Understood: apiUnderstood{Pasted: i%2 == 0, Shape: s, Status: s, Codes: lst, Message: s, Providers: nil, Terms: s, Query: s},
		})
	}
	check("empty", apiSearchResponse{})
	t.Logf("%d answers written alike", checked)
	if checked < 500 {
		t.Errorf("only %d answers compared", checked)
	}
}

// FuzzSearchJSONString checks the hand-written quoting against encodeJSON
// on any string.
func FuzzSearchJSONString(f *testing.F) {
	for _, s := range []string{"", "<&>", "\u2028", "\xff", "a\"b\\c", "\x00\x1f", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := jsonOf(t, s)
		got := append(appendJSONString(nil, s), '\n')
		if !bytes.Equal(got, want) {
			t.Errorf("%q: by hand %s, encodeJSON %s", s, got, want)
		}
	})
}

// BenchmarkSearchJSON writes the API's answers to never-asked queries on
// the embedded catalogue with encodeJSON and by hand.
func BenchmarkSearchJSON(b *testing.B) {
	ix := catalogueIndex(b)
	next := distinctQueries(b, ix)
	var outs []apiSearchResponse
	for i := range 200 {
		q := search.Query{Text: next(i)}
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		outs = append(outs, searchResponse(q, res))
	}
	var buf bytes.Buffer
	b.Run("encodeJSON", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			buf.Reset()
			if err := encodeJSON(&buf, outs[i%len(outs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("by-hand", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			buf.Reset()
			buf.Write(outs[i%len(outs)].appendJSON(buf.AvailableBuffer()))
		}
	})
}
