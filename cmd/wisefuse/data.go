package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wisefuse/wisefuse/internal/shareddata"
)

func init() {
	register(&command{
		name:    "data",
		summary: "Fetch the public measurements (AWS profiles, Step Functions definitions, Azure DAG structure) into the cache, or show where they are.",
		usage:   "fetch [--dir DIR] [--base-url URL] | where",
		run:     runData,
	})
}

func runData(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand (fetch, where)")
	}
	switch args[0] {
	case "-h", "--help", "-help":
		return parseFlags(fs, args)
	case "fetch":
		return runDataFetch(fs, args[1:], stdout, stderr)
	case "where":
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usagef("unexpected argument %q (where takes none)", fs.Arg(0))
		}
		d, ok := shareddata.Dir()
		if !ok {
			if env := os.Getenv(shareddata.EnvVar); env != "" {
				// It named the cache and the variable as if the variable were unset.
				return fmt.Errorf("$%s is %s, which is not a folder: point it at the shared data folder, or unset it", shareddata.EnvVar, env)
			}
			c, _ := shareddata.CacheDir()
			return fmt.Errorf("no shared data folder: run 'wisefuse data fetch' (into %s) or set %s", c, shareddata.EnvVar)
		}
		fmt.Fprintln(stdout, d)
		missing, err := shareddata.Verify(d)
		for _, m := range missing {
			fmt.Fprintf(stderr, "missing: %s\n", m)
		}
		return err
	default:
		return usagef("unknown subcommand %q (want fetch or where)", args[0])
	}
}

func runDataFetch(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	def, _ := shareddata.CacheDir()
	dir := fs.String("dir", def, "destination `folder` (default: the user's cache folder; "+shareddata.EnvVar+" is where readers look first)")
	base := fs.String("base-url", shareddata.DefaultBaseURL, "serves OWNER/REPO/COMMIT/PATH (a mirror of GitHub's raw files)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *dir == "" {
		return usagef("no cache folder on this system: pass --dir")
	}
	rep, err := shareddata.Fetch(context.Background(), shareddata.FetchOptions{Dir: *dir, BaseURL: *base, Log: stderr})
	fmt.Fprintf(stdout, "%s: %d fetched, %d already present, %d to copy by hand, %d failed\n", *dir, len(rep.Fetched), len(rep.Present), len(rep.Manual), len(rep.Failed))
	if len(rep.Manual) > 0 {
		var names []string
		for _, f := range rep.Manual {
			names = append(names, f.Name)
		}
		fmt.Fprintf(stdout, "not fetchable from a public path (see docs/data.md): %s\n", strings.Join(names, ", "))
	}
	fmt.Fprintln(stdout, "licences: the ORION files are CC BY-NC-ND 4.0 (do not commit or redistribute them); the Azure sample is CC BY 4.0")
	if len(rep.Failed) > 0 {
		// Each failure has its FAILED line on stderr already; repeating the joined errors
		// printed every one twice.
		return fmt.Errorf("%d of the files failed (their FAILED lines above say why): %s", len(rep.Failed), strings.Join(rep.Failed, ", "))
	}
	return err
}
