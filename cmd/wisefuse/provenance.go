package main

import (
	"flag"
	"path/filepath"
	"strings"

	"github.com/wisefuse/wisefuse/tables"
)

// resultNeutralFlags change how a command runs, never what it writes, so they stay out of the
// recorded command line: the same inputs and seed give byte-identical files whatever --workers.
var resultNeutralFlags = map[string]bool{"workers": true, "quiet": true, "fresh": true}

// provenance is the metadata every table a command writes carries (docs/outputs.md): the
// program's version and the command line that made it, as the flags that were set (sorted by
// name, values quoted where needed, --out as its file name) and the arguments, plus kv, pairs of key and value
// ("workflow", "video", "seed", "1"...) of what the table is about. Empty values are left out.
func provenance(fs *flag.FlagSet, kv ...string) tables.Options {
	cmd := []string{fs.Name()}
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		if f.Name == "out" {
			v = filepath.Base(v) // where the results were written is not what made them
		}
		if !resultNeutralFlags[f.Name] {
			cmd = append(cmd, "--"+f.Name+"="+shellQuote(v))
		}
	})
	for _, a := range fs.Args() {
		cmd = append(cmd, shellQuote(a))
	}
	m := map[string]string{"version": versionLine(), "command": strings.Join(cmd, " ")}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	return tables.Options{Metadata: m}
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+.,:/@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
