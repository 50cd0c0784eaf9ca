package lint

import (
	"go/build"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/wisefuse/wisefuse/"

// layers is docs/architecture.md as data: a package may import only packages of a lower layer.
// A package missing here fails the test, so a new package is placed in the picture on purpose.
var layers = map[string]int{
	// -1: helpers below the vocabulary (strict JSON, panics as values, order statistics); the
	// standard library only.
	"internal/jsonpos": -1, "internal/crash": -1, "internal/stats": -1,
	// 0: the vocabulary and the facts; the standard library only.
	"dag": 0, "platform": 0, "records": 0, "orion": 0,
	"internal/atomicfile": 0, "internal/parallel": 0, "internal/seed": 0, "internal/sketch": 0,
	"internal/minheap":    0,
	"internal/shareddata": 0,
	"internal/lint":       0,
	// 1: the models (simulator, planners, workflow definitions) and the two I/O libraries. The
	// planners never see the simulator: they plan from platform facts and profiles.
	"sim": 1, "wisefuse": 1, "baselines": 1, "apps": 1, "tables": 1, "figures": 1,
	"internal/testflows": 1, "internal/shareddata/sharedtest": 1, "internal/cputime": 1, // for tests; only _test.go files import them
	// 2: what joins models: policies profiled in the simulator, calibration against AWS logs,
	// Azure-style traces.
	"policy": 2, "calibration": 2, "traces": 2,
	// 3: a whole trace replayed through one shared platform; 4: named experiments; 5: the CLI.
	"replay":       3,
	"experiments":  4,
	"cmd/wisefuse": 5,
}

// external lists the only packages that may import a third-party module (by path prefix), so
// that heavy dependencies (Arrow and its ~180 packages, gonum/plot) stay out of the core.
var external = map[string][]string{
	"github.com/apache/arrow/":       {"tables"},
	"gonum.org/v1/plot":              {"figures"},
	"golang.org/x/image":             {"figures"},
	"gonum.org/v1/gonum":             {"apps", "calibration", "figures"},
	"github.com/schollz/progressbar": {"experiments", "cmd/wisefuse"},
	"github.com/DataDog/sketches-go": {"internal/sketch"},
}

// testOnly are the packages only _test.go files may import: test helpers stay out of the binary,
// and only they may import package testing. (The binary still links testing through a
// third-party dependency, apache/thrift under Arrow, which the project does not control.)
var testOnly = map[string]bool{"internal/testflows": true, "internal/shareddata/sharedtest": true, "internal/cputime": true}

func TestLayers(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "results" || name == "docs" || name == "bin") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		layer, ok := layers[rel]
		if !ok {
			t.Errorf("package %s is not in the layering (internal/lint/layers_test.go, docs/architecture.md): place it", rel)
			return nil
		}
		for _, imp := range pkg.Imports {
			if imp == "testing" && !testOnly[rel] {
				t.Errorf("%s imports testing outside its tests: test helpers belong in a test-only package", rel)
			}
			if dep, ok := strings.CutPrefix(imp, module); ok {
				if testOnly[dep] {
					t.Errorf("%s imports %s, which only tests may import", rel, dep)
				}
				if dl, known := layers[dep]; !known || dl >= layer {
					t.Errorf("%s (layer %d) imports %s (layer %d): a package may import only lower layers", rel, layer, dep, dl)
				}
				continue
			}
			if !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				continue // the standard library
			}
			allowed := false
			for prefix, pkgs := range external {
				if strings.HasPrefix(imp, prefix) {
					for _, p := range pkgs {
						allowed = allowed || p == rel
					}
				}
			}
			if !allowed {
				t.Errorf("%s imports %s: third-party modules are allowed only where docs/architecture.md says", rel, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for p := range layers {
		if !seen[p] && p != "orion" && p != "calibration" {
			stale = append(stale, p)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("layering names packages that do not exist: %v", stale)
	}
}
