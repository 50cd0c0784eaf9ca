package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
)

// TestModelUseSizesOrder: --use-sizes may list sizes in any order (the profile keeps them
// ascending, so the answer is the same), and a size listed twice is a usage error.
func TestModelUseSizesOrder(t *testing.T) {
	logs := filepath.Join(sharedtest.Require(t, "aws-lambda-profiles"), "video")
	args := []string{"model", "--profiles", logs, "--memory", "5000", "--json", "--use-sizes"}
	code, ascending, errOut := runCLI(append(args, "1000,10240")...)
	if code != 0 {
		t.Fatalf("1000,10240: exit %d: %s", code, errOut)
	}
	code, descending, errOut := runCLI(append(args, "10240,1000")...)
	if code != 0 || descending != ascending {
		t.Errorf("10240,1000: exit %d, %q, want the output of 1000,10240 %q (stderr %s)", code, descending, ascending, errOut)
	}
	if strings.Contains(ascending, "warning") {
		t.Errorf("two profiled sizes gave a warning: %s", ascending)
	}
	code, one, errOut := runCLI(append(args, "1000")...)
	if code != 0 || !strings.Contains(one, `"warning": "one profiled size (1000 MB)`) {
		t.Errorf("1000 alone for 5000 MB: exit %d, %s, want a one-size warning (stderr %s)", code, one, errOut)
	}
	code, _, errOut = runCLI(append(args, "1000,1000")...)
	if code != 2 || !strings.Contains(errOut, "1000 MB is listed twice") {
		t.Errorf("1000,1000: exit %d, stderr %q, want 2 and a duplicate-size message", code, errOut)
	}
}

// TestLibraryErrorsNotPrefixedTwice: errors from the wisefuse package carry "wisefuse: ", which the
// CLI, whose name is also wisefuse, does not repeat after "wisefuse model: ".
func TestLibraryErrorsNotPrefixedTwice(t *testing.T) {
	code, _, errOut := runCLI("model", "--profiles", filepath.Join(t.TempDir(), "none.json"), "--memory", "1000")
	if code != 1 || !strings.HasPrefix(errOut, "wisefuse model: ") || strings.Contains(errOut, "wisefuse: ") {
		t.Errorf("exit %d, stderr %q: want 1 and one prefix, wisefuse model: ", code, errOut)
	}
}
