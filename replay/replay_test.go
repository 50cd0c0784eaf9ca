package replay

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/tables"

	"github.com/wisefuse/wisefuse/traces"
)

// genTrace writes a small generated trace of one day (and its catalog) into dir and returns its
// path.
func genTrace(t testing.TB, dir, name string, dags int, invocations int64) string {
	return genTraceDays(t, dir, name, dags, invocations, 1)
}

func genTraceDays(t testing.TB, dir, name string, dags int, invocations int64, days float64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	w, err := traces.CreateDAGTable(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	sum, err := traces.Generate(traces.GenConfig{Population: traces.PopulationConfig{DAGs: dags, Invocations: invocations},
		Days: days, Seed: 7, RunsPerDAG: 4}, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := traces.WriteCatalog(path, sum.Population); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, cfg Config) *Summary {
	t.Helper()
	s, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestShardsMergeToTheWhole: three shards merged give the summary and DAG table of one replay of
// the whole trace: counts and costs exactly, quantiles exactly (the sketches merge exactly).
func TestShardsMergeToTheWhole(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 60, 3000)
	for _, pol := range []string{"user-max", "sonic"} {
		whole := run(t, Config{Trace: trace, Policy: pol, Out: filepath.Join(dir, pol, "whole"), Seed: 3, FunctionRows: true})
		var shards []string
		for i := range 3 {
			out := filepath.Join(dir, pol, "shard", string(rune('a'+i)))
			run(t, Config{Trace: trace, Policy: pol, Out: out, Seed: 3, Shard: i, Shards: 3, FunctionRows: true})
			shards = append(shards, out)
		}
		merged, err := Merge(filepath.Join(dir, pol, "merged"), shards)
		if err != nil {
			t.Fatal(err)
		}
		if merged.DAGInvocations != 3000 || whole.DAGInvocations != 3000 {
			t.Fatalf("%s: %d merged, %d whole DAG invocations, want 3000", pol, merged.DAGInvocations, whole.DAGInvocations)
		}
		type pair struct {
			name string
			a, b float64
		}
		for _, p := range []pair{
			{"function invocations", float64(whole.FunctionInvocations), float64(merged.FunctionInvocations)},
			{"cost", whole.TotalCost, merged.TotalCost}, {"p50", whole.P50, merged.P50}, {"p95", whole.P95, merged.P95},
			{"p99", whole.P99, merged.P99}, {"mean", whole.MeanLatency, merged.MeanLatency},
			{"cold starts", float64(whole.ColdStarts), float64(merged.ColdStarts)},
			{"timed out", float64(whole.TimedOut), float64(merged.TimedOut)},
		} {
			if p.a != p.b {
				t.Errorf("%s: %s: whole %v, merged %v", pol, p.name, p.a, p.b)
			}
		}
		if whole.Files[FunctionsFile] != whole.FunctionInvocations || merged.Files[FunctionsFile] != whole.FunctionInvocations {
			t.Errorf("%s: %d function rows whole, %d merged, want %d", pol, whole.Files[FunctionsFile], merged.Files[FunctionsFile], whole.FunctionInvocations)
		}
		a, _ := os.ReadFile(filepath.Join(dir, pol, "whole", DAGsFile))
		b, _ := os.ReadFile(filepath.Join(dir, pol, "merged", DAGsFile))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: merged DAG table differs from the whole replay's", pol)
		}
		// The folders in another order (a shell glob sorts shard-10 before shard-2) merge to
		// the same bytes.
		slices.Reverse(shards)
		if _, err := Merge(filepath.Join(dir, pol, "reversed"), shards); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{InvocationsFile, DAGsFile, FunctionsFile} {
			a, _ := os.ReadFile(filepath.Join(dir, pol, "merged", f))
			b, _ := os.ReadFile(filepath.Join(dir, pol, "reversed", f))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%s: %s differs when the shard folders are given in reverse (%d and %d bytes)", pol, f, len(a), len(b))
			}
		}
	}
}

// TestSameBytesWhateverTheWorkers: planning in parallel does not change a byte of the output.
func TestSameBytesWhateverTheWorkers(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 40, 2000)
	for _, w := range []int{1, 3} {
		run(t, Config{Trace: trace, Policy: "photons", Out: filepath.Join(dir, "w", string(rune('0'+w))), Workers: w})
	}
	for _, f := range []string{InvocationsFile, DAGsFile} {
		a, _ := os.ReadFile(filepath.Join(dir, "w", "1", f))
		b, _ := os.ReadFile(filepath.Join(dir, "w", "3", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 3 workers (%d and %d bytes)", f, len(a), len(b))
		}
	}
}

