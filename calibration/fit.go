package calibration

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/platform"

	"github.com/wisefuse/wisefuse/dag"
)

// This file is the calibration procedure: it turns measured stage quantiles at several memory
// sizes into a function's performance model (dag.Function's serial work S, parallel work P,
// threads k and run-factor spread), with few parameters per function. The fitted numbers are
// carried as constants in video.go, ml.go and chatbot.go; `wisefuse calibrate` reruns this fit
// on the shared data and prints the table, so anyone can check the constants against it.

// CoresAt returns the platform.Cores of an AWS Lambda function of mb MB on the simulator's default platform.
func CoresAt(mb int) platform.Cores { return platform.Default().Cores(mb) }

// ComputeTime is the CPU model the simulator uses: S/min(c,1) + P/min(c,k) seconds on a share of c
// vCPUs, the parallel part slowed by platform.SpinEfficiency when its k threads spin-wait
// (oversub g > 0) on fewer visible cores than threads (dag.Function.Oversubscription).
func ComputeTime(serial, parallel float64, threads int, oversub float64, c platform.Cores) float64 {
	k := float64(threads)
	a := math.Min(c.Share, k)
	return serial/math.Min(c.Share, 1) + parallel/(a*platform.SpinEfficiency(a*c.Visible/c.Share, k, oversub))
}

// CPUFit is a fitted CPU model of one function: Fixed + S/min(c,1) + P/min(c,k) seconds.
// Fixed is the memory-independent part (storage transfers); it is fitted only for functions
// whose transfers the code cannot size (many small sequential requests), else it is 0 here.
type CPUFit struct {
	Fixed            float64 // seconds
	Serial, Parallel float64 // core-seconds
	Threads          int
	Oversub          float64 // oversubscription exponent g (0 unless fitted)
	// Targets and Fitted are the times (s) the fit aimed at and reached, per size.
	Targets, Fitted []float64
}

// MaxRelErr is the largest |fitted/target - 1| over the sizes.
func (f CPUFit) MaxRelErr() float64 {
	e := 0.0
	for i := range f.Targets {
		e = math.Max(e, math.Abs(f.Fitted[i]/f.Targets[i]-1))
	}
	return e
}

// threadChoices are the thread counts the fit tries when the code does not fix them.
var threadChoices = []int{1, 2, 3, 4, 6, 8, 10, 12, 16}

// FitCPU fits non-negative (Fixed when withFixed, S, P) and k from threads (threadChoices when
// nil) so that Fixed + ComputeTime matches targets[i] on cores[i] with the least sum of squared
// relative errors. For a fixed k the model is linear in its coefficients, so each k is a small
// non-negative least-squares problem, solved exactly by trying every set of free coefficients.
func FitCPU(cores []platform.Cores, targets []float64, threads []int, withFixed bool) (CPUFit, error) {
	return FitCPUOversub(cores, targets, threads, withFixed, false)
}

// oversubGrid is the resolution of the oversubscription exponent's fit: g in [0, 2] by 0.005.
const oversubGrid = 0.005

// FitCPUOversub is FitCPU, and with oversub set it fits the oversubscription exponent g of
// ComputeTime by a grid over [0, 2] in place of the serial work S (held at 0): for a fixed g the
// model stays linear in P, and with three sizes two free parameters keep the fit a test of the
// mechanism rather than an interpolation.
func FitCPUOversub(cores []platform.Cores, targets []float64, threads []int, withFixed, oversub bool) (CPUFit, error) {
	if !oversub {
		return fitCPU(cores, targets, threads, withFixed, true, 0)
	}
	var best CPUFit
	bestErr := math.Inf(1)
	for i := 0; float64(i)*oversubGrid <= 2+1e-9; i++ {
		f, err := fitCPU(cores, targets, threads, withFixed, false, float64(i)*oversubGrid)
		if err != nil {
			return f, err
		}
		e := 0.0
		for j := range f.Fitted {
			d := f.Fitted[j]/f.Targets[j] - 1
			e += d * d
		}
		if e < bestErr-1e-12 {
			best, bestErr = f, e
		}
	}
	return best, nil
}

func fitCPU(cores []platform.Cores, targets []float64, threads []int, withFixed, withSerial bool, g float64) (CPUFit, error) {
	if len(cores) != len(targets) || len(cores) < 2 {
		return CPUFit{}, fmt.Errorf("fit: need at least 2 sizes with one target each, got %d and %d", len(cores), len(targets))
	}
	for i, t := range targets {
		if !(t > 0) {
			return CPUFit{}, fmt.Errorf("fit: target time at %.3g vCPU is %v s, want > 0 (transfer time exceeds the measured stage?)", cores[i].Share, t)
		}
	}
	if threads == nil {
		threads = threadChoices
	}
	best := CPUFit{}
	bestErr := math.Inf(1)
	for _, k := range threads {
		// Columns: 1 (fixed), 1/min(c,1) (serial), 1/min(c,k) (parallel); rows divided by the
		// target so that the residuals are relative errors.
		cols := [3][]float64{}
		for i, c := range cores {
			cols[0] = append(cols[0], 1/targets[i])
			cols[1] = append(cols[1], ComputeTime(1, 0, k, g, c)/targets[i])
			cols[2] = append(cols[2], ComputeTime(0, 1, k, g, c)/targets[i])
		}
		for mask := 1; mask < 8; mask++ {
			if (mask&1 != 0 && !withFixed) || (mask&2 != 0 && !withSerial) {
				continue
			}
			coef, ok := solveLS(cols, mask)
			if !ok {
				continue
			}
			e := 0.0
			for i := range cores {
				d := coef[0]*cols[0][i] + coef[1]*cols[1][i] + coef[2]*cols[2][i] - 1
				e += d * d
			}
			if e < bestErr-1e-12 {
				bestErr = e
				best = CPUFit{Fixed: coef[0], Serial: coef[1], Parallel: coef[2], Threads: k, Oversub: g}
			}
		}
	}
	best.Targets = slices.Clone(targets)
	for _, c := range cores {
		best.Fitted = append(best.Fitted, best.Fixed+ComputeTime(best.Serial, best.Parallel, best.Threads, best.Oversub, c))
	}
	return best, nil
}

