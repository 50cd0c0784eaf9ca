package platform

// AzureDurableFunctions returns Azure Durable Functions on the Consumption plan with the Azure
// Storage provider, as documented by Microsoft (docs/simulator.md, "The azure-durable platform",
// cites each page). Fields without a documented Azure value keep Default's (AWS) value and say so
// there.
//
// What is fixed on this platform: every instance has 1.5 GB and one core's worth of CPU
// (FixedMemoryMB, MBPerVCPU, MaxVCPU), so there is no VM sizing. A plan's memory sizes are ignored
// by the simulator; WiseFuse and the baselines can still fuse (one activity doing the work of
// several) and bundle (one activity over several items), but sizing changes nothing.
func AzureDurableFunctions() *Platform {
	p := Default()
	// Consumption plan: "Max memory (GB per instance) 1.5", "ACU per instance 100" (one core of
	// the reference A-series; Azure Functions service limits). One vCPU per instance.
	p.FixedMemoryMB = 1536
	p.MBPerVCPU, p.MaxVCPU = 1536, 1
	p.MinVisibleCores, p.VisibleCoreStepsMB = 1, nil
	// Consumption plan: default timeout 5 min, maximum 10 min (service limits); we take the maximum.
	p.FunctionTimeout = 600
	// Azure Functions kept idle instances for a fixed 20 minutes (Shahrad et al., "Serverless in
	// the Wild", ATC 2020, section 4, the policy their hybrid one replaces).
	p.KeepAlive = 1200
	// Pricing (Azure Functions pricing page): $0.000016 per GB-s, $0.20 per million executions;
	// execution time rounded up to 1 ms, with a minimum of 100 ms (and 128 MB) per execution
	// (the page's words, repeated in Microsoft's Azure Stack usage FAQ, "Functions - Compute"
	// meter; docs/simulator.md cites both).
	// "Memory used by a function is measured by rounding up to the nearest 128 MB, up to the
	// maximum memory size of 1,536 MB" (same page; Estimating Consumption plan costs): an
	// execution is billed the memory its invocations need (BilledMB), not the instance's 1.5 GB.
	p.BilledMemoryQuantumMB = 128
	p.GBSecondUSD = 0.000016
	p.RequestUSD = 0.20 / 1e6
	p.BillingQuantum = 0.001
	p.BillingMinimum = 0.1
	// Storage transactions: the app's own storage account (Durable Functions billing: "any
	// transaction costs are billed to your Azure subscription"), priced by AzureStorageTransactions
	// for a general-purpose v2 account with locally redundant storage (AzureGPv2LRS), the
	// cheapest account type a new app can have; AzureGPv2GRS is the dearest with listed prices.
	p.SetAzureStorage(AzureGPv2LRS)
	// Orchestration by event sourcing: the orchestrator resumes after every activity and loads and
	// replays its whole history, a range query over one partition of the History table
	// (Durable Functions Azure Storage provider, "History table"). An Azure Table partition
	// serves up to 2,000 entities of 1 KiB per second (Azure Table storage scalability targets):
	// history bytes load at 2,000 KiB/s, and an activity step adds about 4 history rows
	// (TaskScheduled, TaskCompleted, OrchestratorStarted and OrchestratorCompleted; our count):
	// 2 ms per step. The fixed 20 ms of a resume (dequeue, query round trip, running the
	// orchestrator code) is ours. A replay is a distinct billed execution on the Consumption plan
	// (Durable Functions billing); an orchestrator holds only its history, so it is billed at the
	// 128 MB minimum (ours).
	p.OrchestratorReplay = true
	p.ReplayLatency = 0.02
	p.ReplayPerStep = 4.0 / 2000
	p.ReplayBytesPerS = 2000 * 1024
	p.ReplayBilledMB = 128
	// Queue messages and blob offload: "when a piece of data you need to persist to a queue
	// exceeds 45 KB when serialized, Durable Functions compresses the data and stores it in a
	// blob instead" (Durable Functions Azure Storage provider, "Blobs"; an Azure queue message
	// holds at most 64 KB). Blob latencies are not documented: the S3 values of Default (ours).
	// Blob prices: SetAzureStorage, above.
	p.OffloadBytes = 45 * 1024
	p.BlobPutLatency, p.BlobGetLatency = p.StoragePutLatency, p.StorageGetLatency
	// Control-queue polling back-off: "random exponential back-off ... the wait time continues to
	// increase up to the maximum wait time, which defaults to 30 seconds" (maxQueuePollingInterval;
	// Durable Functions Azure Storage provider, "Queue polling"). The minimum of 50 ms and the
	// sequence of waits are DurableTask.AzureStorage's (TaskHubQueue, BackoffPollingHelper); we
	// take the randomisation factor (uniform in 0.8..1.2) at its mean.
	p.QueuePollingMin, p.QueuePollingMax = 0.05, 30
	// Instances shared by executions: on the Consumption plan one instance runs at most 10
	// activity functions at once (maxConcurrentActivityFunctions; Durable Functions host.json
	// settings), and the scale controller adds instances "at most, once every 30 seconds" for
	// non-HTTP triggers (Durable Functions' queues), up to 200 (Event-driven scaling; Azure
	// Functions service limits, "Max instance count" 200 on Windows).
	p.InstanceActivities, p.ScaleTrigger, p.MaxInstances = 10, TriggerNonHTTP, 200
	// Orchestrator slots: at most 5 orchestrator functions at once per instance on the
	// Consumption plan (maxConcurrentOrchestratorFunctions, same settings), and each of the
	// partitionCount = 4 control queues (default; 1 to 16) is leased by one instance at a time, so
	// orchestrations run on at most 4 instances ("orchestration instances can be load-balanced
	// across as many as three VMs" with three control queues; Durable Functions performance and
	// scale, "Orchestrator scale-out").
	p.InstanceOrchestrators, p.PartitionCount = 5, 4
	// Azure has no account-wide limit of concurrent executions like Lambda's: an app's limit is
	// its instances' slots, max_instances x instance_activities = 2,000 activities (enforced per
	// app by the instances; the concurrency limit is per app on a platform with instances).
	p.ConcurrencyLimit = p.MaxInstances * p.InstanceActivities
	// Only the function's execution is billed; a cold instance's host start-up is not part of it.
	p.BillInit = false
	// Spills: an activity cannot start activities (NoSpills), but its code can call an
	// HTTP-triggered function of its app, as Faastlane's released code invokes its spill
	// containers synchronously on Lambda. Such an execution runs on the app's instances under the
	// HTTP trigger's own per-instance limit, "the maximum number of http functions that will be
	// executed in parallel", whose default "in a consumption plan is 100" (host.json
	// extensions.http.maxConcurrentRequests; Microsoft Learn, "Azure Functions HTTP triggers and
	// bindings overview", https://learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook),
	// not under maxConcurrentActivityFunctions. SpillsRefused is the other reading
	// (docs/simulator.md, "Spills on Durable Functions").
	p.Spills, p.HTTPInstanceConcurrency = SpillsHTTP, 100
	return p
}

