// Package apps defines the built-in workflows of the paper: video analytics, ML pipeline and
// chatbot (fitted to public AWS Lambda measurements; the fitted numbers are carried as constants
// that cite their source) and our reconstruction of approximate SVD. It is what the CLI and the
// experiments use to name a workflow: the registry (Lookup, Get, All), ORION's video bundling plan
// (VideoBundlePlan) and Platform, which adapts a platform to an app's fitted orchestration
// overhead. Any command that takes --workflow accepts these names.
//
// apps holds definitions only and imports just dag and platform. The fit that produced the
// constants, and its check against the measurements, are in package calibration.
package apps
