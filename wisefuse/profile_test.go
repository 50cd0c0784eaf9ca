package wisefuse

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/jsonpos"
	"github.com/wisefuse/wisefuse/records"
)

// TestReadProfileRejectsBadTimes: a profile file whose times are negative or not finite is
// refused with the field and index named, so a corrupted profile cannot plan silently.
func TestReadProfileRejectsBadTimes(t *testing.T) {
	w, fns := chainWorkflow(2)
	p := synthProfile(t, w, fns, []int{1024, 4096}, 20, 1)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := WriteProfile(good, p); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadProfile(good); err != nil {
		t.Fatalf("the written profile does not read back: %v", err)
	}
	for _, tc := range []struct {
		name, want string
		spoil      func(*Profile)
	}{
		{"negative e2e", "e2e_s[3]", func(p *Profile) { p.Sizes[0].E2E[3] = -1 }},
		{"negative end gap", "end_gap_s[0]", func(p *Profile) { p.Sizes[1].EndGap[0] = -0.5 }},
		{"negative compute", "negative or non-finite", func(p *Profile) { p.Sizes[0].Steps[0].Compute[1] = -2 }},
		{"negative bytes", "in_bytes -1", func(p *Profile) { p.Sizes[0].Steps[1].InBytes = -1 }},
		// Finite but past any run: model printed a P50 of 1e300 s with exit 0.
		{"huge compute", `steps[1] ("Extract"): compute_s[2] = 1e+300 s, above the limit 1e+12 s`, func(p *Profile) { p.Sizes[1].Steps[1].Compute[2] = 1e300 }},
		{"huge e2e", "e2e_s[4] = 1e+13 s, above the limit 1e+12 s", func(p *Profile) { p.Sizes[0].E2E[4] = 1e13 }},
		{"huge gap", `stages[0] ("Split"): gap_s[0] = 1e+200 s, above the limit`, func(p *Profile) { p.Sizes[0].Stages[0].Gap[0] = 1e200 }},
		// The profile's workflow passes the workflow's own checks and limits (before, only
		// CheckSupported: a map of 10^12 items was planned from as 2^31-1).
		{"workflow past a limit", "line 1, column 13: workflow: workflow \"chain\": functions[0] (\"split\"): min_memory_mb = 1000000, want 0..10240", func(p *Profile) { p.Workflow.Functions[0].MinMemoryMB = 1e6 }},
		{"workflow threads 0", "threads = 0, want >= 1", func(p *Profile) { p.Workflow.Functions[1].Threads = 0 }},
		// Items were not checked: a negative one was read, and a step scaled to items 0, 1000,
		// ... lost most of them in the join with its Map's other tasks.
		{"negative item", `steps[0] ("Split"): item[2] = -1, want 0..0 (the step is in no Map)`, func(p *Profile) { p.Sizes[0].Steps[0].Item[2] = -1 }},
		{"item twice", `steps[1] ("Extract"): run 0, item 0 has a second invocation at [1]`, func(p *Profile) {
			st := &p.Sizes[1].Steps[1]
			st.Run[0], st.Item[0], st.Run[1], st.Item[1] = 0, 0, 0, 0
		}},
		{"runs missing", `sizes[1] (4096 MB): runs = 0, want the count of runs profiled at this size, >= 1 (is "runs" missing?)`, func(p *Profile) { p.Sizes[1].Runs = 0 }},
		{"step twice", `: step "Split" is listed twice (steps[0] too)`, func(p *Profile) { p.Sizes[0].Steps = append(p.Sizes[0].Steps, p.Sizes[0].Steps[0]) }},
		// The model failed on it later, naming neither the file nor the place.
		{"step missing", `sizes[1] (4096 MB): no samples for task step "Extract"`, func(p *Profile) { p.Sizes[1].Steps = p.Sizes[1].Steps[:1] }},
		// Read, and the plan changed without a word.
		{"huge bytes", `steps[0] ("Split"): in_bytes 0, out_bytes 1e+300: want finite numbers from 0 to 1e+13`, func(p *Profile) { p.Sizes[0].Steps[0].InBytes, p.Sizes[0].Steps[0].OutBytes = 0, 1e300 }},
		// Was "want step "Split" with 20 gaps, got 20": the name was the problem.
		{"stage renamed", `stages[0]: step "Nope", want "Split"`, func(p *Profile) { p.Sizes[0].Stages[0].Step = "Nope" }},
		{"negative profiled limit", "profiled_concurrency_limit = -5, want a count of concurrent executions", func(p *Profile) { p.ProfiledConcurrencyLimit = -5 }},
	} {
		q, err := ReadProfile(good)
		if err != nil {
			t.Fatal(err)
		}
		tc.spoil(q)
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
		if err := WriteProfile(path, q); err != nil {
			t.Fatal(err)
		}
		_, err = ReadProfile(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and %q", tc.name, err, path, tc.want)
		}
	}
	if _, err := os.Stat(good); err != nil {
		t.Fatal(err)
	}
}

