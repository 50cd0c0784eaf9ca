package platform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// Platform holds every constant of the simulated platform, in one place, each with its source.
// Default is AWS Lambda with Step Functions Standard and S3; a JSON file read by
// Read overrides any subset of the fields by their JSON names (docs/simulator.md).
//
// Units: seconds, bytes, bytes per second, MB (2^20 bytes, as Lambda's memory setting) and USD.
type Platform struct {
	// Base names the built-in platform a platform file starts from (Names; "" is aws-lambda): the
	// file's other fields override that platform's. It is read from a file only; built-ins leave it
	// empty. docs/simulator.md, "Platform files".
	Base string `json:"base"`

	// MBPerVCPU and MaxVCPU give a VM's CPU share c(m) = min(m / MBPerVCPU, MaxVCPU).
	// Source: AWS Lambda docs, "Memory and computing power": 1,769 MB has the equivalent of one
	// vCPU, and a function gets up to 6 vCPUs (at 10,240 MB).
	MBPerVCPU float64 `json:"mb_per_vcpu"`
	MaxVCPU   float64 `json:"max_vcpu"`
	// MinVisibleCores and VisibleCoreStepsMB give the cores the guest sees, n(m): MinVisibleCores,
	// plus one for each step at or below m, and never fewer than ceil(c(m)). The CPU share c(m) is
	// enforced as a quota over those n cores (CFS bandwidth control), so n >= c: a 1,000 MB
	// function sees 2 cores and may use 0.57 of them. It matters to spin-waiting threads
	// (Function.Oversubscription), which lose time when there are more threads than cores to run
	// them on. Source: nproc measured per memory size, github.com/rwnx/lambda-cpuinfo (2 cores up
	// to 3,008 MB, 3 from 3,009, 4 from 5,308, 5 from 7,077, 6 from 8,846 MB).
	MinVisibleCores    int   `json:"min_visible_cores"`
	VisibleCoreStepsMB []int `json:"visible_core_steps_mb"`

	// ContentionPerCoRunner slows every computing invocation in a VM by a factor
	// 1 + ContentionPerCoRunner * (n - 1) when n invocations compute at once (shared memory
	// bandwidth, caches). A few percent per co-runner is the usual range for co-located CPU-bound
	// processes (e.g. Photons, SoCC 2020, measured small slowdowns when sharing one runtime);
	// app calibration may change it.
	ContentionPerCoRunner float64 `json:"contention_per_corunner"`

	// Remote storage (S3). Per-request latency is the time to first byte; the body then moves at
	// the per-connection bandwidth, capped by the VM's network share. Sources: Klimovic et al.,
	// "Understanding Ephemeral Storage for Serverless Analytics", ATC 2018 (S3 request latency of
	// tens of ms, tens of MB/s per Lambda connection); Wang et al., "Peeking Behind the Curtains of
	// Serverless Platforms", ATC 2018 (per-instance network throughput of hundreds of Mbit/s).
	// Current Lambda instances are faster than in 2018, so the defaults sit at the upper end.
	StorageGetLatency float64 `json:"storage_get_latency_s"`
	StoragePutLatency float64 `json:"storage_put_latency_s"`
	ConnectionBps     float64 `json:"connection_bytes_per_s"` // one transfer (one connection)
	VMNetworkBps      float64 `json:"vm_network_bytes_per_s"` // all transfers of one VM together

	// LocalBps is in-VM passing between fused functions (serialize and copy in memory, about
	// GB/s on one core).
	LocalBps float64 `json:"local_bytes_per_s"`

	// DirectLatency is the connection set-up of a receiver pulling from a sender's VM
	// (Sonic, ATC 2021, direct passing); the body then moves as a network transfer limited by
	// the connection, the receiver's VM and the sender's VM shared by all its pullers.
	DirectLatency float64 `json:"direct_latency_s"`
	// NATTraversal is added to every direct connection's set-up (DirectSetup) on a platform whose
	// functions accept no inbound connections, as AWS Lambda's: two functions connect directly
	// only by TCP hole punching through a rendezvous server they both reach (Moyer, "Punching
	// Holes in the Cloud: Direct Communication between Serverless Functions Using NAT
	// Traversal", MS thesis, Virginia Tech, 2021, on Lambda; the technique: Ford, Srisuresh and
	// Kegel, USENIX ATC 2005). No published measurement of its set-up time on Lambda was found:
	// the default 0.1 s is an assumption (a few round trips to the rendezvous server and between
	// the peers); a SYN dropped by the NAT before the peer's hole is open waits for TCP's initial
	// retransmission timeout, 1 s (RFC 6298), the upper end of the sensitivity reported in
	// docs/baselines.md ("Sonic"). 0 for a platform where VMs accept connections (Sonic's own
	// OpenLambda on EC2).
	NATTraversal float64 `json:"nat_traversal_s"`

	// InvokeLatency is a synchronous Lambda-to-Lambda invocation (a fusion group spilling map
	// items, Faastlane). Warm invoke overhead is tens of ms (Wang et al. ATC 2018).
	InvokeLatency float64 `json:"invoke_latency_s"`
	// PayloadLimitBytes: a synchronous invocation carries up to 6 MB of request and of response
	// payload (AWS Lambda quotas); larger data goes through remote storage.
	PayloadLimitBytes float64 `json:"payload_limit_bytes"`

	// TransitionLatency is the orchestrator's delay per state transition (Step Functions
	// Standard): every state entered outside a VM (task, parallel, map, pass, and every state of
	// every map iteration) waits this long before it starts. Step Functions Standard adds tens of
	// ms per transition; 50 ms is our default, app calibration may override it.
	TransitionLatency float64 `json:"transition_latency_s"`
	// OrchestrationOverhead says how the orchestrator's measured overhead is attributed, which
	// public end-to-end data cannot tell apart (docs/simulator.md, "Orchestration"):
	// "per-transition" (the default) puts it all in TransitionLatency, so a plan with fewer
	// transitions (fusion) waits less; "per-execution" adds ExecutionOverhead once per DAG
	// invocation, before its first state, whatever the plan, with transitions at
	// TransitionLatency as well.
	OrchestrationOverhead string `json:"orchestration_overhead"`
	// ExecutionOverhead is the fixed delay of "per-execution" (seconds); it must be 0 under
	// "per-transition", so a file cannot set it and have it silently ignored.
	ExecutionOverhead float64 `json:"execution_overhead_s"`

	// KeepAlive is how long an idle VM stays warm. AWS does not publish it; measurements find
	// idle instances reclaimed after about 5 to 15 minutes (Wang et al. ATC 2018; Shahrad et al.,
	// "Serverless in the Wild", ATC 2020 use a 10 min fixed keep-alive as the provider baseline).
	KeepAlive float64 `json:"keep_alive_s"`
	// WarmReuse is which idle VM of a warm pool serves an invocation: "most-recent" (the
	// default: the one released last), "newest" (the one created last, as SimFaaS does),
	// "oldest" (created first) or "random" (uniform, from the engine's own random stream).
	// Providers do not document it (docs/simulator.md, "Cold starts").
	WarmReuse string `json:"warm_reuse"`
	// KeepAlivePolicy is "fixed" (the default: every idle VM is kept KeepAlive) or "hybrid", the
	// hybrid histogram policy of Shahrad et al., "Serverless in the Wild", ATC 2020 (section 4.2):
	// per application (here a warm pool), a histogram of idle times over HybridRange in bins of
	// HybridBin; the pre-warm window is its HybridHead-th percentile less HybridMargin, the
	// keep-alive window reaches its HybridTail-th percentile plus HybridMargin; when the histogram
	// has fewer than HybridMinSamples idle times or the coefficient of variation of its bin counts
	// is below HybridCV, no pre-warm and a keep-alive of the whole range; when most idle times are
	// beyond the range, the last one is the forecast (the paper uses ARIMA). docs/simulator.md.
	KeepAlivePolicy  string  `json:"keep_alive_policy"`
	HybridRange      float64 `json:"hybrid_range_s"`
	HybridBin        float64 `json:"hybrid_bin_s"`
	HybridHead       float64 `json:"hybrid_head_percentile"`
	HybridTail       float64 `json:"hybrid_tail_percentile"`
	HybridMargin     float64 `json:"hybrid_margin"`
	HybridCV         float64 `json:"hybrid_cv_threshold"`
	HybridMinSamples int     `json:"hybrid_min_samples"`
	// FunctionTimeout is the longest a function invocation may run: AWS Lambda stops it at 900 s
	// (15 minutes, the maximum timeout; AWS Lambda quotas) and bills the duration up to there.
	// The simulator stops a VM invocation that long after its init, bills it up to there and
	// fails its DAG invocation (docs/simulator.md); 0 means no timeout.
	FunctionTimeout float64 `json:"function_timeout_s"`
	// ConcurrencyLimit is the account's concurrent executions (AWS default quota: 1,000). What a
	// VM acquisition beyond it does is AtConcurrencyLimit.
	ConcurrencyLimit int `json:"concurrency_limit"`
	// AtConcurrencyLimit is what happens to a VM acquisition beyond the limit:
	//   - "queue" (the default): it waits in a FIFO queue, as AWS does for asynchronous
	//     invocations, which it keeps in its internal queue and retries for up to 6 hours
	//     (AWS Lambda docs, "Lambda scaling behavior" and "Asynchronous invocation").
	//   - "reject": a synchronous invocation over the limit fails at once with a throttling
	//     error (HTTP 429, TooManyRequestsException; AWS Lambda docs, "Lambda scaling
	//     behavior"): the function invocation and its DAG invocation fail (Step Functions fails
	//     the execution on an uncaught Task error).
	//   - "retry": a Step Functions Task with a Retry on Lambda.TooManyRequestsException
	//     (Amazon States Language, "Handling errors in Step Functions workflows"): attempt k
	//     (k = 1..RetryMaxAttempts) comes RetryInterval x RetryBackoffRate^(k-1) after the
	//     previous failure, and the error is final (as "reject") after the last.
	AtConcurrencyLimit string `json:"at_concurrency_limit"`
	// RetryInterval, RetryBackoffRate and RetryMaxAttempts are the Retry fields IntervalSeconds,
	// BackoffRate and MaxAttempts of "retry"; the defaults are the ASL's (1 s, 2.0, 3).
	RetryInterval    float64 `json:"retry_interval_s"`
	RetryBackoffRate float64 `json:"retry_backoff_rate"`
	RetryMaxAttempts int     `json:"retry_max_attempts"`

	// Prices (AWS, us-east-1, x86). Lambda: $0.0000166667 per GB-second, $0.20 per 1M requests,
	// duration rounded up to 1 ms. S3 Standard: $0.005 per 1,000 PUT, $0.0004 per 1,000 GET.
	// Step Functions Standard: $0.025 per 1,000 state transitions.
	GBSecondUSD    float64 `json:"gb_second_usd"`
	RequestUSD     float64 `json:"request_usd"`
	BillingQuantum float64 `json:"billing_quantum_s"`
	PutUSD         float64 `json:"put_usd"`
	GetUSD         float64 `json:"get_usd"`
	TransitionUSD  float64 `json:"transition_usd"`
	// BillInit bills a cold start's INIT phase as part of the duration. AWS bills the INIT phase
	// of on-demand functions since 1 August 2025 ("AWS Lambda standardizes billing for the INIT
	// phase", AWS Compute Blog, 2025); set false to model the earlier free INIT of managed runtimes.
	BillInit bool `json:"bill_init"`

	// FixedMemoryMB, when > 0, is the memory of every VM whatever the plan asks: a platform
	// without VM sizing (Azure Functions Consumption: every instance has 1.5 GB). Plans still
	// fuse and bundle; their memory sizes are ignored by the simulator. 0 (AWS): the plan's size.
	FixedMemoryMB int `json:"fixed_memory_mb"`
	// MemorySizesMB, when set, are the only memory sizes a VM may have (Azure Functions Flex
	// Consumption: 512, 2,048 and 4,096 MB): a plan's size is rounded up to the next one, or down
	// to the largest when above them all (SizeMB). Empty (AWS): any size. Set at most one of
	// FixedMemoryMB and MemorySizesMB.
	MemorySizesMB []int `json:"memory_sizes_mb"`
	// BillingMinimum is the shortest billed duration of one execution (Azure Functions
	// Consumption: 100 ms); 0 (AWS Lambda): none.
	BillingMinimum float64 `json:"billing_minimum_s"`

	// OrchestratorReplay models orchestration by event sourcing (Azure Durable Functions): every
	// state a DAG invocation enters outside a VM, and its end, first waits for the orchestrator to
	// resume and replay its history, ReplayLatency + ReplayPerStep x (activities completed so
	// far) + (bytes of activity inputs and outputs recorded so far) / ReplayBytesPerS (no byte
	// term when 0). Each resume is one orchestrator execution, billed RequestUSD plus its duration
	// (rounded as the activities', at least BillingMinimum) at ReplayBilledMB. Off (AWS Step
	// Functions), the replay fields must be 0. docs/simulator.md, "Orchestration by event sourcing".
	OrchestratorReplay bool    `json:"orchestrator_replay"`
	ReplayLatency      float64 `json:"replay_latency_s"`
	ReplayPerStep      float64 `json:"replay_per_step_s"`
	ReplayBytesPerS    float64 `json:"replay_bytes_per_s"`
	ReplayBilledMB     int     `json:"replay_billed_mb"`

	// OffloadBytes: an activity input or output read from or written to remote storage (on Azure
	// Durable Functions, a queue message) larger than this is compressed and stored in a blob,
	// and the message carries a reference: one more blob write by the sender (BlobPutLatency,
	// BlobPutUSD) and one more blob read by the receiver (BlobGetLatency, BlobGetUSD). 0 (AWS):
	// never. docs/simulator.md, "Queue messages and blob offload".
	OffloadBytes   float64 `json:"offload_bytes"`
	BlobPutLatency float64 `json:"blob_put_latency_s"`
	BlobGetLatency float64 `json:"blob_get_latency_s"`
	BlobPutUSD     float64 `json:"blob_put_usd"`
	BlobGetUSD     float64 `json:"blob_get_usd"`

	// QueuePollingMin and QueuePollingMax (with OrchestratorReplay) model the control queue's
	// polling back-off: after it finds a message the orchestrator's poller checks again at once,
	// then waits QueuePollingMin, and after each empty poll waits min + min x 2^(k-1) for the
	// k-th (2, 3, 5, 9, 17, ... times min), at most QueuePollingMax. A message for the
	// orchestrator (a DAG invocation's start, an activity's completion) waits for the next poll.
	// 0 (AWS): no polling delay. docs/simulator.md, "Control-queue polling back-off".
	QueuePollingMin float64 `json:"queue_polling_min_s"`
	QueuePollingMax float64 `json:"queue_polling_max_s"`

	// InstanceActivities > 0 runs an app's activity executions on shared instances: at most this
	// many at once on one instance (maxConcurrentActivityFunctions), the instance's cores split
	// equally among them, and new instances added by a scale controller at most one per
	// ScaleOutInterval() (set by ScaleTrigger), up to MaxInstances per app, each with a cold
	// start. 0 (AWS): every VM acquisition is an instance of its own. With instances the
	// concurrency limit is per app (ConcurrencyLimit). docs/simulator.md, "Instances and the scale
	// controller".
	InstanceActivities int `json:"instance_activities"`
	MaxInstances       int `json:"max_instances"`
	// ScaleTrigger is the trigger the scale controller scales an app for, which sets how often it
	// may add an instance (Azure Functions event-driven scaling): "http", at most once per second;
	// "non-http" (a queue: Durable Functions' activities and orchestrators), at most once per
	// 30 s. Empty without instances. HTTP-triggered spills (SpillsHTTP) scale at the "http" rate
	// whatever it is (ScaleOutIntervalOf).
	ScaleTrigger string `json:"scale_trigger"`
	// InstanceOrchestrators > 0 (with OrchestratorReplay and instances) makes every resume of an
	// orchestrator an execution that needs one of an app's orchestrator slots for its replay:
	// InstanceOrchestrators per instance (maxConcurrentOrchestratorFunctions) on at most
	// PartitionCount instances, as each control queue (partition) is processed by one instance at
	// a time. A resume that finds every slot busy waits for one, first come first served.
	// 0: resumes are delays only. docs/simulator.md, "Orchestrator slots and partitions".
	InstanceOrchestrators int `json:"instance_orchestrators"`
	PartitionCount        int `json:"partition_count"`
	// BilledMemoryQuantumMB > 0 bills an execution's observed memory, the memory its concurrent
	// invocations need (dag.Function.MinMemoryMB; dag.Plan.NeedMB), rounded up to this many MB
	// and at most the instance's memory (Azure Functions Consumption: 128 MB, up to 1,536 MB);
	// 0 (AWS Lambda, Flex Consumption): the VM's memory size. docs/simulator.md, "Billing".
	BilledMemoryQuantumMB int `json:"billed_memory_quantum_mb"`

	// Spills says how a VM of a plan runs the items of a Map it holds beyond its bundle (a Map in
	// a fusion group, or in a bundled iterator; dag.Plan.SpillingMaps), which it invokes
	// synchronously, B per execution: SpillsInvoke, as executions like any other (AWS Lambda's
	// synchronous Invoke; on a platform with instances they take the same slots);
	// SpillsHTTP, as HTTP-triggered executions of the app (Azure Functions: an activity calls its
	// app's HTTP function), which on a platform with instances take one of an instance's
	// HTTPInstanceConcurrency slots, beside its InstanceActivities ones; SpillsRefused, never
	// (NoSpills: a plan that would spill is refused). With OrchestratorReplay (Durable
	// Functions) an activity cannot start activities, so SpillsInvoke is invalid there.
	// docs/simulator.md, "Spills on Durable Functions".
	Spills string `json:"spills"`
	// HTTPInstanceConcurrency (with Spills SpillsHTTP and instances) is how many HTTP executions
	// one instance runs at once (host.json extensions.http.maxConcurrentRequests); unused
	// otherwise.
	HTTPInstanceConcurrency int `json:"http_instance_concurrency"`
}

