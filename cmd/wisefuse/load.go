package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/wisefuse/wisefuse/platform"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
)

// loadWorkflow resolves a --workflow value: the name of a built-in app, or a workflow JSON file.
func loadWorkflow(spec string) (*dag.Workflow, error) {
	if spec == "" {
		return nil, usagef("--workflow is required (a built-in name or a workflow JSON file)")
	}
	if w, ok := apps.Lookup(spec); ok {
		return w, nil
	}
	if _, err := os.Stat(spec); err != nil {
		var names []string
		for _, a := range apps.All() {
			names = append(names, a.Name)
		}
		return nil, fmt.Errorf("workflow %q is neither a built-in (%s) nor a readable file: %v", spec, strings.Join(names, ", "), err)
	}
	return dag.ReadWorkflow(spec)
}

// platformUsage describes the --platform flag every command that plans or simulates takes.
var platformUsage = "platform: a built-in `NAME` (" + strings.Join(platform.Names(), ", ") + ") or a JSON FILE of " +
	"overrides of the default AWS constants (docs/simulator.md); without it, a built-in workflow runs on " +
	"the default platform with its calibrated orchestration latency"

// loadPlatform resolves the platform for --workflow spec: the --platform value (a built-in name
// or a JSON file) when given, else the default platform, adapted to a built-in app's fitted
// orchestration overhead (apps.Platform). Every command that plans, simulates or profiles a
// workflow uses it, so a plan is made on the platform it is then evaluated on.
func loadPlatform(spec, nameOrFile string) (*platform.Platform, error) {
	if nameOrFile != "" {
		return platform.Load(nameOrFile)
	}
	plat := platform.Default()
	if _, builtin := apps.Lookup(spec); builtin {
		plat = apps.Platform(spec, plat)
	}
	return plat, nil
}
