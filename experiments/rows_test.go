package experiments

import (
	"reflect"
	"testing"

	"github.com/wisefuse/wisefuse/tables"
)

func TestRowStruct(t *testing.T) {
	type r struct {
		Name  string  `col:"name"`
		N     int     `col:"n"`
		X     float64 `col:"x"`
		OK    bool    `col:"ok"`
		Count int64   `col:"count"`
	}
	want := tables.Schema{{Name: "name", Type: tables.String}, {Name: "n", Type: tables.Int64},
		{Name: "x", Type: tables.Float64}, {Name: "ok", Type: tables.Bool}, {Name: "count", Type: tables.Int64}}
	if got := schemaOf[r](); !reflect.DeepEqual(got, want) {
		t.Errorf("schemaOf = %v, want %v", got, want)
	}
	// Values in field order, ints as int64 (what a table read back from disk holds).
	if got, want := rowOf(r{Name: "a", N: 2, X: 0.5, OK: true, Count: 7}), (Row{"a", int64(2), 0.5, true, int64(7)}); !reflect.DeepEqual(got, want) {
		t.Errorf("rowOf = %#v, want %#v", got, want)
	}
}

func TestRowStructRejects(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	type untagged struct {
		A string `col:"a"`
		B string
	}
	type badType struct {
		A []int `col:"a"`
	}
	mustPanic("field without col tag", func() { schemaOf[untagged]() })
	mustPanic("unsupported field type", func() { schemaOf[badType]() })
	mustPanic("not a struct", func() { schemaOf[int]() })
	mustPanic("row not a struct", func() { rowOf(3) })
	mustPanic("row field type", func() { rowOf(badType{}) })
}
