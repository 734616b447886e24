package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
)

// reportProof is the `proof` field of `lookup --json --proof`: the chosen
// declaration's record, proven in the log the checkpoint signs.
type reportProof struct {
	Index      int64    `json:"index"`      // the record's place in the log
	Record     string   `json:"record"`     // the record, a signed note
	TreeSize   int64    `json:"tree_size"`  // the checkpoint's size
	Root       string   `json:"root"`       // the checkpoint's root hash, base64
	Hashes     []string `json:"hashes"`     // the RFC 6962 inclusion proof, base64, leaf's sibling first
	Checkpoint string   `json:"checkpoint"` // the signed checkpoint, cosignatures included
	Witnesses  []string `json:"witnesses"`  // the trusted witnesses that cosigned it; [] when none
	TlogProof  string   `json:"tlog_proof"` // all of the above as C2SP tlog-proof@v1 text (record as extra)
}

// proveDeclaration proves record i of the opened catalog.
func proveDeclaration(cat *opened, i int64) (*reportProof, error) {
	p, err := cat.InclusionProof(cat.dir, i)
	if err != nil {
		return nil, err
	}
	rp := &reportProof{Index: i, Record: string(p.Record), TreeSize: cat.Size(), Root: cat.Checkpoint.Root.String(),
		Hashes: []string{}, Checkpoint: string(p.Checkpoint), Witnesses: []string{}, TlogProof: p.Format()}
	for _, h := range p.Hashes {
		rp.Hashes = append(rp.Hashes, h.String())
	}
	for _, c := range cat.Checkpoint.Cosigned {
		rp.Witnesses = append(rp.Witnesses, c.Witness)
	}
	return rp, nil
}

// verifyProof checks a proof offline: a line of `lookup --json --proof`,
// its `proof` object, or C2SP tlog-proof@v1 text, against a trust file
// (default: the installed catalog's, else the built-in demo's).
func (e *env) verifyProof(args []string) error {
	fs := e.newFlags("verify-proof", "[--trust FILE] FILE|-")
	trustPath := fs.String("trust", "", "trust `FILE` (default: the installed catalog's, else the built-in demo's)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	var in []byte
	if rest[0] == "-" {
		in, err = io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	} else {
		in, err = readAtMost(rest[0], 1<<20)
	}
	if err != nil {
		return fmt.Errorf("verify-proof: %w", err)
	}
	trust, err := proofTrust(*trustPath)
	if err != nil {
		return fmt.Errorf("verify-proof: %w", err)
	}
	text, fields, err := proofText(in)
	if err != nil {
		return fmt.Errorf("verify-proof: %w", err)
	}
	p, err := catalog.ParseProof(text)
	if err != nil {
		return fmt.Errorf("verify-proof: not a proof: %w", err)
	}
	cp, err := p.Verify(trust)
	if err != nil {
		return fmt.Errorf("verify-proof: refused: %w", err)
	}
	if err := fields.agree(p, cp); err != nil {
		return fmt.Errorf("verify-proof: refused: %w", err)
	}
	what := "record"
	if body, ok := catalog.SplitNote(p.Record); ok {
		what = strings.SplitN(string(body), "\n", 2)[0]
	}
	fmt.Fprintf(e.stdout, "ok: record %d (%s) is in %s, %d records, issued %s", p.Index, catalog.Sanitize(what), catalog.Sanitize(cp.Origin), cp.Size, cp.Issued.Format("2006-01-02T15:04:05Z"))
	if len(cp.Cosigned) > 0 {
		fmt.Fprintf(e.stdout, ", witnessed by %s", catalog.Sanitize(cp.WitnessNames()))
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// proofText finds the tlog-proof text in what verify-proof was given,
// and, in JSON, the proof's other fields, which must then agree with it.
func proofText(in []byte) ([]byte, *reportProof, error) {
	in = bytes.TrimLeft(in, " \t\r\n")
	if !bytes.HasPrefix(in, []byte("{")) {
		return in, nil, nil
	}
	var v struct {
		Proof *reportProof `json:"proof"`
		reportProof
	}
	if err := json.Unmarshal(in, &v); err != nil {
		return nil, nil, fmt.Errorf("not JSON a proof can be read from: %v", err)
	}
	switch {
	case v.Proof != nil && v.Proof.TlogProof != "":
		return []byte(v.Proof.TlogProof), v.Proof, nil
	case v.TlogProof != "":
		return []byte(v.TlogProof), &v.reportProof, nil
	}
	return nil, nil, errors.New("the JSON holds no proof (run lookup --json --proof; a code with no trusted declaration has none)")
}

// agree checks that a JSON proof's fields say what its verified
// tlog_proof says: a reader of the JSON trusts them too.
func (rp *reportProof) agree(p *catalog.Proof, cp *catalog.Checkpoint) error {
	if rp == nil {
		return nil
	}
	var bad []string
	if rp.Index != p.Index {
		bad = append(bad, "index")
	}
	if rp.Record != "" && rp.Record != string(p.Record) {
		bad = append(bad, "record")
	}
	if rp.TreeSize != 0 && rp.TreeSize != cp.Size {
		bad = append(bad, "tree_size")
	}
	if rp.Root != "" && rp.Root != cp.Root.String() {
		bad = append(bad, "root")
	}
	if rp.Checkpoint != "" && rp.Checkpoint != string(p.Checkpoint) {
		bad = append(bad, "checkpoint")
	}
	if rp.Hashes != nil {
		same := len(rp.Hashes) == len(p.Hashes)
		for i := 0; same && i < len(p.Hashes); i++ {
			same = rp.Hashes[i] == p.Hashes[i].String()
		}
		if !same {
			bad = append(bad, "hashes")
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("the JSON's %s disagree with its tlog_proof, which verifies: the JSON was altered", strings.Join(bad, ", "))
	}
	var unconfirmed []string
	for _, w := range rp.Witnesses {
		if !slices.ContainsFunc(cp.Cosigned, func(c catalog.Cosignature) bool { return c.Witness == w }) {
			unconfirmed = append(unconfirmed, catalog.Sanitize(w))
		}
	}
	if len(unconfirmed) > 0 {
		return withHint(fmt.Errorf("the JSON names witnesses whose cosignatures this trust file does not confirm: %s", strings.Join(unconfirmed, ", ")),
			"give --trust the trust file that names them as witnesses")
	}
	return nil
}

// proofTrust reads the trust a proof is checked against.
func proofTrust(path string) (*catalog.Trust, error) {
	if path == "" {
		if d := installedDir(); d != "" {
			if _, err := os.Stat(filepath.Join(d, "trust")); err == nil {
				path = filepath.Join(d, "trust")
			}
		}
	}
	var tf []byte
	var err error
	if path == "" {
		_, _, tf = data.Demo()
	} else if tf, err = os.ReadFile(path); err != nil {
		return nil, fmt.Errorf("read trust file: %w", err)
	}
	t, err := catalog.ParseTrust(tf)
	if err != nil {
		return nil, fmt.Errorf("trust file: %w", err)
	}
	return t, nil
}

// readAtMost reads a file of at most n bytes.
func readAtMost(name string, n int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, n+1))
	if err == nil && int64(len(b)) > n {
		return nil, fmt.Errorf("%s is more than %d bytes", name, n)
	}
	return b, err
}
