package sharedtest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyTestsImportTesting: no non-test package of the module but this one imports package
// testing, and none of the CLI's dependencies in the module imports this one, so test helpers stay
// out of the binary. (The binary still links testing through a third-party dependency,
// apache/thrift, which we do not control.)
func TestOnlyTestsImportTesting(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goCmd, "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "github.com/wisefuse/wisefuse/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const self = "github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if (imp == "testing" && f[0] != self) || imp == self {
				t.Errorf("%s imports %s outside its tests", f[0], imp)
			}
		}
	}
}
