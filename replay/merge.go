package replay

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/internal/sketch"
	"github.com/wisefuse/wisefuse/tables"
)

// Merge combines the output folders of shards of one replay (Config.Shard) into out: the DAG
// tables merged by dag_id, the invocation tables merged by end time (ties in shard order), and
// the summary recomputed from the DAG rows and their sketches in dag_id order. The folders are
// taken in the order of their shards (a merged folder at its lowest), not in the order given, so
// the output does not depend on it (a shell glob puts shard-10 before shard-2). Each
// DAG lives in one shard and its randomness is keyed by (dag_id, invocation_id), so when no shard
// reached the concurrency limit the merged counts, costs and sketch quantiles equal those of
// one replay of the whole trace; with the limit reached, each shard had a whole account's limit
// to itself (docs/traces.md, "Sharding").
//
// The output appears whole or not at all: a merge that fails removes the tables it wrote (and
// out, when it made it), so a folder with tables but no summary cannot be left behind.
func Merge(out string, dirs []string, meta ...tables.Options) (_ *Summary, err error) {
	start := time.Now()
	if len(dirs) == 0 {
		return nil, errors.New("merge: no shard folders given")
	}
	sums := make([]*Summary, len(dirs))
	for i, d := range dirs {
		s, err := ReadSummary(filepath.Join(d, SummaryFile))
		if err != nil {
			return nil, fmt.Errorf("merge: %s is not a finished replay (%w)", d, err)
		}
		sums[i] = s
	}
	dirs, sums = byShard(dirs, sums)
	if err := checkShards(dirs, sums); err != nil {
		return nil, err
	}
	opts, err := mergedMetadata(dirs[0], meta)
	if err != nil {
		return nil, err
	}
	meta = []tables.Options{opts}
	first := sums[0]
	s := &Summary{Trace: first.Trace, Policy: first.Policy, Platform: first.Platform, Seed: first.Seed,
		TraceDigest: first.TraceDigest, PlatformDigest: first.PlatformDigest, Shards: first.Shards, From: first.From, To: first.To, SLO: first.SLO, SLOFactor: first.SLOFactor, ColdAware: first.ColdAware}
	for _, x := range sums {
		s.ShardsIncluded = append(s.ShardsIncluded, x.ShardsIncluded...)
		s.DAGs += x.DAGs
		s.FallbackDAGs += x.FallbackDAGs
		s.PlanningRuns += x.PlanningRuns
		s.Events += x.Events
		s.PeakLive += x.PeakLive // an upper bound: shards peak at different times
		s.MeanRunning += x.MeanRunning
		s.MeanIdle += x.MeanIdle
		s.IdleGBS += x.IdleGBS
		s.MeanLife += x.MeanLife * float64(x.Instances) // divided below
		s.Instances += x.Instances
		s.PlanWall += x.PlanWall
		s.Wall += x.Wall
		if s.CatalogMismatch == "" && x.CatalogMismatch != "" {
			s.CatalogMismatch = fmt.Sprintf("shard %d/%d: %s", x.ShardsIncluded[0], x.Shards, x.CatalogMismatch)
		}
		s.CatalogMismatchDAGs += x.CatalogMismatchDAGs
	}
	if s.CatalogMismatchDAGs > 0 {
		// Each shard counted its own DAGs: the whole is their sum, and the first shard's message
		// names a DAG.
		s.CatalogMismatch = fmt.Sprintf("%d of the %d DAGs were invoked more or fewer times than their catalog counts; %s", s.CatalogMismatchDAGs, s.DAGs, s.CatalogMismatch)
	}
	if s.Instances > 0 {
		s.MeanLife /= float64(s.Instances)
	}
	slices.Sort(s.ShardsIncluded)
	// Everything is written into a stage inside out and moved out together (summary.json last):
	// an interrupted merge left tables without a summary, and removed an earlier merge's summary
	// from beside its tables.
	_, statErr := os.Stat(out)
	stage, err := atomicfile.NewStage(out)
	if err != nil {
		return nil, err
	}
	defer func() {
		stage.Abort()
		if err != nil && statErr != nil {
			os.Remove(out) // made here; removed only if empty
		}
	}()
	t := newTotals(s)
	dagRows, err := mergeDAGs(filepath.Join(stage.Path(), DAGsFile), dirs, sums, t, meta)
	if err != nil {
		return nil, err
	}
	if err := t.done(); err != nil {
		return nil, err
	}
	invRows, err := mergeInvocations(filepath.Join(stage.Path(), InvocationsFile), dirs, sums, meta)
	if err != nil {
		return nil, err
	}
	s.Files = map[string]int64{InvocationsFile: invRows, DAGsFile: dagRows}
	if hasFunctions(first) {
		n, err := concatFunctions(filepath.Join(stage.Path(), FunctionsFile), dirs, sums, meta)
		if err != nil {
			return nil, err
		}
		s.Files[FunctionsFile] = n
	}
	s.Wall += time.Since(start).Seconds()
	if err := writeSummary(filepath.Join(stage.Path(), SummaryFile), s); err != nil {
		return nil, err
	}
	if err := stage.Commit(); err != nil {
		return nil, err
	}
	if err := removeStale(out, s.Files); err != nil {
		return nil, err
	}
	return s, nil
}

