package sim

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// oneTask is a workflow of one function with a fixed work of work core-seconds, no data, and a
// cold start of init seconds.
func oneTask(name string, work, init float64) *dag.Workflow {
	return &dag.Workflow{Name: name,
		Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(work), Threads: 1, InitTime: dag.Const(init)}},
		Steps:     []dag.Step{task("S", "F")}}
}

// sliceSource is a replay's source over a slice of arrivals.
func sliceSource(arrivals []Arrival) func(*Arrival) (bool, error) {
	i := 0
	return func(a *Arrival) (bool, error) {
		if i == len(arrivals) {
			return false, nil
		}
		*a = arrivals[i]
		i++
		return true, nil
	}
}

// replayAll replays arrivals over ws and returns the outcomes in the order they finished.
func replayAll(t *testing.T, ws []Workload, arrivals []Arrival, opt Options) ([]Outcome, ReplayStats) {
	t.Helper()
	var out []Outcome
	st, err := Replay(ws, sliceSource(arrivals), func(o *Outcome) error { out = append(out, *o); return nil }, opt)
	if err != nil {
		t.Fatal(err)
	}
	return out, st
}

// TestReplayByHand: two DAGs on one platform whose account allows one VM at a time.
//
// A (work 1 s, init 0.5 s) and B (work 2 s, init 0.2 s), both at 1769 MB (1 vCPU), transitions
// 0.05 s, no data. Arrivals: A#1 at 0, B#7 at 0.1, A#2 at 10.
//
//	A#1: transition -> 0.05, cold VM: init 0.5 -> 0.55, compute 1 -> 1.55 (release; latency 1.55)
//	B#7: transition -> 0.15, waits for the one VM (throttled) until 1.55, cold: init 0.2 -> 1.75,
//	     compute 2 -> 3.75 (latency 3.65)
//	A#2: transition -> 10.05, A's VM is warm (keep-alive 600 s): compute -> 11.05 (latency 1.05)
//
// The pools are per workflow: B never takes A's warm VM, even with the same function name.
func TestReplayByHand(t *testing.T) {
	p := testPlatform()
	p.ConcurrencyLimit = 1
	ws := []Workload{
		{Workflow: oneTask("A", 1, 0.5), Plan: dag.UniformPlan(1769), Key: 1},
		{Workflow: oneTask("B", 2, 0.2), Plan: dag.UniformPlan(1769), Key: 2},
	}
	out, st := replayAll(t, ws, []Arrival{{0, 0, 1}, {0.1, 1, 7}, {10, 0, 2}}, Options{Platform: p})
	if len(out) != 3 || st.Arrivals != 3 {
		t.Fatalf("%d outcomes of %d arrivals, want 3 of 3", len(out), st.Arrivals)
	}
	want := []struct {
		dag             int32
		id              int64
		end             float64
		cold, throttled int32
	}{{0, 1, 1.55, 1, 0}, {1, 7, 3.75, 1, 1}, {0, 2, 11.05, 0, 0}}
	for i, w := range want {
		o := out[i]
		if o.DAG != w.dag || o.ID != w.id || o.ColdStarts != w.cold || o.Throttled != w.throttled || o.TimedOut {
			t.Errorf("outcome %d = %+v, want DAG %d id %d, %d cold, %d throttled", i, o, w.dag, w.id, w.cold, w.throttled)
		}
		near(t, "end", o.End, w.end, 1e-9)
	}
	// Billing: A#1 1.5 s (init billed), B#7 2.2 s, A#2 1 s, at 1769/1024 GB, plus a request and a
	// transition each.
	gbs := 1769.0 / 1024 * p.GBSecondUSD
	for i, billed := range []float64{1.5, 2.2, 1.0} {
		near(t, "cost", out[i].Cost, billed*gbs+p.RequestUSD+p.TransitionUSD, 1e-12)
	}
}

