package baselines

// NewSonic returns Sonic configured from opts: the user's memory, the goal, and profiling by
// simulation on the default platform.
func NewSonic(opts Options) (*Sonic, error) {
	goal := opts.SonicGoal
	if goal == "" {
		goal = SonicLatency
	}
	if goal != SonicLatency && goal != SonicPerfPerDollar {
		return nil, errorf("sonic goal %q: want %q or %q", goal, SonicLatency, SonicPerfPerDollar)
	}
	return &Sonic{Goal: goal, MemoryMB: opts.MemoryMB}, nil
}
