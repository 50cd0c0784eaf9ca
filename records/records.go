package records

// Invocation is one function invocation (one row of the function-invocation table). Times are in
// seconds from the start of the simulation.
type Invocation struct {
	Run      int    // DAG invocation (run) index
	Step     string // step name
	Function string // function name
	Item     int    // item index within its Map (0 outside a Map); nested maps number items per map
	// Outer is, for a step inside a Map nested in another Map's iterator, the items of the Maps
	// around its own Map that the step's item belongs to, outermost first, in decimal separated
	// by OuterSep ("" otherwise), so that the items of a nested Map can be told apart at any
	// depth: "3" for item 3 of the Map around its own, "1/3" when that Map runs in item 1 of a
	// third. Record tables store it in their optional outer column.
	Outer    string
	Bundle   int     // bundle index within its Map (0 outside a Map)
	VM       int     // VM instance id, unique within a simulation
	MemoryMB int     // VM size
	Cold     bool    // this invocation paid a cold start (init of its VM)
	Start    float64 // invocation start (VM assigned), including any cold start that follows
	Init     float64 // seconds of cold-start initialisation paid by this invocation
	Download float64 // seconds spent reading input
	Compute  float64 // seconds spent computing
	Upload   float64 // seconds spent writing output
	InBytes  float64 // bytes read (from storage, another VM or this VM's memory)
	OutBytes float64 // bytes written
	End      float64 // invocation end
	Cost     float64 // USD attributed to this invocation (its share of the VM's billed duration and requests)
	// TimedOut: the platform stopped it at the function timeout (its VM invocation ran out of
	// time), so End is the timeout and its phases were cut short there.
	TimedOut bool
}

// DAGRun is one DAG invocation (one row of the DAG-invocation table).
type DAGRun struct {
	Run         int
	Arrival     float64 // seconds
	End         float64 // seconds
	Latency     float64 // End - Arrival, seconds
	Cost        float64 // USD: compute, requests, storage requests and transitions of this run
	Invocations int     // function invocations in the run
	ColdStarts  int     // invocations that paid a cold start
	Transitions int     // orchestrator state transitions of the run
	// TimedOut and Rejected: the run failed, so its later steps never ran and Latency is its
	// time to failure: one of its VM invocations was stopped at the function timeout, or one of
	// its VM acquisitions failed at the concurrency limit (a throttle without retries left).
	TimedOut, Rejected bool
}

// OuterSep separates the items in Invocation.Outer.
const OuterSep = '/'
