package baselines

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// Sonic chooses, per edge of the workflow, how data passes from one step to the next.
//
// Paper: A. Mahgoub, K. Shankar, S. Mitra, A. Klimovic, S. Chaterji, S. Bagchi, "SONIC:
// Application-aware Data Passing for Chained Serverless Applications", USENIX ATC 2021. Three
// methods: VM-Storage (the receiver runs in the sender's VM and reads the sender's local disk; the
// VM must hold all receivers, which caps parallelism), Direct-Passing (the output stays in the
// sender VM's local storage and receivers on other VMs fetch it over the network, shared by the
// sender's fan-out; the sending function has returned, so only its own run is billed) and
// Remote-Storage (the sender PUTs to S3, receivers GET in parallel).
// Sonic predicts each option's latency and cost with an analytic model fed by profiling and picks
// the combination over the whole DAG with a dynamic program (Viterbi-style) over its stages.
//
// Modelled:
//   - Every edge between consecutive steps of a sequence (top level, a Map's iterator or a Parallel
//     branch) gets one method. VM-Storage becomes a fusion group in the plan (all receivers of a
//     Map in the sender's VM: Bundle = item count), Direct-Passing becomes Plan.Passing "direct",
//     Remote-Storage is the default.
//   - Memory is the user's (MemoryMB per function, not tuned). A VM that hosts co-located
//     functions through VM-Storage is as large as the user memory of everything that runs in it at
//     once (so each keeps its vCPU share); VM-Storage is infeasible when that exceeds 10,240 MB or
//     when a Map's item count is random.
//   - Each function's mean compute time at the user's memory comes from simulated profiling runs
//     (what a platform logs), not from the workflow's hidden work parameters. Data sizes are the
//     workflow's declared mean input and output bytes, which Sonic learns in its profiling.
//   - The model: remote transfer = request latency + bytes / per-connection bandwidth, capped by
//     the VM's NIC when several transfers share a VM; direct transfer = connection latency + bytes
//     over the sender's NIC shared by its fan-out (or the receiver's NIC for a fan-in), after the
//     connection's set-up and, on Lambda, NAT traversal (platform.Platform.DirectSetup); local
//     transfer at memory bandwidth; one orchestrator transition per edge that leaves a VM; cost =
//     GB-seconds (for a transfer, the receiver's: a Direct-Passing sender is not billed while its
//     output waits) + requests + storage requests + transitions.
//   - Variant (SonicStorage): Direct-Passing is not offered, only VM-Storage and Remote-Storage,
//     for a platform where functions cannot connect to each other.
//   - The dynamic program: a segment is a maximal run of stages joined by VM-Storage; its latency
//     and cost depend only on its first and last stage and on the methods of the edges into and
//     out of it. The program walks the stages and keeps, for each method of the last edge, the
//     best (latency) or the Pareto set of (latency, cost) (performance per dollar, 1 / (latency x
//     cost)). Nested sequences (Map iterators, Parallel branches) are solved first, per item.
//
// Simplified: the model uses means (no skew, no stragglers, no cold starts), as Sonic's does;
// Sonic's input-size regression is replaced by the known mean sizes; in perf-per-dollar mode a
// nested sequence is optimised on its own, before the enclosing one.
type Sonic struct {
	Goal     SonicGoal
	Variant  SonicVariant // "" means SonicDirect
	MemoryMB int          // the user's memory per function; 0 means DefaultUserMemoryMB
	// Platform gives the public numbers Sonic's analytic model uses: request latencies,
	// bandwidths, the vCPU formula and prices, the same a user could look up.
	Platform *platform.Platform
	// Profile returns each function's mean compute seconds when the workflow runs under plan p
	// (every function at the user's memory). Package policy sets it to
	// profiling in the simulator.
	Profile func(w *dag.Workflow, p *dag.Plan) (map[string]float64, error)
}

// SonicGoal is what Sonic optimises.
type SonicGoal string

// Sonic's two objectives (its paper optimises either).
const (
	SonicLatency       SonicGoal = "latency"
	SonicPerfPerDollar SonicGoal = "perf-per-dollar"
)

// SonicVariant says which data-passing methods Sonic may choose.
type SonicVariant string

