// Package dag is the project's vocabulary: a serverless workflow, its functions, and a plan that
// says how to run it.
//
// A Workflow mirrors the AWS Step Functions (Amazon States Language) structure it is usually
// written in: a sequence of Steps, each a Task (one function invocation), a Parallel (several
// branches, each a sub-sequence, all of which must finish), a Map (N items, each running the
// iterator sub-sequence independently) or a Pass (an orchestration-only state). Steps nest.
//
// A Function carries what the simulator needs to run it: the memory it needs at least, its compute
// work (a serial part and a part that spreads over up to Threads threads), its input and output
// data sizes, its cold-start init time, and the variability of each as a Dist. Two multiplicative
// factors model the structure of variability in real workflows: ItemSkew is drawn per invocation
// (skew between the items of a Map) and RunFactor once per workflow run, shared by all of that
// function's invocations in the run (correlation between parallel siblings).
//
// A Plan says, for one workflow, the memory (VM size) of each function, the bundle size of each
// Map (items per VM) and the fusion groups (consecutive steps that run in one VM and pass data
// locally). Plan.Validate explains exactly what is wrong with a plan.
//
// Workflows and plans are read from and written to JSON (docs/workflow-format.md); ReadASL imports
// an AWS Step Functions definition plus a side file of function performance, and ExportASL writes
// a plan back as a deployable state machine with its Lambda configuration (a Deployment, which
// ParsePlan reads as the plan it deploys).
package dag
