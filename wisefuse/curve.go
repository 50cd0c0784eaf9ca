// Curve: a function's fitted CPU scaling (serial, parallel, threads, oversubscription), the
// non-negative least-squares fit, and the cores a VM size computes on.

package wisefuse

import (
	"math"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// Curve is a function's fitted CPU scaling: its compute time on a share of c vCPUs is
// Serial/min(c, 1) + Parallel/min(c, Threads) seconds for a typical invocation.
//
// Why this form: it is the public AWS Lambda CPU model (a vCPU share proportional to memory) applied
// to a program with a single-threaded part and a part that uses up to Threads threads, and it fits
// the real measurements (video Classify: 52.5 s at 1,000 MB, 17.5 s at 5,000 MB, 14.3 s at
// 10,240 MB). The modeler fits it to the median compute time at each profiled size; it then
// scales every profiled sample from the nearest profiled size to any other size, and splits a
// sample's work into serial and parallel parts for the processor-sharing model of bundles.
type Curve struct {
	Serial   float64 `json:"serial_s"`   // core-seconds of single-threaded work
	Parallel float64 `json:"parallel_s"` // core-seconds that spread over up to Threads vCPUs
	Threads  float64 `json:"threads"`
	// Oversub is the exponent g of the efficiency (n/Threads)^g of the parallel part on n < Threads
	// visible cores: spin-waiting threads (OpenMP, LightGBM) lose time on fewer cores than threads.
	// 0: none.
	Oversub float64 `json:"oversub,omitempty"`
}

// Time returns the curve's compute time on c.
func (k Curve) Time(c platform.Cores) float64 {
	if c.Share <= 0 {
		return math.Inf(1)
	}
	a := math.Min(c.Share, k.Threads)
	return k.Serial/math.Min(c.Share, 1) + k.Parallel/k.parallelRate(a, a*c.Visible/c.Share)
}

// vcpus is how many vCPUs the curve's work can use at once: Threads with a parallel part, one for
// serial work alone (a fit of serial work alone ties at every Threads and keeps the largest), none
// without work. On more, Time is the same: the planner skips the VM sizes past the first that
// gives this many, where only the price and the profiled size whose runs stand for the size change.
func (k Curve) vcpus() float64 {
	switch {
	case k.Parallel > 0:
		return k.Threads
	case k.Serial > 0:
		return 1
	}
	return 0
}

// parallelRate is the progress rate of the parallel part given a <= Threads vCPUs of share that run
// on n visible cores.
func (k Curve) parallelRate(a, n float64) float64 {
	return a * platform.SpinEfficiency(n, k.Threads, k.Oversub)
}

// Oversubscription fits: thread counts up to maxOversubThreads, exponents on a 0.02 grid up to 1
// (where the real measurements lie: ml's ParamTune on Flex, 0.78) and a 0.1 grid beyond, up to
// the workflow format's dag.MaxOversubscription (a random unseen workflow's 64-thread function
// had 1.99, which a grid up to 1 fitted with 1 and predicted 592 s where it ran 1,300 s),
// tried only when the best fit without them misses the medians by more than oversubMinMiss (RMS
// relative error; medians of a few hundred runs are good to about 1%, so smaller misses are
// noise) and accepted only when they cut the squared error to oversubGain of it.
const (
	maxOversubThreads = 16
	oversubGain       = 0.25
	oversubMinMiss    = 0.02
)

// fitCurve fits a Curve to (vCPU, median compute seconds) points by least squares on relative
// error, with Serial, Parallel >= 0 and Threads in 1..maxThreads (integers: a program runs whole
// threads; beyond the platform's vCPU cap more threads change nothing). With fewer distinct points
// than parameters several fits are exact; the tie goes to the largest Threads, i.e. the
// assumption that work which sped up keeps speeding up with vCPUs, which is what the real logs
// show between 1,000 and 10,240 MB.
func fitCurve(cs []platform.Cores, ys []float64, maxThreads float64) Curve {
	best, bestErr := Curve{Threads: 1}, math.Inf(1)
	if len(cs) == 0 {
		return best
	}
	if len(cs) == 1 || allEqual(cs) {
		// One size: no scaling information. Assume fully parallel work up to the cap, the same
		// tie-break as below.
		return Curve{Parallel: ys[0] * math.Min(cs[0].Share, maxThreads), Threads: maxThreads}
	}
	f := newFitPoints(cs)
	for k := 1.0; k <= maxThreads+1e-9; k++ {
		f.set(k, 0)
		s, p := nnls2(f, ys)
		if e := f.sqErr(ys, s, p); e <= bestErr*(1+1e-9)+1e-12 {
			best, bestErr = Curve{Serial: s, Parallel: p, Threads: k}, e
		}
	}
	// Threads oversubscribed on fewer visible cores show as a parallel part that speeds up more
	// than the vCPUs grow, which no curve above gives: two sizes can show it (ml's ParamTune on
	// Flex's 2,048 and 4,096 MB, the only sizes that hold it, sped up 3.5-fold for twice the
	// vCPUs). fitOversub says when the exponent, and a serial part beside it, pay for themselves.
	lean := func(k, g float64) (Curve, float64) {
		f.set(k, g)
		p := parallelOnly(f, ys)
		return Curve{Parallel: p, Threads: k, Oversub: g}, f.sqErr(ys, 0, p)
	}
	over := func(k, g float64) (Curve, float64) {
		f.set(k, g)
		s, p := nnls2(f, ys)
		return Curve{Serial: s, Parallel: p, Threads: k, Oversub: g}, f.sqErr(ys, s, p)
	}
	if c, ok := fitOversub(bestErr, len(cs), lean, over); ok {
		best = c
	}
	return best
}

// fitOversub is the oversubscription rule of the CPU fits (fitCurve for compute, fitStageCurve
// for a log stage), given the squared relative error plainErr of the best fit without it over n
// points. The exponent must pay for itself, and so must any part beside the parallel one: when
// the plain fit misses by more than oversubMinMiss (RMS), threads k in 2..maxOversubThreads and
// exponents g on oversubExponents' grid are fitted with the parallel part alone (lean) and with the
// other parts beside it (over); over is kept only where lean misses beyond the noise and over cuts
// its squared error to oversubGain of lean's, and the result only when it cuts plainErr to
// oversubGain of it (ok). Each candidate is a curve and its squared error; ties go to the largest
// k and g (with n < k visible cores at every size, k only scales the parallel part).
func fitOversub[C any](plainErr float64, n int, lean, over func(k, g float64) (C, float64)) (best C, ok bool) {
	if rmsMiss(plainErr, n) <= oversubMinMiss {
		return best, false
	}
	var overC, leanC C
	overErr, leanErr := math.Inf(1), math.Inf(1)
	for k := 2.0; k <= maxOversubThreads; k++ {
		for _, g := range oversubExponents {
			if c, e := over(k, g); e <= overErr*(1+1e-9)+1e-12 {
				overC, overErr = c, e
			}
			if c, e := lean(k, g); e <= leanErr*(1+1e-9)+1e-12 {
				leanC, leanErr = c, e
			}
		}
	}
	if rmsMiss(leanErr, n) <= oversubMinMiss || overErr >= oversubGain*leanErr {
		overC, overErr = leanC, leanErr
	}
	if overErr < oversubGain*plainErr {
		return overC, true
	}
	return best, false
}

// oversubExponents is the grid of exponents fitOversub tries, in increasing order (see
// maxOversubThreads).
var oversubExponents = func() []float64 {
	var gs []float64
	for gi := 1; gi <= 50; gi++ {
		gs = append(gs, float64(gi)*0.02)
	}
	for gi := 11; gi <= 10*dag.MaxOversubscription; gi++ {
		gs = append(gs, float64(gi)*0.1)
	}
	return gs
}()

// rmsMiss is the root mean square relative miss of a fit of n points with squared error sumSq.
func rmsMiss(sumSq float64, n int) float64 { return math.Sqrt(sumSq / float64(n)) }

// sqErr is c's sum of squared relative errors on the points (c a Curve or a StageCurve).
func sqErr[C interface{ Time(platform.Cores) float64 }](c C, cs []platform.Cores, ys []float64) float64 {
	e := 0.0
	for i := range cs {
		r := (c.Time(cs[i]) - ys[i]) / ys[i]
		e += r * r
	}
	return e
}

// fitPoints holds what Curve.Time reads at each of a fit's points for one thread count and
// exponent (set): the serial part's rate min(share, 1) and the parallel part's rate. A fit tries
// thousands of them per function (fitOversub), each point's rate a power; kept, they are computed
// once for nnls2, parallelOnly and the errors, with Time's own operations.
type fitPoints struct {
	cs        []platform.Cores
	k, g      float64
	ser, rate []float64
}

func newFitPoints(cs []platform.Cores) *fitPoints {
	f := &fitPoints{cs: cs, k: -1, ser: make([]float64, len(cs)), rate: make([]float64, len(cs))}
	for i, c := range cs {
		f.ser[i] = math.Min(c.Share, 1)
	}
	return f
}

// set makes the points' rates those of k threads and exponent g.
func (f *fitPoints) set(k, g float64) {
	if k == f.k && g == f.g {
		return
	}
	f.k, f.g = k, g
	u := Curve{Threads: k, Oversub: g}
	for i, c := range f.cs {
		a := math.Min(c.Share, k)
		f.rate[i] = u.parallelRate(a, a*c.Visible/c.Share)
	}
}

// time is Curve{Serial: s, Parallel: p, Threads: k, Oversub: g}.Time at point i.
func (f *fitPoints) time(i int, s, p float64) float64 {
	if f.cs[i].Share <= 0 {
		return math.Inf(1)
	}
	return s/f.ser[i] + p/f.rate[i]
}

// sqErr is sqErr of that curve on the points.
func (f *fitPoints) sqErr(ys []float64, s, p float64) float64 {
	e := 0.0
	for i := range f.cs {
		r := (f.time(i, s, p) - ys[i]) / ys[i]
		e += r * r
	}
	return e
}

// parallelOnly is nnls2 with the serial part held at 0: the parallel work that minimises
// sum ((P b_i - y_i)/y_i)^2.
func parallelOnly(f *fitPoints, ys []float64) float64 {
	var bb, by float64
	for i := range f.cs {
		w := 1 / (ys[i] * ys[i])
		b := f.time(i, 0, 1)
		bb += w * b * b
		by += w * b * ys[i]
	}
	return max(by/bb, 0)
}

// nnls2 solves min sum ((S a_i + P b_i - y_i)/y_i)^2 over S, P >= 0, where a_i and b_i are the
// times of one core-second of serial and of parallel work (f's threads and exponent) at point i.
func nnls2(f *fitPoints, ys []float64) (s, p float64) {
	var aa, ab, bb, ay, by float64
	for i := range f.cs {
		w := 1 / (ys[i] * ys[i])
		a, b := f.time(i, 1, 0), f.time(i, 0, 1)
		aa += w * a * a
		ab += w * a * b
		bb += w * b * b
		ay += w * a * ys[i]
		by += w * b * ys[i]
	}
	det := aa*bb - ab*ab
	if det > 1e-12*aa*bb {
		s = (ay*bb - by*ab) / det
		p = (by*aa - ay*ab) / det
		if s >= 0 && p >= 0 {
			return s, p
		}
	}
	// One of them at zero: the better of the two one-parameter fits.
	sOnly, pOnly := math.Max(ay/aa, 0), math.Max(by/bb, 0)
	errOf := func(s, p float64) float64 {
		e := 0.0
		for i := range f.cs {
			r := (s*f.time(i, 1, 0) + p*f.time(i, 0, 1) - ys[i]) / ys[i]
			e += r * r
		}
		return e
	}
	if errOf(0, pOnly) <= errOf(sOnly, 0) {
		return 0, pOnly
	}
	return sOnly, 0
}

func allEqual(xs []platform.Cores) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}
