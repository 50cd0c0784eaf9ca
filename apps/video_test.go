package apps

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
)

// The video workflow has the published state machine's shape: Split, then one Map whose
// iterator is Extract -> Classify (ObjectDetectUpload in the ASL), followed here only by the
// profiles' small Shuffle task.
func TestVideoFollowsPublishedASL(t *testing.T) {
	w, _ := Lookup("video")
	if len(w.Steps) != 3 || w.Steps[0].Task != "Split" || w.Steps[1].Map == nil || w.Steps[2].Task != "Shuffle" {
		t.Fatalf("video steps = %+v, want Split, one Map, Shuffle", w.Steps)
	}
	it := w.Steps[1].Map.Iterator
	if w.Steps[1].Name != VideoMap || len(it) != 2 || it[0].Task != "Extract" || it[1].Task != "Classify" {
		t.Fatalf("video Map %q iterator = %+v, want Extract -> Classify", w.Steps[1].Name, it)
	}
	data, err := os.ReadFile(sharedtest.Require(t, "step-functions", "video-analytics.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		Type, Next string
		Iterator   *struct {
			StartAt string
			States  map[string]state
		}
	}
	var asl struct {
		StartAt string
		States  map[string]state
	}
	if err := json.Unmarshal(data, &asl); err != nil {
		t.Fatal(err)
	}
	split := asl.States[asl.StartAt]
	m := asl.States[split.Next]
	if split.Type != "Task" || m.Type != "Map" || m.Iterator == nil {
		t.Fatalf("published ASL: %s -> %s is not Task -> Map", asl.StartAt, split.Next)
	}
	first := m.Iterator.States[m.Iterator.StartAt]
	if first.Next == "" || m.Iterator.States[first.Next].Next != "" || m.Next != "" {
		t.Errorf("published ASL's Map iterator is not two tasks ending the machine; the built-in no longer mirrors it")
	}
}

// ORION's bundling plan: every function at min(1472*B, 10240) MB and the chunk Map bundled by B
// (that the simulator then runs whole items in one VM is checked in package calibration).
func TestVideoBundlePlan(t *testing.T) {
	w, _ := Lookup("video")
	if _, err := VideoBundlePlan(w, 0); err == nil {
		t.Error("bundle 0 must be an error")
	}
	plan, err := VideoBundlePlan(w, 5)
	if err != nil {
		t.Fatal(err)
	}
	if plan.MemoryOf("Classify") != VideoBundleMemoryMB(5) || VideoBundleMemoryMB(5) != 7360 || VideoBundleMemoryMB(10) != 10240 || plan.BundleOf(VideoMap) != 5 {
		t.Fatalf("plan = %+v, want every function at 7360 MB and %s bundled by 5", plan, VideoMap)
	}
}
