package jsonpos

import (
	"fmt"
	"strings"
)

// MaxProblems caps how many problems of one file an error lists (the rest are counted): every
// problem is found in one pass, so a user fixes them together rather than one per run, and one
// message still stays readable.
const MaxProblems = 20

// JoinProblems makes one message of the problems of one file, in the order given: the first
// MaxProblems joined by "; ", each cut to MaxProblemBytes, then how many more there are.
func JoinProblems(msgs []string) string {
	if len(msgs) > MaxProblems {
		rest := len(msgs) - MaxProblems
		msgs = append(msgs[:MaxProblems:MaxProblems], fmt.Sprintf("and %d more problems", rest))
	}
	clipped := make([]string, len(msgs))
	for i, m := range msgs {
		clipped[i] = Clip(m)
	}
	return strings.Join(clipped, "; ")
}

// MaxProblemBytes is the most bytes of one problem a message keeps: a value it quotes can be as
// long as the file (an ASL "Next" naming a state of 50 MB printed 50 MB).
const MaxProblemBytes = 1000

// Clip cuts msg to MaxProblemBytes, saying how long it was.
func Clip(msg string) string {
	if len(msg) <= MaxProblemBytes {
		return msg
	}
	return fmt.Sprintf("%s... (%d bytes in all)", strings.ToValidUTF8(msg[:MaxProblemBytes], ""), len(msg))
}

// LineOf returns the line of the value at path in pos (from Positions) or, when the file does
// not give that value (a default left in place, a missing array element), of the deepest value
// that encloses it; 0 when only the whole file does, which a message need not say.
func LineOf(pos map[string]Pos, path string) int {
	p, _ := PosOf(pos, path)
	return p.Line
}

// PosOf is LineOf with the column; ok is false when only the whole file encloses path.
func PosOf(pos map[string]Pos, path string) (p Pos, ok bool) {
	for ; path != ""; path = parentPath(path) {
		if p, ok := pos[path]; ok {
			return p, true
		}
	}
	return Pos{}, false
}

// parentPath strips the last field or index of a JSON path: "sizes[0].runs" -> "sizes[0]" ->
// "sizes" -> "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