// How a VM's spilled Map items run (Platform.Spills).
const (
	SpillsInvoke  = "invoke"
	SpillsHTTP    = "http"
	SpillsRefused = "refused"
)

// Scale triggers (Platform.ScaleTrigger).
const (
	TriggerHTTP    = "http"
	TriggerNonHTTP = "non-http"
)

// ScaleOutInterval is the shortest time between two instances the scale controller adds to one
// app for its trigger (ScaleTrigger): ScaleOutIntervalOf(p.ScaleTrigger); 0 without instances.
func (p *Platform) ScaleOutInterval() float64 { return ScaleOutIntervalOf(p.ScaleTrigger) }

// ScaleOutIntervalOf is the shortest time between two instances the scale controller adds for
// executions of trigger: 1 s for HTTP triggers, 30 s for the others ("For HTTP triggers, new
// instances are allocated, at most, once per second. For non-HTTP triggers, new instances are
// allocated, at most, once every 30 seconds": Microsoft Learn, "Event-driven scaling in Azure
// Functions", "Understanding scaling behaviors",
// https://learn.microsoft.com/en-us/azure/azure-functions/event-driven-scaling); 0 for no trigger.
// An app's HTTP-triggered executions (Spills SpillsHTTP) have the HTTP interval whatever the
// app's ScaleTrigger: the scale controller adds an instance for them once a second while they
// wait (docs/simulator.md, "Spills on Durable Functions").
func ScaleOutIntervalOf(trigger string) float64 {
	switch trigger {
	case TriggerHTTP:
		return 1
	case TriggerNonHTTP:
		return 30
	}
	return 0
}

