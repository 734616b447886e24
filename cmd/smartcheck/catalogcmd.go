package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"golang.org/x/mod/sumdb/tlog"
)

var catalogCommands = [][2]string{
	{"build", "write a new catalog from signed records"},
	{"append", "append signed records and sign a new checkpoint"},
	{"import", "sign and append the products of a spreadsheet (CSV or JSON Lines)"},
	{"export", "write every GTIN with its declaration, verdict and findings (CSV or JSON Lines)"},
	{"withdraw", "withdraw a record of the catalog"},
	{"refresh", "sign a new checkpoint over the same records, with a later expiry"},
	{"cosign", "add a publisher signature to a stage or a signed record file"},
	{"publish", "install a stage once its checkpoint meets the quorum"},
	{"verify", "check a catalog: checkpoint, root, expiry, every signature"},
	{"sync", "fetch and install a newer published catalog"},
	{"witness", "ask witnesses to cosign the checkpoint"},
	{"trust", "rotate the publisher keys (catalog trust rotate)"},
}

func (e *env) catalog(args []string) error {
	return e.subcommand("catalog", args, catalogCommands, map[string]func([]string) error{
		"build":    e.catalogBuild,
		"append":   e.catalogAppend,
		"import":   e.catalogImport,
		"export":   e.catalogExport,
		"withdraw": e.catalogWithdraw,
		"refresh":  e.catalogRefresh,
		"cosign":   e.catalogCosign,
		"publish":  e.catalogPublish,
		"verify":   e.catalogVerify,
		"sync":     e.catalogSync,
		"witness":  e.catalogWitness,
		"trust":    e.catalogTrust,
	})
}

// readRecords reads signed record files. A file that cannot be read is an
// error; one that is not a signed record that parses is a refusal, and
// every one is named (a *catalog.RefusedError), so that a publisher fixes
// them all at once.
func readRecords(files []string) ([][]byte, error) {
	var recs [][]byte
	var refused []catalog.Refusal
	for n, f := range files {
		b, err := readLimited(f)
		if err != nil {
			return nil, fmt.Errorf("read record: %w", err)
		}
		if err := catalog.CheckSigned(b); err != nil {
			refused = append(refused, catalog.Refusal{N: n, Why: err.Error(), Same: -1})
		}
		recs = append(recs, b)
	}
	if len(refused) > 0 {
		return nil, &catalog.RefusedError{Refused: refused}
	}
	return recs, nil
}

