package replay

// This file holds the replay's pipeline: the trace is decoded on one goroutine, simulated on the
// caller's and its output rows are written on a third, so that on a machine with more than one
// core the decoding and the encoding run beside the simulation. Batches go through bounded
// channels and come back to be reused, so memory holds a fixed number of batches whatever the
// trace's length. The simulation itself (sim.Replay) stays single-threaded and deterministic:
// the arrivals reach it, and its outcomes leave it, in exactly the order of one goroutine doing
// everything, so every output byte is the same whatever GOMAXPROCS.

import (
	"errors"

	"github.com/wisefuse/wisefuse/internal/crash"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
)

// Batch sizes and how many batches each channel has. A batch amortizes the channel's
// synchronization over thousands of rows; a few of them let one side run ahead of the other by
// that much. With function rows an outcome batch also closes at batchFunctions records (plus
// the last DAG invocation's), which bounds it to a few MB.
const (
	batchArrivals  = 4096
	batchOutcomes  = 4096
	batchFunctions = 16384
	// batchSeries bounds a batch's series rows too: with a short --series-interval, an idle
	// stretch between two outcomes emits millions of rows (0.001 s over a day of a small trace
	// grew one batch past 1.2 GB and the replay died out of memory).
	batchSeries     = 16384
	batchesInFlight = 4
)

// simulation is the replay's simulation stage: sim.Replay over the arrivals of src, each outcome
// handed to emitted on the simulating goroutine (progress) and, with the function records (fns)
// and the series rows that opt asks for (opt.SeriesInterval), to write in batches. Run runs it as
// pipelined.
type simulation struct {
	work    []sim.Workload
	src     *source
	opt     sim.Options // OnRun and OnSeries are the stage's own
	fns     bool
	emitted func(*sim.Outcome)
	write   func(*outBatch) error
}

// outBatch is a run of the simulation's output in the order it was produced: the outcomes, and
// the function records and series rows each of which came after the first `at` of them.
type outBatch struct {
	outs   []sim.Outcome
	fns    []fnRow
	series []seriesRow
}

type fnRow struct {
	at  int
	dag int32
	id  int64
	rec records.Invocation
}

type seriesRow struct {
	at  int
	row sim.SeriesRow
}

func (b *outBatch) reset() {
	b.outs, b.fns, b.series = b.outs[:0], b.fns[:0], b.series[:0]
}

func (b *outBatch) empty() bool { return len(b.outs)+len(b.fns)+len(b.series) == 0 }

// pipelined runs the simulation with the trace decoded on one goroutine and the output written
// on another. The error is the one a replay on one goroutine meets first: a bad row of the trace
// reaches the simulation where it is in the trace (the decoder hands the error over after the
// arrivals before it), and a write error wins over any error of the simulation, because the
// outcome whose row failed was produced before it. Both goroutines have ended when it returns.
func (s *simulation) pipelined() (sim.ReplayStats, error) {
	d := startDecoder(s.src)
	defer d.stop()
	w := startWriter(s.write)
	defer w.close() // after a panic of the simulation; otherwise closed below
	// OnRun follows the emit of the same DAG invocation at once: its records are that one's.
	var lastDAG int32
	emit := func(o *sim.Outcome) error {
		s.emitted(o)
		if b := w.cur; len(b.outs) == cap(b.outs) || len(b.fns) >= batchFunctions {
			if err := w.send(); err != nil {
				return err
			}
		}
		w.cur.outs = append(w.cur.outs, *o)
		lastDAG = o.DAG
		return nil
	}
	opt := s.opt
	if s.fns {
		opt.OnRun = func(d records.DAGRun, recs []records.Invocation) error {
			b := w.cur
			for i := range recs {
				b.fns = append(b.fns, fnRow{at: len(b.outs), dag: lastDAG, id: int64(d.Run), rec: recs[i]})
			}
			return nil
		}
	}
	if s.opt.SeriesInterval > 0 {
		opt.OnSeries = func(r sim.SeriesRow) error {
			if len(w.cur.series) >= batchSeries {
				if err := w.send(); err != nil {
					return err
				}
			}
			w.cur.series = append(w.cur.series, seriesRow{at: len(w.cur.outs), row: r})
			return nil
		}
	}
	stats, err := sim.Replay(s.work, d.next, emit, opt)
	if werr := w.close(); werr != nil {
		return sim.ReplayStats{}, werr
	}
	return stats, err
}

// arrivalBatch is a run of checked arrivals; end says the source ended after them, with err
// (nil at the end of the trace or of the window).
type arrivalBatch struct {
	a   []sim.Arrival
	end bool
	err error
}