// OrchestratorSlots is how many orchestrator replays an app with n instances runs at once:
// InstanceOrchestrators on each of min(n, PartitionCount) instances (at least one instance: a
// resume is what makes the scale controller start one); 0 when unbounded.
func (p *Platform) OrchestratorSlots(n int) int {
	if p.InstanceOrchestrators == 0 {
		return 0
	}
	return p.InstanceOrchestrators * max(1, min(n, p.PartitionCount))
}

// BilledSeconds is the duration billed for an execution of d seconds: d rounded up to
// BillingQuantum (less 1 ns of slack, so a float just above a multiple does not add a quantum),
// at least BillingMinimum.
func (p *Platform) BilledSeconds(d float64) float64 {
	q := p.BillingQuantum
	return max(math.Ceil(d/q-1e-9)*q, p.BillingMinimum)
}

// ResumeUSD is the price of one orchestrator resume (a replay of its history) lasting d seconds:
// an execution billed at ReplayBilledMB for BilledSeconds(d).
func (p *Platform) ResumeUSD(d float64) float64 {
	return p.BilledSeconds(d)*float64(p.ReplayBilledMB)/1024*p.GBSecondUSD + p.RequestUSD
}

// BilledMB is the memory billed for an execution of a VM of memoryMB whose invocations need
// needMB at once: memoryMB, or with BilledMemoryQuantumMB the need rounded up to the quantum (at
// least one), at most memoryMB.
func (p *Platform) BilledMB(memoryMB, needMB int) int {
	q := p.BilledMemoryQuantumMB
	if q == 0 {
		return memoryMB
	}
	return min(memoryMB, max(q, (needMB+q-1)/q*q))
}

