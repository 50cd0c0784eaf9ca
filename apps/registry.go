package apps

import (
	"sort"

	"github.com/wisefuse/wisefuse/dag"
)

// App is a built-in workflow.
type App struct {
	Name    string
	Summary string              // one line
	Build   func() *dag.Workflow // returns a fresh copy the caller may modify
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

// All returns the built-in apps sorted by name.
func All() []App {
	out := make([]App, 0, len(registry))
	for _, a := range registry {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
