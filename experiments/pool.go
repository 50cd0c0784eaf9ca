package experiments

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/wisefuse/wisefuse/internal/crash"

	"github.com/schollz/progressbar/v3"
)

// errStop is returned by a cell hook in tests to simulate a kill between cells.
var errStop = errors.New("experiments: stopped")

// afterCell, when set (tests only), runs after each cell is kept on disk.
var afterCell func() error

// runPool computes the pending cells on cfg.Workers goroutines, keeping each cell's rows on disk
// as soon as it is done, so a run stopped at any point loses at most the cells in flight. The
// first error stops feeding new cells and is returned once the workers finish.
func runPool(cfg Config, pending []cellJob) error {
	bar := newBar(cfg.Progress, len(pending))
	jobs := make(chan cellJob)
	errs := make(chan error, len(pending)+1)
	var stop sync.Once
	done := make(chan struct{})
	fail := func(err error) {
		errs <- err
		stop.Do(func() { close(done) })
	}
	var wg sync.WaitGroup
	var hookMu sync.Mutex
	for w := 0; w < min(cfg.Workers, max(len(pending), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				// A cell handed over as the run stopped is dropped: once done is closed the
				// feeder's select may still pick the send, and the first error must stop new cells.
				select {
				case <-done:
					continue
				default:
				}
				if err := runCell(j); err != nil {
					fail(err)
					continue
				}
				if bar != nil {
					bar.Add(1)
				}
				if afterCell != nil {
					hookMu.Lock()
					err := afterCell()
					hookMu.Unlock()
					if err != nil {
						fail(err)
					}
				}
			}
		}()
	}
feed:
	for _, j := range pending {
		select {
		case jobs <- j:
		case <-done:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(cfg.Progress)
	}
	close(errs)
	return <-errs
}

// runCell computes one cell with its derived seed and keeps its rows at j.path.
func runCell(j cellJob) error {
	var rows []Row
	err := crash.Go(func() (err error) {
		rows, err = j.exp.Run(j.cell, Seed(j.exp.Name, j.cell.Key, 0))
		return err
	})
	if err == nil {
		err = writeTable(j.path, j.exp.Schema, normalize(rows))
	}
	if err == nil {
		err = writeCellSum(j.path, j.cell.Key)
	}
	if err != nil {
		return fmt.Errorf("experiment %s, cell %q: %w", j.exp.Name, j.cell.Key, err)
	}
	return nil
}

// normalize turns int values into int64, so rows computed now equal rows read back from disk.
func normalize(rows []Row) []Row {
	for _, r := range rows {
		for j, v := range r {
			if i, ok := v.(int); ok {
				r[j] = int64(i)
			}
		}
	}
	return rows
}

func newBar(w io.Writer, total int) *progressbar.ProgressBar {
	if w == nil || total == 0 {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("cells"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
	)
}

// IsTerminal reports whether f is a character device (an interactive terminal), where a
// progress bar makes sense.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
