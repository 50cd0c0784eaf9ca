package sim

// This file holds a Map step's fan-out: it draws the item count, bounds the state the items may
// take, and starts the items one frame each, in bundles of VMs of their own (orchestrated map) or
// in the host VM with the rest spilled (map inside a fusion group). An orchestrated map with a
// MaxConcurrency below its iterations starts that many and each further one, in item order, as a
// running one ends (startMapUnit, from childDone).

import (
	"fmt"
	"unsafe"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/records"
)

// maxMapStateBytes bounds the simulator state one Map's items may take in one DAG invocation:
// a Map of 5e7 items needed more than 24 GB, so beyond this the simulation stops with an error
// instead of exhausting the machine's memory.
const maxMapStateBytes = 8 << 30

// itemStateBytes is what one live Map item costs the simulator: its frame, VM and invocation
// slot, an event, and its record when records are kept, doubled for slice growth.
func (e *engine) itemStateBytes() int64 {
	b := int64(unsafe.Sizeof(frame{}) + unsafe.Sizeof(vm{}) + unsafe.Sizeof(slot{}) + unsafe.Sizeof(uint64(0))*2)
	if e.keep {
		b += int64(unsafe.Sizeof(records.Invocation{}))
	}
	return 2 * b
}

func (e *engine) beginMap(fi int32) {
	f := &e.frames[fi]
	nd := &e.c.nodes[f.node]
	run, vmi, it := f.run, f.vm, e.c.kids[nd.kid]
	x := e.c.info[f.node].items.sample(e.runs[run].rng, e.c.quant)
	if !(x < maxEvtID) { // beyond the frame ids, and int32 would wrap
		if e.err == nil {
			e.err = fmt.Errorf("sim: map step %q drew %.4g items for one DAG invocation; the simulator holds at most %d live frames",
				e.c.info[f.node].step, x, maxEvtID)
		}
		return
	}
	n := int32(dag.ItemCount(x))
	if need := int64(n) * e.itemStateBytes(); need > maxMapStateBytes {
		if e.err == nil {
			e.err = fmt.Errorf("sim: map step %q drew %d items for one DAG invocation: about %.1f GB of simulator state at %d bytes an item, over the %d GB limit; simulate a narrower map",
				e.c.info[f.node].step, n, float64(need)/(1<<30), e.itemStateBytes(), maxMapStateBytes>>30)
		}
		return
	}
	b := int32(max(nd.bundle, 1))
	if vmi < 0 {
		if units := (n + b - 1) / b; nd.maxConc > 0 && nd.maxConc < units {
			// Over the limit: start maxConc iterations; the rest wait for running ones to end.
			// first and count, unused by a map's own frame, hold the next item and the count.
			f.pending, f.first, f.count = units, 0, n
			for k := int32(0); k < nd.maxConc; k++ {
				e.startMapUnit(fi)
			}
			return
		}
	}
	if vmi < 0 && b == 1 {
		f.pending = n
		for i := int32(0); i < n; i++ {
			if nd.distributed {
				e.transition(run) // a child execution starts
			}
			e.start(it, fi, run, -1, e.share(e.frames[fi].src), i, i)
		}
		e.dropSrc(fi)
		return
	}
	host := int32(0) // items that stay in the host VM (map inside a fusion group)
	if vmi >= 0 {
		host = min(b, n)
	}
	spills := (n - host + b - 1) / b
	f.pending = host + spills
	for i := int32(0); i < host; i++ {
		e.start(it, fi, run, vmi, e.share(e.frames[fi].src), i, 0)
	}
	var s src
	if vmi >= 0 && e.frames[fi].src.kind == srcLocal {
		// Spilled items get their input in the invocation payload from the host.
		s = src{srcPayload, e.newHandle(vmi)}
	} else {
		s = e.share(e.frames[fi].src)
	}
	for k := int32(0); k < spills; k++ {
		first := host + k*b
		bf := e.newFrame()
		kind, q, delay := fBundle, qTransition, e.plat.TransitionLatency
		if vmi >= 0 {
			kind, q, delay = fSpill, qInvoke, e.plat.InvokeLatency
		} else {
			e.transition(run)
			if nd.distributed {
				e.transition(run) // a child execution starts
			}
		}
		e.frames[bf] = frame{node: e.frames[fi].node, kind: kind, run: run, parent: fi, vm: -1,
			item: first, bundle: first / b, first: first, count: min(b, n-first), src: e.share(s), out: -1}
		if vmi < 0 && e.replay && !e.runs[run].failed {
			// Durable Functions schedules a bundle as one activity: its work item waits for the
			// orchestrator as an unbundled item's does (enterState).
			e.schedule(e.now+delay+e.orchestrate(run), evBegin, bf)
			continue
		}
		e.scheduleIn(q, e.now+delay, evBegin, bf)
	}
	if s.h >= 0 {
		e.unref(s.h)
	}
	e.dropSrc(fi)
}

// startMapUnit starts the next iteration of orchestrated map frame fi that holds back items for
// its MaxConcurrency: item f.first, or the bundle that begins there, of f.count items. The last
// one started lets go of the map's input.
func (e *engine) startMapUnit(fi int32) {
	f := &e.frames[fi]
	nd := &e.c.nodes[f.node]
	run, first, n, b := f.run, f.first, f.count, int32(max(nd.bundle, 1))
	f.first += b
	if nd.distributed {
		e.transition(run) // a child execution starts
	}
	if b == 1 {
		e.start(e.c.kids[nd.kid], fi, run, -1, e.share(e.frames[fi].src), first, first)
	} else {
		bf := e.newFrame()
		e.frames[bf] = frame{node: e.frames[fi].node, kind: fBundle, run: run, parent: fi, vm: -1,
			item: first, bundle: first / b, first: first, count: min(b, n-first), src: e.share(e.frames[fi].src), out: -1}
		e.enterState(bf)
	}
	if e.frames[fi].first >= n {
		e.dropSrc(fi)
	}
}
