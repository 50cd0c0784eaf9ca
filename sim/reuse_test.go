package sim

import (
	"reflect"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// TestWarmReuse: three idle VMs of one pool, created as instances 1, 2, 3 and released in the
// order 3, 1, 2. "most-recent" takes the one released last (2), "newest" the one created last
// (3), "oldest" the one created first (1); the others stay in release order, so the pool still
// expires from its front. "random" is the engine's own stream: the same seed takes the same VM.
func TestWarmReuse(t *testing.T) {
	w := oneTask("A", 1, 0)
	pick := func(reuse string, seed uint64) (taken int64, rest []int64) {
		p := testPlatform()
		p.WarmReuse = reuse
		e, err := prepare(w, dag.UniformPlan(1769), modeShared, 1, Options{Platform: p, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		var vs [3]int32
		for i := range vs {
			vs[i] = e.newVM(0)
		}
		for _, i := range []int{2, 0, 1} {
			e.pools[0].pushBack(vs[i])
		}
		taken = e.vms[e.takeWarm(0)].id
		for _, vi := range e.pools[0].buf[e.pools[0].head:] {
			rest = append(rest, e.vms[vi].id)
		}
		return taken, rest
	}
	for _, tc := range []struct {
		reuse string
		taken int64
		rest  []int64
	}{
		{platform.ReuseMostRecent, 2, []int64{3, 1}},
		{platform.ReuseNewest, 3, []int64{1, 2}},
		{platform.ReuseOldest, 1, []int64{3, 2}},
	} {
		if taken, rest := pick(tc.reuse, 1); taken != tc.taken || !reflect.DeepEqual(rest, tc.rest) {
			t.Errorf("%s: took %d leaving %v, want %d leaving %v", tc.reuse, taken, rest, tc.taken, tc.rest)
		}
	}
	seen := map[int64]bool{}
	for seed := uint64(0); seed < 40; seed++ {
		a, _ := pick(platform.ReuseRandom, seed)
		b, _ := pick(platform.ReuseRandom, seed)
		if a != b {
			t.Fatalf("random, seed %d: took %d then %d", seed, a, b)
		}
		seen[a] = true
	}
	if len(seen) != 3 {
		t.Errorf("random over 40 seeds took only %v", seen)
	}
}

// TestWarmReuseDeterministic: a whole simulation under each reuse rule gives the same records
// twice, and the rules differ from each other only in which warm VM serves.
func TestWarmReuseDeterministic(t *testing.T) {
	w := &dag.Workflow{Name: "exp",
		Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, SerialWork: dag.Dist{Kind: dag.Exponential, Mean: 1}, Threads: 1, InitTime: dag.Const(0.5)}},
		Steps:     []dag.Step{task("S", "F")}}
	for _, reuse := range []string{platform.ReuseMostRecent, platform.ReuseNewest, platform.ReuseOldest, platform.ReuseRandom} {
		p := testPlatform()
		p.WarmReuse, p.KeepAlive = reuse, 5
		arr := PoissonArrivals(2, 500, 9)
		a, err := RunArrivals(w, dag.UniformPlan(1769), arr, Options{Platform: p, Seed: 4, KeepInvocations: true})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := RunArrivals(w, dag.UniformPlan(1769), arr, Options{Platform: p, Seed: 4, KeepInvocations: true})
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two runs differ", reuse)
		}
		t.Logf("%s: cold-start fraction %.4f, mean live VMs %.2f", reuse, a.Summary.ColdStartFraction, a.Summary.MeanLiveVMs)
	}
}
