package sim

import (
	"errors"
	"reflect"
	"slices"
	"testing"

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