// TestReplayTimeout: a function that computes 1,000 s is stopped at the 900 s timeout, which
// runs from the end of its init (transition 0.05 s, init 0.5 s): its DAG invocation fails and
// ends then, at 900.55 s, timed out, billed up to the timeout plus its init. Without a timeout it
// runs to 1000.55 s. (TestTimeoutOneTask checks the records and the reset VM.)
func TestReplayTimeout(t *testing.T) {
	p := testPlatform()
	ws := []Workload{{Workflow: oneTask("long", 1000, 0.5), Plan: dag.UniformPlan(1769)}}
	out, st := replayAll(t, ws, []Arrival{{0, 0, 0}}, Options{Platform: p})
	if !out[0].TimedOut || out[0].Rejected || st.Rejected != 0 {
		t.Fatalf("%+v, %+v: want timed out, not rejected", out[0], st)
	}
	near(t, "end", out[0].End, 900.55, 1e-9)
	near(t, "cost", out[0].Cost, 900.5*1769/1024*p.GBSecondUSD+p.RequestUSD+p.TransitionUSD, 1e-12)
	p.FunctionTimeout = 0
	out, _ = replayAll(t, ws, []Arrival{{0, 0, 0}}, Options{Platform: p})
	if out[0].TimedOut {
		t.Errorf("no timeout set: %+v marked timed out", out[0])
	}
	near(t, "end without timeout", out[0].End, 1000.55, 1e-9)
}

// TestReplayKeysDraws: a DAG invocation draws the same whatever else is replayed beside it, so
// shards of a trace replay it exactly as the whole trace does (when the concurrency limit is not
// reached).
func TestReplayKeysDraws(t *testing.T) {
	w := videoLike()
	ws := []Workload{{Workflow: w, Plan: plans()["spill"], Key: 11}, {Workflow: oneTask("B", 0.3, 0.1), Plan: dag.UniformPlan(512), Key: 12}}
	both := []Arrival{{0, 0, 5}, {0.5, 1, 6}, {1, 0, 9}, {1.2, 1, 3}}
	alone := []Arrival{{0, 0, 5}, {1, 0, 9}}
	a, _ := replayAll(t, ws, both, Options{Seed: 3})
	b, _ := replayAll(t, ws, alone, Options{Seed: 3})
	var got []Outcome
	for _, o := range a {
		if o.DAG == 0 {
			got = append(got, o)
		}
	}
	if len(got) != len(b) {
		t.Fatalf("%d vs %d outcomes", len(got), len(b))
	}
	for i := range b {
		// Events is the engine's count of all DAGs' events so far (for progress displays),
		// not a property of this invocation.
		got[i].Events, b[i].Events = 0, 0
		if got[i] != b[i] {
			t.Errorf("DAG 0 invocation %d: %+v beside DAG 1, %+v alone", i, got[i], b[i])
		}
	}
}

// TestReplayBadArrivals: unsorted, non-finite and unknown-workload arrivals stop the replay with
// an error; so does an error from the source or the sink.
func TestReplayBadArrivals(t *testing.T) {
	ws := []Workload{{Workflow: oneTask("A", 1, 0), Plan: dag.UniformPlan(1769)}}
	for name, tc := range map[string]struct {
		arrivals []Arrival
		want     string
	}{
		"unsorted":     {[]Arrival{{5, 0, 1}, {4, 0, 2}}, "sorted"},
		"NaN":          {[]Arrival{{0, 0, 1}, {math.NaN(), 0, 2}}, "finite"},
		"unknown DAG":  {[]Arrival{{0, 3, 1}}, "workload 3"},
		"negative DAG": {[]Arrival{{0, -1, 1}}, "workload -1"},
	} {
		_, err := Replay(ws, sliceSource(tc.arrivals), func(*Outcome) error { return nil }, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
	}
	boom := errors.New("boom")
	n := 0
	next := func(a *Arrival) (bool, error) {
		n++
		if n > 2 {
			return false, boom
		}
		*a = Arrival{Time: float64(n), ID: int64(n)}
		return true, nil
	}
	if _, err := Replay(ws, next, func(*Outcome) error { return nil }, Options{}); !errors.Is(err, boom) {
		t.Errorf("source error: got %v", err)
	}
	if _, err := Replay(ws, sliceSource([]Arrival{{0, 0, 1}}), func(*Outcome) error { return boom }, Options{}); !errors.Is(err, boom) {
		t.Errorf("sink error: got %v", err)
	}
}
