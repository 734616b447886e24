package tui

import (
	"sync"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Appender writes one due-diligence record durably
// (*catalog.DueDiligenceLog does).
type Appender interface {
	Append(catalog.DueDiligenceRecord) error
}

// LogWriter hands due-diligence records to an Appender on a goroutine of
// its own, in the order they were recorded, so that Update never waits
// for a disk. Record never blocks: the queue has no bound, and a record
// is only ever held in memory for as long as the disk takes to sync the
// ones before it.
type LogWriter struct {
	a Appender

	mu      sync.Mutex
	queue   []catalog.DueDiligenceRecord
	closed  bool
	wake    chan struct{} // a record was queued, or Close was called
	done    chan struct{} // the goroutine has written everything and ended
	failed  chan error    // append errors, for the screen
	lastErr error
}

// NewLogWriter starts writing to a.
func NewLogWriter(a Appender) *LogWriter {
	w := &LogWriter{a: a, wake: make(chan struct{}, 1), done: make(chan struct{}), failed: make(chan error, 16)}
	go w.run()
	return w
}

// Record queues rec to be appended.
func (w *LogWriter) Record(rec catalog.DueDiligenceRecord) {
	w.mu.Lock()
	if !w.closed {
		w.queue = append(w.queue, rec)
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *LogWriter) run() {
	defer close(w.done)
	defer close(w.failed)
	for {
		w.mu.Lock()
		batch := w.queue
		w.queue = nil
		closed := w.closed
		w.mu.Unlock()
		for _, rec := range batch {
			if err := w.a.Append(rec); err != nil {
				w.mu.Lock()
				w.lastErr = err
				w.mu.Unlock()
				select {
				case w.failed <- err:
				default: // the screen already shows a failure
				}
			}
		}
		if len(batch) > 0 {
			continue
		}
		if closed {
			return
		}
		<-w.wake
	}
}

// failures delivers append errors; it is closed when the writer ends.
func (w *LogWriter) failures() <-chan error { return w.failed }

// Close writes what is queued and stops. It returns the last append
// error, if any.
func (w *LogWriter) Close() error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}
