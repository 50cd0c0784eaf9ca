package experiments

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
)

// The scenarios SimFaaS publishes (Mahmoudi and Khazaei, "SimFaaS: A Performance Simulator for
// Serverless Computing Platforms", CLOSER 2021; github.com/pacslab/simfaas), each expressed in
// this project's formats and run here, beside SimFaaS's own printed results. A SimFaaS scenario is
// one function: Poisson arrivals, exponential warm and cold response times, an expiration threshold
// (a fixed keep-alive), a maximum concurrency beyond which requests are rejected, and a new request
// served by the newest idle instance.
type simfaasScenario struct {
	Name   string
	Source string // where the parameters and the published numbers are
	// Parameters (SimFaaS's constructor: arrival_rate, 1/warm_service_rate, 1/cold_service_rate,
	// expiration_threshold, maximum_concurrency, max_time).
	Rate, WarmMean, ColdMean, Threshold float64
	MaxConcurrency                      int
	MaxTime                             float64 // simulated seconds (SimFaaS's max_time; ours too)
	Published                           simfaasRow
}

// simfaasScenarios: the two SimFaaS runs whose printed output is published with their parameters.
// Both are in github.com/pacslab/simfaas at commit 3dbd7cac494fe9f39dd2929e711be403cb3107c9. The
// maximum concurrency is ServerlessSimulator's default (maximum_concurrency=1000, the AWS account
// default), which neither passes.
var simfaasScenarios = []simfaasScenario{
	{
		Name: "readme", Source: "pacslab/simfaas README.rst, Usage (commit 3dbd7ca)",
		Rate: 0.9, WarmMean: 1.991, ColdMean: 2.244, Threshold: 600, MaxConcurrency: 1000,
		MaxTime: 1e6,
		// README.rst prints: "Cold Starts / total requests: 1213 / 898469", "Rejection / total
		// requests: 0 / 898469", "Average Instance Life Span: 6335.1337", "Average Running Count:
		// 1.7879", "Average Idle Count: 5.8733", and a progress bar over the 1e6 simulated seconds
		// that took 00:42 (so 42 s / 898,469 requests = 46.7 us per request).
		Published: simfaasRow{Requests: 898469, ColdStartProb: 1213.0 / 898469, RejectProb: 0,
			MeanRunning: 1.7879, MeanIdle: 5.8733, LifespanS: 6335.1337, USPerRequest: 42e6 / 898469},
	},
	{
		Name: "max-concurrency", Source: "pacslab/simfaas examples/03-Maximum-Concurrency-Level.ipynb (commit 3dbd7ca)",
		Rate: 1000, WarmMean: 2.016, ColdMean: 2.163, Threshold: 600, MaxConcurrency: 1000,
		MaxTime: 1000,
		// The notebook prints: "Cold Starts / total requests: 1000 / 998537", "Rejection / total
		// requests: 503207 / 998537", "Average Instance Life Span: nan" (no instance expired),
		// "Average Running Count: 998.4269", "Average Idle Count: 0.9763"; no run time.
		Published: simfaasRow{Requests: 998537, ColdStartProb: 1000.0 / 998537, RejectProb: 503207.0 / 998537,
			MeanRunning: 998.4269, MeanIdle: 0.9763, LifespanS: math.NaN(), USPerRequest: math.NaN()},
	},
}

// simfaasRow is one scenario's result from one source: SimFaaS's published run, this simulator
// (one replicate), or a closed form where one exists. NaN (null in the table): not published or
// no closed form.
type simfaasRow struct {
	Scenario      string  `col:"scenario"`
	Source        string  `col:"source"` // "simfaas" (published), "ours", "analytical"
	Replicate     int     `col:"replicate"`
	SimulatedS    float64 `col:"simulated_s,nullzero"` // null for a closed form
	Requests      int64   `col:"requests,nullzero"`
	ColdStartProb float64 `col:"cold_start_prob,nullnan"` // cold starts / all requests, rejected ones included
	RejectProb    float64 `col:"reject_prob,nullnan"`
	MeanRunning   float64 `col:"mean_running_instances,nullnan"`
	MeanIdle      float64 `col:"mean_idle_instances,nullnan"`
	LifespanS     float64 `col:"mean_instance_lifespan_s,nullnan"`
	// USPerRequest is wall-clock microseconds per simulated request (ours: the whole simulation,
	// compilation and summary included, on this machine; the one column that is not deterministic).
	USPerRequest float64 `col:"us_per_request,nullnan"`
}

