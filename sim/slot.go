package sim

// This file holds an invocation slot, one function invocation inside a VM: its phases, the
// resource each phase consumes, and placing a phase's work on its resource.

type resource uint8

const (
	resTimer resource = iota // progresses at 1 s/s
	resCPU                   // core-seconds at the slot's processor share
	resNet                   // bytes at the slot's network share
	// resPull is a pull whose rate is its sender's share, tracked by the sender (handle.go,
	// pullState): rate 0 and rem its finish on the sender's virtual clock, so the VM's own passes
	// leave it alone; it still counts as one of the VM's transfers.
	resPull
)

// resBit is 1<<r, without the check a variable shift needs.
var resBit = [4]uint8{1 << resTimer, 1 << resCPU, 1 << resNet, 1 << resPull}

// Phases of an invocation slot.
const (
	phInLat int8 = iota
	phIn
	phSerial
	phParallel
	phOutLat
	phOut
	phDone
	phInit // a VM's cold-start initialisation, not an invocation
)

// slot is one invocation in a VM. What a VM's per-event passes read (remaining work, rate, demand,
// resource) comes first, so they read one cache line per slot.
type slot struct {
	rem     float64
	rate    float64
	demand  float64 // resCPU: cores this phase can use
	oversub float64 // resCPU: oversubscription exponent of this phase (0: none)
	res     resource
	phase   int8
	inRes   resource
	outRes  resource
	sender  int32 // phIn: the one VM pulled from (direct, payload), else -1
	nsend   int32 // phIn: connections (senders) of the transfer
	frame   int32
	vm      int32
	pnext   int32 // in its sender's pullers list
	pprev   int32 // in its sender's pullers list; for a resPull slot, its index in pullState.heap
	amt     [phDone]float64
	out     float64
	start   float64 // record start (the VM's acquisition when this invocation paid its cold start)
	t0      float64 // when the invocation began its input
	tIn     float64
	tComp   float64
	init    float64
	usd     float64 // storage requests
	in      float64 // bytes read, for the records
	cold    bool
	live    bool
	stopped bool // ended at its VM's function timeout
}

func (e *engine) newSlot() int32 {
	return alloc(&e.slots, &e.freeSlots, slot{})
}

// place starts slot si's phase on resource r with rem of work; demand and oversub matter for
// resCPU. It does not branch on the resource, which is a coin toss for the predictor.
func (e *engine) place(si int32, r resource, rem, demand, oversub float64) {
	s := &e.slots[si]
	e.vms[s.vm].changed |= resBit[s.res] | resBit[r]
	s.rem, s.rate, s.res = rem, 1, r
	s.demand, s.oversub = demand, oversub
}
