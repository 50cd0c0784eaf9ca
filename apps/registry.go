package apps

import (
	"sort"

	"github.com/wisefuse/wisefuse/dag"
)

// App is a built-in workflow.
type App struct {
	Name    string
	Summary string               // one line
	Build   func() *dag.Workflow // returns a fresh copy the caller may modify
	// Profiled says the app is calibrated to public measurements (shared/data/aws-lambda-profiles).
	Profiled bool
	// OrchestrationS is the fitted orchestration overhead of one run, in seconds: what the
	// measured end-to-end latency adds to the sum of the stages (state transitions, Map
	// fan-out). It does not depend on memory size in the data. 0 means the platform default.
	OrchestrationS float64
}

var registry = map[string]App{}

func register(a App) { registry[a.Name] = a }

// Lookup returns the built-in workflow named name.
func Lookup(name string) (*dag.Workflow, bool) {
	a, ok := registry[name]
	if !ok {
		return nil, false
	}
	return a.Build(), true
}

// Get returns the built-in app named name.
func Get(name string) (App, bool) {
	a, ok := registry[name]
	return a, ok
}

// All returns the built-in apps sorted by name.
func All() []App {
	out := make([]App, 0, len(registry))
	for _, a := range registry {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
