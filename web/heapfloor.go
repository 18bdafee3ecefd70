package web

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultHeapFloor is the heap errata serve lets grow before the garbage
// collector runs, however small the live heap. A small catalogue keeps a
// few megabytes live while every search allocates tens of kilobytes, so
// with Go's default (a cycle each time the heap doubles) thousands of
// searches a second mean a hundred cycles a second, each with its fixed
// costs. Past half the floor the floor changes nothing.
const DefaultHeapFloor = 64 << 20

// KeepHeapFloor makes the garbage collector let the heap grow to at least
// floor bytes before a cycle, and to twice the live heap past that, as
// Go's default does: after each cycle it sets the GC percentage from the
// live heap that cycle found, so the floor follows what the answer cache
// and a reload keep live. A GOGC in the environment is the operator's
// choice and is left alone (ok is false). The percentage is the
// process's: while one floor is kept, a second call keeps the first one's
// floor. The last stop restores the percentage set before the first.
func KeepHeapFloor(floor uint64) (stop func(), ok bool) {
	if _, set := os.LookupEnv("GOGC"); set || floor == 0 {
		return func() {}, false
	}
	floors.mu.Lock()
	defer floors.mu.Unlock()
	if floors.kept == nil {
		f := &heapFloor{floor: floor, before: debug.SetGCPercent(100)}
		debug.SetGCPercent(f.before)
		f.tune()
		f.arm()
		floors.kept = f
	}
	floors.n++
	var once sync.Once
	return func() { once.Do(releaseHeapFloor) }, true
}

// floors is the floor kept, and how many have asked for it.
var floors struct {
	mu   sync.Mutex
	kept *heapFloor
	n    int
}

func releaseHeapFloor() {
	floors.mu.Lock()
	defer floors.mu.Unlock()
	if floors.n--; floors.n == 0 {
		floors.kept.stop()
		floors.kept = nil
	}
}

type heapFloor struct {
	floor   uint64
	before  int
	stopped bool // under floors.mu, as the cleanup may run as it stops
}

// sentinel is garbage as soon as it is made: its cleanup runs after the
// next cycle. It is too big for the tiny allocator, whose blocks may keep
// a cleanup from ever running.
type sentinel struct{ _ [32]byte }

func (f *heapFloor) arm() {
	runtime.AddCleanup(new(sentinel), func(f *heapFloor) {
		floors.mu.Lock()
		defer floors.mu.Unlock()
		if !f.stopped {
			f.tune()
			f.arm()
		}
	}, f)
}

func (f *heapFloor) tune() {
	debug.SetGCPercent(gcPercentFor(liveHeap(), f.floor))
}

func (f *heapFloor) stop() {
	f.stopped = true
	debug.SetGCPercent(f.before)
}

// gcPercentFor is the GC percentage whose heap goal, live*(1+p/100), is
// the floor, and never below Go's default of 100; a live heap not yet
// measured (0) counts as one megabyte.
func gcPercentFor(live, floor uint64) int {
	live = max(live, 1<<20)
	if floor <= 2*live {
		return 100
	}
	return int((floor - live) * 100 / live)
}

// liveHeap is the heap the last cycle marked live, 0 before the first.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
