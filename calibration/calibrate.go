package calibration

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/platform"

	"github.com/wisefuse/wisefuse/dag"
)

// FunctionSpec is what the calibration knows about a function before fitting: facts from the
// application's code (ORION artifact, icanforce/Orion-OSDI22, Benchmarks_AWS_Lambda), not from
// its timings.
type FunctionSpec struct {
	App   string
	Stage string // the stage name in the profiles, also the function and step name
	Items int    // parallel invocations in the stage (1 for a single task)
	// Threads lists the thread counts the code allows (nil: let the fit choose).
	Threads []int
	// SkewWidth is the item-skew range: items do between 1-SkewWidth and 1 times the heaviest
	// item's work (0 for a single task).
	SkewWidth float64
	// InputBytes and OutputBytes are the data read from and written to remote storage.
	InputBytes, OutputBytes float64
	// FitTransfer marks a function that makes many small sequential storage requests (the
	// simulator charges one request per transfer): its memory-independent time is fitted from
	// the profiles and carried as the equivalent transfer size, which the report prints next to
	// the nominal one so the two can be compared.
	FitTransfer bool
	// PayloadOnly marks a function whose input and output travel in the orchestrator's payload
	// (at most 256 KB in Step Functions), so it makes no storage request.
	PayloadOnly bool
	// InputRequests and OutputRequests are the sequential storage requests of the read and the
	// write (0 means 1), as dag.Function carries them.
	InputRequests, OutputRequests int
	// SkewByIndex: the item skew is fixed per item index (dag.Function.ItemSkewByIndex), because
	// the profiled runs reprocess the same input.
	SkewByIndex bool
	// FitOversubscription lets the fit choose the oversubscription exponent
	// (dag.Function.Oversubscription) of a parallel part whose threads spin-wait.
	FitOversubscription bool
}

// Storage is the remote-storage model the fit removes from the measured stage times before
// fitting the CPU model: per-request latency plus size over per-connection bandwidth, as the
// simulator charges a download (one GET) and an upload (one PUT).
type Storage struct {
	GetLatencyS, PutLatencyS float64
	BandwidthBps             float64
}

// StorageOf is the storage model of a simulator platform.
func StorageOf(p *platform.Platform) Storage {
	return Storage{GetLatencyS: p.StorageGetLatency, PutLatencyS: p.StoragePutLatency, BandwidthBps: p.ConnectionBps}
}

// TransferTime is the time spec's nominal reads and writes take under st: one request per
// non-empty direction, as the simulator charges them.
func (st Storage) TransferTime(spec FunctionSpec) float64 {
	if spec.PayloadOnly {
		return 0
	}
	return st.transfer(spec.InputBytes, st.GetLatencyS, spec.InputRequests) + st.transfer(spec.OutputBytes, st.PutLatencyS, spec.OutputRequests)
}

func (st Storage) transfer(bytes, latency float64, requests int) float64 {
	if bytes <= 0 {
		return 0
	}
	return latency*float64(dag.Requests(requests)) + bytes/st.BandwidthBps
}

// Requests is the number of storage requests spec makes (0 when its data is in the payload).
func (spec FunctionSpec) Requests() int {
	n := 0
	if spec.PayloadOnly {
		return 0
	}
	if spec.InputBytes > 0 {
		n += dag.Requests(spec.InputRequests)
	}
	if spec.OutputBytes > 0 {
		n += dag.Requests(spec.OutputRequests)
	}
	return n
}

// FunctionFit is the calibration result for one function.
type FunctionFit struct {
	Spec      FunctionSpec
	TransferS float64
	CPU       CPUFit
	RunSigma  float64
	MeasP50   []float64 // per ProfiledSizes
	MeasP95   []float64
	ModelP50  []float64 // TransferS + compute * stage factor, the fit's own prediction
	ModelP95  []float64
	StageP50F float64 // StageFactors of the fitted variability
	StageP95F float64
	// ExtraRequestLatency is the fitted transfer time beyond the nominal one, spread over the
	// function's requests (FitTransfer functions only; dag.Function.ExtraRequestLatency).
	ExtraRequestLatency float64
	ComputeP50          []float64 // measured P50 minus transfer: the compute the CPU model must explain
}

