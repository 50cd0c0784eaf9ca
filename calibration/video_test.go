package calibration

import (
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
)

// A bundle of B items runs B whole items (Extract then Classify) in one VM of
// min(1472*B, 10240) MB: an item's Classify starts when its own Extract ends.
func TestVideoBundlesRunWholeItems(t *testing.T) {
	w, _ := apps.Lookup("video")
	plan, err := apps.VideoBundlePlan(w, 5)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(w, plan, 2, sim.Options{Platform: apps.Platform("video", platform.Default()), Seed: 1, KeepInvocations: true})
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ run, item int }
	extract := map[key]records.Invocation{}
	for _, inv := range res.Invocations {
		if inv.Step == "Extract" {
			extract[key{inv.Run, inv.Item}] = inv
		}
	}
	n := 0
	for _, inv := range res.Invocations {
		if inv.Step != "Classify" {
			continue
		}
		n++
		e := extract[key{inv.Run, inv.Item}]
		if e.VM != inv.VM || e.Bundle != inv.Item/5 {
			t.Errorf("run %d item %d: Extract in VM %d (bundle %d), Classify in VM %d", inv.Run, inv.Item, e.VM, e.Bundle, inv.VM)
		}
		if inv.Start < e.End-1e-9 || inv.Start > e.End+0.01 {
			t.Errorf("run %d item %d: Classify starts at %.3f, its Extract ends at %.3f", inv.Run, inv.Item, inv.Start, e.End)
		}
	}
	if n != 2*apps.VideoChunks {
		t.Errorf("%d Classify invocations, want %d", n, 2*apps.VideoChunks)
	}
}
