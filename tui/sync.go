package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// SyncConfig is how a screen keeps its catalog current in the background
// (catalog.md, "Updating a till"; `--sync URL --sync-every 15m`). The
// caller binds the URL, the directory, the trust file and the state; the
// screen only calls these, as commands, off the UI path.
type SyncConfig struct {
	// Source is what is followed, for people: the URL.
	Source string
	// Every is the time from the end of one sync to the start of the
	// next; after a failure that was not a refusal the next try comes
	// sooner (at most a minute later). The first sync starts at once.
	Every time.Duration
	// Timeout bounds one sync; default 10 minutes.
	Timeout time.Duration

	// Sync runs one sync. installed is the catalog the screen has open
	// from the directory (nil if none), which the sync may extend
	// without verifying it again (catalog.Syncer.Installed).
	Sync func(ctx context.Context, installed *catalog.Catalog) (catalog.SyncResult, error)
	// Open opens the installed catalog after a sync installed a newer
	// one, as the screen opened its first.
	Open func() (*catalog.Catalog, error)
}

// SyncOutcome is how one background sync went.
type SyncOutcome struct {
	Start, End time.Time
	Result     catalog.SyncResult
	Err        error // the sync's error, or the error opening what it installed
}

// BackgroundSync is the part of a screen's model that keeps its catalog
// current: the till embeds one, and so can the kiosk. It runs one sync
// at a time, as a command, then waits Every for the next; a sync that
// installed a newer catalog also opens it, off the UI path, and Update
// hands the opened catalog to the screen, which swaps it in between
// lookups. Its messages carry the BackgroundSync they belong to, so two
// screens in one program never take each other's.
type BackgroundSync struct {
	cfg     SyncConfig
	now     func() time.Time
	running bool
	since   time.Time   // when the running sync started
	last    SyncOutcome // zero until the first sync ends
	ok      SyncOutcome // the last sync that succeeded
}

// Messages of a BackgroundSync.
type (
	syncDueMsg  struct{ s *BackgroundSync }
	syncDoneMsg struct {
		s   *BackgroundSync
		out SyncOutcome
		cat *catalog.Catalog // opened after an install; nil otherwise
	}
)

// NewBackgroundSync returns the sync cfg describes; now is the screen's
// clock (nil: time.Now).
func NewBackgroundSync(cfg SyncConfig, now func() time.Time) *BackgroundSync {
	if now == nil {
		now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Minute
	}
	return &BackgroundSync{cfg: cfg, now: now}
}

// Start runs the first sync; installed is the catalog the screen has
// open (nil if none).
func (s *BackgroundSync) Start(installed *catalog.Catalog) tea.Cmd {
	if s == nil {
		return nil
	}
	return s.run(installed)
}

func (s *BackgroundSync) run(installed *catalog.Catalog) tea.Cmd {
	if s.running {
		return nil
	}
	s.running, s.since = true, s.now()
	cfg, now, start := s.cfg, s.now, s.since
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
		defer cancel()
		out := SyncOutcome{Start: start}
		out.Result, out.Err = cfg.Sync(ctx, installed)
		var cat *catalog.Catalog
		if out.Err == nil && out.Result.Installed {
			var err error
			if cat, err = cfg.Open(); err != nil {
				out.Err = fmt.Errorf("failed: the catalog it installed does not open (%w); still using the one open before", err)
			}
		}
		out.End = now()
		return syncDoneMsg{s: s, out: out, cat: cat}
	}
}

// Update takes in the sync's own messages; ok reports whether msg was
// one. When a sync installed a newer catalog and opened it, cat is that
// catalog: the screen swaps it in when no lookup is in flight, and closes
// the one it replaces. installed is the newest catalog the screen has
// (the next sync may extend it).
func (s *BackgroundSync) Update(msg tea.Msg, installed *catalog.Catalog) (cat *catalog.Catalog, cmd tea.Cmd, ok bool) {
	if s == nil {
		return nil, nil, false
	}
	switch msg := msg.(type) {
	case syncDueMsg:
		if msg.s != s {
			return nil, nil, false
		}
		return nil, s.run(installed), true
	case syncDoneMsg:
		if msg.s != s {
			return nil, nil, false
		}
		s.running = false
		s.last = msg.out
		if msg.out.Err == nil {
			s.ok = msg.out
		}
		wait := s.cfg.Every
		if msg.out.Err != nil && !s.Refused() {
			wait = min(wait, time.Minute)
		}
		return msg.cat, tea.Tick(wait, func(time.Time) tea.Msg { return syncDueMsg{s} }), true
	}
	return nil, nil, false
}

