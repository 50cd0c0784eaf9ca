// Package jsonpos decodes JSON strictly and, on failure, says where: the line, column and field
// path of the value at fault and what was expected there; a key repeated in one object is an
// error too. Workflow, plan, ASL, platform and profile files all go through it. For problems
// found after decoding, by validation, it gives the line of a value by its path (Positions,
// LineOf) and joins a file's problems into one message, capped (JoinProblems).
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// encoding/json reports a type mismatch with a byte offset and a field path without array
// indices ("steps.map.items"), an unknown field with neither, and an error from a custom
// UnmarshalJSON (a malformed Dist) with no position at all. Users need "line 12, column 20:
// steps[1].map.items: ...". So when a strict decode fails for any reason other than bad syntax,
// the data is read again token by token alongside the target type to find the first value that
// does not fit, with its exact position and path. That second pass runs only on failure, so it
// costs nothing for good files.

// Options says how strict a decode is and how the path of an error names things.
type Options struct {
	Strict  bool // unknown object keys are errors (workflow and plan files; ASL allows them)
	DotKeys bool // map keys as ".key" (ASL paths: States.Split.Next) instead of `["key"]`
	// Plain maps a type with a custom UnmarshalJSON to a method-free type with the same fields,
	// so that the locator can look inside an object the custom decoder rejected and point at the
	// key or value at fault ("steps[0].map.items.mean: want a number").
	Plain map[reflect.Type]reflect.Type
}

// Decode decodes data into v (a pointer) and turns any failure into an error that gives the
// line, column and field path of the value at fault and what was expected there.
func Decode(data []byte, v any, style Options) error {
	if err := tooDeep(data); err != nil {
		return err
	}
	if err := duplicateKey(data, style); err != nil {
		return err
	}
	if off := skipSpace(data, 0); bytes.HasPrefix(data[off:], []byte("null")) && reflect.TypeOf(v).Elem().Kind() == reflect.Struct {
		// encoding/json takes null as "leave v as it is": a file of null read as an empty
		// object, and failed later on what it lacked ("name is empty; has no steps").
		line, col := LineCol(data, off)
		return fmt.Errorf("line %d, column %d: null, want a JSON object", line, col)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if style.Strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		// Anything but white space after the value is an error too.
		off := skipSpace(data, dec.InputOffset())
		if off < int64(len(data)) {
			line, col := LineCol(data, off)
			return fmt.Errorf("line %d, column %d: unexpected data after the JSON value (a file holds exactly one JSON object)", line, col)
		}
		return nil
	}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// Offset is the number of bytes read when the error was found: the bad byte is the last.
		line, col := LineCol(data, max(syn.Offset-1, 0))
		return fmt.Errorf("line %d, column %d: invalid JSON: %s", line, col, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if len(bytes.TrimSpace(data)) == 0 {
			return errors.New("empty file, want a JSON object")
		}
		line, col := LineCol(data, int64(len(data)))
		return fmt.Errorf("line %d, column %d: truncated JSON (the file ends inside a value)", line, col)
	}
	if at := locateJSONError(data, reflect.TypeOf(v).Elem(), style); at != nil {
		return at
	}
	return err
}

// MaxDepth bounds how deeply a file's arrays and objects nest. The place of every value is kept
// as its path, which grows with the depth, so deeper files would cost memory quadratic in their
// nesting: 100,000 nested arrays took minutes and gigabytes before this limit. Workflows nest a
// few levels per Map or Parallel; encoding/json itself stops at 10,000.
const MaxDepth = 1000