// Sonic's variants: its design (all three methods; on Lambda, Direct-Passing needs NAT
// traversal, platform.Platform.NATTraversal) and one that passes through storage only, for a
// platform where functions cannot connect to each other.
const (
	SonicDirect  SonicVariant = "direct"
	SonicStorage SonicVariant = "storage"
)

// SonicMethod is a data-passing method.
type SonicMethod int

// The three data-passing methods of Sonic.
const (
	RemoteStorage SonicMethod = iota
	DirectPassing
	VMStorage
)

var sonicMethodNames = [...]string{"remote-storage", "direct-passing", "vm-storage"}

func (m SonicMethod) String() string { return sonicMethodNames[m] }

// SonicEdge is one decision: how To receives its input from From.
type SonicEdge struct {
	From, To string
	Method   SonicMethod
}

// SonicDecision is Sonic's choice for a workflow and what its model predicts for it.
type SonicDecision struct {
	Edges            []SonicEdge // in workflow order, nested sequences after their enclosing edge
	PredictedLatency float64     // seconds, mean
	PredictedCost    float64     // USD per run, mean
}

// Method returns the method chosen for the edge into step to, and false if there is none.
func (d *SonicDecision) Method(to string) (SonicMethod, bool) {
	for _, e := range d.Edges {
		if e.To == to {
			return e.Method, true
		}
	}
	return 0, false
}

// Plan implements dag.Planner. The objective is ignored: Sonic optimises its own goal.
func (s *Sonic) Plan(w *dag.Workflow, _ dag.Objective) (*dag.Plan, error) {
	_, p, err := s.Decide(w)
	return p, err
}

// UserPlan is the plan Sonic profiles with and starts from: every function at the user's memory,
// nothing fused, remote storage.
func (s *Sonic) UserPlan(w *dag.Workflow) *dag.Plan {
	p := &dag.Plan{DefaultMemoryMB: dag.MinMemoryMB, Memory: map[string]int{}}
	for _, fn := range usedFunctions(w) {
		p.Memory[fn] = userMemory(w.Function(fn), s.MemoryMB)
	}
	return p
}

// Decide profiles the workflow, runs the dynamic program and returns the decision and its plan.
func (s *Sonic) Decide(w *dag.Workflow) (*SonicDecision, *dag.Plan, error) {
	if s.Profile == nil {
		return nil, nil, fmt.Errorf("baselines: sonic: no profiler configured")
	}
	base := s.UserPlan(w)
	compute, err := s.Profile(w, base)
	if err != nil {
		return nil, nil, fmt.Errorf("baselines: sonic: profiling %q: %w", w.Name, err)
	}
	for _, fn := range usedFunctions(w) {
		if _, ok := compute[fn]; !ok {
			return nil, nil, fmt.Errorf("baselines: sonic: profiling %q gave no compute time for function %q", w.Name, fn)
		}
	}
	m := &sonicModeler{s: s, w: w, compute: compute, plan: base}
	best := m.solveSeq(w.Steps)
	d := &SonicDecision{PredictedLatency: best.lat, PredictedCost: best.cost}
	p := base.Clone()
	m.apply(p, w.Steps, best, &d.Edges)
	if len(p.Passing) == 0 {
		p.Passing = nil
	}
	if len(p.Bundle) == 0 {
		p.Bundle = nil
	}
	p, err = checked("sonic", w, p)
	return d, p, err
}

// sonicModeler evaluates Sonic's analytic model on one workflow.
type sonicModeler struct {
	s       *Sonic
	w       *dag.Workflow
	compute map[string]float64
	plan    *dag.Plan // user memory per function
	// infos holds each step's info once made: a nested stage's asks for its first and last
	// steps' and its sequences' again, so without it a Parallel (or Map) nested d deep took 4^d
	// of them (depth 12: 4 s; depth 15: over 100 s for one task).
	infos map[*dag.Step]stageInfo
	made  int // infos made (TestSonicNestedOnce)
}

// seqChoice is the solution for one sequence: the method of each edge (len(seq)-1), the chosen
// nested solutions of each standalone stage, and the predicted latency and cost of the sequence
// (excluding the transfers at its two ends, which belong to the enclosing edge).
type seqChoice struct {
	methods []SonicMethod
	nested  [][]seqChoice // per stage: Map -> [iterator], Parallel -> one per branch
	lat     float64
	cost    float64
}

