package orion_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wisefuse/wisefuse/orion"
)

// ReadFile reads one profiling log: the memory size from its name, one run a line, milliseconds
// read as seconds.
func ExampleReadFile() {
	dir, _ := os.MkdirTemp("", "orion")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "rsc_1000_1000.txt")
	os.WriteFile(path, []byte("E2E:5200 Split:1000 Work:4000\nE2E:5600 Split:1100 Work:4300\n"), 0o644)
	l, err := orion.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.MemoryMB, "MB,", l.Stages, "E2E", l.Seconds["E2E"])
	// Output: 1000 MB, [Split Work] E2E [5.2 5.6]
}