// tooDeep returns an error at the first array or object nested deeper than MaxDepth, found in one
// pass over the bytes (strings skipped); nil otherwise.
func tooDeep(data []byte) error {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > MaxDepth {
				line, col := LineCol(data, int64(i))
				return fmt.Errorf("line %d, column %d: arrays and objects nested more than %d deep (the limit)", line, col, MaxDepth)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// Error is a decode error at a known place.
type Error struct {
	Line, Col int
	Path      string // "" for the top-level value
	Msg       string
}

func (e *Error) Error() string {
	where := e.Path
	if where == "" {
		where = "top level"
	}
	return fmt.Sprintf("line %d, column %d: %s: %s", e.Line, e.Col, where, e.Msg)
}

// locateJSONError re-reads data along type t and returns the first value that does not decode,
// or nil if it finds none (then the caller keeps encoding/json's own error).
func locateJSONError(data []byte, t reflect.Type, style Options) error {
	l := &locator{data: data, dec: json.NewDecoder(bytes.NewReader(data)), style: style}
	off, path, msg, found := l.value(t, "", 0)
	if !found {
		return nil
	}
	line, col := LineCol(data, off)
	return &Error{Line: line, Col: col, Path: path, Msg: msg}
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

type locator struct {
	data  []byte
	dec   *json.Decoder
	style Options
}

// start returns the offset of the next value's first byte (after white space, ':' and ',').
func (l *locator) start() int64 {
	off := l.dec.InputOffset()
	for off < int64(len(l.data)) {
		switch l.data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

// value reads the next JSON value, which is to become a t. base is the offset of l.data within
// the whole file (non-zero when looking inside a sub-value). It returns where and what is wrong.
func (l *locator) value(t reflect.Type, path string, base int64) (off int64, at, msg string, found bool) {
	off = l.start()
	fail := func(format string, a ...any) (int64, string, string, bool) {
		return base + off, path, fmt.Sprintf(format, a...), true
	}
	var raw json.RawMessage
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := l.dec.Decode(&raw); err != nil {
			return fail("%v", err)
		}
		v := reflect.New(t)
		err := v.Interface().(json.Unmarshaler).UnmarshalJSON(raw)
		if err == nil {
			return 0, "", "", false
		}
		if plain, ok := l.style.Plain[t]; ok && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			sub := &locator{data: raw, dec: json.NewDecoder(bytes.NewReader(raw)), style: Options{Strict: true, Plain: l.style.Plain}}
			if o, p, m, ok := sub.value(plain, path, base+off); ok {
				return o, p, m, true
			}
		}
		return fail("%v", err)
	}
	switch t.Kind() {
	case reflect.Pointer:
		if l.peek() == 'n' {
			return l.skip(path, base)
		}
		return l.value(t.Elem(), path, base)
	case reflect.Struct:
		return l.object(t, path, base, func(key string) (reflect.Type, string, bool) {
			f, ok := fieldByJSONName(t, key)
			return f, join(path, key), ok
		})
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			break
		}
		return l.object(t, path, base, func(key string) (reflect.Type, string, bool) {
			if l.style.DotKeys {
				return t.Elem(), join(path, key), true
			}
			return t.Elem(), path + "[" + strconv.Quote(key) + "]", true
		})
	case reflect.Slice:
		if l.peek() == 'n' {
			return l.skip(path, base)
		}
		if l.peek() != '[' {
			return l.mismatch(t, path, base)
		}
		if _, err := l.dec.Token(); err != nil {
			return fail("%v", err)
		}
		for i := 0; l.dec.More(); i++ {
			if o, p, m, ok := l.value(t.Elem(), fmt.Sprintf("%s[%d]", path, i), base); ok {
				return o, p, m, true
			}
		}
		if _, err := l.dec.Token(); err != nil {
			return fail("%v", err)
		}
		return 0, "", "", false
	}
	// A scalar (or a type the locator does not look into): decode it on its own.
	if err := l.dec.Decode(&raw); err != nil {
		return fail("%v", err)
	}
	if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
		return fail("want %s, got %s%s", describeType(t), DescribeJSON(raw), integerHint(t, raw))
	}
	return 0, "", "", false
}

// object reads a JSON object whose keys resolve through field (type and path of the key's value).
func (l *locator) object(t reflect.Type, path string, base int64, field func(key string) (reflect.Type, string, bool)) (int64, string, string, bool) {
	if l.peek() == 'n' {
		return l.skip(path, base)
	}
	if l.peek() != '{' {
		return l.mismatch(t, path, base)
	}
	if _, err := l.dec.Token(); err != nil {
		return base + l.start(), path, err.Error(), true
	}
	for l.dec.More() {
		keyOff := l.start()
		tok, err := l.dec.Token()
		if err != nil {
			return base + keyOff, path, err.Error(), true
		}
		key, _ := tok.(string)
		ft, p, ok := field(key)
		if !ok {
			if l.style.Strict {
				return base + keyOff, path, fmt.Sprintf("unknown field %q (want one of %s)", key, strings.Join(jsonNames(t), ", ")), true
			}
			var skip json.RawMessage
			if err := l.dec.Decode(&skip); err != nil {
				return base + l.start(), p, err.Error(), true
			}
			continue
		}
		if o, p, m, ok := l.value(ft, p, base); ok {
			return o, p, m, true
		}
	}
	if _, err := l.dec.Token(); err != nil {
		return base + l.start(), path, err.Error(), true
	}
	return 0, "", "", false
}

func (l *locator) peek() byte {
	if off := l.start(); off < int64(len(l.data)) {
		return l.data[off]
	}
	return 0
}

// skip consumes the next value without looking into it.
func (l *locator) skip(path string, base int64) (int64, string, string, bool) {
	off := l.start()
	var raw json.RawMessage
	if err := l.dec.Decode(&raw); err != nil {
		return base + off, path, err.Error(), true
	}
	return 0, "", "", false
}

// mismatch reports that the next value has the wrong JSON type for t.
func (l *locator) mismatch(t reflect.Type, path string, base int64) (int64, string, string, bool) {
	off := l.start()
	var raw json.RawMessage
	if err := l.dec.Decode(&raw); err != nil {
		return base + off, path, err.Error(), true
	}
	return base + off, path, fmt.Sprintf("want %s, got %s", describeType(t), DescribeJSON(raw)), true
}

// integerHint explains why a number is not an integer to Go's JSON decoder, which "want an
// integer, got the number 1e7" left a puzzle: a whole number written with an exponent or a
// fraction ("1e7", "5.0"), or one written as an integer but out of the field's range (4294967296
// for a 32-bit int); "" for any other mismatch, and for a value that is no number.
func integerHint(t reflect.Type, raw []byte) string {
	if describeType(t) != "an integer" {
		return ""
	}
	text := string(bytes.TrimSpace(raw))
	v, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return "" // not a number: a string, an object, ...
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// The range as powers of two, exact in float64 (float64(MaxInt64) rounds up to 2^63): an
	// integer v fits when lo <= v < end.
	lo, end := -math.Ldexp(1, t.Bits()-1), math.Ldexp(1, t.Bits()-1)
	rangeHint := fmt.Sprintf(" (out of range: this integer is from %d to %d)", int64(math.MinInt64)>>(64-t.Bits()), int64(math.MaxInt64)>>(64-t.Bits()))
	if k := t.Kind(); k >= reflect.Uint && k <= reflect.Uintptr {
		lo, end = 0, math.Ldexp(1, t.Bits())
		rangeHint = fmt.Sprintf(" (out of range: this integer is from 0 to %d)", uint64(math.MaxUint64)>>(64-t.Bits()))
	}
	// Written as an integer, the decoder refused it for its range: a 32-bit int of a 32-bit build
	// took 4294967296 for "an exponent or a fraction". So is a number past the range however
	// written (1e400, or 3e2 for a byte, which "write it as 300" would not mend).
	if !strings.ContainsAny(text, ".eE") || err != nil || v < lo || v >= end {
		return rangeHint
	}
	if v != math.Trunc(v) || math.Abs(v) >= 1<<53 {
		return ""
	}
	return fmt.Sprintf(" (write the integer without an exponent or a fraction: %d)", int64(v))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldByJSONName finds the field of struct t that encoding/json would fill from key: the exact
// name first, then a case-insensitive match, as encoding/json does.
func fieldByJSONName(t reflect.Type, key string) (reflect.Type, bool) {
	var fold reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, ok := jsonName(f)
		if !ok {
			continue
		}
		if name == key {
			return f.Type, true
		}
		if fold == nil && strings.EqualFold(name, key) {
			fold = f.Type
		}
	}
	return fold, fold != nil
}

func jsonName(f reflect.StructField) (string, bool) {
	if !f.IsExported() || f.Anonymous {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, true
}

// jsonNames lists the keys a struct type accepts (for "unknown field" errors).
func jsonNames(t reflect.Type) []string {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if n, ok := jsonName(t.Field(i)); ok {
			names = append(names, n)
		}
	}
	return names
}

// describeType says in words what JSON a Go type takes.
func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return describeType(t.Elem())
	}
	return t.String()
}