// ends describes the invocations at one end of a stage: how many there are per run, the bytes
// each sends or receives, and the memory (GB) each is billed at when it runs alone.
type ends struct {
	n, bytes, memGB float64
}

// stageInfo is what the model needs to know about one stage of a sequence.
type stageInfo struct {
	entry, exit ends
	needMB      float64 // user memory of everything in the stage that runs at once, in one VM
	fusable     bool    // may join a VM-Storage group (no Pass, fixed item counts)
	aloneLat    float64 // latency of the stage's body standalone (nested sequences at their best)
	aloneCost   float64
	aloneNested []seqChoice
	inVMLat     float64 // latency of the stage's body when everything in it runs in one VM
}

func (m *sonicModeler) memGB(fn string) float64 { return float64(m.plan.MemoryOf(fn)) / 1024 }

func (m *sonicModeler) info(st *dag.Step) stageInfo {
	if si, ok := m.infos[st]; ok {
		return si
	}
	si := m.makeInfo(st)
	m.made++
	if m.infos == nil {
		m.infos = map[*dag.Step]stageInfo{}
	}
	m.infos[st] = si
	return si
}

// makeInfo is info without the memo.
func (m *sonicModeler) makeInfo(st *dag.Step) stageInfo {
	md := m.s.Platform
	switch st.Kind() {
	case dag.TaskStep:
		f := m.w.Function(st.Task)
		c := m.compute[st.Task]
		gb := m.memGB(st.Task)
		return stageInfo{
			entry:     ends{1, f.InputBytes.ExpectedValue(), gb},
			exit:      ends{1, f.OutputBytes.ExpectedValue(), gb},
			needMB:    float64(m.plan.MemoryOf(st.Task)),
			fusable:   true,
			aloneLat:  c,
			aloneCost: gb*c*md.GBSecondUSD + md.RequestUSD,
			inVMLat:   c,
		}
	case dag.MapStep:
		_, fixed := st.Map.FixedItems()
		n := float64(expectedItems(st.Map))
		inner := m.solveSeq(st.Map.Iterator)
		first, last := m.info(&st.Map.Iterator[0]), m.info(&st.Map.Iterator[len(st.Map.Iterator)-1])
		need, inVM, innerFusable := m.seqInVM(st.Map.Iterator)
		return stageInfo{
			entry:       ends{n * first.entry.n, first.entry.bytes, first.entry.memGB},
			exit:        ends{n * last.exit.n, last.exit.bytes, last.exit.memGB},
			needMB:      n * need,
			fusable:     fixed && innerFusable,
			aloneLat:    inner.lat,
			aloneCost:   n * inner.cost,
			aloneNested: []seqChoice{inner},
			inVMLat:     inVM,
		}
	case dag.ParallelStep:
		var si stageInfo
		si.fusable = true
		for _, br := range st.Parallel {
			inner := m.solveSeq(br)
			first, last := m.info(&br[0]), m.info(&br[len(br)-1])
			need, inVM, ok := m.seqInVM(br)
			si.entry = mergeEnds(si.entry, first.entry)
			si.exit = mergeEnds(si.exit, last.exit)
			si.needMB += need
			si.fusable = si.fusable && ok
			si.aloneLat = max(si.aloneLat, inner.lat)
			si.aloneCost += inner.cost
			si.aloneNested = append(si.aloneNested, inner)
			si.inVMLat = max(si.inVMLat, inVM)
		}
		return si
	}
	return stageInfo{} // Pass: orchestration only, no data, never fused
}

// mergeEnds adds the invocations of b to a, averaging bytes and memory per invocation.
func mergeEnds(a, b ends) ends {
	n := a.n + b.n
	if n == 0 {
		return ends{}
	}
	return ends{n, (a.n*a.bytes + b.n*b.bytes) / n, (a.n*a.memGB + b.n*b.memGB) / n}
}

// seqInVM returns, for a sequence run entirely in one VM, the memory it needs at once (MB), its
// latency with all data passed locally, and whether every stage in it can be fused.
func (m *sonicModeler) seqInVM(seq []dag.Step) (needMB, lat float64, fusable bool) {
	fusable = true
	for i := range seq {
		si := m.info(&seq[i])
		needMB = max(needMB, si.needMB)
		lat += si.inVMLat
		if i > 0 {
			lat += si.entry.bytes / m.s.Platform.LocalBps
		}
		fusable = fusable && si.fusable
	}
	return needMB, lat, fusable
}