// TestBadTraces: each bad input stops the replay with an error that names the file, the row and
// the column, and leaves no output (no summary, no table, no temporary file).
func TestBadTraces(t *testing.T) {
	dir := t.TempDir()
	trace, catalog, lines := csvTrace(t, dir, 30, 1000)
	write := func(name string, ls []string) string { return writeLines(t, filepath.Join(dir, name+".csv"), ls) }
	swapped := slices.Clone(lines)
	swapped[5], swapped[6] = swapped[6], swapped[5]
	if field(swapped[5], 2) == field(swapped[6], 2) {
		t.Fatal("rows 5 and 6 arrive at the same time; pick others")
	}
	unknown := slices.Clone(lines)
	unknown[4] = withField(unknown[4], 0, "no-such-dag")
	nan := slices.Clone(lines)
	nan[3] = withField(nan[3], 2, "NaN")
	// The last row arriving past the simulator's clock: the engine refused it mid-replay,
	// blaming "a work, latency or distribution parameter of the workflow or platform".
	late := slices.Clone(lines)
	late[len(late)-1] = withField(late[len(late)-1], 2, "1e13")
	// Row 2 with the structure (width, depth, nodes) of a row of another DAG whose structure
	// differs: as a catalog of another trace with the same dag_ids pairs them. It passes the
	// reader's own checks (a consistent structure), and used to replay the catalog's workflow.
	reshaped := slices.Clone(lines)
	for _, l := range lines[2:] {
		if field(l, 3) != field(lines[1], 3) {
			for c := 3; c <= 5; c++ {
				reshaped[1] = withField(reshaped[1], c, field(l, c))
			}
			break
		}
	}
	if reshaped[1] == lines[1] {
		t.Fatal("every row has the first row's width; pick another trace")
	}
	otherData := slices.Clone(lines)
	otherData[1] = withField(otherData[1], 6, "12345")
	for name, tc := range map[string]struct {
		trace string
		want  []string
	}{
		"arrival past sim.MaxTime": {write("late", late), []string{"late.csv", fmt.Sprintf("line %d", len(late)), `"arrival_s": 1e+13, want a time from 0 to 1e+12 s (sim.MaxTime, the simulator's clock limit)`}},
		"unsorted":                 {write("unsorted", swapped), []string{"unsorted.csv", "line 7", `"arrival_s"`, "sorted"}},
		"unknown DAG":              {write("unknown", unknown), []string{"unknown.csv", "line 5", `"dag_id"`, "no-such-dag", "catalog"}},
		// In Parquet the same rows are named by their 1-based data row, as the reader's own
		// checks name them (the replay's own checks named them from 0).
		"unsorted, Parquet":    {asParquet(t, write("unsorted-pq", swapped)), []string{"unsorted-pq.parquet", "row 6,", `"arrival_s"`, "sorted"}},
		"unknown DAG, Parquet": {asParquet(t, write("unknown-pq", unknown)), []string{"unknown-pq.parquet", "row 4,", `"dag_id"`, "no-such-dag"}},
		"NaN arrival":          {write("nan", nan), []string{"nan.csv", "line 4", `"arrival_s"`}},
		"another structure": {write("reshaped", reshaped), []string{"reshaped.csv", "line 2", `column "width"`, "but the catalog " + catalog + " gives DAG " + strconv.Quote(field(lines[1], 0)) + " width " + field(lines[1], 3),
			"another trace's"}},
		"another data size": {write("data", otherData), []string{"data.csv", "line 2", `column "data_bytes": 12345, but the catalog`, "data_bytes " + field(lines[1], 6)}},
		"missing column":    {write("nocol", []string{"dag_id,invocation_id", "a,1"}), []string{"nocol.csv", "arrival_s"}},
		// Was "no DAG invocation of this shard is in the time window", with neither given.
		"header only": {write("header", lines[:1]), []string{"header.csv has no DAG invocation"}},
	} {
		// Every bad trace shares the good one's catalog.
		cat := catalog
		out := filepath.Join(dir, "out-"+strings.ReplaceAll(name, " ", "-"))
		_, err := Run(Config{Trace: tc.trace, Catalog: cat, Out: out})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", name, err, w)
			}
		}
		if ents, _ := os.ReadDir(out); len(ents) != 0 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("%s: left %v in the output folder", name, names)
		}
	}
	if _, err := Run(Config{Trace: trace, Out: filepath.Join(dir, "late"), From: 1e9}); err == nil ||
		!strings.Contains(err.Error(), "no DAG invocation of "+trace+" is in the window from 1e+09 s to the end") {
		t.Errorf("a window after the last arrival: %v, want an error naming the window", err)
	}
	// A shard without invocations is no error: a job array's task for it must succeed, and
	// merge adds it as nothing (TestEmptyShards).
	if s, err := Run(Config{Trace: trace, Out: filepath.Join(dir, "late-shard"), From: 1e9, Shard: 1, Shards: 2}); err != nil || s.DAGInvocations != 0 {
		t.Errorf("a shard's window after the last arrival: %v, want an empty shard", err)
	}
	if _, err := Run(Config{Trace: write("none", lines), Out: filepath.Join(dir, "x")}); err == nil || !strings.Contains(err.Error(), "none-catalog.csv") {
		t.Errorf("missing catalog: %v, want an error naming none-catalog.csv", err)
	}
	for _, spec := range []string{"3/2", "1/0", "-1/2", "a/b", "2"} {
		if _, _, err := ParseShard(spec); err == nil {
			t.Errorf("shard %q accepted", spec)
		}
	}
}

