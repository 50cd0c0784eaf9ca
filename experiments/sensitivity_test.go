package experiments

// Sensitivity of the vs-baselines results to two modelling laws the public data do not pin down
// (docs/baselines.md, "Faastlane" and "Sonic"). Each test logs its table with -v; the numbers in
// the docs come from
//
//	go test -count=1 -v -run 'OversubscriptionLaw|NATTraversal' ./experiments/

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/policy"
)

// atBaselineCost plans baseline name with opts on w, simulates it, and returns its P95 and
// WiseFuse's P95 within its mean cost (full mode, cell seed 1), or ok false when the baseline
// cannot run.
func atBaselineCost(t *testing.T, w *dag.Workflow, plat *platform.Platform, name string, opts baselines.Options) (base, wf float64, ok bool) {
	t.Helper()
	cr, err := newCompareRunOn(appParams{App: w.Name}, w, plat, 1)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := policy.New(name, w, policy.Env{Platform: plat, Seed: 7, Baselines: opts})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := cr.baseline(name, pl)
	if !ok {
		return 0, 0, false
	}
	if err := cr.wisefuse("wisefuse@"+name, "budget", dag.Objective{Budget: got.MeanCost}); err != nil {
		t.Fatal(err)
	}
	last := cr.rows[len(cr.rows)-1]
	p95, isNum := last[7].(float64) // compareRow.SimP95
	if !isNum || cellNote(last) != "" {
		t.Fatalf("%s on %s: WiseFuse found no plan: %v", name, w.Name, last)
	}
	return got.P(95), p95, true
}

func cellNote(r Row) string { s, _ := r[len(r)-1].(string); return s }

// TestFaastlaneOversubscriptionLaw: ml's ParamTune runs 12 spin-waiting threads, and Faastlane
// puts two items on one VM's cores. The simulator's law (dag.Function.Oversubscription) slows a
// parallel phase by (threads per visible core)^g, g = 0.795 fitted to ParamTune's profiles
// alone in a VM; how it compounds when items share a VM is not measured. Each exponent g below
// keeps ParamTune's time at 5,000 MB (the middle profile) by refitting its work, and changes how
// much co-location costs: g = 0 is plain processor sharing. WiseFuse must stay faster than
// Faastlane at Faastlane's cost under every law, the claim the report makes.
func TestFaastlaneOversubscriptionLaw(t *testing.T) {
	if testing.Short() {
		t.Skip("short: eight full-mode WiseFuse searches")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| g | Faastlane MB | Faastlane P95 (s) | WiseFuse P95 at its cost (s) | ratio |\n|---:|---:|---:|---:|---:|\n")
	for _, g := range []float64{0, 0.4, 0.795, 1.2} {
		w, _ := apps.Lookup("ml")
		f := w.Function("ParamTune")
		// At 5,000 MB ParamTune sees 3 cores: time = P/a x (12/3)^g, kept at the fitted g's.
		f.ParallelWork = dag.Const(17.204 * math.Pow(4, 0.795-g))
		f.Oversubscription = g
		plat := apps.Platform("ml", platform.Default())
		for _, mb := range []int{3008, 10240} {
			fl, wf, ok := atBaselineCost(t, w, plat, "faastlane", baselines.Options{FaastlaneMemoryMB: mb})
			if !ok {
				t.Fatalf("faastlane on ml at %d MB did not run", mb)
			}
			fmt.Fprintf(&b, "| %.3g | %d | %.1f | %.1f | %.2f |\n", g, mb, fl, wf, wf/fl)
			if !(wf < fl) {
				t.Errorf("g = %g, Faastlane at %d MB: WiseFuse P95 %.1f s at its cost, Faastlane %.1f s: want WiseFuse faster", g, mb, wf, fl)
			}
		}
	}
	t.Log(b.String())
}

// TestSonicNATTraversal: the set-up of a direct connection on Lambda (platform nat_traversal_s)
// has no published measurement; the default 0.1 s is bracketed by 0 (a platform whose VMs accept
// connections) and 1 s (a SYN lost to the NAT waits TCP's initial retransmission timeout).
// A longer set-up can only make Sonic's direct pulls slower.
func TestSonicNATTraversal(t *testing.T) {
	if testing.Short() {
		t.Skip("short: nine full-mode WiseFuse searches")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| app | NAT traversal (s) | Sonic P95 (s) | WiseFuse P95 at its cost (s) | ratio |\n|---|---:|---:|---:|---:|\n")
	for _, app := range []string{"video", "chatbot", "svd"} {
		var first float64
		for i, nat := range []float64{0, 0.1, 1} {
			w, _ := apps.Lookup(app)
			base := platform.Default()
			base.NATTraversal = nat
			sonic, wf, ok := atBaselineCost(t, w, apps.Platform(app, base), "sonic", baselines.Options{})
			if !ok {
				t.Fatalf("sonic on %s did not run", app)
			}
			fmt.Fprintf(&b, "| %s | %g | %.2f | %.2f | %.2f |\n", app, nat, sonic, wf, wf/sonic)
			if i == 0 {
				first = sonic
			} else if sonic < first {
				t.Errorf("%s: Sonic's P95 %.2f s with %g s of NAT traversal, below %.2f s without", app, sonic, nat, first)
			}
		}
	}
	t.Log(b.String())
}