// AzureFlexConsumption returns Azure Durable Functions on the Flex Consumption plan (on-demand
// billing) with the Azure Storage provider: azure-durable with the instance sizes and billing of
// Flex Consumption, as documented by Microsoft (docs/simulator.md, "The azure-flex platform").
// It is where VM sizing exists on Azure: an app chooses its instance memory among
// MemorySizesMB, and CPU grows with it.
func AzureFlexConsumption() *Platform {
	p := AzureDurableFunctions()
	// "Instance Memory (MB) | CPU Cores: 512 | 0.25, 2048 | 1, 4096 | 2" (Flex Consumption plan
	// hosting, "Instance memory"; earlier revisions offered 2,048 and 4,096 MB only). So 2,048 MB
	// per core, at most 2 cores, and the cores a guest sees at least the share.
	p.FixedMemoryMB, p.MemorySizesMB = 0, []int{512, 2048, 4096}
	// Flex Consumption scales per function with its own per-instance concurrency, which we do
	// not model: one execution per instance, as before.
	// It bills provisioned instance memory (below), not observed memory. Its limits are not
	// modelled: it keeps Default's account-wide concurrency limit of 1,000.
	p.InstanceActivities, p.ScaleTrigger, p.MaxInstances = 0, "", 0
	p.InstanceOrchestrators, p.PartitionCount = 0, 0
	// HTTP-triggered spills run on instances of their own too: "all the HTTP triggered functions
	// in the app scale together into their own instances", apart from the Durable ones
	// (Microsoft Learn, "Create and manage function apps in the Flex Consumption plan", "Set
	// always ready instance counts"; per-function scaling). Their per-instance HTTP concurrency
	// ("depends on the instance memory size", Flex Consumption plan hosting, "Instance memory")
	// is not modelled, as the activities' is not: each spill is an execution of its own
	// (HTTPInstanceConcurrency, Consumption's, is unused without instances).
	p.BilledMemoryQuantumMB = 0
	p.ConcurrencyLimit = Default().ConcurrencyLimit
	p.MBPerVCPU, p.MaxVCPU = 2048, 2
	// Function timeout: default 30 min, maximum unbounded (Azure Functions hosting options); we
	// take the default.
	p.FunctionTimeout = 1800
	// On-demand billing: "the total amount of memory provisioned while each on demand instance is
	// actively executing functions (in GB-seconds)" and "the total number of executions"; "the
	// minimum billable execution period ... is 1,000 ms. Past that, the billable activity period
	// is rounded up to the nearest 100 ms" (Flex Consumption plan hosting, "Billing"). Prices
	// (East US): $0.000026 per GB-s and $0.40 per million executions, as quoted by modal.com's
	// pricing guide (May 2025) and, from the Azure Retail Prices API (meters "On Demand Execution
	// Time" and "On Demand Total Executions", $0.000004 per 10), by HybridCloudWorks'
	// Architecture_Plan.md (2026-07-30); Microsoft's pricing page renders them client-side. Billed memory is the provisioned instance size, so an orchestrator replay bills the
	// default instance's 2,048 MB. Simplification: the 1 s minimum applies per execution here,
	// whereas Microsoft applies it per billable activity period of an instance.
	p.GBSecondUSD = 0.000026
	p.RequestUSD = 0.40 / 1e6
	p.BillingQuantum = 0.1
	p.BillingMinimum = 1
	p.ReplayBilledMB = 2048
	return p
}

// NoSpills says why a VM of a plan may not invoke executions of its own on p, or "" when it may:
// the items a Map inside a fusion group (or inside a bundle) has beyond its bundle, which the VM
// invokes synchronously, B per execution (dag.Plan.SpillingMaps). It refuses them where Spills is
// SpillsRefused: the reading of Durable Functions in which a group or bundle, one activity, may
// not invoke executions, as "activity functions can only be triggered from an orchestration
// instance" (Microsoft Learn, "Overview of function types and features for Durable Functions")
// and the orchestrator could fan the spilled items out only after the activity has returned,
// which is the plan without the Map in the group. The built-in Azure platforms take the other
// reading, SpillsHTTP: the activity calls an HTTP-triggered function of its app.
// docs/simulator.md, "Spills on Durable Functions".
func (p *Platform) NoSpills() string {
	if p.Spills != SpillsRefused {
		return ""
	}
	return "spills are refused on this platform (spills \"refused\": an activity cannot start activities on Durable Functions, \"Activity functions can only be triggered from an orchestration instance\", Microsoft Learn, Durable Functions types and features, and HTTP-triggered spills are not assumed): keep all of the Map's items in its VM (bundle = its largest item count) or leave the Map out of the fusion group, and the orchestrator fans its bundles out"
}
