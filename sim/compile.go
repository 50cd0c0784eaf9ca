package sim

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// The engine never walks dag.Workflow or dag.Plan while it runs: compile turns them into flat
// arrays of nodes, functions and VM templates, resolved once (names to indices, plan lookups to
// fields), so the event loop does no map lookups and no allocation.

type nodeKind uint8

const (
	nSeq   nodeKind = iota // children run one after another
	nTask                  // one function invocation
	nPar                   // branches (each an nSeq) run together
	nMap                   // items each run the iterator (kids[0], an nSeq)
	nPass                  // a state transition only
	nFused                 // a fusion group: kids[0] is an nSeq of its steps, run in one VM
)

// node is what the event loop reads of a step on every frame it starts and ends, 48 bytes and
// no pointers: in a trace replay the thousands of DAGs' nodes are cold when a DAG invocation
// arrives, so a workflow's nodes should take a few cache lines, not four each (docs/simulator.md,
// "The replay path, fifth round"). What only map steps, bundles and records read is in nodeInfo,
// compiled.info[n].
type node struct {
	kind nodeKind
	// inDirect: this node's first invocations pull their input straight from the sender's VM
	// (dag.DirectPassing). consumerDirect: whatever consumes this node's output does so, so a VM
	// whose work ends with this node holds its output instead of uploading it.
	inDirect, consumerDirect bool
	// nMap: dag.Map.MaxConcurrency (0: no limit), the iterations (items, or bundles) of an
	// orchestrated map running at once; distributed: each iteration is a child execution,
	// charged one state transition (dag.Map.Distributed).
	distributed bool
	maxConc     int32
	fn          int32 // nTask: index into compiled.fns
	// tmpl is the VM template this node acquires: nTask its own VM, nMap a bundle or spill VM
	// (every function of the iterator), nFused the group's VM.
	tmpl int32
	// retry indexes compiled.retries: the retry of a throttled acquisition of tmpl (the step's
	// dag.Retry; for a fusion group or a bundle, that of the first task step it runs), or -1.
	retry int32
	// needMB is the memory an acquisition of this node uses (dag.Plan.NeedMB): nTask its
	// function's, nFused the group's, nMap one item's; sharedMB is what a bundle's items share
	// (dag.Plan.SharedRuntime, RuntimePerStep), so b items use b x needMB - (b-1) x sharedMB.
	// Billed on a platform that bills observed memory (Platform.BilledMB).
	needMB, sharedMB int32
	bundle           int // nMap: items per VM
	// kid and nkids place the node's children in compiled.kids (kidsOf), a workflow's together:
	// no pointer, so the garbage collector does not scan the nodes.
	kid, nkids int32
}

// nodeInfo is the rest of a node, read once per map step or per record.
type nodeInfo struct {
	step  string // step name (records); for nFused the first step's
	items draw   // nMap
	// phases, for an nMap under dag.Plan.RuntimePerStep, holds the VM template of each step of
	// the iterator: a bundle runs its items' step j in a VM of template phases[j] (frame.idx = j),
	// then releases it and acquires the next (frame.go, nextRuntime).
	phases []int32
}

// function is what an invocation of a function reads: its draws (compact copies of the
// dag.Dists, draw.go; the run factor is drawn when a DAG invocation arrives) and parameters,
// 192 bytes, three cache lines. What only a cold start or an item's skew by index reads is in
// fnInfo, compiled.fnInfo[f].
type function struct {
	runFactor                       draw // first: a DAG invocation's arrival reads only this line
	serial, parallel, in, out, skew draw
	threads                         float64
	oversub                         float64 // dag.Function.Oversubscription
	inReq, outReq                   float64 // storage requests per read and write (>= 1)
	extraLat                        float64 // dag.Function.ExtraRequestLatency
	skewByIndex                     bool    // dag.Function.ItemSkewByIndex
}

// fnInfo is the rest of a function.
type fnInfo struct {
	init     draw // drawn on cold starts
	name     string
	skewDist dag.Dist // for skewByIndex: its quantile at the item's uniform
}

// template is a kind of VM: the functions it has loaded and its memory. Warm pools are keyed by
// template, so a warm VM is reused only by work that loads exactly the same functions at the
// same size.
type template struct {
	fns   []int32
	memMB int
	gb    float64 // memMB / 1024, the billed size
	vcpu  float64 // CPU share c(m)
	// visPerCore is n(m)/c(m), visible cores per core of share: a slot given a cores of share
	// runs on a*visPerCore visible cores (Platform.VisibleCores).
	visPerCore float64
	// privMB > 0 makes a VM of this template, acquired by an orchestrated task, a Photons
	// runtime that concurrent invocations of its function join (runtime.go): each adds privMB.
	privMB int
}

