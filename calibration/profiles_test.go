package calibration

import (
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata"
	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
)

// The format's checks are package orion's (orion_test.go); these show that ReadProfile passes
// them on with the file and line.
func TestReadProfileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ body, want string }{
		{"E2E:100 A:50\nE2E:100 A:x\n", ":2: field 2"},
		{"E2E:100 A:50\nE2E:100 B:50\n", ":2: stages"},
		{"A:50\n", "no E2E"},
		{"", "no runs"},
		{"E2E:100 E2E:90\n", "twice"},
		{"E2E:100 A:50 B:60\nE2E:40 A:50 B:30\n", `:2: field 1 "E2E:40": E2E 40 ms is below stage A's 50 ms`}, // session 16
	} {
		p := dir + "/p.txt"
		if err := writeFile(p, tc.body); err != nil {
			t.Fatal(err)
		}
		_, err := ReadProfile(p, "x", 1000)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadProfile(%q) = %v, want an error containing %q", tc.body, err, tc.want)
		}
	}
}

// TestReadProfileWarnings: what looks wrong in a file without contradicting the format
// (orion.Log.Warnings) comes with the profile, for calibrate to print; the public files have none.
func TestReadProfileWarnings(t *testing.T) {
	p := t.TempDir() + "/p.txt"
	if err := writeFile(p, "E2E:30 A:10 B:19\n"); err != nil {
		t.Fatal(err)
	}
	pr, err := ReadProfile(p, "x", 1000)
	if err != nil || len(pr.Warnings) != 2 || !strings.Contains(pr.Warnings[0], p+": 1 run, fewer than 52") || !strings.Contains(pr.Warnings[1], "every run's E2E is below 1000 ms") {
		t.Fatalf("ReadProfile = %+v, %v, want a few-runs and a seconds warning naming %s", pr, err, p)
	}
	for _, app := range ProfiledApps {
		for _, pr := range loadProfiles(t, app) {
			if len(pr.Warnings) > 0 {
				t.Errorf("%s: %q", pr.Path, pr.Warnings)
			}
		}
	}
}

// loadProfiles reads the shared profiles or skips (failing under CI=true) when they are absent.
func loadProfiles(t *testing.T, app string) []*Profile {
	t.Helper()
	sharedtest.Require(t, "aws-lambda-profiles", app)
	dir, _ := shareddata.Dir()
	ps, err := ReadProfiles(dir, app)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}
