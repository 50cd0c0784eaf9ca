// Plausibility of a log: what no run can have (an error of ReadFile) and what looks wrong without
// contradicting the format (Log.Warnings).
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
	"slices"
	"strconv"
)

// RoundingMillis is how far a stage may read above the E2E it lies within, per stage, because a
// writer rounded each value to a whole millisecond on its own. ORION's profiler takes them all
// from one history's millisecond timestamps and truncates them alike, so its stages never read
// above their E2E at all.
const RoundingMillis = 1

// MinRuns is the fewest runs a log should hold for its percentiles to mean something: from n runs,
// the one-sided 95% upper confidence bound of the P95 (p + z sqrt(p(1-p)/n), z = 1.645, the
// binomial's normal approximation, as the planner judges an SLO: wisefuse's judgedPct) lies past
// the slowest run for n <= z^2 p/(1-p) = 51.4, so the runs cannot bound their own P95; and a
// size's median, which the log model's curves are fitted to, and its spread rest on as few
// runs. A statistical question, so a warning (Log.Warnings). The public logs hold 298 to 301 runs
// a file, 5.7 times as many.
const MinRuns = 52

// SecondsE2EMillis is the E2E below which, in every run of a log, the log may be written in
// seconds (E2E:5.2 for 5.2 s), which ReadFile reads as milliseconds: 1000 times too fast and too
// cheap. A log in seconds of any workflow whose runs end within 1,000 s (16.7 minutes, past
// Lambda's 15-minute function timeout) has every E2E below it; a log in milliseconds only if every
// run, orchestration included, ended within a second (the public logs' smallest stage takes 33 ms
// and their orchestration at least 128 ms a run). Such a workflow exists, and so does a log in
// seconds of one that runs longer than 1,000 s: the values cannot tell the units apart, so this
// is a warning. In the public logs the slowest E2E of a file is at least 18,615 ms (chatbot,
// 5,000 MB), 18.6 times the threshold; their smallest E2E is 9,930 ms.
const SecondsE2EMillis = 1000

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

// Warnings returns what looks wrong in l without contradicting the format, one message per kind,
// each naming l.Path (and the line of a run, for a log read from a file), for a command to print:
//
//   - fewer than MinRuns runs: its percentiles and fitted curves rest on few runs;
//   - every run's E2E below SecondsE2EMillis: the log may be written in seconds;
//   - runs whose E2E is below the sum of their stages (beyond RoundingMillis a stage): the
//     stages overlapped, which a model that adds them in series (wisefuse's ReadLogs and
//     LogModel) predicts as slower than logged. No run of the public logs has it: their E2E is
//     at least 128 ms (chatbot, 1,000 MB) and 1.0011 times (ml, 1,000 MB) above their stages' sum.
func (l *Log) Warnings() []string {
	var out []string
	e2e := l.Seconds[E2E]
	n := len(e2e)
	if n == 0 {
		return nil
	}
	if n < MinRuns {
		runs := "runs"
		if n == 1 {
			runs = "run"
		}
		out = append(out, fmt.Sprintf("%s: %d %s, fewer than %d: its percentiles and each stage's median and spread rest on few runs (from fewer than %d, a 95%% upper confidence bound of the P95 lies past the slowest run); profile more runs",
			l.Path, n, runs, MinRuns, MinRuns))
	}
	if slowest := slices.Max(e2e) * 1000; slowest < SecondsE2EMillis {
		out = append(out, fmt.Sprintf("%s: every run's E2E is below %d ms (the slowest %s ms): values are read as milliseconds, so a log written in seconds is modelled 1000 times too fast and too cheap; if the workflow does end within a second, ignore this",
			l.Path, SecondsE2EMillis, fmtMillis(slowest)))
	}
	if len(l.Stages) > 1 {
		over, first, worst := 0, -1, 0.0
		var firstE2E, firstSum float64
		for r := range n {
			sum := 0.0
			for _, s := range l.Stages {
				sum += l.Seconds[s][r]
			}
			d := (sum - e2e[r]) * 1000
			if d <= RoundingMillis*float64(len(l.Stages)) {
				continue
			}
			over++
			worst = max(worst, d)
			if first < 0 {
				first, firstE2E, firstSum = r, e2e[r]*1000, sum*1000
			}
		}
		if over > 0 {
			out = append(out, fmt.Sprintf("%s: in %d of %d runs E2E is below the sum of the stages (first at %s: E2E %s ms, stages %s ms; at most %s ms below): the stages overlapped (a Parallel's branches, or a Map and a task in it, logged as stages?), and the model adds them in series, so it predicts those runs slower than logged",
				l.Path, over, n, l.runName(first), fmtMillis(firstE2E), fmtMillis(firstSum), fmtMillis(worst)))
		}
	}
	return out
}

// runName names run r (from 0): its line in the file, or its number in a Log not read from one.
func (l *Log) runName(r int) string {
	if r < len(l.lines) {
		return "line " + strconv.Itoa(l.lines[r])
	}
	return "run " + strconv.Itoa(r+1)
}

// fmtMillis formats milliseconds (from seconds times 1000) without the float noise of the
// division ReadFile made: 5.2, not 5.200000000000001.
func fmtMillis(ms float64) string {
	return strconv.FormatFloat(math.Round(ms*1e6)/1e6, 'f', -1, 64)
}
