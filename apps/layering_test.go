package apps

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDefinitionsOnly: apps defines workflows; the simulator, the output formats, the ORION log
// parser and the calibration sit above it and must not be among its dependencies.
func TestDefinitionsOnly(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goCmd, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const mod = "github.com/wisefuse/wisefuse/"
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"sim", "tables", "figures", "orion", "calibration"} {
			if dep == mod+banned {
				t.Errorf("apps depends on %s", dep)
			}
		}
	}
}
