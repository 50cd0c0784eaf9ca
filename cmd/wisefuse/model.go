package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/wisefuse"
)

func init() {
	register(&command{
		name:    "model",
		summary: "Predict a plan's end-to-end latency distribution and mean cost from WiseFuse profiles alone.",
		usage: "--profiles DIR|FILE (--plan FILE | --memory MB) [--workflow W | --asl FILE --functions SIDE.json] [--use-sizes MB,MB] [--platform NAME|FILE] [--json]\n\n" +
			"DIR is a folder of real logs (rsc_<M>_<M>_<M>.txt), FILE a profile from 'wisefuse profile' (one it\n" +
			"made from a log folder predicts as the folder does).\n" +
			"When the plan is uniform at a profiled size, the profiled E2E percentiles are printed beside\n" +
			"the prediction. --use-sizes keeps only some profiled sizes (e.g. predict 5000 MB from 1000,10240).\n" +
			"--workflow or --asl names the workflow the profile was made of: it must have the profile's\n" +
			"structure (steps, functions, map widths), and plans are checked against it.\n" +
			"From real logs each stage's median follows a fitted curve (fixed + serial + parallel parts)\n" +
			"and its spread is interpolated between the profiled sizes around the target; the cost needs\n" +
			"the workflow (its functions must be the logs' stages), which says how many items each Map runs.\n" +
			"Without --platform the modeler knows AWS Lambda as AWS documents it (vCPUs, prices, limits, the\n" +
			"timeout), not what an operator measures (co-runner contention, bandwidths), and leaves those out.\n" +
			"--platform NAME|FILE models and prices on that platform with its measured facts, as 'plan' does:\n" +
			"a plan's prediction is then the one 'plan' made for it (real logs take its published facts).",
		run: runModel,
	})
}

// modelReport is what `model --json` prints.
type modelReport struct {
	Workflow string    `json:"workflow"`
	Plan     *dag.Plan `json:"plan"`
	P50      seconds   `json:"p50_s"`
	P95      seconds   `json:"p95_s"`
	P99      seconds   `json:"p99_s"`
	MeanCost *float64  `json:"mean_cost_usd,omitempty"`
	// TimedOut is the predicted share of runs that fail at the platform's function timeout, or
	// at its concurrency limit under "reject" and "retry" (a percentile among them is null).
	TimedOut float64 `json:"timed_out_fraction,omitempty"`
	// CostNote says why no cost is given (real logs without the workflow).
	CostNote     string   `json:"cost_note,omitempty"`
	ProfiledSize []int    `json:"profiled_sizes_mb"`
	MeasuredP95  *float64 `json:"measured_p95_s,omitempty"`
	Warning      string   `json:"warning,omitempty"`
}

