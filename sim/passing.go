package sim

// This file holds where data goes between steps: the source of a frame's input (remote storage,
// memory of the same VM, a direct pull, a payload) and the sink of an invocation's output, which
// sets the invocation's input and output phases.

type srcKind uint8

const (
	srcRemote  srcKind = iota // GET from remote storage
	srcLocal                  // in memory, from the previous step in the same VM
	srcDirect                 // pull from the sender VMs held by handle h
	srcPayload                // in the invocation payload from the host VM (a spill); remote if too large
)

// src is where a frame's input comes from. A frame holding a handle owns one reference to it.
type src struct {
	kind srcKind
	h    int32
}

var noSrc = src{srcRemote, -1}

type sinkKind uint8

const (
	sinkRemote  sinkKind = iota // PUT to remote storage
	sinkLocal                   // in memory to the next step in the same VM
	sinkHeld                    // kept in the VM for direct pulls
	sinkPayload                 // returned in the response payload (a spilled item); remote if too large
)

// planOutput decides where the invocation's output goes: to the next step in the same VM, held
// for a direct consumer, back to a spill's host, or to remote storage.
func (e *engine) planOutput(si int32) {
	s := &e.slots[si]
	p := e.plat
	s.sender, s.nsend = -1, 1
	out := s.out
	if out <= 0 {
		return
	}
	sink := e.sinkOf(s.frame)
	switch sink {
	case sinkLocal:
		s.amt[phOut], s.outRes = out/p.LocalBps, resTimer
	case sinkHeld:
	case sinkPayload:
		if out <= p.PayloadLimitBytes {
			s.amt[phOut], s.outRes = out, resNet
			return
		}
		fallthrough
	case sinkRemote:
		fn := &e.c.fns[e.c.nodes[e.frames[s.frame].node].fn]
		s.amt[phOutLat], s.amt[phOut], s.outRes = (p.StoragePutLatency+fn.extraLat)*fn.outReq, out, resNet
		s.usd += p.PutUSD * fn.outReq
		if e.replay && sink == sinkRemote {
			e.record(e.frames[s.frame].run, out) // the activity's output, in the history
		}
		if o := p.OffloadBytes; o > 0 && out > o {
			// Too large for a queue message: the output is written to a blob as well.
			s.amt[phOutLat] += p.BlobPutLatency
			s.usd += p.BlobPutUSD
		}
	}
}

// sinkOf walks up from a task frame to find its output's consumer: a later step of a sequence in
// the same VM (local), or, at the VM's root frame, what the root's consumer wants.
func (e *engine) sinkOf(fi int32) sinkKind {
	for {
		f := &e.frames[fi]
		if f.root {
			switch {
			case f.kind == fSpill:
				return sinkPayload
			case f.kind == fBundle && int(f.idx)+1 < len(e.c.info[f.node].phases):
				return sinkRemote // to the iterator's next step, in the next runtime
			case e.c.nodes[f.node].consumerDirect:
				return sinkHeld
			}
			return sinkRemote
		}
		if f.parent < 0 {
			return sinkRemote
		}
		p := &e.frames[f.parent]
		if p.kind == nSeq && p.idx+1 < e.c.nodes[p.node].nkids {
			return sinkLocal
		}
		fi = f.parent
	}
}
