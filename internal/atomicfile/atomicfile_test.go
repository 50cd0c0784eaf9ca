package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFolderTarget: writing a file over a folder is refused before any work, with a message
// naming the folder; it used to fail only at the rename, naming the hidden temporary file.
func TestFolderTarget(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out.json")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteBytes(dir, []byte("{}"))
	if err == nil || err.Error() != dir+" is a folder, want a file name to write" {
		t.Errorf("err = %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("the folder changed: %v", err)
	}
	// A rename that fails anyway names the target, not the temporary file.
	f, err := Create(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	f.Path = dir // became a folder after Create
	if err := f.Commit(); err == nil || strings.Contains(err.Error(), ".tmp-") || !strings.Contains(err.Error(), "writing "+dir) {
		t.Errorf("commit onto a folder: %v", err)
	}
}
