package replay

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/traces"
)

// Run replays the trace cfg describes and writes its outputs into cfg.Out (output.go). It
// returns the summary it wrote. The trace is decoded, simulated and written on three goroutines
// (pipe.go); the outputs are those of one goroutine doing everything, byte for byte.
func Run(cfg Config) (*Summary, error) {
	return replayWith(cfg, (*simulation).pipelined)
}

// replayWith is Run with the simulation stage given: the tests hold the pipeline to one goroutine's
// replay, and make its writes fail.
func replayWith(cfg Config, simulate func(*simulation) (sim.ReplayStats, error)) (*Summary, error) {
	start := time.Now()
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	name, err := policy.Canonical(cfg.Policy)
	if err != nil {
		return nil, err
	}
	cfg.Policy = name
	if cfg.ColdAware && name != policy.WiseFuse {
		// Only WiseFuse plans from profiles and a target that cold runs change.
		return nil, fmt.Errorf("replay: cold-aware planning is WiseFuse's (its profiles and the User-Max runs of its targets); policy %s plans from neither", name)
	}
	catalog := cfg.Catalog
	if catalog == "" {
		if catalog, err = traces.CatalogPath(cfg.Trace); err != nil {
			return nil, err
		}
	}
	if err := checkOut(&cfg, catalog); err != nil {
		return nil, err
	}
	// The trace is opened (and its columns checked) first, before its catalog and the planning,
	// which can take minutes: a trace that is missing or not a DAG table was reported as its
	// catalog's problem ("nope-catalog.parquet: no such file").
	tr, err := traces.OpenDAGTable(cfg.Trace)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	entries, err := traces.ReadCatalog(catalog)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && cfg.Catalog == "" {
			err = fmt.Errorf("%w (a trace written by `wisefuse trace gen` or `trace import` has its catalog beside it)", err)
		}
		return nil, fmt.Errorf("replay: the catalog: %w", err)
	}
	traceDigest, platformDigest, err := inputDigests(cfg.Trace, catalog, cfg.Platform)
	if err != nil {
		return nil, err
	}
	var mine []traces.CatalogEntry
	for _, e := range entries {
		if cfg.Shards == 0 || ShardOf(e.DAG, cfg.Shards) == cfg.Shard {
			mine = append(mine, e)
		}
	}
	// dag_id order: the DAG table's order, and the order sums are taken in.
	slices.SortFunc(mine, func(a, b traces.CatalogEntry) int { return cmp.Compare(a.DAG, b.DAG) })
	src := newSource(tr, entries, catalog, &cfg)
	plans, err := cfg.Plans.plans(&cfg, catalog, func() ([]dagPlan, error) {
		var shares []float64
		if cfg.ColdAware {
			var err error
			if shares, err = coldShares(&cfg, entries, mine, catalog); err != nil {
				return nil, err
			}
		}
		return planAll(&cfg, mine, shares)
	})
	if err != nil {
		return nil, err
	}
	planWall := time.Since(start).Seconds()
	src.replaying(plans)
	out, err := createOutputs(cfg.Out, len(plans), cfg.FunctionRows, cfg.SeriesInterval > 0, outputMetadata(cfg, traceDigest, platformDigest))
	if err != nil {
		return nil, err
	}
	defer out.abort()
	work := make([]sim.Workload, len(plans))
	var expected int64
	for i := range plans {
		work[i] = sim.Workload{Workflow: plans[i].entry.Workflow, Plan: plans[i].plan, Key: plans[i].key}
		expected += plans[i].entry.Invocations
	}
	if cfg.From != 0 || cfg.To != 0 {
		expected = -1 // unknown: the catalog counts the whole trace, not the window
	}
	var done int64
	emitted := func(o *sim.Outcome) {
		done++
		if cfg.Progress != nil && done&1023 == 0 {
			if done > expected {
				expected = -1 // the catalog's counts are not this trace's (the bar showed 512%)
			}
			cfg.Progress("replay", done, expected, o.Events)
		}
	}
	opt := sim.Options{Platform: cfg.Platform, Seed: cfg.Seed, SeriesInterval: cfg.SeriesInterval}
	var stats sim.ReplayStats
	// A shard that holds none of the catalog's DAGs writes empty tables and a summary of none, so
	// that a job array's task for it succeeds and merge takes it: with more shards than DAGs
	// some are empty, and they failed, leaving the others unmergeable.
	if len(work) > 0 {
		stats, err = simulate(&simulation{work: work, src: src, opt: opt, fns: cfg.FunctionRows,
			emitted: emitted, write: func(b *outBatch) error { return out.write(plans, b) }})
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
	}
	if cfg.Progress != nil {
		cfg.Progress("replay", done, done, stats.Events)
	}
	s := &Summary{Trace: cfg.Trace, Policy: cfg.Policy, Platform: cfg.PlatformName, Seed: cfg.Seed,
		TraceDigest: traceDigest, PlatformDigest: platformDigest, Shards: max(cfg.Shards, 1), ShardsIncluded: []int{cfg.Shard}, From: cfg.From, To: cfg.To,
		SLO: cfg.SLO, SLOFactor: cfg.SLOFactor, ColdAware: cfg.ColdAware, DAGs: int64(len(plans)), Events: stats.Events,
		PeakLive: stats.PeakLiveVMs, PlanWall: planWall,
		MeanRunning: stats.MeanRunningVMs, MeanIdle: stats.MeanIdleVMs, MeanLife: stats.MeanLifespanS,
		IdleGBS: stats.IdleGBS, Instances: stats.Instances}
	if cfg.SLO != 0 || cfg.Policy != policy.WiseFuse {
		s.SLOFactor = 0 // not used
	}
	if cfg.From == 0 && cfg.To == 0 {
		s.CatalogMismatch, s.CatalogMismatchDAGs = catalogMismatch(plans, out.dags, catalog)
	}
	s.Wall = time.Since(start).Seconds()
	if err := out.finish(plans, s, cfg.Policy); err != nil {
		return nil, err
	}
	return s, nil
}