// refused reports every record a write refused, each named by its file,
// and says that nothing was written; other errors are returned as they are.
func (e *env) refused(cmd string, files []string, err error) error {
	var re *catalog.RefusedError
	if !errors.As(err, &re) {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	for _, r := range re.Refused {
		file := fmt.Sprintf("record %d", r.N+1)
		if r.N >= 0 && r.N < len(files) {
			file = files[r.N]
		}
		if r.Name != "" && r.Name != "record" {
			file += " (" + r.Name + ")"
		}
		why := r.Why
		if r.Same >= 0 && r.Same < len(files) {
			why = "the same record as " + files[r.Same]
		}
		e.errorf("%s: refused %s: %s", cmd, file, why)
	}
	e.errorf("%s: %d of %d records refused, nothing written", cmd, len(re.Refused), len(files))
	return exitError(1)
}

// openPublished opens a catalog directory on the publisher's side:
// verified against its trust file (--trust, default DIR/trust), but not
// against a till's remembered checkpoint.
func openPublished(dir, trustPath string) (*publishedCatalog, error) {
	trust, err := readTrust(dir, trustPath)
	if err != nil {
		return nil, err
	}
	// Every writer holds the catalog's lock from before it opens the
	// catalog until it has written: two appends at once would lose one.
	unlock, err := catalog.LockDir(dir)
	if err != nil {
		return nil, err
	}
	// The publisher checks its own catalog before it extends it: appending
	// to a tampered log would sign the tampering. It does not remember the
	// checkpoint as a till would: a publisher's machine is not a till. Nor
	// does it need the witnesses' cosignatures: they come after a write
	// (catalog witness), on the checkpoint it signs.
	cat, err := catalog.OpenDir(dir, trust.PublisherOnly(), nil)
	if err != nil {
		unlock()
		return nil, describeOpenError(dir, err)
	}
	return &publishedCatalog{cat, unlock}, nil
}

// publishedCatalog is a catalog opened by a writer, holding its lock
// until Close.
type publishedCatalog struct {
	*catalog.Catalog
	unlock func()
}

func (p *publishedCatalog) Close() error {
	err := p.Catalog.Close()
	p.unlock()
	return err
}

// readTrust reads the trust file of a catalog directory (DIR/trust unless
// trustPath names another), followed along the directory's trust notes
// (DIR/trust.d: the publisher's key rotations).
func readTrust(dir, trustPath string) (*catalog.Trust, error) {
	if trustPath == "" {
		trustPath = filepath.Join(dir, "trust")
	}
	tf, err := os.ReadFile(trustPath)
	if err != nil {
		return nil, fmt.Errorf("read trust file: %w", err)
	}
	trust, err := catalog.ParseTrust(tf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", trustPath, err)
	}
	if trust, err = trust.FollowDir(dir); err != nil {
		return nil, describeOpenError(dir, err)
	}
	return trust, nil
}

func (e *env) catalogBuild(args []string) error {
	fs := e.newFlags("catalog build", "--origin ORIGIN --key FILE [--key FILE...] [--expires 168h] --out DIR SIGNED...|DIR|-")
	var keys multiFlag
	fs.Var(&keys, "key", "publisher signer key `FILE` (repeat for several)")
	origin := fs.String("origin", "", "the catalog's `ORIGIN`, e.g. shop.example/uk")
	expires := validityFlag(fs, "how long the checkpoint stays fresh")
	out := fs.String("out", "", "write the catalog into `DIR`")
	args, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *origin == "" || *out == "" || len(keys) == 0 || *expires <= 0 || len(args) == 0 {
		fs.Usage()
		return errUsage
	}
	files, err := e.recordFiles(args)
	if err != nil {
		return fmt.Errorf("catalog build: %w", err)
	}
	signers, vkeys, err := readSigners(keys)
	if err != nil {
		return err
	}
	recs, err := readRecords(files)
	if err != nil {
		return e.refused("catalog build", files, err)
	}
	cp, err := catalog.Build(*out, *origin, recs, signers, vkeys, time.Now(), *expires)
	if err != nil {
		return e.refused("catalog build", files, err)
	}
	fmt.Fprintf(e.stdout, "built %s: %d records, root %s, expires %s\n", *out, cp.Size, cp.Root, cp.Expires.Format(time.RFC3339))
	return nil
}

func (e *env) catalogAppend(args []string) error {
	fs := e.newFlags("catalog append", "--key FILE [--key FILE...] [--expires 168h] --catalog DIR [--trust FILE] [--stage STAGE | --dry-run [--at YYYY-MM-DD]] SIGNED...|DIR|-")
	var w writerFlags
	w.register(fs)
	stage := fs.String("stage", "", "write the records and an unsigned checkpoint into the staging directory `STAGE` instead: key holders add signatures with catalog cosign, and catalog publish installs it")
	var d dryRunFlags
	d.register(fs)
	args, err := parse(fs, args)
	if err != nil {
		return err
	}
	if !w.ok(*stage == "") || len(args) == 0 || d.on && *stage != "" {
		fs.Usage()
		return errUsage
	}
	today, policy, err := d.when()
	if err != nil {
		e.errorf("catalog append: %v", err)
		return errUsage
	}
	signers, err := w.signers()
	if err != nil {
		return err
	}
	files, err := e.recordFiles(args)
	if err != nil {
		return fmt.Errorf("catalog append: %w", err)
	}
	recs, err := readRecords(files)
	if err != nil {
		return e.refused("catalog append", files, err)
	}
	cat, err := w.openFor(d.on)
	if err != nil {
		return err
	}
	defer cat.Close()
	if d.on {
		if err := catalog.CheckPublishers(cat.Trust, signers); err != nil {
			return fmt.Errorf("catalog append: %w", err)
		}
		b, err := catalog.AdmitBatch(cat.Catalog, cat.Trust, recs)
		if err != nil {
			return e.refused("catalog append", files, err)
		}
		e.printChanges("catalog append", cat.Catalog, b, today, policy)
		fmt.Fprintf(e.stdout, "dry run: %d records would be appended to %s (%d records now); nothing written\n", len(recs), w.dir, cat.Size())
		return nil
	}
	if *stage != "" {
		return e.stageAppend(*stage, w.dir, cat.Catalog, recs, files, signers, *w.expires)
	}
	cp, err := catalog.Append(w.dir, cat.Catalog, recs, signers, time.Now(), *w.expires)
	if err != nil {
		return e.refused("catalog append", files, err)
	}
	fmt.Fprintf(e.stdout, "appended %d records to %s: %d records, root %s, expires %s\n", len(recs), w.dir, cp.Size, cp.Root, cp.Expires.Format(time.RFC3339))
	return nil
}

// catalogWithdraw appends a smartcheck-withdrawal/1 of one declaration or
// notice, signed by the publisher keys, and a new checkpoint (catalog.md):
// the record stays in the log, and no verdict uses it from then on.
func (e *env) catalogWithdraw(args []string) error {
	fs := e.newFlags("catalog withdraw", "--key FILE [--key FILE...] --catalog DIR [--trust FILE] [--expires 168h] --record N --reason TEXT")
	var w writerFlags
	w.register(fs)
	index := fs.Int64("record", -1, "the index in the log of the record to withdraw, `N` (0 is the first)")
	reason := fs.String("reason", "", "why it is withdrawn, one line of `TEXT` that staff will read")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || !w.ok(true) || *index < 0 || *reason == "" {
		fs.Usage()
		return errUsage
	}
	if strings.ContainsAny(*reason, "\r\n") {
		e.errorf("catalog withdraw: --reason: want one line")
		return errUsage
	}
	signers, err := w.signers()
	if err != nil {
		return err
	}
	cat, err := w.open()
	if err != nil {
		return err
	}
	defer cat.Close()
	if *index >= cat.Size() {
		return fmt.Errorf("catalog withdraw: refused: catalog %s has %d records (0 to %d), no record %d", w.dir, cat.Size(), cat.Size()-1, *index)
	}
	rec, err := cat.Record(*index)
	if err != nil {
		return fmt.Errorf("catalog withdraw: %w", err)
	}
	what := describeRecord(rec)
	body, err := catalog.WithdrawalBody(catalog.Withdrawal{Record: *index, Hash: tlog.RecordHash(rec), Reason: *reason, Withdrawn: catalog.Today()})
	if err != nil {
		var se *catalog.SyntaxError
		if errors.As(err, &se) && se.Key == "reason" {
			e.errorf("catalog withdraw: --reason: %s", se.Msg)
			return errUsage
		}
		return fmt.Errorf("catalog withdraw: %w", err)
	}
	signed, err := catalog.Sign(body, signers...)
	if err != nil {
		return fmt.Errorf("catalog withdraw: %w", err)
	}
	cp, err := catalog.Append(w.dir, cat.Catalog, [][]byte{signed}, signers, time.Now(), *w.expires)
	var re *catalog.RefusedError
	if errors.As(err, &re) {
		for _, r := range re.Refused {
			e.errorf("catalog withdraw: refused: record %d (%s) cannot be withdrawn: %s", *index, what, r.Why)
		}
		return exitError(1)
	}
	if err != nil {
		return fmt.Errorf("catalog withdraw: %w", err)
	}
	fmt.Fprintf(e.stdout, "withdrew record %d (%s): %s\n", *index, what, catalog.Sanitize(*reason))
	fmt.Fprintf(e.stdout, "appended the withdrawal to %s as record %d: %d records, root %s, expires %s\n", w.dir, cp.Size-1, cp.Size, cp.Root, cp.Expires.Format(time.RFC3339))
	return nil
}

// describeRecord names a record for people: its kind and what it is.
func describeRecord(rec []byte) string {
	body, ok := catalog.SplitNote(rec)
	if !ok {
		return "a record that is not a signed note"
	}
	r, err := catalog.ParseRecord(body)
	if err != nil {
		return "a record that does not parse"
	}
	s := catalog.Sanitize
	switch {
	case r.Declaration != nil:
		return fmt.Sprintf("declaration %s version %d", s(r.Declaration.ID), r.Declaration.Version)
	case r.Notice != nil:
		return fmt.Sprintf("notice %s revision %d", s(r.Notice.ID), r.Notice.Revision)
	case r.Key != nil:
		what := "registering"
		if r.Key.Status == "revoked" {
			what = "revoking"
		}
		name, _, _ := strings.Cut(r.Key.Key, "+")
		return fmt.Sprintf("key record %s key %s (%s, %s)", what, s(name), s(r.Key.Org), r.Key.Role)
	case r.Withdrawal != nil:
		return fmt.Sprintf("withdrawal of record %d", r.Withdrawal.Record)
	}
	return s(r.Kind)
}

func (e *env) catalogVerify(args []string) error {
	fs := e.newFlags("catalog verify", "[--catalog DIR] [--trust FILE] [--at YYYY-MM-DD]")
	var cf catalogFlags
	cf.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return errUsage
	}
	today, err := cf.today()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	cf.forget = cf.state == "" // an explicit --state still checks against it
	cat, err := cf.open(e.stderr)
	if err != nil {
		return err
	}
	defer cat.Close()
	fmt.Fprintf(e.stdout, "catalog: %s\n", cat.describe())
	fmt.Fprintf(e.stdout, "checkpoint signatures, origin and root: ok\n")
	if t := cat.Trust; len(t.Witnesses) > 0 {
		fmt.Fprintf(e.stdout, "witness cosignatures: %d of %d witnesses (%d required)%s\n", len(cat.Checkpoint.Cosigned), len(t.Witnesses), t.WitnessQuorum, cosignedList(cat.Checkpoint))
	}
	problems := cat.Verify()
	for _, p := range problems {
		fmt.Fprintf(e.stdout, "%s\n", catalog.Sanitize(p.String()))
	}
	stale := cat.Checkpoint.Stale(today)
	if stale {
		fmt.Fprintf(e.stdout, "checkpoint expired on %s: the catalog is stale\n", catalog.DateOf(cat.Checkpoint.Expires))
	}
	if len(problems) > 0 || stale {
		why := fmt.Sprintf("%d record problems", len(problems))
		if stale {
			why += ", and the catalog is stale"
		}
		e.errorf("catalog verify: %s", why)
		return exitError(1)
	}
	fmt.Fprintf(e.stdout, "all %d records verify\n", cat.Size())
	return nil
}

