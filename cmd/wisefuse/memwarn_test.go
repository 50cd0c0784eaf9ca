package main

import (
	"strings"
	"testing"
)

func TestMemoryWarning(t *testing.T) {
	need := simulateMemory(1_000_000, 100, true)
	if need < 1_000_000*100*100 {
		t.Fatalf("10^8 kept function records estimated at %d bytes, want at least 100 bytes each", need)
	}
	if without := simulateMemory(1_000_000, 100, false); without*50 > need {
		t.Errorf("without --out %d bytes, with %d: the function records should dominate", without, need)
	}
	msg := memoryWarning(need, 1<<30, "10^6 runs x 100", "fewer --runs")
	for _, want := range []string{humanBytes(need), "1.0 GB available", "10^6 runs x 100", "fewer --runs"} {
		if !strings.Contains(msg, want) {
			t.Errorf("warning %q lacks %q", msg, want)
		}
	}
	if msg := memoryWarning(1<<20, 1<<30, "", ""); msg != "" {
		t.Errorf("1 MB of 1 GB: warning %q, want none", msg)
	}
	if msg := memoryWarning(1<<40, 0, "", ""); msg != "" {
		t.Errorf("unknown memory: warning %q, want none", msg)
	}
}