// solveLS solves min ||sum_j coef_j col_j - 1||^2 over the columns in mask (the others are 0)
// by the normal equations; ok is false when the system is singular or a coefficient is < 0.
func solveLS(cols [3][]float64, mask int) (coef [3]float64, ok bool) {
	var idx []int
	for j := range 3 {
		if mask&(1<<j) != 0 {
			idx = append(idx, j)
		}
	}
	n := len(idx)
	a := make([][]float64, n)
	for r := range n {
		a[r] = make([]float64, n+1)
		for c := range n {
			for i := range cols[0] {
				a[r][c] += cols[idx[r]][i] * cols[idx[c]][i]
			}
		}
		for i := range cols[0] {
			a[r][n] += cols[idx[r]][i]
		}
	}
	// Gaussian elimination with partial pivoting.
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return coef, false
		}
		a[c], a[p] = a[p], a[c]
		for r := range n {
			if r != c {
				f := a[r][c] / a[c][c]
				for cc := c; cc <= n; cc++ {
					a[r][cc] -= f * a[c][cc]
				}
			}
		}
	}
	for r, j := range idx {
		coef[j] = a[r][n] / a[r][r]
		if coef[j] < 0 {
			return coef, false
		}
	}
	return coef, true
}

// VariabilityModel is how a stage's value varies: each of its Items invocations scales its
// compute by an item-skew factor drawn uniformly from [1-SkewWidth, 1] (content-dependent work,
// bounded by the heaviest item) times a run factor exp(N(0, RunSigma^2)) shared by the run's
// invocations of the function (correlation between parallel siblings). The stage value is the
// maximum over items, as in the profiles.
type VariabilityModel struct {
	Items     int
	SkewWidth float64
	RunSigma  float64
	// Skews, when set, are the items' fixed skew factors (skew by item index): the stage's
	// compute factor is then max(Skews) times the run factor in every run.
	Skews []float64
}

// IndexedSkews are the fixed item-skew factors the simulator gives spec's items when its skew is
// by index: uniform on [1-SkewWidth, 1] at dag.ItemUniform(stage, i), as dag.Function.IndexedSkew.
func IndexedSkews(spec FunctionSpec) []float64 {
	f := dag.Function{Name: spec.Stage, ItemSkew: apps.ItemSkew(spec.SkewWidth)}
	out := make([]float64, max(spec.Items, 1))
	for i := range out {
		out[i] = f.IndexedSkew(i)
	}
	return out
}

// mcRuns is the number of Monte Carlo runs behind StageFactors: enough for the P95 to be stable
// to about 0.5%, and deterministic because the seed is fixed.
const mcRuns = 20000

// StageFactors returns the P50 and P95 of max_i(skew_i) * run under v, i.e. by how much the
// stage's compute exceeds the heaviest item's nominal compute at the median and the tail.
func (v VariabilityModel) StageFactors() (p50, p95 float64) {
	r := rand.New(rand.NewPCG(20220601, uint64(v.Items)))
	x := make([]float64, mcRuns)
	for i := range x {
		m := 0.0
		if v.Skews != nil {
			m = slices.Max(v.Skews)
		} else {
			for range max(v.Items, 1) {
				m = math.Max(m, 1-v.SkewWidth*r.Float64())
			}
		}
		x[i] = m * math.Exp(v.RunSigma*r.NormFloat64())
	}
	slices.Sort(x)
	return stats.Percentile(x, 50), stats.Percentile(x, 95)
}

// FitRunSigma finds the run-factor spread that makes the model's P95/P50 ratio of the stage's
// compute equal ratio (the measured one, after removing the fixed transfer time). It bisects on
// sigma in [0, 2]; a ratio below what the item skew alone gives returns 0.
func FitRunSigma(v VariabilityModel, ratio float64) float64 {
	lo, hi := 0.0, 2.0
	v.RunSigma = 0
	if p50, p95 := v.StageFactors(); p95/p50 >= ratio {
		return 0
	}
	for range 40 {
		mid := (lo + hi) / 2
		v.RunSigma = mid
		p50, p95 := v.StageFactors()
		if p95/p50 < ratio {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
