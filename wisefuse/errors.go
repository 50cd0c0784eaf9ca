package wisefuse

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
)

// UnsupportedError is a workflow whose shape the modeler cannot predict. Callers check for it
// (errors.As) before profiling anything, so a user learns in milliseconds, not after the
// profiling runs, that WiseFuse cannot plan the workflow.
type UnsupportedError struct {
	Map  string // the Map whose iterator holds the step; "" for a top-level step
	Step string
	Kind dag.StepKind
}

func (e *UnsupportedError) Error() string {
	if e.Map != "" {
		return fmt.Sprintf("wisefuse: map %q: iterator step %q is a %s; the modeler handles iterators of task and pass steps only", e.Map, e.Step, e.Kind)
	}
	return fmt.Sprintf("wisefuse: step %q is a %s; the modeler handles top-level task, pass and map steps only", e.Step, e.Kind)
}

// CheckSupported reports whether the modeler handles w's shape: a top-level sequence of Task,
// Pass and Map steps, where a Map's iterator is a sequence of Task and Pass steps. Otherwise it
// returns an *UnsupportedError naming the first step it cannot handle.
func CheckSupported(w *dag.Workflow) error {
	for _, st := range w.Steps {
		switch st.Kind() {
		case dag.TaskStep, dag.PassStep:
		case dag.MapStep:
			for _, it := range st.Map.Iterator {
				if k := it.Kind(); k != dag.TaskStep && k != dag.PassStep {
					return &UnsupportedError{Map: st.Name, Step: it.Name, Kind: k}
				}
			}
		default:
			return &UnsupportedError{Step: st.Name, Kind: st.Kind()}
		}
	}
	return nil
}
