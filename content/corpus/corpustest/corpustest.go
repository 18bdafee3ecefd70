// Package corpustest is test support, never product: tests and the
// benchmark tools use it to find the folders beside the module
// (../shared/corpora, ../shared/source), to read the real corpora once per
// process, to grow them into large seeded corpora, to paste their messages
// as developers paste errors (PastedError), and to skip loudly when
// the machine lacks something a test needs. The errata binary must not link
// it (cmd/errata's TestBinaryLinksNoTestSupport checks).
package corpustest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
)

// ErrNoCorpora is what Records and Entries return when ../shared/corpora is
// not beside the module.
var ErrNoCorpora = errors.New("../shared/corpora not found beside the module (walked up from the working directory to go.mod)")

// Dir locates ../shared/corpora next to the module: it walks up from the
// working directory to the folder holding go.mod.
func Dir() (string, bool) {
	return besideModule("shared", "corpora")
}

// SourceDir locates ../shared/source, the document the catalogue was
// written from, the same way as Dir.
func SourceDir() (string, bool) {
	return besideModule("shared", "source")
}

func besideModule(elem ...string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(append([]string{dir, ".."}, elem...)...)
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				return filepath.Clean(p), true
			}
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Read once per process: the corpora are 2,832 records, and a package's
// tests, benchmarks and fuzz seeds all want them.
var (
	records = sync.OnceValues(func() ([]corpus.Record, error) {
		dir, ok := Dir()
		if !ok {
			return nil, ErrNoCorpora
		}
		return corpus.ReadDir(dir)
	})
	imported = sync.OnceValues(func() (*content.Catalogue, error) {
		recs, err := records()
		if err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp("", "errata-imported-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir) // the entries are in memory once loaded
		if _, err := corpus.Import(recs, dir, nil); err != nil {
			return nil, err
		}
		return content.LoadCatalogue(context.Background(), content.EmbeddedFolder(), content.DirFolder(dir))
	})
	entries = sync.OnceValues(func() ([]content.Entry, error) {
		recs, err := records()
		if err != nil {
			return nil, err
		}
		return corpus.Entries(recs), nil
	})
)

// Records returns the real corpora's records, sorted by file then line,
// read once per process; the error is ErrNoCorpora when they are absent.
// The slice is shared: clone it before changing it.
func Records() ([]corpus.Record, error) { return records() }

// Entries returns the real corpora as entries (corpus.Entries), in the
// corpora's order, made once per process. The slice is shared: clone it
// before changing it.
func Entries() ([]content.Entry, error) { return entries() }

// Imported is the built-in catalogue with the real corpora imported beside
// it, as errata import writes them and errata serve --content embedded
// --content DIR serves them: made once per process. The catalogue is
// shared: clone what you change.
func Imported() (*content.Catalogue, error) { return imported() }

// RealImported is Imported for a test, skipping and failing like
// RealRecords.
func RealImported(tb testing.TB) *content.Catalogue {
	tb.Helper()
	c, err := Imported()
	check(tb, err)
	return c
}

// RealRecords is Records for a test: it skips tb loudly when the corpora
// are absent and fails it when they do not read.
func RealRecords(tb testing.TB) []corpus.Record {
	tb.Helper()
	recs, err := Records()
	check(tb, err)
	return recs
}

// RealEntries is Entries for a test, skipping and failing like RealRecords.
func RealEntries(tb testing.TB) []content.Entry {
	tb.Helper()
	es, err := Entries()
	check(tb, err)
	return es
}

// ImportedDir imports the real corpora (read once per process) into a
// folder of tb's TempDir and returns it, for a test that checks the
// imported Markdown files. Where the corpora are absent it logs that it
// skips them and returns false, so the rest of the test still runs; any
// other error fails tb. Each call imports afresh, so that the folder is
// removed with the test that asked for it.
func ImportedDir(tb testing.TB) (string, bool) {
	tb.Helper()
	recs, err := Records()
	switch {
	case errors.Is(err, ErrNoCorpora):
		tb.Log("SKIPPING the real corpora: ../shared/corpora is absent")
		return "", false
	case err != nil:
		tb.Fatal(err)
	}
	out := filepath.Join(tb.TempDir(), "entries")
	if _, err := corpus.Import(recs, out, nil); err != nil {
		tb.Fatal(err)
	}
	return out, true
}

func check(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, ErrNoCorpora) {
		Missing(tb, "", ErrNoCorpora.Error()+"; the real-corpora checks need it")
	}
	if err != nil {
		tb.Fatalf("reading the real corpora: %v", err)
	}
}