type compiled struct {
	nodes  []node
	info   []nodeInfo // beside nodes
	kids   []int32    // the nodes' children (node.kid)
	fns    []function
	fnInfo []fnInfo    // beside fns
	quant  [][]float64 // the empirical draws' quantiles (draw.q)
	tmpls  []template
	// retries holds the steps' dag.Retry settings that nodes refer to.
	retries []dag.Retry
	// wfs holds each workflow: one for Run and RunArrivals, every DAG of a trace for Replay.
	wfs []workflow
}

// workflow is what a DAG invocation's arrival reads of its workflow, in one record: its root
// (an nSeq), the range of its functions in fns (a run draws their run factors) and the key of
// its random streams (Workload.Key; 0 outside Replay).
type workflow struct {
	root, fnLo, fnHi int32
	key              uint64
}

// compile resolves w under p. Both must already be valid.
func compile(w *dag.Workflow, p *dag.Plan, plat *platform.Platform) *compiled {
	c := &compiled{}
	c.add(w, p, plat)
	return c
}

// add compiles one more workflow into c. Its functions and VM templates are its own, so its
// warm pools are never shared with another workflow's, even where names coincide.
func (c *compiled) add(w *dag.Workflow, p *dag.Plan, plat *platform.Platform) {
	fnLo := int32(len(c.fns))
	fnIndex := map[string]int32{}
	for _, f := range w.Functions {
		fnIndex[f.Name] = int32(len(c.fns))
		q := &c.quant
		c.fns = append(c.fns, function{
			serial: compileDraw(f.SerialWork, q), parallel: compileDraw(f.ParallelWork, q),
			in: compileDraw(f.InputBytes, q), out: compileDraw(f.OutputBytes, q),
			skew: compileDraw(f.ItemSkew, q), runFactor: compileDraw(f.RunFactor, q),
			threads: float64(max(f.Threads, 1)), skewByIndex: f.ItemSkewByIndex, oversub: f.Oversubscription,
			inReq: float64(dag.Requests(f.InputRequests)), outReq: float64(dag.Requests(f.OutputRequests)),
			extraLat: f.ExtraRequestLatency,
		})
		c.fnInfo = append(c.fnInfo, fnInfo{name: f.Name, init: compileDraw(f.InitTime, q), skewDist: f.ItemSkew})
	}
	tmplIndex := map[string]int32{}
	var key []byte // tmplOf's, reused: a template's key is allocated only when it is new
	tmplOf := func(steps []dag.Step) int32 {
		var fns []int32
		walkTaskNames(steps, func(name string) {
			i := fnIndex[name]
			if !slices.Contains(fns, i) {
				fns = append(fns, i)
			}
		})
		slices.Sort(fns)
		mem := 0
		key = key[:0]
		for _, f := range fns {
			mem = max(mem, p.MemoryOf(c.fnInfo[f].name))
			key = append(strconv.AppendInt(key, int64(f), 10), ',')
		}
		// The size the platform gives a VM of this size: the plan's on AWS, the one fixed size on
		// Azure Consumption, the next instance size up on Flex Consumption.
		mem = plat.SizeMB(mem)
		key = strconv.AppendInt(append(key, '@'), int64(mem), 10)
		if t, ok := tmplIndex[string(key)]; ok {
			return t
		}
		t := int32(len(c.tmpls))
		tmplIndex[string(key)] = t
		c.tmpls = append(c.tmpls, template{fns: fns, memMB: mem, gb: float64(mem) / 1024, vcpu: plat.VCPU(mem),
			visPerCore: float64(plat.VisibleCores(mem)) / plat.VCPU(mem)})
		return t
	}
	// retryOf gives the retry of a VM that runs steps: that of the first task step among them.
	retryOf := func(steps []dag.Step) int32 {
		var r *dag.Retry
		found := false
		walkTasks(steps, func(s *dag.Step) {
			if !found {
				r, found = s.Retry, true
			}
		})
		if r == nil {
			return -1
		}
		c.retries = append(c.retries, *r)
		return int32(len(c.retries) - 1)
	}
	add := func(n node, kids []int32, in nodeInfo) int32 {
		n.kid, n.nkids = int32(len(c.kids)), int32(len(kids))
		c.kids = append(c.kids, kids...)
		c.nodes = append(c.nodes, n)
		c.info = append(c.info, in)
		return int32(len(c.nodes) - 1)
	}
	var seq func(steps []dag.Step, inGroup int) int32
	var step func(s *dag.Step) int32
	// inGroup is the fusion group whose own steps seq is compiling (not to be fused again), or -1.
	seq = func(steps []dag.Step, inGroup int) int32 {
		var kids []int32
		for i := 0; i < len(steps); i++ {
			if g := p.FusionGroup(steps[i].Name); g >= 0 && g != inGroup && p.Fuse[g][0] == steps[i].Name {
				group := steps[i:min(i+len(p.Fuse[g]), len(steps))]
				inner := seq(group, g)
				// Only the group's first step can receive directly; the rest is in memory.
				kids = append(kids, add(node{kind: nFused,
					tmpl: tmplOf(group), inDirect: c.nodes[inner].inDirect, retry: retryOf(group), needMB: int32(p.NeedMB(w, group))},
					[]int32{inner}, nodeInfo{step: steps[i].Name}))
				i += len(group) - 1
				continue
			}
			kids = append(kids, step(&steps[i]))
		}
		return add(node{kind: nSeq, inDirect: c.nodes[kids[0]].inDirect, retry: -1}, kids, nodeInfo{})
	}
	step = func(s *dag.Step) int32 {
		direct := p.PassingOf(s.Name) == dag.DirectPassing
		switch s.Kind() {
		case dag.TaskStep:
			fn := fnIndex[s.Task]
			one := []dag.Step{*s}
			t := tmplOf(one)
			if p.SharedRuntime {
				// Under arrivals an orchestrated invocation of the function may join a running
				// runtime of it (runtime.go).
				c.tmpls[t].privMB = w.Function(s.Task).PrivateMB(c.tmpls[t].memMB)
			}
			return add(node{kind: nTask, fn: fn, tmpl: t, inDirect: direct, retry: retryOf(one),
				needMB: int32(p.NeedMB(w, one))}, nil, nodeInfo{step: s.Name})
		case dag.ParallelStep:
			var kids []int32
			for _, br := range s.Parallel {
				k := seq(br, -1)
				direct = direct || c.nodes[k].inDirect
				kids = append(kids, k)
			}
			return add(node{kind: nPar, inDirect: direct, retry: -1}, kids, nodeInfo{step: s.Name})
		case dag.MapStep:
			it := seq(s.Map.Iterator, -1)
			var phases []int32
			shared := 0
			if p.RuntimePerStep(s) {
				for j := range s.Map.Iterator {
					phases = append(phases, tmplOf(s.Map.Iterator[j:j+1]))
				}
			}
			if p.SharedRuntime || phases != nil {
				// A runtime per step holds the step's items with their shared part once; for
				// every step the iterator's need and shared part bound it from above.
				shared = p.SharedMB(w, s.Map.Iterator)
			}
			return add(node{kind: nMap,
				bundle: p.BundleOf(s.Name), tmpl: tmplOf(s.Map.Iterator), inDirect: direct || c.nodes[it].inDirect,
				maxConc: int32(s.Map.MaxConcurrency), distributed: s.Map.Distributed, retry: retryOf(s.Map.Iterator),
				needMB: int32(p.NeedMB(w, s.Map.Iterator)), sharedMB: int32(shared)},
				[]int32{it}, nodeInfo{step: s.Name, items: compileDraw(s.Map.Items, &c.quant), phases: phases})
		case dag.PassStep:
			return add(node{kind: nPass, retry: -1}, nil, nodeInfo{step: s.Name})
		}
		panic(fmt.Sprintf("sim: step %q of unknown kind survived validation", s.Name))
	}
	root := seq(w.Steps, -1)
	c.setConsumers(root, false)
	c.wfs = append(c.wfs, workflow{root: root, fnLo: fnLo, fnHi: int32(len(c.fns))})
}

