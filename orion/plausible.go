// Plausibility of a log: what no run can have (an error of ReadFile).
//
// What the values are, from ORION's profiler (icanforce/Orion-OSDI22 @ 291db14,
// DAG_Profiler/Latency_collect_Standard.py, event_log_extract): a stage's value is the time from
// its state's TaskStateEntered (MapStateEntered) event to its LambdaFunctionSucceeded
// (MapStateSucceeded) event in the Step Functions execution history, the largest of them when
// the stage ran more than once in the run (a parallel stage: its slowest branch); E2E is the time
// from the history's first event to its last. All are whole milliseconds of the same history's
// timestamps. So every stage lies within E2E; stages in series add up to at most E2E, with the
// orchestrator's overhead between them; stages that overlap (two branches of a Parallel state, or
// a Map state and a task inside it, logged as separate stages) may add up to more.

package orion

import (
	"fmt"
	"math"
	"strconv"
)

// RoundingMillis is how far a stage may read above the E2E it lies within, per stage, because a
// writer rounded each value to a whole millisecond on its own. ORION's profiler takes them all
// from one history's millisecond timestamps and truncates them alike, so its stages never read
// above their E2E at all.
const RoundingMillis = 1

// spanCheck finds one run's E2E and slowest stage as its fields are read (the first of a name
// that repeats: a repeat has the same value).
type spanCheck struct {
	e2e, slowest           float64 // milliseconds
	e2eField, slowestField int     // 1-based field index; 0 when not seen
	e2eText, slowestName   string
}

func (c *spanCheck) add(name string, ms float64, field int, text string) {
	if name == E2E {
		c.e2e, c.e2eField, c.e2eText = ms, field, text
	} else if c.slowestField == 0 || ms > c.slowest {
		c.slowest, c.slowestField, c.slowestName = ms, field, name
	}
}

// check refuses a run whose E2E is below its slowest stage, less RoundingMillis: E2E spans the
// whole execution, and every stage (a parallel one's slowest branch) lies within it, so no run of
// the profiler can have it (the public logs' E2E is at least 1.10 times their slowest stage and
// 2,695 ms above it). The run's E2E must have been seen.
func (c *spanCheck) check() error {
	if c.slowestField == 0 || c.e2e >= c.slowest-RoundingMillis {
		return nil
	}
	return fmt.Errorf("field %d %q: E2E %s ms is below stage %s's %s ms (field %d): want E2E at least its slowest stage's time (less %d ms of rounding): E2E spans the whole run, every stage within it",
		c.e2eField, c.e2eText, fmtMillis(c.e2e), c.slowestName, fmtMillis(c.slowest), c.slowestField, RoundingMillis)
}

// fmtMillis formats milliseconds (from seconds times 1000) without the float noise of the
// division ReadFile made: 5.2, not 5.200000000000001.
func fmtMillis(ms float64) string {
	return strconv.FormatFloat(math.Round(ms*1e6)/1e6, 'f', -1, 64)
}
