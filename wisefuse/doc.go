// Package wisefuse is the system of the paper (Mahgoub et al., SIGMETRICS 2022), in three stages:
//
//   - Profiler: FromRecords turns a platform's records of unfused, unbundled runs at a few uniform
//     VM sizes into a Profile (the workflow's Skeleton and every invocation's gap, init,
//     transfers and compute, tagged with its run and item so that joint per-run samples stay
//     together); ProfileBy makes those runs through a Runner; ReadLogs reads real profiling logs.
//   - Modeler: NewModel fits each function's CPU Curve and Predict returns a plan's end-to-end
//     latency distribution (Latency, equally likely atoms) and mean cost from the profile alone;
//     a run with a VM busy past the platform's function timeout fails (+Inf), as on the platform.
//   - Transformer: NewPlanner and Planner.Search search fusion, bundling and VM sizes by dynamic
//     programming for the cheapest plan whose latency percentile meets an SLO (or the fastest
//     within a budget). A shape it cannot model is an *UnsupportedError (CheckSupported), an
//     objective no plan meets an *InfeasibleError.
//
// The package knows a platform only through its public facts and what it logs: it imports dag,
// platform, records and internal helpers (internal/stats, internal/atomicfile), never the
// simulator. Package policy connects the two (policy.ProfileInSim, policy.NewWiseFuse).
//
// Files, in pipeline order:
//
//	profile.go      Profile and its parts, Skeleton, validation, JSON files
//	profilejson.go  the fast read of a profile file (one walk, its number arrays decoded in parallel;
//	                jsonpos.Decode for anything unusual)
//	jsonnum.go      JSON numbers from bytes, with encoding/json's values (exact float64 conversion)
//	logs.go         ReadLogs: a profile from real AWS logs (package orion parses them); Logs: them back, for LogModel;
//	                LogWarnings: what looks wrong in them (orion.Log.Warnings)
//	logmodel.go     LogModel: the physical modeler of real logs (stage curves, interpolated spread, cost)
//	fromrecords.go  FromRecords: a profile from records; RecordCheck, its check of each record
//	profiling.go    ProfileBy, Runner, ProfileOptions
//	model.go        Model, ModelOptions, NewModel: a profile prepared for evaluation
//	curve.go        Curve: CPU scaling and its fit
//	median.go       the median by selection, for the fit
//	dist.go         Latency: atoms, series sum, percentiles, dominance; +Inf atoms are runs that timed out
//	predict.go      Predict: a plan as segments of top-level steps, added in series
//	tasks.go        top-level tasks, alone or fused, and a Map fused with its neighbours
//	maps.go         a Map under one configuration (sizes, fusion, bundle)
//	itemsummary.go  unbundled items reduced to those that can be a run's slowest
//	bundle.go       the bundle replay: processor sharing of a VM's CPU and network, and its lower bound
//	itembounds.go   a Map's items summed up once for the lower bounds of their bundles at every VM size
//	widemaps.go     very wide bundled Maps: candidate bundles instead of all
//	nested.go       Parallel stages and nested Maps: per-run trees of invocations, evaluated run by run
//	                (runs of tasks fused in a top-level Parallel's branch too)
//	fusedstages.go  fused groups holding a Parallel, several Maps, a Pass or a spilling Map (Faastlane's VM)
//	azure.go        Azure Durable Functions: the plan's orchestrator replays, control-queue polling, shared instances
//	platform.go     a VM's cores and cost (rounded where the platform bills a minimum, at the memory it bills) from the platform's facts;
//	                the function timeout: one VM acquisition's latency and billed time (acquisition, asked by every evaluation path)
//	planner.go      Planner, PlannerOptions, NewPlanner, Plan, CheckStructure
//	choices.go      every way to run a segment, and the plan a chosen sequence makes
//	evalpool.go     the workers that evaluate the segment options in parallel (PlannerOptions.Workers)
//	bigbundles.go   bundles above MaxBundle for a Map not fused with its neighbours
//	nestedchoices.go the sizings of a Parallel stage or nested Map: per unit, per branch, matched
//	search.go       Search: the dynamic program (sums sorted only where the pruning needs them), its bounds, the P95's sampling bound, one size per reused function, infeasibility
//	pareto.go       Pareto pruning with a tolerance (lazily, on replay bounds), thinning by cost
//	errors.go       UnsupportedError, CheckSupported, InfeasibleError
//
// docs/wisefuse.md gives each modelling choice with its reason and the measured accuracy and speed.
package wisefuse
