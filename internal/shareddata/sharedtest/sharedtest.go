// Package sharedtest is the test side of package shareddata: Require gives a test the path of a
// file in the shared data folder, or skips the test when it is absent (failing under CI=true).
// Only _test.go files import it, so that package testing stays out of the binaries.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata"
)

// Require returns the path of elem inside the shared data folder for a test. When it is missing
// the test is skipped with the reason (the project does not commit these public files), except
// under CI=true, where a missing file means the check never ran and so fails.
func Require(tb testing.TB, elem ...string) string {
	tb.Helper()
	p, ok := shareddata.Path(elem...)
	if ok {
		if _, err := os.Stat(p); err != nil {
			ok = false
		}
	}
	if !ok {
		what := filepath.Join(append([]string{"shared", "data"}, elem...)...)
		if shareddata.InCI() {
			tb.Fatalf("%s is missing and CI=true requires it (set %s)", what, shareddata.EnvVar)
		}
		tb.Skipf("%s is missing: the public measurements are not committed; set %s to run this check", what, shareddata.EnvVar)
	}
	return p
}
