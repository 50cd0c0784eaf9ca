// Predict: a plan split into segments of top-level steps (a Pass, a Map, tasks alone or fused,
// a Map fused with its neighbours), each segment evaluated (tasks.go, maps.go) and the segments
// added in series.

package wisefuse

import (
	"fmt"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
)

// Prediction is a plan's predicted end-to-end latency distribution and mean cost per run.
type Prediction struct {
	Latency  Latency
	MeanCost float64 // USD per run
}

// Percentile is shorthand for p.Latency.Percentile.
func (p *Prediction) Percentile(pct float64) float64 { return p.Latency.Percentile(pct) }

// stageEval is a step's (or a fused group's) predicted latency atoms and mean cost.
type stageEval struct {
	lat  Latency
	cost float64
}

// scratch holds buffers reused across evaluations.
type scratch struct {
	vals  []float64
	bound []float64
	units []float64  // a run's Map iterations, for waves
	acts  []shareAct // a run's Map activities on shared instances (azure.go)
	ends  []float64  // when each of acts ends (sharedSpills)
	ps    psSim
	// replays are fused groups' step replays (fusedstages.go), shared by evalPool's workers.
	replays *onceMap[replayKey, *stepReplays]
	// order is the runs of the last task group evaluated (orderOf), by latency: the next
	// size's are nearly in that order.
	order    []int32
	orderOf  [3]int
	runValue []float64
	// busy and inits are evalTasks' per run.
	busy, inits []float64
}

// endGap is the distribution of the gap after the last step, from the size nearest mem.
func (m *Model) endGap(mem int) Latency {
	return latencyFromSamples(nil, m.sizes[m.nearest(mem)].endGap, m.opts.Atoms)
}

// passStage is a top-level Pass step: its orchestration time is absorbed in the next step's gap,
// so it adds only a transition's price.
func (m *Model) passStage() stageEval {
	return stageEval{lat: make(Latency, m.opts.Atoms), cost: m.opts.Platform.TransitionUSD}
}

// Predict returns the plan's predicted latency distribution and mean cost. The plan must be
// valid for the workflow; fusion groups may join consecutive top-level tasks or consecutive
// iterator tasks, bundles apply to Maps; direct passing and shared runtimes are not modelled.
func (m *Model) Predict(plan *dag.Plan) (*Prediction, error) {
	if err := plan.Validate(m.w); err != nil {
		return nil, err
	}
	if err := plan.CheckSpills(m.w, m.opts.Platform.NoSpills()); err != nil {
		return nil, err
	}
	if len(plan.Passing) > 0 || plan.SharedRuntime {
		return nil, fmt.Errorf("wisefuse: the modeler does not model direct passing or shared runtimes")
	}
	segs, err := m.segmentsOf(plan)
	if err != nil {
		return nil, err
	}
	// The same composition, in the same order, as the transformer's search: the end gap joins the
	// last segment first, then segments add left to right.
	var sc scratch
	var acc Latency
	cost := 0.0
	for k, sg := range segs {
		e := m.evalSegment(&sc, sg)
		if k == len(segs)-1 {
			m.endOf(&e, sg)
		}
		if acc == nil {
			acc = slices.Clone(e.lat)
		} else {
			acc = addIndependent(nil, acc, e.lat)
		}
		cost += e.cost
	}
	return &Prediction{Latency: acc, MeanCost: cost}, nil
}

// segment is a run of top-level steps [start, end) that the plan executes as one unit: a lone
// step or a fused group of tasks; a Map segment carries its configuration.
type segment struct {
	start, end int
	mem        int // VM size for tasks (the group's); the largest iterator size for a Map
	cfg        *mapConfig
	nest       *nestConfig // a nested stage (nested.go)
	pass       bool
	// fusedMap marks a group of tasks and one Map, all its items in the group's VM
	// (evalFusedMap); mapAt is the Map's index.
	fusedMap bool
	mapAt    int
	// fusedStages marks a group that holds a Parallel or several Maps, everything in the
	// group's VM (evalFusedStages, fusedstages.go).
	fusedStages bool
	// spill, in a fusedStages segment, is per step of the group the items a Map keeps in the
	// VM, the rest spilling that many per VM; nil or 0 keeps them all.
	spill []int
}

func (m *Model) evalSegment(sc *scratch, sg segment) stageEval {
	e := m.evalSegmentAlone(sc, sg)
	if m.replaying {
		e.cost += m.replayCost(sg)
	}
	return e
}

// evalSegmentAlone is evalSegment without the orchestrator's replays.
func (m *Model) evalSegmentAlone(sc *scratch, sg segment) stageEval {
	switch {
	case sg.pass:
		return m.passStage()
	case sg.nest != nil:
		return m.evalNested(sc, sg.start, *sg.nest)
	case sg.fusedMap:
		return m.evalFusedMap(sc, sg.start, sg.end, sg.mapAt, sg.mem)
	case sg.fusedStages:
		return m.evalFusedStages(sc, sg)
	case sg.cfg != nil:
		return m.evalMap(sc, sg.start, *sg.cfg)
	default:
		return m.evalTasks(sc, sg.start, sg.end, sg.mem)
	}
}

