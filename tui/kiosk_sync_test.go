package tui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// syncKiosk is a 120x40 kiosk without a PIN on cat (nil: none yet, with
// untrusted saying why), following f.
func syncKiosk(t *testing.T, cat *catalog.Catalog, untrusted error, f *fakeSync) *testKiosk {
	t.Helper()
	cfg, clock := demoKioskConfig(t)
	cfg.Catalog, cfg.Untrusted, cfg.Demo, cfg.Sync = cat, untrusted, false, f.config()
	return newKiosk(cfg, clock, 120, 40)
}

// runSync runs the kiosk's next sync to its end, as the Bubble Tea loop
// would. The command it schedules next, a 15-minute tick, is not run.
func (k *testKiosk) runSync(t *testing.T) {
	t.Helper()
	cmd := k.sync.run(k.newestCatalog())
	if cmd == nil {
		t.Fatal("no sync started")
	}
	if _, next := k.Update(cmd()); next == nil {
		t.Fatal("no next sync scheduled")
	}
}

// startScan types a scan and returns the lookup it starts, not run.
func (k *testKiosk) startScan(t *testing.T, code string) tea.Cmd {
	t.Helper()
	var lookup tea.Cmd
	for _, key := range keys(code) {
		if _, cmd := k.Update(key); cmd != nil {
			lookup = cmd
		}
	}
	return lookup
}

// finish feeds a lookup's result, and runs what follows it (the next
// scan's lookup).
func (k *testKiosk) finish(lookup tea.Cmd) {
	for _, msg := range runCmd(lookup) {
		k.send(msg)
	}
}

// judgedBy says which catalog judged the result on screen, by size, and
// whether it found the product's declaration.
func judgedBy(t *testing.T, k *testKiosk) (size int64, declared bool) {
	t.Helper()
	e := k.current
	if e == nil || e.result == nil {
		t.Fatal("no result on screen")
	}
	if e.catalog != nil {
		size = e.catalog.Size
	}
	return size, e.result.Declaration != nil
}

// A catalog a sync installs takes effect between scans: a lookup in
// flight finishes with the catalog it started with, and the replaced
// catalog is closed only then; the next scan is judged by the new one.
func TestKioskSwapsCatalogBetweenScans(t *testing.T) {
	old, new := syncCatalogs(t)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){installedResult(old, new)}, opened: new}
	k := syncKiosk(t, old, nil, f)
	code := catalog.SyntheticGTIN(2000)

	lookup := k.startScan(t, code)
	if lookup == nil || k.asking == 0 {
		t.Fatal("no lookup in flight")
	}
	k.runSync(t)
	if k.cfg.Catalog != old || k.swapper.next != new {
		t.Fatal("the catalog was swapped while a lookup was in flight")
	}
	if _, err := old.Record(0); err != nil {
		t.Fatalf("the catalog in use was closed during its lookup: %v", err)
	}
	k.finish(lookup)
	if size, declared := judgedBy(t, k); size != 1500 || declared {
		t.Errorf("scan 1 judged by the catalog of %d records (declared: %v), want the old one's 1500, unknown", size, declared)
	}
	if k.cfg.Catalog != new || k.swapper.next != nil {
		t.Fatal("the new catalog did not take effect after the lookup")
	}
	if _, err := old.Record(0); err == nil {
		t.Error("the replaced catalog was not closed")
	}
	k.scan(code)
	if size, declared := judgedBy(t, k); size != 2500 || !declared {
		t.Errorf("scan 2 judged by the catalog of %d records (declared: %v), want the new one's 2500, declared", size, declared)
	}
	if f.seen[0] != old {
		t.Errorf("the sync was given catalog %p, want the one in use %p", f.seen[0], old)
	}
}

// A scan made while a lookup is in flight waits for it; a catalog
// installed meanwhile takes effect between the two, so the waiting scan,
// the one the shopper sees, is judged by the new catalog.
func TestKioskSwapBeforeWaitingScan(t *testing.T) {
	old, new := syncCatalogs(t)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){installedResult(old, new)}, opened: new}
	k := syncKiosk(t, old, nil, f)
	code := catalog.SyntheticGTIN(2000)
	lookup := k.startScan(t, code)
	if k.startScan(t, code) != nil || k.next == nil {
		t.Fatal("the second scan did not wait for the first")
	}
	k.runSync(t)
	if k.cfg.Catalog != old {
		t.Fatal("the catalog was swapped while a lookup was in flight")
	}
	k.finish(lookup)
	if k.current == nil || k.current.seq != 2 {
		t.Fatalf("on screen: %+v, want scan 2", k.current)
	}
	if size, declared := judgedBy(t, k); size != 2500 || !declared {
		t.Errorf("the waiting scan was judged by the catalog of %d records (declared: %v), want the new one's", size, declared)
	}
}

