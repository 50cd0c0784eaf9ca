package baselines

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/testflows"
)

func TestUserMaxAndUserMin(t *testing.T) {
	w := testflows.FanOut(10, mb, testflows.Fn("", 1, 700, 0, mb), true)
	w.Functions[0].MinMemoryMB = 64 // below the platform minimum: User-Min must round up to 128
	pmax, err := UserMax{}.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatal(err)
	}
	pmin, err := UserMin{}.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range w.Functions {
		if got := pmax.MemoryOf(f.Name); got != dag.MaxMemoryMB {
			t.Errorf("user-max: %s at %d MB, want %d", f.Name, got, dag.MaxMemoryMB)
		}
		want := max(f.MinMemoryMB, dag.MinMemoryMB)
		if got := pmin.MemoryOf(f.Name); got != want {
			t.Errorf("user-min: %s at %d MB, want %d", f.Name, got, want)
		}
	}
	for _, p := range []*dag.Plan{pmax, pmin} {
		if len(p.Fuse) != 0 || len(p.Bundle) != 0 || len(p.Passing) != 0 || p.SharedRuntime {
			t.Errorf("plan %+v: want no fusion, bundling, direct passing or shared runtime", p)
		}
	}
}

func TestPhotonsCoLocatesAMapInFewestRuntimesThatFit(t *testing.T) {
	// 100 invocations of a 1,024 MB function whose 900 MB of libraries and model are shared:
	// each extra invocation needs 124 MB, so one runtime holds at most 1 + (10240-1024)/124 = 75;
	// two runtimes of 50 fit (1024 + 49*124 = 7,100 MB).
	recv := testflows.Fn("", 1, 1024, 0, mb)
	recv.SharedMemoryMB = 900
	w := testflows.FanOut(100, mb, recv, true)
	p, err := Photons{MemoryMB: 1024}.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.BundleOf("Fan"); got != 50 {
		t.Errorf("bundle = %d, want 50 (two runtimes)", got)
	}
	if got := p.MemoryOf("Recv"); got != 7100 {
		t.Errorf("runtime memory = %d MB, want 7100", got)
	}
	if got := p.MemoryOf("Send"); got != 1024 {
		t.Errorf("a task outside a map runs alone at the user's memory: got %d MB, want 1024", got)
	}
	if !p.SharedRuntime || len(p.Fuse) != 0 || len(p.Passing) != 0 {
		t.Errorf("plan %+v: want a shared runtime, no fusion, remote storage", p)
	}
	// The saving is a fraction of the function's footprint (900/1024 here), applied to the
	// memory the user configured: at 2,048 MB an extra invocation needs ceil(2048 x 124/1024) =
	// 248 MB, so 1 + (10240-2048)/248 = 34 fit and 100 items take 3 runtimes of 34.
	p, err = Photons{MemoryMB: 2048}.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatal(err)
	}
	if b, m := p.BundleOf("Fan"), p.MemoryOf("Recv"); b != 34 || m != 2048+33*248 {
		t.Errorf("at 2048 MB: bundle %d at %d MB, want 34 at %d", b, m, 2048+33*248)
	}
	// Nothing shared: every invocation needs its full memory, 10 fit in 10,240 MB.
	recv.SharedMemoryMB = 0
	w = testflows.FanOut(100, mb, recv, false)
	p, err = Photons{MemoryMB: 1024}.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.BundleOf("Fan"); got != 10 || p.MemoryOf("Recv") != 10240 {
		t.Errorf("unshared: bundle %d at %d MB, want 10 at 10240", got, p.MemoryOf("Recv"))
	}
}

