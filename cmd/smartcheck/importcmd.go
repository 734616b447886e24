package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/publish"
)

// catalogImport turns the rows of a spreadsheet (CSV or JSON Lines) into
// declarations signed by the --signer key and appends them with one new
// checkpoint signed by the publisher --keys; with --dry-run it checks
// everything and prints what would change, and writes nothing.
func (e *env) catalogImport(args []string) error {
	fs := e.newFlags("catalog import", "--signer FILE --key FILE [--key FILE...] --catalog DIR [--trust FILE] [--expires 168h] [--dry-run [--at YYYY-MM-DD]] FILE.csv|FILE.jsonl")
	var w writerFlags
	w.register(fs)
	signer := fs.String("signer", "", "the signer key `FILE` that signs every declaration (a manufacturer's, a representative's or a curator's)")
	var d dryRunFlags
	d.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || *signer == "" || !w.ok(true) {
		fs.Usage()
		return errUsage
	}
	file := rest[0]
	format, err := publish.FormatOf(file)
	if err != nil {
		e.errorf("catalog import: %v", err)
		return errUsage
	}
	today, policy, err := d.when()
	if err != nil {
		e.errorf("catalog import: %v", err)
		return errUsage
	}
	skey, err := os.ReadFile(*signer)
	if err != nil {
		return fmt.Errorf("catalog import: read signer key: %w", err)
	}
	maker, err := catalog.NewMaker(string(skey))
	if err != nil {
		return fmt.Errorf("catalog import: %s: %w (is it a .key file from smartcheck key generate?)", *signer, err)
	}
	signers, err := w.signers()
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("catalog import: %w", err)
	}
	defer f.Close()
	cat, err := w.openFor(d.on)
	if err != nil {
		return err
	}
	defer cat.Close()
	if err := catalog.CheckPublishers(cat.Trust, signers); err != nil {
		return fmt.Errorf("catalog import: %w", err)
	}
	imp, err := publish.Check(f, format, cat.Catalog, maker)
	var ie *publish.ImportError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			e.errorf("catalog import: %s: %s", file, p)
		}
		shown := ""
		if ie.Wrong > len(ie.Problems) {
			shown = fmt.Sprintf(" (the first %d shown)", len(ie.Problems))
		}
		e.errorf("catalog import: %d problems in %d rows%s, nothing written", ie.Wrong, ie.Rows, shown)
		return exitError(1)
	}
	if err != nil {
		return fmt.Errorf("catalog import: %s: %w", file, err)
	}
	if d.on {
		e.printChanges("catalog import", cat.Catalog, imp.Batch, today, policy)
		fmt.Fprintf(e.stdout, "dry run: %d rows would be signed by %s and appended to %s (%d records now); nothing written\n",
			imp.Rows, keyName(maker.VerifierKey()), w.dir, cat.Size())
		return nil
	}
	cp, err := catalog.AppendBatch(w.dir, imp.Batch, signers, time.Now(), *w.expires)
	if err != nil {
		return fmt.Errorf("catalog import: %w", err)
	}
	fmt.Fprintf(e.stdout, "imported %d rows from %s, signed by %s, into %s: %d records, root %s, expires %s\n",
		imp.Rows, file, keyName(maker.VerifierKey()), w.dir, cp.Size, cp.Root, cp.Expires.Format(time.RFC3339))
	return nil
}

func keyName(vkey string) string {
	name, _, _ := strings.Cut(vkey, "+")
	return name
}

// dryRunFlags are --dry-run and what a dry run judges by: --at and the
// policy flags, as lookup takes them.
type dryRunFlags struct {
	on bool
	at string
	pf policyFlags
}

func (d *dryRunFlags) register(fs interface {
	BoolVar(*bool, string, bool, string)
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}) {
	fs.BoolVar(&d.on, "dry-run", false, "check everything and print, for every GTIN whose verdict would change, the old and new verdict and why; write nothing")
	fs.StringVar(&d.at, "at", "", "with --dry-run, judge as on this date, `YYYY-MM-DD` (Europe/London), not today")
	fs.StringVar(&d.pf.ended, "support-ended", "stop", "with --dry-run, the verdict once support has ended: `stop` or caution")
	fs.IntVar(&d.pf.months, "caution-months", 12, "with --dry-run, CAUTION when support ends within `N` months")
}

