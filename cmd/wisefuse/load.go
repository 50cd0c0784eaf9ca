package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
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

// loadPlatform resolves the simulated platform for --workflow spec: the --platform file when
// given, else the default platform, adapted to a built-in app's fitted orchestration overhead
// (apps.Platform). Every command that simulates or profiles a workflow uses it, so a plan is made
// on the platform it is then evaluated on.
func loadPlatform(spec, file string) (*sim.Platform, error) {
	if file != "" {
		return sim.ReadPlatform(file)
	}
	plat := sim.DefaultPlatform()
	if _, builtin := apps.Lookup(spec); builtin {
		plat = apps.Platform(spec, plat)
	}
	return plat, nil
}
