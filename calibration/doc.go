// Package calibration fits the built-in apps (package apps) to the public AWS Lambda profiles
// of the ORION artifact (shared/data/aws-lambda-profiles, read with package orion) and checks
// the fit by simulating them (package sim): per function, facts from the code (Specs) and a CPU
// and variability model fitted to the measured stage quantiles (Fit); per app, the orchestration
// overhead (FitOverhead); simulated against measured quantiles (Compare) and ORION's bundling
// measurement (SimulateBundling); and the report and figures behind docs/calibration.md
// (Report, WriteFigure). `wisefuse calibrate` runs it, and TestCarriedConstantsMatchFit checks
// that the constants apps carries are what the fit gives today.
//
// It sits above apps, sim and figures in the pipeline; apps does not import it, so defining or
// running a workflow never needs the measurements.
package calibration
