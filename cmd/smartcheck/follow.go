package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/serve"
	"github.com/smartcheck-uk/smartcheck/tui"
)

// followFlags are --sync and --sync-every: a screen (the till, the kiosk)
// or the service (serve) that follows a published catalog in the background.
type followFlags struct {
	url    string
	every  time.Duration
	syncer *catalog.Syncer // set by check when --sync is given
}

func (f *followFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "sync", "", "follow the catalog published at `URL`: sync in the background and use each newer catalog between scans")
	fs.DurationVar(&f.every, "sync-every", 15*time.Minute, "time between background syncs (with --sync)")
}

// check validates the flags once parsed. With --sync the screen shows the
// catalog it follows and nothing else, not the demo: cf's directory
// becomes the syncer's.
func (f *followFlags) check(fs *flag.FlagSet, cf *catalogFlags) error {
	everySet := false
	fs.Visit(func(fl *flag.Flag) { everySet = everySet || fl.Name == "sync-every" })
	switch {
	case f.url != "":
		if f.every < time.Second {
			return errors.New("--sync-every must be at least 1s")
		}
		s, err := cf.syncer(f.url)
		if err != nil {
			return fmt.Errorf("--sync: %v", err)
		}
		f.syncer = s
		cf.dir = s.Dir
	case everySet:
		return errors.New("--sync-every needs --sync URL")
	}
	return nil
}

// config is the screen's background sync, or nil without --sync: each
// sync may extend the catalog the screen has open, and a newly installed
// catalog is opened as the first was (against the last accepted
// checkpoint).
func (f *followFlags) config(cf catalogFlags) *tui.SyncConfig {
	if f.syncer == nil {
		return nil
	}
	sync, open := f.funcs(cf)
	return &tui.SyncConfig{Source: f.syncer.URL, Every: f.every, Sync: sync, Open: open}
}

// follow is serve's background sync, or nil without --sync: the same
// sync and open as a screen's.
func (f *followFlags) follow(cf catalogFlags) *serve.Follow {
	if f.syncer == nil {
		return nil
	}
	sync, open := f.funcs(cf)
	return &serve.Follow{Source: f.syncer.URL, Every: f.every, Sync: sync, Open: open}
}

// funcs are one background sync, which may extend the catalog in use,
// and the opening of what it installed.
func (f *followFlags) funcs(cf catalogFlags) (
	sync func(context.Context, *catalog.Catalog) (catalog.SyncResult, error),
	open func() (*catalog.Catalog, error),
) {
	s := f.syncer
	sync = func(ctx context.Context, installed *catalog.Catalog) (catalog.SyncResult, error) {
		one := *s
		one.Installed = installed
		return one.Sync(ctx, time.Now())
	}
	open = func() (*catalog.Catalog, error) {
		o, err := cf.open(io.Discard)
		if err != nil {
			return nil, err
		}
		return o.Catalog, nil
	}
	return sync, open
}

// open opens the catalog the screen starts with. Its error is the reason
// the screen shows CHECK for every scan (verdicts.md R0a); before the
// first sync has installed a catalog, it says so.
func (f *followFlags) open(cf *catalogFlags, warn io.Writer) (*opened, error) {
	cat, err := cf.open(warn)
	if err != nil && f.syncer != nil && noCatalog(f.syncer.Dir) {
		return nil, fmt.Errorf("no catalog is installed in %s yet: the first sync from %s installs it", f.syncer.Dir, f.syncer.URL)
	}
	return cat, err
}

// noCatalog reports whether dir holds no catalog (no checkpoint) yet.
func noCatalog(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "checkpoint"))
	return errors.Is(err, fs.ErrNotExist)
}
