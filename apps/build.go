package apps

import "github.com/wisefuse/wisefuse/dag"

// Small constructors that keep the workflow definitions readable.

// ItemSkew is the item-skew factor the built-ins give a Map's invocations: uniform on
// [1-width, 1], i.e. each item does between 1-width and 1 times the work of the heaviest one
// (content-dependent work is bounded, so the straggler of a run is about as slow in every run, as
// the profiles show). The calibration draws its skews from the same distribution.
func ItemSkew(width float64) dag.Dist {
	if width == 0 {
		return dag.Const(1) // explicit, so that the JSON form reads 1 rather than an unset 0
	}
	return dag.Dist{Kind: dag.Uniform, Min: 1 - width, Max: 1}
}

// runFactor is the per-run factor exp(N(0, sigma^2)) shared by a function's invocations in a run.
func runFactor(sigma float64) dag.Dist {
	if sigma == 0 {
		return dag.Const(1)
	}
	return dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: sigma}
}

func task(name string) dag.Step { return dag.Step{Name: name, Task: name} }

func mapOf(name string, items int, iterator ...dag.Step) dag.Step {
	return dag.Step{Name: name, Map: &dag.Map{Items: dag.Const(float64(items)), Iterator: iterator}}
}
