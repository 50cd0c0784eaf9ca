// Package orion reads the profiling logs of the ORION DAG profiler (icanforce/Orion-OSDI22,
// DAG_Profiler), the format of the public AWS Lambda profiles in
// shared/data/aws-lambda-profiles: one file per memory size, rsc_<M>_<M>_<M>.txt, one run a
// line, `E2E:<ms> <Stage>:<ms> ...`. A run its profiler cannot write (E2E below its slowest
// stage) is an error of ReadFile; what only looks wrong (few runs, values that may be seconds,
// stages that add up past E2E) is reported by Log.Warnings, for a command to print (plausible.go;
// docs/data.md gives the thresholds and how close the public logs come).
//
// It is the one parser of that format, at the bottom of the pipeline: package calibration reads
// the logs with it to fit the built-in apps, and package wisefuse turns a folder of logs into a
// planner profile. It imports only the standard library, so it repeats the few limits of package
// dag it checks (MinMemoryMB, MaxMemoryMB, MaxMillis; a test in cmd/wisefuse keeps them equal).
package orion
