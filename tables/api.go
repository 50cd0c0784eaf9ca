package tables

// Type is a column's value type.
type Type int

// Column types.
const (
	Int64 Type = iota
	Float64
	String
	Bool
)

func (t Type) String() string {
	switch t {
	case Int64:
		return "int64"
	case Float64:
		return "float64"
	case String:
		return "string"
	case Bool:
		return "bool"
	}
	return "unknown"
}

// want says what a value of type t looks like, for an error about one that does not parse.
func (t Type) want() string {
	switch t {
	case Int64:
		return "an integer"
	case Float64:
		return "a number"
	case Bool:
		return "true or false"
	}
	return "a string"
}

// Column is a named, typed column. A Nullable column may hold null (Writer.Null; an empty field
// in CSV, a null in Parquet) for a value that does not exist, such as the latency target of a
// policy that takes none: never a sentinel like 0 or -1, which a query would average in.
//
// Plain asks Parquet to store the column without a dictionary, for a column whose values are
// mostly distinct (ids, times, costs): there a dictionary saves nothing (the writer falls back
// to plain encoding once it passes its 1 MiB page limit), and Arrow v15's dictionary encoder
// costs a hash lookup and an allocation per value (docs/outputs.md, "Encoding"). The values
// read back the same either way; CSV ignores it.
//
// An Optional column may be missing from a file a Reader reads: every row then reads its zero
// value (false, 0, ""), as for a column added to a schema after files were written without it
// (the records' timed_out and rejected) or left out of a hand-made CSV. Writers always write it,
// and a file that has it must hold valid values there, as in any other column.
type Column struct {
	Name     string
	Type     Type
	Nullable bool
	Plain    bool
	Optional bool
}

// Schema is an ordered list of columns.
type Schema []Column

// Index returns the position of the column named name, or -1.
func (s Schema) Index(name string) int {
	for i, c := range s {
		if c.Name == name {
			return i
		}
	}
	return -1
}
