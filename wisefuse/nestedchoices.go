// The choices for a nested stage (nested.go): VM sizes, and in a top-level Parallel's branches
// runs of tasks fused into one VM; nothing inside runs bundled. A nested Map takes one size for
// all its functions; a Parallel's branches are sized step by step (or fused run by fused run),
// and the branches matched to each other run by run.

package wisefuse

import (
	"fmt"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
)

// nestOpt is a partial sizing of a nested stage: mem per function of the stage (0: not yet
// chosen), with its latency per profiled run (vec), the same sorted (atoms) and its mean cost.
type nestOpt struct {
	vec, atoms []float64
	cost       float64
	mem        []int
	groups     []nestGroup // runs of tasks fused in a Parallel's branches
}

// maxNestOptions caps the sizings kept per unit and per branch while a Parallel's options are
// built: as maxOptions, spread evenly by cost.
const maxNestOptions = 16

// nestedSegments lists the ways to run nested stage i. A Map holding a Parallel or a Map: one
// VM size for every function inside it, at every grid size that fits (sizes past where its
// threads saturate the vCPUs skipped, as for Maps). A Parallel: each step of a branch is a unit
// (a task, or a nested Parallel or Map with one size for all its functions) sized on the grid,
// and so is each run of two or more consecutive tasks fused into one VM (groupOptions); a
// branch's sizings are its units' added run by run along a DP over its steps (Pareto-pruned on cost and the sorted
// per-run latencies, at most maxNestOptions kept); then, for each sizing of each branch, every
// other branch takes its cheapest sizing that is no slower at any atom (or its fastest), so that
// no branch pays for speed the slowest one wastes. The stage's candidates are then evaluated
// exactly (evalNested) and pruned with the other options. The search is thus exact over
// the candidates but the candidates are a heuristic, even with Exact.
func (pl *Planner) nestedSegments(i int, grid []int) []segment {
	m := pl.model
	st := &m.w.Steps[i]
	fns := m.sizes[0].stages[i].nested.fns
	if st.Map != nil {
		var segs []segment
		for _, mem := range pl.unitSizes(fns, grid) {
			cfg := &nestConfig{mem: make([]int, len(fns))}
			for t := range cfg.mem {
				cfg.mem[t] = mem
			}
			segs = append(segs, segment{start: i, end: i + 1, mem: mem, nest: cfg})
		}
		return segs
	}
	runs := m.sizes[0].runs
	for _, sd := range m.sizes {
		runs = min(runs, sd.runs)
	}
	tol := max(pl.opts.tolerance(), 0.01)
	// Runs of tasks inside a branch may fuse where the model follows them (not on Azure's
	// polling or replaying orchestrator, whose nested model does not fuse).
	fuse := !m.polling && !m.replaying && !pl.opts.NoFusion
	branches := make([][]nestOpt, len(st.Parallel))
	for b, br := range st.Parallel {
		// at[k] holds the sizings of the branch's steps [0, k): a DP over the branch, each step
		// alone or, from a task, a run of tasks fused into one VM.
		at := make([][]nestOpt, len(br)+1)
		at[0] = []nestOpt{{vec: make([]float64, runs), atoms: make([]float64, runs), mem: make([]int, len(fns))}}
		for k := range br {
			cur := pruneNest(at[k], tol)
			if br[k].Pass {
				at[k+1] = append(at[k+1], cur...)
				continue
			}
			var ufns []string
			dag.WalkTasks(br[k:k+1], func(fn string) { ufns = append(ufns, fn) })
			units := pl.unitOptions(i, b, k, ufns, fns, runs, grid)
			at[k+1] = append(at[k+1], joinNest(cur, pruneNest(units, tol))...)
			if !fuse || br[k].Task == "" {
				continue
			}
			for j := k + 2; j <= len(br) && br[j-1].Task != ""; j++ {
				units := pl.groupOptions(i, b, k, j, fns, runs, grid)
				at[j] = append(at[j], joinNest(cur, pruneNest(units, tol))...)
			}
		}
		branches[b] = pruneNest(at[len(br)], tol)
	}
	// Each branch's fastest sizing, the pick when none of its sizings is as fast as the anchor's.
	fastest := make([]int, len(branches))
	for b, opts := range branches {
		fastest[b] = fastestNest(opts, tol)
	}
	seen := map[string]bool{}
	var segs []segment
	for b := range branches {
		for _, o := range branches[b] {
			for _, cheapest := range []bool{false, true} {
				mem := slices.Clone(o.mem)
				groups := slices.Clone(o.groups)
				for b2, opts := range branches {
					if b2 == b {
						continue
					}
					pick := -1
					for j, p := range opts { // by cost
						if cheapest || noSlower(p.atoms, o.atoms) {
							pick = j
							break
						}
					}
					if pick < 0 {
						pick = fastest[b2]
					}
					for t, v := range opts[pick].mem {
						if v > 0 {
							mem[t] = v
						}
					}
					groups = append(groups, opts[pick].groups...)
				}
				slices.SortFunc(groups, func(x, y nestGroup) int {
					if x.b != y.b {
						return x.b - y.b
					}
					return x.k - y.k
				})
				for t := range mem {
					if mem[t] == 0 { // a function no unit sized (cannot happen: every task is in a unit)
						mem[t] = pl.top
					}
				}
				key := fmt.Sprint(mem, groups)
				if seen[key] {
					continue
				}
				seen[key] = true
				if len(groups) == 0 {
					groups = nil // evalNested's plain path
				}
				segs = append(segs, segment{start: i, end: i + 1, mem: slices.Max(mem), nest: &nestConfig{mem: mem, groups: groups}})
			}
		}
	}
	return segs
}

