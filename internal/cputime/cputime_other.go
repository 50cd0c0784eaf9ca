//go:build !unix

package cputime

import "time"

// Process is 0 here: not measured, and benchmarks then report only their wall-time metrics.
func Process() time.Duration { return 0 }