// catalogMismatch compares each DAG's replayed invocations with the catalog's count of them, when
// the whole trace was replayed: they differ only when the catalog is another trace's, whose DAGs
// have this trace's structures and data sizes (the rows are checked against those as they are
// read), such as a trace of the same population with more invocations. The replay is then right
// about this trace's rows, but the catalog is not this trace's, so it is said rather than
// refused after the work. "" and 0 when they agree; else the message and how many DAGs differ.
func catalogMismatch(plans []dagPlan, got []dagStats, catalog string) (string, int64) {
	n, first := 0, -1
	for i := range plans {
		if got[i].n != plans[i].entry.Invocations {
			if n++; first < 0 {
				first = i
			}
		}
	}
	if n == 0 {
		return "", 0
	}
	return fmt.Sprintf("%d of %d DAGs were invoked more or fewer times than %s counts (the first, %s: %d in the trace, %d in the catalog); it looks like another trace's catalog",
		n, len(plans), catalog, plans[first].entry.DAG, got[first].n, plans[first].entry.Invocations), int64(n)
}

// checkOut refuses, before any work, an output folder that is a file, and one that holds the
// trace or its catalog under a name the replay writes: `--in d/dags.parquet --out d` replaced the
// trace with the replay's DAG table, and `--out FILE` failed only after planning every DAG.
func checkOut(cfg *Config, catalog string) error {
	st, err := os.Stat(cfg.Out)
	if err != nil {
		// Made by the replay, unless a file stands in its path (afile/out failed only after
		// planning every DAG, "mkdir afile: not a directory").
		if err := atomicfile.CheckDir(cfg.Out); err != nil {
			return fmt.Errorf("replay: output folder %s: %w", cfg.Out, err)
		}
		return nil
	}
	if !st.IsDir() {
		return fmt.Errorf("replay: output folder %s is a file, want a folder (or a path to create)", cfg.Out)
	}
	type input struct {
		what, path string
		st         os.FileInfo
	}
	var ins []input
	for _, in := range []input{{what: "the trace", path: cfg.Trace}, {what: "its catalog", path: catalog}} {
		if in.st, err = os.Stat(in.path); err == nil {
			ins = append(ins, in)
		}
	}
	for _, name := range []string{InvocationsFile, DAGsFile, SummaryFile, FunctionsFile, SeriesFile} {
		out, err := os.Stat(filepath.Join(cfg.Out, name))
		if err != nil {
			continue
		}
		for _, in := range ins {
			if os.SameFile(in.st, out) {
				return fmt.Errorf("replay: %s is %s %s, and the replay writes %s into %s: writing it would replace the input; give another output folder",
					filepath.Join(cfg.Out, name), in.what, in.path, name, cfg.Out)
			}
		}
	}
	return nil
}
