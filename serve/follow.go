package serve

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Follow is how the service keeps its catalog current in the background,
// as a till does with --sync (catalog.md, "Updating a till"). The caller
// binds the URL, the directory, the trust file and the state, as for the
// till's screen (cmd/smartcheck's followFlags make both).
type Follow struct {
	Source  string        // what is followed, for people: the URL
	Every   time.Duration // from the end of one sync to the start of the next; sooner (at most a minute) after a failure that was not a refusal
	Timeout time.Duration // bounds one sync; default 10 minutes

	// Sync runs one sync; installed is the catalog in use (nil if none),
	// which it may extend without verifying it again.
	Sync func(ctx context.Context, installed *catalog.Catalog) (catalog.SyncResult, error)
	// Open opens the installed catalog after a sync installed a newer one.
	Open func() (*catalog.Catalog, error)
}

// followState is how the syncs went, under Server.mu.
type followState struct {
	running  bool
	last, ok syncRun // ok: the last one that succeeded
}

type syncRun struct {
	start, end time.Time
	result     catalog.SyncResult
	err        error
	outcome    syncOutcome
}

// syncStatus is the "sync" object of /healthz.
type syncStatus struct {
	Source  string `json:"source"`
	Running bool   `json:"running,omitempty"`
	Last    string `json:"last,omitempty"`    // when the last sync ended (RFC 3339)
	Outcome string `json:"outcome,omitempty"` // installed, up_to_date, failed or refused
	Error   string `json:"error,omitempty"`
	LastOK  string `json:"last_ok,omitempty"` // when the last successful sync ended
}

func (s *Server) syncStatus() *syncStatus {
	f := s.cfg.Follow
	if f == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &syncStatus{Source: f.Source, Running: s.follow.running}
	if l := s.follow.last; !l.end.IsZero() {
		st.Last = l.end.UTC().Format(time.RFC3339)
		st.Outcome = syncOutcomeNames[l.outcome]
		if l.err != nil {
			st.Error = l.err.Error()
		}
	}
	if ok := s.follow.ok; !ok.end.IsZero() {
		st.LastOK = ok.end.UTC().Format(time.RFC3339)
	}
	return st
}

// followLoop syncs at once, then every Every, until ctx is done. A newer
// catalog is opened off the request path and swapped in.
func (s *Server) followLoop(ctx context.Context) {
	f := s.cfg.Follow
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	for {
		run := s.syncOnce(ctx, f, timeout)
		if ctx.Err() != nil {
			return
		}
		wait := f.Every
		if run.outcome == syncFailed {
			wait = min(wait, time.Minute)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (s *Server) syncOnce(ctx context.Context, f *Follow, timeout time.Duration) syncRun {
	s.mu.Lock()
	s.follow.running = true
	s.mu.Unlock()
	run := syncRun{start: s.cfg.Now()}

	h := s.cur.acquire()
	var installed *catalog.Catalog
	if h != nil {
		installed = h.cat
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	run.result, run.err = f.Sync(sctx, installed)
	cancel()
	if h != nil {
		h.release()
	}
	if run.err == nil && run.result.Installed {
		cat, err := f.Open()
		if err != nil {
			run.err = fmt.Errorf("failed: the catalog it installed does not open (%w); still using the one open before", err)
		} else {
			s.Load(cat, false)
		}
	}
	run.end = s.cfg.Now()
	var se *catalog.SyncError
	switch {
	case run.err == nil && run.result.Installed:
		run.outcome = syncInstalled
	case run.err == nil:
		run.outcome = syncUpToDate
	case errors.As(run.err, &se) && se.Check != "":
		run.outcome = syncRefused
	default:
		run.outcome = syncFailed
	}
	if ctx.Err() == nil || run.err == nil {
		s.metrics.syncs[run.outcome].Add(1)
	}
	s.mu.Lock()
	s.follow.running = false
	s.follow.last = run
	if run.err == nil {
		s.follow.ok = run
	} else if s.cur.p.Load() == nil {
		s.untrusted = fmt.Errorf("the first sync from %s has not installed a catalog: %w", f.Source, run.err)
	}
	s.mu.Unlock()
	return run
}
