//go:build !unix

package search

import "os"

// mapFile reads the file at path whole where memory mapping is not at hand.
func mapFile(path string) ([]byte, error) { return os.ReadFile(path) }

func unmapFile([]byte) {}
