// Package crash turns a panic into a value that can travel: a worker goroutine that panics hands
// its panic to the goroutine that waits for it, which re-raises or reports it, instead of the
// panic killing the process with a raw stack trace.
package crash

import (
	"fmt"
	"path"
	"runtime/debug"
	"strings"
)

// Panic is a recovered panic: the value and the stack of the goroutine that panicked.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Recover, deferred, stores a panic of the calling goroutine in *errp as a *Panic.
//
//	func work() (err error) {
//		defer crash.Recover(&err)
//		...
//	}
func Recover(errp *error) {
	if v := recover(); v != nil {
		if p, ok := v.(*Panic); ok { // already carried once: keep the first stack
			*errp = p
			return
		}
		*errp = &Panic{Value: v, Stack: debug.Stack()}
	}
}

// Go runs f and returns its error, or its panic as a *Panic.
func Go(f func() error) (err error) {
	defer Recover(&err)
	return f()
}

// Where returns the function and file:line that raised p, the first frame of this module's code
// below the panic, or "" when the stack holds none.
func (p *Panic) Where() string {
	lines := strings.Split(string(p.Stack), "\n")
	seenPanic := false
	for i := 0; i+1 < len(lines); i++ {
		fn := lines[i]
		if strings.HasPrefix(fn, "panic(") {
			seenPanic = true
			continue
		}
		if !seenPanic || !strings.HasPrefix(fn, module) || strings.HasPrefix(fn, module+"internal/crash") {
			continue
		}
		name := strings.TrimPrefix(fn, module)
		if j := strings.LastIndex(name, "("); j > 0 {
			name = name[:j] // drop the arguments
		}
		pkg := name
		if j := strings.LastIndex(pkg, "/"); j >= 0 {
			pkg = pkg[:j+1] + strings.SplitN(pkg[j+1:], ".", 2)[0]
		} else {
			pkg = strings.SplitN(pkg, ".", 2)[0]
		}
		loc := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndex(loc, " +0x"); j >= 0 {
			loc = loc[:j]
		}
		loc = pkg + "/" + path.Base(loc) // file:line, under the package's folder
		return name + " (" + loc + ")"
	}
	return ""
}

const module = "github.com/wisefuse/wisefuse/"
