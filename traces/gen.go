package traces

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/wisefuse/wisefuse/internal/crash"
	"github.com/wisefuse/wisefuse/internal/parallel"

	"github.com/wisefuse/wisefuse/internal/seed"
	"github.com/wisefuse/wisefuse/platform"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
)

// SimulateFunc runs a workflow under a plan for runs independent DAG invocations and returns the
// simulator's records (with per-invocation records when keepInvocations is set).
type SimulateFunc func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, keepInvocations bool) (*sim.Result, error)

// GenConfig configures Generate.
type GenConfig struct {
	Population PopulationConfig
	Days       float64 // trace length; arrivals follow Diurnal over it
	Seed       uint64
	Diurnal    Diurnal // zero means DefaultDiurnal
	// RunsPerDAG is how many simulated runs each DAG's invocations are drawn from (default 32).
	// A DAG with many nodes gets fewer, down to 4, so that no DAG simulates more than about
	// SimBudget function invocations (default 200,000).
	RunsPerDAG, SimBudget int
	Workers               int          // parallel simulations; 0 means GOMAXPROCS
	Simulate              SimulateFunc // nil means the sim package on Platform
	// Platform is the simulated platform; nil means sim.DefaultPlatform (AWS Lambda and S3).
	Platform *platform.Platform
	// Progress, when set, is called as DAGs finish simulating and as invocations are written.
	Progress func(stage string, done, total int64)
	// KeptFunctions, when set and function invocations are written, is called once before
	// simulating with how many function records the simulated runs will hold in memory until
	// the end (each DAG's runs x its nodes: the one part of Generate's memory that grows with the
	// population's size rather than with what is in flight) and the bytes each takes, so a
	// caller can warn before the memory is spent.
	KeptFunctions func(records, bytesEach int64)
}

// GenSummary describes a generated trace.
type GenSummary struct {
	DAGs, Invocations int64
	SimulatedRuns     int64   // DAG invocations simulated to draw latencies from
	TopShare          float64 // share of invocations made by the top 5% most popular DAGs
	TopMinPerDay      float64 // invocations a day of the least popular of the top 5%
	LargestShare      float64 // share of the single most popular DAG
	Population        []DAGSpec
}

// outcome is one simulated run of a DAG: what a trace invocation that replays it reports.
type outcome struct {
	latency, skew float64
	fns           []fnRecord // only when function records are requested
}

// fnRecord is a function invocation of a simulated run, relative to the run's arrival.
type fnRecord struct {
	stage, item int32
	start, end  float32
	cold        bool
}

// Generate draws a DAG population, simulates each DAG's workflow, and streams a trace of
// cfg.Population.Invocations DAG invocations in arrival order to out (and their function
// invocations to fnOut, if not nil). Every invocation replays one simulated run of its DAG, so
// its latency and skew come from the simulator. Memory is bounded by the population and its
// simulated runs, whatever the number of invocations.
func Generate(cfg GenConfig, out *DAGWriter, fnOut *FunctionWriter) (*GenSummary, error) {
	if cfg.Days <= 0 {
		return nil, fmt.Errorf("traces: days = %v, want > 0", cfg.Days)
	}
	if cfg.RunsPerDAG == 0 {
		cfg.RunsPerDAG = 32
	}
	if cfg.SimBudget == 0 {
		cfg.SimBudget = 200_000
	}
	if cfg.Diurnal == (Diurnal{}) {
		cfg.Diurnal = DefaultDiurnal
	}
	if cfg.Diurnal.Amplitude < 0 || cfg.Diurnal.Amplitude >= 1 {
		return nil, fmt.Errorf("traces: diurnal amplitude %v, want in [0, 1)", cfg.Diurnal.Amplitude)
	}
	if cfg.Simulate == nil {
		cfg.Simulate = simulateOn(cfg.Platform)
	}
	progress := cfg.Progress
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	dags, err := NewPopulation(cfg.Population, rand.New(rand.NewPCG(cfg.Seed, 1)))
	if err != nil {
		return nil, err
	}
	if fnOut != nil && cfg.KeptFunctions != nil {
		var kept int64
		for i := range dags {
			kept += int64(runsOf(&dags[i], cfg)) * int64(dags[i].Nodes)
		}
		cfg.KeptFunctions(kept, int64(unsafe.Sizeof(fnRecord{})))
	}
	runs, simulated, err := simulateAll(dags, cfg, fnOut != nil, progress)
	if err != nil {
		return nil, err
	}
	counts := make([]int64, len(dags))
	for i := range dags {
		counts[i] = dags[i].Count
	}
	sum := popularity(counts, cfg.Days)
	sum.SimulatedRuns = simulated
	sum.Population = dags

	arrivals := newArrivalStream(counts, cfg.Days, cfg.Diurnal, rand.New(rand.NewPCG(cfg.Seed, 2)))
	pick := rand.New(rand.NewPCG(cfg.Seed, 3))
	total := arrivals.total
	var row DAGInvocation
	var fn FunctionInvocation
	for id := int64(0); ; id++ {
		i, at, ok := arrivals.next()
		if !ok {
			break
		}
		d := &dags[i]
		o := &runs[i][pick.IntN(len(runs[i]))]
		row = DAGInvocation{DAG: d.ID, Invocation: id, Arrival: at, Width: d.Width, Depth: d.Depth, Nodes: d.Nodes,
			DataBytes: int64(math.Round(d.DataBytes)), Skew: o.skew, Latency: o.latency}
		if err := out.Write(&row); err != nil {
			return nil, err
		}
		for _, f := range o.fns {
			fn = FunctionInvocation{Invocation: id, DAG: d.ID, Stage: int(f.stage), Item: int(f.item),
				Function: functionName(int(f.stage)), Start: at + float64(f.start), End: at + float64(f.end), Cold: f.cold}
			if err := fnOut.Write(&fn); err != nil {
				return nil, err
			}
		}
		if id%(1<<16) == 0 {
			progress("write", id, total)
		}
	}
	progress("write", total, total)
	sum.DAGs, sum.Invocations = int64(len(dags)), total
	return sum, nil
}