// kidsOf returns node nd's children.
func (c *compiled) kidsOf(nd *node) []int32 {
	return c.kids[nd.kid : nd.kid+nd.nkids : nd.kid+nd.nkids]
}

// setConsumers marks, for every node, whether the node that consumes its output pulls it directly.
func (c *compiled) setConsumers(n int32, consumerDirect bool) {
	nd := &c.nodes[n]
	nd.consumerDirect = consumerDirect
	switch nd.kind {
	case nSeq:
		kids := c.kidsOf(nd)
		for i, k := range kids {
			next := consumerDirect
			if i+1 < len(kids) {
				next = c.nodes[kids[i+1]].inDirect
			}
			c.setConsumers(k, next)
		}
	case nPar, nMap, nFused:
		for _, k := range c.kidsOf(nd) {
			c.setConsumers(k, consumerDirect)
		}
	}
}

func walkTaskNames(steps []dag.Step, fn func(string)) {
	walkTasks(steps, func(s *dag.Step) { fn(s.Task) })
}

// walkTasks calls fn for every task step among steps, depth first in order.
func walkTasks(steps []dag.Step, fn func(*dag.Step)) {
	for i := range steps {
		s := &steps[i]
		if s.Task != "" {
			fn(s)
		}
		for _, br := range s.Parallel {
			walkTasks(br, fn)
		}
		if s.Map != nil {
			walkTasks(s.Map.Iterator, fn)
		}
	}
}
