package content

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Only regular files are entries. Opening a named pipe blocks until some
// process writes to it (forever, if none does), and a device or a socket
// holds no Markdown either. So the loader looks at a file's type before it
// opens it, opens without blocking, and looks again at the opened file: a
// file swapped for a pipe in between still cannot hang a load.

// notRegularFix is what a writer does about a *.md that is not a file.
const notRegularFix = "replace it with a Markdown file or remove it"

// notRegularError is a *.md path that is not a regular file.
type notRegularError struct {
	mode fs.FileMode // the type of what is there (the link's target for a link)
	link bool        // reached through a symbolic link
}

func (e *notRegularError) Error() string {
	kind := fileKind(e.mode)
	if e.link {
		kind = "a symbolic link to " + kind
	}
	return "not a regular file (" + kind + ")"
}

// fileKind names a file type for people.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// checkRegular reports whether the walked entry d at p is a regular file,
// following a symbolic link without opening anything. A link that leads
// nowhere passes: opening it says why better than a type could.
func checkRegular(fsys fs.FS, p string, d fs.DirEntry) error {
	t := d.Type()
	if t.IsRegular() {
		return nil
	}
	if t&fs.ModeSymlink == 0 {
		return &notRegularError{mode: t}
	}
	info, err := fs.Stat(fsys, p)
	if err != nil || info.Mode().IsRegular() {
		return nil
	}
	return &notRegularError{mode: info.Mode().Type(), link: true}
}

// openRegular opens p and makes sure what was opened is a regular file.
func openRegular(fsys fs.FS, p string) (fs.File, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = &notRegularError{mode: info.Mode().Type()}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// nonBlockingDirFS is os.DirFS(dir) except that Open never blocks: a named
// pipe opens at once (openRegular then refuses it) instead of waiting for a
// writer. Reading a regular file is the same either way.
type nonBlockingDirFS struct {
	fs.StatFS // os.DirFS(dir), for Stat
	dir       string
}

func newNonBlockingDirFS(dir string) nonBlockingDirFS {
	return nonBlockingDirFS{StatFS: os.DirFS(dir).(fs.StatFS), dir: dir}
}

func (d nonBlockingDirFS) Open(name string) (fs.File, error) {
	local, err := filepath.Localize(name)
	if err != nil || !fs.ValidPath(name) || d.dir == "" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.OpenFile(filepath.Join(d.dir, local), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = name // as os.DirFS: the name inside the folder
		}
		return nil, err
	}
	return f, nil
}
