package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/atomicfile"
)

func init() {
	register(&command{
		name:    "workflows",
		summary: "List the built-in workflows, print one as JSON (show NAME) to copy and edit, or import an AWS Step Functions definition as a workflow JSON file.",
		usage: "[show NAME | import --asl FILE --functions SIDE.json [--out W.json]]\n\n" +
			"import writes the workflow that --asl FILE --functions SIDE.json stands for (to stdout without\n" +
			"--out); every command gives the same results from either.",
		run: runWorkflows,
	})
}

func runWorkflows(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "import" {
		return runWorkflowsImport(fs, args[1:], stdout, stderr)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch rest := fs.Args(); {
	case len(rest) == 0:
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, a := range apps.All() {
			cal := "reconstruction, not calibrated"
			if a.Profiled {
				cal = "calibrated to AWS Lambda profiles"
			}
			fmt.Fprintf(tw, "%s\t%s (%s)\n", a.Name, a.Summary, cal)
		}
		return tw.Flush()
	case rest[0] == "show" && len(rest) == 2:
		w, ok := apps.Lookup(rest[1])
		if !ok {
			return usagef("no built-in workflow %q; run 'wisefuse workflows' for the list", rest[1])
		}
		b, err := dag.MarshalIndent(w)
		if err != nil {
			return err
		}
		_, err = stdout.Write(b)
		return err
	default:
		return usagef("want no arguments or 'show NAME', got %q", rest)
	}
}

// runWorkflowsImport writes the workflow an ASL definition and its side file stand for as JSON.
func runWorkflowsImport(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	wf := addWorkflowFlags(fs, "")
	out := fs.String("out", "", "write the workflow JSON to `FILE` (default: stdout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wf.check(true); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *wf.asl == "":
		return usagef("import needs --asl FILE --functions SIDE.json")
	}
	w, err := wf.load()
	if err != nil {
		return err
	}
	b, err := dag.MarshalIndent(w)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	if err := atomicfile.WriteBytes(*out, b); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (workflow %q)\n", *out, w.Name)
	return nil
}
