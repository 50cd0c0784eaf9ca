package wisefuse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadProfileRejectsBadTimes: a profile file whose times are negative or not finite is
// refused with the field and index named, so a corrupted profile cannot plan silently.
func TestReadProfileRejectsBadTimes(t *testing.T) {
	w, fns := chainWorkflow(2)
	invs, dags := synthRecords(w, fns, []int{1024, 4096}, 20, 1)
	p, err := FromRecords(w, invs, dags)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := WriteProfile(good, p); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadProfile(good); err != nil {
		t.Fatalf("the written profile does not read back: %v", err)
	}
	for _, tc := range []struct {
		name, want string
		spoil      func(*Profile)
	}{
		{"negative e2e", "e2e_s[3]", func(p *Profile) { p.Sizes[0].E2E[3] = -1 }},
		{"negative end gap", "end_gap_s[0]", func(p *Profile) { p.Sizes[1].EndGap[0] = -0.5 }},
		{"negative compute", "negative or non-finite", func(p *Profile) { p.Sizes[0].Steps[0].Compute[1] = -2 }},
		{"negative bytes", "in_bytes -1", func(p *Profile) { p.Sizes[0].Steps[1].InBytes = -1 }},
	} {
		q, err := ReadProfile(good)
		if err != nil {
			t.Fatal(err)
		}
		tc.spoil(q)
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
		if err := WriteProfile(path, q); err != nil {
			t.Fatal(err)
		}
		_, err = ReadProfile(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and %q", tc.name, err, path, tc.want)
		}
	}
	if _, err := os.Stat(good); err != nil {
		t.Fatal(err)
	}
}
