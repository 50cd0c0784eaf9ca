package sim

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestHotLayout holds what a trace replay reads cold per DAG invocation to its size
// (docs/simulator.md, "The replay path, fifth round"): a node in 48 bytes, a function in three
// cache lines, a draw in 24 bytes, none of them with a pointer for the garbage collector to scan.
func TestHotLayout(t *testing.T) {
	for _, c := range []struct {
		v    any
		size uintptr
	}{{node{}, 48}, {function{}, 192}, {draw{}, 24}} {
		typ := reflect.TypeOf(c.v)
		if got := typ.Size(); got > c.size {
			t.Errorf("%v is %d bytes, want at most %d", typ, got, c.size)
		}
		for i := range typ.NumField() {
			if f := typ.Field(i); hasPointers(f.Type) {
				t.Errorf("%v.%s (%v) holds a pointer", typ, f.Name, f.Type)
			}
		}
	}
	if unsafe.Sizeof(function{})%64 != 0 {
		t.Errorf("function is %d bytes, not whole cache lines", unsafe.Sizeof(function{}))
	}
}

func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.String, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