// unitSizes returns the grid sizes a unit running functions fns in VMs of one size may take:
// those that fit every function, up to the first at which its threads saturate the vCPUs.
func (pl *Planner) unitSizes(fns []string, grid []int) []int {
	m := pl.model
	need, threads := 0, 0.0
	for _, fn := range fns {
		need = max(need, m.w.Function(fn).MinMemoryMB)
		threads = max(threads, m.curves[fn].vcpus())
	}
	var out []int
	for _, mem := range grid {
		if mem < need {
			continue
		}
		out = append(out, mem)
		if m.opts.Platform.VCPU(mem) >= threads {
			break
		}
	}
	return out
}

// unitOptions evaluates step k of branch b of Parallel stage i (running ufns) at every size it
// may take, each from its nearest profiled size: its latency per run and mean cost.
func (pl *Planner) unitOptions(i, b, k int, ufns, fns []string, runs int, grid []int) []nestOpt {
	return pl.sizedOptions(i, ufns, fns, runs, grid, nil, func(e *nestEval, ns *nestedSamples, r int) (float64, float64) {
		branch := ns.nodes[ns.root[r]].kids[b]
		return e.node(ns.nodes[branch].kids[k])
	})
}

// groupOptions evaluates steps [k, j) of branch b of Parallel stage i, all tasks, fused into one
// VM at every size the run may take, each from its nearest profiled size: its latency per run
// and mean cost.
func (pl *Planner) groupOptions(i, b, k, j int, fns []string, runs int, grid []int) []nestOpt {
	var ufns []string
	dag.WalkTasks(pl.model.w.Steps[i].Parallel[b][k:j], func(fn string) { ufns = append(ufns, fn) })
	return pl.sizedOptions(i, ufns, fns, runs, grid, []nestGroup{{b: b, k: k, j: j}}, func(e *nestEval, ns *nestedSamples, r int) (float64, float64) {
		return e.fused(ns.nodes[ns.root[r]].kids[b], k, j)
	})
}

// sizedOptions evaluates a unit of Parallel stage i running ufns at every size it may take, each
// from its nearest profiled size: eval gives the unit's latency and cost in run r.
func (pl *Planner) sizedOptions(i int, ufns, fns []string, runs int, grid []int, groups []nestGroup, eval func(e *nestEval, ns *nestedSamples, r int) (float64, float64)) []nestOpt {
	m := pl.model
	var out []nestOpt
	for _, mem := range pl.unitSizes(ufns, grid) {
		ns := m.sizes[m.nearest(mem)].stages[i].nested
		all := make([]int, len(fns))
		for t := range all {
			all[t] = mem
		}
		e := m.newNestEval(ns, all)
		o := nestOpt{vec: make([]float64, runs), mem: make([]int, len(fns)), groups: groups}
		for r := range runs {
			l, c := eval(&e, ns, r)
			o.vec[r] = l
			o.cost += c
		}
		o.cost /= float64(runs)
		for _, fn := range ufns {
			o.mem[slices.Index(fns, fn)] = mem
		}
		o.atoms = sortedCopy(o.vec)
		out = append(out, o)
	}
	return out
}

// joinNest extends every partial sizing of a branch in cur by every option of its next unit
// in units, run by run.
func joinNest(cur, units []nestOpt) []nestOpt {
	var next []nestOpt
	for _, c := range cur {
		for _, u := range units {
			o := nestOpt{vec: make([]float64, len(c.vec)), cost: c.cost + u.cost, mem: slices.Clone(c.mem)}
			for r := range o.vec {
				o.vec[r] = c.vec[r] + u.vec[r]
			}
			for t, v := range u.mem {
				if v > 0 {
					o.mem[t] = v
				}
			}
			if len(c.groups)+len(u.groups) > 0 {
				o.groups = append(slices.Clone(c.groups), u.groups...)
			}
			o.atoms = sortedCopy(o.vec)
			next = append(next, o)
		}
	}
	return next
}

// pruneNest keeps the sizings no cheaper one beats within tol at every atom, at most
// maxNestOptions of them spread evenly by cost (the cheapest and the dearest kept).
func pruneNest(opts []nestOpt, tol float64) []nestOpt {
	slices.SortStableFunc(opts, func(a, b nestOpt) int {
		switch {
		case a.cost < b.cost:
			return -1
		case a.cost > b.cost:
			return 1
		}
		return 0
	})
	var kept []nestOpt
	for _, o := range opts {
		dominated := false
		for _, k := range kept {
			if Latency(k.atoms).Dominates(o.atoms, tol) {
				dominated = true
				break
			}
		}
		if !dominated {
			kept = append(kept, o)
		}
	}
	if len(kept) <= maxNestOptions {
		return kept
	}
	return spread(kept, maxNestOptions)
}

// noSlower reports whether a is no larger than b at every atom.
func noSlower(a, b []float64) bool {
	for j, v := range a {
		if v > b[j] {
			return false
		}
	}
	return true
}

// fastestNest returns the index of the cheapest sizing whose mean latency is within tol of the
// lowest: past the size where a function stops speeding up, larger VMs only cost more (a
// single-threaded function at 9 GB instead of 1.8 GB), so the plain fastest would pay for noise.
// opts are sorted by cost.
func fastestNest(opts []nestOpt, tol float64) int {
	means := make([]float64, len(opts))
	low := math.Inf(1)
	for j, o := range opts {
		for _, v := range o.vec {
			means[j] += v
		}
		low = min(low, means[j])
	}
	for j, mean := range means {
		if mean <= low*(1+tol) {
			return j
		}
	}
	return 0
}

func sortedCopy(xs []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}
