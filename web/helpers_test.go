package web

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/PuerkitoBio/goquery"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// embeddedIndex is the real catalogue, built once for the package's tests.
var embeddedIndex = sync.OnceValues(func() (*search.Index, error) {
	es, err := content.Load(content.Embedded())
	if err != nil {
		return nil, err
	}
	return search.Build(es)
})

func catalogueIndex(tb testing.TB) *search.Index {
	tb.Helper()
	ix, err := embeddedIndex()
	if err != nil {
		tb.Fatalf("building the embedded catalogue: %v", err)
	}
	return ix
}

// fixtureIndex is a generated catalogue loaded through content.Load: enough
// entries for several pages, every status class, a renamed entry.
var fixtureIndex = sync.OnceValues(func() (*search.Index, error) {
	es, err := content.Load(fixtureFS())
	if err != nil {
		return nil, err
	}
	return search.Build(es)
})

func fixtures(tb testing.TB) *search.Index {
	tb.Helper()
	ix, err := fixtureIndex()
	if err != nil {
		tb.Fatalf("building the fixture catalogue: %v", err)
	}
	return ix
}

// fixtureFS has 3 entries at each of statuses 200…503 below, 45 in all.
func fixtureFS() fstest.MapFS {
	fsys := fstest.MapFS{}
	statuses := []int{200, 302, 400, 401, 403, 404, 409, 410, 422, 429, 451, 500, 502, 503, 504}
	provs := []string{"[gmail]", "[twilio]", "[]"}
	n := 0
	for _, st := range statuses {
		for i, p := range provs {
			n++
			id := fmt.Sprintf("%d-fixture-%d", st, i)
			extra := ""
			if id == "404-fixture-0" {
				extra = "redirect_from:\n  - old-not-found\nrelated:\n  - 410-fixture-1\n"
			}
			provLine := "providers: " + p + "\n"
			if p == "[]" {
				provLine = ""
			}
			fsys["entries/"+id+".md"] = &fstest.MapFile{Data: []byte(fmt.Sprintf(`---
id: %s
status: %d
title: Fixture %s number %d
%smessages:
  - "Fixture message %d: the {resource} went wobbly"
aliases:
  - wobble%d
%supdated: 2026-01-%02d
---

## Cause

The zorblat service on fixture %d returned an unexpected wobble.

## Solution

Retry the zorblat request after a **short** pause.
`, id, st, http.StatusText(st), i, provLine, n, n, extra, 1+n%28, n))}
		}
	}
	return fsys
}

// testServer is a server over ix whose log goes to the returned buffer.
func testServer(tb testing.TB, ix *search.Index) (http.Handler, *syncBuffer) {
	tb.Helper()
	var logs syncBuffer
	s := New(Config{BaseURL: "https://errata.example", Version: "test", Logger: slog.New(slog.NewTextHandler(&logs, nil))}, ix)
	return s.Handler(), &logs
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// do runs one request through h.
func do(tb testing.TB, h http.Handler, method, target string, header ...string) *http.Response {
	tb.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(tb testing.TB, res *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// page fetches target, checks the status and parses the HTML.
func page(tb testing.TB, h http.Handler, target string, wantStatus int, header ...string) *goquery.Document {
	tb.Helper()
	res := do(tb, h, http.MethodGet, target, header...)
	b := body(tb, res)
	if res.StatusCode != wantStatus {
		tb.Fatalf("GET %s: status %d, want %d\n%s", target, res.StatusCode, wantStatus, clip(b))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		tb.Fatalf("GET %s: Content-Type %q, want text/html", target, ct)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// texts is the trimmed text of every selected node.
func texts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return out
}

func attrs(sel *goquery.Selection, name string) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { v, _ := s.Attr(name); out = append(out, v) })
	return out
}

func stringsReader(b []byte) io.Reader { return bytes.NewReader(b) }
