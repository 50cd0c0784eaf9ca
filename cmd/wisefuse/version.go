package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func init() {
	register(&command{
		name:    "version",
		summary: "Print the version of wisefuse and of Go it was built with.",
		run: func(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				return usagef("version takes no arguments")
			}
			fmt.Fprintln(stdout, versionLine())
			return nil
		},
	})
}

// versionLine is what 'wisefuse version' and 'wisefuse --version' print: the version set at
// build time, else the module version when the binary has one (go install of a tagged module,
// or a pseudo-version), then the VCS revision it was built from when known.
func versionLine() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

func versionOf(v string, bi *debug.BuildInfo) string {
	var rev, modified string
	if bi != nil {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = ", modified"
				}
			}
		}
	}
	line := "wisefuse " + v
	if rev != "" {
		line += fmt.Sprintf(" (revision %s%s)", rev[:min(12, len(rev))], modified)
	}
	return line + fmt.Sprintf(" (%s %s/%s)", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
