package sim

import (
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// azureTestPlatform is azure-durable with the round numbers of testPlatform, so scenarios can be
// worked out on paper.
func azureTestPlatform() *platform.Platform {
	p := platform.AzureDurableFunctions()
	p.TransitionLatency = 0.05
	p.StorageGetLatency = 0.015
	p.StoragePutLatency = 0.025
	p.ConnectionBps = 80e6
	p.VMNetworkBps = 160e6
	p.ContentionPerCoRunner = 0
	return p
}

// TestAzureFixedMemoryByHand: on azure-durable every VM has 1,536 MB (one vCPU) whatever the plan
// says, and an execution shorter than 100 ms is billed 100 ms.
//
// One task of 0.03 core-s, no data, warm, asked at 3,538 MB: transition 0.05 s, compute 0.03 s at
// one vCPU; latency 0.08 s; billed max(0.03, 0.1) = 0.1 s x 1.5 GB x $0.000016 = $2.4e-6, plus
// $2e-7 for the execution and the transition's storage transactions.
func TestAzureFixedMemoryByHand(t *testing.T) {
	w := &dag.Workflow{Name: "one", Functions: []dag.Function{{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(0.03), Threads: 1}},
		Steps: []dag.Step{task("A", "A")}}
	p := azureTestPlatform()
	res, err := Run(w, &dag.Plan{DefaultMemoryMB: 3538}, 1, Options{Platform: p, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Invocations[0].MemoryMB; got != 1536 {
		t.Errorf("VM memory = %d MB, want the fixed 1536", got)
	}
	near(t, "latency", res.DAGs[0].Latency, 0.08, 1e-9)
	near(t, "cost", res.DAGs[0].Cost, 0.1*1.5*0.000016+0.2e-6+p.TransitionUSD, 1e-15)
}
