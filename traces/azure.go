package traces

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/tables"
)

// FunctionTrace is one function of a public Azure Functions trace, ready for replay: when it was
// invoked and how long it ran.
type FunctionTrace struct {
	Owner, App, Function string
	Trigger              string  // 2019 only (http, queue, timer, ...)
	MemoryMB             float64 // 2019 only: the app's 99th percentile of allocated memory; 0 if unknown

	// Arrivals (2021) are the invocation start times in seconds from the trace start, sorted,
	// with Durations the matching run times in seconds.
	Arrivals, Durations []float64
	// PerMinute (2019) counts the invocations in each minute of the day.
	PerMinute []int64
	// Duration is the run-time distribution: the observed durations' quantiles (2021) or the
	// published percentiles (2019), in seconds.
	Duration dag.Dist
}

// ID names the function uniquely in its trace: app and function hash.
func (f *FunctionTrace) ID() string { return f.App + "/" + f.Function }

// Invocations returns the function's invocation count.
func (f *FunctionTrace) Invocations() int64 {
	if f.PerMinute == nil {
		return int64(len(f.Arrivals))
	}
	var n int64
	for _, c := range f.PerMinute {
		n += c
	}
	return n
}

// MaxAppMemoryMB bounds an app's memory in the Azure 2019 trace: 1 TiB, far past any function
// host's (Azure's largest Functions plan offers 14 GB). Between dag.MaxMemoryMB and it, a
// function's workflow is capped to dag.MaxMemoryMB, and `trace import` says how many were.
const MaxAppMemoryMB = 1 << 20

