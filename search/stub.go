package search

// STUB: placeholder signatures so that dependants compile while the search
// package is written. The search package's author replaces this file.

import (
	"context"
	"errors"

	"github.com/errata/errata/content"
)

var errStub = errors.New("search: not implemented yet")

// Index is the searchable catalogue: entries plus their bleve index.
type Index struct{ entries []content.Entry }

// Build indexes entries (already validated by content.Load) in one batch.
func Build(entries []content.Entry) (*Index, error) { return nil, errStub }

// Search runs q under ctx; a bad value in q is an *InvalidError.
func (ix *Index) Search(ctx context.Context, q Query) (*Results, error) { return nil, errStub }

// Entries returns every entry in status order, then id.
func (ix *Index) Entries() []content.Entry { return ix.entries }

// Entry returns the entry with the given id.
func (ix *Index) Entry(id string) (content.Entry, bool) { return content.Entry{}, false }

// Redirect returns the current id of an entry once called oldID (redirect_from).
func (ix *Index) Redirect(oldID string) (string, bool) { return "", false }

// Count is the number of documents in the index.
func (ix *Index) Count() int { return 0 }

// Close releases the index.
func (ix *Index) Close() error { return nil }

// ParseStatus reads "429", "400,401", "400-499", "4xx" (and "" as any).
func ParseStatus(s string) (StatusSet, error) { return nil, errStub }

// ParseProviders reads repeated and comma-separated provider names or slugs,
// case-insensitively, into known slugs.
func ParseProviders(vals []string) ([]string, error) { return nil, errStub }

// ParsePage reads a 1-based page number ("" means 1).
func ParsePage(s string) (int, error) { return 0, errStub }

// ParsePerPage reads a page size 1–MaxPerPage ("" means DefaultPerPage).
func ParsePerPage(s string) (int, error) { return 0, errStub }

// String is the canonical form of the set, as it appears in URLs ("400-499").
func (s StatusSet) String() string { return "" }

// Contains reports whether code is in the set; an empty set contains every code.
func (s StatusSet) Contains(code int) bool { return false }
