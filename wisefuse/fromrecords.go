// FromRecords: a profile from a platform's records of unfused, unbundled runs, with the
// orchestration gaps measured from the timestamps.

package wisefuse

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/records"
)

// FromRecords builds a profile from simulator records: the invocations and DAG runs of runs made
// with every function at one memory size (several sizes may be mixed; each invocation's MemoryMB
// says which). The plans profiled must be unfused and unbundled. dags may be nil: each run's
// arrival and end are then taken from its first invocation's start and last invocation's end, so
// the gaps before the first step and after the last one read as zero.
func FromRecords(w *dag.Workflow, invs []records.Invocation, dags []records.DAGRun) (*Profile, error) {
	if err := CheckSupported(w); err != nil {
		return nil, err
	}
	// Group by memory size, then by run. A run belongs to one size: its invocations' MemoryMB.
	type runKey struct{ mem, run int }
	byRun := map[runKey][]int{}
	runMem := map[int]int{}
	steps := map[string]bool{}
	w.Walk(func(_ []string, s *dag.Step) { steps[s.Name] = true })
	for i := range invs {
		in := &invs[i]
		if !steps[in.Step] {
			return nil, fmt.Errorf("wisefuse: invocation %d: step %q is not in workflow %q", i, in.Step, w.Name)
		}
		if m, ok := runMem[in.Run]; ok && m != in.MemoryMB {
			return nil, fmt.Errorf("wisefuse: run %d mixes memory sizes %d and %d MB; profile runs must use one size for every function", in.Run, m, in.MemoryMB)
		}
		if in.Bundle != 0 && in.Bundle != in.Item {
			return nil, fmt.Errorf("wisefuse: invocation %d (run %d, step %q) is bundled; profile unbundled plans", i, in.Run, in.Step)
		}
		runMem[in.Run] = in.MemoryMB
		k := runKey{in.MemoryMB, in.Run}
		byRun[k] = append(byRun[k], i)
	}
	dagByRun := map[int]*records.DAGRun{}
	for i := range dags {
		dagByRun[dags[i].Run] = &dags[i]
	}
	keys := make([]runKey, 0, len(byRun))
	for k := range byRun {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].mem != keys[j].mem {
			return keys[i].mem < keys[j].mem
		}
		return keys[i].run < keys[j].run
	})
	p := &Profile{Workflow: Skeleton(w), Source: "simulator records"}
	var cur *SizeProfile
	for _, k := range keys {
		if cur == nil || cur.MemoryMB != k.mem {
			p.Sizes = append(p.Sizes, newSizeProfile(w, k.mem))
			cur = &p.Sizes[len(p.Sizes)-1]
		}
		if err := cur.addRun(w, invs, byRun[k], dagByRun[k.run]); err != nil {
			return nil, fmt.Errorf("wisefuse: run %d at %d MB: %w", k.run, k.mem, err)
		}
	}
	if len(p.Sizes) == 0 {
		return nil, fmt.Errorf("wisefuse: no invocations to profile")
	}
	return p, nil
}

// addRun appends one run (the invocations idx of invs) to the size profile. The run's index in
// the profile is its position, so runs are renumbered 0..Runs-1.
func (s *SizeProfile) addRun(w *dag.Workflow, invs []records.Invocation, idx []int, d *records.DAGRun) error {
	run := s.Runs
	byStep := map[string][]*records.Invocation{}
	first, last := math.Inf(1), math.Inf(-1)
	for _, i := range idx {
		in := &invs[i]
		byStep[in.Step] = append(byStep[in.Step], in)
		first, last = math.Min(first, in.Start), math.Max(last, in.End)
	}
	arrival, end := first, last
	if d != nil {
		arrival, end = d.Arrival, d.End
	}
	prevEnd := arrival
	for si, st := range w.Steps {
		switch {
		case st.Task != "":
			ins := byStep[st.Name]
			if len(ins) != 1 {
				return fmt.Errorf("step %q has %d invocations, want 1", st.Name, len(ins))
			}
			s.Stages[si].Gap = append(s.Stages[si].Gap, ins[0].Start-prevEnd)
			s.Step(st.Name).add(run, 0, 0, ins[0])
			prevEnd = ins[0].End
		case st.Pass:
			s.Stages[si].Gap = append(s.Stages[si].Gap, 0) // absorbed in the next step's gap
		case st.Map != nil:
			start, stop := math.Inf(1), math.Inf(-1)
			for _, it := range st.Map.Iterator {
				for _, in := range byStep[it.Name] {
					start, stop = math.Min(start, in.Start), math.Max(stop, in.End)
				}
			}
			if math.IsInf(start, 0) {
				return fmt.Errorf("map %q has no invocations", st.Name)
			}
			s.Stages[si].Gap = append(s.Stages[si].Gap, start-prevEnd)
			itemEnd := map[int]float64{} // end of each item's previous iterator step
			for _, it := range st.Map.Iterator {
				if it.Task == "" {
					continue
				}
				ins := slices.Clone(byStep[it.Name])
				sort.Slice(ins, func(a, b int) bool { return ins[a].Item < ins[b].Item })
				smp := s.Step(it.Name)
				for _, in := range ins {
					prev, ok := itemEnd[in.Item]
					if !ok {
						prev = start
					}
					smp.add(run, in.Item, in.Start-prev, in)
					itemEnd[in.Item] = in.End
				}
			}
			prevEnd = stop
		}
	}
	s.EndGap = append(s.EndGap, end-prevEnd)
	s.E2E = append(s.E2E, end-arrival)
	s.Runs++
	return nil
}
