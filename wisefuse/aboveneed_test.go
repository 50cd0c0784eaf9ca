package wisefuse

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
)

// needsApart is a workflow whose functions need very different memory: "big" needs the largest
// VM; "spin" needs little but runs 64 spin-waiting threads (oversubscription 2, as LightGBM's
// OpenMP threads do), so on few cores it slows far more than its vCPU share: about 29 s at
// 10,240 MB, 300 s at 4,096 MB and 1,300 s, past the 900 s timeout, at 2,048 MB.
func needsApart() *dag.Workflow {
	return &dag.Workflow{Name: "needs-apart",
		Functions: []dag.Function{
			{Name: "big", MinMemoryMB: dag.MaxMemoryMB, SerialWork: dag.Const(1), Threads: 1, OutputBytes: dag.Const(1e6)},
			{Name: "spin", MinMemoryMB: 128, SerialWork: dag.Const(0.5), ParallelWork: dag.Dist{Kind: dag.Uniform, Min: 1.4, Max: 1.6},
				Threads: 64, Oversubscription: 2, InitTime: dag.Const(1.7), InputBytes: dag.Const(1e6)},
		},
		Steps: []dag.Step{{Name: "Big", Task: "big"}, {Name: "Spin", Task: "spin"}},
	}
}

// TestProfileAboveNeed: at each profiled size a function that needs more runs at its need
// (ProfileBy), so the others are profiled at every size. Raising every function to the largest
// need instead (what ProfileBy did; here Sizes {10240}) left one point for spin's CPU curve,
// which the modeler extrapolates as perfectly parallel: it predicted spin on 2,176 MB well
// within the timeout, where the simulator times out every run (a random unseen workflow's
// WiseFuse plan did this in all its runs). Profiled at its own sizes, spin's slowdown is
// measured: the same plan is predicted to time out, and the planner's plan does not.
func TestProfileAboveNeed(t *testing.T) {
	w := needsApart()
	on := platform.Default()
	p, err := ProfileBy(w, ProfileOptions{Runs: 40}, simRunnerOn(on))
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, s := range p.Sizes {
		sizes = append(sizes, s.MemoryMB)
		for _, st := range s.Steps {
			want := 0
			if st.Function == "big" && s.MemoryMB < dag.MaxMemoryMB {
				want = dag.MaxMemoryMB
			}
			if st.MemoryMB != want {
				t.Errorf("%d MB: step %s ran at memory_mb %d, want %d", s.MemoryMB, st.Step, st.MemoryMB, want)
			}
		}
	}
	// At 1,024 and 2,048 MB spin times out in every run: those sizes keep no samples.
	if !slices.Equal(sizes, []int{4096, dag.MaxMemoryMB}) || p.FailedRuns != 80 {
		t.Fatalf("profiled sizes %v, %d failed runs: want 4096 and 10240, and the 80 runs at 1024 and 2048 failed", sizes, p.FailedRuns)
	}
	one, err := ProfileBy(w, ProfileOptions{Runs: 40, Sizes: []int{dag.MaxMemoryMB}}, simRunnerOn(on))
	if err != nil {
		t.Fatal(err)
	}

	small := &dag.Plan{DefaultMemoryMB: dag.MaxMemoryMB, Memory: map[string]int{"spin": 2176}}
	if n := timedOutRuns(t, w, on, small, 20); n != 20 {
		t.Fatalf("spin at 2,176 MB times out in %d of 20 simulated runs, want all: the test does not test", n)
	}
	predictP95 := func(p *Profile) float64 {
		m, err := NewModel(p, ModelOptions{Platform: on})
		if err != nil {
			t.Fatal(err)
		}
		pr, err := m.Predict(small)
		if err != nil {
			t.Fatal(err)
		}
		return pr.Percentile(95)
	}
	if got := predictP95(one); got > on.FunctionTimeout {
		t.Errorf("from the profile at 10,240 MB alone, spin at 2,176 MB is predicted at P95 %.0f s: the test does not test", got)
	}
	if got := predictP95(p); got < on.FunctionTimeout {
		t.Errorf("from the profile at every size, spin at 2,176 MB is predicted at P95 %.0f s, where every simulated run times out", got)
	}

	plan := planOn(t, p, on, 1500)
	if n := timedOutRuns(t, w, on, plan, 60); n != 0 {
		t.Errorf("plan %+v: %d of 60 simulated runs timed out", plan, n)
	}
}

