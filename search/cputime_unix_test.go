//go:build unix

package search

import "syscall"

// cpuTime is the CPU the process has used, user and system, in
// nanoseconds; 0 if unknown. On a machine whose cores are shared, a
// benchmark's CPU per request says what it costs where its wall time
// also counts the waits for a core.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