// concatFunctions writes the shards' function tables one after the other (grouped by shard, in
// the order the folders are given; each shard's rows in the order its DAG invocations finished).
// mergedMetadata is the provenance of merged tables: a shard's (the replay's command, trace,
// policy, seed...) without its shard, plus the merge's own, whose command is kept as
// merge_command. A merge of every shard so carries what the whole replay's tables carry.
func mergedMetadata(shardDir string, meta []tables.Options) (tables.Options, error) {
	m, err := tables.ReadMetadata(filepath.Join(shardDir, DAGsFile))
	if err != nil {
		return tables.Options{}, fmt.Errorf("merge: %w", err)
	}
	if m == nil {
		m = map[string]string{}
	}
	delete(m, "shard")
	if len(meta) > 0 {
		for k, v := range meta[0].Metadata {
			if k == "command" {
				k = "merge_command"
			}
			m[k] = v
		}
	}
	return tables.Options{Metadata: m}, nil
}

func concatFunctions(path string, dirs []string, sums []*Summary, meta []tables.Options) (int64, error) {
	w, err := tables.Create(path, FunctionSchema, meta...)
	if err != nil {
		return 0, err
	}
	defer w.Abort()
	read := make([]int64, len(dirs))
	for i, d := range dirs {
		r, err := tables.Open(filepath.Join(d, FunctionsFile), FunctionSchema)
		if err != nil {
			return 0, err
		}
		for r.Next() {
			read[i]++
			if err := tables.CopyRow(w, r, FunctionSchema); err != nil {
				r.Close()
				return 0, err
			}
		}
		err = r.Err()
		r.Close()
		if err != nil {
			return 0, err
		}
	}
	if err := checkRows(FunctionsFile, dirs, sums, read); err != nil {
		return 0, err
	}
	rows := w.Rows()
	return rows, w.Close()
}

// byShard returns dirs and their summaries in the order of their lowest shard (ReadSummary
// checks that a summary includes one).
func byShard(dirs []string, sums []*Summary) ([]string, []*Summary) {
	order := make([]int, len(dirs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return slices.Min(sums[a].ShardsIncluded) - slices.Min(sums[b].ShardsIncluded) })
	ds, ss := make([]string, len(dirs)), make([]*Summary, len(sums))
	for i, k := range order {
		ds[i], ss[i] = dirs[k], sums[k]
	}
	return ds, ss
}

