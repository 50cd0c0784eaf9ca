package baselines

import (
	"github.com/wisefuse/wisefuse/sim"
)

// DefaultSonicProfileRuns is how many simulated profiling runs Sonic takes by default.
const DefaultSonicProfileRuns = 20

// NewSonic returns Sonic configured from opts: the user's memory, the goal, the default platform's
// public numbers for its model, and profiling by simulation.
func NewSonic(opts Options) (*Sonic, error) {
	goal := opts.SonicGoal
	if goal == "" {
		goal = SonicLatency
	}
	if goal != SonicLatency && goal != SonicPerfPerDollar {
		return nil, errorf("sonic goal %q: want %q or %q", goal, SonicLatency, SonicPerfPerDollar)
	}
	runs := opts.SonicProfileRuns
	if runs <= 0 {
		runs = DefaultSonicProfileRuns
	}
	pf := sim.DefaultPlatform()
	return &Sonic{Goal: goal, MemoryMB: opts.MemoryMB, Model: SonicModelOf(pf), Profile: SimProfiler(runs, opts.Seed)}, nil
}

// SonicModelOf takes the numbers Sonic's model needs from a platform description.
func SonicModelOf(p *sim.Platform) SonicModel {
	return SonicModel{
		StoragePutLatencyS: p.StoragePutLatency,
		StorageGetLatencyS: p.StorageGetLatency,
		StorageBytesPerS:   p.ConnectionBps,
		DirectLatencyS:     p.DirectLatency,
		VMNetworkBytesPerS: p.VMNetworkBps,
		LocalBytesPerS:     p.LocalBps,
		TransitionS:        p.TransitionLatency,
		MBPerVCPU:          p.MBPerVCPU,
		PricePerGBSecond:   p.GBSecondUSD,
		PricePerRequest:    p.RequestUSD,
		PricePut:           p.PutUSD,
		PriceGet:           p.GetUSD,
		PricePerTransition: p.TransitionUSD,
	}
}
