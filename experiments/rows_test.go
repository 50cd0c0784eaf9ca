package experiments

import (
	"math"
	"os"
	"path/filepath"
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

// TestRowNulls: a nullzero column's zero and a nil *float64 are null on disk (an empty CSV
// field) and nil when read back; a *float64's 0 stays a 0.
func TestRowNulls(t *testing.T) {
	type r struct {
		Policy string   `col:"policy"`
		SLO    float64  `col:"slo_s,nullzero"`
		Frac   *float64 `col:"cumulative_fraction"`
		Pub    float64  `col:"published_s,nullnan"`
	}
	schema := schemaOf[r]()
	if !schema[1].Nullable || !schema[2].Nullable || !schema[3].Nullable || schema[0].Nullable {
		t.Fatalf("schema %v: want slo_s and cumulative_fraction nullable, policy not", schema)
	}
	zero := 0.0
	rows := []Row{rowOf(r{Policy: "user-max", Pub: math.NaN()}), rowOf(r{Policy: "wisefuse", SLO: 3, Frac: &zero})}
	for _, ext := range []string{".csv", ".parquet"} {
		path := filepath.Join(t.TempDir(), "t"+ext)
		if err := writeTable(path, schema, rows); err != nil {
			t.Fatal(err)
		}
		got, err := readTable(path, schema)
		if err != nil {
			t.Fatal(err)
		}
		if want := []Row{{"user-max", nil, nil, nil}, {"wisefuse", 3.0, 0.0, 0.0}}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read back %#v, want %#v", ext, got, want)
		}
		if ext == ".csv" {
			b, _ := os.ReadFile(path)
			if want := "policy,slo_s,cumulative_fraction,published_s\nuser-max,,,\nwisefuse,3,0,0\n"; string(b) != want {
				t.Errorf("CSV = %q, want %q", b, want)
			}
		}
	}
	mustPanic := func() {
		defer func() {
			if recover() == nil {
				t.Error("unknown tag option: no panic")
			}
		}()
		type bad struct {
			A float64 `col:"a,omitempty"` // nullzero and nullnan are the options
		}
		schemaOf[bad]()
	}
	mustPanic()
}
