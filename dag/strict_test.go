package dag

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestStrictJSON: what encoding/json would silently accept is an error with the line, the field
// and what was expected: a missing required field, a duplicate key, a field of another kind; and
// a value past a stated limit is an error naming the limit.
func TestStrictJSON(t *testing.T) {
	good, err := MarshalIndent(validWorkflow())
	if err != nil {
		t.Fatal(err)
	}
	base := string(good)
	if _, err := ParseWorkflow("w.json", good); err != nil {
		t.Fatalf("the valid workflow: %v", err)
	}
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"map without items", `"items": 4,`, ``, []string{"line ", `steps[1].map: map needs "items"`}},
		{"map items null", `"items": 4,`, `"items": null,`, []string{`map needs "items"`}},
		{"fixed without value", `"serial_work_s": 1,`, `"serial_work_s": {"kind": "fixed"},`, []string{"line 7, column 24", `functions[0].serial_work_s`, `"value" is missing`}},
		{"normal without stddev", `"serial_work_s": 1,`, `"serial_work_s": {"kind": "normal", "mean": 1},`, []string{`"stddev" is missing`}},
		{"duplicate key", `"serial_work_s": 1,`, `"serial_work_s": 1, "serial_work_s": 2,`, []string{"line 7, column 27", `duplicate key "serial_work_s"`, "functions[0]"}},
		{"duplicate step key", `"task": "Split"`, `"task": "Split", "task": "Merge"`, []string{`duplicate key "task"`, "steps[0]"}},
		{"sigma on a uniform", `"serial_work_s": 1,`, `"serial_work_s": {"kind": "uniform", "min": 1, "max": 2, "sigma": 3},`, []string{`field "sigma" does not apply`, "min and max"}},
		{"work 1e308", `"serial_work_s": 1,`, `"serial_work_s": 1e308,`, []string{"serial_work_s", "above the limit 1e+09"}},
		{"items 1e308", `"items": 4,`, `"items": 1e308,`, []string{"map.items", "above the limit 1e+06"}},
		{"items uniform 1e308", `"items": 4,`, `"items": {"kind": "uniform", "min": 1, "max": 1e308},`, []string{"map.items", "max 1e+308 is above the limit"}},
		{"work quantile 1e308", `"serial_work_s": 1,`, `"serial_work_s": {"kind": "empirical", "quantiles": [1, 2, 1e308]},`, []string{"serial_work_s", "empirical distribution: quantiles[2] 1e+308 is above the limit 1e+09"}},
		{"work mean 1e308", `"serial_work_s": 1,`, `"serial_work_s": {"kind": "exponential", "mean": 1e308},`, []string{"serial_work_s", "mean 1e+308 is above the limit 1e+09"}},
		{"lognormal sigma 1e3", `"serial_work_s": 1,`, `"serial_work_s": {"kind": "lognormal", "median": 1, "sigma": 1000},`, []string{"sigma 1000 is above the limit 10"}},
		{"max_concurrency 2^32", `"items": 4,`, `"items": 4, "max_concurrency": 4294967296,`, []string{"max_concurrency = 4294967296, above the limit"}},
		{"threads 1e12", `"threads": 1,`, `"threads": 1000000000000,`, []string{"threads = 1000000000000, above the limit 100000"}},
	} {
		if strconv.IntSize == 32 && (tc.name == "max_concurrency 2^32" || tc.name == "threads 1e12") {
			// A 32-bit int cannot hold the value: the decoder refuses it before the limit is checked.
			tc.want = []string{"out of range: this integer is from -2147483648 to 2147483647"}
		}
		if !strings.Contains(base, tc.old) {
			t.Fatalf("%s: %q not in the base workflow", tc.name, tc.old)
		}
		_, err := ParseWorkflow("w.json", []byte(strings.Replace(base, tc.old, tc.new, 1)))
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error lacks %q:\n%v", tc.name, w, err)
			}
		}
	}
}

