package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/wisefuse/wisefuse/internal/crash"
)

func init() {
	// Commands that exist only in this test binary: one panics in the command's goroutine, one
	// in a worker goroutine whose panic is carried back as an error (as the experiment, trace
	// and replay workers do).
	register(&command{name: "test-panic", summary: "test only", run: func(*flag.FlagSet, []string, io.Writer, io.Writer) error {
		var m map[string]int
		m["x"] = 1 // a nil-map write: a runtime panic, as a real bug would raise
		return nil
	}})
	register(&command{name: "test-worker-panic", summary: "test only", run: func(*flag.FlagSet, []string, io.Writer, io.Writer) error {
		var wg sync.WaitGroup
		var err error
		wg.Add(1)
		go func() {
			defer wg.Done()
			err = crash.Go(func() error { panic("worker boom") })
		}()
		wg.Wait()
		return fmt.Errorf("experiment x, cell y: %w", err)
	}})
}

// TestExitCodes: 0 success, 1 failure, 2 usage, 3 a panic, with a message that says what
// happened, the command line and where to report it, and no stack unless asked.
func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"workflows"}, exitOK, nil},
		{[]string{"--help"}, exitOK, nil},
		{[]string{}, exitUsage, nil},
		{[]string{"no-such-command"}, exitUsage, []string{"unknown command"}},
		{[]string{"simulate", "--no-such-flag"}, exitUsage, []string{"--help"}},
		{[]string{"simulate", "--workflow", "no-such-file.json", "--memory", "1024", "--runs", "1"}, exitFailure, []string{"neither a built-in"}},
		{[]string{"test-panic", "--some", "arg"}, exitInternal, []string{"internal error", "assignment to entry in nil map",
			"command: wisefuse test-panic --some arg", reportURL, "in:      cmd/wisefuse.init.", "(cmd/wisefuse/exitcodes_test.go:"}},
		{[]string{"test-worker-panic"}, exitInternal, []string{"internal error", "worker boom", "command: wisefuse test-worker-panic", reportURL}},
	} {
		code, _, errOut := runCLI(tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d; stderr %s", tc.args, code, tc.code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%q: stderr lacks %q:\n%s", tc.args, w, errOut)
			}
		}
		if strings.Contains(errOut, "goroutine ") {
			t.Errorf("%q: a stack trace reached the user:\n%s", tc.args, errOut)
		}
	}
}