type simfaasCell struct {
	Scenario  simfaasScenario
	Duration  float64
	Replicate int
}

// simfaasReplicates per scenario: replicates give the sampling spread that one SimFaaS run hides.
func simfaasReplicates(quick bool) int {
	if quick {
		return 2
	}
	return 5
}

func init() {
	Register(&Experiment{
		Name:  "peer-simfaas",
		Title: "Peer check: SimFaaS's published scenarios, run in this simulator",
		Description: "The two SimFaaS runs published with their output (pacslab/simfaas: the README's scenario, 0.9 req/s, " +
			"warm 1.991 s, cold 2.244 s, 600 s threshold, 1e6 s; and the maximum-concurrency notebook, 1,000 req/s against a " +
			"limit of 1,000) expressed as a one-task workflow (exponential work of the warm mean, a fixed init of the cold " +
			"mean less the warm mean), Poisson arrivals, and a platform with no orchestration or storage delay, " +
			"at_concurrency_limit reject, warm_reuse newest and a fixed keep-alive of the threshold, for SimFaaS's simulated " +
			"time (1e6 s and 1,000 s), 5 replicates (quick: 2). Rows: SimFaaS's printed numbers, ours " +
			"per replicate, and closed forms (offered load, Erlang-B blocking) where they exist.",
		Schema: schemaOf[simfaasRow](),
		Cells: func(quick bool) []Cell {
			var cells []Cell
			for _, s := range simfaasScenarios {
				for r := range simfaasReplicates(quick) {
					cells = append(cells, Cell{Key: fmt.Sprintf("scenario=%s/rep=%d", s.Name, r),
						Params: simfaasCell{Scenario: s, Duration: s.MaxTime, Replicate: r}})
				}
			}
			return cells
		},
		Run:       runSimfaas,
		Figure:    simfaasFigure,
		Headlines: simfaasHeadlines,
	})
}

// simfaasWorkflow is the scenario's function in the workflow format: the warm response is the
// work (exponential, one core), a cold one adds a fixed init.
func simfaasWorkflow(s simfaasScenario) (*dag.Workflow, error) {
	js := fmt.Sprintf(`{"name": "simfaas-%s", "functions": [{"name": "f", "min_memory_mb": 128,
		"serial_work_s": {"kind": "exponential", "mean": %g}, "parallel_work_s": 0, "threads": 1,
		"input_bytes": 0, "output_bytes": 0, "init_s": %g}],
		"steps": [{"name": "f", "task": "f"}]}`, s.Name, s.WarmMean, s.ColdMean-s.WarmMean)
	return dag.ParseWorkflow("simfaas-"+s.Name, []byte(js))
}

// simfaasPlatform is the scenario's platform as a platform file would give it: SimFaaS models
// neither orchestration nor storage, rejects beyond its maximum concurrency, reuses the newest
// idle instance and expires an instance after the threshold.
func simfaasPlatform(s simfaasScenario) (*platform.Platform, error) {
	js := fmt.Sprintf(`{"transition_latency_s": 0, "storage_get_latency_s": 0, "storage_put_latency_s": 0,
		"keep_alive_policy": "fixed", "keep_alive_s": %g, "warm_reuse": "newest",
		"concurrency_limit": %d, "at_concurrency_limit": "reject"}`, s.Threshold, s.MaxConcurrency)
	return platform.Parse("simfaas-"+s.Name, []byte(js))
}

