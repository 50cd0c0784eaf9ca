package jsonpos

import (
	"fmt"
	"strings"
	"testing"
)

func TestJoinProblemsCaps(t *testing.T) {
	var msgs []string
	for i := range MaxProblems + 3 {
		msgs = append(msgs, fmt.Sprintf("p%d", i))
	}
	got := JoinProblems(msgs)
	if !strings.HasPrefix(got, "p0; p1; ") || !strings.HasSuffix(got, "p19; and 3 more problems") || strings.Contains(got, "p20") {
		t.Errorf("JoinProblems(%d) = %q", len(msgs), got)
	}
	if got := JoinProblems(msgs[:2]); got != "p0; p1" {
		t.Errorf("JoinProblems(2) = %q", got)
	}
	if len(msgs) != MaxProblems+3 || msgs[MaxProblems] != "p20" {
		t.Errorf("JoinProblems changed its argument: %v", msgs)
	}
}

func TestLineOfFallsBackToEnclosingValue(t *testing.T) {
	data := []byte("{\n  \"a\": {\n    \"b\": [1,\n      2]\n  }\n}\n")
	pos := Positions(data)
	for path, want := range map[string]int{
		"a":      2,
		"a.b":    3,
		"a.b[1]": 4,
		"a.b[7]": 3, // no such element: the array's line
		"a.c.d":  2, // no such field: the object's line
		"x":      0, // only the whole file encloses it
		"":       0,
	} {
		if got := LineOf(pos, path); got != want {
			t.Errorf("LineOf(%q) = %d, want %d", path, got, want)
		}
	}
}
