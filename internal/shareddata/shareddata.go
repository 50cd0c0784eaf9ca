// Package shareddata locates the public measurements in ../shared/data (see its README) that
// tests and calibration read. The project never commits those files; it only reads them.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides where the shared data folder is.
const EnvVar = "WISEFUSE_SHARED_DATA"

// Dir returns the shared data folder: $WISEFUSE_SHARED_DATA if set, else the first "shared/data"
// found beside the working directory or one of its parents (the repository sits next to shared/).
func Dir() (string, bool) {
	if d := os.Getenv(EnvVar); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
		return d, false
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, true
		}
		if parent := filepath.Dir(dir); parent == dir {
			return "", false
		}
	}
}

// Path joins elem onto the shared data folder; ok is false when the folder is absent.
func Path(elem ...string) (string, bool) {
	d, ok := Dir()
	if !ok {
		return "", false
	}
	return filepath.Join(append([]string{d}, elem...)...), true
}

// InCI reports whether the tests run under CI (CI=true), where missing data is a failure.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require returns the path of elem inside the shared data folder for a test. When it is missing
// the test is skipped with the reason (the project does not commit these public files), except
// under CI=true, where a missing file means the check never ran and so fails.
func Require(tb testing.TB, elem ...string) string {
	tb.Helper()
	p, ok := Path(elem...)
	if ok {
		if _, err := os.Stat(p); err != nil {
			ok = false
		}
	}
	if !ok {
		what := filepath.Join(append([]string{"shared", "data"}, elem...)...)
		if InCI() {
			tb.Fatalf("%s is missing and CI=true requires it (set %s)", what, EnvVar)
		}
		tb.Skipf("%s is missing: the public measurements are not committed; set %s to run this check", what, EnvVar)
	}
	return p
}