// simfaasRun simulates scenario s for duration seconds of Poisson arrivals and returns our row.
func simfaasRun(s simfaasScenario, duration float64, seed uint64) (simfaasRow, error) {
	start := time.Now()
	w, err := simfaasWorkflow(s)
	if err != nil {
		return simfaasRow{}, err
	}
	p, err := simfaasPlatform(s)
	if err != nil {
		return simfaasRow{}, err
	}
	// 1,769 MB is one vCPU: the work runs at one core, so a warm response is its draw.
	res, err := sim.RunArrivals(w, dag.UniformPlan(1769), sim.PoissonArrivals(s.Rate, duration, seed), sim.Options{Platform: p, Seed: seed})
	if err != nil {
		return simfaasRow{}, err
	}
	wall := time.Since(start)
	cold := 0
	for _, d := range res.DAGs {
		cold += d.ColdStarts
	}
	n := float64(len(res.DAGs))
	sm := res.Summary
	return simfaasRow{Scenario: s.Name, Source: "ours", SimulatedS: duration, Requests: int64(len(res.DAGs)),
		ColdStartProb: float64(cold) / n, RejectProb: float64(sm.Rejected) / n,
		MeanRunning: sm.MeanRunningVMs, MeanIdle: sm.MeanIdleVMs, LifespanS: sm.MeanLifespanS,
		USPerRequest: float64(wall.Microseconds()) / n}, nil
}

