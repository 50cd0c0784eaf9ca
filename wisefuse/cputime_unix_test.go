//go:build unix

package wisefuse

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared machine it measures the planner's
// speed on one core better than wall time does (planning is single-threaded).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