// TestMergeMismatchedShards: shards of which only some have function rows are refused, whichever
// is given first, and a merge that fails writes nothing. Before, the first shard decided: with a
// shard without function rows first, the others' were dropped silently; with one with them
// first, the merge failed after writing the DAG and invocation tables, left in the output
// without a summary. A shard whose invocation table is corrupt failed the same way.
func TestMergeMismatchedShards(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 20, 500)
	with := filepath.Join(dir, "with")
	without := filepath.Join(dir, "without")
	run(t, Config{Trace: trace, Out: with, Shard: 0, Shards: 2, FunctionRows: true})
	run(t, Config{Trace: trace, Out: without, Shard: 1, Shards: 2})
	for i, dirs := range [][]string{{with, without}, {without, with}} {
		out := filepath.Join(dir, fmt.Sprintf("merged-%d", i))
		_, err := Merge(out, dirs)
		if err == nil || !strings.Contains(err.Error(), with+" has functions.parquet but "+without+" has not") {
			t.Errorf("merge of %v: %v, want an error naming both shards", dirs, err)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("merge of %v: made %s", dirs, out)
		}
	}
	// A corrupt invocation table fails the merge after the DAG table was written.
	other := filepath.Join(dir, "other")
	run(t, Config{Trace: trace, Out: other, Shard: 1, Shards: 2, FunctionRows: true})
	if err := os.WriteFile(filepath.Join(other, InvocationsFile), []byte("PAR1"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "merged-corrupt")
	if _, err := Merge(out, []string{with, other}); err == nil {
		t.Fatal("merge of a shard with a corrupt invocation table: no error")
	}
	if _, err := os.Stat(out); err == nil {
		ents, _ := os.ReadDir(out)
		t.Errorf("failed merge left %s with %d entries", out, len(ents))
	}
}

// TestMergeOtherInputs: shards of two traces of one file name, or on two platforms of one name
// with other values, are refused with what differs named, and so is a shard folder whose DAG
// table comes from a replay of another seed with as many rows. All three merged before, into a
// summary of neither.
func TestMergeOtherInputs(t *testing.T) {
	dir := t.TempDir()
	traceA := genTrace(t, filepath.Join(dir, "a"), "t.parquet", 20, 500)
	traceB := genTrace(t, filepath.Join(dir, "b"), "t.parquet", 20, 600)
	shard := func(name, trace string, k int, seed uint64, plat *platform.Platform) string {
		out := filepath.Join(dir, name)
		run(t, Config{Trace: trace, Out: out, Shard: k, Shards: 2, Seed: seed, Platform: plat})
		return out
	}
	a0, a1 := shard("a0", traceA, 0, 1, nil), shard("a1", traceA, 1, 1, nil)
	if _, err := Merge(filepath.Join(dir, "ok"), []string{a0, a1}); err != nil {
		t.Fatalf("shards of one replay: %v", err)
	}
	b1 := shard("b1", traceB, 1, 1, nil)
	longer := platform.Default()
	longer.KeepAlive *= 2
	p1 := shard("p1", traceA, 1, 1, longer)
	s2 := shard("s2", traceA, 0, 2, nil)
	mixed := filepath.Join(dir, "mixed")
	if err := os.CopyFS(mixed, os.DirFS(a0)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s2, DAGsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mixed, DAGsFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{a0, b1}, "their traces (SHA-256 of the trace and its catalog) differ"},
		{[]string{a0, p1}, "their platforms (SHA-256 of their settings) differ"},
		{[]string{mixed, a1}, filepath.Join(mixed, DAGsFile) + ` was written with seed "2", but ` + filepath.Join(mixed, SummaryFile) + ` says "1"`},
	} {
		out := filepath.Join(dir, "merged")
		if _, err := Merge(out, c.dirs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("merge of %v: %v, want an error saying %q", c.dirs, err, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("merge of %v: made %s", c.dirs, out)
		}
	}
}

