package content

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a content file.
type Problem struct {
	File    string // path inside the loaded fs.FS (LoadDir: the path on disk)
	Line    int    // 1-based line in the file; 1 when the problem is the whole file
	Message string // what is wrong
	Fix     string // how to fix it
}

// String is "file:line: what is wrong — how to fix it".
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s — %s", p.File, p.Line, p.Message, p.Fix)
}

// Problems is every problem found in one Load; it is the error Load returns.
type Problems []Problem

// Error lists every problem, one per line.
func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}