// sonicLabel is a partial solution of the dynamic program: stages 0..j solved, the last segment
// starting at segStart and entered through method in; prev points at the label it extends.
type sonicLabel struct {
	lat, cost float64
	segStart  int
	in        SonicMethod
	prev      int
	vmMB      float64 // the last segment's VM size when it is a VM-Storage group, else 0
}

// solveSeq runs the dynamic program over one sequence's stages.
func (m *sonicModeler) solveSeq(seq []dag.Step) seqChoice {
	n := len(seq)
	infos := make([]stageInfo, n)
	for i := range seq {
		infos[i] = m.info(&seq[i])
	}
	// labels[j] holds the kept partial solutions that end with stage j. What the edge out of
	// stage j costs is added when a later segment joins, so one set serves every method out.
	labels := make([][]sonicLabel, n)
	for j := 0; j < n; j++ {
		var cands []sonicLabel
		for g := j; g >= 0; g-- {
			vmMB, ok := m.groupVM(infos[g : j+1])
			if !ok {
				break // a longer segment holds these stages too, so it cannot fit either
			}
			segLat, segCost := m.segment(infos[g:j+1], vmMB)
			if g == 0 {
				cands = append(cands, sonicLabel{segLat, segCost, 0, RemoteStorage, -1, vmMB})
				continue
			}
			for _, in := range m.methods() {
				for pi, pl := range labels[g-1] {
					eLat, eCost := m.edge(in, infos[g-1], pl.vmMB, infos[g], vmMB)
					cands = append(cands, sonicLabel{pl.lat + eLat + segLat, pl.cost + eCost + segCost, g, in, pi, vmMB})
				}
			}
		}
		labels[j] = m.keep(cands)
	}
	final := labels[n-1]
	bi := m.best(final)
	res := seqChoice{methods: make([]SonicMethod, n-1), nested: make([][]seqChoice, n), lat: final[bi].lat, cost: final[bi].cost}
	for j, li := n-1, bi; j >= 0; {
		l := labels[j][li]
		for k := l.segStart + 1; k <= j; k++ {
			res.methods[k-1] = VMStorage
		}
		if l.segStart == j {
			res.nested[j] = infos[j].aloneNested
		}
		if l.segStart > 0 {
			res.methods[l.segStart-1] = l.in
		}
		j, li = l.segStart-1, l.prev
	}
	return res
}

// evaluate returns the model's latency and cost of one assignment of methods to the edges of a
// sequence (nested sequences at their own best), and false when a VM-Storage group cannot fit.
// It is the plain reference the dynamic program is tested against.
func (m *sonicModeler) evaluate(seq []dag.Step, methods []SonicMethod) (lat, cost float64, ok bool) {
	infos := make([]stageInfo, len(seq))
	for i := range seq {
		infos[i] = m.info(&seq[i])
	}
	prevVM := 0.0
	for g := 0; g < len(seq); {
		j := g
		for j+1 < len(seq) && methods[j] == VMStorage {
			j++
		}
		vmMB, fits := m.groupVM(infos[g : j+1])
		if !fits {
			return 0, 0, false
		}
		sl, sc := m.segment(infos[g:j+1], vmMB)
		lat, cost = lat+sl, cost+sc
		if g > 0 {
			el, ec := m.edge(methods[g-1], infos[g-1], prevVM, infos[g], vmMB)
			lat, cost = lat+el, cost+ec
		}
		prevVM, g = vmMB, j+1
	}
	return lat, cost, true
}

// groupVM returns the VM size (MB) of a segment: 0 for a single stage (it runs on its own VMs),
// else the user memory of the largest stage, which must fit in one VM of the platform.
func (m *sonicModeler) groupVM(stages []stageInfo) (float64, bool) {
	if len(stages) == 1 {
		return 0, true
	}
	// The largest VM the platform gives (azure-flex: 4,096 MB): a larger group would be put on
	// it, too small for what runs in it at once.
	largest := float64(m.s.Platform.SizeMB(dag.MaxMemoryMB))
	vm := 0.0
	for _, si := range stages {
		if !si.fusable || si.needMB > largest {
			return 0, false
		}
		vm = max(vm, si.needMB)
	}
	return vm, true
}

