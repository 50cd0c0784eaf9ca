package experiments

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/wisefuse/wisefuse/tables"
)

// A table's row is written as a struct with one field per column, in column order, each tagged
// with its column's name (`col:"slo_s"`). schemaOf derives the table's Schema from the struct and
// rowOf turns a value into a Row, so code that builds a row names the column of every value, and
// a row can never disagree with its schema. Field types give column types: string, float64, int
// or int64, bool. A tag option nullzero (`col:"slo_s,nullzero"`) marks a column whose zero means
// "none" (no latency target for a baseline, no prediction, no measurement): the files hold null
// there, never the 0 a query would average in; nullnan marks a float64 column whose NaN means
// "not published" or "no closed form". A *float64 field is a nullable column where 0 is
// a value: nil is null. readTable gives nil for a null.

// schemaOf returns the Schema of row struct T: one column per field, in field order.
func schemaOf[T any]() tables.Schema {
	rt := reflect.TypeFor[T]()
	if rt.Kind() != reflect.Struct {
		panic(fmt.Sprintf("experiments: row type %v is not a struct", rt))
	}
	var s tables.Schema
	for _, f := range columnFields(rt) {
		name, opt, _ := strings.Cut(f.Tag.Get("col"), ",")
		if name == "" || (opt != "" && opt != "nullzero" && opt != "nullnan") {
			panic(fmt.Sprintf("experiments: field %v.%s has tag %q, want col:\"name\", col:\"name,nullzero\" or col:\"name,nullnan\"", rt, f.Name, f.Tag))
		}
		s = append(s, tables.Column{Name: name, Type: columnType(rt, f), Nullable: opt != "" || f.Type.Kind() == reflect.Pointer})
	}
	return s
}

// columnFields lists the columns of row type rt in order: its fields, an embedded struct's
// fields in its place (so a row type can extend another's columns, as vs-baselines-azure's adds a
// platform to compareRow's). Each field's Index is its path from rt (reflect.Value.FieldByIndex).
func columnFields(rt reflect.Type) []reflect.StructField {
	var fs []reflect.StructField
	for i := range rt.NumField() {
		f := rt.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for _, g := range columnFields(f.Type) {
				g.Index = append([]int{i}, g.Index...)
				fs = append(fs, g)
			}
			continue
		}
		fs = append(fs, f)
	}
	return fs
}

func columnType(rt reflect.Type, f reflect.StructField) tables.Type {
	switch f.Type.Kind() {
	case reflect.String:
		return tables.String
	case reflect.Float64:
		return tables.Float64
	case reflect.Int, reflect.Int64:
		return tables.Int64
	case reflect.Bool:
		return tables.Bool
	case reflect.Pointer:
		if f.Type.Elem().Kind() == reflect.Float64 {
			return tables.Float64
		}
	}
	panic(fmt.Sprintf("experiments: field %v.%s has type %v, want string, float64, int, int64, bool or *float64", rt, f.Name, f.Type))
}

// rowOf returns the values of row struct v in field (so Schema) order, ints as int64, nil for null.
func rowOf(v any) Row {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct {
		panic(fmt.Sprintf("experiments: row %T is not a struct", v))
	}
	fields := columnFields(rv.Type())
	r := make(Row, len(fields))
	for i, sf := range fields {
		f := rv.FieldByIndex(sf.Index)
		tag := sf.Tag.Get("col")
		if strings.HasSuffix(tag, ",nullzero") && f.IsZero() || strings.HasSuffix(tag, ",nullnan") && math.IsNaN(f.Float()) {
			continue // nil: null
		}
		switch f.Kind() {
		case reflect.String:
			r[i] = f.String()
		case reflect.Float64:
			r[i] = f.Float()
		case reflect.Int, reflect.Int64:
			r[i] = f.Int()
		case reflect.Bool:
			r[i] = f.Bool()
		case reflect.Pointer:
			if !f.IsNil() {
				r[i] = f.Elem().Float()
			}
		default:
			panic(fmt.Sprintf("experiments: field %T.%s has type %v", v, sf.Name, f.Type()))
		}
	}
	return r
}
