package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/testflows"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// TestPlansOnPlatformSizes: on a platform that offers only some VM sizes every policy's plan uses
// those sizes only (WiseFuse searches them, the baselines' sizes are mapped to them), and the plan
// runs there. On azure-durable that is the one 1,536 MB: no sizing, only fusion and bundling.
// Faastlane's spill variant runs there, its spills HTTP-triggered executions (Platform.Spills),
// and has no plan where spills are refused: its fused VM would invoke the spilled items.
func TestPlansOnPlatformSizes(t *testing.T) {
	w := testflows.FanOut(4, testflows.MB, testflows.Fn("", 1, 256, 0, testflows.MB), true)
	refused := platform.AzureDurableFunctions()
	refused.Spills = platform.SpillsRefused
	for _, plat := range []*platform.Platform{platform.AzureDurableFunctions(), platform.AzureFlexConsumption(), refused} {
		choices := plat.MemoryChoices()
		for _, name := range Names() {
			pl, err := New(name, w, Env{Platform: plat, Seed: 1, Profiling: wisefuse.ProfileOptions{Runs: 40}})
			if err != nil {
				t.Fatalf("%s on %v MB: %v", name, choices, err)
			}
			p, err := pl.Plan(w, dag.Objective{SLO: 60})
			if name == "faastlane" && plat.Spills == platform.SpillsRefused {
				// Its released code's spills: the host VM would invoke executions, which this
				// platform refuses (platform.Platform.NoSpills).
				if err == nil || !strings.Contains(err.Error(), "spills are refused") {
					t.Errorf("faastlane on %v MB: %v, want its spilling plan refused", choices, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s on %v MB: %v", name, choices, err)
			}
			for _, fn := range []string{"Send", "Recv", "Combine"} {
				if m := p.MemoryOf(fn); !slices.Contains(choices, m) {
					t.Errorf("%s on %v MB: %s at %d MB, not a size of the platform", name, choices, fn, m)
				}
			}
			if _, err := sim.Run(w, p, 5, sim.Options{Platform: plat, Seed: 1}); err != nil {
				t.Errorf("%s on %v MB: %v", name, choices, err)
			}
		}
	}
	// User-Max and User-Min on Flex take its largest and smallest sizes that fit.
	flex := platform.AzureFlexConsumption()
	for name, want := range map[string]int{"user-max": 4096, "user-min": 512} {
		pl, _ := New(name, w, Env{Platform: flex})
		p, err := pl.Plan(w, dag.Objective{})
		if err != nil || p.MemoryOf("Recv") != want {
			t.Errorf("%s on azure-flex: Recv at %d MB (%v), want %d", name, p.MemoryOf("Recv"), err, want)
		}
	}
}

// TestPlanTooBigForPlatform: a function that needs more memory than the platform's only size is
// an error that says which sizes the platform has, not a plan the platform could not run.
func TestPlanTooBigForPlatform(t *testing.T) {
	w := testflows.Chain(2, 1, 2048, testflows.MB)
	pl, err := New("user-max", w, Env{Platform: platform.AzureDurableFunctions()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pl.Plan(w, dag.Objective{})
	if err == nil || !strings.Contains(err.Error(), "[1536]") || !strings.Contains(err.Error(), "min_memory_mb 2048") {
		t.Errorf("user-max of a 2,048 MB function on azure-durable: %v, want an error naming the sizes and the need", err)
	}
}

// TestWiseFuseRefusesFunctionsNoSizeHolds: a function whose min_memory_mb is above every size the
// platform offers is named before any profiling, instead of "no plan meets the SLO" after it.
func TestWiseFuseRefusesFunctionsNoSizeHolds(t *testing.T) {
	w := testflows.FanOut(2, testflows.MB, testflows.Fn("", 1, 2048, 0, testflows.MB), true)
	calls := 0
	_, err := New(WiseFuse, w, Env{Platform: platform.AzureDurableFunctions(), Seed: 1,
		Profiling: wisefuse.ProfileOptions{Runs: 20, Progress: func(int64, int64) { calls++ }}})
	if err == nil || !strings.Contains(err.Error(), "needs at least 2048 MB") || !strings.Contains(err.Error(), "[1536]") {
		t.Fatalf("err = %v, want the function, its 2048 MB and the platform's sizes named", err)
	}
	if calls != 0 {
		t.Errorf("%d profiling runs before the error, want none", calls)
	}
	if _, err := New(WiseFuse, w, Env{Platform: platform.AzureFlexConsumption(), Seed: 1,
		Profiling: wisefuse.ProfileOptions{Runs: 20}}); err != nil {
		t.Errorf("on azure-flex (up to 4,096 MB): %v", err)
	}
}

// TestSonicGroupsFitThePlatform: Sonic's VM-Storage puts a segment's stages in one VM as large
// as their user memory; on a platform whose largest VM is below that, the group cannot be
// formed, and Sonic must pass the data another way rather than return a plan the platform cannot
// run. A sends 300 MB to a Parallel of two branches B and C that need 3,008 MB each (4,096 MB of
// user memory on azure-flex): in one VM they need 6,016 MB at least, above flex's largest 4,096
// MB (a random unseen
// workflow: "fuse[3] (T6+T7+T8+T9): VM of 4096 MB is below the 10240 MB its invocations need"
// after 68 s of profiling). On aws-lambda the group fits and Sonic forms it.
func TestSonicGroupsFitThePlatform(t *testing.T) {
	big := 300 * float64(testflows.MB)
	w := &dag.Workflow{Name: "fanpar", Functions: []dag.Function{testflows.Fn("A", 1, 512, 0, big), testflows.Fn("B", 1, 3008, big, 0), testflows.Fn("C", 1, 3008, big, 0)},
		Steps: []dag.Step{{Name: "A", Task: "A"}, {Name: "P", Parallel: [][]dag.Step{{{Name: "B", Task: "B"}}, {{Name: "C", Task: "C"}}}}}}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, plat := range []*platform.Platform{platform.Default(), platform.AzureFlexConsumption()} {
		pl, err := New("sonic", w, Env{Platform: plat, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		p, err := pl.Plan(w, dag.Objective{})
		if err != nil {
			t.Errorf("sonic on %v MB: %v", plat.MemoryChoices(), err)
			continue
		}
		if len(plat.MemoryChoices()) == 0 && len(p.Fuse) == 0 {
			t.Errorf("sonic on aws-lambda: no VM-Storage group for 300 MB between A and P (%+v): the test no longer shows what it is for", p)
		}
		if _, err := sim.Run(w, p, 3, sim.Options{Platform: plat, Seed: 1}); err != nil {
			t.Errorf("sonic on %v MB: %v", plat.MemoryChoices(), err)
		}
	}
}
