package experiments

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/tables"
)

// Table is an experiment's result in memory: its schema and rows in cell order.
type Table struct {
	Schema tables.Schema
	Rows   []Row
}

// Col returns the index of column name; it panics on an unknown name, a programmer error.
func (t *Table) Col(name string) int {
	i := t.Schema.Index(name)
	if i < 0 {
		panic(fmt.Sprintf("experiments: table has no column %q", name))
	}
	return i
}

// Floats returns column name as float64s for the rows where keep (nil: all) is true.
func (t *Table) Floats(name string, keep func(Row) bool) []float64 {
	c := t.Col(name)
	var out []float64
	for _, r := range t.Rows {
		if keep == nil || keep(r) {
			switch v := r[c].(type) {
			case float64:
				out = append(out, v)
			case int64:
				out = append(out, float64(v))
			}
		}
	}
	return out
}

// num returns a numeric cell as float64: a null (nil, in a nullzero column) is 0, what the row
// struct held; anything else not numeric is NaN.
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case nil:
		return 0
	}
	return math.NaN()
}

// Strings returns the distinct values of a string column in first-seen order.
func (t *Table) Strings(name string) []string {
	c := t.Col(name)
	seen := map[string]bool{}
	var out []string
	for _, r := range t.Rows {
		s := r[c].(string)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Where returns a predicate matching rows whose string column name equals value.
func (t *Table) Where(name, value string) func(Row) bool {
	c := t.Col(name)
	return func(r Row) bool { return r[c].(string) == value }
}

func writeTable(path string, schema tables.Schema, rows []Row, opts ...tables.Options) error {
	w, err := tables.Create(path, schema, opts...)
	if err != nil {
		return err
	}
	defer w.Abort()
	for i, r := range rows {
		if len(r) != len(schema) {
			return fmt.Errorf("%s: row %d has %d values, schema has %d columns", path, i+1, len(r), len(schema))
		}
		for j, v := range r {
			if v == nil {
				w.Null()
				continue
			}
			switch x := v.(type) {
			case int64:
				w.Int(x)
			case int:
				w.Int(int64(x))
			case float64:
				w.Float(x)
			case string:
				w.String(x)
			case bool:
				w.Bool(x)
			default:
				return fmt.Errorf("%s: row %d column %q: unsupported value type %T", path, i+1, schema[j].Name, v)
			}
		}
		if err := w.EndRow(); err != nil {
			return err
		}
	}
	return w.Close()
}

func readTable(path string, schema tables.Schema) ([]Row, error) {
	r, err := tables.Open(path, schema)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var rows []Row
	for r.Next() {
		row := make(Row, len(schema))
		for j, c := range schema {
			if c.Nullable && r.IsNull(j) {
				continue // nil
			}
			switch c.Type {
			case tables.Int64:
				row[j] = r.Int(j)
			case tables.Float64:
				row[j] = r.Float(j)
			case tables.String:
				row[j] = r.String(j)
			case tables.Bool:
				row[j] = r.Bool(j)
			}
		}
		rows = append(rows, row)
	}
	return rows, r.Err()
}