func runModel(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	profiles := fs.String("profiles", "", "profile `DIR|FILE`")
	wf := addWorkflowFlags(fs, " the profile was made of (optional; must match the profile's structure)")
	plan := addPlanFlags(fs)
	useSizes := fs.String("use-sizes", "", "comma-separated profiled sizes in `MB` to use (default all)")
	platformFlag := fs.String("platform", "", "platform `NAME|FILE` to model and price on, measured facts included, as plan does (a built-in: "+strings.Join(platform.Names(), ", ")+"; default: AWS Lambda's published facts only)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *profiles == "" {
		return usagef("--profiles DIR|FILE is required")
	}
	if err := wf.check(true); err != nil {
		return err
	}
	p, err := wisefuse.ReadProfile(*profiles)
	if err != nil {
		return err
	}
	warnLogs(stderr, "model", *profiles, p)
	// The workflow plans are checked against: the given one, which must be the profiled one, or
	// the profile's own skeleton.
	planned := p.Workflow
	fromLogs := p.FromLogs() // a log folder, or the profile 'wisefuse profile LOGDIR' wrote
	var known *dag.Workflow  // the workflow of real logs, when given
	if wf.given() {
		w, err := wf.load()
		if err != nil {
			return err
		}
		if fromLogs {
			known = w
		} else if err := matchProfile(w, p.Workflow, *profiles); err != nil {
			return err
		}
		planned = w
	}
	var measured *platform.Platform // loaded once: --platform's is also the one modelled on
	if wf.given() || *platformFlag != "" {
		// The platform plan would use (the default adapted to a built-in app, without
		// --platform), which a simulated profile must have been measured on. Without either
		// flag the app is not known for sure (the profile names its workflow, not its file).
		if measured, err = loadPlatform(wf.spec(), *platformFlag); err != nil {
			return err
		}
		spec := wf.spec()
		if !wf.given() {
			spec = p.Workflow.Name // a built-in app's profile names the app
		}
		if err := checkProfilePlatform(p, *profiles, spec, *platformFlag, measured); err != nil {
			return err
		}
	}
	full := p
	if *useSizes != "" {
		keep := &wisefuse.Profile{Workflow: p.Workflow, Source: p.Source, ProfiledConcurrencyLimit: p.ProfiledConcurrencyLimit}
		for _, f := range strings.Split(*useSizes, ",") {
			m, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return usagef("--use-sizes: %q is not a size in MB", f)
			}
			s := p.Size(m)
			if s == nil {
				return usagef("--use-sizes: %d MB was not profiled", m)
			}
			if keep.Size(m) != nil {
				return usagef("--use-sizes: %d MB is listed twice", m)
			}
			keep.Sizes = append(keep.Sizes, *s)
		}
		// A profile keeps its sizes ascending; the flag may list them in any order.
		slices.SortFunc(keep.Sizes, func(a, b wisefuse.SizeProfile) int { return cmp.Compare(a.MemoryMB, b.MemoryMB) })
		p = keep
	}
	pl, err := plan.resolve(planned)
	if err != nil {
		return err
	}
	var rep modelReport
	var notes []string
	// The profile's runs ran otherwise than the platform runs them (wisefuse.Model.LimitedPeak):
	// their measured E2E holds none of the waiting the prediction puts back.
	incomparable := false
	plat := platform.Default().Published() // what the modeler knows of the platform (ModelOptions' default)
	if *platformFlag != "" {
		plat = measured
	}
	if fromLogs {
		if rep, notes, err = modelFromLogs(p, known, pl, plat); err != nil {
			return err
		}
	} else {
		m, err := wisefuse.NewModel(p, wisefuse.ModelOptions{Platform: plat})
		if err != nil {
			return err
		}
		pr, err := m.Predict(pl)
		if err != nil {
			return err
		}
		if err := predictedOutputs("model", pr.Latency, plat, pr.MeanCost); err != nil {
			return err
		}
		rep = modelReport{Workflow: p.Workflow.Name, Plan: pl, MeanCost: &pr.MeanCost, TimedOut: pr.Latency.TimedOut()}
		rep.P50, rep.P95, rep.P99 = percentiles(pr.Latency, plat)
		if w := m.LimitWarning(); w != "" {
			notes = append(notes, w)
		}
		incomparable = m.LimitedPeak()
	}
	for _, s := range p.Sizes {
		rep.ProfiledSize = append(rep.ProfiledSize, s.MemoryMB)
	}
	if len(p.Sizes) == 1 {
		only := p.Sizes[0].MemoryMB
		for _, mb := range planSizes(pl, p.Workflow) {
			if mb != only {
				rep.Warning = fmt.Sprintf("one profiled size (%d MB): the compute at %d MB assumes work that parallelises up to the vCPU cap, which no data checks; profile two or more sizes", only, mb)
				break
			}
		}
	}
	if len(notes) > 0 {
		rep.Warning = strings.Join(append(nonEmpty(rep.Warning), notes...), "; ")
	}
	// A uniform plan at a size the full profile has: show the measured E2E for comparison.
	if len(pl.Memory) == 0 && len(pl.Fuse) == 0 && len(pl.Bundle) == 0 && !incomparable {
		if s := full.Size(pl.DefaultMemoryMB); s != nil {
			v := stats.Percentiles(s.E2E, 95)[0]
			rep.MeasuredP95 = &v
		}
	}
	if *asJSON {
		return printJSON(stdout, rep)
	}
	fmt.Fprintf(stdout, "workflow %s, profiled sizes %v MB\n", rep.Workflow, rep.ProfiledSize)
	if rep.MeanCost != nil {
		fmt.Fprintf(stdout, "predicted E2E: P50 %v  P95 %v  P99 %v  mean cost $%.6f per run\n", rep.P50, rep.P95, rep.P99, *rep.MeanCost)
	} else {
		fmt.Fprintf(stdout, "predicted E2E: P50 %v  P95 %v  P99 %v\n", rep.P50, rep.P95, rep.P99)
		fmt.Fprintf(stdout, "no cost: %s\n", rep.CostNote)
	}
	if rep.TimedOut > 0 {
		fmt.Fprint(stdout, timedOutLine(rep.TimedOut, plat))
	}
	if rep.Warning != "" {
		// On stderr, as every command's warnings (it went to stdout); --json keeps it in "warning".
		fmt.Fprintf(stderr, "wisefuse model: warning: %s\n", rep.Warning)
	}
	if m := rep.MeasuredP95; m != nil && *m > 0 {
		fmt.Fprintf(stdout, "measured E2E P95 at %d MB: %.3fs (prediction error %+.1f%%)\n", pl.DefaultMemoryMB, *m, 100*(rep.P95.s / *m - 1))
	} else if m != nil {
		// A relative error against 0 s is no number ("+Inf%" was printed).
		fmt.Fprintf(stdout, "measured E2E P95 at %d MB: %.3fs (no relative prediction error against 0 s)\n", pl.DefaultMemoryMB, *m)
	}
	return nil
}

