//go:build unix

package replay

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time, as in sim's benchmarks (the engine is
// single-threaded, so on a shared machine it measures its speed better than wall time).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
