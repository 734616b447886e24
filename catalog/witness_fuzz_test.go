package catalog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// Fuzz targets for what witnesses and proofs bring in: cosignature lines
// on a checkpoint, a witness's answer to add-checkpoint, and tlog-proof
// text. Each checks what it accepts against an independent verifier
// (torchwood's, tlog's), so that accepting something that does not
// verify fails as surely as a panic:
//
//	go test -run=XXX -fuzz=FuzzCosignature -fuzztime=60s ./catalog

// torchwoodVerifier is torchwood's own verifier for w's key: the
// oracle, written apart from ours.
func torchwoodVerifier(t testing.TB, w *testWitness) note.Verifier {
	s, err := torchwood.NewCosignatureSigner(w.name, w.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s.Verifier()
}

// cosigFuzzSetup is a checkpoint signed by the fixture's publisher and
// a trust naming two witnesses, witness quorum 1.
func cosigFuzzSetup(t testing.TB) (cp []byte, trust *Trust, ws []*testWitness, f *fixture) {
	f = smallFixture(t)
	cp, _ = f.bytes()
	ws = []*testWitness{newTestWitness(t, "w1.example/w"), newTestWitness(t, "w2.example/w")}
	return cp, witnessedTrust(t, f, 1, ws...), ws, f
}

func FuzzCosignature(f *testing.F) {
	cp, trust, ws, fx := cosigFuzzSetup(f)
	later := fx.issued.Add(time.Hour)
	other := newTestWitness(f, "w9.example/w")
	impostor := newTestWitness(f, "w1.example/w-impostor")
	impostor.name = ws[0].name
	fx2 := smallFixture(f)
	fx2.issued = fx.issued.Add(time.Minute)
	cp2, _ := fx2.bytes()
	// Real outputs: the lines after the publisher's signature.
	extra := func(msg []byte) []byte { return bytes.Clone(msg[len(cp):]) }
	tw, _ := torchwood.NewCosignatureSigner(ws[1].name, ws[1].priv)
	n, _ := note.Open(cp, trust.verifiers)
	byTorchwood, _ := note.Sign(n, fx.pub, tw)
	for _, seed := range [][]byte{
		extra(ws[0].cosign(f, cp, later)),
		extra(ws[1].cosign(f, ws[0].cosign(f, cp, later), later)),
		extra(ws[0].cosign(f, cp, fx.issued.Add(-time.Second))),
		extra(other.cosign(f, cp, later)),
		extra(impostor.cosign(f, cp, later)),
		[]byte(sigLines(ws[0].cosign(f, cp2, later))),
		byTorchwood[bytes.Index(byTorchwood, []byte("\n— "+ws[1].name))+1:],
		[]byte("— w1.example/w AAAA\n"),
		[]byte("— w1.example/w\n"),
		{},
	} {
		f.Add(seed, ws[0].vkey)
	}
	f.Add([]byte{}, "w1.example/w+00000000+BA==")
	oracles := []note.Verifier{torchwoodVerifier(f, ws[0]), torchwoodVerifier(f, ws[1])}
	f.Fuzz(func(t *testing.T, extra []byte, vkey string) {
		// The verifier key parser agrees with the key ID it computes, and
		// takes only cosignature/v1 keys.
		if v, err := parseWitnessKey(vkey); err == nil {
			if v.hash != cosigKeyHash(v.name, v.key) || v.vkey != vkey || !strings.Contains(vkey, "+") {
				t.Fatalf("ParseWitnessKey(%q) = %+v", vkey, v)
			}
		}

		msg := append(bytes.Clone(cp), extra...)
		c, err := OpenCheckpoint(msg, trust)
		if err != nil {
			if c != nil {
				t.Fatal("a checkpoint and an error")
			}
			return
		}
		// Accepted: the publisher signed it, and every witness counted
		// has a cosignature torchwood verifies, made after issue.
		if _, err := note.Open(msg, trust.verifiers); err != nil {
			t.Fatalf("accepted without a publisher signature: %v", err)
		}
		if len(c.Cosigned) < trust.WitnessQuorum {
			t.Fatalf("accepted with %d cosignatures", len(c.Cosigned))
		}
		for _, cs := range c.Cosigned {
			var oracle note.Verifier
			for _, o := range oracles {
				if o.Name() == cs.Witness {
					oracle = o
				}
			}
			if oracle == nil {
				t.Fatalf("counted %q, no trusted witness", cs.Witness)
			}
			n, err := note.Open(msg, note.VerifierList(oracle))
			if err != nil {
				t.Fatalf("counted %s, whose cosignature torchwood refuses: %v", cs.Witness, err)
			}
			ok := false
			for _, s := range n.Sigs {
				ts, err := torchwood.CosignatureTimestamp(s)
				ok = ok || err == nil && !time.Unix(ts, 0).Before(c.Issued)
			}
			if !ok {
				t.Fatalf("counted %s with no cosignature made after issue", cs.Witness)
			}
		}
	})
}

func FuzzWitnessAnswer(f *testing.F) {
	cpMsg, trust, ws, fx := cosigFuzzSetup(f)
	cp, err := OpenCheckpoint(cpMsg, trust.PublisherOnly())
	if err != nil {
		f.Fatal(err)
	}
	later := fx.issued.Add(time.Hour)
	other := newTestWitness(f, "w9.example/w")
	fx2 := smallFixture(f)
	fx2.issued = fx.issued.Add(time.Minute)
	cp2, _ := fx2.bytes()
	for _, seed := range []string{
		sigLines(ws[0].cosign(f, cpMsg, later)),
		sigLines(other.cosign(f, cpMsg, later)) + sigLines(ws[1].cosign(f, cpMsg, later)),
		sigLines(ws[0].cosign(f, cpMsg, fx.issued.Add(-time.Hour))),
		sigLines(ws[0].cosign(f, cp2, later)),
		sigLines(cpMsg),
		"— w1.example/w AAAA\n",
		"<html>\n",
		"",
		"4\n",
		"18446744073709551616\n",
		"+4\n",
	} {
		f.Add([]byte(seed), "text/x.tlog.size")
	}
	oracles := note.VerifierList(torchwoodVerifier(f, ws[0]), torchwoodVerifier(f, ws[1]))
	f.Fuzz(func(t *testing.T, answer []byte, ctype string) {
		// As a 409: a tree size only when it is one, written plainly.
		if size, err := parseTreeSize(ctype, answer); err == nil {
			if size < 0 || strconv.FormatInt(size, 10)+"\n" != string(answer) && strconv.FormatInt(size, 10) != string(answer) {
				t.Fatalf("409 %q read as size %d", answer, size)
			}
		}
		// As a 200: a line only when it is a trusted witness's valid
		// cosignature on this checkpoint, which then counts there.
		line, cs, err := cosignatureFrom(cp, trust, answer)
		if err != nil {
			if line != "" || cs != nil {
				t.Fatal("a line and an error")
			}
			return
		}
		if line == "" || cs == nil || !strings.Contains(string(answer), line) {
			t.Fatalf("line %q, cosignature %+v, no error", line, cs)
		}
		msg := addSignatureLine(cpMsg, line)
		if _, err := note.Open(msg, oracles); err != nil {
			t.Fatalf("took a cosignature torchwood refuses: %v", err)
		}
		c, err := OpenCheckpoint(msg, trust)
		if err != nil || len(c.Cosigned) != 1 || c.Cosigned[0].Witness != cs.Witness {
			t.Fatalf("took %q, which the checkpoint then refuses: %v", line, err)
		}
	})
}

func FuzzProof(f *testing.F) {
	sf := newSyncFixture(f)
	dir := filepath.Join(f.TempDir(), "cat")
	if _, err := Build(dir, sf.trust.Origin, sf.recs[:300], []Signer{sf.pub}, sf.trust.Publishers, benchIssued, 365*24*time.Hour); err != nil {
		f.Fatal(err)
	}
	c, err := OpenDir(dir, sf.trust, nil)
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	// The trust names a witness (quorum 0): cosignature lines are read.
	seed := sha256.Sum256([]byte("fuzz proof witness"))
	w := &testWitness{name: "w1.example/w", priv: ed25519.NewKeyFromSeed(seed[:])}
	w.vkey = torchwoodVerifier(f, w).(interface{ String() string }).String()
	tr := *sf.trust
	tr.Witnesses = []string{w.vkey}
	trust, err := ParseTrust(tr.Format())
	if err != nil {
		f.Fatal(err)
	}
	cosigned := w.cosign(f, c.Checkpoint.Raw, benchIssued.Add(time.Hour))
	for _, i := range []int64{0, 1, 255, 256, 299} {
		p, err := c.InclusionProof(dir, i)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(p.Format()))
		p.Checkpoint = cosigned
		f.Add([]byte(p.Format()))
		p.Index++
		f.Add([]byte(p.Format()))
	}
	f.Add([]byte(proofHeader + "\nextra AA==\nindex 0\n\n"))
	f.Add([]byte(proofHeader + "\n\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, text []byte) {
		p, err := ParseProof(text)
		if err != nil {
			if p != nil {
				t.Fatal("a proof and an error")
			}
			return
		}
		// What parses writes back to text that parses to the same proof.
		q, err := ParseProof([]byte(p.Format()))
		if err != nil || q.Index != p.Index || !bytes.Equal(q.Record, p.Record) || len(q.Hashes) != len(p.Hashes) {
			t.Fatalf("round trip: %v", err)
		}
		cp, err := p.Verify(trust)
		if err != nil {
			var se *SecurityError
			if cp != nil || (!errors.As(err, &se) && !strings.Contains(err.Error(), "checkpoint")) {
				t.Fatalf("refused without a security error: %v", err)
			}
			return
		}
		// Accepted: only the log's own record at its own index, under
		// the publisher's own checkpoint, is ever proven.
		if cp.Root != c.Checkpoint.Root || cp.Size != c.Size() {
			t.Fatalf("proved against another tree: %d records", cp.Size)
		}
		rec, err := c.Record(p.Index)
		if err != nil || !bytes.Equal(rec, p.Record) {
			t.Fatalf("proved record %d, which is not the log's: %v", p.Index, err)
		}
	})
}
