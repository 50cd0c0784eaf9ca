package main

import (
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/experiments"
)

// TestExperimentsUsageErrors: bad flags are usage errors (exit 2) that name the flag, before any
// experiment runs.
func TestExperimentsUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--only", "vs-user,nope"}, `--only "nope": unknown experiment`},
		{[]string{"--shard", "4/4"}, `--shard "4/4"`},
		{[]string{"--workers", "0"}, "--workers 0"},
	} {
		args := append([]string{"experiments", "--out", t.TempDir()}, c.args...)
		code, _, errOut := runCLI(args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, errOut, c.want)
		}
	}
}

func TestQuickDir(t *testing.T) {
	for in, want := range map[string]string{"results": "results/quick", "results/quick": "results/quick",
		"/tmp/x/": "/tmp/x/quick", "quick": "quick"} {
		if got := quickDir(in); got != want {
			t.Errorf("quickDir(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExperimentsListOnly: --list lists every experiment, and with --only the ones it names (it
// listed them all).
func TestExperimentsListOnly(t *testing.T) {
	code, all, _ := runCLI("experiments", "--list")
	if code != 0 || strings.Count(all, "\n") != len(experiments.All()) {
		t.Fatalf("--list: exit %d, %d lines, want %d", code, strings.Count(all, "\n"), len(experiments.All()))
	}
	code, some, _ := runCLI("experiments", "--list", "--only", "vs-user,sweep-skew")
	if code != 0 || strings.Count(some, "\n") != 2 || !strings.HasPrefix(some, "sweep-skew ") || !strings.Contains(some, "\nvs-user ") {
		t.Errorf("--list --only vs-user,sweep-skew: exit %d, output %q; want those two, in the list's order", code, some)
	}
	if code, _, stderr := runCLI("experiments", "--list", "--only", "nope"); code != 2 || !strings.Contains(stderr, `"nope": unknown experiment`) {
		t.Errorf("--list --only nope: exit %d, %q; want a usage error", code, stderr)
	}
}
