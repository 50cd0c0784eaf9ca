// Package baselines holds the planners WiseFuse is compared with: User-Max, User-Min, Sonic,
// Photons and Faastlane. Each lives in its own file whose doc comment cites its paper and lists
// what is modelled and what is simplified; docs/baselines.md collects the same facts.
//
// Every baseline implements dag.Planner and expresses its execution behaviour only through a
// dag.Plan (memory per function, bundles, fusion groups, data passing, shared runtimes), so the
// simulator runs it like any other plan. ByName builds one from its command-line name.
package baselines
