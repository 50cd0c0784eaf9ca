package dag

import (
	"slices"
	"strings"
	"testing"
)

// TestSpillingMaps: a Map spills when it runs in a VM (a fusion group, or a bundle of its
// enclosing Map) and may have more items than its bundle; an orchestrated Map never does.
func TestSpillingMaps(t *testing.T) {
	fn := func(name string) Function {
		return Function{Name: name, MinMemoryMB: 128, SerialWork: Const(1), Threads: 1}
	}
	inner := Step{Name: "Inner", Map: &Map{Items: Const(4), Iterator: []Step{{Name: "C", Task: "C"}}}}
	w := &Workflow{Name: "w", Functions: []Function{fn("A"), fn("B"), fn("C")}, Steps: []Step{
		{Name: "A", Task: "A"},
		{Name: "Fan", Map: &Map{Items: Dist{Kind: Uniform, Min: 2, Max: 6}, Iterator: []Step{{Name: "B", Task: "B"}}}},
		{Name: "Outer", Map: &Map{Items: Const(2), Iterator: []Step{inner}}},
	}}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		plan *Plan
		want []string
	}{
		{"unfused", &Plan{DefaultMemoryMB: 1024}, nil},
		{"fused, bundle 2 of up to 6", &Plan{DefaultMemoryMB: 1024, Fuse: [][]string{{"A", "Fan"}}, Bundle: map[string]int{"Fan": 2}}, []string{"Fan"}},
		{"fused, bundle 6 of up to 6", &Plan{DefaultMemoryMB: 1024, Fuse: [][]string{{"A", "Fan"}}, Bundle: map[string]int{"Fan": 6}}, nil},
		{"bundled outer, inner by 1", &Plan{DefaultMemoryMB: 1024, Bundle: map[string]int{"Outer": 2}}, []string{"Inner"}},
		{"bundled outer, inner by 4", &Plan{DefaultMemoryMB: 1024, Bundle: map[string]int{"Outer": 2, "Inner": 4}}, nil},
		{"both", &Plan{DefaultMemoryMB: 1024, Fuse: [][]string{{"A", "Fan", "Outer"}}}, []string{"Fan", "Outer", "Inner"}},
	} {
		if got := c.plan.SpillingMaps(w); !slices.Equal(got, c.want) {
			t.Errorf("%s: SpillingMaps %v, want %v", c.name, got, c.want)
		}
		err := c.plan.CheckSpills(w, "not here")
		if (err != nil) != (len(c.want) > 0) || err != nil && !strings.HasSuffix(err.Error(), ": not here") {
			t.Errorf("%s: CheckSpills %v", c.name, err)
		}
		if err := c.plan.CheckSpills(w, ""); err != nil {
			t.Errorf("%s: CheckSpills with no reason: %v", c.name, err)
		}
	}
}
