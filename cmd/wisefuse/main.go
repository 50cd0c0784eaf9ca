// Command wisefuse is the one CLI over the project: validate workflows and plans, simulate them,
// profile, model and plan with WiseFuse or a baseline, generate and characterize traces, and run
// the experiments. Each subcommand lives in its own file and registers itself in init.
//
// Exit codes: 0 success, 1 failure (bad input, a missing file, a failed run), 2 usage error (a bad
// flag or argument), 3 internal error (a bug: a panic, reported with where to file it). Errors go
// to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/internal/crash"
)

// Exit codes, documented in README.md and `wisefuse --help`.
const (
	exitOK       = 0
	exitFailure  = 1 // the input, a file or the run failed; the message says what to fix
	exitUsage    = 2 // the command line is wrong
	exitInternal = 3 // a bug: a panic reached the command line
)

// reportURL is where a user reports an internal error.
const reportURL = "https://github.com/wisefuse/wisefuse/issues"

// command is one subcommand. run receives the arguments after the subcommand's name and a
// FlagSet already named and wired to print its usage; it returns a usageError for bad usage.
type command struct {
	name    string
	summary string // one line for the command list
	usage   string // argument synopsis after "wisefuse NAME"
	run     func(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("wisefuse: duplicate command " + c.name)
	}
	commands[c.name] = c
}

// usageError marks an error in how the command was called (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// namedError carries the name of the subcommand that failed ("trace gen"), which the error
// message and the usage hint then name in place of the command's.
type namedError struct {
	name string
	err  error
}

func (e namedError) Error() string { return e.err.Error() }
func (e namedError) Unwrap() error { return e.err }

// orNil is e, or nil when it wraps no error.
func (e namedError) orNil() error {
	if e.err == nil {
		return nil
	}
	return e
}

func main() {
	stopOnSignal()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// stopOnSignal makes SIGINT and SIGTERM remove every unfinished output (the temporary files of
// writes in flight, a results folder's lock) and exit 130 or 143, as a shell reports a process
// killed by them. Without it, an interrupted trace gen left a multi-GB temporary file. A command
// that stops its own work cleanly (interruptible) takes the first signal instead; a second one
// stops the program at once.
func stopOnSignal() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		if h := signalHook.Load(); h != nil {
			(*h)(s)
			fmt.Fprintf(os.Stderr, "\nwisefuse: stopping after %v (again to stop at once)\n", s)
			s = <-sigs
		}
		n := atomicfile.RemoveTemps()
		fmt.Fprintf(os.Stderr, "\nwisefuse: stopped by %v; removed %d unfinished file(s) or folder(s)\n", s, n)
		os.Exit(signalExit(s))
	}()
}

// signalExit is the exit code of a stop by s, as a shell reports a process killed by it.
func signalExit(s os.Signal) int {
	if s == syscall.SIGTERM {
		return 128 + 15
	}
	return 128 + 2
}

// signalHook, when set, takes the first SIGINT or SIGTERM in place of stopOnSignal's stop.
var signalHook atomic.Pointer[func(os.Signal)]

// interruptible returns a context that the first SIGINT or SIGTERM cancels, in place of stopping
// the program, so that the command can stop its work, remove what it wrote and say what was
// interrupted (return interrupted(ctx, ...)); stop restores the default.
func interruptible() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	h := func(s os.Signal) { cancel(signalError{s}) }
	signalHook.Store(&h)
	if afterInterruptible != nil {
		afterInterruptible()
	}
	return ctx, func() { signalHook.Store(nil); cancel(nil) }
}

// afterInterruptible, when set (tests only), runs once a command has taken the signals, so a test
// can deliver one at a known point instead of racing the command's work.
var afterInterruptible func()

// signalError is the cause of an interruptible context cancelled by a signal.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "stopped by " + e.sig.String() }

// interruptedError is a command's own report of a stop by signal (exit 130 or 143).
type interruptedError struct {
	sig os.Signal
	msg string
}

func (e interruptedError) Error() string { return fmt.Sprintf("stopped by %v: %s", e.sig, e.msg) }

// interrupted returns, when a signal cancelled ctx, the error that reports it with msg (what was
// interrupted and what it left); nil otherwise.
func interrupted(ctx context.Context, format string, a ...any) error {
	var se signalError
	if errors.As(context.Cause(ctx), &se) {
		return interruptedError{se.sig, fmt.Sprintf(format, a...)}
	}
	return nil
}

