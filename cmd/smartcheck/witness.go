package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// catalogWitness asks C2SP tlog-witness witnesses to cosign the catalog's
// checkpoint and adds their cosignatures to it (catalog.md, "Witnesses").
// It says, for each witness, whether it cosigned and if not why, and
// exits 1 when the trust file's witness-quorum is not met.
func (e *env) catalogWitness(args []string) error {
	fs := e.newFlags("catalog witness", "--catalog DIR [--trust FILE] [--timeout 10s] URL...")
	dir := fs.String("catalog", "", "the published catalog `DIR`")
	trustPath := fs.String("trust", "", "trust `FILE` naming the witnesses (default: DIR/trust)")
	timeout := fs.Duration("timeout", 10*time.Second, "give up on a witness that has not answered in this long")
	urls, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" || len(urls) == 0 || *timeout <= 0 {
		fs.Usage()
		return errUsage
	}
	trust, err := readTrust(*dir, *trustPath)
	if err != nil {
		return fmt.Errorf("catalog witness: %w", err)
	}
	cat, err := openPublished(*dir, *trustPath)
	if err != nil {
		return fmt.Errorf("catalog witness: %w", err)
	}
	defer cat.Close()
	wr := &catalog.WitnessRequest{Timeout: *timeout, Quorum: trust.WitnessQuorum}
	answers, cp, err := wr.Cosign(context.Background(), *dir, cat.Catalog, urls)
	for _, a := range answers {
		if a.Cosigned != nil {
			fmt.Fprintf(e.stdout, "%s: cosigned as %s at %s\n", a.URL, catalog.Sanitize(a.Cosigned.Witness), a.Cosigned.Time.Format(time.RFC3339))
		} else {
			e.errorf("catalog witness: %s did not cosign: %s", a.URL, catalog.Sanitize(a.Err.Error()))
		}
	}
	if err != nil && !errors.Is(err, catalog.ErrBelowWitnessQuorum) {
		return fmt.Errorf("catalog witness: %w", err)
	}
	fmt.Fprintf(e.stdout, "checkpoint of %d records: %d of %d witnesses cosigned (%d required)%s\n",
		cp.Size, len(cp.Cosigned), len(trust.Witnesses), trust.WitnessQuorum, cosignedList(cp))
	if err != nil {
		e.errorf("catalog witness: %v: tills that require the cosignatures keep their last catalog", err)
		return exitError(1)
	}
	return nil
}
