package wisefuse

import (
	"math"

	"github.com/wisefuse/wisefuse/sim"
)

// Platform holds the public facts about the serverless platform that the modeler may use: how
// many vCPUs a VM size gets and what things cost. None of it is a property of a workflow, so using
// it does not leak the simulator's hidden per-function parameters.
type Platform struct {
	MBPerVCPU float64 // MB of memory per vCPU (AWS Lambda: 1,769 MB is one vCPU)
	MaxVCPU   float64 // vCPU cap (AWS Lambda: 6 at 10,240 MB)
	// MinVisibleCores and VisibleCoreStepsMB give the cores a VM's guest sees, over which its
	// vCPU share is a quota (sim.Platform.VisibleCores; AWS Lambda: 2 up to 3,008 MB, one more at
	// 3,009, 5,308, 7,077 and 8,846 MB, as measured by github.com/rwnx/lambda-cpuinfo).
	MinVisibleCores    int
	VisibleCoreStepsMB []int
	PricePerGBs        float64 // USD per GB-second of VM time
	PricePerRequest    float64 // USD per function invocation
	PricePerGet        float64 // USD per remote-storage read request
	PricePerPut        float64 // USD per remote-storage write request
	PricePerState      float64 // USD per orchestration state transition
	// ContentionPerCoRunner slows each computing invocation in a VM by 1 + this * (n - 1) when n
	// compute at once. It is a property of the platform's hardware, measured once by co-locating
	// copies of a known program (not per workflow); 0 means none. AWSLambda leaves it at 0, as
	// AWS publishes no figure; PlatformFromSim copies the simulated platform's, as an operator
	// would measure it on that platform.
	ContentionPerCoRunner float64
	// ConnectionBps and VMNetworkBps are one transfer's bandwidth and a VM's in all (bytes/s),
	// measured once on the platform like ContentionPerCoRunner. With both set, bundled items'
	// transfers share the VM's network in the bundle replay (using the workflow's declared data
	// sizes); 0 (AWSLambda: AWS publishes no figure) leaves transfers as the profiled times.
	ConnectionBps, VMNetworkBps float64
	// LocalBps is how fast data passes in memory between steps fused into one VM (bytes/s, both
	// the writer and the reader pay it); 0 treats in-memory passing as free.
	LocalBps float64
}

// AWSLambda is AWS Lambda (x86, us-east-1) with S3 Standard and Step Functions Standard, from the
// providers' public pricing and documentation pages:
// https://aws.amazon.com/lambda/pricing/ ($0.0000166667 per GB-s, $0.20 per 1M requests),
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html (1,769 MB = 1 vCPU,
// up to 6 vCPUs), https://aws.amazon.com/s3/pricing/ (PUT $0.005/1K, GET $0.0004/1K),
// https://aws.amazon.com/step-functions/pricing/ ($0.025 per 1K state transitions).
func AWSLambda() Platform {
	return Platform{
		MBPerVCPU:          1769,
		MaxVCPU:            6,
		MinVisibleCores:    2,
		VisibleCoreStepsMB: []int{3009, 5308, 7077, 8846},
		PricePerGBs:        0.0000166667,
		PricePerRequest:    0.20 / 1e6,
		PricePerGet:        0.0004 / 1e3,
		PricePerPut:        0.005 / 1e3,
		PricePerState:      0.025 / 1e3,
	}
}

// VCPU returns the vCPUs of a VM of memMB: c(m) = min(m / 1769, 6) on AWS Lambda.
func (p Platform) VCPU(memMB int) float64 {
	return math.Min(float64(memMB)/p.MBPerVCPU, p.MaxVCPU)
}

// unset reports whether p is the zero Platform (no facts given: the caller's default applies).
func (p Platform) unset() bool {
	return p.MBPerVCPU == 0 && p.MaxVCPU == 0 && p.PricePerGBs == 0 && p.PricePerRequest == 0 &&
		p.PricePerGet == 0 && p.PricePerPut == 0 && p.PricePerState == 0 && p.ContentionPerCoRunner == 0 &&
		p.ConnectionBps == 0 && p.VMNetworkBps == 0 && p.LocalBps == 0 &&
		p.MinVisibleCores == 0 && len(p.VisibleCoreStepsMB) == 0
}

// Cores returns the CPU share and the visible cores of a VM of memMB.
func (p Platform) Cores(memMB int) Cores {
	c := p.VCPU(memMB)
	return Cores{Share: c, Visible: float64(sim.CountVisibleCores(memMB, c, p.MinVisibleCores, p.VisibleCoreStepsMB))}
}

// vmCost is the USD cost of one VM invocation of memMB that is billed for seconds.
func (p Platform) vmCost(memMB int, seconds float64) float64 {
	return seconds*float64(memMB)/1024*p.PricePerGBs + p.PricePerRequest
}
