package serve

import (
	"sync"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// batchAppender writes records durably, many at a time
// (*catalog.DueDiligenceLog does).
type batchAppender interface {
	AppendAll([]catalog.DueDiligenceRecord) error
}

// logWriter hands due-diligence records to the log on a goroutine of its
// own: a request does not wait for the disk, and the records that arrive
// while one batch is synced go out together in the next, one write and
// one sync for the lot. At most maxQueued records wait; a request that
// finds the queue full waits for room (the disk sets the pace, and no
// record is dropped).
type logWriter struct {
	a batchAppender

	mu      sync.Mutex
	room    *sync.Cond // signalled when the queue shrinks
	queue   []catalog.DueDiligenceRecord
	closed  bool
	wake    chan struct{}
	done    chan struct{}
	lastErr error
	failed  int64 // records that could not be written
}

const (
	maxQueued = 50_000
	maxBatch  = 4096
	// gather is how long the writer lets records gather after a write
	// that took all there were, so that a busy service syncs its log a
	// couple of hundred times a second, not once a lookup: a sync costs
	// CPU as well as time. A record reaches the disk at most this much
	// later for it.
	gather = 5 * time.Millisecond
)

func newLogWriter(a batchAppender) *logWriter {
	w := &logWriter{a: a, wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.room = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// record queues recs; it reports false when the writer is closed.
func (w *logWriter) record(recs ...catalog.DueDiligenceRecord) bool {
	w.mu.Lock()
	for len(w.queue) >= maxQueued && !w.closed {
		w.room.Wait()
	}
	if w.closed {
		w.mu.Unlock()
		return false
	}
	w.queue = append(w.queue, recs...)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return true
}

func (w *logWriter) run() {
	defer close(w.done)
	for {
		w.mu.Lock()
		n := min(len(w.queue), maxBatch)
		batch := w.queue[:n:n]
		w.queue = w.queue[n:]
		if len(w.queue) == 0 {
			w.queue = nil
		}
		closed := w.closed
		w.room.Broadcast()
		w.mu.Unlock()
		if n > 0 {
			if err := w.a.AppendAll(batch); err != nil {
				w.mu.Lock()
				w.lastErr, w.failed = err, w.failed+int64(n)
				w.mu.Unlock()
			}
			if n < maxBatch && !closed {
				time.Sleep(gather)
			}
			continue
		}
		if closed {
			return
		}
		<-w.wake
	}
}

// status returns the last append error and how many records failed.
func (w *logWriter) status() (error, int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr, w.failed
}

// close writes what is queued and stops; it returns the last append
// error, if any.
func (w *logWriter) close() error {
	w.mu.Lock()
	w.closed = true
	w.room.Broadcast()
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.done
	err, _ := w.status()
	return err
}
