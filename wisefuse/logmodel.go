// LogModel: a physical modeler for real profiling logs, which give one time per stage and run at
// a few uniform memory sizes.

package wisefuse

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/orion"
	"github.com/wisefuse/wisefuse/platform"
)

// StageCurve is a log stage's fitted time at a VM size: Fixed seconds that no VM size changes
// (storage transfers, waiting on other services) plus a Curve (a serial part that stops scaling at
// one vCPU, a parallel part that scales to Threads vCPUs).
type StageCurve struct {
	Fixed float64 `json:"fixed_s"`
	Curve
}

// Time returns the stage's median time on c.
func (k StageCurve) Time(c platform.Cores) float64 { return k.Fixed + k.Curve.Time(c) }

// LogModel predicts a workflow's end-to-end latency at any memory size from real logs
// (orion.Log, one per profiled size). Each stage's median is fitted to a StageCurve; the spread
// around the median is the profiled one, interpolated quantile by quantile between the two
// profiled sizes that bracket the target (in log vCPUs), or the nearest profiled size's outside
// them. The orchestration overhead (E2E minus the stages) is a stage with only a Fixed part.
// Stages add as independent (addIndependent), as in Model.
type LogModel struct {
	Stages []string     // the logs' stage names, sorted
	Sizes  []int        // profiled sizes, ascending
	Curves []StageCurve // per stage; the last is the overhead
	// shapes[s][i] is stage s's sorted samples at Sizes[i] divided by their median.
	shapes [][][]float64
	plat   *platform.Platform
}

// logShapeAtoms is the number of equally likely atoms of a predicted stage: the logs hold about
// 300 runs a size.
const logShapeAtoms = 300

// NewLogModel fits a LogModel to logs (at least one size, all with the same stages, as
// orion.ReadDir checks). plat gives the vCPUs of a size and the prices; nil: the published
// default platform.
func NewLogModel(logs []*orion.Log, plat *platform.Platform) (*LogModel, error) {
	if len(logs) == 0 {
		return nil, fmt.Errorf("wisefuse: no logs")
	}
	if plat == nil {
		plat = platform.Default().Published()
	}
	logs = slices.Clone(logs)
	slices.SortFunc(logs, func(a, b *orion.Log) int { return a.MemoryMB - b.MemoryMB })
	m := &LogModel{Stages: slices.Clone(logs[0].Stages), plat: plat}
	var cs []platform.Cores
	for _, l := range logs {
		if !slices.Equal(l.Stages, m.Stages) {
			return nil, fmt.Errorf("wisefuse: %s: stages %v, the other logs have %v", l.Path, l.Stages, m.Stages)
		}
		m.Sizes = append(m.Sizes, l.MemoryMB)
		cs = append(cs, plat.Cores(l.MemoryMB))
	}
	maxThreads := math.Ceil(plat.VCPU(math.MaxInt32))
	for s := 0; s <= len(m.Stages); s++ {
		var meds []float64
		var shapes [][]float64
		for _, l := range logs {
			xs := stageSamples(l, m.Stages, s) // a copy: selection may reorder it
			med := medianInPlace(xs)
			if !(med > 0) {
				med = 1e-9 // a stage that took no time: keep it at (almost) none
			}
			meds = append(meds, med)
			shape := make([]float64, len(xs))
			for i, x := range xs {
				shape[i] = x / med
			}
			sort.Float64s(shape)
			shapes = append(shapes, shape)
		}
		m.Curves = append(m.Curves, fitStageCurve(cs, meds, maxThreads, s == len(m.Stages)))
		m.shapes = append(m.shapes, shapes)
	}
	return m, nil
}

// stageSamples returns stage s's time per run of l; s == len(stages) is the overhead, E2E minus
// the stages (at least 0: a run whose stages overlap a little reads as no overhead).
func stageSamples(l *orion.Log, stages []string, s int) []float64 {
	if s < len(stages) {
		return slices.Clone(l.Seconds[stages[s]])
	}
	e2e := l.Seconds[orion.E2E]
	out := make([]float64, len(e2e))
	for run := range e2e {
		sum := 0.0
		for _, n := range stages {
			sum += l.Seconds[n][run]
		}
		out[run] = math.Max(0, e2e[run]-sum)
	}
	return out
}

