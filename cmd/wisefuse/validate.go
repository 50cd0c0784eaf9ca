package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
)

func init() {
	register(&command{
		name:    "validate",
		summary: "Check a workflow (JSON, built-in name, or AWS Step Functions ASL plus a functions side file) and optionally a plan against it.",
		usage:   "(--workflow FILE|NAME | --asl FILE [--functions SIDE.json]) [--plan FILE]\n\n--asl without --functions checks the state machine's structure alone.",
		run:     runValidate,
	})
}

func runValidate(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	wf := addWorkflowFlags(fs, "")
	planPath := fs.String("plan", "", "plan JSON `FILE` to validate against the workflow")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q (files are given with --workflow, --asl, --functions and --plan)", fs.Arg(0))
	case !wf.given():
		return usagef("give --workflow FILE|NAME, or --asl FILE (with --functions FILE to check the performance too)")
	}
	if err := wf.check(false); err != nil {
		return err
	}
	if *wf.asl != "" && *wf.functions == "" {
		// The structure alone: states, transitions, supported types.
		if *planPath != "" {
			return usagef("--plan needs the whole workflow: give --functions with --asl")
		}
		w, err := dag.ReadASLStructure(*wf.asl)
		if err != nil {
			return oneProblemPerLine(err)
		}
		writeWorkflowSummary(stdout, w, true)
		return nil
	}
	w, err := wf.load()
	if err != nil {
		return err
	}
	if err := w.Validate(); err != nil { // built-ins come from code, not through the parser
		return oneProblemPerLine(err)
	}
	writeWorkflowSummary(stdout, w, false)
	if err := w.CheckBatches(); err != nil {
		// A warning: planners may bundle fewer (plan accepts the workflow), but simulate
		// --memory runs it as deployed and refuses it.
		fmt.Fprintf(stdout, "warning: %v\n", err)
	}
	if *planPath != "" {
		p, err := dag.ReadPlan(*planPath, w)
		if err != nil {
			return oneProblemPerLine(err)
		}
		writePlanSummary(stdout, *planPath, p)
	}
	return nil
}

// writeWorkflowSummary prints what a reader checks first: the shape, the functions and how wide
// each map fans out. structureOnly says w is an ASL structure without its side file: its functions
// carry no performance and its item counts are placeholders, so neither is printed.
func writeWorkflowSummary(out io.Writer, w *dag.Workflow, structureOnly bool) {
	counts := map[dag.StepKind]int{}
	total := 0
	var maps []string
	w.Walk(func(_ []string, s *dag.Step) {
		total++
		counts[s.Kind()]++
		if s.Map != nil {
			items := describeItems(s.Map.Items)
			if structureOnly {
				items = "items from the side file"
			}
			maps = append(maps, fmt.Sprintf("%s: %s over the steps %s%s", s.Name, items, chain(s.Map.Iterator), describeMapLimits(s.Map, structureOnly)))
		}
	})
	if structureOnly {
		fmt.Fprintf(out, "ASL structure of %q is valid (no --functions: performance and item counts not checked)\n", w.Name)
	} else {
		fmt.Fprintf(out, "workflow %q is valid\n", w.Name)
	}
	fmt.Fprintf(out, "  steps:     %d (%d task, %d map, %d parallel, %d pass); top-level steps: %s\n", total,
		counts[dag.TaskStep], counts[dag.MapStep], counts[dag.ParallelStep], counts[dag.PassStep], chain(w.Steps))
	names := make([]string, len(w.Functions))
	for i, f := range w.Functions {
		names[i] = f.Name
	}
	if structureOnly {
		fmt.Fprintf(out, "  tasks:     %d functions to describe in a side file (%s)\n", len(w.Functions), strings.Join(names, ", "))
	} else {
		fmt.Fprintf(out, "  functions: %d (%s)\n", len(w.Functions), strings.Join(names, ", "))
	}
	for _, m := range maps {
		fmt.Fprintf(out, "  map        %s\n", m)
	}
}

func chain(seq []dag.Step) string {
	names := make([]string, len(seq))
	for i, s := range seq {
		names[i] = s.Name
	}
	return strings.Join(names, " -> ")
}

// describeMapLimits lists a Map's Step Functions limits (concurrency, batches, mode), if any.
// structureOnly: the Map's items are not known (no side file), so neither is the batch deployed.
func describeMapLimits(m *dag.Map, structureOnly bool) string {
	var parts []string
	if m.Distributed {
		parts = append(parts, "distributed")
	}
	if m.MaxConcurrency > 0 {
		parts = append(parts, fmt.Sprintf("at most %d at once", m.MaxConcurrency))
	}
	if m.MaxItemsPerBatch > 0 {
		switch b := m.DeployedBatch(); {
		case structureOnly:
			// Without a side file's items a Map has 1, and "batches of 1" hid MaxItemsPerBatch 300.
			parts = append(parts, fmt.Sprintf("batches of up to %d", m.MaxItemsPerBatch))
		case b < m.MaxItemsPerBatch:
			parts = append(parts, fmt.Sprintf("batches of %d (its items; MaxItemsPerBatch %d)", b, m.MaxItemsPerBatch))
		default:
			parts = append(parts, fmt.Sprintf("batches of %d", b))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func describeItems(d dag.Dist) string {
	if n, fixed := (&dag.Map{Items: d}).FixedItems(); fixed {
		return fmt.Sprintf("%d items", n)
	}
	return fmt.Sprintf("%s items (mean %.4g)", d.Kind, d.ExpectedItems()) // as runs draw them: rounded, at least 1
}

func writePlanSummary(out io.Writer, path string, p *dag.Plan) {
	fmt.Fprintf(out, "plan %s is valid\n", path)
	if p.DefaultMemoryMB != 0 {
		fmt.Fprintf(out, "  default memory: %d MB\n", p.DefaultMemoryMB)
	}
	if len(p.Memory) > 0 {
		fmt.Fprintf(out, "  memory:  %s\n", joinSorted(p.Memory, func(v int) string { return fmt.Sprintf("%d MB", v) }))
	}
	if len(p.Bundle) > 0 {
		fmt.Fprintf(out, "  bundle:  %s\n", joinSorted(p.Bundle, func(v int) string { return fmt.Sprintf("%d items/VM", v) }))
	}
	for i, g := range p.Fuse {
		fmt.Fprintf(out, "  fuse[%d]: %s\n", i, strings.Join(g, " + "))
	}
	if len(p.Passing) > 0 {
		fmt.Fprintf(out, "  passing: %s\n", joinSorted(p.Passing, func(v dag.Passing) string { return string(v) }))
	}
	if p.SharedRuntime {
		fmt.Fprintf(out, "  shared runtime: yes\n")
	}
}

func joinSorted[V any](m map[string]V, format func(V) string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + format(m[k])
	}
	return strings.Join(parts, ", ")
}

// oneProblemPerLine breaks dag's "; "-separated list of problems into lines for the terminal.
func oneProblemPerLine(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "; ") {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(msg, "; ", ";\n  "))
}