// planSizes lists the memory size pl gives each of w's functions.
func planSizes(pl *dag.Plan, w *dag.Workflow) []int {
	var sizes []int
	for _, f := range w.Functions {
		sizes = append(sizes, pl.MemoryOf(f.Name))
	}
	return sizes
}

// matchProfile checks that w is the workflow profile (a skeleton, wisefuse.Skeleton) was made of:
// the same steps, of the same kinds and names, in the same places, the same functions, and the
// same map widths (the profile holds the invocations of that many items). It names the first
// difference.
func matchProfile(w, profile *dag.Workflow, source string) error {
	skel := wisefuse.Skeleton(w)
	mismatch := func(format string, a ...any) error {
		return fmt.Errorf("workflow %q does not match the profile %s (workflow %q): %s", w.Name, source, profile.Name, fmt.Sprintf(format, a...))
	}
	var same func(at string, a, b []dag.Step) error
	same = func(at string, a, b []dag.Step) error {
		if len(a) != len(b) {
			return mismatch("%s: %d steps (%s), the profile has %d (%s)", at, len(a), chain(a), len(b), chain(b))
		}
		for i := range a {
			x, y := &a[i], &b[i]
			here := fmt.Sprintf("%s[%d]", at, i)
			switch {
			case x.Name != y.Name:
				return mismatch("%s: step %q, the profile has %q", here, x.Name, y.Name)
			case x.Kind() != y.Kind():
				return mismatch("step %q: a %s step, the profile's is a %s step", x.Name, x.Kind(), y.Kind())
			case x.Task != y.Task:
				return mismatch("step %q: runs function %q, the profile's runs %q", x.Name, x.Task, y.Task)
			case len(x.Parallel) != len(y.Parallel):
				return mismatch("step %q: %d branches, the profile's has %d", x.Name, len(x.Parallel), len(y.Parallel))
			}
			for j := range x.Parallel {
				if err := same(fmt.Sprintf("%s.parallel[%d]", x.Name, j), x.Parallel[j], y.Parallel[j]); err != nil {
					return err
				}
			}
			if x.Map != nil {
				nx, _ := x.Map.FixedItems()
				ny, _ := y.Map.FixedItems()
				if nx != ny {
					return mismatch("map step %q: %d items (mean), the profile's has %d", x.Name, nx, ny)
				}
				if err := same(x.Name+".map.iterator", x.Map.Iterator, y.Map.Iterator); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := same("steps", skel.Steps, profile.Steps); err != nil {
		return err
	}
	for _, f := range skel.Functions {
		if profile.Function(f.Name) == nil {
			return mismatch("function %q is not in the profile", f.Name)
		}
	}
	return nil
}

// modelFromLogs predicts pl from p, a profile of real logs (wisefuse.LogModel), at the sizes it
// kept (--use-sizes). w is the workflow the logs were made of, or nil: then the cost is not given,
// since the logs do not say how many items a Map stage runs. notes are the extrapolation warnings.
func modelFromLogs(p *wisefuse.Profile, w *dag.Workflow, pl *dag.Plan, plat *platform.Platform) (modelReport, []string, error) {
	if len(pl.Fuse) > 0 || len(pl.Bundle) > 0 {
		return modelReport{}, nil, fmt.Errorf("real logs time each stage, not its invocations: the log modeler predicts unfused, unbundled plans (--memory, or a --plan with memory sizes only); profile the workflow in the simulator ('wisefuse profile') to model fusion and bundles")
	}
	logs, err := p.Logs()
	if err != nil {
		return modelReport{}, nil, err
	}
	m, err := wisefuse.NewLogModel(logs, plat.Published())
	if err != nil {
		return modelReport{}, nil, err
	}
	var items []float64
	if w != nil {
		if items, err = wisefuse.LogStageItems(w, m.Stages); err != nil {
			return modelReport{}, nil, err
		}
	}
	memOf := func(stage string) int { return pl.MemoryOf(stage) }
	pr := m.Predict(memOf)
	rep := modelReport{Workflow: p.Workflow.Name, Plan: pl}
	rep.P50, rep.P95, rep.P99 = percentiles(pr.Latency, plat)
	if w != nil {
		c := m.Cost(pr, memOf, items)
		rep.Workflow, rep.MeanCost = w.Name, &c
	} else {
		rep.CostNote = "the logs give each stage's slowest invocation, not how many a Map runs; give the workflow (--workflow or --asl) to count every item"
	}
	cost := 0.0 // none without the workflow: nothing to check
	if rep.MeanCost != nil {
		cost = *rep.MeanCost
	}
	if err := predictedOutputs("model", pr.Latency, plat, cost); err != nil {
		return modelReport{}, nil, err
	}
	rep.TimedOut = pr.Latency.TimedOut()
	return rep, pr.Extrapolated, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
