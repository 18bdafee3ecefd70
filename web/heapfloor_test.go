package web

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		live, floor uint64
		want        int
	}{
		{4 * mb, 64 * mb, 1500},   // the heap may grow to 64 MB: 4 live + 60
		{16 * mb, 64 * mb, 300},   // 16 + 48
		{32 * mb, 64 * mb, 100},   // twice the live heap reaches the floor
		{40 * mb, 64 * mb, 100},   // past it Go's default holds
		{0, 64 * mb, 6300},        // not measured yet: one megabyte
		{512 * 1024, 8 * mb, 700}, // below a megabyte counts as one
	} {
		if got := gcPercentFor(tc.live, tc.floor); got != tc.want {
			t.Errorf("gcPercentFor(%d MB live, %d MB floor) = %d, want %d", tc.live/mb, tc.floor/mb, got, tc.want)
		}
	}
}

// gcPercent reads the percentage without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// settles runs cycles until the floor's percentage is the one the live
// heap calls for: it is set after each cycle, by a cleanup that runs on
// its own goroutine.
func settles(t *testing.T, floor uint64) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the cleanup's goroutine runs
		want := gcPercentFor(liveHeap(), floor)
		if got := gcPercent(); got == want {
			return got
		} else if time.Now().After(deadline) {
			t.Fatalf("GC percentage %d, want %d for %d bytes live", got, want, liveHeap())
		}
	}
}

func TestKeepHeapFloorFollowsTheLiveHeap(t *testing.T) {
	if v, set := os.LookupEnv("GOGC"); set {
		os.Unsetenv("GOGC")
		t.Cleanup(func() { os.Setenv("GOGC", v) })
	}
	before := debug.SetGCPercent(77)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	const floor = 256 << 20
	stop, ok := KeepHeapFloor(floor)
	if !ok {
		t.Fatal("KeepHeapFloor did not keep a floor with GOGC unset")
	}
	second, _ := KeepHeapFloor(floor / 2) // a second server in the process
	second()
	if p := settles(t, floor); p <= 100 {
		t.Fatalf("GC percentage %d with %d bytes live under a %d-byte floor: the floor is not kept", p, liveHeap(), floor)
	}

	// Past half the floor, Go's default comes back.
	held := make([][]byte, 0, 160)
	for range cap(held) {
		held = append(held, make([]byte, 1<<20))
	}
	if p := settles(t, floor); p != 100 {
		t.Errorf("GC percentage %d with %d bytes live: want 100 past half the floor", p, liveHeap())
	}
	runtime.KeepAlive(held)
	held = nil

	stop()
	stop() // twice is harmless
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if p := gcPercent(); p != 77 {
		t.Errorf("after stop the GC percentage is %d, want the 77 set before", p)
	}
}

func TestKeepHeapFloorLeavesGOGCAlone(t *testing.T) {
	t.Setenv("GOGC", "150")
	before := debug.SetGCPercent(150)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	stop, ok := KeepHeapFloor(DefaultHeapFloor)
	defer stop()
	if ok {
		t.Error("KeepHeapFloor kept a floor although GOGC is set")
	}
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if p := gcPercent(); p != 150 {
		t.Errorf("GC percentage %d, want GOGC's 150 untouched", p)
	}
}
