package replay

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/wisefuse/wisefuse/platform"
)

// TestPlanCacheReusesAcrossKeepAlive: a replay under another keep-alive takes the cached plans and
// writes exactly what a replay that planned for itself writes; a platform that differs elsewhere
// (the concurrency limit) plans again.
func TestPlanCacheReusesAcrossKeepAlive(t *testing.T) {
	dir := t.TempDir()
	trace := genTrace(t, dir, "t.parquet", 20, 1500)
	hybrid := platform.Default()
	hybrid.KeepAlivePolicy = platform.KeepAliveHybrid
	short := platform.Default()
	short.KeepAlive = 60
	limit := platform.Default()
	limit.ConcurrencyLimit = 500
	cache := NewPlanCache()
	for i, p := range []*platform.Platform{short, hybrid, limit} {
		run(t, Config{Trace: trace, Policy: "sonic", Platform: p, Out: filepath.Join(dir, "cached", string(rune('0'+i))), Plans: cache})
	}
	if n := len(cache.m); n != 2 {
		t.Errorf("cache holds %d plan sets, want 2 (keep-alive shares one, the concurrency limit has its own)", n)
	}
	run(t, Config{Trace: trace, Policy: "sonic", Platform: hybrid, Out: filepath.Join(dir, "fresh")})
	for _, f := range []string{InvocationsFile, DAGsFile} {
		a, _ := os.ReadFile(filepath.Join(dir, "cached", "1", f))
		b, _ := os.ReadFile(filepath.Join(dir, "fresh", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between cached and fresh plans (%d and %d bytes)", f, len(a), len(b))
		}
	}
}