// Fit calibrates one function from its app's profiles (one per ProfiledSizes entry).
//
// Procedure: (1) the transfer time T is the nominal one, or for FitTransfer functions the
// intercept of a first fit of T + S/min(c,1) + P/min(c,k) to the measured P50s; (2) fit the
// run-factor spread so that the model's P95/P50 of the stage compute matches the measured
// (P95-T)/(P50-T) (geometric mean over sizes), given the item count and skew width; (3) divide
// the measured compute P50 by the model's median stage factor to get the heaviest item's nominal
// compute at each size; (4) fit S, P, k to those numbers with the CPU model.
func Fit(spec FunctionSpec, profiles []*Profile, st Storage) (FunctionFit, error) {
	ff := FunctionFit{Spec: spec, TransferS: st.TransferTime(spec)}
	var cores []platform.Cores
	for _, p := range profiles {
		v, ok := p.Stages[spec.Stage]
		if !ok {
			return ff, fmt.Errorf("%s: no stage %q (have %s)", p.Path, spec.Stage, strings.Join(p.StageNames(), ", "))
		}
		if len(v) == 0 {
			return ff, fmt.Errorf("%s: stage %q has no runs", p.Path, spec.Stage)
		}
		ff.MeasP50 = append(ff.MeasP50, p.Quantile(spec.Stage, 50))
		ff.MeasP95 = append(ff.MeasP95, p.Quantile(spec.Stage, 95))
		cores = append(cores, CoresAt(p.MemoryMB))
	}
	if spec.FitTransfer {
		first, err := FitCPU(cores, ff.MeasP50, spec.Threads, true)
		if err != nil {
			return ff, fmt.Errorf("%s: %w", spec.Stage, err)
		}
		if n := spec.Requests(); n > 0 {
			ff.ExtraRequestLatency = math.Max(0, first.Fixed-ff.TransferS) / float64(n)
		}
		ff.TransferS = math.Max(first.Fixed, ff.TransferS)
	}
	logRatio := 0.0
	for i, mb := range ProfiledSizes[:len(profiles)] {
		c50 := ff.MeasP50[i] - ff.TransferS
		if c50 <= 0 {
			return ff, fmt.Errorf("%s: stage %s: transfer time %.3f s (of the app's data sizes at the platform's storage) exceeds the measured P50 %.3f s at %d MB; the data sizes are too large for the log, or the storage too slow", profiles[i].Path, spec.Stage, ff.TransferS, ff.MeasP50[i], mb)
		}
		ff.ComputeP50 = append(ff.ComputeP50, c50)
		logRatio += math.Log((ff.MeasP95[i] - ff.TransferS) / c50)
	}
	ratio := math.Exp(logRatio / float64(len(profiles)))
	v := VariabilityModel{Items: spec.Items, SkewWidth: spec.SkewWidth}
	if spec.SkewByIndex {
		v.Skews = IndexedSkews(spec)
	}
	ff.RunSigma = FitRunSigma(v, ratio)
	v.RunSigma = ff.RunSigma
	ff.StageP50F, ff.StageP95F = v.StageFactors()
	targets := make([]float64, len(ff.ComputeP50))
	for i, c := range ff.ComputeP50 {
		targets[i] = c / ff.StageP50F
	}
	cpu, err := FitCPUOversub(cores, targets, spec.Threads, false, spec.FitOversubscription)
	if err != nil {
		return ff, fmt.Errorf("%s: %w", spec.Stage, err)
	}
	ff.CPU = cpu
	for _, t := range cpu.Fitted {
		ff.ModelP50 = append(ff.ModelP50, ff.TransferS+t*ff.StageP50F)
		ff.ModelP95 = append(ff.ModelP95, ff.TransferS+t*ff.StageP95F)
	}
	return ff, nil
}

// Overhead is a workflow's orchestration overhead: the median over runs of E2E minus the sum of
// the stages, per profiled size. It does not depend on memory size in the data (Step Functions
// transitions and Map fan-out, not compute), so one number per workflow is fitted: the mean of
// the per-size medians.
type Overhead struct {
	App      string
	PerSize  []float64
	Fitted   float64
	PerSizeQ [][2]float64 // P5 and P95 per size, for the report
}

// FitOverhead computes app's orchestration overhead from its profiles.
func FitOverhead(app string, profiles []*Profile) Overhead {
	o := Overhead{App: app}
	for _, p := range profiles {
		e2e := p.Stages[E2EStage]
		d := make([]float64, len(e2e))
		for i := range e2e {
			d[i] = e2e[i]
			for _, s := range p.StageNames() {
				d[i] -= p.Stages[s][i]
			}
		}
		q := stats.Percentiles(d, 5, 50, 95)
		o.PerSize = append(o.PerSize, q[1])
		o.PerSizeQ = append(o.PerSizeQ, [2]float64{q[0], q[2]})
		o.Fitted += q[1] / float64(len(profiles))
	}
	return o
}

// WriteFitTable prints the fit of every function and overhead as an aligned text table.
func WriteFitTable(w io.Writer, fits []FunctionFit, overheads []Overhead) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "app\tstage\titems\tskew\txfer_s\tin_MB\tout_MB\treqs\t+lat_ms\tS_core_s\tP_core_s\tk\tg\trun_sigma\tsize_MB\tmeas_p50\tfit_p50\tmeas_p95\tfit_p95\tcpu_err\t")
	for _, f := range fits {
		for i, mb := range ProfiledSizes {
			in, out := f.Spec.InputBytes, f.Spec.OutputBytes
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.2f\t%.3f\t%.2f\t%.2f\t%d\t%.1f\t%.3f\t%.3f\t%d\t%.3f\t%.3f\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%+.1f%%\t\n",
				f.Spec.App, f.Spec.Stage, f.Spec.Items, f.Spec.SkewWidth, f.TransferS, in/1e6, out/1e6, f.Spec.Requests(), 1000*f.ExtraRequestLatency, f.CPU.Serial, f.CPU.Parallel,
				f.CPU.Threads, f.CPU.Oversub, f.RunSigma, mb, f.MeasP50[i], f.ModelP50[i], f.MeasP95[i], f.ModelP95[i],
				100*(f.CPU.Fitted[i]/f.CPU.Targets[i]-1))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "app\torchestration overhead (E2E - sum of stages), median s per size\tfitted s\t")
	for _, o := range overheads {
		var parts []string
		for i, mb := range ProfiledSizes {
			parts = append(parts, fmt.Sprintf("%d MB: %.3f [P5 %.3f, P95 %.3f]", mb, o.PerSize[i], o.PerSizeQ[i][0], o.PerSizeQ[i][1]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t\n", o.App, strings.Join(parts, "; "), o.Fitted)
	}
	return tw.Flush()
}

// CalibrationStorage is the storage model the carried constants were fitted with. It must equal
// the simulator's default remote storage (per-request latency and per-connection bandwidth), so
// that the simulator adds back exactly the transfer time the fit removed.
var CalibrationStorage = StorageOf(platform.Default())