// catalogSync fetches the catalog published at URL and installs it
// (catalog.md, "Updating a till"). The first sync into a directory needs
// the publisher's trust file, which it copies there; later ones use it.
func (e *env) catalogSync(args []string) error {
	fs := e.newFlags("catalog sync", "[--catalog DIR] [--trust FILE] [--state DIR] [--timeout 30s] [--tries 4] [-v] URL")
	var cf catalogFlags
	cf.register(fs)
	stall := fs.Duration("timeout", 30*time.Second, "give up on a request that receives nothing for this long")
	tries := fs.Int("tries", 4, "how many times to try a request that fails for a passing reason (a cut, a stall, a server error)")
	verbose := fs.Bool("v", false, "say what the sync is doing, on standard error")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || *stall <= 0 || *tries < 1 {
		fs.Usage()
		return errUsage
	}
	now := time.Now()
	if cf.at != "" {
		d, err := cf.today()
		if err != nil {
			e.errorf("%v", err)
			return errUsage
		}
		now = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, londonTZ())
	}
	s, err := cf.syncer(rest[0])
	if err != nil {
		e.errorf("catalog sync: %v", err)
		return errUsage
	}
	s.Stall, s.Attempts = *stall, *tries
	if *verbose {
		s.Progress = func(step string) { fmt.Fprintf(e.stderr, "smartcheck: catalog sync: %s\n", catalog.Sanitize(step)) }
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := s.Sync(ctx, now)
	if res.Replaced != nil && err == nil {
		e.errorf("warning: the catalog in %s did not open (%v); the published one replaced it", s.Dir, res.Replaced)
	}
	if err != nil {
		return fmt.Errorf("catalog sync: %w", err)
	}
	fmt.Fprintln(e.stdout, describeSync(res, s.Dir))
	return nil
}