func TestFaastlaneFusesTheWholeInstance(t *testing.T) {
	recv := testflows.Fn("", 1, 256, 0, mb)
	w := testflows.FanOut(7, mb, recv, true)
	spill, err := Faastlane{Spill: true}.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Send", "Fan", "Combine"}}
	if !slices.EqualFunc(spill.Fuse, want, slices.Equal) {
		t.Errorf("fuse = %v, want %v", spill.Fuse, want)
	}
	if spill.BundleOf("Fan") != 2 || spill.MemoryOf("Recv") != 3008 || spill.MemoryOf("Send") != 3008 {
		t.Errorf("spill: bundle %d, memory %d MB; want 2 branches per 3008 MB container", spill.BundleOf("Fan"), spill.MemoryOf("Recv"))
	}
	inVM, err := Faastlane{}.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatal(err)
	}
	if inVM.BundleOf("Fan") != 7 || inVM.MemoryOf("Recv") != 3008 {
		t.Errorf("in-VM: bundle %d at %d MB, want all 7 items in the 3008 MB VM (7 x 256 fits)", inVM.BundleOf("Fan"), inVM.MemoryOf("Recv"))
	}
	// 20 processes of 256 MB do not fit 3,008 MB: the VM grows to hold them.
	w = testflows.FanOut(20, mb, recv, true)
	inVM, err = Faastlane{}.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatal(err)
	}
	if m := inVM.MemoryOf("Recv"); m < 20*256 || m > 20*256+64 {
		t.Errorf("in-VM, 20 x 256 MB: VM %d MB, want just enough for 5120 MB", m)
	}
	// 50 processes of 256 MB exceed 10,240 MB: in-VM cannot run it.
	if _, err := (Faastlane{}).Plan(testflows.FanOut(50, mb, recv, true), dag.Objective{}); err == nil {
		t.Error("in-VM with 50 x 256 MB: want an error, the branches cannot fit one VM")
	}
}

// TestFaastlaneParallelFitsItsVM: a Parallel's branches run as processes of the one VM in both
// variants (the spill variant spills only a Map's items), so the VM grows to hold them, and a
// Parallel that no VM holds is an error that says how much it needs.
func TestFaastlaneParallelFitsItsVM(t *testing.T) {
	parallel := func(branches int) *dag.Workflow {
		w := &dag.Workflow{Name: "par", Functions: []dag.Function{testflows.Fn("f", 1, 128, 0, 0), testflows.Fn("g", 1, 1024, 0, 0)}}
		par := make([][]dag.Step, branches)
		for b := range par {
			par[b] = []dag.Step{{Name: fmt.Sprintf("B%d", b), Task: "g"}}
		}
		w.Steps = []dag.Step{{Name: "A", Task: "f"}, {Name: "P", Parallel: par}}
		if err := w.Validate(); err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, fl := range []Faastlane{{Spill: true}, {}} {
		p, err := fl.Plan(parallel(4), dag.Objective{})
		if err != nil {
			t.Fatalf("%s, 4 branches of 1024 MB: %v", fl.name(), err)
		}
		if m := p.MemoryOf("g"); m < 4096 || m >= 4096+64 {
			t.Errorf("%s, 4 branches of 1024 MB: VM %d MB, want just enough for 4096 MB", fl.name(), m)
		}
		_, err = fl.Plan(parallel(11), dag.Objective{})
		if err == nil || !strings.Contains(err.Error(), "they need 11264 MB at once") {
			t.Errorf("%s, 11 branches of 1024 MB: error %v, want one saying they need 11264 MB", fl.name(), err)
		}
	}
	// A Parallel alone forms no fusion group: its branches run in VMs of their own, and the
	// VM size is left as it is.
	alone := parallel(11)
	alone.Steps = alone.Steps[1:]
	for _, fl := range []Faastlane{{Spill: true}, {}} {
		if p, err := fl.Plan(alone, dag.Objective{}); err != nil || p.DefaultMemoryMB != FaastlaneDefaultMemoryMB {
			t.Errorf("%s, a Parallel of 11 branches alone: %v, %v; want a plan at %d MB", fl.name(), p, err, FaastlaneDefaultMemoryMB)
		}
	}
}
