package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
)

// catalogFlags are the flags of every command that reads a catalog.
type catalogFlags struct {
	dir, trust, at, state string
	// forget: check the catalog on its own, neither against nor into the
	// last checkpoint a till accepted (catalog verify: a publisher's
	// machine is not a till, and verifying a staging copy must not make
	// production look rolled back).
	forget bool
}

func (c *catalogFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dir, "catalog", "", "catalog `DIR` (default: the installed catalog, else the built-in demo)")
	fs.StringVar(&c.trust, "trust", "", "trust `FILE` (default: DIR/trust)")
	fs.StringVar(&c.at, "at", "", "judge as on this date, `YYYY-MM-DD` (Europe/London)")
	fs.StringVar(&c.state, "state", "", "`DIR` where the last accepted checkpoint is kept (default $XDG_STATE_HOME/smartcheck)")
}

// policyFlags are the retailer's policy choices of verdicts.md.
type policyFlags struct {
	ended  string
	months int
}

func (p *policyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.ended, "support-ended", "stop", "verdict once support has ended: `stop` or caution")
	fs.IntVar(&p.months, "caution-months", 12, "CAUTION when support ends within `N` months")
}

func (p *policyFlags) policy() (catalog.Policy, error) {
	policy := catalog.DefaultPolicy
	switch p.ended {
	case "stop":
	case "caution":
		policy.SupportEnded = catalog.Caution
	default:
		return policy, fmt.Errorf("--support-ended must be stop or caution, not %q", p.ended)
	}
	if p.months < 0 || p.months > 1200 {
		return policy, errors.New("--caution-months must be between 0 and 1200")
	}
	policy.CautionMonths = p.months
	return policy, nil
}

// today returns --at, or today's date in Europe/London.
func (c *catalogFlags) today() (catalog.Date, error) {
	if c.at == "" {
		return catalog.Today(), nil
	}
	d, err := catalog.ParseDate(c.at)
	if err != nil {
		return catalog.Date{}, fmt.Errorf("--at: %v", err)
	}
	return d, nil
}

// openLog opens the due-diligence log at path, default checks.jsonl in
// the state directory, and returns it with its path.
func (c *catalogFlags) openLog(path string) (*catalog.DueDiligenceLog, string, error) {
	if path == "" {
		dir := c.stateDir()
		if dir == "" {
			return nil, "", errors.New("no home directory for the due-diligence log: give one with --log FILE")
		}
		path = filepath.Join(dir, "checks.jsonl")
	}
	l, err := catalog.OpenDueDiligenceLog(path)
	return l, path, err
}

// opened is a catalog with what the commands say about it.
type opened struct {
	*catalog.Catalog
	demo bool
	dir  string // "" for the built-in demo
}

// installedDir is where `catalog sync` installs the catalog.
func installedDir() string {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "smartcheck", "catalog")
}

func (c *catalogFlags) stateDir() string {
	if c.state != "" {
		return c.state
	}
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "smartcheck")
}

// open opens the catalog the flags name: verified against its trust file,
// and against the last checkpoint this till accepted. Any failure is an
// error: nothing an untrusted catalog says is shown (verdicts.md, R0a).
func (c *catalogFlags) open(warn io.Writer) (*opened, error) {
	dir := c.dir
	if dir == "" {
		if d := installedDir(); d != "" {
			if _, err := os.Stat(filepath.Join(d, "checkpoint")); err == nil {
				dir = d
			}
		}
	}
	if dir == "" {
		if c.trust != "" {
			return nil, errors.New("--trust needs --catalog: the built-in demo catalog has its own")
		}
		cat, err := data.OpenDemo()
		if err != nil {
			return nil, err
		}
		return &opened{Catalog: cat, demo: true}, nil
	}
	if err := checkCatalogDir(dir); err != nil {
		return nil, err
	}
	trustPath := c.trust
	if trustPath == "" {
		trustPath = filepath.Join(dir, "trust")
	}
	tf, err := os.ReadFile(trustPath)
	if errors.Is(err, fs.ErrNotExist) && c.trust == "" {
		return nil, withHint(fmt.Errorf("catalog %s has no trust file", dir),
			"give the publisher's trust file with --trust FILE")
	}
	if err != nil {
		return nil, fmt.Errorf("read trust file: %w", err)
	}
	trust, err := catalog.ParseTrust(tf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", trustPath, err)
	}
	// The publisher's key rotations this till verified (catalog sync
	// keeps them in DIR/trust.d).
	if trust, err = trust.FollowDir(dir); err != nil {
		return nil, describeOpenError(dir, err)
	}
	state := c.stateDir()
	if c.forget {
		state = ""
	}
	var last *catalog.Checkpoint
	if state != "" {
		if last, err = catalog.LoadAccepted(state, trust); err != nil {
			return nil, err
		}
	}
	cat, err := catalog.OpenDir(dir, trust, last)
	if err != nil {
		return nil, describeOpenError(dir, err)
	}
	if state != "" {
		if err := catalog.SaveAccepted(state, last, cat.Checkpoint); err != nil {
			fmt.Fprintf(warn, "smartcheck: warning: cannot remember the accepted checkpoint: %v\n", err)
		}
	}
	return &opened{Catalog: cat, dir: dir}, nil
}

// checkCatalogDir says plainly when --catalog names no directory, before
// anything is looked for in it.
func checkCatalogDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return withHint(fmt.Errorf("catalog %s: no such directory", dir),
			"give the directory catalog build or catalog sync wrote with --catalog, or leave --catalog out for the installed catalog (or the demo)")
	case err != nil:
		return fmt.Errorf("catalog %s: %w", dir, bare(err))
	case !fi.IsDir():
		return withHint(fmt.Errorf("catalog %s is not a directory", dir),
			"--catalog takes the directory that holds checkpoint, records and trust")
	}
	return nil
}

func describeOpenError(dir string, err error) error {
	var se *catalog.SecurityError
	if errors.As(err, &se) {
		return fmt.Errorf("catalog %s refused (%s check failed), nothing in it is shown as fact: %w", dir, se.Check, err)
	}
	return fmt.Errorf("catalog %s: %w", dir, err)
}

// describe says which catalog this is, for people.
func (o *opened) describe() string {
	cp := o.Checkpoint
	s := fmt.Sprintf("%s, %d records, issued %s, expires %s", catalog.Sanitize(cp.Origin), cp.Size,
		cp.Issued.In(londonTZ()).Format("2006-01-02 15:04"), cp.Expires.In(londonTZ()).Format("2006-01-02 15:04"))
	if len(cp.Cosigned) > 0 {
		s += ", witnessed by " + catalog.Sanitize(cp.WitnessNames())
	}
	if o.demo {
		s += " — DEMO DATA: invented barcodes and fictional notices, not for real use"
	}
	return s
}

func londonTZ() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}

// cosignedList names the witnesses that cosigned cp and when, for
// catalog verify: ": w1.example (2026-12-02 10:00), ...".
func cosignedList(cp *catalog.Checkpoint) string {
	var parts []string
	for _, c := range cp.Cosigned {
		parts = append(parts, fmt.Sprintf("%s (%s)", catalog.Sanitize(c.Witness), c.Time.In(londonTZ()).Format("2006-01-02 15:04")))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}
