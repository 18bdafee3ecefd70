package content

import (
	"embed"
	"io/fs"
)

//go:embed entries/*.md
var entriesFS embed.FS

// Embedded is the catalogue compiled into the binary, rooted at the entries
// folder: its files are "400-general-bad-request.md" and so on, exactly as
// os.DirFS("content/entries") sees them, so `--content content/entries`
// loads the same catalogue with the same file names in every problem.
func Embedded() fs.FS {
	sub, err := fs.Sub(entriesFS, "entries")
	if err != nil {
		panic(err) // "entries" is a valid constant path; fs.Sub cannot fail on it
	}
	return sub
}

// EmbeddedFolder is the built-in catalogue as a folder to load.
func EmbeddedFolder() Folder { return FSFolder(Embedded()) }