// TestReadProfileWhere: a profile file's errors give the line, column and field: a type error, a
// duplicate key, and a value that validation refuses (at the line of that value).
func TestReadProfileWhere(t *testing.T) {
	w, fns := chainWorkflow(2)
	p := synthProfile(t, w, fns, []int{1024}, 5, 1)
	p.Sizes[0].E2E[3] = -1
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	e2e := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, `"e2e_s": [`) }) + 1
	runs := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, `"runs": 5`) }) + 1
	if e2e == 0 || runs == 0 {
		t.Fatalf("no e2e_s or runs in\n%s", b)
	}
	dir := t.TempDir()
	for name, tc := range map[string]struct{ text, want string }{
		"negative e2e": {string(b), fmt.Sprintf(": line %d, column 9: sizes[0] (1024 MB): e2e_s[3] = -1, want a finite number >= 0", e2e+4)},
		"runs a string": {strings.Replace(string(b), `"runs": 5`, `"runs": "5"`, 1),
			fmt.Sprintf(`: line %d, column 15: sizes[0].runs: want an integer, got the string "5"`, runs)},
		"runs twice": {strings.Replace(string(b), `"runs": 5,`, `"runs": 5, "runs": 6,`, 1),
			fmt.Sprintf(`: line %d, column 18: sizes[0]: duplicate key "runs", given twice in one object (a key may appear once)`, runs)},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadProfile(path)
		if want := "wisefuse: " + path + tc.want; err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", name, err, want)
		}
	}
}

// TestProfileValidateReportsAll: Validate lists every problem of a profile, not the first, up to
// jsonpos.MaxProblems, and ReadProfile gives each its own line.
func TestProfileValidateReportsAll(t *testing.T) {
	w, fns := chainWorkflow(2)
	p := synthProfile(t, w, fns, []int{1024, 2048}, 5, 1)
	p.Sizes[0].E2E[3] = -1
	p.Sizes[1].EndGap[2] = math.NaN()
	p.Sizes[1].Steps[0].Compute[0] = -5
	p.Sizes[1].Steps[1].MemoryMB = 2048 // at the size's own memory, written as 0
	p.Lost = []LostSize{{MemoryMB: 2048, TimedOut: []string{"Nope"}}}
	err := p.Validate()
	for _, want := range []string{
		"sizes[0] (1024 MB): e2e_s[3] = -1",
		"sizes[1] (2048 MB): end_gap_s[2] = NaN",
		`sizes[1] (2048 MB): steps[0] ("Split"): invocation 0 has a negative or non-finite time -5`,
		`sizes[1] (2048 MB): steps[1] ("Extract"): memory_mb = 2048, want 0 (the size's) or above the size, up to 10240`,
		`lost_sizes[0]: memory_mb = 2048, want a size from 128 to 10240 that the profile has no runs of`,
		`lost_sizes[0]: timed_out_steps[0] = "Nope", want a top-level step of the workflow`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: want %q in %v", want, err)
		}
	}
	// In a file (NaN cannot be written as JSON: a negative gap instead), each with its line.
	p.Sizes[1].EndGap[2] = -2
	p.Sizes[1].Steps[1].MemoryMB = 0
	p.Lost = nil
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadProfile(path)
	if err == nil || strings.Count(err.Error(), ": line ") != 1 || strings.Count(err.Error(), "; line ") != 2 {
		t.Errorf("ReadProfile: want three problems, each with a line: %v", err)
	}
	// Many problems: capped.
	for i := range p.Sizes[0].E2E {
		p.Sizes[0].E2E[i] = -1
	}
	for i := range 30 {
		p.Sizes = append(p.Sizes, p.Sizes[0])
		p.Sizes[len(p.Sizes)-1].MemoryMB = 3000 + i
	}
	if err := p.Validate(); err == nil || strings.Count(err.Error(), "; ") != jsonpos.MaxProblems || !strings.HasSuffix(err.Error(), "more problems") {
		t.Errorf("want %d problems and a count of the rest: %v", jsonpos.MaxProblems, err)
	}
}

// TestProfileProgress: the progress callback sees every run, counting to sizes x runs, and the
// profile is the same with or without it.
func TestProfileProgress(t *testing.T) {
	w, _ := apps.Lookup("chatbot")
	o := ProfileOptions{Runs: 5, Sizes: []int{1024, 2048}}
	plain, err := profileInSim(w, o)
	if err != nil {
		t.Fatal(err)
	}
	var calls, last, total int64
	o.Progress = func(done, n int64) { calls, last, total = calls+1, done, n }
	watched, err := profileInSim(w, o)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 10 || last != 10 || total != 10 {
		t.Errorf("progress: %d calls, last %d of %d, want 10 of 10", calls, last, total)
	}
	a1, _ := json.Marshal(plain)
	a2, _ := json.Marshal(watched)
	if string(a1) != string(a2) {
		t.Error("the profile changed with a progress callback")
	}
}

