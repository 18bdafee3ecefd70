package content

// STUB: placeholder signatures so that dependants compile while the content
// package is written. The content package's author replaces this file.

import (
	"errors"
	"io/fs"
)

// Load reads every entries/*.md (any *.md below the root) of fsys, validates
// all of them and returns them sorted by status then id. On any problem it
// returns Problems, listing every problem of every file.
func Load(fsys fs.FS) ([]Entry, error) { return nil, errors.New("content: not implemented yet") }

// Embedded is the catalogue compiled into the binary.
func Embedded() fs.FS { return nil }

// Problem is one thing wrong with a content file.
type Problem struct {
	File    string // path inside the loaded fs.FS
	Line    int    // 1-based; 0 when the problem is the whole file
	Message string // what is wrong
	Fix     string // how to fix it
}

// String is "file:line: what is wrong — how to fix it".
func (p Problem) String() string { return "" }

// Problems is every problem found in one Load; it is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string { return "" }
