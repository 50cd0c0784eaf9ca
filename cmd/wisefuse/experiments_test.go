package main

import (
	"strings"
	"testing"
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