func (d *dryRunFlags) when() (catalog.Date, catalog.Policy, error) {
	policy, err := d.pf.policy()
	if err != nil {
		return catalog.Date{}, policy, err
	}
	cf := catalogFlags{at: d.at}
	today, err := cf.today()
	return today, policy, err
}

// openFor opens the catalog to extend it (under its lock), or, for a dry
// run, only to read it: a dry run writes nothing, not even a lock file.
// (Reading beside a writer is safe: a writer appends records first and
// then renames the new checkpoint into place.)
func (w *writerFlags) openFor(dryRun bool) (*publishedCatalog, error) {
	if !dryRun {
		return w.open()
	}
	if err := checkCatalogDir(w.dir); err != nil {
		return nil, err
	}
	trust, err := readTrust(w.dir, w.trust)
	if err != nil {
		return nil, err
	}
	cat, err := catalog.OpenDir(w.dir, trust, nil)
	if err != nil {
		return nil, describeOpenError(w.dir, err)
	}
	return &publishedCatalog{cat, func() {}}, nil
}

// printChanges prints what a batch would change at the till.
func (e *env) printChanges(cmd string, base *catalog.Catalog, b *catalog.Batch, today catalog.Date, policy catalog.Policy) {
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	changes := publish.Changes(base, b, today, policy)
	for _, c := range changes {
		fmt.Fprintln(out, c)
	}
	fmt.Fprintf(out, "dry run (%s), as on %s: %d records pass every check; %d GTINs would change verdict\n", cmd, today, b.Len(), len(changes))
}

// catalogExport writes every GTIN of the catalog with its chosen
// declaration, verdict and findings, as CSV or JSON Lines.
func (e *env) catalogExport(args []string) error {
	fs := e.newFlags("catalog export", "[--catalog DIR] [--trust FILE] [--at YYYY-MM-DD] --format csv|jsonl")
	var cf catalogFlags
	cf.register(fs)
	var pf policyFlags
	pf.register(fs)
	format := fs.String("format", "", "`csv` (columns in the README, \"Exporting a catalog\") or jsonl (lookup --json's object per GTIN)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || *format == "" {
		fs.Usage()
		return errUsage
	}
	var f publish.Format
	switch *format {
	case "csv":
		f = publish.CSV
	case "jsonl":
		f = publish.JSONL
	default:
		e.errorf("catalog export: --format %q: want csv or jsonl", *format)
		return errUsage
	}
	policy, err := pf.policy()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	today, err := cf.today()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	cf.forget = cf.state == ""
	cat, err := cf.open(e.stderr)
	if err != nil {
		return err
	}
	defer cat.Close()
	n, err := publish.Export(e.stdout, cat.Catalog, f, today, policy)
	if err != nil {
		return fmt.Errorf("catalog export: %w", err)
	}
	e.errorf("catalog export: %d GTINs of %s, as on %s", n, cat.describe(), today)
	return nil
}

// recordFiles expands the record arguments of build and append: a
// directory stands for every file in it, in name order (not those whose
// names start with a dot, nor subdirectories); "-" for the file names on
// standard input, one a line (what `find DIR -name '*.signed'` prints),
// so that no list is too long for the command line.
func (e *env) recordFiles(args []string) ([]string, error) {
	var files []string
	stdin := false
	for _, a := range args {
		if a == "-" {
			if stdin {
				return nil, errors.New("- given twice: standard input is read once")
			}
			stdin = true
			sc := bufio.NewScanner(e.stdin)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				if name := strings.TrimRight(sc.Text(), "\r"); name != "" {
					files = append(files, name)
				}
			}
			if err := sc.Err(); err != nil {
				return nil, fmt.Errorf("read file names from standard input: %w", err)
			}
			continue
		}
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			files = append(files, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, d := range ents {
			if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				names = append(names, filepath.Join(a, d.Name()))
			}
		}
		slices.Sort(names)
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: no record files in the directory", a)
		}
		files = append(files, names...)
	}
	return files, nil
}

// signedName is where sign writes the signed record of FILE: FILE with
// its extension (.txt) replaced by .signed, in dir when one is given.
func signedName(file, dir string) string {
	base := strings.TrimSuffix(file, filepath.Ext(file)) + ".signed"
	if dir != "" {
		base = filepath.Join(dir, filepath.Base(base))
	}
	return base
}
