package records

// Invocation is one function invocation (one row of the function-invocation table). Times are in
// seconds from the start of the simulation.
type Invocation struct {
	Run      int    // DAG invocation (run) index
	Step     string // step name
	Function string // function name
	Item     int    // item index within its Map (0 outside a Map); nested maps number items per map
	// Outer is, for a step inside a Map nested in another Map's iterator, the items of the Maps
	// around its own Map that the step's item belongs to (0 otherwise), so that the items of a
	// nested Map can be told apart: the outer Map's item, plus OuterRadix times the item of the
	// Map around that one, and so on outwards (digits in base OuterRadix, innermost first). Maps
	// nested two deep give the outer item itself. Record tables do not store it.
	Outer    int
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
	// time), so End is the timeout and its phases were cut short there. Not written to tables.
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
}

// OuterRadix is the base of Invocation.Outer's digits: above any item index (dag.MaxItems is
// 1,000,000 < 2^20), so each enclosing Map's item is one digit. An int64 holds three digits,
// enough for Maps nested four deep.
const OuterRadix = 1 << 20
