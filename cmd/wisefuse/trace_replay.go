package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/replay"
	"github.com/wisefuse/wisefuse/sim"
)

// maxSLOFactor is the largest --slo-factor: a DAG's target at a million times its User-Max P95
// is no target, and the factor times any P95 the simulator's clock holds stays finite.
const maxSLOFactor = 1e6

func runTraceReplay(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	in := fs.String("in", "", "DAG-invocation `file` (.parquet or .csv), sorted by arrival; its catalog FILE-catalog.EXT beside it")
	catalog := fs.String("catalog", "", "the trace's catalog `file` (default: beside --in)")
	pol := fs.String("policy", "user-max", "plan every DAG with `NAME` in "+strings.Join(policy.Names(), "|"))
	slo := fs.Duration("slo", 0, "one latency target for every DAG, e.g. 30s (policies that take one: wisefuse)")
	sloFactor := fs.Float64("slo-factor", replay.DefaultSLOFactor, "without --slo, each DAG's target is `F` times its User-Max P95")
	coldAware := fs.Bool("cold-aware", false, "plan each DAG (its profile, and the User-Max runs of its target) from runs cold as often as its invocations come after the keep-alive in the trace (policy wisefuse)")
	platformFlag := fs.String("platform", "", "platform: a built-in `NAME` ("+strings.Join(platform.Names(), ", ")+") or a JSON FILE of overrides (docs/simulator.md)")
	seed := fs.Uint64("seed", 1, "random `SEED`; with (dag_id, invocation_id) it keys every draw")
	from := fs.Float64("from", 0, "replay arrivals at or after `SECONDS`")
	to := fs.Float64("to", 0, "replay arrivals before `SECONDS` (0: to the end)")
	shard := fs.String("shard", "", "replay only the DAGs of shard `I/N` (by a hash of dag_id); merge with 'trace merge'")
	out := fs.String("out", "", "output `dir`: invocations.parquet, dags.parquet, summary.json")
	functionRows := fs.Bool("function-rows", false, "also write functions.parquet, one row per function invocation (about 10x the rows)")
	seriesInterval := fs.Float64("series-interval", 0, "also write series.parquet: per `SECONDS` of simulated time, the time-average running and idle instances and idle GB-seconds (0: none)")
	workers := fs.Int("workers", 0, "DAGs planned in parallel (0: one per core); outputs do not depend on it")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	quiet := fs.Bool("quiet", false, "no progress bar (there is none when stderr is not a terminal)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *in == "" || *out == "":
		return usagef("--in and --out are required")
	case *slo < 0 || (*slo == 0 && given(fs, "slo")):
		// --slo 0s was taken as not given, as plan and simulate refuse it.
		return usagef("--slo %v: want a positive latency target (or leave --slo out for --slo-factor)", *slo)
	case given(fs, "slo") && given(fs, "slo-factor"):
		// The factor was dropped silently (the summary said slo_factor 0).
		return usagef("--slo %v --slo-factor %v: give one: --slo sets every DAG's target, --slo-factor each DAG's from its User-Max P95", *slo, *sloFactor)
	}
	// A factor of 1e308 made targets of +Inf, written to dags.parquet.
	if err := wantFloat("slo-factor", *sloFactor, 0, maxSLOFactor, false, "a target that many times a DAG's User-Max P95 constrains nothing"); err != nil {
		return err
	}
	// The window's ends are times of the trace, which the simulator's clock holds (a negative
	// --from was refused by the replay with exit 1 and without naming the flag).
	for _, f := range []struct {
		name string
		v    float64
	}{{"from", *from}, {"to", *to}, {"series-interval", *seriesInterval}} {
		if err := wantFloat(f.name, f.v, 0, sim.MaxTime, true, "sim.MaxTime, the simulator's clock limit"); err != nil {
			return err
		}
	}
	if *to != 0 && *to <= *from {
		// A usage error, as the flags' own checks; the replay's own check said so with exit 1.
		return usagef("--from %v --to %v: the window is empty; want --to after --from (or 0: to the end)", *from, *to)
	}
	if err := wantInt("workers", *workers, 0, maxWorkers, "more goroutines than this only add memory"); err != nil {
		return err
	}
	if c, err := policy.Canonical(*pol); err == nil && c != policy.WiseFuse {
		if err := onlyWith(fs, false, "--policy wisefuse (policy "+c+" takes no latency target)", "slo", "slo-factor", "cold-aware"); err != nil {
			return err
		}
	}
	if _, err := policy.Canonical(*pol); err != nil {
		return usagef("--policy %q: %v", *pol, err)
	}
	cfg := replay.Config{Trace: *in, Catalog: *catalog, Policy: *pol, SLO: slo.Seconds(), SLOFactor: *sloFactor, ColdAware: *coldAware,
		Seed: *seed, From: *from, To: *to, Out: *out, Workers: *workers, FunctionRows: *functionRows,
		SeriesInterval: *seriesInterval, Metadata: provenance(fs).Metadata}
	if *shard != "" {
		i, n, err := replay.ParseShard(*shard)
		if err != nil {
			return usagef("--shard: %v", err)
		}
		cfg.Shard, cfg.Shards = i, n
	}
	if *platformFlag != "" {
		p, err := platform.Load(*platformFlag)
		if err != nil {
			return err
		}
		cfg.Platform, cfg.PlatformName = p, *platformFlag
	}
	ctx, stop := interruptible()
	defer stop()
	cfg.Context = ctx
	bar := newStageBar(*quiet, map[string]string{"plan": "planning DAGs", "replay": "DAG invocations"})
	cfg.Progress = bar.updateEvents
	s, err := replay.Run(cfg)
	bar.finish()
	if err != nil {
		if ierr := interrupted(ctx, "trace replay of %s interrupted; nothing written to %s", *in, *out); ierr != nil {
			return ierr
		}
		return err
	}
	if *seriesInterval > 0 {
		if _, err := drawSeries(filepath.Join(*out, replay.SeriesFile), fmt.Sprintf("Replay of %s: instances per %g s", filepath.Base(*in), *seriesInterval)); err != nil {
			return err
		}
	}
	return printReplaySummary(stdout, stderr, "replay", s, *out, *asJSON)
}

