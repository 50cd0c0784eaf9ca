package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/internal/jsonpos"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/wisefuse"
)

func init() {
	register(&command{
		name:    "plan",
		summary: "Find the cheapest plan (fusion, bundles, VM sizes) whose predicted latency percentile meets an SLO, or the fastest within a budget, with WiseFuse.",
		usage: "(--workflow W | --asl FILE --functions SIDE.json) (--slo DURATION [--percentile P] | --budget USD) [--profiles FILE|DIR [--extrapolate] | --cold-share S] [--platform NAME|FILE] [--out plan.json] [--export-asl FILE] [--json] [--quiet]\n\n" +
			"Without --profiles the workflow is first profiled in the simulator (300 runs, fewer for workflows of\n" +
			"over 100 function invocations a run (policy.ProfileRuns), at 1024, 2048,\n" +
			"4096 and 10240 MB, seed " + fmt.Sprint(wisefuse.ProfileSeed) + ") on the --platform; with --profiles,\n" +
			"costs are priced on the --platform. --profiles DIR, a folder of real logs (rsc_<M>_<M>_<M>.txt), or\n" +
			"the profile 'wisefuse profile --out FILE DIR' wrote from it, plans on the log modeler 'model' uses:\n" +
			"one memory size per function, nothing fused or bundled, sizes within the profiled range unless\n" +
			"--extrapolate; the workflow's functions must be the logs' stages (docs/wisefuse.md).\n" +
			"--export-asl FILE writes the plan's deployable form for AWS Step Functions: FILE, the state machine\n" +
			"(the --asl definition rewritten, or one generated from the workflow; a bundled Map becomes a\n" +
			"Distributed Map with ItemBatcher), NAME.functions.json, its performance side file, and\n" +
			"NAME.deploy.json, each Lambda function's MemorySize and the fusion groups to merge (NAME is FILE\n" +
			"without .json and .asl). `--asl FILE --functions NAME.functions.json --plan NAME.deploy.json`\n" +
			"reads them back as the same workflow and plan (docs/workflow-format.md).",
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
	P50        seconds   `json:"p50_s"`
	P95        seconds   `json:"p95_s"`
	P99        seconds   `json:"p99_s"`
	MeanCost   float64   `json:"mean_cost_usd"`
	// TimedOut is the predicted share of runs that fail at the platform's function timeout, or
	// at its concurrency limit under "reject" and "retry" (a percentile among them is null).
	TimedOut float64 `json:"timed_out_fraction,omitempty"`
	// Warning says where a plan from real logs extrapolates beyond the profiled sizes, where the
	// model's account concurrency limit falls short (wisefuse.Model.LimitWarning), and where the
	// planner capped its fusion groups (wisefuse.Planner.GroupWarning).
	Warning string `json:"warning,omitempty"`
}

// planFromLogs plans w from p, a profile of real logs (a log folder, or the profile file
// 'wisefuse profile LOGDIR' wrote: the same logs give the same plan), on wisefuse.LogModel as
// model uses it: one memory size per function, priced with every Map item counted, on what plat
// publishes; within the profiled sizes unless extrapolate.
func planFromLogs(p *wisefuse.Profile, w *dag.Workflow, obj dag.Objective, plat *platform.Platform, extrapolate bool) (*wisefuse.LogPlanResult, error) {
	logs, err := p.Logs()
	if err != nil {
		return nil, err
	}
	m, err := wisefuse.NewLogModel(logs, plat.Published())
	if err != nil {
		return nil, err
	}
	return m.LogPlan(w, obj, wisefuse.PlannerOptions{Extrapolate: extrapolate})
}

func runPlan(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	wf := addWorkflowFlags(fs, "")
	slo := fs.Duration("slo", 0, "latency target, e.g. 30s")
	pct := fs.Float64("percentile", 95, "the percentile the SLO bounds")
	budget := fs.Float64("budget", 0, "mean cost per run in `USD` (alone: minimise the percentile within it)")
	profiles := fs.String("profiles", "", "profile `FILE` from 'wisefuse profile', or a DIR of real logs (default: profile in the simulator)")
	platformFlag := fs.String("platform", "", platformUsage)
	out := fs.String("out", "", "write the plan to `FILE` (JSON)")
	asJSON := fs.Bool("json", false, "print the plan, its predicted P50/P95/P99 and cost as one JSON object")
	exportASL := fs.String("export-asl", "", "write the plan's deployable form for Step Functions to `FILE` (an ASL state machine) and two files beside it")
	quiet := fs.Bool("quiet", false, "no progress bar while profiling (there is none when stderr is not a terminal)")
	coldShare := fs.Float64("cold-share", 0, "without --profiles, the `SHARE` of profiling runs whose VMs all start cold (0 to 1; as often as the workflow is invoked after its keep-alive)")
	extrapolate := fs.Bool("extrapolate", false, "with --profiles from real logs, allow memory sizes outside the profiled range (the fitted curves extrapolate)")
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
	if *exportASL != "" {
		// The export is three files, two beside the first: --export-asl /dev/null wrote
		// /dev/null.functions.json and /dev/null.deploy.json into /dev.
		if _, special, err := atomicfile.Resolve(*exportASL); err == nil && special {
			return usagef("--export-asl %s is not a regular file: the export is three files, the state machine and two beside it; give a file name", *exportASL)
		}
		// --export-asl a.asl.json beside its own --asl a.asl.json --functions a.functions.json
		// replaced both inputs with the export, silently.
		side, deploy := exportPaths(*exportASL)
		for _, out := range []output{
			{"--export-asl " + *exportASL, *exportASL},
			{fmt.Sprintf("--export-asl %s writes %s, which", *exportASL, side), side},
			{fmt.Sprintf("--export-asl %s writes %s, which", *exportASL, deploy), deploy},
		} {
			if err := checkOutput(fs, "export-asl", out.what, out.path); err != nil {
				return err
			}
		}
		// --out onto one of them: the plan replaced by the export, or the other way round.
		if err := distinctOutputs(output{"--export-asl " + *exportASL, *exportASL}, output{"the side file --export-asl writes, " + side, side},
			output{"the deployment --export-asl writes, " + deploy, deploy}, output{"--out " + *out, *out}); err != nil {
			return err
		}
	} else if err := distinctOutputs(output{"--out " + *out, *out}); err != nil {
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
	obj := dag.Objective{SLO: slo.Seconds(), Percentile: *pct, Budget: *budget}
	start := time.Now()
	var (
		plan          *dag.Plan
		lat           wisefuse.Latency
		cost          float64
		extrapolation []string
	)
	if err := wantFloat("cold-share", *coldShare, 0, 1, true, ""); err != nil {
		return err
	}
	if *profiles != "" && given(fs, "cold-share") {
		return usagef("--cold-share is for profiling in the simulator; --profiles %s has the cold starts it has (profile --simulate --cold-share makes one)", *profiles)
	}
	var prof *wisefuse.Profile
	if *profiles != "" {
		if prof, err = wisefuse.ReadProfile(*profiles); err != nil {
			return err
		}
		warnLogs(stderr, "plan", *profiles, prof)
	}
	if *extrapolate && (prof == nil || !prof.FromLogs()) {
		return usagef("--extrapolate is for --profiles from real logs (a log folder, or a profile 'wisefuse profile LOGDIR' wrote)")
	}
	if prof != nil && prof.FromLogs() {
		// Real logs: the physical log modeler, as `model` uses; memory sizes only.
		r, err := planFromLogs(prof, w, obj, plat, *extrapolate)
		if err != nil {
			return err
		}
		plan, lat, cost, extrapolation = r.Plan, r.Prediction.Latency, r.MeanCost, r.Prediction.Extrapolated
	} else {
		if prof != nil {
			// As model checks it: the profile holds the invocations of its map widths, and a
			// workflow of other widths was planned from them (CheckStructure below compares the
			// steps' names only: video with 60 chunks planned from a profile of 30).
			if err := matchProfile(w, prof.Workflow, *profiles); err != nil {
				return err
			}
			if err := checkProfilePlatform(prof, *profiles, wf.spec(), *platformFlag, plat); err != nil {
				return err
			}
		}
		env := policy.Env{Platform: plat, Profile: prof}
		env.Profiling.ColdShare = *coldShare
		bar := newStageBar(*quiet, map[string]string{"profile": "profiling in the simulator (runs)",
			"reprofile": "profiling again, with more runs: the sampling bound decides the plan"})
		env.Profiling.Progress = func(done, total int64) { bar.update("profile", done, total) }
		env.Reprofiling = func(done, total int64) { bar.update("reprofile", done, total) }
		pl, err := policy.NewWiseFuse(w, env)
		if err == nil {
			err = pl.CheckStructure(w)
		}
		var r *wisefuse.Result
		if err == nil {
			r, err = pl.Search(obj) // may profile again (the bar's "reprofile" stage)
		}
		bar.finish()
		if err != nil {
			return err
		}
		plan, lat, cost = r.Plan, r.Prediction.Latency, r.Prediction.MeanCost
		if w := pl.Model().LimitWarning(); w != "" {
			extrapolation = append(extrapolation, w)
		}
		if w := pl.GroupWarning(); w != "" {
			extrapolation = append(extrapolation, w)
		}
	}
	took := time.Since(start)
	if err := predictedOutputs("plan", lat, plat, cost); err != nil {
		return err
	}
	if *out != "" {
		b, err := dag.MarshalIndent(plan)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(*out, b); err != nil {
			return err
		}
	}
	if *exportASL != "" {
		if err := writeExport(*exportASL, w, plan, *wf.asl); err != nil {
			return err
		}
	}
	rep := planReport{Workflow: w.Name, SLO: slo.Seconds(), Percentile: *pct, Budget: *budget, Plan: plan,
		MeanCost: cost, TimedOut: lat.TimedOut(), Warning: strings.Join(extrapolation, "; ")}
	rep.P50, rep.P95, rep.P99 = percentiles(lat, plat)
	if *asJSON {
		return printJSON(stdout, rep)
	}
	b, _ := dag.MarshalIndent(plan)
	fmt.Fprintf(stdout, "%s", b)
	fmt.Fprintf(stdout, "predicted E2E: P50 %v  P95 %v  P99 %v  mean cost $%.6f per run (planned in %v)\n",
		rep.P50, rep.P95, rep.P99, rep.MeanCost, took.Round(time.Millisecond))
	if rep.TimedOut > 0 {
		fmt.Fprint(stdout, timedOutLine(rep.TimedOut, plat))
	}
	if rep.Warning != "" {
		fmt.Fprintf(stdout, "warning: %s\n", rep.Warning)
	}
	if *out != "" {
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	if *exportASL != "" {
		side, deploy := exportPaths(*exportASL)
		fmt.Fprintf(stdout, "wrote %s, %s, %s\n", *exportASL, side, deploy)
	}
	return nil
}

// writeExport writes the deployable form of plan p of w (dag.ExportASL) to path and beside it.
// aslPath is the definition w was imported from ("" for a JSON or built-in workflow).
func writeExport(path string, w *dag.Workflow, p *dag.Plan, aslPath string) error {
	var original []byte
	if aslPath != "" {
		var err error
		if original, err = jsonpos.ReadFile(aslPath); err != nil {
			return err
		}
	}
	sidePath, deployPath := exportPaths(path)
	ex, err := dag.ExportASL(w, p, original, filepath.Base(path), filepath.Base(sidePath))
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{path, ex.ASL}, {sidePath, ex.Side}, {deployPath, ex.Deployment}} {
		if err := atomicfile.WriteBytes(f.path, f.data); err != nil {
			return err
		}
	}
	return nil
}

// exportPaths returns the side file and deployment paths that go with an exported ASL file.
func exportPaths(aslPath string) (side, deploy string) {
	base := strings.TrimSuffix(strings.TrimSuffix(aslPath, ".json"), ".asl")
	return base + ".functions.json", base + ".deploy.json"
}
