package main

import (
	"flag"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
)

// flagsOf defines run's flags on a fresh FlagSet (by asking for help) and returns their names.
func flagsOf(t *testing.T, name string, run func(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error, args ...string) []string {
	t.Helper()
	stdout := os.Stdout
	devnull, _ := os.Open(os.DevNull)
	os.Stdout = devnull // parseFlags prints the help there
	defer func() { os.Stdout = stdout; devnull.Close() }()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run(fs, append(args, "--help"), io.Discard, io.Discard)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	return names
}

// TestUsageListsEveryFlag: every command's usage line names every flag its FlagSet defines, so
// the synopsis cannot drift from the flags.
func TestUsageListsEveryFlag(t *testing.T) {
	check := func(name, usage string, flags []string) {
		for _, f := range flags {
			if !strings.Contains(usage+" ", "--"+f+" ") && !strings.Contains(usage, "--"+f+"]") &&
				!strings.Contains(usage, "--"+f+")") && !strings.Contains(usage, "--"+f+"\n") && !strings.Contains(usage, "--"+f+",") {
				t.Errorf("wisefuse %s: usage %q does not list --%s", name, usage, f)
			}
		}
	}
	for name, c := range commands {
		if strings.HasPrefix(name, "test-") {
			continue // commands the exit-code tests register; they take no flags and panic
		}
		switch name {
		case "trace":
			for sub, s := range traceSubs {
				check("trace "+sub, s.usage, flagsOf(t, sub, s.run))
			}
		case "data":
			check("data fetch", c.usage, flagsOf(t, name, runDataFetch))
		default:
			check(name, c.usage, flagsOf(t, name, c.run))
		}
	}
}

// TestDurationHint: a duration flag given a bare number answers with the fix.
func TestDurationHint(t *testing.T) {
	code, _, errOut := runCLI("plan", "--workflow", "video", "--slo", "30")
	if code != 2 || !strings.Contains(errOut, "--slo 30s") {
		t.Errorf("exit %d, stderr %q; want exit 2 suggesting --slo 30s", code, errOut)
	}
	code, _, errOut = runCLI("simulate", "--workflow", "video", "--policy", "wisefuse", "--slo", "fast")
	if code != 2 || !strings.Contains(errOut, "durations take a unit") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// A unit it has: what it has too much of is length (it was "not a duration").
	code, _, errOut = runCLI("plan", "--workflow", "video", "--slo", "300000000h")
	if code != 2 || !strings.Contains(errOut, "--slo 300000000h: at most 2562047h") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestReplaySLOFlags: trace replay refuses --slo with --slo-factor (the factor was dropped
// silently), a factor whose targets overflow (1e308 wrote targets of +Inf), and names a negative
// --to as such (it read "the window is empty").
func TestReplaySLOFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--slo", "10s", "--slo-factor", "2"}, "--slo 10s --slo-factor 2: give one"},
		{[]string{"--slo-factor", "1e308"}, "--slo-factor 1e+308: at most 1e+06"},
		{[]string{"--to", "-5"}, "--to -5: want >= 0"},
	} {
		args := append([]string{"trace", "replay", "--in", "t.csv", "--out", "r", "--policy", "wisefuse"}, c.args...)
		if code, _, errOut := runCLI(args...); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", c.args, code, errOut, c.want)
		}
	}
}