// TestBadValue: a NaN, an infinity or a value below -1e-9 is bad; rounding's tiny negative gaps
// and any finite value from there up are not.
func TestBadValue(t *testing.T) {
	for _, v := range []float64{0, -1e-10, -1e-9, 1e-300, 5, math.MaxFloat64} {
		if k := badValue([]float64{1, v}); k != -1 {
			t.Errorf("%v: bad at %d", v, k)
		}
	}
	for _, v := range []float64{-2e-9, -1, math.NaN(), math.Inf(1), math.Inf(-1), -math.MaxFloat64} {
		if k := badValue([]float64{1, v, 2}); k != 1 {
			t.Errorf("%v: bad at %d, want 1", v, k)
		}
	}
}

// TestProfileSeedsShareNoRuns: profiles at different seeds draw from different streams at every
// size (the simulator's run r of seed s draws from stream (s, r+1), so distinct seeds share no
// run), and no profiling seed is an evaluation seed of these tests. With Seed + size index, seed
// s's 2,048 MB runs were seed s + 1's 1,024 MB runs.
func TestProfileSeedsShareNoRuns(t *testing.T) {
	w, _ := apps.Lookup("chatbot")
	owner := map[uint64]string{}
	for _, s := range []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ProfileSeed} {
		var i int
		sizes := ProfileOptions{}.WithDefaults().Sizes
		rec := func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, sink RunSink) error {
			at := fmt.Sprintf("seed %d at %d MB", s, sizes[i])
			i++
			if o, ok := owner[seed]; ok {
				t.Errorf("%s runs on stream seed %#x, as %s does", at, seed, o)
			}
			owner[seed] = at
			if seed >= evalSeed && seed < evalSeed+20000 {
				t.Errorf("%s runs on seed %d, an evaluation seed", at, seed)
			}
			return simRunner(w, p, runs, seed, sink)
		}
		if _, err := ProfileBy(w, ProfileOptions{Runs: 1, Seed: s}, rec); err != nil {
			t.Fatal(err)
		}
		if i != len(sizes) {
			t.Fatalf("seed %d: %d sizes profiled, want %d", s, i, len(sizes))
		}
	}
}

// TestProfileBySinkChecksRecords: a runner's records go through the checks FromRecords makes
// (recordCheck), so a record under another function, or of a bundled run, is an error naming the
// run and invocation rather than samples profiled under the wrong function.
func TestProfileBySinkChecksRecords(t *testing.T) {
	w, _ := apps.Lookup("chatbot")
	for name, c := range map[string]struct {
		edit func(*records.Invocation)
		want string
	}{
		"another function": {func(in *records.Invocation) { in.Function = "Nope" }, `function "Nope", but step`},
		"unknown step":     {func(in *records.Invocation) { in.Step = "Nope" }, `step "Nope" is not in workflow "chatbot"`},
		"bundled":          {func(in *records.Invocation) { in.Bundle, in.Item = 2, 1 }, "profile unbundled plans"},
	} {
		edited := func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, sink RunSink) error {
			return simRunner(w, p, runs, seed, func(invs []records.Invocation, d *records.DAGRun) error {
				c.edit(&invs[len(invs)-1])
				return sink(invs, d)
			})
		}
		_, err := ProfileBy(w, ProfileOptions{Runs: 2, Sizes: []int{1024}}, edited)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "run 0: invocation") {
			t.Errorf("%s: err = %v, want one naming the run and invocation and %q", name, err, c.want)
		}
	}
}