// functionNames caches "f0".."f63" so writing function rows rarely formats strings.
var functionNames = func() []string {
	s := make([]string, 64)
	for i := range s {
		s[i] = fmt.Sprintf("f%d", i)
	}
	return s
}()

func functionName(stage int) string {
	if stage < len(functionNames) {
		return functionNames[stage]
	}
	return fmt.Sprintf("f%d", stage)
}

// popularity summarizes invocation counts: the top 5% DAGs' share and the least of them a day.
func popularity(counts []int64, days float64) *GenSummary {
	sorted := append([]int64(nil), counts...)
	sortDesc(sorted)
	var total, top int64
	k := max(1, int(math.Round(0.05*float64(len(sorted)))))
	for i, c := range sorted {
		total += c
		if i < k {
			top += c
		}
	}
	return &GenSummary{
		TopShare:     float64(top) / float64(total),
		TopMinPerDay: float64(sorted[k-1]) / days,
		LargestShare: float64(sorted[0]) / float64(total),
	}
}

func sortDesc(s []int64) { slices.SortFunc(s, func(a, b int64) int { return cmp.Compare(b, a) }) }

// simulateAll simulates every DAG's runs on a bounded pool of workers; results land by index,
// and each DAG's seed depends only on (cfg.Seed, its index), so the output does not depend on
// the number of workers.
func simulateAll(dags []DAGSpec, cfg GenConfig, keepFns bool, progress func(string, int64, int64)) ([][]outcome, int64, error) {
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	runs := make([][]outcome, len(dags))
	errs := make([]error, len(dags))
	var done, simulated atomic.Int64
	parallel.For(len(dags), workers, func(_, i int) bool {
		d := &dags[i]
		n := runsOf(d, cfg)
		errs[i] = crash.Go(func() (err error) {
			runs[i], err = simulateDAG(d, n, seed.Mix(cfg.Seed, uint64(i)), keepFns, cfg.Simulate)
			return err
		})
		simulated.Add(int64(n))
		progress("simulate", done.Add(1), int64(len(dags)))
		return true
	})
	for i, err := range errs {
		if err != nil {
			return nil, 0, fmt.Errorf("traces: simulating %s: %w", dags[i].ID, err)
		}
	}
	return runs, simulated.Load(), nil
}

// runsOf is how many runs of d are simulated: cfg.RunsPerDAG, fewer for a DAG so large that
// they would pass cfg.SimBudget function invocations, but at least 4.
func runsOf(d *DAGSpec, cfg GenConfig) int {
	return min(cfg.RunsPerDAG, max(4, cfg.SimBudget/d.Nodes))
}

// simulateDAG runs the DAG's workflow n times and reduces each run to its latency, its skew (the
// largest slowest/fastest compute-time ratio among the items of one stage) and, if asked, its
// function invocations.
func simulateDAG(d *DAGSpec, n int, seed uint64, keepFns bool, simulate SimulateFunc) ([]outcome, error) {
	res, err := simulate(d.Workflow(), d.Plan(), n, seed, true)
	if err != nil {
		return nil, err
	}
	if len(res.DAGs) != n {
		return nil, fmt.Errorf("simulator returned %d runs, want %d", len(res.DAGs), n)
	}
	out := make([]outcome, n)
	lo := make([]float64, n*d.Depth)
	hi := make([]float64, n*d.Depth)
	for i := range lo {
		lo[i] = math.Inf(1)
	}
	stageOf := map[string]int32{}
	for s := range d.Depth {
		stageOf[fmt.Sprintf("f%d", s)] = int32(s)
	}
	for _, inv := range res.Invocations {
		s, ok := stageOf[inv.Function]
		if !ok || inv.Run < 0 || inv.Run >= n {
			return nil, fmt.Errorf("simulator returned an invocation of %q in run %d", inv.Function, inv.Run)
		}
		k := inv.Run*d.Depth + int(s)
		lo[k] = math.Min(lo[k], inv.Compute)
		hi[k] = math.Max(hi[k], inv.Compute)
		if keepFns {
			arrival := res.DAGs[inv.Run].Arrival
			out[inv.Run].fns = append(out[inv.Run].fns, fnRecord{stage: s, item: int32(inv.Item),
				start: float32(inv.Start - arrival), end: float32(inv.End - arrival), cold: inv.Cold})
		}
	}
	for r := range out {
		out[r].latency = res.DAGs[r].Latency
		out[r].skew = 1
		for s, width := range d.Stages {
			k := r*d.Depth + s
			if width > 1 && hi[k] > 0 {
				out[r].skew = math.Max(out[r].skew, hi[k]/math.Max(lo[k], 1e-12))
			}
		}
	}
	return out, nil
}
