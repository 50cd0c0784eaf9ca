package sim

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

// TestOnRunStreamsKeptRecords checks that Options.OnRun hands out, run by run, exactly the
// records KeepInvocations keeps (costs included), for independent runs and under arrivals, with
// every plan, and that an error from OnRun stops the simulation.
func TestOnRunStreamsKeptRecords(t *testing.T) {
	w := videoLike()
	plat := platform.Default()
	plat.ConcurrencyLimit = 12
	plat.KeepAlive = 5
	arr := PoissonArrivals(2, 30, 3)
	for name, p := range plans() {
		run := func(o Options) (*Result, error) { return Run(w, p, 20, o) }
		shared := func(o Options) (*Result, error) { o.Platform = plat; return RunArrivals(w, p, arr, o) }
		for mode, sim := range map[string]func(Options) (*Result, error){"runs": run, "arrivals": shared} {
			kept, err := sim(Options{Seed: 5, KeepInvocations: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []records.Invocation
			var dags []records.DAGRun
			res, err := sim(Options{Seed: 5, OnRun: func(d records.DAGRun, invs []records.Invocation) error {
				for _, in := range invs {
					if in.Run != d.Run {
						t.Fatalf("%s %s: run %d's records hold one of run %d", name, mode, d.Run, in.Run)
					}
				}
				dags = append(dags, d)
				got = append(got, invs...)
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Invocations) != 0 {
				t.Errorf("%s %s: OnRun also kept %d records", name, mode, len(res.Invocations))
			}
			// Both in end order within a run; compare run by run.
			byRun := func(invs []records.Invocation) []records.Invocation {
				return slices.SortedStableFunc(slices.Values(invs), func(a, b records.Invocation) int { return a.Run - b.Run })
			}
			if !reflect.DeepEqual(byRun(got), byRun(kept.Invocations)) {
				t.Errorf("%s %s: streamed records differ from the kept ones", name, mode)
			}
			slices.SortFunc(dags, func(a, b records.DAGRun) int { return a.Run - b.Run })
			if !reflect.DeepEqual(dags, kept.DAGs) {
				t.Errorf("%s %s: streamed DAG records differ", name, mode)
			}
		}
	}
	stop := errors.New("stop")
	n := 0
	_, err := Run(w, plans()["spill"], 20, Options{OnRun: func(records.DAGRun, []records.Invocation) error {
		n++
		return stop
	}})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("OnRun error: got %v after %d runs, want %v after 1", err, n, stop)
	}
}

// TestRunEachIsRunStreamed checks that RunEach hands out, in order, the DAG records Run keeps
// (so the summaries made from them agree), with the engine figures of Run's summary, whatever the
// plan and cold or warm; and that its memory does not grow with the runs (Run's kept a DAG record
// a run): a hundred times the runs allocate about as much.
func TestRunEachIsRunStreamed(t *testing.T) {
	w := videoLike()
	for name, p := range plans() {
		for _, cold := range []bool{false, true} {
			opt := Options{Seed: 7, Cold: cold}
			res, err := Run(w, p, 30, opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []records.DAGRun
			st, err := RunEach(w, p, 30, func(o *Outcome) error {
				got = append(got, o.Record())
				return nil
			}, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, res.DAGs) {
				t.Errorf("%s cold=%v: RunEach's outcomes differ from Run's DAG records", name, cold)
			}
			s := res.Summary
			if st.Events != s.Events || st.PeakLiveVMs != s.PeakLiveVMs || st.MeanLiveVMs != s.MeanLiveVMs || st.IdleGBS != s.IdleGBS ||
				st.MeanLifespanS != s.MeanLifespanS || int(st.Rejected) != s.Rejected || st.Arrivals != 30 {
				t.Errorf("%s cold=%v: RunEach's figures %+v differ from Run's summary %+v", name, cold, st, s)
			}
		}
	}
	if _, err := RunEach(w, plans()["spill"], 0, func(*Outcome) error { return nil }, Options{}); err == nil {
		t.Error("RunEach of 0 runs: no error")
	}
	stop := errors.New("stop")
	if _, err := RunEach(w, plans()["spill"], 5, func(*Outcome) error { return stop }, Options{}); !errors.Is(err, stop) {
		t.Errorf("emit error: got %v, want %v", err, stop)
	}
	allocated := func(runs int) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := RunEach(w, plans()["spill"], runs, func(*Outcome) error { return nil }, Options{Seed: 1, OnRun: func(records.DAGRun, []records.Invocation) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := allocated(200), allocated(20000)
	if large > 2*small {
		t.Errorf("RunEach allocated %d bytes for 200 runs and %d for 20,000: memory grows with the runs", small, large)
	}
}

// TestIsolatedRunsFit: isolated runs that cannot all fit on the simulator's clock or event
// sequence at the first run's pace are refused as the first run ends, naming how many fit
// (10^9 s a run: 2,000 runs failed after hours, blaming "an arrival this late"); as many as fit
// with room to spare run.
func TestIsolatedRunsFit(t *testing.T) {
	w := oneTask("long", 1e9, 0.1)
	p := dag.UniformPlan(1024)
	plat := platform.Default()
	plat.FunctionTimeout = 0
	_, err := RunEach(w, p, 2000, func(*Outcome) error { return nil }, Options{Platform: plat})
	var most int
	if err == nil || !strings.Contains(err.Error(), "2000 isolated runs at the first run's pace") {
		t.Fatalf("2,000 runs of 10^9 s: %v", err)
	}
	if _, serr := fmt.Sscanf(err.Error()[strings.Index(err.Error(), "at most about "):], "at most about %d runs", &most); serr != nil || most < 100 || most >= 1000 {
		t.Fatalf("2,000 runs of 10^9 s: %v; want at most some hundreds (%v)", err, serr)
	}
	if _, err := Run(w, p, 2000, Options{Platform: plat}); err == nil {
		t.Error("Run: 2,000 runs of 10^9 s accepted")
	}
	if _, err := RunEach(w, p, most, func(*Outcome) error { return nil }, Options{Platform: plat}); err != nil {
		t.Errorf("%d runs of 10^9 s, as many as the message says fit: %v", most, err)
	}
	// A run of a few nanoseconds: the runs that fit (10^20) overflowed an int, and 10 runs were
	// refused as "at most about -9223372036854775808 runs".
	tiny := oneTask("tiny", 1e-9, 0)
	plat = platform.Default()
	plat.InvokeLatency, plat.TransitionLatency, plat.StorageGetLatency, plat.StoragePutLatency = 0, 0, 0, 0
	if _, err := RunEach(tiny, p, 10, func(*Outcome) error { return nil }, Options{Platform: plat}); err != nil {
		t.Errorf("10 runs of a nanosecond: %v", err)
	}
}
