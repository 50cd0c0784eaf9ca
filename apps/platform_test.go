package apps

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/platform"
)

func TestPlatformSpreadsOverheadOverCriticalTransitions(t *testing.T) {
	base := platform.Default()
	// video: Split, ChunkMap + Extract + Classify, Shuffle = 5 transitions.
	if got, want := Platform("video", base).TransitionLatency, 5.367/5; math.Abs(got-want) > 1e-12 {
		t.Errorf("video transition latency = %v, want %v", got, want)
	}
	if Platform("svd", base).TransitionLatency != base.TransitionLatency {
		t.Error("svd has no fitted overhead and must keep the platform's transition latency")
	}
	if base.TransitionLatency != platform.Default().TransitionLatency {
		t.Error("Platform modified its argument")
	}
}
