package dag

import (
	"encoding/json"
	"fmt"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// ParseWorkflow decodes a workflow from JSON and validates it. name (usually the file name) prefixes
// every error, which also gives the line and column or the JSON field at fault.
func ParseWorkflow(name string, data []byte) (*Workflow, error) {
	var w Workflow
	if err := decodeJSON(data, &w, jsonStyle{strict: true}); err != nil {
		if IsASL(data) {
			return nil, fmt.Errorf("%s: an AWS Step Functions definition (ASL), not a workflow: import it with its performance side file (ReadASL; on the command line, --asl FILE --functions SIDE.json)", name)
		}
		return nil, fmt.Errorf("%s: %w%s", name, err, LooksLike(data, KindWorkflow))
	}
	if err := w.Validate(); err != nil {
		// Again, with the line of each step or function at fault (found only on failure).
		pos := jsonpos.Positions(data)
		return nil, fmt.Errorf("%s: %w", name, w.validate(func(path string) int { return pos[path].Line }))
	}
	return &w, nil
}

// Kinds of JSON input file, for LooksLike.
const (
	KindWorkflow   = "a workflow"
	KindASL        = "an AWS Step Functions definition (ASL)"
	KindPlan       = "a plan"
	KindDeployment = "a deployment (from plan --export-asl)"
	KindProfile    = "a profile (from wisefuse profile)"
	KindSideFile   = "an ASL performance side file"
)

// flagOf is the command-line flag that takes each kind of file.
var flagOf = map[string]string{KindWorkflow: "--workflow", KindASL: "--asl (with --functions)", KindPlan: "--plan",
	KindDeployment: "--plan (with the exported --asl and --functions)", KindProfile: "--profiles", KindSideFile: "--functions (with --asl)"}

// LooksLike names, for a file that did not decode as the kind want, the kind of input file its
// top-level keys say it is, with the flag that takes it: " (it looks like a profile (from
// wisefuse profile), which --profiles takes)"; "" when it looks like none, or like want. A
// profile given to --workflow said only `unknown field "workflow"`.
func LooksLike(data []byte, want string) string {
	var keys map[string]json.RawMessage
	if json.Unmarshal(data, &keys) != nil {
		return ""
	}
	has := func(k string) bool { _, ok := keys[k]; return ok }
	kind := ""
	switch {
	case IsASL(data):
		kind = KindASL
	case IsDeployment(data):
		kind = KindDeployment
	case has("map_items") || has("functions") && !has("steps") && len(keys["functions"]) > 0 && keys["functions"][0] == '{':
		kind = KindSideFile
	case has("workflow") && has("sizes"):
		kind = KindProfile
	case has("steps") && has("functions"):
		kind = KindWorkflow
	case has("memory_mb") || has("default_memory_mb") || has("bundle") || has("fuse"):
		kind = KindPlan
	}
	if kind == "" || kind == want {
		return ""
	}
	return fmt.Sprintf(" (it looks like %s, which %s takes)", kind, flagOf[kind])
}

// IsASL reports whether data looks like an AWS Step Functions definition rather than a workflow:
// a JSON object with the ASL's StartAt and States, which a workflow never has.
func IsASL(data []byte) bool {
	var probe struct {
		StartAt *json.RawMessage `json:"StartAt"`
		States  *json.RawMessage `json:"States"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.StartAt != nil && probe.States != nil
}

// ReadWorkflow reads and validates a workflow JSON file.
func ReadWorkflow(path string) (*Workflow, error) {
	data, err := jsonpos.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseWorkflow(path, data)
}

// ParsePlan decodes a plan from JSON and, when w is not nil, validates it against w. A
// Deployment (written by `plan --export-asl`) reads as the plan it deploys on w (ParseDeployment),
// which needs w.
func ParsePlan(name string, data []byte, w *Workflow) (*Plan, error) {
	if IsDeployment(data) {
		if w == nil {
			return nil, fmt.Errorf("%s: a deployment (from plan --export-asl) is a plan only with its workflow", name)
		}
		return ParseDeployment(name, data, w)
	}
	var p Plan
	if err := decodeJSON(data, &p, jsonStyle{strict: true}); err != nil {
		return nil, fmt.Errorf("%s: %w%s", name, err, LooksLike(data, KindPlan))
	}
	if w != nil {
		if err := p.Validate(w); err != nil {
			// Again, with the line of each value at fault (found only on failure).
			pos := jsonpos.Positions(data)
			return nil, fmt.Errorf("%s: %w", name, p.validate(w, func(path string) int { return jsonpos.LineOf(pos, path) }))
		}
	}
	return &p, nil
}

// ReadPlan reads a plan JSON file and, when w is not nil, validates it against w.
func ReadPlan(path string, w *Workflow) (*Plan, error) {
	data, err := jsonpos.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePlan(path, data, w)
}

// MarshalIndent is json.MarshalIndent with two-space indentation and a final newline, the form
// the CLI writes workflows and plans in.
func MarshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