// TestFromRecordsAboveNeed: records of runs that ran a function above the run's size (its need)
// profile as ProfileBy's do, and records that run a step at two memories within a size are
// refused, naming the step.
func TestFromRecordsAboveNeed(t *testing.T) {
	w := needsApart()
	var invs []records.Invocation
	var dags []records.DAGRun
	for _, mem := range []int{4096, dag.MaxMemoryMB} {
		base := len(dags)
		_, err := sim.Run(w, profilePlan(w, mem), 5, sim.Options{Seed: 3, OnRun: func(d records.DAGRun, ins []records.Invocation) error {
			d.Run += base
			dags = append(dags, d)
			for _, in := range ins {
				in.Run += base
				invs = append(invs, in)
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	p, err := FromRecords(w, invs, dags)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ProfileBy(w, ProfileOptions{Runs: 5, Sizes: []int{4096, dag.MaxMemoryMB}}, func(w *dag.Workflow, plan *dag.Plan, runs int, _ uint64, sink RunSink) error {
		_, err := sim.Run(w, plan, runs, sim.Options{Seed: 3, OnRun: func(d records.DAGRun, ins []records.Invocation) error { return sink(ins, &d) }})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sizes) != 2 || p.Sizes[0].Step("Big").MemoryMB != dag.MaxMemoryMB || p.Sizes[0].Step("Spin").MemoryMB != 0 {
		t.Fatalf("profile from records: %d sizes, at the first Big ran at %d MB and Spin at %d, want 2 sizes, 10240 and 0 (4096)", len(p.Sizes), p.Sizes[0].Step("Big").MemoryMB, p.Sizes[0].Step("Spin").MemoryMB)
	}
	if !sameProfile(p, &Profile{Workflow: p.Workflow, Source: p.Source, Sizes: want.Sizes}) {
		t.Errorf("the profile from records differs from ProfileBy's of the same runs")
	}

	// Run 2 at 4,096 MB runs Big at 8,192 MB, where runs 0 and 1 ran it at 10,240.
	bad := slices.Clone(invs)
	for i := range bad {
		if bad[i].Run == 2 && bad[i].Function == "big" {
			bad[i].MemoryMB = 8192
		}
	}
	if _, err := FromRecords(w, bad, dags); err == nil || !strings.Contains(err.Error(), `step "Big" ran at 8192 MB, but at 10240 MB`) {
		t.Errorf("a step at two memories within a size: got %v", err)
	}
	check := RecordCheck(w)
	for _, mem := range []int{4096, 2048} {
		err = check(&records.Invocation{Run: 0, Step: "Spin", Function: "spin", MemoryMB: mem})
	}
	if err == nil || !strings.Contains(err.Error(), `run 0 runs function "spin" at 4096 and 2048 MB`) {
		t.Errorf("a function at two memories within a run: got %v", err)
	}
}

// TestJudgedPctCountsTimedOutRuns: the sampling bound's n is the runs profiled at a size, the
// ones the function timeout stopped among them (the model counts them as failed samples), not
// only those that finished: a size that lost most of its runs made every plan miss the bound.
func TestJudgedPctCountsTimedOutRuns(t *testing.T) {
	p, err := ProfileBy(needsApart(), ProfileOptions{Runs: 40, Sizes: []int{4096, dag.MaxMemoryMB}}, simRunner)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Sizes {
		p.Sizes[i].Stages[1].TimedOut = 60 // 40 runs finished, 60 stopped in Spin: 100 profiled
	}
	pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}})
	if err != nil {
		t.Fatal(err)
	}
	want := 100 * (0.95 + sloConfidenceZ*math.Sqrt(0.95*0.05/100))
	if got := pl.judgedPct(95); math.Abs(got-want) > 1e-9 {
		t.Errorf("judged percentile %v, want %v (n = 100 runs profiled per size)", got, want)
	}
}

// TestLostSizeFloor: a size none of whose profiling runs finished keeps no samples, only where
// the timeout stopped them (Profile.Lost). spin (64 spin-waiting threads, exponent 3) runs past
// the 900 s timeout at 1,024, 2,048 and 4,096 MB and takes about 310 s at 10,240 MB: its curve
// is fitted to that one point, and a planner that does not read the lost sizes extrapolates it
// to a smaller, cheaper VM (its 50 MB input's transfer is billed at the VM's size) where every
// run times out. The lost sizes make 10,240 MB, the next profiled size, its floor.
func TestLostSizeFloor(t *testing.T) {
	w := &dag.Workflow{Name: "lost-sizes",
		Functions: []dag.Function{{Name: "spin", MinMemoryMB: 128, SerialWork: dag.Const(0.5), ParallelWork: dag.Dist{Kind: dag.Uniform, Min: 1.4, Max: 1.6},
			Threads: 64, Oversubscription: 3, InputBytes: dag.Const(50e6)}},
		Steps: []dag.Step{{Name: "Spin", Task: "spin"}},
	}
	on := platform.Default()
	p, err := ProfileBy(w, ProfileOptions{Runs: 40}, simRunnerOn(on))
	if err != nil {
		t.Fatal(err)
	}
	want := []LostSize{{1024, []string{"Spin"}}, {2048, []string{"Spin"}}, {4096, []string{"Spin"}}}
	if len(p.Sizes) != 1 || p.Sizes[0].MemoryMB != dag.MaxMemoryMB || !reflect.DeepEqual(p.Lost, want) {
		t.Fatalf("profiled %d sizes, lost %+v: want 10240 MB alone and %+v", len(p.Sizes), p.Lost, want)
	}
	// The file keeps them: the fast read and jsonpos.Decode agree.
	path := filepath.Join(t.TempDir(), "p.json")
	if err := WriteProfile(path, p); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fast, ok := decodeProfileFast(data)
	slow, err := slowProfile(data)
	if !ok || err != nil || !sameProfile(fast, slow) || !reflect.DeepEqual(fast.Lost, want) {
		t.Errorf("read back: the fast read declined (%v), jsonpos.Decode failed (%v), they differ, or the lost sizes are not %+v", !ok, err, want)
	}
	plan := func(p *Profile) *dag.Plan { return planOn(t, p, on, 3000) }
	blind := *p
	blind.Lost = nil
	if b := plan(&blind); timedOutRuns(t, w, on, b, 20) == 0 {
		t.Fatalf("the plan of a planner blind to the lost sizes (%+v) times out in no run: the test does not test", b)
	}
	got := plan(p)
	if mem := got.MemoryOf("spin"); mem < dag.MaxMemoryMB {
		t.Errorf("plan %+v runs spin at %d MB, below its floor of 10,240", got, mem)
	}
	if n := timedOutRuns(t, w, on, got, 60); n != 0 {
		t.Errorf("plan %+v: %d of 60 simulated runs timed out", got, n)
	}
}

// TestHalfTimedOutFloor: a kept size at which the timeout stopped at least half the runs in a
// step is a floor for that step as a lost size is: the typical run fails there, and the runs
// that finished are its fastest (random unseen workflow u030: at 4,096 MB 31 of 40 runs timed
// out in a Map whose survivors' medians put it at 7,104 MB, where 12% of simulated runs timed
// out; with the floor, 6%).
func TestHalfTimedOutFloor(t *testing.T) {
	p, err := ProfileBy(needsApart(), ProfileOptions{Runs: 40, Sizes: []int{4096, dag.MaxMemoryMB}}, simRunner)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ timedOut, floor int }{{0, 0}, {39, 0}, {40, dag.MaxMemoryMB}} {
		p.Sizes[0].Stages[1].TimedOut = c.timedOut // of 40 + timedOut runs at 4,096 MB, in Spin
		m, err := NewModel(p, ModelOptions{Platform: platform.Default()})
		if err != nil {
			t.Fatal(err)
		}
		if m.floorMB[0] != 0 || m.floorMB[1] != c.floor {
			t.Errorf("%d of %d runs timed out in Spin at 4,096 MB: floors %v, want [0 %d]", c.timedOut, 40+c.timedOut, m.floorMB, c.floor)
		}
	}
	// Half the runs at 10,240 MB too: no size runs Spin, and the error says so.
	p.Sizes[1].Stages[1].TimedOut = 40
	pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pl.Search(dag.Objective{SLO: 3000})
	var inf *InfeasibleError
	if !errors.As(err, &inf) || inf.Fails != `step "Spin"` || !strings.Contains(err.Error(), `no plan runs step "Spin": the platform's function timeout of 900s stopped at least half`) {
		t.Errorf("Spin fails at every size: got %v", err)
	}
}

// planOn plans from profile p on platform plat for an SLO of slo seconds, failing the test when
// there is no plan.
func planOn(t *testing.T, p *Profile, plat *platform.Platform, slo float64) *dag.Plan {
	t.Helper()
	pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: plat}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := pl.Search(dag.Objective{SLO: slo})
	if err != nil {
		t.Fatal(err)
	}
	return r.Plan
}