// fitStageCurve fits a StageCurve to (cores, median seconds) points by least squares on relative
// error, all parts >= 0, Threads in 1..maxThreads. fixedOnly fits a memory-independent time alone.
//
// With two sizes most pairs of parts fit exactly; the tie goes, in order, to a curve without
// Fixed (a Lambda stage's time is mostly compute, and Fixed and Serial differ only below one
// vCPU), to the largest Threads (as fitCurve), and to the fewest parts. A stage that speeds up
// more than its vCPUs grow (ml's ParamTune, 23x for 10x the vCPUs) may lose efficiency on fewer
// visible cores than threads (Curve.Oversub) on fitCurve's terms (fitOversub): the parallel part
// alone, Fixed or Serial beside it only if they pay for themselves.
func fitStageCurve(cs []platform.Cores, ys []float64, maxThreads float64, fixedOnly bool) StageCurve {
	if fixedOnly || len(cs) == 1 {
		if fixedOnly {
			return StageCurve{Fixed: relMean(ys), Curve: Curve{Threads: 1}}
		}
		// One size: no scaling information; as fitCurve, fully parallel up to the cap.
		return StageCurve{Curve: fitCurve(cs, ys, maxThreads)}
	}
	// bestOf returns the best fit over the masks of parts (solveStage), the first on a tie.
	bestOf := func(k, g float64, masks ...int) (StageCurve, float64) {
		best, bestErr := StageCurve{}, math.Inf(1)
		for _, mask := range masks {
			c, ok := solveStage(cs, ys, k, g, mask)
			if !ok {
				continue
			}
			if e := sqErr(c, cs, ys); e < bestErr*(1-1e-9)-1e-12 {
				best, bestErr = c, e
			}
		}
		return best, bestErr
	}
	best, bestErr := StageCurve{}, math.Inf(1)
	for k := maxThreads; k >= 1; k-- {
		// Masks over (fixed, serial, parallel), in the order of preference for ties.
		if c, e := bestOf(k, 0, 3, 1, 2, 7, 5, 6, 4); e < bestErr*(1-1e-9)-1e-12 {
			best, bestErr = c, e
		}
	}
	lean := func(k, g float64) (StageCurve, float64) { return bestOf(k, g, 1) }
	over := func(k, g float64) (StageCurve, float64) { return bestOf(k, g, 3, 7, 5) }
	if c, ok := fitOversub(bestErr, len(cs), lean, over); ok {
		best = c
	}
	return best
}

// relMean is the value v minimising sum ((v - y)/y)^2.
func relMean(ys []float64) float64 {
	var a, b float64
	for _, y := range ys {
		a += 1 / y
		b += 1 / (y * y)
	}
	return a / b
}

// solveStage solves the weighted least squares for the parts in mask (bit 4 fixed, 2 serial,
// 1 parallel) with Threads k and oversubscription g; ok is false when the system is singular or a
// part comes out negative.
func solveStage(cs []platform.Cores, ys []float64, k, g float64, mask int) (StageCurve, bool) {
	unit := []StageCurve{
		{Fixed: 1, Curve: Curve{Threads: k}},
		{Curve: Curve{Serial: 1, Threads: k}},
		{Curve: Curve{Parallel: 1, Threads: k, Oversub: g}},
	}
	var idx []int
	for b, bit := range []int{4, 2, 1} {
		if mask&bit != 0 {
			idx = append(idx, b)
		}
	}
	n := len(idx)
	// Normal equations A x = r on rows divided by y.
	A := make([][]float64, n)
	r := make([]float64, n)
	for i := range A {
		A[i] = make([]float64, n)
	}
	for j, c := range cs {
		row := make([]float64, n)
		for i, b := range idx {
			row[i] = unit[b].Time(c) / ys[j]
		}
		for i := range n {
			r[i] += row[i]
			for l := range n {
				A[i][l] += row[i] * row[l]
			}
		}
	}
	x, ok := solveSmall(A, r)
	if !ok {
		return StageCurve{}, false
	}
	c := StageCurve{Curve: Curve{Threads: k, Oversub: g}}
	for i, b := range idx {
		if x[i] < 0 {
			return StageCurve{}, false
		}
		switch b {
		case 0:
			c.Fixed = x[i]
		case 1:
			c.Serial = x[i]
		case 2:
			c.Parallel = x[i]
		}
	}
	if c.Parallel == 0 {
		c.Oversub = 0
	}
	return c, true
}

