package main

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

var trustCommands = [][2]string{
	{"rotate", "replace the publisher keys: sign and install the next trust note"},
}

func (e *env) catalogTrust(args []string) error {
	return e.subcommand("catalog trust", args, trustCommands, map[string]func([]string) error{
		"rotate": e.catalogTrustRotate,
	})
}

// catalogTrustRotate writes trust note N+1 (catalog.md, "Rotating the
// publisher keys") into DIR/trust.d: the --new-key publishers, in force
// from the catalog's next record, signed by a quorum of the keys in
// force now (--key) and a quorum of the new ones. It then signs a new
// checkpoint over the same records with the new keys, so that what is
// published is under the new trust at once; from then on appends and
// refreshes need the new keys. Tills follow on their next sync.
func (e *env) catalogTrustRotate(args []string) error {
	fs := e.newFlags("catalog trust rotate", "--key OLD [--key OLD...] --new-key NEW [--new-key NEW...] --catalog DIR [--trust FILE] [--quorum K] [--expires 7d]")
	var w writerFlags
	w.register(fs)
	var newKeys multiFlag
	fs.Var(&newKeys, "new-key", "signer key `FILE` of a new publisher key (repeat for each)")
	quorum := fs.Int("quorum", 0, "how many of the new publisher keys must sign (default: all of them)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || !w.ok(true) || len(newKeys) == 0 || *quorum < 0 {
		fs.Usage()
		return errUsage
	}
	old, err := w.signers()
	if err != nil {
		return err
	}
	signers, vkeys, err := readSigners(newKeys)
	if err != nil {
		return err
	}
	q := *quorum
	if q == 0 {
		q = len(vkeys)
	}
	if q > len(vkeys) {
		e.errorf("catalog trust rotate: --quorum %d is more than the %d new keys given", q, len(vkeys))
		return errUsage
	}
	cat, err := w.open()
	if err != nil {
		return err
	}
	defer cat.Close()
	// The catalog is opened as its publisher opens it, without the
	// witness quorum (the cosignatures come after a write); the next
	// trust note keeps the quorum the trust really has, or a rotation
	// would let tills stop requiring witnesses.
	full, err := readTrust(w.dir, w.trust)
	if err != nil {
		return fmt.Errorf("catalog trust rotate: %w", err)
	}
	cur := *cat.Trust
	cur.WitnessQuorum = full.WitnessQuorum
	next, note, err := catalog.RotateTrust(&cur, cat.Size(), vkeys, q, old, signers)
	if err != nil {
		return fmt.Errorf("catalog trust rotate: %w", err)
	}
	if err := catalog.WriteTrustNotes(w.dir, next); err != nil {
		return fmt.Errorf("catalog trust rotate: %w", err)
	}
	path := catalog.TrustNotePath(w.dir, next.Version)
	fmt.Fprintf(e.stdout, "wrote %s: trust version %d, %d publisher keys (quorum %d), in force from record %d (%d bytes)\n", path, next.Version, len(vkeys), q, next.From, len(note))
	// The records are the same; the checkpoint is signed again, by the
	// new keys.
	cat.Trust = next.PublisherOnly()
	cp, err := catalog.Append(w.dir, cat.Catalog, nil, signers, time.Now(), *w.expires)
	if err != nil {
		return fmt.Errorf("catalog trust rotate: the trust note is written, but the checkpoint was not signed again: %w", err)
	}
	fmt.Fprintf(e.stdout, "signed a new checkpoint with the new keys: %d records, expires %s\n", cp.Size, cp.Expires.Format(time.RFC3339))
	fmt.Fprintf(e.stdout, "upload %s/%s before the checkpoint; keep the old trust file: tills start from it\n", catalog.TrustDir, filepath.Base(path))
	return nil
}

// userAgent names this build to the servers a sync fetches from.
func userAgent() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "smartcheck/" + strings.TrimPrefix(v, "v") + " (catalog sync)"
}
