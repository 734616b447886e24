package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Co-signing on separate machines (catalog.md): `catalog append --stage`
// writes a stage, `catalog cosign --key K STAGE` adds one key holder's
// signature on their own machine, and `catalog publish STAGE` installs it
// once the quorum verifies. A stage also records the live catalog's
// directory (the file `live`), so publish needs no flag on the machine
// that staged it.

// stageAppend writes the stage and signs it with the keys given, if any.
func (e *env) stageAppend(stage, live string, cat *catalog.Catalog, recs [][]byte, files []string, signers []catalog.Signer, valid time.Duration) error {
	s, err := catalog.StageAppend(stage, cat, recs, time.Now(), valid)
	if err != nil {
		return e.refused("catalog append", files, err)
	}
	abs, err := filepath.Abs(live)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(stage, "live"), []byte(abs+"\n"), 0o644); err != nil {
		return err
	}
	for _, k := range signers {
		if err := s.Cosign(k); err != nil {
			return fmt.Errorf("catalog append: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "staged %d records in %s: %s\n", len(recs), stage, stageWords(s))
	return nil
}

// stageWords says what a stage holds and how far its signing has come.
func stageWords(s *catalog.Stage) string {
	names, q := s.Signers()
	cp := s.Checkpoint
	sig := "no signatures yet"
	if len(names) > 0 {
		sig = "signed by " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s from %d to %d records, root %s, expires %s; %s (%d of %d needed)",
		catalog.Sanitize(cp.Origin), s.Base.Size, cp.Size, cp.Root, cp.Expires.Format(time.RFC3339), sig, len(names), q)
}

// catalogCosign adds a signature to a stage's checkpoint, or to a signed
// record file (a key record or withdrawal that needs the publisher
// quorum, signed by each key holder in turn).
func (e *env) catalogCosign(args []string) error {
	fs := e.newFlags("catalog cosign", "--key FILE STAGE|SIGNED")
	var keys multiFlag
	fs.Var(&keys, "key", "publisher signer key `FILE`")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(keys) == 0 || len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	signers, _, err := readSigners(keys)
	if err != nil {
		return err
	}
	target := rest[0]
	if st, err := os.Stat(target); err == nil && !st.IsDir() {
		return e.cosignRecord(target, signers)
	}
	s, err := catalog.OpenStage(target)
	if err != nil {
		return fmt.Errorf("catalog cosign: %w", err)
	}
	fmt.Fprintf(e.stdout, "signing %s\n  new records:\n", target)
	for _, rec := range s.Records {
		fmt.Fprintf(e.stdout, "    %s\n", describeRecord(rec))
	}
	for _, k := range signers {
		if err := s.Cosign(k); err != nil {
			return fmt.Errorf("catalog cosign: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "%s\n", stageWords(s))
	return nil
}

// cosignRecord adds signatures to a signed record file, in place.
func (e *env) cosignRecord(file string, signers []catalog.Signer) error {
	rec, err := readLimited(file)
	if err != nil {
		return fmt.Errorf("catalog cosign: %w", err)
	}
	if err := catalog.CheckSigned(rec); err != nil {
		return fmt.Errorf("catalog cosign: %s: %w", file, err)
	}
	body, _ := catalog.SplitNote(rec)
	out := rec
	for _, k := range signers {
		one, err := catalog.Sign(body, k)
		if err != nil {
			return fmt.Errorf("catalog cosign: %w", err)
		}
		line := one[len(body)+1:]
		if !strings.Contains(string(out[len(body):]), string(line)) {
			out = append(out, line...)
		}
	}
	if len(out) > catalog.MaxRecordSize {
		return fmt.Errorf("catalog cosign: %s: with the signature the record would be %d bytes, more than %d", file, len(out), catalog.MaxRecordSize)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		return fmt.Errorf("catalog cosign: %w", err)
	}
	fmt.Fprintf(e.stdout, "signed %s (%s)\n", file, describeRecord(out))
	return nil
}

// catalogPublish installs a stage once its checkpoint meets the quorum.
func (e *env) catalogPublish(args []string) error {
	fs := e.newFlags("catalog publish", "[--catalog DIR] [--trust FILE] STAGE")
	dir := fs.String("catalog", "", "the live catalog `DIR` (default: the one the stage was made from)")
	trustPath := fs.String("trust", "", "trust `FILE` (default: DIR/trust)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	stage := rest[0]
	live := *dir
	if live == "" {
		b, err := os.ReadFile(filepath.Join(stage, "live"))
		if err != nil {
			return fmt.Errorf("catalog publish: the stage does not say which catalog it extends: give it with --catalog DIR")
		}
		live = strings.TrimSpace(string(b))
	}
	s, err := catalog.OpenStage(stage)
	if err != nil {
		return fmt.Errorf("catalog publish: %w", err)
	}
	trust, err := readTrust(live, *trustPath)
	if err != nil {
		return fmt.Errorf("catalog publish: %w", err)
	}
	cp, err := catalog.Publish(s, live, trust, time.Now())
	if err != nil {
		return e.refused("catalog publish", nil, err)
	}
	fmt.Fprintf(e.stdout, "published %s into %s: %d records, root %s, expires %s\n", stage, live, cp.Size, cp.Root, cp.Expires.Format(time.RFC3339))
	return nil
}

// catalogRefresh signs a new checkpoint over the same records with a
// later expiry: the weekly routine that keeps tills from calling the
// catalog stale (R0b).
func (e *env) catalogRefresh(args []string) error {
	fs := e.newFlags("catalog refresh", "--key FILE [--key FILE...] --catalog DIR [--trust FILE] [--expires 7d]")
	var w writerFlags
	w.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || !w.ok(true) {
		fs.Usage()
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
	cp, err := catalog.Append(w.dir, cat.Catalog, nil, signers, time.Now(), *w.expires)
	if err != nil {
		return fmt.Errorf("catalog refresh: %w", err)
	}
	fmt.Fprintf(e.stdout, "refreshed %s: %d records, issued %s, expires %s\n", w.dir, cp.Size, cp.Issued.Format(time.RFC3339), cp.Expires.Format(time.RFC3339))
	return nil
}

// writerFlags are the flags of the commands that extend a catalog and
// sign its new checkpoint: append, withdraw, refresh.
type writerFlags struct {
	keys       multiFlag
	dir, trust string
	expires    *time.Duration
}

func (w *writerFlags) register(fs *flag.FlagSet) {
	fs.Var(&w.keys, "key", "publisher signer key `FILE` (repeat for the quorum)")
	fs.StringVar(&w.dir, "catalog", "", "the catalog `DIR`")
	fs.StringVar(&w.trust, "trust", "", "trust `FILE` (default: DIR/trust)")
	w.expires = validityFlag(fs, "how long the new checkpoint stays fresh")
}

// ok reports whether the flags are complete; needKeys says whether a
// --key is required.
func (w *writerFlags) ok(needKeys bool) bool {
	return w.dir != "" && (len(w.keys) > 0 || !needKeys) && *w.expires > 0
}

// signers reads the --key files, if any.
func (w *writerFlags) signers() ([]catalog.Signer, error) {
	if len(w.keys) == 0 {
		return nil, nil
	}
	s, _, err := readSigners(w.keys)
	return s, err
}

// open opens the catalog under its lock (openPublished).
func (w *writerFlags) open() (*publishedCatalog, error) { return openPublished(w.dir, w.trust) }

// validity is a checkpoint's lifetime as a flag: a Go duration (168h)
// or a whole number of days, weeks or years (7d, 2w, 1y; a year is 365
// days).
type validity struct{ d *time.Duration }

func validityFlag(fs *flag.FlagSet, usage string) *time.Duration {
	d := 168 * time.Hour
	fs.Var(validity{&d}, "expires", usage+": a duration such as 168h, or days, weeks or years: 7d, 2w, 1y")
	return &d
}

func (v validity) String() string {
	if v.d == nil {
		return ""
	}
	if *v.d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(*v.d/(24*time.Hour)), 10) + "d"
	}
	return v.d.String()
}

func (v validity) Set(s string) error {
	d, err := parseValidity(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

func parseValidity(s string) (time.Duration, error) {
	units := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	if n := len(s); n > 1 {
		if u, ok := units[s[n-1]]; ok {
			k, err := strconv.Atoi(s[:n-1])
			if err != nil || k <= 0 || k > 100*365 {
				return 0, fmt.Errorf("%q: want a whole number of days, weeks or years, such as 7d, 2w or 1y", s)
			}
			d := time.Duration(k) * u
			if d > 100*365*24*time.Hour {
				return 0, fmt.Errorf("%q: at most 100 years", s)
			}
			return d, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a duration such as 168h, or 7d, 2w, 1y", s)
	}
	return d, nil
}