// Default returns AWS Lambda + Step Functions Standard + S3 as documented on Platform.
func Default() *Platform {
	return &Platform{
		MBPerVCPU:             1769,
		MaxVCPU:               6,
		MinVisibleCores:       2,
		VisibleCoreStepsMB:    []int{3009, 5308, 7077, 8846},
		ContentionPerCoRunner: 0.03,
		StorageGetLatency:     0.015,
		StoragePutLatency:     0.025,
		ConnectionBps:         80e6,
		VMNetworkBps:          160e6,
		LocalBps:              2e9,
		DirectLatency:         0.005,
		NATTraversal:          0.1,
		InvokeLatency:         0.02,
		PayloadLimitBytes:     6 * 1024 * 1024,
		TransitionLatency:     0.05,
		OrchestrationOverhead: OverheadPerTransition,
		KeepAlive:             600,
		WarmReuse:             ReuseMostRecent,
		KeepAlivePolicy:       KeepAliveFixed,
		HybridRange:           4 * 3600,
		HybridBin:             60,
		HybridHead:            5,
		HybridTail:            99,
		HybridMargin:          0.1,
		HybridCV:              2,
		HybridMinSamples:      10,
		FunctionTimeout:       900,
		ConcurrencyLimit:      1000,
		AtConcurrencyLimit:    LimitQueue,
		Spills:                SpillsInvoke,
		RetryInterval:         1,
		RetryBackoffRate:      2,
		RetryMaxAttempts:      3,
		GBSecondUSD:           0.0000166667,
		RequestUSD:            0.20 / 1e6,
		BillingQuantum:        0.001,
		PutUSD:                0.005 / 1000,
		GetUSD:                0.0004 / 1000,
		TransitionUSD:         0.025 / 1000,
		BillInit:              true,
	}
}