// solveSmall solves A x = r by Gaussian elimination with partial pivoting; ok is false for a
// singular (or nearly singular) A.
func solveSmall(A [][]float64, r []float64) ([]float64, bool) {
	n := len(r)
	a := make([][]float64, n)
	scale := 0.0
	for i := range A {
		a[i] = append(slices.Clone(A[i]), r[i])
		scale = math.Max(scale, math.Abs(A[i][i]))
	}
	for col := range n {
		p := col
		for i := col + 1; i < n; i++ {
			if math.Abs(a[i][col]) > math.Abs(a[p][col]) {
				p = i
			}
		}
		if math.Abs(a[p][col]) <= 1e-10*scale {
			return nil, false
		}
		a[col], a[p] = a[p], a[col]
		for i := col + 1; i < n; i++ {
			f := a[i][col] / a[col][col]
			for j := col; j <= n; j++ {
				a[i][j] -= f * a[col][j]
			}
		}
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := a[i][n]
		for j := i + 1; j < n; j++ {
			s -= a[i][j] * x[j]
		}
		x[i] = s / a[i][i]
	}
	return x, true
}

// LogPrediction is a LogModel's answer for one assignment of memory sizes to stages.
type LogPrediction struct {
	Latency Latency // end-to-end, equally likely atoms
	// StageMean is each stage's predicted mean billed time (s), in LogModel.Stages order: a run
	// past the function timeout counts to the timeout (its latency atom is +Inf).
	StageMean []float64
	// Extrapolated lists, for each stage at a size outside the profiled range, why the prediction
	// there is an extrapolation; empty when every stage is interpolated.
	Extrapolated []string
}

// Predict returns the end-to-end latency with stage s at memOf(stage name) MB.
func (m *LogModel) Predict(memOf func(stage string) int) LogPrediction {
	var pr LogPrediction
	out := Latency(nil)
	outside := map[int]bool{}
	for s := 0; s <= len(m.Stages); s++ {
		mb := m.Sizes[0]
		if s < len(m.Stages) {
			mb = memOf(m.Stages[s])
		}
		atoms := m.stageAtoms(s, mb)
		if s < len(m.Stages) {
			pr.StageMean = append(pr.StageMean, m.billedMean(atoms))
			if mb < m.Sizes[0] || mb > m.Sizes[len(m.Sizes)-1] {
				outside[mb] = true
			}
		}
		if out == nil {
			out = atoms
		} else {
			out = addIndependent(nil, out, atoms)
		}
	}
	for _, mb := range sortedKeys(outside) {
		pr.Extrapolated = append(pr.Extrapolated, fmt.Sprintf("%d MB is outside the profiled sizes %d-%d MB: the fitted curves extrapolate and the spread is the %d MB one",
			mb, m.Sizes[0], m.Sizes[len(m.Sizes)-1], m.nearestEnd(mb)))
	}
	pr.Latency = out
	return pr
}

