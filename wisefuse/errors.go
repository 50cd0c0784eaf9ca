// Errors a caller can act on (errors.As): UnsupportedError for a workflow shape the modeler
// cannot predict (CheckSupported), InfeasibleError for an objective no plan meets.

package wisefuse

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/dag"
)

// UnsupportedError is a workflow whose shape the modeler cannot predict. Callers check for it
// (errors.As) before profiling anything, so a user learns in milliseconds, not after the
// profiling runs, that WiseFuse cannot plan the workflow.
type UnsupportedError struct {
	Step string
	Kind dag.StepKind
	// Reason, when not empty, is what the workflow as a whole lacks (Step and Kind are then
	// empty).
	Reason string
}

func (e *UnsupportedError) Error() string {
	if e.Reason != "" {
		return "wisefuse: " + e.Reason
	}
	return fmt.Sprintf("wisefuse: step %q is a %q step; the modeler handles task, pass, parallel and map steps only", e.Step, e.Kind)
}

// MaxPlannedBranches bounds the branches of a Parallel step WiseFuse plans. nestedSegments builds
// candidates from each sizing of each branch, every other branch matched to it, and evaluates
// each exactly: time and memory grow with the square of the branches. Measured (`plan --slo 60s`
// on a start task then a Parallel of N one-task branches, 2-vCPU machine at load 5): N = 100 took
// 1.4 s, 400 11 s, 800 41 s (425 MB), 1,000 66 s (610 MB); 20,000 ran past 10 minutes. An ASL
// Parallel's branches are written out one by one (a 1 MB definition holds some thousands of
// one-state branches at most); wide fan-outs of one function are Maps.
const MaxPlannedBranches = 1000

// CheckSupported reports whether the modeler handles w's shape: sequences of Task, Pass, Parallel
// and Map steps, nested to any depth (a Map nested in Maps tells its items apart by the records'
// Outer, which holds every enclosing item), with at least one task step. Otherwise it returns an
// *UnsupportedError naming the first step it cannot handle (a workflow that validates has none;
// a Parallel of more than MaxPlannedBranches branches is one) or, for a workflow without a task
// step, why.
func CheckSupported(w *dag.Workflow) error {
	var check func(seq []dag.Step) error
	check = func(seq []dag.Step) error {
		for i := range seq {
			st := &seq[i]
			switch st.Kind() {
			case dag.TaskStep, dag.PassStep:
			case dag.ParallelStep:
				if len(st.Parallel) > MaxPlannedBranches {
					return &UnsupportedError{Reason: fmt.Sprintf("step %q is a Parallel of %d branches; WiseFuse plans at most %d (MaxPlannedBranches: its candidate sizings of a Parallel grow with the square of the branches, and 1,000 took about a minute). Branches that run one function alike are a Map, which it plans at any width; the other policies run the Parallel as it is", st.Name, len(st.Parallel), MaxPlannedBranches)}
				}
				for _, br := range st.Parallel {
					if err := check(br); err != nil {
						return err
					}
				}
			case dag.MapStep:
				if err := check(st.Map.Iterator); err != nil {
					return err
				}
			default:
				return &UnsupportedError{Step: st.Name, Kind: st.Kind()}
			}
		}
		return nil
	}
	if err := check(w.Steps); err != nil {
		return err
	}
	// A workflow of pass steps only validates and runs, but its profile has no invocation to
	// model: profiling failed with "no invocations to profile", naming neither the workflow
	// nor the reason.
	tasks := false
	w.Walk(func(_ []string, s *dag.Step) { tasks = tasks || s.Task != "" })
	if !tasks {
		return &UnsupportedError{Reason: fmt.Sprintf("workflow %q has no task step, so there is no function to profile, size or fuse (the other policies run it as it is)", w.Name)}
	}
	return nil
}

// Limit is a constraint of an objective.
type Limit int

// The constraints of a dag.Objective.
const (
	SLOLimit    Limit = iota + 1 // the latency percentile's target
	BudgetLimit                  // the mean cost per run
)

func (l Limit) String() string {
	switch l {
	case SLOLimit:
		return "SLO"
	case BudgetLimit:
		return "budget"
	}
	return fmt.Sprintf("Limit(%d)", int(l))
}