// DescribeJSON names a raw JSON value's type, with the value itself when it is short.
func DescribeJSON(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "the string " + truncate(raw)
	case 't', 'f':
		return string(raw)
	case 'n':
		return "null"
	}
	return "the number " + truncate(raw)
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n':
			off++
			continue
		}
		break
	}
	return off
}

// duplicateKey returns an error at the second occurrence of a key repeated in one JSON object
// (encoding/json would silently keep the last), with its line, column and path; nil when there
// is none or data is not valid JSON (the decoder reports that).
func duplicateKey(data []byte, _ Options) error {
	if noDuplicateKeys(data) {
		return nil
	}
	return duplicateKeyByTokens(data)
}

// duplicateKeyByTokens is duplicateKey by reading data token by token: slow, but it knows where
// it is.
func duplicateKeyByTokens(data []byte) error {
	var dup error
	scan(data, func(path, key string, off int64, seen bool) bool {
		if seen {
			line, col := LineCol(data, off)
			dup = &Error{Line: line, Col: col, Path: path,
				Msg: fmt.Sprintf("duplicate key %q, given twice in one object (a key may appear once)", key)}
			return false
		}
		return true
	}, nil)
	return dup
}

// noDuplicateKeys reports true only when no object in data repeats a key: a byte scan, tens of
// times faster than reading tokens (a simulator profile holds hundreds of thousands of numbers),
// that answers false, leaving the answer to duplicateKey's token scan, at anything it is not sure
// of: a repeated key, a key with an escape or a byte outside printable ASCII (whose decoded form
// could equal another's), or brackets that do not match. On valid JSON it finds exactly the keys
// the token scan finds, with the same text, so true means that scan would find no repeat either;
// past a syntax error the token scan stops, so it reports nothing there that this scan would miss.
func noDuplicateKeys(data []byte) bool {
	type object struct {
		keys [][]byte
		set  map[string]bool // once keys is long
	}
	var stack []object
	var inObj []bool // per open container: an object (else an array)
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{':
			inObj = append(inObj, true)
			if len(stack) < cap(stack) { // reuse the key list of an object closed at this depth
				stack = stack[:len(stack)+1]
				o := &stack[len(stack)-1]
				o.keys, o.set = o.keys[:0], nil
			} else {
				stack = append(stack, object{})
			}
			expectKey = true
		case '[':
			inObj = append(inObj, false)
			expectKey = false
		case '}', ']':
			if len(inObj) == 0 || inObj[len(inObj)-1] != (c == '}') {
				return false
			}
			if c == '}' {
				stack = stack[:len(stack)-1]
			}
			inObj = inObj[:len(inObj)-1]
			expectKey = false
		case ',':
			expectKey = len(inObj) > 0 && inObj[len(inObj)-1]
		case '"':
			start := i + 1
			plain := true
			for i++; i < len(data) && data[i] != '"'; i++ {
				if b := data[i]; b == '\\' {
					plain = false
					i++ // the escaped byte, which may be a quote
				} else if b < 0x20 || b > 0x7e {
					plain = false
				}
			}
			if i >= len(data) {
				return false
			}
			if !expectKey {
				continue
			}
			expectKey = false
			if !plain {
				return false
			}
			o := &stack[len(stack)-1]
			k := data[start:i]
			if o.set != nil {
				if o.set[string(k)] {
					return false
				}
				o.set[string(k)] = true
				continue
			}
			for _, prev := range o.keys {
				if bytes.Equal(prev, k) {
					return false
				}
			}
			o.keys = append(o.keys, k)
			if len(o.keys) > 16 {
				o.set = make(map[string]bool, 2*len(o.keys))
				for _, prev := range o.keys {
					o.set[string(prev)] = true
				}
			}
		}
	}
	return true
}

