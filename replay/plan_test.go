package replay

import (
	"testing"

	"github.com/wisefuse/wisefuse/internal/testflows"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/traces"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// TestWiseFusePlanKeepsItsPrediction: a DAG WiseFuse plans carries the planner's predicted P95
// (the trace-replay table's predicted column). It went missing once, silently, when policy.New's
// WiseFuse planner changed type.
func TestWiseFusePlanKeepsItsPrediction(t *testing.T) {
	w := testflows.Chain(3, 1, 128, 1e6)
	e := &traces.CatalogEntry{DAG: "chain", Workflow: w, Nodes: w.ExpectedInvocations()}
	d, err := planOne(&Config{Policy: policy.WiseFuse, SLO: 60, Seed: 1}, e, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.note != "" || !(d.predP95 > 0 && d.predP95 <= 60) {
		t.Errorf("WiseFuse's plan of %s: predicted P95 %v s (note %q), want one in (0, 60]", w.Name, d.predP95, d.note)
	}
}

// TestProfileBudgetFollowsTheWorkflow: a DAG is profiled for the function invocations its
// workflow makes, whatever the catalog's nodes column says. A catalog written by hand with nodes
// 1 for a Map of 1,000 items got 300 runs at each size (ProfileRuns(1)) instead of 29.
func TestProfileBudgetFollowsTheWorkflow(t *testing.T) {
	w := testflows.FanOut(1000, 1e3, testflows.Fn("f", 0.01, 128, 1e3, 1e3), false)
	e := &traces.CatalogEntry{DAG: "wide", Workflow: w, Width: 1, Depth: 1, Nodes: 1}
	d, err := planOne(&Config{Policy: policy.WiseFuse, SLO: 600, Seed: 1}, e, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := int64(policy.ProfileRuns(w.ExpectedInvocations()) * len(wisefuse.DefaultProfileSizes))
	if d.simRuns != want {
		t.Errorf("%d simulated runs to plan a %d-invocation workflow listed with nodes 1, want %d", d.simRuns, w.ExpectedInvocations(), want)
	}
}