// decoder runs source.next on its own goroutine, a batch at a time.
type decoder struct {
	full, free chan *arrivalBatch
	quit       chan struct{} // closed by stop
	done       chan struct{} // closed when the goroutine has returned
	panicked   error         // its panic, as a *crash.Panic
	cur        *arrivalBatch
	i          int
}

// errStopped is what the source returns once the simulation has stopped reading it; nobody
// reads it.
var errStopped = errors.New("replay: decoding stopped")

func startDecoder(src *source) *decoder {
	d := &decoder{full: make(chan *arrivalBatch, batchesInFlight), free: make(chan *arrivalBatch, batchesInFlight),
		quit: make(chan struct{}), done: make(chan struct{})}
	for range batchesInFlight {
		d.free <- &arrivalBatch{a: make([]sim.Arrival, 0, batchArrivals)}
	}
	// The source checks for cancellation every 4,096 rows; it also stops there once the
	// simulation has, so a stop does not wait for a batch of a shard's rare rows.
	stopped := src.stopped
	src.stopped = func() error {
		select {
		case <-d.quit:
			return errStopped
		default:
			return stopped()
		}
	}
	go func() {
		defer close(d.done)
		d.panicked = crash.Go(func() error { d.decode(src); return nil })
		close(d.full) // after the end batch, or on a panic: next then returns the panic
	}()
	return d
}

func (d *decoder) decode(src *source) {
	for {
		var b *arrivalBatch
		select {
		case b = <-d.free:
		case <-d.quit:
			return
		}
		b.a, b.end, b.err = b.a[:0], false, nil
		for len(b.a) < cap(b.a) {
			var a sim.Arrival
			ok, err := src.next(&a)
			if !ok {
				b.end, b.err = true, err
				break
			}
			b.a = append(b.a, a)
		}
		select {
		case d.full <- b:
		case <-d.quit:
			return
		}
		if b.end {
			return
		}
	}
}

// next is the simulation's source: the decoder's arrivals in order, then its end.
func (d *decoder) next(a *sim.Arrival) (bool, error) {
	for d.cur == nil || d.i == len(d.cur.a) {
		if d.cur != nil {
			if d.cur.end {
				return false, d.cur.err
			}
			d.free <- d.cur // never blocks: it holds every batch
		}
		b, ok := <-d.full
		if !ok {
			d.cur = &arrivalBatch{end: true, err: d.panicked}
			continue
		}
		d.cur, d.i = b, 0
	}
	*a = d.cur.a[d.i]
	d.i++
	return true, nil
}

// stop ends the decoding and waits for the goroutine.
func (d *decoder) stop() {
	close(d.quit)
	<-d.done
}

// writer runs write on its own goroutine, a batch at a time, while the simulation fills cur.
type writer struct {
	full, free chan *outBatch
	failed     chan struct{} // closed when a write has failed (err)
	done       chan struct{} // closed when the goroutine has returned
	err        error
	cur        *outBatch // what the simulation fills
	closed     bool
}

func startWriter(write func(*outBatch) error) *writer {
	w := &writer{full: make(chan *outBatch, batchesInFlight), free: make(chan *outBatch, batchesInFlight),
		failed: make(chan struct{}), done: make(chan struct{})}
	for range batchesInFlight - 1 {
		w.free <- &outBatch{outs: make([]sim.Outcome, 0, batchOutcomes)}
	}
	w.cur = &outBatch{outs: make([]sim.Outcome, 0, batchOutcomes)}
	go func() {
		defer close(w.done)
		w.err = crash.Go(func() error {
			for b := range w.full {
				if err := write(b); err != nil {
					return err
				}
				b.reset()
				w.free <- b // never blocks: it holds every batch
			}
			return nil
		})
		if w.err != nil {
			close(w.failed)
		}
	}()
	return w
}

// send hands cur to the writer and takes an empty batch; after a failed write it returns the
// write's error. cur is never nil: the simulation may add to it after an error.
func (w *writer) send() error {
	select {
	case w.full <- w.cur:
	case <-w.failed:
		return w.err
	}
	select {
	case w.cur = <-w.free:
		return nil
	case <-w.failed:
		w.cur = &outBatch{} // nothing writes it any more
		return w.err
	}
}

// close hands over what is left, waits for the writer and returns its error. Closing again only
// returns the error.
func (w *writer) close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if !w.cur.empty() {
		select {
		case w.full <- w.cur:
		case <-w.failed: // nothing writes it any more
		}
	}
	close(w.full)
	<-w.done
	return w.err
}
