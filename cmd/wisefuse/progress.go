package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/wisefuse/wisefuse/experiments"
)

// stageBar is the one progress display of the CLI's long work: one bar per stage on a terminal,
// and nothing when stderr is a pipe or a file (or with --quiet), so a bar never lands in a log.
type stageBar struct {
	on     bool
	labels map[string]string // a stage's description; the stage's own name when absent
	stage  string
	bar    *progressbar.ProgressBar
	start  time.Time
}

func newStageBar(quiet bool, labels map[string]string) *stageBar {
	return &stageBar{on: !quiet && experiments.IsTerminal(os.Stderr), labels: labels, start: time.Now()}
}

// update moves stage's bar to done of total; a new stage ends the previous one's bar.
func (b *stageBar) update(stage string, done, total int64) { b.updateEvents(stage, done, total, 0) }

// updateEvents is update for a stage that also counts simulation events: the bar's description
// then gives the events per second so far.
func (b *stageBar) updateEvents(stage string, done, total, events int64) {
	if !b.on {
		return
	}
	if stage != b.stage {
		b.finish()
		b.stage, b.start = stage, time.Now()
		desc := b.labels[stage]
		if desc == "" {
			desc = stage
		}
		b.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond))
	}
	if events > 0 {
		if el := time.Since(b.start).Seconds(); el > 0 {
			b.bar.Describe(fmt.Sprintf("%s (%.2gM events/s)", b.desc(), float64(events)/el/1e6))
		}
	}
	b.bar.Set64(done)
}

func (b *stageBar) desc() string {
	if d := b.labels[b.stage]; d != "" {
		return d
	}
	return b.stage
}

func (b *stageBar) finish() {
	if b.bar != nil {
		b.bar.Finish()
		fmt.Fprintln(os.Stderr)
		b.bar = nil
	}
}