// Last returns how the last sync went, and whether one has ended.
func (s *BackgroundSync) Last() (SyncOutcome, bool) {
	if s == nil {
		return SyncOutcome{}, false
	}
	return s.last, !s.last.End.IsZero()
}

// Refused reports whether the last sync refused the published catalog:
// a security failure (rollback, rewritten history, tampering, a bad
// signature, expiry), which staff should hear about.
func (s *BackgroundSync) Refused() bool {
	var se *catalog.SyncError
	return s != nil && errors.As(s.last.Err, &se) && se.Check != ""
}

// Status says how syncing goes, for a status line: what is followed,
// whether a sync is running, and how the last one went (Europe/London
// times), most important first, so that clipping cuts the details:
//
//	following https://cdn.example/cat/ · synced 10:42: up to date
//	following https://cdn.example/cat/ · syncing… · synced 10:42: 1000 new records
//	following https://cdn.example/cat/ · sync 10:57 failed (last good 10:42): fetch checkpoint: …
//	following https://cdn.example/cat/ · sync 10:57 REFUSED (last good 10:42)
func (s *BackgroundSync) Status() string {
	if s == nil {
		return ""
	}
	clock := func(t time.Time) string { return t.In(london).Format("15:04") }
	text := "following " + s.cfg.Source
	last, ended := s.Last()
	if s.running {
		text += " · syncing…"
	}
	switch {
	case !ended:
	case last.Err == nil && last.Result.Installed && last.Result.Added > 0:
		text += fmt.Sprintf(" · synced %s: %d new %s", clock(last.End), last.Result.Added, plural(int(last.Result.Added), "record", "records"))
	case last.Err == nil && last.Result.Installed:
		text += fmt.Sprintf(" · synced %s: a newer checkpoint", clock(last.End))
	case last.Err == nil:
		text += fmt.Sprintf(" · synced %s: up to date", clock(last.End))
	default:
		what := "failed"
		if s.Refused() {
			what = "REFUSED"
		}
		text += fmt.Sprintf(" · sync %s %s", clock(last.End), what)
		if !s.ok.End.IsZero() {
			text += fmt.Sprintf(" (last good %s)", clock(s.ok.End))
		}
		if !s.Refused() { // a refusal has a banner of its own
			text += ": " + strings.TrimPrefix(last.Err.Error(), "failed: ")
		}
	}
	return text
}

// Refusal returns, when the last sync refused the published catalog, a
// sentence for a banner: which check failed and what the screen still
// uses. "" otherwise.
func (s *BackgroundSync) Refusal() string {
	if !s.Refused() {
		return ""
	}
	return fmt.Sprintf("✗ CATALOG UPDATE REFUSED from %s: %s", s.cfg.Source, strings.TrimPrefix(s.last.Err.Error(), "refused: "))
}

// catalogSwap holds a catalog that a background sync installed and
// opened until the screen can use it: between lookups, since a lookup
// reads only the catalog it started with.
type catalogSwap struct {
	next *catalog.Catalog
}

// newest returns the waiting catalog, or cur.
func (s *catalogSwap) newest(cur *catalog.Catalog) *catalog.Catalog {
	if s.next != nil {
		return s.next
	}
	return cur
}

// offer keeps cat, closing a waiting catalog it supersedes unused.
func (s *catalogSwap) offer(cat *catalog.Catalog) {
	if s.next != nil {
		s.next.Close()
	}
	s.next = cat
}

// take puts the waiting catalog in *cur unless a lookup is busy, and
// closes the one it replaces: nothing else reads it. It reports whether
// it swapped.
func (s *catalogSwap) take(cur **catalog.Catalog, busy bool) bool {
	if s.next == nil || busy {
		return false
	}
	old := *cur
	*cur, s.next = s.next, nil
	if old != nil {
		old.Close()
	}
	return true
}
