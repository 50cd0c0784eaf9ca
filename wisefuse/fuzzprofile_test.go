package wisefuse

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
)

// FuzzReadProfile: any profile file either reads into a profile that validates, or gives an
// error; never a panic. Where the fast read takes the file, jsonpos.Decode takes it too and
// gives the same profile, bit for bit.
func FuzzReadProfile(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"workflow": {"name": "w", "functions": [], "steps": []}, "sizes": [{"memory_mb": 1024, "runs": 1}]}`))
	f.Add([]byte(`{"sizes": [{"memory_mb": -1, "e2e_s": [NaN]}]}`))
	// A real profile, small, so that the fuzzer starts from files the fast read takes.
	p, err := profileInSim(apps.All()[0].Build(), ProfileOptions{Runs: 2, Sizes: []int{1024}})
	if err != nil {
		f.Fatal(err)
	}
	sample, err := json.Marshal(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, ok := decodeProfileFast(data); ok {
			want, err := slowProfile(data)
			if err != nil {
				t.Fatalf("the fast read took a file jsonpos.Decode rejects: %v", err)
			}
			if !sameProfile(got, want) {
				t.Fatal("the fast read differs from jsonpos.Decode")
			}
		}
		path := filepath.Join(dir, "p.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := ReadProfile(path)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("ReadProfile accepted a profile that does not validate: %v", err)
		}
	})
}
