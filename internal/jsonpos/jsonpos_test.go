package jsonpos

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// noDuplicateKeys is a fast path: where it answers true, the token scan must find no repeated key.
func TestNoDuplicateKeysAgreesWithTokenScan(t *testing.T) {
	many := `{`
	for i := range 20 {
		many += `"k` + string(rune('a'+i)) + `":1,`
	}
	cases := []struct {
		doc  string
		fast bool // what noDuplicateKeys answers
		dup  bool // whether the token scan finds a repeated key
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}],"d":"}{,\"a\""}`, true, false},
		{`{"a":1,"a":2}`, false, true},
		{`{"a":{"x":1},"b":{"x":1,"y":[1,2,{"x":3}]},"a":0}`, false, true},
		{`{"a":1,"\u0061":2}`, false, true},
		{`{"a\"b":1,"c":2}`, false, false},
		{many + `"kz":2}`, true, false},
		{many + `"kc":2}`, false, true},
		{`[{"a":1},{"a":1}]`, true, false},
		{`{"a":1}{"a":2}`, true, false},
		{`{"a":1]`, false, false},
		{`{"a":"é","é":1}`, false, false},
		{`{"a":1,"b":2`, true, false},
	}
	for _, c := range cases {
		if got := noDuplicateKeys([]byte(c.doc)); got != c.fast {
			t.Errorf("noDuplicateKeys(%s) = %v, want %v", c.doc, got, c.fast)
		}
		if got := duplicateKeyByTokens([]byte(c.doc)) != nil; got != c.dup {
			t.Errorf("token scan of %s finds a repeated key: %v, want %v", c.doc, got, c.dup)
		}
		if got := duplicateKey([]byte(c.doc), Options{}) != nil; got != c.dup {
			t.Errorf("duplicateKey(%s) gives an error: %v, want %v", c.doc, got, c.dup)
		}
	}
	// Random documents, and the same with bytes dropped, doubled or swapped: wherever the fast
	// scan answers true, the token scan finds nothing.
	r := rand.New(rand.NewPCG(3, 4))
	keys := []string{`"a"`, `"b"`, `"c"`, `"\u0061"`, `"a\"{"`, `"x y"`}
	var gen func(depth int) string
	gen = func(depth int) string {
		switch k := r.IntN(6); {
		case depth > 3 || k < 2:
			return []string{`1`, `-2.5e3`, `"s"`, `"}]{["`, `true`, `null`}[r.IntN(6)]
		case k < 4:
			var parts []string
			for range r.IntN(4) {
				parts = append(parts, keys[r.IntN(len(keys))]+":"+gen(depth+1))
			}
			return "{" + strings.Join(parts, ",") + "}"
		default:
			var parts []string
			for range r.IntN(4) {
				parts = append(parts, gen(depth+1))
			}
			return "[" + strings.Join(parts, ", ") + "]"
		}
	}
	checked, fast := 0, 0
	for range 20000 {
		doc := []byte(gen(0))
		if len(doc) > 1 && r.IntN(2) == 0 {
			i := r.IntN(len(doc) - 1)
			switch r.IntN(3) {
			case 0:
				doc = append(doc[:i], doc[i+1:]...)
			case 1:
				doc = append(doc[:i+1], doc[i:]...)
			default:
				doc[i], doc[i+1] = doc[i+1], doc[i]
			}
		}
		checked++
		if noDuplicateKeys(doc) {
			fast++
			if err := duplicateKeyByTokens(doc); err != nil {
				t.Fatalf("%s: the fast scan finds no repeated key, the token scan: %v", doc, err)
			}
		}
	}
	if fast < checked/4 {
		t.Errorf("the fast scan answered for %d of %d documents; want most plain ones", fast, checked)
	}
}

// TestTooDeep: a file nested past MaxDepth is refused at once with its place; 100,000 nested
// arrays used to take minutes and gigabytes (the paths of the values grow with the depth). At the
// limit, and with brackets inside strings, decoding goes on as before.
func TestTooDeep(t *testing.T) {
	var v any
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	err := Decode([]byte(deep), &v, Options{})
	if err == nil || !strings.Contains(err.Error(), "line 1, column 1001: arrays and objects nested more than 1000 deep") {
		t.Errorf("100,000 levels: %v", err)
	}
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if err := Decode([]byte(ok), &v, Options{}); err != nil {
		t.Errorf("%d levels: %v", MaxDepth, err)
	}
	str := `{"a": "` + strings.Repeat(`[{\"`, 2000) + `"}`
	if err := Decode([]byte(str), &v, Options{}); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
}

// TestIntegerWithExponent: a whole number written as 1e7 or 5.0 is not an integer to Go's JSON
// decoder; the message said "want an integer, got the number 1e7" and left the user to guess.
func TestIntegerWithExponent(t *testing.T) {
	var v struct {
		N int    `json:"n"`
		P *int   `json:"p"`
		B *int32 `json:"b"`
		U uint8  `json:"u"`
		L int64  `json:"l"`
		W uint64 `json:"w"`
	}
	for _, c := range []struct{ in, want string }{
		{`{"n": 1e7}`, "n: want an integer, got the number 1e7 (write the integer without an exponent or a fraction: 10000000)"},
		{`{"p": 5.0}`, "p: want an integer, got the number 5.0 (write the integer without an exponent or a fraction: 5)"},
		{`{"n": 1024.5}`, "n: want an integer, got the number 1024.5"},
		// Written as integers, out of the field's range (a 32-bit build's int took 4294967296 for
		// "an exponent or a fraction").
		{`{"b": 4294967296}`, "b: want an integer, got the number 4294967296 (out of range: this integer is from -2147483648 to 2147483647)"},
		{`{"u": -1}`, "u: want an integer, got the number -1 (out of range: this integer is from 0 to 255)"},
		{`{"n": "5"}`, `n: want an integer, got the string "5"`}, // no hint for a string
		{`{"l": 1e400}`, "(out of range: this integer is from -9223372036854775808 to 9223372036854775807)"},
		{`{"u": 3e2}`, "(out of range: this integer is from 0 to 255)"},
		{`{"l": 9.223372036854775808e18}`, "(out of range: this integer is from -9223372036854775808 to 9223372036854775807)"}, // 2^63
		{`{"w": 1.8446744073709551616e19}`, "(out of range: this integer is from 0 to 18446744073709551615)"},                  // 2^64
		{`{"l": 100000000000000000000}`, "(out of range: this integer is from -9223372036854775808 to 9223372036854775807)"},
	} {
		err := Decode([]byte(c.in), &v, Options{Strict: true})
		if err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error ending %q", c.in, err, c.want)
		}
	}
}

// TestNullFile: a file that holds null where an object is wanted is refused where the null is;
// it read as an empty object (a workflow of null failed as "name is empty; has no steps").
func TestNullFile(t *testing.T) {
	var v struct{ A int }
	if err := Decode([]byte("\n  null\n"), &v, Options{Strict: true}); err == nil || err.Error() != "line 2, column 3: null, want a JSON object" {
		t.Errorf("null: %v", err)
	}
	if err := Decode([]byte(`{"A": 1}`), &v, Options{Strict: true}); err != nil || v.A != 1 {
		t.Errorf("an object: %v, %+v", err, v)
	}
}
