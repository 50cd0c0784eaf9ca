package dag

import (
	"strings"
	"testing"
)

// TestLooksLike: an input file of another kind is named, with the flag that takes it, where a
// workflow, plan or profile was wanted (a profile given to --workflow said only `unknown field
// "workflow"`); a file of the wanted kind, or of no known kind, gets no hint.
func TestLooksLike(t *testing.T) {
	for _, tc := range []struct{ data, want, hint string }{
		{`{"workflow": {}, "sizes": []}`, KindWorkflow, "it looks like a profile (from wisefuse profile), which --profiles takes"},
		{`{"StartAt": "A", "States": {}}`, KindProfile, "which --asl (with --functions) takes"},
		{`{"state_machine": "x.asl.json", "functions": []}`, KindWorkflow, "a deployment (from plan --export-asl)"},
		{`{"default_memory_mb": 1024}`, KindProfile, "it looks like a plan, which --plan takes"},
		{`{"name": "w", "functions": [], "steps": []}`, KindPlan, "it looks like a workflow, which --workflow takes"},
		{`{"default_memory_mb": 1024}`, KindPlan, ""},
		{`{"something": 1}`, KindWorkflow, ""},
		{`[1, 2]`, KindWorkflow, ""},
		// A side file's functions are an object, a deployment's an array; a workflow has steps.
		{`{"functions": {"A": {}}, "map_items": {"M": 5}}`, KindWorkflow, "an ASL performance side file, which --functions (with --asl) takes"},
		{`{"functions": [{"function": "A"}]}`, KindPlan, "a deployment (from plan --export-asl)"},
	} {
		got := LooksLike([]byte(tc.data), tc.want)
		if tc.hint == "" && got != "" || !strings.Contains(got, tc.hint) {
			t.Errorf("LooksLike(%s, %s) = %q, want %q", tc.data, tc.want, got, tc.hint)
		}
	}
	if _, err := ParseWorkflow("p.json", []byte(`{"workflow": {}, "sizes": []}`)); err == nil || !strings.Contains(err.Error(), "which --profiles takes") {
		t.Errorf("a profile read as a workflow: %v, want the hint", err)
	}
	// A workflow or a side file given as a plan is no deployment (both have "functions").
	for _, data := range []string{`{"name": "w", "functions": [], "steps": []}`, `{"functions": {"A": {}}}`} {
		if IsDeployment([]byte(data)) {
			t.Errorf("IsDeployment(%s) = true", data)
		}
	}
}
