package wisefuse

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadProfile: any profile file either reads into a profile that validates, or gives an
// error; never a panic.
func FuzzReadProfile(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"workflow": {"name": "w", "functions": [], "steps": []}, "sizes": [{"memory_mb": 1024, "runs": 1}]}`))
	f.Add([]byte(`{"sizes": [{"memory_mb": -1, "e2e_s": [NaN]}]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
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
