package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/wisefuse"
)

func init() {
	register(&command{
		name:    "plan",
		summary: "Find the cheapest plan (fusion, bundles, VM sizes) whose predicted latency percentile meets an SLO, or the fastest within a budget, with WiseFuse.",
		usage: "(--workflow W | --asl FILE --functions SIDE.json) (--slo DURATION [--percentile P] | --budget USD) [--profiles FILE] [--platform NAME|FILE] [--out plan.json] [--json] [--quiet]\n\n" +
			"Without --profiles the workflow is first profiled in the simulator (300 runs, fewer for workflows of\n" +
			"over 100 function invocations a run (policy.ProfileRuns), at 1024, 2048,\n" +
			"4096 and 10240 MB, seed " + fmt.Sprint(wisefuse.ProfileSeed) + ") on the --platform; with --profiles,\n" +
			"costs are priced on the --platform.",
		run: runPlan,
	})
}

// planReport is what `plan --json` prints.
type planReport struct {
	Workflow   string    `json:"workflow"`
	SLO        float64   `json:"slo_s,omitempty"`
	Percentile float64   `json:"percentile"`
	Budget     float64   `json:"budget_usd,omitempty"`
	Plan       *dag.Plan `json:"plan"`
	P50        float64   `json:"p50_s"`
	P95        float64   `json:"p95_s"`
	P99        float64   `json:"p99_s"`
	MeanCost   float64   `json:"mean_cost_usd"`
}

func runPlan(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	wf := addWorkflowFlags(fs, "")
	slo := fs.Duration("slo", 0, "latency target, e.g. 30s")
	pct := fs.Float64("percentile", 95, "the percentile the SLO bounds")
	budget := fs.Float64("budget", 0, "mean cost per run in `USD` (alone: minimise the percentile within it)")
	profiles := fs.String("profiles", "", "profile `FILE` from 'wisefuse profile' (default: profile in the simulator)")
	platformFlag := fs.String("platform", "", platformUsage)
	out := fs.String("out", "", "write the plan to `FILE` (JSON)")
	asJSON := fs.Bool("json", false, "print the plan, its predicted P50/P95/P99 and cost as one JSON object")
	quiet := fs.Bool("quiet", false, "no progress bar while profiling (there is none when stderr is not a terminal)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if given(fs, "budget") && !(*budget > 0 && !math.IsInf(*budget, 0)) {
		return usagef("--budget %v: want a mean cost per run > 0 USD", *budget)
	}
	if given(fs, "slo") && *slo <= 0 {
		return usagef("--slo %v: want a latency target > 0", *slo)
	}
	if *slo < 0 || *budget < 0 {
		return usagef("--slo %v, --budget %v: want positive values (or leave one out)", *slo, *budget)
	}
	if *slo <= 0 && *budget <= 0 {
		return usagef("give --slo DURATION or --budget USD")
	}
	if err := wantFloat("percentile", *pct, 0, 100, false, ""); err != nil {
		return err
	}
	w, err := wf.load()
	if err != nil {
		return err
	}
	// The shape check comes first: a workflow WiseFuse cannot plan fails before any profiling.
	if err := wisefuse.CheckSupported(w); err != nil {
		return err
	}
	plat, err := loadPlatform(wf.spec(), *platformFlag)
	if err != nil {
		return err
	}
	env := policy.Env{Platform: plat}
	if *profiles != "" {
		if env.Profile, err = wisefuse.ReadProfile(*profiles); err != nil {
			return err
		}
	}
	bar := newStageBar(*quiet, map[string]string{"profile": "profiling in the simulator (runs)"})
	env.Profiling.Progress = func(done, total int64) { bar.update("profile", done, total) }
	pl, err := policy.NewWiseFuse(w, env)
	bar.finish()
	if err != nil {
		return err
	}
	obj := dag.Objective{SLO: slo.Seconds(), Percentile: *pct, Budget: *budget}
	start := time.Now()
	if _, err := pl.Plan(w, obj); err != nil { // checks the structure
		return err
	}
	r, err := pl.Search(obj)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if err := finiteOutputs("plan", []string{"predicted P50", "predicted P95", "predicted P99", "predicted mean cost"},
		r.Prediction.Percentile(50), r.Prediction.Percentile(95), r.Prediction.Percentile(99), r.Prediction.MeanCost); err != nil {
		return err
	}
	if *out != "" {
		b, err := dag.MarshalIndent(r.Plan)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(*out, b); err != nil {
			return err
		}
	}
	rep := planReport{Workflow: w.Name, SLO: slo.Seconds(), Percentile: *pct, Budget: *budget, Plan: r.Plan,
		P50: r.Prediction.Percentile(50), P95: r.Prediction.Percentile(95), P99: r.Prediction.Percentile(99), MeanCost: r.Prediction.MeanCost}
	if *asJSON {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	b, _ := dag.MarshalIndent(r.Plan)
	fmt.Fprintf(stdout, "%s", b)
	fmt.Fprintf(stdout, "predicted E2E: P50 %.3fs  P95 %.3fs  P99 %.3fs  mean cost $%.6f per run (planned in %v)\n",
		rep.P50, rep.P95, rep.P99, rep.MeanCost, took.Round(time.Millisecond))
	return nil
}
