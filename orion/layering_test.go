package orion

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly: the log parser is a leaf that any package may import.
func TestStandardLibraryOnly(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/wisefuse/wisefuse/orion" {
			t.Errorf("orion depends on %s, want the standard library only", dep)
		}
	}
}