// syncer is the sync the flags describe, of the catalog published at url
// into --catalog (default: the installed catalog's directory).
func (c *catalogFlags) syncer(url string) (*catalog.Syncer, error) {
	dir := c.dir
	if dir == "" {
		if dir = installedDir(); dir == "" {
			return nil, errors.New("no home directory to install the catalog in: give one with --catalog DIR")
		}
	}
	s := &catalog.Syncer{URL: url, Dir: dir, State: c.stateDir(), UserAgent: userAgent()}
	trustPath := c.trust
	if trustPath == "" {
		trustPath = filepath.Join(dir, "trust")
	}
	tf, err := os.ReadFile(trustPath)
	if errors.Is(err, fs.ErrNotExist) && c.trust == "" {
		return nil, fmt.Errorf("the first sync into %s needs the publisher's trust file: give it with --trust FILE", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read trust file: %w", err)
	}
	if s.Trust, err = catalog.ParseTrust(tf); err != nil {
		return nil, fmt.Errorf("%s: %w", trustPath, err)
	}
	if c.trust != "" {
		s.TrustFile = tf // installed beside the catalog, for the next sync and the till
	}
	return s, nil
}

// describeSync says what a sync did, in one line; a followed key
// rotation first.
func describeSync(res catalog.SyncResult, dir string) string {
	if res.Rotated > 0 && res.Trust != nil {
		return fmt.Sprintf("followed the publisher's key rotation to trust version %d; %s", res.Trust.Version, describeCatalogSync(res, dir))
	}
	return describeCatalogSync(res, dir)
}

func describeCatalogSync(res catalog.SyncResult, dir string) string {
	cp := res.New
	what := fmt.Sprintf("%s, %d records, issued %s, expires %s", catalog.Sanitize(cp.Origin), cp.Size,
		cp.Issued.In(londonTZ()).Format("2006-01-02 15:04"), cp.Expires.In(londonTZ()).Format("2006-01-02 15:04"))
	switch {
	case !res.Installed:
		return "up to date: " + what
	case res.Added == 0:
		return fmt.Sprintf("installed a newer checkpoint of the same records in %s: %s", dir, what)
	}
	how := "the new records"
	if res.FullDownload {
		how = "the whole records file"
	}
	return fmt.Sprintf("installed in %s: %s (%d new); fetched %d bytes (the checkpoint and %s)", dir, what, res.Added, res.Fetched, how)
}
