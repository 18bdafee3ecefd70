//go:build !unix

package search

// cpuTime is unknown here: benchmarks report wall time alone.
func cpuTime() int64 { return 0 }