// TestNoStaleOutputs: a replay into a folder an earlier replay wrote leaves none of that replay's
// optional tables (functions, series) or series pictures beside its own summary; they stayed.
func TestNoStaleOutputs(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 10, 200)
	out := filepath.Join(dir, "out")
	run(t, Config{Trace: trace, Out: out, FunctionRows: true, SeriesInterval: 60})
	for _, name := range []string{"series.png", "series.svg"} {
		if err := os.WriteFile(filepath.Join(out, name), []byte("drawn by the CLI"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(t, Config{Trace: trace, Out: out, Seed: 2})
	ents, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if want := []string{DAGsFile, InvocationsFile, SummaryFile}; !slices.Equal(names, want) {
		t.Errorf("the folder holds %v, want %v", names, want)
	}
}

// TestFunctionRowsAddUpToTheDAG: with FunctionRows, each DAG invocation's function rows carry its
// whole cost but its orchestration: the function costs plus its transitions at the platform's
// price equal the DAG invocation's cost.
func TestFunctionRowsAddUpToTheDAG(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 30, 1500)
	out := filepath.Join(dir, "out")
	run(t, Config{Trace: trace, Policy: "photons", Out: out, FunctionRows: true})
	type key struct {
		dag string
		id  int64
	}
	fnCost, fns := map[key]float64{}, map[key]int64{}
	r, err := tables.Open(filepath.Join(out, FunctionsFile), FunctionSchema)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		k := key{strings.Clone(r.String(0)), r.Int(1)}
		fnCost[k] += r.Float(FunctionSchema.Index("cost_usd"))
		fns[k]++
	}
	r.Close()
	inv, err := tables.Open(filepath.Join(out, InvocationsFile), InvocationSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer inv.Close()
	price := platform.Default().TransitionUSD
	n := 0
	for inv.Next() {
		k := key{inv.String(0), inv.Int(1)}
		if got, want := fns[k], inv.Int(6); got != want {
			t.Fatalf("%v: %d function rows, the DAG row says %d", k, got, want)
		}
		// The DAG row has no transition count; recover it from the remainder and check it is a
		// whole number of transitions.
		rest := (inv.Float(5) - fnCost[k]) / price
		if math.Abs(rest-math.Round(rest)) > 1e-6 || rest < 0.5 {
			t.Fatalf("%v: DAG cost %v, function costs %v: the rest is %v transitions, want a whole number >= 1", k, inv.Float(5), fnCost[k], rest)
		}
		n++
	}
	if n != 1500 {
		t.Errorf("%d DAG rows, want 1500", n)
	}
}

// TestFunctionRowsTimedOut: under a function timeout some DAG invocations fail, and the function
// rows say which: a DAG invocation is timed_out in invocations.parquet exactly when one of its
// function rows is. (The function rows had no timed_out column: a cut-short invocation read as a
// finished one.)
func TestFunctionRowsTimedOut(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 30, 1500)
	out := filepath.Join(dir, "out")
	plat, err := platform.Parse("short.json", []byte(`{"base": "aws-lambda", "function_timeout_s": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	s := run(t, Config{Trace: trace, Policy: "user-max", Platform: plat, Out: out, FunctionRows: true})
	if s.TimedOut == 0 || s.TimedOut == s.DAGInvocations {
		t.Fatalf("%d of %d DAG invocations timed out: want some, not all", s.TimedOut, s.DAGInvocations)
	}
	type key struct {
		dag string
		id  int64
	}
	fnTimedOut := map[key]bool{}
	r, err := tables.Open(filepath.Join(out, FunctionsFile), FunctionSchema)
	if err != nil {
		t.Fatal(err)
	}
	col := FunctionSchema.Index("timed_out")
	for r.Next() {
		k := key{strings.Clone(r.String(0)), r.Int(1)}
		fnTimedOut[k] = fnTimedOut[k] || r.Bool(col)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	inv, err := tables.Open(filepath.Join(out, InvocationsFile), InvocationSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer inv.Close()
	var timedOut int64
	icol := InvocationSchema.Index("timed_out")
	for inv.Next() {
		k := key{inv.String(0), inv.Int(1)}
		dagTimedOut := inv.Bool(icol)
		if dagTimedOut != fnTimedOut[k] {
			t.Fatalf("%v: timed_out %v in %s, but a function row timed out: %v", k, dagTimedOut, InvocationsFile, fnTimedOut[k])
		}
		if dagTimedOut {
			timedOut++
		}
	}
	if timedOut != s.TimedOut {
		t.Errorf("%d rows timed out, the summary counts %d", timedOut, s.TimedOut)
	}
}

// csvTrace generates a CSV trace of dags DAGs and n DAG invocations in dir (good.csv, with its
// catalog) and returns its path, its catalog's and its lines (the header first).
func csvTrace(t *testing.T, dir string, dags int, n int64) (trace, catalog string, lines []string) {
	t.Helper()
	trace = genTrace(t, dir, "good.csv", dags, n)
	catalog, err := traces.CatalogPath(trace)
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	return trace, catalog, strings.Split(strings.TrimSpace(string(good)), "\n")
}

// writeLines writes lines to path, one per line, and returns path.
func writeLines(t *testing.T, path string, lines []string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// field is CSV line's field i; withField the line with field i set to v.
func field(line string, i int) string { return strings.Split(line, ",")[i] }

func withField(line string, i int, v string) string {
	f := strings.Split(line, ",")
	f[i] = v
	return strings.Join(f, ",")
}

// TestBadSummaries: a shard's summary.json that no replay wrote is refused by the merge with the
// file, the line and what was expected, and the merge writes nothing. Before, it was read with
// encoding/json (no line, a repeated key kept its last value, data after the object named no
// place), a shard number out of range was merged, and "shards": 10^12 listed every missing shard
// until the merge ran out of memory.
func TestBadSummaries(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 20, 500)
	s0 := filepath.Join(dir, "s0")
	s1 := filepath.Join(dir, "s1")
	run(t, Config{Trace: trace, Out: s0, Shard: 0, Shards: 2})
	run(t, Config{Trace: trace, Out: s1, Shard: 1, Shards: 2})
	good, err := os.ReadFile(filepath.Join(s1, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(string(good), old) {
			t.Fatalf("summary.json has no %q", old)
		}
		return strings.Replace(string(good), old, new, 1)
	}
	for _, c := range []struct {
		name, summary string
		want          []string
	}{
		{"shard out of range", edit(`"shards_included": [`, `"shards_included": [7, `),
			[]string{"summary.json: line 9: shards_included[0] = 7, want a shard 0..1 of shards = 2"}},
		{"shard twice", edit(`"shards_included": [`, `"shards_included": [1, `),
			[]string{"line 10: shards_included[1] = 1, listed twice"}},
		{"no shards", edit(`"shards": 2`, `"shards": 0`), []string{"line 8: shards = 0, want >= 1"}},
		{"repeated key", edit(`"policy": `, `"policy": "sonic", "policy": `), []string{"line 3", `duplicate key "policy"`}},
		{"data after the object", string(good) + "x", []string{"unexpected data after the JSON value"}},
		{"wrong type", edit(`"shards": 2`, `"shards": "2"`), []string{"line 8", "shards: want an integer"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
			if err := os.CopyFS(bad, os.DirFS(s1)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bad, SummaryFile), []byte(c.summary), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "merged-"+filepath.Base(bad))
			_, err := Merge(out, []string{s0, bad})
			if err == nil {
				t.Fatal("merged")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a failed merge made %s", out)
			}
		})
	}
	// Shards of a sweep of 10^7 shards: the missing ones are counted, the first few listed.
	huge := map[string]string{}
	for _, d := range []string{s0, s1} {
		h := filepath.Join(dir, "huge-"+filepath.Base(d))
		if err := os.CopyFS(h, os.DirFS(d)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(d, SummaryFile))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte(`"shards": 2`), []byte(`"shards": 10000000`), 1)
		if err := os.WriteFile(filepath.Join(h, SummaryFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		huge[d] = h
	}
	_, err = Merge(filepath.Join(dir, "merged-huge"), []string{huge[s0], huge[s1]})
	if err == nil || !strings.Contains(err.Error(), "shards 2/10000000, 3/10000000") || !strings.Contains(err.Error(), "and 9999988 more are missing") || len(err.Error()) > 400 {
		t.Errorf("merge of 2 of 10^7 shards: %.400v, want the first missing shards listed and the rest counted", err)
	}
}

// TestBadPlaces: a trace, catalog or output folder in the wrong place is refused before any
// planning, naming the right file, and nothing is written. Before, a missing trace was reported
// as its missing catalog (so was a CSV trace named .parquet, as a catalog that is no Parquet
// file), the catalog hint "has its catalog beside it" followed every catalog error, an output
// folder that is a file, or under one, failed only after planning ("mkdir F: not a directory"), and --out the
// trace's own folder, with the trace named dags.parquet, replaced the trace by the DAG table.
func TestBadPlaces(t *testing.T) {
	dir := t.TempDir()
	trace, catalog, _ := csvTrace(t, dir, 10, 200)
	file := writeLines(t, filepath.Join(dir, "a-file"), []string{"x"})
	// A trace named as the replay's DAG table, in the folder given as the output.
	in := filepath.Join(dir, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	asDAGs := genTrace(t, in, DAGsFile, 10, 200)
	copyTo := func(src, dst string) string {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		return writeLines(t, dst, strings.Split(strings.TrimSpace(string(b)), "\n"))
	}
	inParquet := filepath.Join(dir, "pq")
	if err := os.Mkdir(inParquet, 0o755); err != nil {
		t.Fatal(err)
	}
	tracePQ := copyTo(trace, filepath.Join(inParquet, "t.parquet")) // CSV under a Parquet name
	copyTo(catalog, filepath.Join(inParquet, "t-catalog.parquet"))
	badCatalog := writeLines(t, filepath.Join(dir, "bad-catalog.csv"), []string{"dag_id,invocations"})
	for _, c := range []struct {
		name     string
		cfg      Config
		want     []string
		dontWant string
	}{
		{"missing trace", Config{Trace: filepath.Join(dir, "nope.csv")}, []string{"open " + filepath.Join(dir, "nope.csv") + ": no such file"}, "catalog"},
		{"CSV named .parquet", Config{Trace: tracePQ}, []string{tracePQ + ": not a Parquet file (it does not start with PAR1"}, "catalog"},
		{"bad catalog", Config{Trace: trace, Catalog: badCatalog}, []string{"bad-catalog.csv: line 1: header lacks column \"width\""}, "beside it"},
		{"output is a file", Config{Trace: trace, Out: file}, []string{"output folder " + file + " is a file, want a folder"}, ""},
		{"output under a file", Config{Trace: trace, Out: filepath.Join(file, "sub")}, []string{"output folder " + filepath.Join(file, "sub") + ": " + file + " is a file, want a folder"}, ""},
		{"output holds the trace", Config{Trace: asDAGs, Out: in}, []string{asDAGs + " is the trace " + asDAGs + ", and the replay writes dags.parquet into " + in}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			if cfg.Out == "" {
				cfg.Out = filepath.Join(dir, "out-"+strings.ReplaceAll(c.name, " ", "-"))
			}
			_, err := Run(cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if c.dontWant != "" && strings.Contains(err.Error(), c.dontWant) {
				t.Errorf("error %q says %q", err, c.dontWant)
			}
		})
	}
	if _, err := traces.OpenDAGTable(asDAGs); err != nil {
		t.Errorf("the trace in the output folder: %v", err)
	}
}

// asParquet copies the CSV trace at path to a Parquet file beside it and returns its path.
func asParquet(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := traces.NewDAGCSVReader(f, path)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.TrimSuffix(path, ".csv") + ".parquet"
	w, err := traces.CreateDAGTable(out)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for r.Next() {
		if err := w.Write(r.Row()); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEmptyShards: with more shards than DAGs some shards hold no DAG, and with a window some
// hold no invocation; each writes empty tables and a summary of nothing (they failed, and their
// job array's merge could never run), and the merge of every shard is the unsharded replay.
func TestEmptyShards(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 12, 600)
	for _, window := range []Config{{}, {From: 20000, To: 30000}} {
		const n = 32
		var shards []string
		empty := 0
		for i := range n {
			cfg := window
			cfg.Trace, cfg.Shard, cfg.Shards = trace, i, n
			cfg.Out = filepath.Join(dir, fmt.Sprintf("w%g-s%d", window.From, i))
			s, err := Run(cfg)
			if err != nil {
				t.Fatalf("window %g-%g, shard %d/%d: %v", window.From, window.To, i, n, err)
			}
			if s.DAGInvocations == 0 {
				empty++
			}
			shards = append(shards, cfg.Out)
		}
		if empty == 0 {
			t.Fatalf("window %g-%g: no empty shard among %d over 12 DAGs", window.From, window.To, n)
		}
		merged, err := Merge(filepath.Join(dir, fmt.Sprintf("w%g-all", window.From)), shards, tables.Options{})
		if err != nil {
			t.Fatalf("window %g-%g: merge: %v", window.From, window.To, err)
		}
		whole := window
		whole.Trace, whole.Out = trace, filepath.Join(dir, fmt.Sprintf("w%g-one", window.From))
		one, err := Run(whole)
		if err != nil {
			t.Fatal(err)
		}
		if merged.DAGInvocations != one.DAGInvocations || merged.TotalCost != one.TotalCost || merged.P95 != one.P95 {
			t.Errorf("window %g-%g: merged %d invocations, $%v, P95 %v; unsharded %d, $%v, %v", window.From, window.To,
				merged.DAGInvocations, merged.TotalCost, merged.P95, one.DAGInvocations, one.TotalCost, one.P95)
		}
	}
}

// TestCatalogCounts: a replay of the whole trace whose DAGs were invoked more or fewer times than
// its catalog counts says so in its summary (a catalog of another trace of the same DAGs passed
// without a word: its counts sized only the progress bar); the trace's own catalog, or a window,
// says nothing.
func TestCatalogCounts(t *testing.T) {
	dir := t.TempDir()
	trace, catalog, lines := csvTrace(t, dir, 30, 1000)
	s, err := Run(Config{Trace: trace, Catalog: catalog, Out: filepath.Join(dir, "whole")})
	if err != nil || s.CatalogMismatch != "" {
		t.Fatalf("the trace's own catalog: %v, %q", err, s.CatalogMismatch)
	}
	fewer := writeLines(t, filepath.Join(dir, "fewer.csv"), append(slices.Clone(lines[:3]), lines[4:]...))
	s, err = Run(Config{Trace: fewer, Catalog: catalog, Out: filepath.Join(dir, "fewer")})
	want := fmt.Sprintf("1 of 30 DAGs were invoked more or fewer times than %s counts (the first, %s: ", catalog, field(lines[3], 0))
	if err != nil || !strings.HasPrefix(s.CatalogMismatch, want) {
		t.Errorf("a row fewer: %v, %q; want %q", err, s.CatalogMismatch, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "fewer", SummaryFile))
	if err != nil || !strings.Contains(string(b), `"catalog_mismatch": "1 of 30 DAGs`) {
		t.Errorf("summary.json lacks the mismatch: %v", err)
	}
	if s, err := Run(Config{Trace: fewer, Catalog: catalog, Out: filepath.Join(dir, "window"), To: 1e9}); err != nil || s.CatalogMismatch != "" {
		t.Errorf("a window: %v, %q; want no mismatch (the catalog counts the whole trace)", err, s.CatalogMismatch)
	}
	// Sharded, then merged: the merge counts the DAGs of every shard (it copied the first
	// shard's message, which counts that shard's alone).
	var dirs []string
	for i := range 3 {
		d := filepath.Join(dir, fmt.Sprint("shard", i))
		if _, err := Run(Config{Trace: fewer, Catalog: catalog, Out: d, Shard: i, Shards: 3}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	m, err := Merge(filepath.Join(dir, "merged"), dirs)
	if err != nil || m.CatalogMismatchDAGs != 1 || !strings.HasPrefix(m.CatalogMismatch, "1 of the 30 DAGs were invoked more or fewer times than their catalog counts; shard ") {
		t.Errorf("merged: %v, %d DAGs, %q", err, m.CatalogMismatchDAGs, m.CatalogMismatch)
	}
}
