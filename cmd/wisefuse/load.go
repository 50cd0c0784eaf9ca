package main

import (
	"fmt"
	"os"
	"strings"

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
