package replay

import (
	"testing"

	"github.com/wisefuse/wisefuse/internal/testflows"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/traces"
)

// TestWiseFusePlanKeepsItsPrediction: a DAG WiseFuse plans carries the planner's predicted P95
// (the trace-replay table's predicted column). It went missing once, silently, when policy.New's
// WiseFuse planner changed type.
func TestWiseFusePlanKeepsItsPrediction(t *testing.T) {
	w := testflows.Chain(3, 1, 128, 1e6)
	e := &traces.CatalogEntry{DAG: "chain", Workflow: w, Nodes: policy.Invocations(w)}
	d, err := planOne(&Config{Policy: policy.WiseFuse, SLO: 60, Seed: 1}, e)
	if err != nil {
		t.Fatal(err)
	}
	if d.note != "" || !(d.predP95 > 0 && d.predP95 <= 60) {
		t.Errorf("WiseFuse's plan of %s: predicted P95 %v s (note %q), want one in (0, 60]", w.Name, d.predP95, d.note)
	}
}
