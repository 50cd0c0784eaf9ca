package jsonpos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileLimit: a file up to the limit reads whole; one byte more, or an endless device,
// is refused at once with the file and the limit named.
func TestReadFileLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(path, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := readFileLimit(path, 7); err != nil || string(b) != `{"a":1}` {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	if _, err := readFileLimit(path, 6); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "larger than 6 bytes") {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := readFileLimit("/dev/zero", 1<<20); err == nil || !strings.Contains(err.Error(), "/dev/zero") {
			t.Fatalf("/dev/zero: %v", err)
		}
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.json")); !os.IsNotExist(err) {
		t.Fatalf("missing file: %v, want a not-exist error", err)
	}
}
