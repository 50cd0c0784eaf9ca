package apps

import (
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// Platform returns base adapted to app: its fitted orchestration overhead (App.OrchestrationS)
// is attributed as base.OrchestrationOverhead says, so that the workflow as deployed (one state
// per step, nothing fused) waits exactly that overhead on its critical path under either reading:
//
//   - per-transition: the transition latency is set so that the transitions on the app's
//     critical path add up to the overhead. A plan that removes transitions (fusion) removes
//     their share of it.
//   - per-execution: the transitions keep base's latency and the rest of the overhead,
//     OrchestrationS - n x TransitionLatency for the n transitions on the critical path, is
//     a fixed delay once per DAG invocation (ExecutionOverhead), whatever the plan.
//
// The public data (one end-to-end latency per run) cannot tell the two apart
// (docs/calibration.md, "Orchestration overhead attribution"). The simulator charges one
// transition per state entered outside a VM, including each Map iteration's states, and the
// iterations of a Map wait theirs concurrently, so the critical path holds one per task step plus,
// per Map, one for the Map and one per state of its iterator. Apps without a fitted overhead get
// base unchanged. base is not modified.
func Platform(app string, base *platform.Platform) *platform.Platform {
	a, ok := registry[app]
	if !ok || a.OrchestrationS == 0 {
		p := *base
		return &p
	}
	return Attribute(base, a.Build().Steps, a.OrchestrationS)
}

// Attribute returns base with an orchestration overhead of overheadS seconds on the critical path
// of steps, attributed as base.OrchestrationOverhead says (see Platform). Under per-execution an
// overhead smaller than the critical path's transitions at base's latency leaves no fixed delay
// (ExecutionOverhead 0). base is not modified.
func Attribute(base *platform.Platform, steps []dag.Step, overheadS float64) *platform.Platform {
	p := *base
	n := float64(criticalTransitions(steps))
	if p.OrchestrationOverhead == platform.OverheadPerExecution {
		p.ExecutionOverhead = max(0, overheadS-n*p.TransitionLatency)
		return &p
	}
	p.TransitionLatency = overheadS / n
	return &p
}

// criticalTransitions counts the state transitions on the longest chain of seq.
func criticalTransitions(seq []dag.Step) int {
	n := 0
	for i := range seq {
		s := &seq[i]
		switch s.Kind() {
		case dag.MapStep:
			n += 1 + criticalTransitions(s.Map.Iterator)
		case dag.ParallelStep:
			m := 0
			for _, br := range s.Parallel {
				m = max(m, criticalTransitions(br))
			}
			n += 1 + m
		default:
			n++
		}
	}
	return n
}