// VCPU returns the CPU share c(m) = min(m / MBPerVCPU, MaxVCPU) of a VM of memoryMB. It is the
// public platform formula, so planners may use it.
func (p *Platform) VCPU(memoryMB int) float64 {
	return math.Min(float64(memoryMB)/p.MBPerVCPU, p.MaxVCPU)
}

// VisibleCores returns n(m), the cores a VM of memoryMB sees (MinVisibleCores, VisibleCoreStepsMB);
// always at least ceil(VCPU(memoryMB)).
func (p *Platform) VisibleCores(memoryMB int) int {
	return CountVisibleCores(memoryMB, p.VCPU(memoryMB), p.MinVisibleCores, p.VisibleCoreStepsMB)
}

// CountVisibleCores is the visible-core rule of Platform.VisibleCores for a VM of memoryMB with a
// CPU share of share vCPUs: minCores plus one per step at or below memoryMB, at least ceil(share).
// The modeler's public platform facts (wisefuse.Platform) use it too.
func CountVisibleCores(memoryMB int, share float64, minCores int, stepsMB []int) int {
	n := minCores
	for _, step := range stepsMB {
		if memoryMB >= step {
			n++
		}
	}
	return max(n, int(math.Ceil(share)))
}

// SizeMB returns the memory a VM gets on p when a plan asks for mb: FixedMemoryMB when set; else
// the smallest of MemorySizesMB at or above mb (the largest when mb is above them all) when set;
// else mb itself.
func (p *Platform) SizeMB(mb int) int {
	if p.FixedMemoryMB > 0 {
		return p.FixedMemoryMB
	}
	if n := len(p.MemorySizesMB); n > 0 {
		for _, s := range p.MemorySizesMB {
			if s >= mb {
				return s
			}
		}
		return p.MemorySizesMB[n-1]
	}
	return mb
}

