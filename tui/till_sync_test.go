package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// syncCatalogs opens two synthetic catalogs of one log: the second has
// 1,000 more records, so product 2000 is unknown to the first and
// declared in the second.
func syncCatalogs(t *testing.T) (old, new *catalog.Catalog) {
	t.Helper()
	base := t.TempDir()
	issued := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var cats [2]*catalog.Catalog
	for i, n := range []int{1500, 2500} {
		dir := filepath.Join(base, fmt.Sprint(n))
		trust, err := catalog.WriteSynthetic(dir, n, "till-sync", issued.Add(time.Duration(n)*time.Minute), issued.AddDate(10, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		c, err := catalog.OpenDir(dir, trust, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		cats[i] = c
	}
	return cats[0], cats[1]
}

// fakeSync is a SyncConfig whose syncs return what the test says.
type fakeSync struct {
	mu      sync.Mutex
	results []func() (catalog.SyncResult, error)
	opened  *catalog.Catalog
	seen    []*catalog.Catalog // the installed catalog each sync was given
}

func (f *fakeSync) config() *SyncConfig {
	return &SyncConfig{
		Source: "https://cdn.example/catalog/",
		Every:  15 * time.Minute,
		Sync: func(ctx context.Context, installed *catalog.Catalog) (catalog.SyncResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.seen = append(f.seen, installed)
			next := f.results[0]
			f.results = f.results[1:]
			return next()
		},
		Open: func() (*catalog.Catalog, error) {
			if f.opened == nil {
				return nil, errors.New("open: no catalog")
			}
			return f.opened, nil
		},
	}
}

func installedResult(old, new *catalog.Catalog) func() (catalog.SyncResult, error) {
	return func() (catalog.SyncResult, error) {
		return catalog.SyncResult{Old: old.Checkpoint, New: new.Checkpoint, Installed: true, Added: new.Size() - old.Size()}, nil
	}
}

// runSync runs the till's next sync to its end, as the Bubble Tea loop
// would, and returns the command it schedules next (the tick, not run).
func runSync(t *testing.T, m *Till) tea.Cmd {
	t.Helper()
	cmd := m.sync.run(m.newestCatalog())
	if cmd == nil {
		t.Fatal("no sync started")
	}
	_, next := m.Update(cmd())
	return next
}

func syncTill(t *testing.T, cat *catalog.Catalog, f *fakeSync) (*Till, *memLog) {
	log := &memLog{}
	m := newTill(TillConfig{
		Catalog: cat,
		Today:   func() catalog.Date { return demoDay },
		Now:     newClock().Now,
		Log:     NewLogWriter(log),
		Sync:    f.config(),
	}, 200, 40)
	return m, log
}

// A catalog a sync installs takes effect between scans: a lookup in
// flight finishes with the catalog it started with, the next scan is
// judged by the new one, the log names the catalog that judged each, and
// the replaced catalog is closed.
func TestTillSwapsCatalogBetweenScans(t *testing.T) {
	old, new := syncCatalogs(t)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){installedResult(old, new)}, opened: new}
	m, log := syncTill(t, old, f)
	code := catalog.SyntheticGTIN(2000)

	// A scan whose lookup is in flight when the sync ends.
	var lookup tea.Cmd
	for _, k := range keys(code) {
		if _, cmd := m.Update(k); cmd != nil {
			lookup = cmd
		}
	}
	if lookup == nil || m.asking != 1 {
		t.Fatal("no lookup in flight")
	}
	runSync(t, m)
	if m.cfg.Catalog != old || m.swapper.next != new {
		t.Fatal("the catalog was swapped while a lookup was in flight")
	}
	drive(m, lookup())
	if m.cfg.Catalog != new || m.swapper.next != nil {
		t.Fatal("the new catalog did not take effect after the lookup")
	}
	// Unknown to the old catalog, the product was a CHECK: acknowledged.
	if m.hold == nil || m.hold.result.Verdict != catalog.Check {
		t.Fatal("scan 1 is not a CHECK on hold")
	}
	drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
	if _, err := old.Record(0); err == nil {
		t.Error("the replaced catalog was not closed")
	}
	scanAll(m, code)

	if len(m.history) != 2 {
		t.Fatalf("%d scans judged", len(m.history))
	}
	if d := m.history[0].result.Declaration; d != nil {
		t.Errorf("scan 1 was judged by the new catalog: found %s", d.ID)
	}
	if d := m.history[1].result.Declaration; d == nil || d.ID != "syn-2000" {
		t.Errorf("scan 2 was not judged by the new catalog: %+v", m.history[1].result.Findings)
	}
	m.cfg.Log.Close()
	recs := log.records()
	if len(recs) != 3 || recs[0].Catalog.Size != 1500 || recs[1].Event != catalog.EventAcknowledge || recs[2].Catalog.Size != 2500 {
		t.Errorf("log %+v; want a check and its acknowledgement by the catalog of size 1500, then a check by 2500", recs)
	}
	if !strings.Contains(screen(t, m), "synthetic.smartcheck.example/uk · 2500 records") {
		t.Errorf("status line does not name the new catalog:\n%s", screen(t, m))
	}
}

// A STOP judged by the old catalog is acknowledged in the log as judged
// by the old one, though the new took effect while it waited.
func TestTillSwapDuringStop(t *testing.T) {
	old, new := syncCatalogs(t)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){installedResult(old, new)}, opened: new}
	m, log := syncTill(t, old, f)
	scanAll(m, catalog.SyntheticGTIN(998), catalog.SyntheticGTIN(2000)) // a STOP, then a scan that waits
	if m.hold == nil {
		t.Fatal("no STOP on hold")
	}
	runSync(t, m)
	if m.cfg.Catalog != new {
		t.Fatal("the new catalog did not take effect while a STOP waited")
	}
	drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
	m.cfg.Log.Close()
	var got []string
	for _, r := range log.records() {
		got = append(got, fmt.Sprintf("%s:%d:%d", r.Event, r.Seq, r.Catalog.Size))
	}
	want := []string{"check:1:1500", "acknowledge:1:1500", "check:2:2500"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("log %q, want %q", got, want)
	}
}

