//go:build !unix

package replay

import "time"

func cpuTime() time.Duration { return 0 } // not measured: only the wall-time metric is reported