// Only the staff screen says how syncing goes: what is followed, the
// last sync's outcome and, for a refusal, which check failed and what
// the kiosk still uses. The shopper screen never does.
func TestKioskSyncStatus(t *testing.T) {
	old, new := syncCatalogs(t)
	upToDate, failed, refused := syncOutcomes(old)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){upToDate, failed, refused, installedResult(old, new)}, opened: new}
	k := syncKiosk(t, old, nil, f)

	steps := []struct {
		name string
		want []string
		not  []string
	}{
		{"before the first sync", []string{"Updates following https://cdn.example/catalog/", "1500 records"}, []string{"synced", "REFUSED"}},
		{"up to date", []string{"following https://cdn.example/catalog/ · synced 10:03: up to date"}, []string{"REFUSED"}},
		{"failed", []string{"sync 10:03 failed (last good 10:03): fetch checkpoint: dial tcp 192.0.2.1:443: connect: connection refused (tried 4 times); still using the installed"}, []string{"REFUSED"}},
		{"refused", []string{
			"sync 10:03 REFUSED (last good 10:03)",
			"✗ CATALOG UPDATE REFUSED from https://cdn.example/catalog/: the catalog was rolled back (the published checkpoint commits to 1000 records, the installed one to 1500); still using the installed catalog (1500 records, issued",
			"synthetic.smartcheck.example/uk · 1500 records",
		}, nil},
		{"installed", []string{"synced 10:03: 1000 new records", "synthetic.smartcheck.example/uk · 2500 records"}, []string{"REFUSED", "1500 records"}},
	}
	for i, step := range steps {
		// Staff at the screen see each sync as it ends.
		k.send(tea.KeyPressMsg{Code: tea.KeyF12})
		if i > 0 {
			k.runSync(t)
		}
		staff := kscreen(t, k)
		flat := strings.Join(strings.Fields(staff), " ")
		for _, w := range step.want {
			if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
				t.Errorf("%s: the staff screen does not say %q:\n%s", step.name, w, staff)
			}
		}
		for _, w := range step.not {
			if strings.Contains(flat, w) {
				t.Errorf("%s: the staff screen says %q:\n%s", step.name, w, staff)
			}
		}
		switch step.name {
		case "refused":
			golden(t, "kiosk-staff-sync-refused.txt", staff)
		case "installed":
			golden(t, "kiosk-staff-sync-installed.txt", staff)
		}
		k.send(tea.KeyPressMsg{Code: tea.KeyEscape})
		shopper := kscreen(t, k)
		for _, w := range []string{"following", "sync", "cdn.example", "REFUSED", "UPDATE", "records"} {
			if strings.Contains(shopper, w) {
				t.Errorf("%s: the shopper screen says %q:\n%s", step.name, w, shopper)
			}
		}
	}
	// The next scan is judged by the new catalog.
	k.scan(catalog.SyntheticGTIN(2000))
	if size, declared := judgedBy(t, k); size != 2500 || !declared {
		t.Errorf("judged by the catalog of %d records (declared: %v), want the new one's", size, declared)
	}
}

// A kiosk that follows a catalog not installed yet starts, and every scan
// asks the shopper to see a member of staff (verdicts.md R0a) with no
// staff text; the staff screen says why. The first sync's catalog takes
// effect at once.
func TestKioskSyncFirstInstall(t *testing.T) {
	_, new := syncCatalogs(t)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){func() (catalog.SyncResult, error) {
		return catalog.SyncResult{New: new.Checkpoint, Installed: true, Added: new.Size()}, nil
	}}, opened: new}
	k := syncKiosk(t, nil, errors.New("no catalog is installed in /var/lib/smartcheck/catalog yet: the first sync from https://cdn.example/catalog/ installs it"), f)
	code := catalog.SyntheticGTIN(2000)

	k.scan(code)
	s := kscreen(t, k)
	if !hasBig(s, "? CHECK") || !strings.Contains(s, "Please ask a member of staff") {
		t.Errorf("with no catalog yet the shopper is not asked to see staff:\n%s", s)
	}
	if w := staffOnly.FindString(s); w != "" {
		t.Errorf("a shopper sees staff text %q:\n%s", w, s)
	}
	for _, w := range []string{"catalog", "installed", "sync", "cdn.example"} {
		if strings.Contains(s, w) {
			t.Errorf("the shopper screen says %q:\n%s", w, s)
		}
	}
	k.send(tea.KeyPressMsg{Code: tea.KeyF12})
	staff := kscreen(t, k)
	golden(t, "kiosk-staff-sync-none-yet.txt", staff)
	if flat := strings.Join(strings.Fields(staff), " "); !strings.Contains(flat, "UNTRUSTED — every scan shows CHECK. Why: no catalog is installed in /var/lib/smartcheck/catalog yet") {
		t.Errorf("the staff screen does not say why every scan is CHECK:\n%s", staff)
	}
	k.send(tea.KeyPressMsg{Code: tea.KeyEscape})

	k.runSync(t)
	if f.seen[0] != nil {
		t.Errorf("the first sync was given catalog %p, want none", f.seen[0])
	}
	if k.cfg.Catalog != new || k.cfg.Untrusted != nil {
		t.Fatal("the first catalog did not take effect")
	}
	k.scan(code)
	if size, declared := judgedBy(t, k); size != 2500 || !declared {
		t.Errorf("judged by the catalog of %d records (declared: %v), want the installed one's", size, declared)
	}
}

// A sync's result reaches only the screen that started it.
func TestKioskIgnoresOthersSync(t *testing.T) {
	old, new := syncCatalogs(t)
	f := &fakeSync{results: []func() (catalog.SyncResult, error){installedResult(old, new)}, opened: new}
	a := syncKiosk(t, old, nil, f)
	b := syncKiosk(t, old, nil, &fakeSync{})
	msg := a.sync.run(old)()
	if _, cmd := b.Update(msg); cmd != nil || b.cfg.Catalog != old {
		t.Error("a kiosk took another's sync result")
	}
	if _, cmd := a.Update(syncDueMsg{b.sync}); cmd != nil {
		t.Error("a kiosk ran a sync for another's timer")
	}
}
