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
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := w.Validate(); err != nil {
		// Again, with the line of each step or function at fault (found only on failure).
		pos := jsonpos.Positions(data)
		return nil, fmt.Errorf("%s: %w", name, w.validate(func(path string) int { return pos[path].Line }))
	}
	return &w, nil
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
		return nil, fmt.Errorf("%s: %w", name, err)
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
