package orion

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadFile: any log either reads or gives an error naming the file; never a panic.
func FuzzReadFile(f *testing.F) {
	f.Add("E2E:1200 Split:100 Work:900\nE2E:1300 Split:110 Work:950\n")
	f.Add("E2E:1 E2E:1 A:NaN\n")
	f.Add("E2E:1e400 A:-1\n\n")
	f.Add("A:1\nE2E:2 B:3\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		path := filepath.Join(dir, "rsc_1024_1024_1024.txt")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadFile(path); err != nil && !strings.Contains(err.Error(), "rsc_1024_1024_1024.txt") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