// InfeasibleError reports that no plan meets an objective under the model: Binds names the
// constraint that no plan meets and Best the best any plan achieves on it, so that a caller can
// relax the right one by the right amount (errors.As).
//
// Under an SLO alone, and whenever even the fastest plan misses the SLO, the SLO binds. Under a
// budget alone, and under both when some plan meets the SLO, the budget binds.
type InfeasibleError struct {
	Objective dag.Objective // as given to Search
	Margin    float64       // the search aimed at (1 - Margin) x Objective.SLO
	Binds     Limit
	// JudgedPct is the percentile Best is of: Objective.Pct(), or, when the plans fast enough at
	// that percentile all miss the SLO at its upper confidence bound from the profile's runs
	// (judgedPct), that bound's percentile.
	JudgedPct float64
	// Best is, when the SLO binds, the lowest predicted JudgedPct-th percentile of any plan
	// in seconds; when the budget binds, the lowest predicted mean cost in USD per run of any
	// plan, or of any plan that meets the SLO when there is one. +Inf when the search finds no
	// plan at all, or when even the best plan's JudgedPct-th percentile falls among runs that
	// fail at the platform's function timeout (TimedOut).
	Best float64
	// TimedOut, when not empty, names the VM of the best plan (the fastest, or under a budget
	// alone the fastest within it) that runs past the platform's function timeout of Timeout
	// seconds (less Margin, as the search judges it) in so many runs that the percentile is
	// +Inf: a run whose VM is still busy then after its init fails (docs/wisefuse.md, "The
	// function timeout").
	TimedOut string
	Timeout  float64
	// Fails, when not empty, names the top-level step no plan can run: at every profiled size,
	// the largest VM's included, the function timeout stopped at least half of its profiling
	// runs (or all of them) there (docs/wisefuse.md, "The function timeout").
	Fails string
}

// Target is the latency the search aimed at: Objective.SLO less the safety margin.
func (e *InfeasibleError) Target() float64 { return e.Objective.SLO * (1 - e.Margin) }

func (e *InfeasibleError) Error() string {
	pct := e.Objective.Pct()
	switch {
	case e.Fails != "":
		return fmt.Sprintf("wisefuse: no plan runs %s: the platform's function timeout of %gs stopped at least half of its profiling runs at every profiled size, the largest VM's included", e.Fails, e.Timeout)
	case e.TimedOut != "" && e.Objective.SLO > 0:
		return fmt.Sprintf("wisefuse: no plan meets the %gth-percentile SLO of %.3gs: every plan runs a VM past the platform's function timeout of %gs (less the %g%% safety margin) in more than %.3g%% of runs, and a run that times out fails; in the fastest plan found, %s", pct, e.Objective.SLO, e.Timeout, 100*e.Margin, 100-e.JudgedPct, e.TimedOut)
	case e.TimedOut != "":
		return fmt.Sprintf("wisefuse: no plan within the budget of $%g per run completes its runs: each runs a VM past the platform's function timeout of %gs (less the %g%% safety margin) in more than %.3g%% of runs, and a run that times out fails; in the fastest plan found, %s", e.Objective.Budget, e.Timeout, 100*e.Margin, 100-e.JudgedPct, e.TimedOut)
	case e.Binds == BudgetLimit && e.Objective.SLO > 0:
		return fmt.Sprintf("wisefuse: no plan meets the %gth-percentile SLO of %.3gs (after the %g%% safety margin) within the budget of $%g per run; the cheapest plan that meets the SLO costs $%.3g per run", pct, e.Target(), 100*e.Margin, e.Objective.Budget, e.Best)
	case e.Binds == BudgetLimit:
		return fmt.Sprintf("wisefuse: no plan costs at most the budget of $%g per run", e.Objective.Budget)
	case math.IsInf(e.Best, 1):
		return fmt.Sprintf("wisefuse: no plan meets the %gth-percentile SLO of %gs", pct, e.Target())
	}
	if e.JudgedPct > pct {
		return fmt.Sprintf("wisefuse: no plan meets the %gth-percentile SLO of %.3gs: the fastest plan's upper confidence bound of its P%g from the profiled runs (its predicted P%.4g) is %.3gs", pct, e.Objective.SLO, pct, e.JudgedPct, e.Best)
	}
	return fmt.Sprintf("wisefuse: no plan meets the %gth-percentile SLO of %.3gs (after the %g%% safety margin); the fastest plan's predicted P%g is %.3gs", pct, e.Target(), 100*e.Margin, pct, e.Best)
}
