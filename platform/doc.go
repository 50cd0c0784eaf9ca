// Package platform holds the facts of the serverless platform the project plans for and
// simulates: CPU share and visible cores per memory size, storage and network latencies and
// bandwidths, transitions, keep-alive, concurrency limit and prices, each with its source. Default
// is AWS Lambda with Step Functions Standard and S3.
//
// The simulator runs on a *Platform; the planners read the public part of it (Published: what a
// provider documents) so they never depend on the simulator. Load resolves a --platform value: a
// built-in name (Names: aws-lambda, azure-durable, azure-flex) or a JSON file of overrides of
// the built-in its "base" field names, read by Read or Parse, where an unknown field is an
// error. SizeMB and MemoryChoices say which VM sizes the platform offers; VCPU and VisibleCores
// give a VM's CPU share and cores (together: Cores); BilledMB the memory an execution is billed at.
// SpinEfficiency is the one law of spin-waiting threads on fewer visible cores than threads that
// the simulator applies and the planners predict with (SpinMemo: the same, remembered). The Azure
// mechanisms' derived facts are methods too: ScaleOutInterval (by ScaleTrigger; ScaleOutIntervalOf
// a trigger's, which HTTP-triggered spills scale at) and
// OrchestratorSlots (per instance, on at most PartitionCount instances), and NoSpills (why a VM
// may not invoke executions of its own: Spills "refused", one reading of Durable Functions, whose
// activities cannot start activities; the built-in Azure platforms run spills as HTTP-triggered
// executions instead).
// An Azure app's storage transactions depend on its storage account, the user's choice:
// SetAzureStorage prices them for one of AzureStorageRange (the built-in Azure platforms have the
// cheapest, AzureGPv2LRS).
//
// It imports only the standard library, so every package may use it.
package platform
