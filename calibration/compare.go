package calibration

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/platform"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
)

// StageSamples turns simulated records into what the ORION profiler logs: per stage (a task step
// whose name is the profiled stage), per run, the longest invocation of that step in the run,
// and the E2E latency per run. An invocation's duration is download + compute + upload (End -
// Start - Init): what the function itself spends, without a cold start's init, since the profiles
// are warm runs and the orchestrator's transitions are not part of any stage.
func StageSamples(stages []string, res *sim.Result) map[string][]float64 {
	runs := len(res.DAGs)
	out := map[string][]float64{E2EStage: make([]float64, runs)}
	for i, d := range res.DAGs {
		out[E2EStage][i] = d.Latency
	}
	for _, s := range stages {
		out[s] = make([]float64, runs)
	}
	for _, inv := range res.Invocations {
		v, ok := out[inv.Step]
		if !ok || inv.Step == E2EStage || inv.Run < 0 || inv.Run >= runs {
			continue
		}
		v[inv.Run] = math.Max(v[inv.Run], inv.End-inv.Start-inv.Init)
	}
	return out
}

// Cell is one row of the calibration table: a stage (or E2E) of an app at one memory size.
type Cell struct {
	App              string
	MemoryMB         int
	Stage            string
	MeasP50, MeasP95 float64
	SimP50, SimP95   float64
}

// Tolerance is the acceptance band of the calibration: 10% of the measured value for stages whose
// measured P50 is at least 1 s, else the larger of 25% and 50 ms.
func (c Cell) Tolerance(measured float64) float64 {
	if c.MeasP50 >= 1 {
		return 0.10 * measured
	}
	return math.Max(0.25*measured, 0.05)
}

// OK reports whether both the P50 and the P95 are within Tolerance.
func (c Cell) OK() bool {
	return math.Abs(c.SimP50-c.MeasP50) <= c.Tolerance(c.MeasP50) && math.Abs(c.SimP95-c.MeasP95) <= c.Tolerance(c.MeasP95)
}

// Comparison is the simulated and measured samples of one app at one size.
type Comparison struct {
	App       string
	MemoryMB  int
	Measured  map[string][]float64
	Simulated map[string][]float64
	Cells     []Cell // stages in workflow order, then E2E
}

// Simulate runs app at every function at mb MB, warm, for runs independent runs with the app's
// platform (apps.Platform(app, base)), and returns the simulated profile.
func Simulate(app string, mb, runs int, seed uint64, base *platform.Platform) (map[string][]float64, error) {
	w, ok := apps.Lookup(app)
	if !ok {
		return nil, fmt.Errorf("no built-in workflow %q", app)
	}
	res, err := sim.Run(w, dag.UniformPlan(mb), runs, sim.Options{Platform: apps.Platform(app, base), Seed: seed, KeepInvocations: true})
	if err != nil {
		return nil, fmt.Errorf("simulating %s at %d MB: %w", app, mb, err)
	}
	var stages []string
	for _, s := range Specs(app) {
		stages = append(stages, s.Stage)
	}
	return StageSamples(stages, res), nil
}

// Compare simulates app at each profile's size with as many runs as the profile has and returns
// the measured vs simulated quantiles.
func Compare(app string, profiles []*Profile, seed uint64, base *platform.Platform) ([]Comparison, error) {
	var out []Comparison
	for _, p := range profiles {
		runs := len(p.Stages[E2EStage])
		simulated, err := Simulate(app, p.MemoryMB, runs, seed, base)
		if err != nil {
			return nil, err
		}
		cmp := Comparison{App: app, MemoryMB: p.MemoryMB, Measured: p.Stages, Simulated: simulated}
		var names []string
		for _, s := range Specs(app) {
			names = append(names, s.Stage)
		}
		names = append(names, E2EStage)
		for _, n := range names {
			m, s := p.Stages[n], simulated[n]
			if len(m) == 0 || len(s) == 0 {
				return nil, fmt.Errorf("%s at %d MB: stage %q missing (measured %d runs, simulated %d)", app, p.MemoryMB, n, len(m), len(s))
			}
			mq, sq := stats.Percentiles(m, 50, 95), stats.Percentiles(s, 50, 95)
			cmp.Cells = append(cmp.Cells, Cell{App: app, MemoryMB: p.MemoryMB, Stage: n,
				MeasP50: mq[0], MeasP95: mq[1], SimP50: sq[0], SimP95: sq[1]})
		}
		out = append(out, cmp)
	}
	return out, nil
}

// BundlePoint is the simulated video E2E latency with the Classify Map bundled.
type BundlePoint struct {
	Bundle, MemoryMB int
	P50, P95         float64
}

// MeasuredBundling is the ORION artifact's measurement of bundling the video app's Classify
// workers, B per Lambda of min(1472*B, 10240) MB, 10 runs each (shared/data/README.md): P50 and
// P95 of E2E in seconds.
var MeasuredBundling = []BundlePoint{
	{Bundle: 1, MemoryMB: 1472, P50: 33.1, P95: 34.2},
	{Bundle: 2, MemoryMB: 2944, P50: 25.3, P95: 26.5},
	{Bundle: 5, MemoryMB: 7360, P50: 24.4, P95: 24.5},
	{Bundle: 10, MemoryMB: 10240, P50: 34.8, P95: 36.4},
}

// SimulateBundling runs the video workflow with VideoBundlePlan (every function at
// min(1472*B, 10240) MB, the chunk Map bundled by B: whole items of Extract -> Classify share a
// VM), for each measured B.
func SimulateBundling(runs int, seed uint64, base *platform.Platform) ([]BundlePoint, error) {
	w, _ := apps.Lookup("video")
	var out []BundlePoint
	for _, m := range MeasuredBundling {
		plan, err := apps.VideoBundlePlan(w, m.Bundle)
		if err != nil {
			return nil, err
		}
		res, err := sim.Run(w, plan, runs, sim.Options{Platform: apps.Platform("video", base), Seed: seed})
		if err != nil {
			return nil, fmt.Errorf("bundle %d: %w", m.Bundle, err)
		}
		lat := make([]float64, len(res.DAGs))
		for i, d := range res.DAGs {
			lat[i] = d.Latency
		}
		q := stats.Percentiles(lat, 50, 95)
		out = append(out, BundlePoint{Bundle: m.Bundle, MemoryMB: m.MemoryMB, P50: q[0], P95: q[1]})
	}
	return out, nil
}