// TestWriteProfileLimit: a profile larger than ReadProfile reads is not written (one of 1.4 GB
// was, then refused by plan --profiles); the limit is lowered here to a small profile's size.
func TestWriteProfileLimit(t *testing.T) {
	w, fns := chainWorkflow(2)
	p := synthProfile(t, w, fns, []int{1024}, 5, 1)
	path := filepath.Join(t.TempDir(), "p.json")
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { maxProfileBytes = n }(maxProfileBytes)
	maxProfileBytes = len(b)
	if err := WriteProfile(path, p); err == nil || !strings.Contains(err.Error(), "past the") || !strings.Contains(err.Error(), path) {
		t.Fatalf("a profile at the limit: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Errorf("%s was written", path)
	}
	maxProfileBytes = len(b) + 1
	if err := WriteProfile(path, p); err != nil {
		t.Fatalf("a profile below the limit: %v", err)
	}
}

// TestProfileSamplesBound: profiling that would keep more invocation samples than a profile holds
// is refused before any run when the expected count says so (a Map of 10^6 items at 20 runs and 4
// sizes: 8 x 10^7; a replay grew past 6 GB on one), and stopped at the bound otherwise (item
// counts drawn above their mean).
func TestProfileSamplesBound(t *testing.T) {
	wide := func(items dag.Dist) *dag.Workflow {
		return &dag.Workflow{Name: "wide", Functions: []dag.Function{{Name: "work", MinMemoryMB: 256, SerialWork: dag.Const(0.1), Threads: 1}},
			Steps: []dag.Step{{Name: "map", Map: &dag.Map{Items: items, Iterator: []dag.Step{{Name: "work", Task: "work"}}}}}}
	}
	_, err := profileInSim(wide(dag.Const(1e6)), ProfileOptions{Runs: 20})
	if err == nil || !strings.Contains(err.Error(), "would keep 8e+07 invocation samples (20 runs x 4 sizes x 1000000 invocations a run)") {
		t.Errorf("a Map of 10^6 items: %v", err)
	}
	// Drawn item counts: 4 runs of 1 to 99 items, 200 expected; seed 3 draws more, so a
	// bound between the two passes the check before the runs and stops them.
	w := wide(dag.Dist{Kind: dag.Uniform, Min: 1, Max: 99})
	o := ProfileOptions{Runs: 2, Sizes: []int{1024, 2048}, Seed: 3}
	p, err := profileInSim(w, o)
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, sz := range p.Sizes {
		kept += sz.Steps[0].Len()
	}
	if kept <= 200 {
		t.Fatalf("the draws made %d items, not above the 200 expected: pick other draws", kept)
	}
	defer func(n int) { maxProfileSamples = n }(maxProfileSamples)
	maxProfileSamples = kept - 1
	want := fmt.Sprintf("keeps more than %d invocation samples", kept-1)
	if _, err := profileInSim(w, o); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("drawn items past the bound: %v, want %q", err, want)
	}
}

// TestProfileRunsWithin: the runs per size the sample bound leaves a workflow, which caps the
// adaptive re-profiling's 4x runs (policy): a Map of 70,000 items at 4 sizes may take 35 runs
// (its 80 ran past the bound and failed the search), the video app thousands.
func TestProfileRunsWithin(t *testing.T) {
	w := &dag.Workflow{Name: "wide", Functions: []dag.Function{{Name: "work", MinMemoryMB: 256, SerialWork: dag.Const(0.1), Threads: 1}},
		Steps: []dag.Step{{Name: "map", Map: &dag.Map{Items: dag.Const(70_000), Iterator: []dag.Step{{Name: "work", Task: "work"}}}}}}
	if got, want := ProfileRunsWithin(w, 4), maxProfileSamples/(4*70_000); got != want || got != 35 {
		t.Errorf("70,000 items at 4 sizes: %d runs, want %d (35)", got, want)
	}
	video, _ := apps.Lookup("video")
	if got := ProfileRunsWithin(video, 4); got < 4*300 {
		t.Errorf("video at 4 sizes: %d runs, fewer than the adaptive profile's 1,200", got)
	}
}

// TestProfileE2EBelowAnInvocation: a run's e2e_s below the time an invocation of it takes is
// refused, once a size, naming the run, the step and both times (all e2e_s at 0.001 s while the
// steps took seconds was read, and `model` printed an error of +2,318,603%); a millisecond of
// rounding passes.
func TestProfileE2EBelowAnInvocation(t *testing.T) {
	w, fns := chainWorkflow(2)
	p := synthProfile(t, w, fns, []int{1024}, 5, 1)
	if err := p.Validate(); err != nil {
		t.Fatalf("the synthetic profile: %v", err)
	}
	const r = 2
	took := 0.0 // the longest invocation of run r
	for _, st := range p.Sizes[0].Steps {
		for k, run := range st.Run {
			if run == r {
				took = max(took, st.Init[k]+st.Download[k]+st.Compute[k]+st.Upload[k])
			}
		}
	}
	p.Sizes[0].E2E[r] = took - 0.0005
	if err := p.Validate(); err != nil {
		t.Errorf("e2e_s half a millisecond below an invocation: %v", err)
	}
	for i := range p.Sizes[0].E2E {
		p.Sizes[0].E2E[i] = 0.001
	}
	err := p.Validate()
	want := "sizes[0] (1024 MB): e2e_s[0] = 0.001 s, below the "
	if err == nil || !strings.Contains(err.Error(), want) || strings.Count(err.Error(), "below the") != 1 {
		t.Errorf("e2e_s of 0.001 s: %v", err)
	}
}
