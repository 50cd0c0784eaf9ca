package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/wisefuse"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
)

// workflowFlags are the flags that name a workflow, shared by every command that takes one:
// --workflow NAME|FILE (a built-in or a workflow JSON file), or --asl FILE with --functions FILE
// (an AWS Step Functions definition and its performance side file).
type workflowFlags struct {
	workflow, asl, functions *string
}

// addWorkflowFlags adds --workflow, --asl and --functions to fs. what completes the --workflow
// usage line (e.g. " (needed for records and --simulate)").
func addWorkflowFlags(fs *flag.FlagSet, what string) *workflowFlags {
	return &workflowFlags{
		workflow:  fs.String("workflow", "", "built-in workflow `NAME` or workflow JSON FILE"+what),
		asl:       fs.String("asl", "", "AWS Step Functions definition (Amazon States Language) `FILE` to import instead of --workflow"),
		functions: fs.String("functions", "", "performance side `FILE` that goes with --asl (docs/workflow-format.md)"),
	}
}

// given reports whether any workflow flag was set.
func (f *workflowFlags) given() bool { return *f.workflow != "" || *f.asl != "" }

// check reports a bad combination of the flags. requireSide says --asl needs --functions (every
// command but validate, which checks the structure alone without one).
func (f *workflowFlags) check(requireSide bool) error {
	switch {
	case *f.workflow != "" && *f.asl != "":
		return usagef("give either --workflow or --asl, not both")
	case *f.functions != "" && *f.asl == "":
		return usagef("--functions goes with --asl (the ASL definition it gives the performance of)")
	case requireSide && *f.asl != "" && *f.functions == "":
		return usagef("--asl needs --functions, the side file with each function's performance (docs/workflow-format.md)")
	}
	return nil
}

// load returns the workflow the flags name.
func (f *workflowFlags) load() (*dag.Workflow, error) {
	if err := f.check(true); err != nil {
		return nil, err
	}
	if *f.asl != "" {
		w, err := dag.ReadASL(*f.asl, *f.functions)
		if err != nil {
			return nil, oneProblemPerLine(err)
		}
		return w, nil
	}
	if *f.workflow == "" {
		return nil, usagef("--workflow is required (a built-in name or a workflow JSON file), or --asl FILE with --functions FILE")
	}
	return loadWorkflow(*f.workflow)
}

// spec is what loadPlatform needs to recognise a built-in: the --workflow value ("" for --asl).
func (f *workflowFlags) spec() string { return *f.workflow }

// loadWorkflow resolves a --workflow value: the name of a built-in app, or a workflow JSON file.
func loadWorkflow(spec string) (*dag.Workflow, error) {
	if spec == "" {
		return nil, usagef("--workflow is required (a built-in name or a workflow JSON file)")
	}
	if w, ok := apps.Lookup(spec); ok {
		return w, nil
	}
	if _, err := os.Stat(spec); err != nil {
		var names []string
		for _, a := range apps.All() {
			names = append(names, a.Name)
		}
		return nil, fmt.Errorf("workflow %q is neither a built-in (%s) nor a readable file: %v", spec, strings.Join(names, ", "), err)
	}
	data, err := jsonpos.ReadFile(spec) // once: a wrong path such as /dev/zero costs a read up to the limit
	if err != nil {
		return nil, err
	}
	if dag.IsASL(data) {
		return nil, usagef("%s is an AWS Step Functions definition (ASL), not a workflow: give it as --asl %s --functions SIDE.json, "+
			"where the side file gives each Task's performance and each Map's item count (docs/workflow-format.md)", spec, spec)
	}
	w, err := dag.ParseWorkflow(spec, data)
	if err != nil {
		return nil, oneProblemPerLine(err)
	}
	return w, nil
}

// platformUsage describes the --platform flag every command that plans or simulates takes.
var platformUsage = "platform: a built-in `NAME` (" + strings.Join(platform.Names(), ", ") + ") or a JSON FILE of " +
	"overrides of the default AWS constants (docs/simulator.md); without it, a built-in workflow runs on " +
	"the default platform with its calibrated orchestration latency"