// run runs the command line args and returns the exit code. A panic anywhere below, in this
// goroutine or carried from a worker as a *crash.Panic, becomes a short report and exitInternal.
func run(args []string, stdout, stderr io.Writer) (code int) {
	var panicked error
	defer func() {
		if panicked != nil {
			code = reportPanic(stderr, args, panicked)
		}
	}()
	defer crash.Recover(&panicked) // runs first: recover must be called by the deferred function itself
	return dispatch(args, stdout, stderr)
}

// reportPanic prints what happened, the command line and where to report it; the full stack
// only with WISEFUSE_TRACEBACK=1.
func reportPanic(stderr io.Writer, args []string, err error) int {
	var p *crash.Panic
	if !errors.As(err, &p) {
		p = &crash.Panic{Value: err}
	}
	fmt.Fprintf(stderr, "wisefuse: internal error (a bug in wisefuse, not in your input): %v\n", p.Value)
	if where := p.Where(); where != "" {
		fmt.Fprintf(stderr, "  in:      %s\n", where)
	}
	fmt.Fprintf(stderr, "  command: wisefuse %s\n", strings.Join(args, " "))
	fmt.Fprintf(stderr, "  please report it, with the command and its input files, at %s\n", reportURL)
	if os.Getenv("WISEFUSE_TRACEBACK") == "1" {
		fmt.Fprintf(stderr, "\n%s", p.Stack)
	} else {
		fmt.Fprintf(stderr, "  (WISEFUSE_TRACEBACK=1 prints the stack)\n")
	}
	return exitInternal
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return dispatch([]string{args[1], "--help"}, stdout, stderr)
		}
		printCommands(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wisefuse: unknown command %q\n\n", args[0])
		printCommands(stderr)
		return exitUsage
	}
	fs := flag.NewFlagSet("wisefuse "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: wisefuse %s %s\n\n%s\n", c.name, c.usage, c.summary)
		if hasFlags(fs) {
			fmt.Fprintf(out, "\nFlags:\n")
			printFlags(fs, out)
		}
	}
	err := c.run(fs, args[1:], stdout, stderr)
	name := c.name
	var ne namedError
	if errors.As(err, &ne) {
		name = ne.name
	}
	var p *crash.Panic
	var ie interruptedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &p): // a worker's panic, carried here as an error
		panic(p)
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "wisefuse %s: %v\n", name, err)
		return signalExit(ie.sig)
	case isUsage(err):
		fmt.Fprintf(stderr, "wisefuse %s: %v\n", name, err)
		fmt.Fprintf(stderr, "Run 'wisefuse %s --help' for usage.\n", name)
		return exitUsage
	default:
		// Library errors name their package ("wisefuse: ..."), which here is also the program.
		fmt.Fprintf(stderr, "wisefuse %s: %s\n", name, strings.TrimPrefix(err.Error(), "wisefuse: "))
		return exitFailure
	}
}

// parseFlags parses args with fs, turning flag errors into usage errors. Help goes to stdout.
func parseFlags(fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(os.Stdout)
			fs.Usage()
			return flag.ErrHelp
		}
		if a == "--" {
			break
		}
	}
	fs.SetOutput(io.Discard) // the caller prints the error once
	if err := fs.Parse(args); err != nil {
		return usageError{flagHint(fs, err).Error()}
	}
	// Parsing stops at the first argument: a flag after it was taken as a file name ("stat
	// --quiet: no such file"), or its value was (`profile RECORDS --out p.json`: "--out FILE is
	// required"). After "--" an argument may begin with "-".
	// Only a "--" that ended the flags counts; one after the first argument is refused as a flag.
	first := len(args) - fs.NArg()
	if !(first > 0 && args[first-1] == "--") {
		for _, a := range fs.Args() {
			if len(a) > 1 && a[0] == '-' {
				return usagef("flag %s after the argument %s: flags go before the arguments", a, fs.Arg(0))
			}
		}
	}
	if err := checkGiven(fs); err != nil {
		return err
	}
	return checkOutputs(fs)
}

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// printFlags prints flags GNU-style (--name) rather than the flag package's -name.
func printFlags(fs *flag.FlagSet, w io.Writer) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		left := "  --" + f.Name
		if name != "" {
			left += " " + name
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%-28s %s%s\n", left, usage, def)
	})
}

// printJSON writes v to w as indented JSON and a newline (the --json reports).
func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "wisefuse: serverless workflow simulator and WiseFuse planner")
	fmt.Fprintln(w, "\nUsage: wisefuse COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'wisefuse COMMAND --help' for a command's flags.")
	fmt.Fprintln(w, "\nExit codes: 0 success, 1 failure (the message says what to fix), 2 usage error,")
	fmt.Fprintln(w, "3 internal error (a bug: please report it at "+reportURL+"),")
	fmt.Fprintln(w, "130/143 stopped by SIGINT/SIGTERM (unfinished output files are removed).")
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
