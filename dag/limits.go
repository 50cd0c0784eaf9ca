package dag

// The largest values a workflow or a plan may hold. Each keeps the simulator and the planners in
// the range where their arithmetic is exact enough and their memory bounded; a value past one is
// an error that states the limit, never a wrap, a hang or a +Inf in an output. docs/reliability.md
// lists them with the rest of the program's limits.
const (
	// MaxWork bounds serial_work_s and parallel_work_s, in core-seconds: about 31.7 years on one
	// core, far past any function's 15-minute timeout, and small enough that every simulated
	// time stays below sim.MaxTime (1e12 s) at the smallest vCPU share.
	MaxWork = 1e9
	// MaxBytes bounds input_bytes and output_bytes: 10 TB, far past Lambda's 10 GB ephemeral
	// storage, and small enough that a transfer's time stays finite at any bandwidth.
	MaxBytes = 1e13
	// MaxSeconds bounds init_s and extra_request_latency_s: about 116 days.
	MaxSeconds = 1e7
	// MaxFactor bounds the item_skew and run_factor multipliers: the trace generator's skews
	// reach 10^6 (its slowest item a million times its fastest), so the limit leaves room above.
	MaxFactor = 1e9
	// MaxSigma bounds a lognormal's sigma (the spread of ln X): at 10 a draw of 4 sigma is e^40
	// (2e17) times the median, past any quantity the model describes.
	MaxSigma = 10
	// MaxItems bounds a Map's item count (each parameter of its items distribution), the product
	// of the (expected) counts of nested Maps, their sum over a Parallel's branches (mapItemsAtOnce),
	// a Map's max_concurrency and max_items_per_batch,
	// and a plan's bundle: the simulator holds each live item as a frame with an int32 index, and
	// 10^7 items of one invocation took 43 s and 3.7 GB to simulate here (10 GB when profiling
	// keeps every invocation), so 10^6 stays under a gigabyte.
	MaxItems = 1_000_000
	// MaxThreads bounds a function's threads: far past Lambda's 6 vCPUs.
	MaxThreads = 100_000
	// MaxRequests bounds input_requests and output_requests.
	MaxRequests = 1_000_000
	// MaxOversubscription bounds the oversubscription exponent.
	MaxOversubscription = 10
)
