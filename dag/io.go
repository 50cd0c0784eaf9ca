package dag

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// ParseWorkflow decodes a workflow from JSON and validates it. name (usually the file name) prefixes
// every error, which also gives the line and column or the JSON field at fault.
func ParseWorkflow(name string, data []byte) (*Workflow, error) {
	var w Workflow
	if err := decodeStrict(data, &w); err != nil {
		return nil, fmt.Errorf("%s: %w", name, jsonError(data, err))
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &w, nil
}

// ReadWorkflow reads and validates a workflow JSON file.
func ReadWorkflow(path string) (*Workflow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseWorkflow(path, data)
}

// ParsePlan decodes a plan from JSON and, when w is not nil, validates it against w.
func ParsePlan(name string, data []byte, w *Workflow) (*Plan, error) {
	var p Plan
	if err := decodeStrict(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", name, jsonError(data, err))
	}
	if w != nil {
		if err := p.Validate(w); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return &p, nil
}

// ReadPlan reads a plan JSON file and, when w is not nil, validates it against w.
func ReadPlan(path string, w *Workflow) (*Plan, error) {
	data, err := os.ReadFile(path)
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

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil
}

// jsonError turns encoding/json's errors into ones that name the line, column and field.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset)
		return fmt.Errorf("line %d, column %d: invalid JSON: %v", line, col, syn)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		return fmt.Errorf("line %d, column %d: field %q: want %v, got JSON %s", line, col, typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("empty or truncated JSON")
	}
	return err
}

func lineCol(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
