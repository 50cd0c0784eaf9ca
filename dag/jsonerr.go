package dag

import (
	"reflect"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// jsonStyle says how the path of an error names the keys of a JSON object decoded into a Go map.
type jsonStyle struct {
	strict  bool // unknown object keys are errors (workflow and plan files; ASL allows them)
	dotKeys bool // map keys as ".key" (ASL paths: States.Split.Next) instead of `["key"]`
}

// plainTypes maps a type with a custom UnmarshalJSON to a method-free type with the same fields,
// so that the decoder can look inside an object the custom decoder rejected and point at the key
// or value at fault ("steps[0].map.items.mean: want a number").
var plainTypes = map[reflect.Type]reflect.Type{
	reflect.TypeFor[Dist](): reflect.TypeFor[distFields](),
	reflect.TypeFor[Map]():  reflect.TypeFor[mapFields](),
}

// decodeJSON decodes data into v (a pointer) through jsonpos.Decode: any failure gives the line,
// column and field path of the value at fault and what was expected there.
func decodeJSON(data []byte, v any, style jsonStyle) error {
	return jsonpos.Decode(data, v, jsonpos.Options{Strict: style.strict, DotKeys: style.dotKeys, Plain: plainTypes})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