func runTraceMerge(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	out := fs.String("out", "", "output `dir` for the merged tables and summary")
	asJSON := fs.Bool("json", false, "print the merged summary as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return usagef("give --out DIR and the shards' output folders")
	}
	s, err := replay.Merge(*out, fs.Args(), provenance(fs))
	if err != nil {
		return err
	}
	return printReplaySummary(stdout, stderr, "merge", s, *out, *asJSON)
}

func printReplaySummary(stdout, stderr io.Writer, sub string, s *replay.Summary, dir string, asJSON bool) error {
	if s.CatalogMismatch != "" {
		fmt.Fprintf(stderr, "wisefuse trace %s: warning: %s\n", sub, s.CatalogMismatch)
	}
	if asJSON {
		return printJSON(stdout, s)
	}
	pol := s.Policy
	if s.ColdAware {
		pol += " (planned cold-aware)"
	}
	fmt.Fprintf(stdout, "replayed %d DAG invocations (%d function invocations) of %d DAGs under %s in %.1f s (planning %.1f s): %s\n",
		s.DAGInvocations, s.FunctionInvocations, s.DAGsInvoked, pol, s.Wall, s.PlanWall, dir)
	if s.DAGInvocations == 0 {
		fmt.Fprintf(stdout, "shard %v of %d holds no DAG invocation (%d of the catalog's DAGs are in it): its tables are empty, for trace merge to add as nothing\n",
			s.ShardsIncluded, s.Shards, s.DAGs)
		return nil
	}
	fmt.Fprintf(stdout, "latency P50 %.3f s  P95 %.3f s  P99 %.3f s; cost $%.4f; cold starts %.2f%%; throttled %d; timed out %d\n",
		s.P50, s.P95, s.P99, s.TotalCost, 100*s.ColdStartFraction, s.Throttled, s.TimedOut)
	switch {
	case s.FallbackDAGs == 1:
		fmt.Fprintf(stdout, "1 DAG ran User-Max: %s could not plan it (dags.parquet's note says why)\n", s.Policy)
	case s.FallbackDAGs > 1:
		fmt.Fprintf(stdout, "%d DAGs ran User-Max: %s could not plan them (dags.parquet's note says why)\n", s.FallbackDAGs, s.Policy)
	}
	return nil
}