// segment returns the predicted latency and cost of the bodies of stages run as one segment:
// standalone for a single stage, in one VM of vmMB for a group (data passed locally inside).
func (m *sonicModeler) segment(stages []stageInfo, vmMB float64) (lat, cost float64) {
	md := m.s.Platform
	if vmMB == 0 {
		return stages[0].aloneLat, stages[0].aloneCost
	}
	for k, si := range stages {
		lat += si.inVMLat
		if k > 0 {
			lat += si.entry.bytes / md.LocalBps
		}
	}
	return lat, md.GBSecondUSD*vmMB/1024*lat + md.RequestUSD
}

// methods are the ways data may cross an edge between VMs under the variant.
func (m *sonicModeler) methods() []SonicMethod {
	if m.s.Variant == SonicStorage {
		return []SonicMethod{RemoteStorage}
	}
	return []SonicMethod{RemoteStorage, DirectPassing}
}

// edge returns the predicted latency and cost of passing data from stage a to stage b by method,
// where each side is a VM-Storage group of the given VM size or, for size 0, runs on VMs of its
// own. The cost bills the receivers for the transfer time (and a remote sender for its upload; a
// Direct-Passing sender's function has returned), plus storage requests and one transition per
// receiving VM.
func (m *sonicModeler) edge(method SonicMethod, a stageInfo, aVM float64, b stageInfo, bVM float64) (lat, cost float64) {
	md := m.s.Platform
	sendVMs, recvVMs := a.exit.n, b.entry.n
	sendGB, recvGB := a.exit.n*a.exit.memGB, b.entry.n*b.entry.memGB
	if aVM > 0 {
		sendVMs, sendGB = 1, aVM/1024
	}
	if bVM > 0 {
		recvVMs, recvGB = 1, bVM/1024
	}
	var up, down float64
	switch method {
	case RemoteStorage:
		up = m.upload(a.exit, sendVMs)
		down = m.transfer(RemoteStorage, a.exit, b.entry, sendVMs, recvVMs)
		cost += md.PutUSD*a.exit.n + md.GetUSD*b.entry.n
		cost += md.GBSecondUSD * (sendGB*up + recvGB*down)
	case DirectPassing:
		down = m.transfer(DirectPassing, a.exit, b.entry, sendVMs, recvVMs)
		cost += md.GBSecondUSD * recvGB * down
	}
	cost += md.TransitionUSD * max(1, recvVMs)
	return up + md.TransitionLatency + down, cost
}

// upload is the time for exit invocations spread over vms VMs to PUT their outputs.
func (m *sonicModeler) upload(e ends, vms float64) float64 {
	if e.bytes == 0 || e.n == 0 {
		return 0
	}
	md := m.s.Platform
	perVM := e.n / max(vms, 1) * e.bytes
	return md.StoragePutLatency + max(e.bytes/md.ConnectionBps, perVM/md.VMNetworkBps)
}

// transfer is the time for receivers (entry invocations over recvVMs VMs) to obtain their input
// from senders (exit invocations over sendVMs VMs) by method.
func (m *sonicModeler) transfer(method SonicMethod, from, to ends, sendVMs, recvVMs float64) float64 {
	if to.bytes == 0 || to.n == 0 {
		return 0
	}
	md := m.s.Platform
	perRecvVM := to.n / max(recvVMs, 1) * to.bytes
	if method == RemoteStorage {
		return md.StorageGetLatency + max(to.bytes/md.ConnectionBps, perRecvVM/md.VMNetworkBps)
	}
	// Direct: every byte the receivers read leaves a sender VM's NIC; a receiver of a fan-in pulls
	// its input in parts, one per sender, in parallel.
	parts := max(1, from.n/to.n)
	perSendVM := to.n * to.bytes / max(sendVMs, 1)
	return md.DirectSetup() + max(to.bytes/parts/md.ConnectionBps, perSendVM/md.VMNetworkBps, perRecvVM/md.VMNetworkBps)
}

// score orders complete or partial solutions by the goal: lower is better.
func (m *sonicModeler) score(l sonicLabel) (primary, secondary float64) {
	if m.s.Goal == SonicPerfPerDollar {
		return l.lat * l.cost, l.lat // maximising 1/(latency x cost)
	}
	return l.lat, l.cost
}