func sortedKeys(s map[int]bool) []int {
	var ks []int
	for k := range s {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (m *LogModel) nearestEnd(mb int) int {
	if mb < m.Sizes[0] {
		return m.Sizes[0]
	}
	return m.Sizes[len(m.Sizes)-1]
}

// stageAtoms returns stage s's time at mb as logShapeAtoms sorted atoms: the curve's median at mb
// times the normalised shape, interpolated between the bracketing profiled sizes in log vCPUs.
func (m *LogModel) stageAtoms(s, mb int) Latency {
	med := m.Curves[s].Time(m.plat.Cores(mb))
	lo, hi, w := m.bracket(mb)
	a, b := m.shapes[s][lo], m.shapes[s][hi]
	out := make(Latency, logShapeAtoms)
	t := m.plat.FunctionTimeout
	for i := range out {
		u := (float64(i) + 0.5) / logShapeAtoms
		out[i] = med * ((1-w)*quantileOf(a, u) + w*quantileOf(b, u))
		if s < len(m.Stages) && t > 0 && out[i] > t {
			// A stage's time is its slowest invocation's: past the function timeout, the run
			// fails there (Model.acquisition); billedMean bills it to the timeout.
			out[i] = math.Inf(1)
		}
	}
	return out
}

// billedMean is the mean time a stage of atoms is billed: an atom past the function timeout
// (+Inf, stageAtoms) is billed to the timeout.
func (m *LogModel) billedMean(atoms Latency) float64 {
	if m.plat.FunctionTimeout <= 0 {
		return atoms.Mean()
	}
	sum := 0.0
	for _, v := range atoms {
		sum += min(v, m.plat.FunctionTimeout)
	}
	return sum / float64(len(atoms))
}

// bracket returns the indices of the profiled sizes around mb and the weight of the upper one
// (in log vCPUs); outside the profiled range, both are the nearest end.
func (m *LogModel) bracket(mb int) (lo, hi int, w float64) {
	n := len(m.Sizes)
	if mb <= m.Sizes[0] {
		return 0, 0, 0
	}
	if mb >= m.Sizes[n-1] {
		return n - 1, n - 1, 0
	}
	hi = sort.SearchInts(m.Sizes, mb)
	if m.Sizes[hi] == mb {
		return hi, hi, 0
	}
	lo = hi - 1
	x := math.Log(m.plat.VCPU(mb))
	x0, x1 := math.Log(m.plat.VCPU(m.Sizes[lo])), math.Log(m.plat.VCPU(m.Sizes[hi]))
	if x1 <= x0 {
		return lo, hi, 0 // both above the vCPU cap: the same CPU
	}
	return lo, hi, (x - x0) / (x1 - x0)
}

// quantileOf is the u-quantile of sorted xs, linear between order statistics.
func quantileOf(xs []float64, u float64) float64 {
	p := u*float64(len(xs)) - 0.5
	if p <= 0 {
		return xs[0]
	}
	i := int(p)
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	f := p - float64(i)
	return xs[i]*(1-f) + xs[i+1]*f
}

// LogStageItems returns, for each of the logs' stages, how many invocations a run of w makes of
// it: a function in a Map of N items runs N times (N the Map's mean items; nested Maps multiply).
// It is an error, naming them, when w's functions are not the logs' stages.
func LogStageItems(w *dag.Workflow, stages []string) ([]float64, error) {
	count := map[string]float64{}
	var walk func(steps []dag.Step, mult float64)
	walk = func(steps []dag.Step, mult float64) {
		for i := range steps {
			st := &steps[i]
			if st.Task != "" {
				count[st.Task] += mult
			}
			for _, br := range st.Parallel {
				walk(br, mult)
			}
			if st.Map != nil {
				n, _ := st.Map.FixedItems()
				walk(st.Map.Iterator, mult*float64(n))
			}
		}
	}
	walk(w.Steps, 1)
	var missing, extra []string
	for _, s := range stages {
		if _, ok := count[s]; !ok {
			missing = append(missing, s)
		}
	}
	for f := range count {
		if !slices.Contains(stages, f) {
			extra = append(extra, f)
		}
	}
	slices.Sort(extra)
	if len(missing) > 0 || len(extra) > 0 {
		var why []string
		if len(missing) > 0 {
			why = append(why, fmt.Sprintf("the logs' stages %s are not functions of its steps", strings.Join(missing, ", ")))
		}
		if len(extra) > 0 {
			why = append(why, fmt.Sprintf("its functions %s are not stages of the logs", strings.Join(extra, ", ")))
		}
		return nil, fmt.Errorf("wisefuse: workflow %q does not match the logs (stages %s): %s", w.Name, strings.Join(stages, ", "), strings.Join(why, "; "))
	}
	out := make([]float64, len(stages))
	for i, s := range stages {
		out[i] = count[s]
	}
	return out, nil
}

// Cost returns the mean USD cost of a run with stage s at memOf(stage) MB making items[s]
// invocations (LogStageItems). The logs give a stage's time as the maximum over its invocations,
// so each invocation is billed the stage's mean time: an upper bound for a Map stage, whose items
// finish at different times. Logs do not say what memory a function uses: it is billed at its size.
func (m *LogModel) Cost(pr LogPrediction, memOf func(stage string) int, items []float64) float64 {
	c := 0.0
	for s, n := range m.Stages {
		c += items[s] * vmCost(m.plat, memOf(n), memOf(n), pr.StageMean[s])
	}
	return c
}
