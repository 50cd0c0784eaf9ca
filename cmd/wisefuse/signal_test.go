package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTraceReplayInterrupted: a SIGINT during trace replay goes to the replay (not the default
// stop, which used to pre-empt it), which stops, writes nothing and says so, exit 130. The
// signal is delivered through the hook stopOnSignal calls, as the replay sets it.
func TestTraceReplayInterrupted(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "t.parquet")
	if code, _, errOut := runCLI("trace", "gen", "--dags", "20", "--invocations", "2000", "--days", "1", "--seed", "1", "--out", trace); code != 0 {
		t.Fatalf("trace gen: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "replay")
	// Delivered as the replay takes the signals, before its work: a signal raced from another
	// goroutine could arrive after a fast replay had already finished (and rightly succeeded).
	afterInterruptible = func() { (*signalHook.Load())(os.Interrupt) }
	defer func() { afterInterruptible = nil }()
	code, _, errOut := runCLI("trace", "replay", "--in", trace, "--out", out, "--quiet")
	want := "stopped by interrupt: trace replay of " + trace + " interrupted; nothing written to " + out
	if code != 130 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q; want 130 and %q", code, errOut, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s exists after an interrupted replay (err %v)", out, err)
	}
	if signalHook.Load() != nil {
		t.Error("the replay left its signal hook in place")
	}
}