// checkShards makes sure the folders are shards of one replay, each shard once, all present.
func checkShards(dirs []string, sums []*Summary) error {
	a := sums[0]
	seen := map[int]string{}
	for i, s := range sums {
		if what, x, y := differ(a, s); what != "" {
			return fmt.Errorf("merge: %s and %s are not shards of one replay: their %s differ (%s against %s)", dirs[0], dirs[i], what, x, y)
		}
		// Function rows in some shards only: merged in the order given, the first shard's
		// choice decided, so a merge either dropped the other shards' function tables or
		// failed after writing the DAG and invocation tables.
		if fns := hasFunctions(s); fns != hasFunctions(a) {
			with, without := dirs[0], dirs[i]
			if fns {
				with, without = dirs[i], dirs[0]
			}
			return fmt.Errorf("merge: %s has %s but %s has not (replayed without --function-rows): replay every shard with --function-rows, or none",
				with, FunctionsFile, without)
		}
		for _, k := range s.ShardsIncluded {
			if prev, dup := seen[k]; dup {
				return fmt.Errorf("merge: shard %d/%d is in both %s and %s", k, a.Shards, prev, dirs[i])
			}
			seen[k] = dirs[i]
		}
	}
	// Every shard number is in range (ReadSummary), so the count of the missing ones is a
	// difference, and listing the first few takes at most len(seen)+maxListed steps whatever
	// the shard count (listing all of 10^12 shards ran out of memory).
	n := a.Shards - len(seen)
	if n == 0 {
		for i, s := range sums {
			if err := checkTables(dirs[i], s); err != nil {
				return err
			}
		}
		return nil
	}
	const maxListed = 10
	var missing []string
	for k := 0; k < a.Shards && len(missing) < min(n, maxListed); k++ {
		if _, ok := seen[k]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", k, a.Shards))
		}
	}
	if n > maxListed {
		missing = append(missing, fmt.Sprintf("and %d more", n-maxListed))
	}
	if n == 1 {
		return fmt.Errorf("merge: shard %s is missing", missing[0])
	}
	return fmt.Errorf("merge: shards %s are missing", strings.Join(missing, ", "))
}

// differ returns the first setting in which two shards' replays differ, and each one's value;
// "" when they agree. The trace is compared by its bytes and its catalog's (a folder's name may
// differ from machine to machine), the platform by its values.
func differ(a, b *Summary) (what, x, y string) {
	switch {
	case (a.TraceDigest == "") != (b.TraceDigest == ""):
		// A shard of a wisefuse before the digests: not comparable, rather than "differ".
		return "versions (one summary has no trace_digest: written by an earlier wisefuse; replay that shard again)", a.TraceDigest, b.TraceDigest
	case a.TraceDigest != b.TraceDigest:
		return "traces (SHA-256 of the trace and its catalog)", a.Trace + " " + a.TraceDigest, b.Trace + " " + b.TraceDigest
	case a.Platform != b.Platform || a.PlatformDigest != b.PlatformDigest:
		return "platforms (SHA-256 of their settings)", a.Platform + " " + a.PlatformDigest, b.Platform + " " + b.PlatformDigest
	}
	for _, f := range []struct {
		what string
		x, y any
	}{
		{"policies", a.Policy, b.Policy},
		{"seeds", a.Seed, b.Seed},
		{"shard counts", a.Shards, b.Shards},
		{"windows' starts (--from, s)", a.From, b.From},
		{"windows' ends (--to, s; 0: the trace's end)", a.To, b.To},
		{"SLOs (--slo, s)", a.SLO, b.SLO},
		{"SLO factors (--slo-factor)", a.SLOFactor, b.SLOFactor},
		{"planning (--cold-aware)", a.ColdAware, b.ColdAware},
	} {
		if x, y := fmt.Sprint(f.x), fmt.Sprint(f.y); x != y {
			return f.what, x, y
		}
	}
	return "", "", ""
}

// checkTables refuses a shard folder whose tables are not all from the replay its summary
// describes: each table carries that replay's seed, shard and input digests in its metadata
// (outputMetadata). A DAG table of another seed with as many rows went in unnoticed before.
func checkTables(dir string, s *Summary) error {
	want := map[string]string{"seed": fmt.Sprint(s.Seed), "trace_digest": s.TraceDigest, "platform_digest": s.PlatformDigest}
	if s.Shards > 1 && len(s.ShardsIncluded) == 1 {
		want["shard"] = fmt.Sprintf("%d/%d", s.ShardsIncluded[0], s.Shards)
	}
	for _, file := range slices.Sorted(maps.Keys(s.Files)) {
		path := filepath.Join(dir, file)
		m, err := tables.ReadMetadata(path)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if got := m[k]; got != want[k] {
				return fmt.Errorf("merge: %s was written with %s %q, but %s says %q: the files come from different replays; rerun that shard",
					path, k, got, filepath.Join(dir, SummaryFile), want[k])
			}
		}
	}
	return nil
}

// hasFunctions reports whether s's replay wrote the function table (--function-rows).
func hasFunctions(s *Summary) bool {
	_, ok := s.Files[FunctionsFile]
	return ok
}