type syncOutcome = func() (catalog.SyncResult, error)

// syncOutcomes are three syncs of the catalog old: one that finds it up to
// date, one that fails to reach the server, one refused as a rollback.
func syncOutcomes(old *catalog.Catalog) (upToDate, failed, refused syncOutcome) {
	upToDate = func() (catalog.SyncResult, error) {
		return catalog.SyncResult{Old: old.Checkpoint, New: old.Checkpoint}, nil
	}
	failed = func() (catalog.SyncResult, error) {
		return catalog.SyncResult{Old: old.Checkpoint, New: old.Checkpoint}, &catalog.SyncError{
			Kept: old.Checkpoint, Attempts: 4,
			Err: errors.New("fetch checkpoint: dial tcp 192.0.2.1:443: connect: connection refused"),
		}
	}
	refused = func() (catalog.SyncResult, error) {
		return catalog.SyncResult{Old: old.Checkpoint, New: old.Checkpoint}, &catalog.SyncError{
			Check: "rollback", Kept: old.Checkpoint,
			Err: errors.New("the published checkpoint commits to 1000 records, the installed one to 1500"),
		}
	}
	return upToDate, failed, refused
}

// The status line says what is followed and how the last sync went; a
// refusal also gets a banner that says which check failed and what the
// till still uses. The next sync is given the catalog in use.
func TestTillSyncStatus(t *testing.T) {
	old, new := syncCatalogs(t)
	upToDate, failed, refused := syncOutcomes(old)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){upToDate, failed, refused, installedResult(old, new), upToDate}, opened: new}
	m, _ := syncTill(t, old, f)

	steps := []struct {
		name string
		want []string
		not  []string
	}{
		{"before the first sync", []string{"following https://cdn.example/catalog/"}, []string{"synced", "REFUSED"}},
		{"up to date", []string{"following https://cdn.example/catalog/ · synced 10:03: up to date"}, []string{"REFUSED"}},
		{"failed", []string{"sync 10:03 failed (last good 10:03): fetch checkpoint: dial tcp 192.0.2.1:443: connect: connection refused (tried 4 times); still using the installed"}, []string{"REFUSED"}},
		{"refused", []string{
			"sync 10:03 REFUSED (last good 10:03)",
			"✗ CATALOG UPDATE REFUSED from https://cdn.example/catalog/: the catalog was rolled back (the published checkpoint commits to 1000 records, the installed one to 1500); still using the installed catalog (1500 records, issued",
		}, nil},
		{"installed", []string{"synced 10:03: 1000 new records", "2500 records"}, []string{"REFUSED"}},
		{"up to date again", []string{"synced 10:03: up to date", "2500 records"}, []string{"REFUSED"}},
	}
	for i, step := range steps {
		if i > 0 {
			runSync(t, m)
		}
		got := screen(t, m)
		flat := strings.Join(strings.Fields(got), " ")
		for _, w := range step.want {
			if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
				t.Errorf("%s: screen does not say %q:\n%s", step.name, w, got)
			}
		}
		for _, w := range step.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: screen says %q:\n%s", step.name, w, got)
			}
		}
		if step.name == "refused" {
			golden(t, "screen-sync-refused.txt", got)
		}
	}
	for i, c := range f.seen {
		want := old
		if i == 4 {
			want = new
		}
		if c != want {
			t.Errorf("sync %d was given catalog %p, want %p", i+1, c, want)
		}
	}
}

// A sync's result reaches only the screen that started it.
func TestTillIgnoresOthersSync(t *testing.T) {
	old, new := syncCatalogs(t)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){installedResult(old, new)}, opened: new}
	a, _ := syncTill(t, old, f)
	b, _ := syncTill(t, old, &fakeSync{})
	msg := a.sync.run(old)()
	if _, cmd := b.Update(msg); cmd != nil || b.cfg.Catalog != old {
		t.Error("a till took another's sync result")
	}
	if _, cmd := a.Update(syncDueMsg{b.sync}); cmd != nil {
		t.Error("a till ran a sync for another's timer")
	}
}
