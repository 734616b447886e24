package catalog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// testWitness is a cosignature/v1 signer from torchwood (the library
// litewitness uses), with a key derived from its name, and a clock.
type testWitness struct {
	name string
	vkey string
	priv ed25519.PrivateKey
}

func newTestWitness(t testing.TB, name string) *testWitness {
	seed := sha256.Sum256([]byte("catalog test witness " + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	s, err := torchwood.NewCosignatureSigner(name, priv)
	if err != nil {
		t.Fatal(err)
	}
	return &testWitness{name: name, vkey: s.Verifier().String(), priv: priv}
}

// cosign returns the checkpoint msg with w's cosignature made at time at
// added. torchwood signs at the wall clock, so the timestamp is set here
// by hand, in the format torchwood writes (checked by
// TestCosignatureMatchesTorchwood).
func (w *testWitness) cosign(t testing.TB, msg []byte, at time.Time) []byte {
	body, _, _ := bytes.Cut(msg, []byte("\n\n"))
	body = append(body, '\n')
	ts := uint64(at.Unix())
	sig := binary.BigEndian.AppendUint32(nil, cosigKeyHash(w.name, w.priv.Public().(ed25519.PublicKey)))
	sig = binary.BigEndian.AppendUint64(sig, ts)
	sig = append(sig, ed25519.Sign(w.priv, cosignedMessage(ts, body))...)
	return append(bytes.Clone(msg), "— "+w.name+" "+base64.StdEncoding.EncodeToString(sig)+"\n"...)
}

// witnessedTrust is f's trust with witnesses ws and quorum q.
func witnessedTrust(t testing.TB, f *fixture, q int, ws ...*testWitness) *Trust {
	tr := *f.trust
	tr.Witnesses, tr.WitnessQuorum = nil, q
	for _, w := range ws {
		tr.Witnesses = append(tr.Witnesses, w.vkey)
	}
	parsed, err := ParseTrust(tr.Format())
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

func TestCosignatureMatchesTorchwood(t *testing.T) {
	f := smallFixture(t)
	cp, _ := f.bytes()
	w := newTestWitness(t, "witness.example/w1")
	seed := sha256.Sum256([]byte("catalog test witness " + w.name))
	s, err := torchwood.NewCosignatureSigner(w.name, ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(cp, f.trust.verifiers)
	if err != nil {
		t.Fatal(err)
	}
	// torchwood's own cosignature, made now, verifies with ours.
	msg, err := note.Sign(n, f.pub, s)
	if err != nil {
		t.Fatal(err)
	}
	trust := witnessedTrust(t, f, 1, w)
	c, err := OpenCheckpoint(msg, trust)
	if err != nil {
		t.Fatalf("torchwood's cosignature refused: %v", err)
	}
	if len(c.Cosigned) != 1 || c.Cosigned[0].Witness != w.name || time.Since(c.Cosigned[0].Time) > time.Minute {
		t.Fatalf("cosigned = %+v", c.Cosigned)
	}
	// And ours verifies with torchwood's verifier.
	mine := w.cosign(t, cp, time.Now())
	if _, err := note.Open(mine, note.VerifierList(s.Verifier())); err != nil {
		t.Fatalf("torchwood refuses our cosignature: %v", err)
	}
	if v, err := ParseWitnessKey(s.Verifier().String()); err != nil || v.KeyHash() != s.KeyHash() {
		t.Fatalf("ParseWitnessKey(%s) = %v, %v", s.Verifier(), v, err)
	}
}

func TestCosignatureQuorum(t *testing.T) {
	f := smallFixture(t)
	cp, _ := f.bytes()
	w1, w2, w3 := newTestWitness(t, "w1.example/w"), newTestWitness(t, "w2.example/w"), newTestWitness(t, "w3.example/w")
	later := f.issued.Add(time.Hour)
	trust := witnessedTrust(t, f, 2, w1, w2, w3)

	good := w2.cosign(t, w1.cosign(t, cp, later), later)
	c, err := OpenCheckpoint(good, trust)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.WitnessNames(); got != "w1.example/w, w2.example/w" {
		t.Fatalf("witnesses = %q", got)
	}
	if _, err := OpenCheckpoint(cp, witnessedTrust(t, f, 0, w1)); err != nil {
		t.Fatalf("quorum 0 with no cosignature: %v", err)
	}

	other := newTestWitness(t, "w9.example/w")
	impostor := newTestWitness(t, "w2.example/w-other") // a different key...
	impostor.name = "w2.example/w"                      // ...under a trusted witness's name
	// A second checkpoint, for forging: a cosignature copied from it.
	f2 := smallFixture(t)
	f2.issued = f.issued.Add(time.Minute)
	cp2, _ := f2.bytes()
	copied := sigLines(w2.cosign(t, cp2, later))

	for _, tc := range []struct {
		name, msg string
		want      []string
	}{
		{"missing", string(w1.cosign(t, cp, later)), []string{"1 of the 2 witness", "witness w2.example/w: no cosignature", "witness w3.example/w: no cosignature"}},
		{"none", string(cp), []string{"0 of the 2", "split view"}},
		{"stale", string(w2.cosign(t, w1.cosign(t, cp, later), f.issued.Add(-time.Second))), []string{"witness w2.example/w: its cosignature is stale: made 2026-10-31T23:59:59Z, before the checkpoint was issued (2026-11-01T00:00:00Z)"}},
		{"foreign", string(other.cosign(t, w1.cosign(t, cp, later), later)), []string{"w9.example/w: a signature by a key that is in no witness line"}},
		{"foreign key under a trusted name", string(impostor.cosign(t, w1.cosign(t, cp, later), later)), []string{"witness w2.example/w: a cosignature named w2.example/w with key ID"}},
		{"same witness twice", string(w1.cosign(t, w1.cosign(t, cp, later), later.Add(time.Second))), []string{"1 of the 2"}},
		{"forged", string(w1.cosign(t, cp, later)) + copied, []string{"cosignature by witness w2.example/w does not verify"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenCheckpoint([]byte(tc.msg), trust)
			var se *SecurityError
			if err == nil || !asSecurity(err, &se) || se.Check != "witness" {
				t.Fatalf("err = %v, want a witness security error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}

	// Cosignatures alone are not a publisher signature.
	body, _, _ := bytes.Cut(cp, []byte("\n\n"))
	onlyWitnesses := w2.cosign(t, w1.cosign(t, append(body, "\n\n"...), later), later)
	if _, err := OpenCheckpoint(onlyWitnesses, trust); securityCheck(err) != "quorum" {
		t.Fatalf("witnesses without the publisher: %v", err)
	}
}

func asSecurity(err error, se **SecurityError) bool {
	s, ok := err.(*SecurityError)
	*se = s
	return ok
}

// sigLines returns the signature lines of a signed note.
func sigLines(msg []byte) string {
	_, sigs, _ := bytes.Cut(msg, []byte("\n\n"))
	lines := strings.SplitAfter(string(sigs), "\n")
	return lines[len(lines)-2] // the last line; the split leaves "" after it
}

func TestTrustWitnessLines(t *testing.T) {
	w := newTestWitness(t, "w1.example/w")
	_, pub := testKey(t, "publisher")
	base := "origin o.example\npublisher " + pub + "\n"
	tr, err := ParseTrust([]byte(base + "witness " + w.vkey + "\nwitness-quorum 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseTrust(tr.Format())
	if err != nil || again.WitnessQuorum != 1 || len(again.Witnesses) != 1 {
		t.Fatalf("round trip: %v %+v", err, again)
	}
	for _, bad := range []struct{ text, want string }{
		{"witness-quorum 1\n", "witness-quorum 1 is more than its 0 witness keys"},
		{"witness " + w.vkey + "\nwitness-quorum -1\n", "integer ≥ 0"},
		{"witness " + w.vkey + "\nwitness-quorum 01\n", "integer ≥ 0"},
		{"witness " + w.vkey + "\nwitness " + w.vkey + "\n", "named twice"},
		{"witness " + pub + "\n", "not a cosignature/v1 witness key"},
		{"witness " + strings.Replace(w.vkey, "+", "+0", 1)[:len(w.vkey)] + "\n", "witness key"},
		{"witness w1.example/w\n", "not a verifier key"},
	} {
		if _, err := ParseTrust([]byte(base + bad.text)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err = %v, want %q", bad.text, err, bad.want)
		}
	}
}

// BenchmarkOpenCheckpointCosigned is the cost of a checkpoint with three
// cosignatures over one with none (target: at most 1 ms more).
func BenchmarkOpenCheckpointCosigned(b *testing.B) {
	f := smallFixture(b)
	cp, _ := f.bytes()
	ws := []*testWitness{newTestWitness(b, "w1.example/w"), newTestWitness(b, "w2.example/w"), newTestWitness(b, "w3.example/w")}
	msg := cp
	for _, w := range ws {
		msg = w.cosign(b, msg, f.issued.Add(time.Hour))
	}
	plain, witnessed := f.trust, witnessedTrust(b, f, 3, ws...)
	b.Run("publisher-only", func(b *testing.B) {
		for b.Loop() {
			if _, err := OpenCheckpoint(cp, plain); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("3-cosignatures", func(b *testing.B) {
		for b.Loop() {
			if _, err := OpenCheckpoint(msg, witnessed); err != nil {
				b.Fatal(err)
			}
		}
	})
}