// TestNestedMapsLimit: the product of nested Maps' item counts is bounded like one Map's.
func TestNestedMapsLimit(t *testing.T) {
	w := validWorkflow()
	w.Steps[1].Map.Items = Const(2000)
	w.Steps[1].Map.Iterator = []Step{{Name: "Inner", Map: &Map{Items: Const(1000), Iterator: []Step{{Name: "Extract", Task: "Extract"}}}}}
	if err := w.Validate(); err == nil || !strings.Contains(err.Error(), "nested maps make 2e+06 items per run") {
		t.Errorf("err = %v", err)
	}
}

// TestParallelMapsLimit: Maps side by side in a Parallel's branches hold their items at once, so
// their counts add up against the limit (50 branches of a Map of 10^6 items passed validation,
// then took 17 GB to simulate); two branches of 5 x 10^5 are at the limit and pass.
func TestParallelMapsLimit(t *testing.T) {
	branches := func(n int, items float64) *Workflow {
		w := validWorkflow()
		var bs [][]Step
		for b := range n {
			bs = append(bs, []Step{{Name: fmt.Sprintf("M%d", b), Map: &Map{Items: Const(items), Iterator: []Step{{Name: fmt.Sprintf("E%d", b), Task: "Extract"}}}}})
		}
		w.Steps[1] = Step{Name: "P", Parallel: bs}
		return w
	}
	if err := branches(50, 1e6).Validate(); err == nil || !strings.Contains(err.Error(), `steps[1] ("P"): the Maps of its branches hold 5e+07 items at once per run`) {
		t.Errorf("50 branches of 10^6 items: %v", err)
	}
	if err := branches(2, 5e5).Validate(); err != nil {
		t.Errorf("2 branches of 5 x 10^5 items: %v", err)
	}
	if err := branches(3, 5e5).Validate(); err == nil || !strings.Contains(err.Error(), "1.5e+06 items at once") {
		t.Errorf("3 branches of 5 x 10^5 items: %v", err)
	}
	// Branches of tasks add nothing: a Map of 6 x 10^5 items over a Parallel of two tasks is
	// valid, as before the check (it was refused as 1.2 x 10^6).
	w := validWorkflow()
	w.Steps[1].Map.Items = Const(6e5)
	w.Steps[1].Map.Iterator = []Step{{Name: "P", Parallel: [][]Step{{{Name: "E1", Task: "Extract"}}, {{Name: "E2", Task: "Extract"}}}}}
	if err := w.Validate(); err != nil {
		t.Errorf("a Map over a Parallel of tasks: %v", err)
	}
}

// TestBundleLimit: bundles past int32 (2^31, 2^32, 2^32+1, which the engine once truncated) and
// past MaxItems are refused with the limit.
func TestBundleLimit(t *testing.T) {
	w := validWorkflow()
	for _, b64 := range []int64{1 << 31, 1 << 32, 1<<32 + 1, MaxItems + 1} {
		if b64 > math.MaxInt {
			continue // past a 32-bit int: no plan can hold it there
		}
		b := int(b64)
		p := UniformPlan(1024)
		p.Bundle = map[string]int{"Chunks": b}
		if err := p.Validate(w); err == nil || !strings.Contains(err.Error(), "above the limit 1000000 items per VM") {
			t.Errorf("bundle %d: err = %v", b, err)
		}
	}
}

// TestDistRoundTrip: every kind written and read back is the same, zero parameters included
// (they are written, since reading requires them).
func TestDistRoundTrip(t *testing.T) {
	for _, d := range []Dist{Const(0), {Kind: Uniform, Min: 0, Max: 2}, {Kind: Normal, Mean: 1, StdDev: 0},
		{Kind: LogNormal, Median: 1, Sigma: 0}, {Kind: Exponential, Mean: 0}, {Kind: Empirical, Quantiles: []float64{0, 1}}} {
		b, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var got Dist
		if err := got.UnmarshalJSON(b); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
}
