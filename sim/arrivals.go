package sim

// This file holds arrival-time generators for RunArrivals.

import (
	"math"
	"math/rand/v2"
)

// PoissonArrivals returns the arrival times, in seconds, of a Poisson process of rate arrivals
// per second over [0, duration) seconds, from stream (seed, 0) of its own.
func PoissonArrivals(rate, duration float64, seed uint64) []float64 {
	if !(rate > 0) || !(duration > 0) || math.IsInf(rate, 0) || math.IsInf(duration, 0) {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, 0))
	var out []float64
	for t := r.ExpFloat64() / rate; t < duration; t += r.ExpFloat64() / rate {
		out = append(out, t)
	}
	return out
}