// Workflow turns the function into a one-task workflow whose compute time at one vCPU
// (GeneratedMemoryMB) is drawn from its duration distribution; the trace's durations exclude
// cold starts, so init time is left at 0 for the platform model to decide.
func (f *FunctionTrace) Workflow() *dag.Workflow {
	name := "fn-" + shortHash(f.Function)
	mem := 128
	if f.MemoryMB > 0 {
		mem = int(min(math.Ceil(f.MemoryMB), dag.MaxMemoryMB))
	}
	return &dag.Workflow{
		Name:        "azure-" + shortHash(f.App) + "-" + shortHash(f.Function),
		Description: "imported from an Azure Functions trace: app " + f.App + ", function " + f.Function,
		Functions:   []dag.Function{{Name: name, MinMemoryMB: mem, SerialWork: f.Duration, Threads: 1}},
		Steps:       []dag.Step{{Name: "invoke", Task: name}},
	}
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// empiricalFromSamples summarizes observed values as a 101-point quantile Dist.
func empiricalFromSamples(xs []float64) dag.Dist {
	s := slices.Clone(xs)
	slices.Sort(s)
	q := make([]float64, 101)
	for i := range q {
		q[i] = stats.Percentile(s, float64(i))
	}
	return dag.Dist{Kind: dag.Empirical, Quantiles: q}
}

// empiricalFromPercentiles interpolates published percentiles (ps ascending, in percent, from 0
// to 100) linearly into a 101-point quantile Dist.
func empiricalFromPercentiles(ps, vs []float64) dag.Dist {
	q := make([]float64, 101)
	for i := range q {
		p := float64(i)
		j, _ := slices.BinarySearch(ps, p)
		switch {
		case j == 0:
			q[i] = vs[0]
		case j >= len(ps):
			q[i] = vs[len(vs)-1]
		default:
			f := (p - ps[j-1]) / (ps[j] - ps[j-1])
			q[i] = vs[j-1] + f*(vs[j]-vs[j-1])
		}
		if i > 0 {
			q[i] = math.Max(q[i], q[i-1]) // published percentiles may be rounded out of order
		}
	}
	return dag.Dist{Kind: dag.Empirical, Quantiles: q}
}

var azure2021Schema = tables.Schema{
	{Name: "app", Type: tables.String},
	{Name: "func", Type: tables.String},
	{Name: "end_timestamp", Type: tables.Float64},
	{Name: "duration", Type: tables.Float64},
}

// Import2021 is what ReadAzure2021 found.
type Import2021 struct {
	Functions []FunctionTrace // sorted by ID
	// Clamped counts invocations that started before the trace window (end_timestamp <
	// duration); their arrival is set to 0.
	Clamped int64
}

// ReadAzure2021 reads the Azure Functions invocation trace 2021 (AzurePublicDataset, columns
// app,func,end_timestamp,duration, in seconds, one row per invocation, unsorted). The arrival of
// an invocation is end_timestamp - duration. It holds 16 bytes per invocation (the full trace's
// two million rows need about 32 MB) to sort each function's arrivals.
func ReadAzure2021(path string) (*Import2021, error) {
	var r *tables.Reader
	var err error
	if strings.EqualFold(filepath.Ext(path), ".txt") {
		// The dataset publishes the trace as AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt:
		// CSV under a .txt name.
		r, err = tables.OpenCSV(path, azure2021Schema)
	} else {
		r, err = tables.Open(path, azure2021Schema)
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	index := map[string]int{}
	res := &Import2021{}
	for r.Next() {
		app, fn, end, dur := r.String(0), r.String(1), r.Float(2), r.Float(3)
		switch {
		case app == "" || fn == "":
			return nil, r.ColumnErrorf(map[bool]string{true: "app", false: "func"}[app == ""], "empty hash")
		case strings.Contains(app, "/") || strings.Contains(fn, "/"):
			// dag_id is app/func: "a/b","c" and "a","b/c" were imported as one function.
			return nil, r.ColumnErrorf(map[bool]string{true: "app", false: "func"}[strings.Contains(app, "/")],
				"%q holds a '/', which joins app and function in a dag_id (the published hashes are hexadecimal)", map[bool]string{true: app, false: fn}[strings.Contains(app, "/")])
		case !(end >= 0) || math.IsInf(end, 0):
			return nil, r.ColumnErrorf("end_timestamp", "%v, want seconds >= 0", end)
		case !(dur >= 0) || math.IsInf(dur, 0):
			return nil, r.ColumnErrorf("duration", "%v, want seconds >= 0", dur)
		// Past these the replay could not run the trace: it failed mid-run, blaming the workflow.
		case end > sim.MaxTime:
			return nil, r.ColumnErrorf("end_timestamp", "%v s is past the simulator's clock limit %g s (sim.MaxTime)", end, float64(sim.MaxTime))
		case dur > dag.MaxWork:
			return nil, r.ColumnErrorf("duration", "%v s is above the limit %g s of a function's work (dag.MaxWork)", dur, float64(dag.MaxWork))
		}
		key := app + "/" + fn
		i, ok := index[key]
		if !ok {
			i = len(res.Functions)
			index[key] = i
			res.Functions = append(res.Functions, FunctionTrace{App: strings.Clone(app), Function: strings.Clone(fn)})
		}
		f := &res.Functions[i]
		arrival := end - dur
		if arrival < 0 {
			arrival = 0
			res.Clamped++
		}
		f.Arrivals = append(f.Arrivals, arrival)
		f.Durations = append(f.Durations, dur)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(res.Functions) == 0 {
		return nil, fmt.Errorf("%s: no invocations", path)
	}
	for i := range res.Functions {
		f := &res.Functions[i]
		order := make([]int, len(f.Arrivals))
		for k := range order {
			order[k] = k
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(f.Arrivals[a], f.Arrivals[b]) })
		arr, dur := make([]float64, len(order)), make([]float64, len(order))
		for k, o := range order {
			arr[k], dur[k] = f.Arrivals[o], f.Durations[o]
		}
		f.Arrivals, f.Durations = arr, dur
		f.Duration = empiricalFromSamples(dur)
	}
	slices.SortFunc(res.Functions, func(a, b FunctionTrace) int { return cmp.Compare(a.ID(), b.ID()) })
	return res, nil
}

// WriteReplay writes imported 2021 functions as a DAG-invocation table in arrival order: each
// invocation is a one-function DAG (width, depth and nodes 1, skew 1, data unknown) whose latency
// is its observed duration.
func WriteReplay(out *DAGWriter, fns []FunctionTrace) error {
	type cursor struct{ fn, next int }
	// A k-way merge by (arrival, function index) keeps the output sorted and deterministic.
	h := make([]cursor, 0, len(fns))
	for i := range fns {
		if len(fns[i].Arrivals) > 0 {
			h = append(h, cursor{i, 0})
		}
	}
	less := func(a, b cursor) bool {
		x, y := fns[a.fn].Arrivals[a.next], fns[b.fn].Arrivals[b.next]
		return x < y || x == y && a.fn < b.fn
	}
	heapify(h, less)
	ids := make([]string, len(fns))
	for i := range fns {
		ids[i] = fns[i].ID()
	}
	row := DAGInvocation{Width: 1, Depth: 1, Nodes: 1, DataBytes: -1, Skew: 1}
	for id := int64(0); len(h) > 0; id++ {
		c := &h[0]
		f := &fns[c.fn]
		row.DAG, row.Invocation, row.Arrival, row.Latency = ids[c.fn], id, f.Arrivals[c.next], f.Durations[c.next]
		if err := out.Write(&row); err != nil {
			return err
		}
		c.next++
		if c.next == len(f.Arrivals) {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		siftDown(h, 0, less)
	}
	return nil
}

func heapify[T any](h []T, less func(a, b T) bool) {
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i, less)
	}
}

func siftDown[T any](h []T, i int, less func(a, b T) bool) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && less(h[r], h[l]) {
			m = r
		}
		if !less(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// Azure Functions trace 2019 (AzurePublicDataset "AzureFunctionsDataset2019"): one file per day of
// each kind. Durations are in milliseconds, memory in MB.
var (
	azure2019DurationPercentiles = []float64{0, 1, 25, 50, 75, 99, 100}
	azure2019DurationSchema      = func() tables.Schema {
		s := tables.Schema{{Name: "HashOwner", Type: tables.String}, {Name: "HashApp", Type: tables.String}, {Name: "HashFunction", Type: tables.String},
			{Name: "Average", Type: tables.Float64}, {Name: "Count", Type: tables.Int64}, {Name: "Minimum", Type: tables.Float64}, {Name: "Maximum", Type: tables.Float64}}
		for _, p := range azure2019DurationPercentiles {
			s = append(s, tables.Column{Name: fmt.Sprintf("percentile_Average_%g", p), Type: tables.Float64})
		}
		return s
	}()
	azure2019MemorySchema = tables.Schema{{Name: "HashOwner", Type: tables.String}, {Name: "HashApp", Type: tables.String},
		{Name: "SampleCount", Type: tables.Int64}, {Name: "AverageAllocatedMb", Type: tables.Float64}, {Name: "AverageAllocatedMb_pct99", Type: tables.Float64}}
	azure2019InvocationSchema = func() tables.Schema {
		s := tables.Schema{{Name: "HashOwner", Type: tables.String}, {Name: "HashApp", Type: tables.String}, {Name: "HashFunction", Type: tables.String}, {Name: "Trigger", Type: tables.String}}
		for m := 1; m <= 1440; m++ {
			s = append(s, tables.Column{Name: strconv.Itoa(m), Type: tables.Int64})
		}
		return s
	}()
)

// MaxMinuteInvocations is the most invocations one minute of an Azure 2019 day may hold, all
// functions together: WriteReplay2019 holds a minute's arrivals in memory, 16 bytes each (1.6 GB
// at the limit). A count of 1e11 in one cell ran the import out of memory (a fatal error that
// left its temporary file behind). The whole public dataset averages well under 10^6 a minute.
const MaxMinuteInvocations = 100_000_000

// ReadAzure2019 reads one day of the Azure Functions trace 2019: per-minute invocation counts
// (invocations_per_function_md.anon.dNN.csv), duration percentiles
// (function_durations_percentiles.anon.dNN.csv) and, if memoryPath is not empty, app memory
// percentiles (app_memory_percentiles.anon.dNN.csv). Functions without duration percentiles are
// dropped (they cannot be replayed) and counted in the second result.
func ReadAzure2019(invocationsPath, durationsPath, memoryPath string) ([]FunctionTrace, int, error) {
	type key struct{ owner, app, fn string }
	durations := map[key]dag.Dist{}
	r, err := tables.Open(durationsPath, azure2019DurationSchema)
	if err != nil {
		return nil, 0, err
	}
	vs := make([]float64, len(azure2019DurationPercentiles))
	durLine := map[key]string{}
	for r.Next() {
		for i := range vs {
			v := r.Float(7 + i)
			if !(v >= 0) || math.IsInf(v, 0) {
				r.Close()
				return nil, 0, r.ColumnErrorf(azure2019DurationSchema[7+i].Name, "%v, want milliseconds >= 0", v)
			}
			// Published percentiles may be rounded out of order (empiricalFromPercentiles evens
			// that out); percentiles that fall by more than rounding are a file's columns out of
			// place, which was imported as one constant duration.
			if prev := 1000 * vs[max(i-1, 0)]; i > 0 && v < prev-max(1, 0.01*prev) {
				r.Close()
				return nil, 0, r.ColumnErrorf(azure2019DurationSchema[7+i].Name, "%v ms, below %s's %v ms: percentiles do not decrease (beyond rounding)",
					v, azure2019DurationSchema[6+i].Name, prev)
			}
			if v/1000 > dag.MaxWork {
				r.Close()
				return nil, 0, r.ColumnErrorf(azure2019DurationSchema[7+i].Name, "%v ms is above the limit %g s of a function's work (dag.MaxWork)", v, float64(dag.MaxWork))
			}
			vs[i] = v / 1000
		}
		k := key{strings.Clone(r.String(0)), strings.Clone(r.String(1)), strings.Clone(r.String(2))}
		if first, dup := durLine[k]; dup {
			// The last row was kept, silently.
			r.Close()
			return nil, 0, fmt.Errorf("%s: %s: function %s/%s (owner %s) again (first at %s); a function has one row of percentiles", durationsPath, r.Where(), k.app, k.fn, k.owner, first)
		}
		durLine[k] = r.Where()
		durations[k] = empiricalFromPercentiles(azure2019DurationPercentiles, vs)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, 0, err
	}

	memory := map[[2]string]float64{}
	if memoryPath != "" {
		r, err := tables.Open(memoryPath, azure2019MemorySchema)
		if err != nil {
			return nil, 0, err
		}
		for r.Next() {
			v := r.Float(4)
			if !(v >= 0) || v > MaxAppMemoryMB {
				// 1e9 MB was read, and capped to the largest VM without a word.
				err := r.ColumnErrorf("AverageAllocatedMb_pct99", "%v, want the app's allocated MB, from 0 to %d (1 TiB, past any function's memory)", v, MaxAppMemoryMB)
				r.Close()
				return nil, 0, err
			}
			k := [2]string{strings.Clone(r.String(0)), strings.Clone(r.String(1))}
			if _, dup := memory[k]; dup {
				// The last row was kept, silently; the other two files refuse a repeat.
				err := fmt.Errorf("%s: %s: app %s (owner %s) again; an app has one row of memory percentiles", memoryPath, r.Where(), k[1], k[0])
				r.Close()
				return nil, 0, err
			}
			memory[k] = v
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, 0, err
		}
	}

	r, err = tables.Open(invocationsPath, azure2019InvocationSchema)
	if err != nil {
		return nil, 0, err
	}
	defer r.Close()
	var fns []FunctionTrace
	dropped := 0
	var perMinute [1440]int64 // all functions' invocations in each minute
	idLine := map[string]string{}
	for r.Next() {
		k := key{strings.Clone(r.String(0)), strings.Clone(r.String(1)), strings.Clone(r.String(2))}
		if strings.Contains(k.app, "/") || strings.Contains(k.fn, "/") {
			col := map[bool]string{true: "HashApp", false: "HashFunction"}[strings.Contains(k.app, "/")]
			return nil, 0, r.ColumnErrorf(col, "holds a '/', which joins app and function in a dag_id (the published hashes are hexadecimal)")
		}
		d, ok := durations[k]
		if !ok {
			dropped++
			continue
		}
		f := FunctionTrace{Owner: k.owner, App: k.app, Function: k.fn, Trigger: strings.Clone(r.String(3)), Duration: d,
			MemoryMB: memory[[2]string{k.owner, k.app}], PerMinute: make([]int64, 1440)}
		// The function's DAG id: a second row of it was imported as a second DAG of that id,
		// which 'trace replay' then refused in the catalog.
		id := f.ID()
		if first, dup := idLine[id]; dup {
			return nil, 0, fmt.Errorf("%s: %s: function %s again (first at %s); a function has one row of counts", invocationsPath, r.Where(), id, first)
		}
		idLine[id] = r.Where()
		for m := range f.PerMinute {
			c := r.Int(4 + m)
			if c < 0 {
				return nil, 0, r.ColumnErrorf(strconv.Itoa(m+1), "%d, want a count >= 0", c)
			}
			if perMinute[m] += c; c > MaxMinuteInvocations || perMinute[m] > MaxMinuteInvocations {
				return nil, 0, r.ColumnErrorf(strconv.Itoa(m+1), "%d makes %d invocations in minute %d, above the limit %d (traces.MaxMinuteInvocations: a minute's arrivals are held in memory, 16 bytes each)",
					c, perMinute[m], m+1, MaxMinuteInvocations)
			}
			f.PerMinute[m] = c
		}
		fns = append(fns, f)
	}
	if err := r.Err(); err != nil {
		return nil, 0, err
	}
	if len(fns) == 0 {
		return nil, dropped, fmt.Errorf("%s: no function with both invocation counts and durations in %s", invocationsPath, durationsPath)
	}
	slices.SortFunc(fns, func(a, b FunctionTrace) int { return cmp.Compare(a.ID(), b.ID()) })
	return fns, dropped, nil
}

// WriteReplay2019 writes one day of 2019 functions as a DAG-invocation table in arrival order:
// each minute's invocations arrive uniformly at random within the minute and run for a duration
// drawn from their function's percentiles. Memory holds one minute of arrivals at a time.
func WriteReplay2019(out *DAGWriter, fns []FunctionTrace, rng *rand.Rand) error {
	type arrival struct {
		t  float64
		fn int
	}
	ids := make([]string, len(fns))
	for i := range fns {
		ids[i] = fns[i].ID()
	}
	var minute []arrival
	row := DAGInvocation{Width: 1, Depth: 1, Nodes: 1, DataBytes: -1, Skew: 1}
	id := int64(0)
	for m := range 1440 {
		minute = minute[:0]
		for i := range fns {
			for range fns[i].PerMinute[m] {
				minute = append(minute, arrival{60 * (float64(m) + rng.Float64()), i})
			}
		}
		slices.SortFunc(minute, func(a, b arrival) int {
			if c := cmp.Compare(a.t, b.t); c != 0 {
				return c
			}
			return cmp.Compare(a.fn, b.fn)
		})
		for _, a := range minute {
			row.DAG, row.Invocation, row.Arrival, row.Latency = ids[a.fn], id, a.t, fns[a.fn].Duration.Sample(rng)
			if err := out.Write(&row); err != nil {
				return err
			}
			id++
		}
	}
	return nil
}
