package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wisefuse/wisefuse/platform"

	"github.com/wisefuse/wisefuse/calibration"
	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/internal/shareddata"
)

func init() {
	register(&command{
		name:    "calibrate",
		summary: "Fit the built-in apps to the public AWS Lambda profiles and print the fit table; optionally write the calibration report and figures.",
		usage:   "[--data DIR] [--platform NAME|FILE] [--seed S] [--report FILE.md [--figures DIR]]",
		run:     runCalibrate,
	})
}

func runCalibrate(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	dataDir := fs.String("data", "", "shared data folder (default: $"+shareddata.EnvVar+", a shared/data beside the repository, or the folder 'wisefuse data fetch' fills)")
	platformFile := fs.String("platform", "", "platform: a built-in `NAME` ("+strings.Join(platform.Names(), ", ")+") or a JSON FILE of overrides of the AWS Lambda constants")
	seed := fs.Uint64("seed", 1, "simulation seed for the report")
	report := fs.String("report", "", "write the calibration report (Markdown) here, simulating every app at every size")
	figures := fs.String("figures", "", "with --report: write one CDF figure per app into this folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("calibrate takes no arguments, got %q", fs.Args())
	}
	if *figures != "" && *report == "" {
		return usagef("--figures needs --report")
	}
	if *report != "" {
		// Before the minutes of simulation the report takes, not at its write.
		if err := atomicfile.CheckTarget(*report); err != nil {
			return usagef("--report: %v", err)
		}
	}
	if *figures != "" {
		// Before the work (afile/sub failed only after it: "mkdir afile: not a directory").
		if err := atomicfile.CheckDir(*figures); err != nil {
			return usagef("--figures %s: %v for the figures", *figures, err)
		}
	}
	dir := *dataDir
	if dir != "" {
		// It was named only as the first log missing in it, with a hint about the artifact.
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return usagef("--data %s: not a folder; want the shared data folder, which holds aws-lambda-profiles/ ('wisefuse data fetch' fills one; docs/data.md)", dir)
		}
	} else {
		d, ok := shareddata.Dir()
		if !ok {
			return fmt.Errorf("shared data folder not found: run 'wisefuse data fetch' (make data), pass --data or set %s", shareddata.EnvVar)
		}
		dir = d
	}
	plat := platform.Default()
	if *platformFile != "" {
		p, err := platform.Load(*platformFile)
		if err != nil {
			return err
		}
		plat = p
	}
	st := calibration.StorageOf(plat)
	r := &calibration.Report{Command: "wisefuse " + strings.Join(append([]string{"calibrate"}, args...), " "), Figures: map[string]string{}}
	profiles := map[string][]*calibration.Profile{}
	for _, app := range calibration.ProfiledApps {
		ps, err := calibration.ReadProfiles(dir, app)
		if err != nil {
			return err
		}
		profiles[app] = ps
		for _, p := range ps {
			r.Drifts = append(r.Drifts, p.Drifts()...)
			for _, w := range p.Warnings {
				fmt.Fprintf(stderr, "wisefuse calibrate: warning: %s\n", w)
			}
		}
		for _, spec := range calibration.Specs(app) {
			f, err := calibration.Fit(spec, ps, st)
			if err != nil {
				return err
			}
			r.Fits = append(r.Fits, f)
		}
		r.Overheads = append(r.Overheads, calibration.FitOverhead(app, ps))
	}
	if *report == "" {
		return calibration.WriteFitTable(stdout, r.Fits, r.Overheads)
	}
	for _, app := range calibration.ProfiledApps {
		cmps, err := calibration.Compare(app, profiles[app], *seed, plat)
		if err != nil {
			return err
		}
		r.Comparisons = append(r.Comparisons, cmps...)
		if *figures != "" {
			path := calibration.FigurePath(*figures, app)
			if err := calibration.WriteFigure(path, cmps); err != nil {
				return err
			}
			rel, err := filepath.Rel(filepath.Dir(*report), path)
			if err != nil {
				rel = path
			}
			r.Figures[app] = filepath.ToSlash(rel)
		}
	}
	b, err := calibration.SimulateBundling(100, *seed, plat)
	if err != nil {
		return err
	}
	r.Bundling = b
	var buf bytes.Buffer
	if err := r.WriteMarkdown(&buf); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(*report, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *report)
	return calibration.WriteFitTable(stdout, r.Fits, r.Overheads)
}
