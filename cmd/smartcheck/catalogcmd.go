package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

func (e *env) catalog(args []string) error {
	if len(args) == 0 {
		e.errorf("usage: smartcheck catalog build|append|verify ...")
		return errUsage
	}
	switch args[0] {
	case "build":
		return e.catalogBuild(args[1:])
	case "append":
		return e.catalogAppend(args[1:])
	case "verify":
		return e.catalogVerify(args[1:])
	}
	e.errorf("unknown catalog command %q: want build, append or verify", args[0])
	return errUsage
}

func readRecords(files []string) ([][]byte, error) {
	var recs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read record: %w", err)
		}
		if err := catalog.CheckSigned(b); err != nil {
			return nil, fmt.Errorf("%s: refused: %w", f, err)
		}
		recs = append(recs, b)
	}
	return recs, nil
}

func (e *env) catalogBuild(args []string) error {
	fs := e.newFlags("catalog build", "--origin ORIGIN --key FILE [--key FILE...] [--expires 168h] --out DIR SIGNED...")
	var keys multiFlag
	fs.Var(&keys, "key", "publisher signer key `FILE` (repeat for several)")
	origin := fs.String("origin", "", "the catalog's `ORIGIN`, e.g. shop.example/uk")
	expires := fs.Duration("expires", 168*time.Hour, "how long the checkpoint stays fresh")
	out := fs.String("out", "", "write the catalog into `DIR`")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *origin == "" || *out == "" || len(keys) == 0 || *expires <= 0 {
		fs.Usage()
		return errUsage
	}
	signers, vkeys, err := readSigners(keys)
	if err != nil {
		return err
	}
	recs, err := readRecords(files)
	if err != nil {
		return err
	}
	cp, err := catalog.Build(*out, *origin, recs, signers, vkeys, time.Now(), *expires)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "built %s: %d records, root %s, expires %s\n", *out, cp.Size, cp.Root, cp.Expires.Format(time.RFC3339))
	return nil
}

func (e *env) catalogAppend(args []string) error {
	fs := e.newFlags("catalog append", "--key FILE [--key FILE...] [--expires 168h] --catalog DIR SIGNED...")
	var keys multiFlag
	fs.Var(&keys, "key", "publisher signer key `FILE` (repeat for several)")
	dir := fs.String("catalog", "", "the catalog `DIR`")
	trustPath := fs.String("trust", "", "trust `FILE` (default: DIR/trust)")
	expires := fs.Duration("expires", 168*time.Hour, "how long the new checkpoint stays fresh")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" || len(keys) == 0 || *expires <= 0 {
		fs.Usage()
		return errUsage
	}
	signers, _, err := readSigners(keys)
	if err != nil {
		return err
	}
	recs, err := readRecords(files)
	if err != nil {
		return err
	}
	tp := *trustPath
	if tp == "" {
		tp = filepath.Join(*dir, "trust")
	}
	tf, err := os.ReadFile(tp)
	if err != nil {
		return fmt.Errorf("read trust file: %w", err)
	}
	trust, err := catalog.ParseTrust(tf)
	if err != nil {
		return fmt.Errorf("%s: %w", tp, err)
	}
	// The publisher checks its own catalog before it extends it: appending
	// to a tampered log would sign the tampering.
	cat, err := catalog.OpenDir(*dir, trust, nil)
	if err != nil {
		return describeOpenError(*dir, err)
	}
	defer cat.Close()
	cp, err := catalog.Append(*dir, cat, recs, signers, time.Now(), *expires)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "appended %d records to %s: %d records, root %s, expires %s\n", len(recs), *dir, cp.Size, cp.Root, cp.Expires.Format(time.RFC3339))
	return nil
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
	cat, err := cf.open(e.stderr)
	if err != nil {
		return err
	}
	defer cat.Close()
	fmt.Fprintf(e.stdout, "catalog: %s\n", cat.describe())
	fmt.Fprintf(e.stdout, "checkpoint signatures, origin and root: ok\n")
	problems := cat.Verify()
	for _, p := range problems {
		fmt.Fprintf(e.stdout, "%s\n", catalog.Sanitize(p.String()))
	}
	stale := cat.Checkpoint.Stale(today)
	if stale {
		fmt.Fprintf(e.stdout, "checkpoint expired on %s: the catalog is stale\n", catalog.DateOf(cat.Checkpoint.Expires))
	}
	if len(problems) > 0 || stale {
		e.errorf("catalog verify: %d record problems%s", len(problems), map[bool]string{true: ", and the catalog is stale", false: ""}[stale])
		return exitError(1)
	}
	fmt.Fprintf(e.stdout, "all %d records verify\n", cat.Size())
	return nil
}