// checkProfilePlatform refuses profile p (read from source) for planning or modelling workflow
// spec on plat (--platform flag, empty for the default) when p was simulated on a platform of
// other settings (wisefuse.Profile.PlatformSHA256): its times are that platform's (cores per MB,
// storage, cold starts, orchestration), so a plan from them predicts that platform's latencies.
// A profile of chatbot on aws-lambda planned on azure-durable predicted a P95 of 27 s against the
// 96 s the plan then took there, with exit 0; video's default profile (with video's calibrated
// orchestration) modelled on plain aws-lambda predicted 17% high. Profiles of logs or records,
// and older ones, carry no platform. Since session 17 the digest leaves out the concurrency
// limit and what happens there (wisefuse.ProfilingDigest); older profiles carry the platform's
// whole digest, which is accepted too.
func checkProfilePlatform(p *wisefuse.Profile, source, spec, flag string, plat *platform.Platform) error {
	if p.PlatformSHA256 == "" {
		return nil
	}
	d, err := wisefuse.ProfilingDigest(plat)
	if err != nil || d == p.PlatformSHA256 {
		return err
	}
	if whole, err := plat.Digest(); err != nil || whole == p.PlatformSHA256 {
		return err
	}
	hint := "profile on this one (wisefuse profile --simulate"
	if flag != "" {
		hint += " --platform " + flag
	}
	hint += ") or give the profile's platform"
	if c := calibratedDigest(spec); flag != "" && c != "" && (c == p.PlatformSHA256 || calibratedProfilingDigest(spec) == p.PlatformSHA256) {
		// It named aws-lambda twice: the profile's is the app's calibrated default.
		hint = "drop --platform to plan on the platform the profile was made on, or profile with --platform " + flag
	}
	return fmt.Errorf("profile %s was simulated on platform %s (settings SHA-256 %.12s...), and %s has other settings (%.12s...): "+
		"the profile's times are its platform's (cores per MB, storage, cold starts, orchestration); %s", source, p.Platform, p.PlatformSHA256,
		map[bool]string{true: "the default platform", false: "--platform " + flag}[flag == ""], d, hint)
}

// profilePlatformLabel names the platform a profile of workflow spec is simulated on with
// --platform flag: platformLabel's name, and for a built-in app on the default platform, that
// its orchestration latency is the app's calibrated one (apps.Platform), which sets it apart
// from --platform aws-lambda.
func profilePlatformLabel(spec, flag string) string {
	label := platformLabel(flag)
	if flag == "" && calibratedDigest(spec) != "" {
		label += ", with " + spec + "'s calibrated orchestration latency"
	}
	return label
}

// calibratedDigest is the digest of built-in app spec's default platform (loadPlatform without
// --platform) when the app's calibration makes it differ from platform.Default; "" otherwise.
func calibratedDigest(spec string) string {
	if _, builtin := apps.Lookup(spec); !builtin {
		return ""
	}
	base := platform.Default()
	c, err := apps.Platform(spec, base).Digest()
	if d, _ := base.Digest(); err != nil || c == d {
		return ""
	}
	return c
}

// calibratedProfilingDigest is wisefuse.ProfilingDigest of built-in app spec's default platform.
func calibratedProfilingDigest(spec string) string {
	d, err := wisefuse.ProfilingDigest(apps.Platform(spec, platform.Default()))
	if err != nil {
		return ""
	}
	return d
}

// platformLabel names the platform --platform chose, for provenance: the flag's value, else the
// default.
func platformLabel(nameOrFile string) string {
	if nameOrFile == "" {
		return platform.AWSLambda
	}
	return nameOrFile
}

// loadPlatform resolves the platform for --workflow spec: the --platform value (a built-in name
// or a JSON file) when given, else the default platform, adapted to a built-in app's fitted
// orchestration overhead (apps.Platform). Every command that plans, simulates or profiles a
// workflow uses it, so a plan is made on the platform it is then evaluated on.
func loadPlatform(spec, nameOrFile string) (*platform.Platform, error) {
	if nameOrFile != "" {
		return platform.Load(nameOrFile)
	}
	plat := platform.Default()
	if _, builtin := apps.Lookup(spec); builtin {
		plat = apps.Platform(spec, plat)
	}
	return plat, nil
}