// erlangB is the Erlang-B blocking probability of n servers under offered load a, by the
// recurrence B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)); it holds for any service distribution.
func erlangB(n int, a float64) float64 {
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// simfaasAnalytical is what closed forms give: the instances are an M/G/n/n loss system (a
// request finds a free instance or is rejected), so rejection is Erlang-B at the offered load
// rate x mean response and the running instances are the carried load. Cold responses are rare
// (at most 0.14% of requests in both scenarios), so the load uses the warm mean. Cold starts,
// idle instances and lifespan depend on the expiration and have no closed form here.
func simfaasAnalytical(s simfaasScenario) simfaasRow {
	a := s.Rate * s.WarmMean
	b := erlangB(s.MaxConcurrency, a)
	nan := math.NaN()
	return simfaasRow{Scenario: s.Name, Source: "analytical", ColdStartProb: nan, RejectProb: b,
		MeanRunning: a * (1 - b), MeanIdle: nan, LifespanS: nan, USPerRequest: nan}
}

func runSimfaas(c Cell, seed uint64) ([]Row, error) {
	sc := c.Params.(simfaasCell)
	s := sc.Scenario
	ours, err := simfaasRun(s, sc.Duration, seed)
	if err != nil {
		return nil, err
	}
	ours.Replicate = sc.Replicate
	rows := []Row{rowOf(ours)}
	if sc.Replicate == 0 { // the published and closed-form rows once per scenario
		pub := s.Published
		pub.Scenario, pub.Source, pub.SimulatedS = s.Name, "simfaas", s.MaxTime
		an := simfaasAnalytical(s)
		rows = append(rows, rowOf(pub), rowOf(an))
	}
	return rows, nil
}

// simfaasMetrics are the compared columns, with the figure's labels.
var simfaasMetrics = []struct{ col, label string }{
	{"cold_start_prob", "cold-start P"},
	{"reject_prob", "rejection P"},
	{"mean_running_instances", "running"},
	{"mean_idle_instances", "idle"},
	{"mean_instance_lifespan_s", "lifespan"},
}

// simfaasValue returns the mean and sample standard deviation of col over source's rows of
// scenario (one row: sd 0).
func simfaasValue(t *Table, scenario, source, col string) (mean, sd float64, n int) {
	sc, so := t.Where("scenario", scenario), t.Where("source", source)
	xs := t.Floats(col, func(r Row) bool { return sc(r) && so(r) })
	for _, x := range xs {
		mean += x
	}
	n = len(xs)
	if n == 0 {
		return math.NaN(), math.NaN(), 0
	}
	mean /= float64(n)
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	if n > 1 {
		sd = math.Sqrt(sd / float64(n-1))
	}
	return mean, sd, n
}

// simfaasFigure: ours over SimFaaS's published value per metric and scenario (1: agreement), on a
// log axis (the drain makes one idle mean 16x SimFaaS's); metrics SimFaaS prints as 0 or nan
// have no bar.
func simfaasFigure(t *Table, base string) error {
	var cats []string
	var series []figures.BarSeries
	for _, s := range simfaasScenarios {
		series = append(series, figures.BarSeries{Name: s.Name})
	}
	for _, m := range simfaasMetrics {
		vals := make([]float64, len(simfaasScenarios))
		ok := false
		for i, s := range simfaasScenarios {
			ours, _, _ := simfaasValue(t, s.Name, "ours", m.col)
			pub, _, _ := simfaasValue(t, s.Name, "simfaas", m.col)
			if pub > 0 && !math.IsNaN(ours) {
				vals[i], ok = ours/pub, true
			}
		}
		if !ok {
			continue
		}
		cats = append(cats, m.label)
		for i := range series {
			series[i].Values = append(series[i].Values, vals[i])
		}
	}
	return figures.Bars{Title: "SimFaaS's published scenarios in this simulator: ours / SimFaaS",
		XLabel: "Metric (no bar: SimFaaS prints 0 or nan for that scenario)", Categories: cats,
		Y: figures.Axis{Label: "Ours / SimFaaS (mean of replicates)", Log: true, Min: 0.5, Max: 40}, Series: series, ValueFormat: "%.2f",
		Refs: []figures.Ref{{Value: 1}}}.Write(base)
}

func simfaasHeadlines(t *Table) []Headline {
	var hs []Headline
	fmtv := func(v float64, f string) string {
		if math.IsNaN(v) {
			return "n/a"
		}
		return fmt.Sprintf(f, v)
	}
	for _, s := range simfaasScenarios {
		var pubs, ourss []string
		for _, m := range []struct{ col, name, f string }{
			{"cold_start_prob", "cold", "%.5f"}, {"reject_prob", "reject", "%.4f"},
			{"mean_running_instances", "running", "%.2f"}, {"mean_idle_instances", "idle", "%.2f"},
			{"mean_instance_lifespan_s", "lifespan", "%.0f s"},
		} {
			pub, _, _ := simfaasValue(t, s.Name, "simfaas", m.col)
			ours, sd, n := simfaasValue(t, s.Name, "ours", m.col)
			pubs = append(pubs, m.name+" "+fmtv(pub, m.f))
			o := m.name + " " + fmtv(ours, m.f)
			if n > 1 && sd > 0 {
				o += " +- " + fmtv(sd, strings.TrimSuffix(m.f, " s"))
			}
			ourss = append(ourss, o)
		}
		an, _, _ := simfaasValue(t, s.Name, "analytical", "reject_prob")
		run, _, _ := simfaasValue(t, s.Name, "analytical", "mean_running_instances")
		us, _, _ := simfaasValue(t, s.Name, "ours", "us_per_request")
		pus, _, _ := simfaasValue(t, s.Name, "simfaas", "us_per_request")
		simS, _, _ := simfaasValue(t, s.Name, "ours", "simulated_s")
		reqs, _, nrep := simfaasValue(t, s.Name, "ours", "requests")
		hs = append(hs, Headline{Claim: fmt.Sprintf("SimFaaS scenario %q (%g req/s, warm %g s, cold %g s, threshold %g s, limit %d)",
			s.Name, s.Rate, s.WarmMean, s.ColdMean, s.Threshold, s.MaxConcurrency),
			Paper: "SimFaaS: " + strings.Join(pubs, ", "),
			Ours:  strings.Join(ourss, ", "),
			Note: fmt.Sprintf("ours: mean +- sd of %d replicates of %.0f s (%.0f requests each); closed form: rejection %.4f (Erlang-B), running %.2f (carried load); source %s. "+
				"Our time-averages run from the first arrival to the last response, SimFaaS's to max_time: at 1,000 req/s the last ~17 s drain 1,000 busy instances into idle ones, "+
				"which lowers our running and raises our idle mean by about 1.5%% of 1,000; our lifespan counts instances still live at the end, SimFaaS's only expired ones (none expired: nan)",
				nrep, simS, reqs, an, run, s.Source)})
		speed := fmt.Sprintf("ours %.1f us", us)
		diff := ""
		if !math.IsNaN(pus) {
			diff = fmt.Sprintf("%.0fx faster", pus/us)
		}
		hs = append(hs, Headline{Claim: fmt.Sprintf("SimFaaS scenario %q: wall time per simulated request", s.Name),
			Paper: "SimFaaS " + fmtv(pus, "%.1f us") + " (its README's progress bar)", Ours: speed, Diff: diff,
			Note: "ours: sim.RunArrivals end to end on this machine (shared 2-vCPU VM), not deterministic; SimFaaS's on the authors' machine"})
	}
	return hs
}
