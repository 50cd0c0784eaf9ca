package dag

import (
	"math"
	"strings"
	"testing"
)

func TestFunctionExtensionsValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(f *Function)
		want string
	}{
		{func(f *Function) { f.Oversubscription = -0.1 }, "oversubscription"},
		{func(f *Function) { f.Oversubscription = math.NaN() }, "oversubscription"},
		{func(f *Function) { f.InputRequests = -1 }, "input_requests"},
		{func(f *Function) { f.OutputRequests = -2 }, "output_requests"},
		{func(f *Function) { f.ExtraRequestLatency = math.Inf(1) }, "extra_request_latency_s"},
	} {
		w := &Workflow{Name: "w", Functions: []Function{{Name: "F", Threads: 1}}, Steps: []Step{{Name: "T", Task: "F"}}}
		tc.edit(&w.Functions[0])
		if err := w.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate = %v, want an error naming %s", err, tc.want)
		}
	}
}

func TestItemUniform(t *testing.T) {
	seen := map[float64]bool{}
	sum := 0.0
	const n = 2000
	for i := range n {
		u := ItemUniform("Classify", i)
		if !(u > 0 && u < 1) {
			t.Fatalf("ItemUniform(Classify, %d) = %v, want in (0, 1)", i, u)
		}
		if u != ItemUniform("Classify", i) {
			t.Fatal("ItemUniform is not deterministic")
		}
		seen[u] = true
		sum += u
	}
	if len(seen) != n || math.Abs(sum/n-0.5) > 0.03 {
		t.Errorf("%d distinct values of %d, mean %.3f: want all distinct, mean about 0.5", len(seen), n, sum/n)
	}
	if ItemUniform("Extract", 0) == ItemUniform("Classify", 0) {
		t.Error("different functions should get different positions")
	}
	f := Function{Name: "F", ItemSkew: Dist{Kind: Uniform, Min: 0.1, Max: 1}}
	if s := f.IndexedSkew(3); s < 0.1 || s > 1 {
		t.Errorf("IndexedSkew = %v, want in [0.1, 1]", s)
	}
	if (&Function{Name: "F"}).IndexedSkew(3) != 1 {
		t.Error("an unset item skew must give 1")
	}
}
