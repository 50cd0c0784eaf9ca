// Command wisefuse is the one CLI over the project: validate workflows and plans, simulate them,
// profile, model and plan with WiseFuse or a baseline, generate and characterize traces, and run
// the experiments. Each subcommand lives in its own file and registers itself in init.
//
// Exit codes: 0 success, 1 failure, 2 usage error. Errors go to stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand. run receives the arguments after the subcommand's name and a
// FlagSet already named and wired to print its usage; it returns a usageError for bad usage.
type command struct {
	name    string
	summary string // one line for the command list
	usage   string // argument synopsis after "wisefuse NAME"
	run     func(fs *flag.FlagSet, args []string, stdout io.Writer) error
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

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return run([]string{args[1], "--help"}, stdout, stderr)
		}
		printCommands(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wisefuse: unknown command %q\n\n", args[0])
		printCommands(stderr)
		return 2
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
	err := c.run(fs, args[1:], stdout)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case isUsage(err):
		fmt.Fprintf(stderr, "wisefuse %s: %v\n", c.name, err)
		fmt.Fprintf(stderr, "Run 'wisefuse %s --help' for usage.\n", c.name)
		return 2
	default:
		// Library errors name their package ("wisefuse: ..."), which here is also the program.
		fmt.Fprintf(stderr, "wisefuse %s: %s\n", c.name, strings.TrimPrefix(err.Error(), "wisefuse: "))
		return 1
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
	return nil
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
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