// segmentsOf splits the top-level sequence by the plan's fusion groups.
func (m *Model) segmentsOf(plan *dag.Plan) ([]segment, error) {
	var segs []segment
	steps := m.w.Steps
	for i := 0; i < len(steps); {
		st := &steps[i]
		g := plan.FusionGroup(st.Name)
		switch {
		case g >= 0 && m.fusedStagesGroup(plan, i, g):
			sg, err := m.fusedStagesSegment(plan, i, g)
			if err != nil {
				return nil, err
			}
			segs = append(segs, sg)
			i = sg.end
		case st.Pass:
			if g >= 0 {
				return nil, fmt.Errorf("wisefuse: fusing pass step %q is not modelled", st.Name)
			}
			segs = append(segs, segment{start: i, end: i + 1, pass: true})
			i++
		case isNested(st):
			sg, err := m.nestedSegment(plan, i)
			if err != nil {
				return nil, err
			}
			segs = append(segs, sg)
			i++
		case g >= 0 && m.groupHasMap(plan, i, g):
			sg, err := m.fusedMapSegment(plan, i, g)
			if err != nil {
				return nil, err
			}
			segs = append(segs, sg)
			i = sg.end
		case st.Map != nil:
			cfg := mapConfig{bundle: plan.BundleOf(st.Name)}
			grp := 0
			prevG := -2
			for _, it := range st.Map.Iterator {
				if it.Task == "" {
					continue
				}
				ig := plan.FusionGroup(it.Name)
				if ig < 0 || ig != prevG {
					grp++
				}
				prevG = ig
				cfg.mem = append(cfg.mem, plan.MemoryOf(it.Task))
				cfg.group = append(cfg.group, grp)
			}
			segs = append(segs, segment{start: i, end: i + 1, mem: slices.Max(cfg.mem), cfg: &cfg})
			i++
		default:
			j := i + 1
			mem := plan.MemoryOf(st.Task)
			if g >= 0 {
				for j < len(steps) && plan.FusionGroup(steps[j].Name) == g {
					if steps[j].Task == "" {
						return nil, fmt.Errorf("wisefuse: fusion group %d mixes task %q with %s step %q; only tasks are fused at the top level", g, st.Name, steps[j].Kind(), steps[j].Name)
					}
					mem = max(mem, plan.MemoryOf(steps[j].Task))
					j++
				}
			}
			segs = append(segs, segment{start: i, end: j, mem: mem})
			i = j
		}
	}
	return segs, nil
}

// groupHasMap reports whether fusion group g, which starts at top-level step i, holds a Map.
func (m *Model) groupHasMap(plan *dag.Plan, i, g int) bool {
	for j := i; j < len(m.w.Steps) && plan.FusionGroup(m.w.Steps[j].Name) == g; j++ {
		if m.w.Steps[j].Map != nil {
			return true
		}
	}
	return false
}

// fusedMapSegment is fusion group g from top-level step i when it holds a Map: tasks and exactly
// one Map, all of whose items stay in the group's VM.
func (m *Model) fusedMapSegment(plan *dag.Plan, i, g int) (segment, error) {
	steps := m.w.Steps
	sg := segment{start: i, end: i, fusedMap: true, mapAt: -1}
	for ; sg.end < len(steps) && plan.FusionGroup(steps[sg.end].Name) == g; sg.end++ {
		st := &steps[sg.end]
		switch {
		case st.Task != "":
			sg.mem = max(sg.mem, plan.MemoryOf(st.Task))
		case st.Map != nil && sg.mapAt < 0 && !isNested(st):
			sg.mapAt = sg.end
			items, _ := st.Map.FixedItems()
			if !m.itemsAlwaysFixed(sg.end) {
				return sg, fmt.Errorf("wisefuse: map %q is fused with its neighbours but its item count varied between profiled runs; items beyond the bundle would spill, which is not modelled", st.Name)
			}
			if b := plan.BundleOf(st.Name); b < items {
				return sg, fmt.Errorf("wisefuse: map %q is fused with its neighbours with bundle %d of its %d items; the modeler handles only all items in the fused VM (bundle %d), not spilled ones", st.Name, b, items, items)
			}
			for _, fn := range iteratorTasks(st) {
				sg.mem = max(sg.mem, plan.MemoryOf(fn))
			}
		default:
			return sg, fmt.Errorf("wisefuse: fusion group %d holds %s step %q; a group may hold tasks and one map", g, st.Kind(), st.Name)
		}
	}
	return sg, nil
}