// Digest returns the SHA-256 (hex) of p's settings as loaded (its JSON, Base included): two
// platforms with one digest simulate alike, whatever their names or files. A replay's outputs
// carry it for `trace merge` to compare, and a simulated profile for `plan` and `model`.
// It fails only for settings no check lets through (NaN or an infinity).
func (p *Platform) Digest() (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("platform: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// MemoryChoices returns the memory sizes a planner may choose among on p, in increasing order:
// the one fixed size, or MemorySizesMB; nil when any size is possible (AWS Lambda). A planner
// that sizes VMs searches only these; on a fixed-size platform it skips sizing.
func (p *Platform) MemoryChoices() []int {
	if p.FixedMemoryMB > 0 {
		return []int{p.FixedMemoryMB}
	}
	return slices.Clone(p.MemorySizesMB)
}

// Read reads a JSON platform file: the built-in platform its "base" field names (Default when
// absent) with the fields the file names replaced. Unknown fields are errors, so a typo cannot
// silently leave a default in place.
func Read(path string) (*Platform, error) {
	data, err := jsonpos.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse is Read on data already read; name prefixes errors, which give the line, column and
// field at fault. A key given twice is an error, and every problem of a valid JSON file is
// reported at once (up to jsonpos.MaxProblems), each with the line of its field when the file sets it.
func Parse(name string, data []byte) (*Platform, error) {
	// The base decides what the other fields override, so it is read first; a file that is not
	// valid JSON gets its positioned error from the strict decode below.
	var head struct {
		Base string `json:"base"`
	}
	_ = json.Unmarshal(data, &head)
	p, ok := builtin(head.Base)
	if !ok {
		line := jsonpos.Positions(data)["base"].Line
		return nil, fmt.Errorf("%s: line %d: platform: base = %q, want one of %s (or no base: %s)", name, line, head.Base, strings.Join(Names(), ", "), AWSLambda)
	}
	if err := jsonpos.Decode(data, p, jsonpos.Options{Strict: true}); err != nil {
		return nil, fmt.Errorf("%s: platform: %w", name, err)
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil, fmt.Errorf("%s: platform: got null, want a JSON object of the fields to override ({} for the defaults)", name)
	}
	if probs := p.problems(); len(probs) > 0 {
		pos := jsonpos.Positions(data)
		return nil, fmt.Errorf("%s: %w", name, joinProblems(probs, func(field string) int { return pos[field].Line }))
	}
	return p, nil
}

// Upper limits of a platform's constants. Each keeps the simulator's times and costs finite and
// exact enough; a file past one is an error that states the limit and its reason
// (docs/reliability.md).
const (
	// MaxSeconds bounds every latency, interval and duration (fields in seconds, "_s"): about 116
	// days, as dag.MaxSeconds, far past Lambda's 15-minute timeout and small enough that
	// simulated times stay below sim.MaxTime (1e12 s).
	MaxSeconds = 1e7
	// MinRetryInterval bounds retry_interval_s from below: 1 ms, as dag.MinRetryInterval (the
	// ASL's IntervalSeconds is a whole number >= 1; at 0 a throttled invocation retried
	// retry_max_attempts times at one instant, and a replay at the limit never ended).
	MinRetryInterval = 1e-3
	// MaxRate bounds bandwidths (bytes per second), sizes in bytes and dimensionless rates and
	// factors: 1 PB/s is far past any network, and a finite bound keeps every transfer time and
	// product of factors finite.
	MaxRate = 1e15
	// MaxPrice bounds each price (USD per GB-second, request, PUT, GET or transition): a dollar
	// per unit is thousands of times any provider's price; a typo of an exponent is caught.
	MaxPrice = 1
	// MaxCount bounds counts (concurrency_limit, min_visible_cores, hybrid_min_samples,
	// retry_max_attempts, mb_per_vcpu, max_vcpu): the engine keeps at most 6.7e7 frames or VMs,
	// so a larger limit could never be reached.
	MaxCount = 1e7
	// MinMemorySizeMB and MaxMemorySizeMB bound fixed_memory_mb and memory_sizes_mb: the
	// smallest and largest VM a plan may ask for (dag.MinMemoryMB and dag.MaxMemoryMB, AWS
	// Lambda's 128 and 10,240 MB). A smaller size made every plan invalid where it runs.
	MinMemorySizeMB = 128
	MaxMemorySizeMB = 10240
	// MaxPartitions bounds partition_count: "A task hub can be configured with between 1 and 16
	// partitions" (Durable Functions performance and scale, "Orchestrator scale-out").
	MaxPartitions = 16
)

// problem is one invalid value: the JSON field it belongs to and what is wrong.
type problem struct {
	field string
	msg   string
}

// joinProblems makes one error of probs, at most jsonpos.MaxProblems of them, each prefixed by
// the line of its field when line knows it (0: not in the file).
func joinProblems(probs []problem, line func(field string) int) error {
	parts := make([]string, len(probs))
	for i, pr := range probs {
		parts[i] = pr.msg
		if n := line(pr.field); n > 0 {
			parts[i] = fmt.Sprintf("line %d: %s", n, pr.msg)
		}
	}
	return fmt.Errorf("platform: %s", jsonpos.JoinProblems(parts))
}

// Validate checks that every constant is finite and in range, naming each JSON field at fault and,
// for a value above its limit, the limit and its reason. It reports every problem at once (up to
// 20).
func (p *Platform) Validate() error {
	if probs := p.problems(); len(probs) > 0 {
		return joinProblems(probs, func(string) int { return 0 })
	}
	return nil
}

// limitOf returns the upper limit of the numeric field name and the reason for it.
func limitOf(name string) (float64, string) {
	switch {
	case strings.HasSuffix(name, "_per_s"):
		return MaxRate, "bytes per second: 1 PB/s is past any network"
	case strings.HasSuffix(name, "_s"):
		return MaxSeconds, "seconds: 116 days"
	case strings.HasSuffix(name, "_usd"):
		return MaxPrice, "USD per unit: thousands of times any provider's price"
	}
	switch name {
	case "concurrency_limit", "min_visible_cores", "hybrid_min_samples", "retry_max_attempts", "mb_per_vcpu", "max_vcpu", "http_instance_concurrency":
		return MaxCount, "the engine holds at most 6.7e7 frames or VMs"
	}
	return MaxRate, "bytes or a factor: a finite bound keeps transfer times and products finite"
}

// minBps is the least bandwidth a platform may give (bytes a second).
const minBps = 1

// problems lists every invalid constant of p.
func (p *Platform) problems() []problem {
	var probs []problem
	add := func(field, format string, a ...any) {
		probs = append(probs, problem{field, fmt.Sprintf(format, a...)})
	}
	v := reflect.ValueOf(p).Elem()
	t := v.Type()
	// Fields that must be > 0 (a zero would divide by zero or stop time); the rest must be >= 0.
	positive := map[string]bool{"mb_per_vcpu": true, "max_vcpu": true, "connection_bytes_per_s": true,
		"vm_network_bytes_per_s": true, "local_bytes_per_s": true, "concurrency_limit": true, "billing_quantum_s": true}
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("json")
		var x float64
		switch f := v.Field(i); f.Kind() {
		case reflect.Float64:
			x = f.Float()
		case reflect.Int:
			x = float64(f.Int())
		default:
			continue
		}
		limit, why := limitOf(name)
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0) || x < 0 || (positive[name] && x == 0):
			want := ">= 0"
			if positive[name] {
				want = "> 0"
			}
			add(name, "%s = %v, want a finite number %s", name, x, want)
		case x > limit:
			add(name, "%s = %v, above the limit %g (%s)", name, x, limit, why)
		case strings.HasSuffix(name, "_bytes_per_s") && x > 0 && x < minBps:
			// 1e-300 passed as > 0, then a transfer's end overflowed the simulator's clock.
			add(name, "%s = %v, want >= %g byte a second (no network is slower, and a transfer's end then overflowed the simulator's clock)", name, x, float64(minBps))
		}
	}
	p.policyProblems(add)
	for i, mb := range p.MemorySizesMB {
		if mb < MinMemorySizeMB || mb > MaxMemorySizeMB || (i > 0 && mb <= p.MemorySizesMB[i-1]) {
			add("memory_sizes_mb", "memory_sizes_mb[%d] = %d, want increasing memory sizes from %d to %d MB", i, mb, MinMemorySizeMB, MaxMemorySizeMB)
			break
		}
	}
	if p.FixedMemoryMB > 0 && len(p.MemorySizesMB) > 0 {
		add("memory_sizes_mb", "fixed_memory_mb = %d with memory_sizes_mb %v, want at most one of them (a fixed size, or the sizes to choose from)", p.FixedMemoryMB, p.MemorySizesMB)
	}
	if p.FixedMemoryMB != 0 && (p.FixedMemoryMB < MinMemorySizeMB || p.FixedMemoryMB > MaxMemorySizeMB) {
		add("fixed_memory_mb", "fixed_memory_mb = %d, want 0 (none) or from %d to %d MB", p.FixedMemoryMB, MinMemorySizeMB, MaxMemorySizeMB)
	}
	if _, ok := builtin(p.Base); !ok {
		add("base", "base = %q, want one of %s", p.Base, strings.Join(Names(), ", "))
	}
	for i, step := range p.VisibleCoreStepsMB {
		if step <= 0 || (i > 0 && step <= p.VisibleCoreStepsMB[i-1]) {
			add("visible_core_steps_mb", "visible_core_steps_mb[%d] = %d, want increasing memory sizes > 0 MB", i, step)
			break
		}
	}
	return probs
}

