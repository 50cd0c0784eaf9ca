// Package policy is the one registry of planning policies: WiseFuse and the baselines (User-Max,
// User-Min, Sonic, Photons, Faastlane and its in-VM variant), built by name for a workflow. The
// CLI and the experiments build every planner here, so a policy name means the same thing
// everywhere.
//
// New(name, w, env) checks the workflow's shape (Check), then returns a dag.Planner: WiseFuse
// profiled on env's platform (or planning from env.Profile, e.g. real AWS logs), or a baseline
// with env's options. WiseFuse's planner (WiseFusePlanner, from NewWiseFuse) profiles once
// more, with up to AdaptiveFactor times the runs (AdaptiveRuns), when the sampling bound on a
// plan's percentile is what decides its plan and the run count is the default. Env's zero
// value is the CLI's default. Names lists the policies in table order; an unknown name is an *UnknownError.
//
// It sits above the planners and the simulator, which never see each other: wisefuse and
// baselines plan from platform facts and profiles, and this package supplies those profiles by
// running the workflow in sim (ProfileInSim, SimRunner; Sonic's compute times likewise). It
// imports baselines, dag, platform, records, sim and wisefuse; experiments and the CLI import it.
package policy
