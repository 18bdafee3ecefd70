package main

import (
	"testing"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// BenchmarkStartup is what serve does before it listens: load and validate
// the embedded catalogue, then index it. The target is well under 200 ms.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		entries, err := content.Load(content.Embedded())
		if err != nil {
			b.Fatal(err)
		}
		ix, err := search.Build(entries)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}
