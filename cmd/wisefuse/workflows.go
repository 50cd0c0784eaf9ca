package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
)

func init() {
	register(&command{
		name:    "workflows",
		summary: "List the built-in workflows, or print one as JSON (show NAME) to copy and edit.",
		usage:   "[show NAME]",
		run:     runWorkflows,
	})
}

func runWorkflows(fs *flag.FlagSet, args []string, stdout io.Writer) error {
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