// checkRows compares the rows read from each shard's file with what its summary lists, so a
// folder whose files come from two replays is refused.
func checkRows(file string, dirs []string, sums []*Summary, got []int64) error {
	for i, d := range dirs {
		if want, ok := sums[i].Files[file]; !ok || got[i] != want {
			return fmt.Errorf("merge: %s has %d rows but %s lists %d: the files come from different replays; rerun that shard",
				filepath.Join(d, file), got[i], filepath.Join(d, SummaryFile), want)
		}
	}
	return nil
}

// mergeDAGs merges the shards' DAG tables by dag_id into path and sums them into t.
func mergeDAGs(path string, dirs []string, sums []*Summary, t *totals, meta []tables.Options) (int64, error) {
	rs := make([]*tables.Reader, len(dirs))
	for i, d := range dirs {
		r, err := tables.Open(filepath.Join(d, DAGsFile), DAGSchema)
		if err != nil {
			return 0, err
		}
		defer r.Close()
		rs[i] = r
	}
	w, err := tables.Create(path, DAGSchema, meta...)
	if err != nil {
		return 0, err
	}
	defer w.Abort()
	heads := make([]*dagRow, len(rs))
	read := make([]int64, len(rs))
	advance := func(i int) error {
		heads[i] = nil
		if rs[i].Next() {
			heads[i] = readDAGRow(rs[i])
			read[i]++
		}
		return rs[i].Err()
	}
	for i := range rs {
		if err := advance(i); err != nil {
			return 0, err
		}
	}
	for {
		k := -1
		for i, h := range heads {
			if h != nil && (k < 0 || h.id < heads[k].id) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		row := heads[k]
		lat, err := sketch.Decode(row.latSketch)
		if err != nil {
			return 0, fmt.Errorf("merge: %s: DAG %s: %w", dirs[k], row.id, err)
		}
		if err := t.add(row, lat); err != nil {
			return 0, err
		}
		if err := writeDAGRow(w, row); err != nil {
			return 0, err
		}
		if err := advance(k); err != nil {
			return 0, err
		}
	}
	if err := checkRows(DAGsFile, dirs, sums, read); err != nil {
		return 0, err
	}
	rows := w.Rows()
	return rows, w.Close()
}

func readDAGRow(r *tables.Reader) *dagRow {
	return &dagRow{id: strings.Clone(r.String(0)), policy: strings.Clone(r.String(1)), slo: r.Float(2),
		userMaxP95: r.Float(3), predP95: r.Float(4), note: strings.Clone(r.String(5)), n: r.Int(6), fns: r.Int(7),
		colds: r.Int(8), throttled: r.Int(9), timedOut: r.Int(10), p50: r.Float(11), p95: r.Float(12),
		p99: r.Float(13), meanLat: r.Float(14), latSum: r.Float(15), cost: r.Float(16), runs: r.Int(17),
		plan: strings.Clone(r.String(18)), latSketch: strings.Clone(r.String(19)), rejected: r.Int(20), retries: r.Int(21), coldShare: r.Float(22)}
}

// mergeInvocations merges the shards' invocation tables by end time into path.
func mergeInvocations(path string, dirs []string, sums []*Summary, meta []tables.Options) (int64, error) {
	rs := make([]*tables.Reader, len(dirs))
	for i, d := range dirs {
		r, err := tables.Open(filepath.Join(d, InvocationsFile), InvocationSchema)
		if err != nil {
			return 0, err
		}
		defer r.Close()
		rs[i] = r
	}
	w, err := tables.Create(path, InvocationSchema, meta...)
	if err != nil {
		return 0, err
	}
	defer w.Abort()
	live := make([]bool, len(rs))
	read := make([]int64, len(rs))
	next := func(i int) error {
		live[i] = rs[i].Next()
		if live[i] {
			read[i]++
		}
		return rs[i].Err()
	}
	for i := range rs {
		if err := next(i); err != nil {
			return 0, err
		}
	}
	endCol := InvocationSchema.Index("end_s")
	for {
		k := -1
		for i, r := range rs {
			if live[i] && (k < 0 || r.Float(endCol) < rs[k].Float(endCol)) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		if err := tables.CopyRow(w, rs[k], InvocationSchema); err != nil {
			return 0, err
		}
		if err := next(k); err != nil {
			return 0, err
		}
	}
	if err := checkRows(InvocationsFile, dirs, sums, read); err != nil {
		return 0, err
	}
	rows := w.Rows()
	return rows, w.Close()
}