// What a VM acquisition does at the concurrency limit (Platform.AtConcurrencyLimit).
const (
	LimitQueue  = "queue"
	LimitReject = "reject"
	LimitRetry  = "retry"
)

// Which idle VM serves an invocation (Platform.WarmReuse).
const (
	ReuseMostRecent = "most-recent"
	ReuseNewest     = "newest"
	ReuseOldest     = "oldest"
	ReuseRandom     = "random"
)

// How the orchestrator's overhead is attributed (Platform.OrchestrationOverhead).
const (
	OverheadPerTransition = "per-transition"
	OverheadPerExecution  = "per-execution"
)

// Keep-alive policies (Platform.KeepAlivePolicy).
const (
	KeepAliveFixed  = "fixed"
	KeepAliveHybrid = "hybrid"
)

// policyProblems checks the named policies and the fields whose range depends on them.
func (p *Platform) policyProblems(add func(field, format string, a ...any)) {
	switch p.AtConcurrencyLimit {
	case LimitQueue, LimitReject, LimitRetry:
	default:
		add("at_concurrency_limit", "at_concurrency_limit = %q, want %s, %s or %s", p.AtConcurrencyLimit, LimitQueue, LimitReject, LimitRetry)
	}
	switch p.WarmReuse {
	case ReuseMostRecent, ReuseNewest, ReuseOldest, ReuseRandom:
	default:
		add("warm_reuse", "warm_reuse = %q, want %s, %s, %s or %s", p.WarmReuse, ReuseMostRecent, ReuseNewest, ReuseOldest, ReuseRandom)
	}
	switch p.KeepAlivePolicy {
	case KeepAliveFixed, KeepAliveHybrid:
	default:
		add("keep_alive_policy", "keep_alive_policy = %q, want %s or %s", p.KeepAlivePolicy, KeepAliveFixed, KeepAliveHybrid)
	}
	switch p.OrchestrationOverhead {
	case OverheadPerTransition:
		if p.ExecutionOverhead != 0 {
			add("execution_overhead_s", "execution_overhead_s = %v with orchestration_overhead = %q, want 0 or orchestration_overhead %q",
				p.ExecutionOverhead, OverheadPerTransition, OverheadPerExecution)
		}
	case OverheadPerExecution:
	default:
		add("orchestration_overhead", "orchestration_overhead = %q, want %s or %s", p.OrchestrationOverhead, OverheadPerTransition, OverheadPerExecution)
	}
	switch {
	case !(p.HybridBin > 0):
		add("hybrid_bin_s", "hybrid_bin_s = %v, want > 0", p.HybridBin)
	case p.HybridRange < p.HybridBin:
		add("hybrid_range_s", "hybrid_range_s = %v is below hybrid_bin_s = %v, want a range of at least one bin", p.HybridRange, p.HybridBin)
	case p.HybridRange/p.HybridBin > 1e6:
		add("hybrid_range_s", "hybrid_range_s = %v over hybrid_bin_s = %v makes %.3g bins, want at most 1e6", p.HybridRange, p.HybridBin, p.HybridRange/p.HybridBin)
	}
	if !(p.HybridHead < p.HybridTail) || p.HybridTail > 100 {
		add("hybrid_head_percentile", "hybrid_head_percentile = %v, hybrid_tail_percentile = %v, want 0 <= head < tail <= 100", p.HybridHead, p.HybridTail)
	}
	if p.HybridMargin >= 1 {
		add("hybrid_margin", "hybrid_margin = %v, want a fraction below 1", p.HybridMargin)
	}
	if !p.OrchestratorReplay && (p.ReplayLatency != 0 || p.ReplayPerStep != 0 || p.ReplayBytesPerS != 0 || p.ReplayBilledMB != 0) {
		add("orchestrator_replay", "replay_latency_s, replay_per_step_s, replay_bytes_per_s and replay_billed_mb = %v, %v, %v, %v without orchestrator_replay, want 0 or orchestrator_replay true",
			p.ReplayLatency, p.ReplayPerStep, p.ReplayBytesPerS, p.ReplayBilledMB)
	}
	if p.QueuePollingMax > 0 && (!p.OrchestratorReplay || !(p.QueuePollingMin > 0) || p.QueuePollingMin > p.QueuePollingMax) {
		add("queue_polling_max_s", "queue_polling_min_s = %v, queue_polling_max_s = %v, orchestrator_replay %v: want 0 < min <= max with orchestrator_replay, or max 0 (no polling delay)",
			p.QueuePollingMin, p.QueuePollingMax, p.OrchestratorReplay)
	}
	if p.InstanceActivities < 0 || p.MaxInstances < 0 || (p.InstanceActivities > 0 && p.MaxInstances < 1) {
		add("instance_activities", "instance_activities = %d, max_instances = %d: want instance_activities 0 (off), or > 0 with max_instances >= 1",
			p.InstanceActivities, p.MaxInstances)
	}
	switch {
	case p.InstanceActivities == 0 && (p.ScaleTrigger != "" || p.MaxInstances != 0 || p.InstanceOrchestrators != 0 || p.PartitionCount != 0):
		add("scale_trigger", "scale_trigger = %q, max_instances = %d, instance_orchestrators = %d, partition_count = %d without instance_activities, want \"\", 0, 0, 0 or instance_activities > 0",
			p.ScaleTrigger, p.MaxInstances, p.InstanceOrchestrators, p.PartitionCount)
	case p.InstanceActivities > 0 && p.ScaleTrigger != TriggerHTTP && p.ScaleTrigger != TriggerNonHTTP:
		add("scale_trigger", "scale_trigger = %q, want %s or %s (the trigger the scale controller scales instances for)", p.ScaleTrigger, TriggerHTTP, TriggerNonHTTP)
	}
	if p.InstanceOrchestrators > 0 && (!p.OrchestratorReplay || p.PartitionCount < 1 || p.PartitionCount > MaxPartitions) {
		add("partition_count", "instance_orchestrators = %d, partition_count = %d, orchestrator_replay %v: want partition_count 1..%d with orchestrator_replay, or instance_orchestrators 0",
			p.InstanceOrchestrators, p.PartitionCount, p.OrchestratorReplay, MaxPartitions)
	}
	if p.InstanceOrchestrators == 0 && p.PartitionCount != 0 {
		add("partition_count", "partition_count = %d without instance_orchestrators, want 0 or instance_orchestrators > 0", p.PartitionCount)
	}
	switch {
	case p.Spills != SpillsInvoke && p.Spills != SpillsHTTP && p.Spills != SpillsRefused:
		add("spills", "spills = %q, want %s, %s or %s (how a VM runs a Map's items beyond its bundle)", p.Spills, SpillsInvoke, SpillsHTTP, SpillsRefused)
	case p.Spills == SpillsInvoke && p.OrchestratorReplay:
		add("spills", "spills = %q with orchestrator_replay, want %s or %s: an activity cannot start activities on Durable Functions (\"Activity functions can only be triggered from an orchestration instance\")", p.Spills, SpillsHTTP, SpillsRefused)
	case p.Spills == SpillsHTTP && p.InstanceActivities > 0 && p.HTTPInstanceConcurrency < 1:
		add("http_instance_concurrency", "http_instance_concurrency = %d with spills %q and instance_activities %d, want >= 1 (the HTTP executions one instance runs at once)", p.HTTPInstanceConcurrency, p.Spills, p.InstanceActivities)
	}
	if p.BilledMemoryQuantumMB > MaxMemorySizeMB {
		add("billed_memory_quantum_mb", "billed_memory_quantum_mb = %d, want at most %d MB", p.BilledMemoryQuantumMB, MaxMemorySizeMB)
	}
	if p.RetryInterval >= 0 && p.RetryInterval < MinRetryInterval { // a negative one is reported above
		add("retry_interval_s", "retry_interval_s = %v, want at least %g s (MinRetryInterval: shorter waits retry a throttled invocation up to retry_max_attempts times in an instant)", p.RetryInterval, MinRetryInterval)
	} else if p.RetryBackoffRate < 1 {
		add("retry_backoff_rate", "retry_backoff_rate = %v, want >= 1 (as the ASL's BackoffRate)", p.RetryBackoffRate)
	} else if last := p.RetryInterval * math.Pow(p.RetryBackoffRate, float64(p.RetryMaxAttempts-1)); p.RetryMaxAttempts > 1 && !(last <= MaxSeconds) {
		add("retry_max_attempts", "retry_interval_s = %v x retry_backoff_rate = %v ^ (retry_max_attempts = %d - 1) makes a last wait of %.3g s, above the limit %g (seconds: 116 days)",
			p.RetryInterval, p.RetryBackoffRate, p.RetryMaxAttempts, last, float64(MaxSeconds))
	}
}