// keep prunes candidates that can never be part of the best solution. Labels whose last segment
// has a different VM size are kept apart (the next edge depends on it). Among the rest, the
// latency goal keeps the single best; performance per dollar keeps the Pareto set of (latency,
// cost), as the product of future additions is not monotone in either alone. Ties go to the
// earlier candidate, so the result is deterministic.
func (m *sonicModeler) keep(cands []sonicLabel) []sonicLabel {
	var out []sonicLabel
	for i, c := range cands {
		dominated := false
		for k, o := range cands {
			if k == i || o.vmMB != c.vmMB {
				continue
			}
			var better bool
			if m.s.Goal == SonicPerfPerDollar {
				better = o.lat <= c.lat && o.cost <= c.cost && (o.lat < c.lat || o.cost < c.cost || k < i)
			} else {
				better = o.lat < c.lat || (o.lat == c.lat && (o.cost < c.cost || (o.cost == c.cost && k < i)))
			}
			if better {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, c)
		}
	}
	return out
}

// best returns the index of the best complete solution.
func (m *sonicModeler) best(ls []sonicLabel) int {
	bi := 0
	for i := 1; i < len(ls); i++ {
		p, s := m.score(ls[i])
		bp, bs := m.score(ls[bi])
		if p < bp || (p == bp && s < bs) {
			bi = i
		}
	}
	return bi
}

// apply writes a sequence's solution into the plan and appends its edges to edges.
func (m *sonicModeler) apply(p *dag.Plan, seq []dag.Step, c seqChoice, edges *[]SonicEdge) {
	var group []string
	flush := func() {
		if len(group) >= 2 {
			p.Fuse = append(p.Fuse, group)
			m.applyGroup(p, group)
		}
		group = nil
	}
	for i := range seq {
		if i > 0 {
			meth := c.methods[i-1]
			*edges = append(*edges, SonicEdge{From: seq[i-1].Name, To: seq[i].Name, Method: meth})
			switch meth {
			case VMStorage:
				if len(group) == 0 {
					group = []string{seq[i-1].Name}
				}
				group = append(group, seq[i].Name)
				continue
			case DirectPassing:
				if p.Passing == nil {
					p.Passing = map[string]dag.Passing{}
				}
				p.Passing[seq[i].Name] = dag.DirectPassing
			}
			flush()
		}
	}
	flush()
	// Standalone stages' nested sequences.
	for i := range seq {
		st := &seq[i]
		nested := c.nested[i]
		if nested == nil {
			continue
		}
		switch st.Kind() {
		case dag.MapStep:
			m.apply(p, st.Map.Iterator, nested[0], edges)
		case dag.ParallelStep:
			for b, br := range st.Parallel {
				m.apply(p, br, nested[b], edges)
			}
		}
	}
}

// applyGroup sizes a VM-Storage group's VM to hold everything in it at once at the user's memory
// and keeps every Map inside it whole (Bundle = items, so nothing spills).
func (m *sonicModeler) applyGroup(p *dag.Plan, group []string) {
	vmMB := 0.0
	var fns []string
	for _, name := range group {
		st := m.w.Step(name)
		vmMB = max(vmMB, m.info(st).needMB)
		dag.WalkTasks([]dag.Step{*st}, func(fn string) { fns = append(fns, fn) })
		walkSteps([]dag.Step{*st}, func(s *dag.Step) {
			if s.Map != nil {
				if p.Bundle == nil {
					p.Bundle = map[string]int{}
				}
				p.Bundle[s.Name] = expectedItems(s.Map)
			}
		})
	}
	mb := min(dag.MaxMemoryMB, int(math.Ceil(vmMB)))
	for _, fn := range fns {
		p.Memory[fn] = max(p.Memory[fn], mb)
	}
}

// walkSteps calls fn for every step in seq, nested ones included.
func walkSteps(seq []dag.Step, fn func(*dag.Step)) {
	for i := range seq {
		s := &seq[i]
		fn(s)
		for _, br := range s.Parallel {
			walkSteps(br, fn)
		}
		if s.Map != nil {
			walkSteps(s.Map.Iterator, fn)
		}
	}
}
