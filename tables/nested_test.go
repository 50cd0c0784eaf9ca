package tables

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// TestParquetNestedColumn: a file whose first column is nested (a struct) has leaf indices that
// differ from field indices; reading it as flat used to panic. It is refused with the column.
func TestParquetNestedColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	st := arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64}, arrow.Field{Name: "b", Type: arrow.PrimitiveTypes.Int64})
	schema := arrow.NewSchema([]arrow.Field{{Name: "nest", Type: st}, {Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String}, {Name: "x", Type: arrow.PrimitiveTypes.Float64}, {Name: "ok", Type: arrow.FixedWidthTypes.Boolean}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	sb := b.Field(0).(*array.StructBuilder)
	sb.Append(true)
	sb.FieldBuilder(0).(*array.Int64Builder).Append(1)
	sb.FieldBuilder(1).(*array.Int64Builder).Append(2)
	b.Field(1).(*array.Int64Builder).Append(7)
	b.Field(2).(*array.StringBuilder).Append("f")
	b.Field(3).(*array.Float64Builder).Append(1.5)
	b.Field(4).(*array.BooleanBuilder).Append(true)
	rec := b.NewRecord()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "nested.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, testSchema)
	if err == nil {
		r.Close()
		t.Fatal("a file with a nested first column opened as flat")
	}
	if !strings.Contains(err.Error(), `column "nest" is nested`) {
		t.Errorf("error = %v, want it to name the nested column", err)
	}
}