// DirectSetup is the time before a direct pull's first byte: the connection's set-up, and NAT
// traversal where the platform needs it.
func (p *Platform) DirectSetup() float64 { return p.DirectLatency + p.NATTraversal }

// Published returns a copy of p with only what a provider documents: the vCPU formula, visible
// cores, prices and limits. The facts an operator would have to measure on the platform (the
// contention between co-running invocations and the network and in-memory bandwidths, which AWS
// publishes no figure for) are zero, which the WiseFuse modeler reads as unknown: it then keeps
// the profiled transfer times as they are. It is what the modeler knows of a platform it only has
// billing logs from (`wisefuse model --profiles`).
func (p *Platform) Published() *Platform {
	q := *p
	q.VisibleCoreStepsMB = append([]int(nil), p.VisibleCoreStepsMB...)
	q.MemorySizesMB = slices.Clone(p.MemorySizesMB)
	q.ContentionPerCoRunner, q.ConnectionBps, q.VMNetworkBps, q.LocalBps = 0, 0, 0, 0
	return &q
}

// The built-in platforms: AWSLambda is Default, AzureDurable is AzureDurableFunctions, AzureFlex
// is AzureFlexConsumption.
const (
	AWSLambda    = "aws-lambda"
	AzureDurable = "azure-durable"
	AzureFlex    = "azure-flex"
)

// Names lists the built-in platforms Load accepts by name.
func Names() []string { return []string{AWSLambda, AzureDurable, AzureFlex} }

// builtin returns a fresh copy of the built-in platform called name ("" is AWSLambda).
func builtin(name string) (*Platform, bool) {
	switch name {
	case "", AWSLambda:
		return Default(), true
	case AzureDurable:
		return AzureDurableFunctions(), true
	case AzureFlex:
		return AzureFlexConsumption(), true
	}
	return nil, false
}

// Load resolves a --platform value: the name of a built-in platform (Names), or a JSON file of
// overrides read by Read (its "base" field names the built-in it overrides).
func Load(nameOrFile string) (*Platform, error) {
	if nameOrFile != "" {
		if p, ok := builtin(nameOrFile); ok {
			return p, nil
		}
	}
	if _, err := os.Stat(nameOrFile); err != nil {
		return nil, fmt.Errorf("platform %q is neither a built-in (%s) nor a readable file: %v",
			nameOrFile, strings.Join(Names(), ", "), err)
	}
	return Read(nameOrFile)
}
