package content_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/errata/errata/content"
)

// FuzzLoad feeds arbitrary bytes to Load as an entry file next to the real
// catalogue. Load must return (problems are fine), quickly, and whatever it
// renders must carry no script and no followable javascript:/data: link.
// Seeds: testdata/fuzz/FuzzLoad (the real entries and nasty inputs).
func FuzzLoad(f *testing.F) {
	real := fstest.MapFS{}
	err := fs.WalkDir(content.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(content.Embedded(), p)
		real[p] = &fstest.MapFile{Data: data}
		f.Add(data)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"fuzz.md": {Data: data}}
		for p, file := range real {
			fsys[p] = file
		}
		start := time.Now()
		entries, _ := content.Load(fsys)
		// A generous bound: it catches a hang or a blow-up, not slowness
		// (speed is measured in BenchmarkLoadEmbedded, not here).
		if d := time.Since(start); d > 30*time.Second {
			t.Fatalf("Load took %v on %d bytes", d, len(data))
		}
		for _, e := range entries {
			for _, s := range e.Sections {
				html := strings.ToLower(s.HTML)
				if strings.Contains(html, "<script") {
					t.Fatalf("%s/%s renders a script:\n%s", e.Path, s.ID, s.HTML)
				}
				for _, u := range hrefs(html) {
					u = strings.TrimSpace(u)
					if strings.HasPrefix(u, "javascript:") || strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "vbscript:") {
						t.Fatalf("%s/%s renders a dangerous link %q:\n%s", e.Path, s.ID, u, s.HTML)
					}
				}
			}
		}
	})
}