// Pos is a place in a file: 1-based line and column (columns count bytes).
type Pos struct{ Line, Col int }

// Positions maps the path of every value in data ("steps[1].map.iterator[0]", "keep_alive_s";
// map keys as ".key") to where the value starts, so that an error found after decoding, by
// validation, can name the line of the value at fault. It reads data up to its first syntax
// error; a repeated key keeps its first place.
func Positions(data []byte) map[string]Pos {
	pos := map[string]Pos{}
	var last int64
	line, col := 1, 1
	scan(data, nil, func(path string, off int64) {
		for ; last < off; last++ {
			if data[last] == '\n' {
				line++
				col = 1
			} else {
				col++
			}
		}
		if _, ok := pos[path]; !ok {
			pos[path] = Pos{line, col}
		}
	})
	return pos
}

// scan reads the JSON values of data token by token, calling key (when not nil) with every key
// of an object, the object's path, the key's offset and whether the object already had it (scan
// stops when key returns false), and value (when not nil) with the path and offset of every
// value, in file order. It stops at the first syntax error.
func scan(data []byte, key func(path, key string, off int64, seen bool) bool, value func(path string, off int64)) {
	type level struct {
		obj   bool
		keys  map[string]bool
		path  string
		index int    // arrays: the next element's index
		key   string // objects: the key whose value comes next ("" before it is read)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*level
	child := func() string { // the path of the value about to be read
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if top.obj {
			return join(top.path, top.key)
		}
		return fmt.Sprintf("%s[%d]", top.path, top.index)
	}
	done := func() { // a value was read: advance the enclosing container
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.obj {
			top.key = ""
		} else {
			top.index++
		}
	}
	for {
		off := skipSpace(data, dec.InputOffset())
		for off < int64(len(data)) && (data[off] == ',' || data[off] == ':') {
			off = skipSpace(data, off+1)
		}
		tok, err := dec.Token()
		if err != nil {
			return
		}
		top := (*level)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if t, ok := tok.(string); ok && top != nil && top.obj && top.key == "" {
			if key != nil && !key(top.path, t, off, top.keys[t]) {
				return
			}
			top.keys[t] = true
			top.key = t
			continue
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			done()
			continue
		}
		if value != nil {
			value(child(), off)
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &level{obj: d == '{', keys: map[string]bool{}, path: child()})
			continue
		}
		done()
	}
}

// LineCol converts a byte offset into a 1-based line and column (columns count bytes).
func LineCol(data []byte, offset int64) (line, col int) {
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

// truncate shortens a value quoted in a message to 40 bytes.
func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
