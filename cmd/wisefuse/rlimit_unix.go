//go:build unix && !openbsd

package main

import "syscall"

// addressSpaceLimit is the process's address-space limit (RLIMIT_AS, `ulimit -v`) in bytes, or 0
// when there is none.
func addressSpaceLimit() int64 {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) != nil || rl.Cur >= 1<<62 { // unlimited is all ones
		return 0
	}
	return int64(rl.Cur)
}
