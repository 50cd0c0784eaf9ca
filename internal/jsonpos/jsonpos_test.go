package jsonpos

import (
	"strings"
	"testing"
)

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
