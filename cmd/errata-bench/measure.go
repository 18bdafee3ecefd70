package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

// memStats is the memory of this process once garbage is collected.
type memStats struct {
	HeapInuseMB float64 `json:"heap_inuse_mb"` // Go heap in use after GC
	RSSMB       float64 `json:"rss_mb"`        // resident set (VmRSS), Go heap plus SQLite's own memory
	PeakRSSMB   float64 `json:"peak_rss_mb"`   // high-water mark of RSS (VmHWM), building included
}

func readMem() memStats {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, hwm := procStatus("VmRSS:"), procStatus("VmHWM:")
	return memStats{HeapInuseMB: mb(ms.HeapInuse), RSSMB: mb(rss), PeakRSSMB: mb(hwm)}
}

// procStatus reads a kB field of /proc/self/status; 0 where there is none.
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile is the nearest-rank percentile p (0–100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}
