package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// copyDir copies a stage from one machine to another (a USB stick, a
// shared folder): only files travel.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// quorumTwo is a fixture whose trust needs two publisher signatures.
func quorumTwo(t *testing.T) (f *fixture, alice, bob Signer) {
	f = newFixture(t)
	alice, bob = f.pub, f.signer("publisher-2")
	var err error
	f.trust, err = ParseTrust((&Trust{Origin: testOrigin, Publishers: []string{f.trust.Publishers[0], f.vkeys["publisher-2"]}, Quorum: 2}).Format())
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's key records were signed by one publisher only.
	for i := range f.records {
		body, _ := SplitNote(f.records[i])
		if f.records[i], err = Sign(body, alice, bob); err != nil {
			t.Fatal(err)
		}
	}
	return f, alice, bob
}

// TestStageCosignPublish: two key holders on two machines, whose keys
// never meet, publish an append; below the quorum nothing is published.
func TestStageCosignPublish(t *testing.T) {
	f, alice, bob := quorumTwo(t)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	live := filepath.Join(t.TempDir(), "live")
	if _, err := Build(live, testOrigin, f.records, []Signer{alice, bob}, f.trust.Publishers, now, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	stage := filepath.Join(t.TempDir(), "stage")
	func() {
		unlock, err := LockDir(live)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		c, err := OpenDir(live, f.trust, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rec, _ := Sign([]byte(decl("id staged", "gtin "+gtinB)), f.signer("maker"))
		if _, err := StageAppend(stage, c, [][]byte{rec}, now.Add(time.Hour), 7*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}()
	liveBefore, _ := os.ReadFile(filepath.Join(live, "checkpoint"))

	// Machine A: Alice's key only.
	machineA := filepath.Join(t.TempDir(), "a")
	copyDir(t, stage, machineA)
	sa, err := OpenStage(machineA)
	if err != nil {
		t.Fatal(err)
	}
	if err := sa.Cosign(alice); err != nil {
		t.Fatal(err)
	}
	if err := sa.Cosign(alice); err != nil { // twice changes nothing
		t.Fatal(err)
	}
	if names, q := sa.Signers(); len(names) != 1 || q != 2 {
		t.Fatalf("signers %v of %d", names, q)
	}
	// Below the quorum: refused, the live catalog untouched.
	sa, _ = OpenStage(machineA)
	if _, err := Publish(sa, live, f.trust, now.Add(2*time.Hour)); err == nil || !strings.Contains(err.Error(), "1 of the 2") {
		t.Fatalf("publish below quorum: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(live, "checkpoint")); !bytes.Equal(b, liveBefore) {
		t.Fatal("a refused publish changed the live checkpoint")
	}
	// A key that is not a publisher's cannot add a signature that counts.
	if err := sa.Cosign(f.signer("maker")); err == nil {
		t.Fatal("a manufacturer key cosigned")
	}

	// Machine B: Bob's key only, on the stage as it left machine A.
	machineB := filepath.Join(t.TempDir(), "b")
	copyDir(t, machineA, machineB)
	sb, err := OpenStage(machineB)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Cosign(bob); err != nil {
		t.Fatal(err)
	}
	sb, _ = OpenStage(machineB)
	cp, err := Publish(sb, live, f.trust, now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenDir(live, f.trust, nil)
	if err != nil {
		t.Fatalf("the published catalog does not open: %v", err)
	}
	defer c.Close()
	if c.Size() != cp.Size || c.Size() != int64(len(f.records))+1 || len(c.Verify()) != 0 {
		t.Fatalf("published catalog: %d records, problems %v", c.Size(), c.Verify())
	}
	// The same stage again: the live catalog moved on.
	if _, err := Publish(sb, live, f.trust, now.Add(3*time.Hour)); !errors.Is(err, ErrStaleStage) {
		t.Fatalf("publishing a stale stage: %v", err)
	}
}

// TestStageRefusesTampering: what a cosigner signs is what the stage's
// records and base say; a changed record, range or checkpoint is refused
// when the stage is opened.
func TestStageRefusesTampering(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	live := filepath.Join(t.TempDir(), "live")
	if _, err := Build(live, testOrigin, f.records, []Signer{f.pub}, f.trust.Publishers, now, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	c, err := OpenDir(live, f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stage := filepath.Join(t.TempDir(), "stage")
	rec, _ := Sign([]byte(decl()), f.signer("maker"))
	if _, err := StageAppend(stage, c, [][]byte{rec}, now, time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"records", "range", "checkpoint", "base"} {
		t.Run(name, func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "s")
			copyDir(t, stage, d)
			b, _ := os.ReadFile(filepath.Join(d, name))
			i := len(b) / 2
			if name == "checkpoint" {
				i = strings.Index(string(b), "\n") + 3 // a digit of the size
			}
			b[i] ^= 1
			os.WriteFile(filepath.Join(d, name), b, 0o644)
			if _, err := OpenStage(d); err == nil {
				t.Fatalf("a stage with %s byte %d changed opened", name, i)
			}
		})
	}
	t.Run("incomplete", func(t *testing.T) {
		d := filepath.Join(t.TempDir(), "s")
		copyDir(t, stage, d)
		os.Remove(filepath.Join(d, "checkpoint"))
		if _, err := OpenStage(d); err == nil || !strings.Contains(err.Error(), "incomplete") {
			t.Fatalf("half-finished stage: %v", err)
		}
	})
}

// TestConcurrentAppends: ten appends at once (ten tills' worth of
// publishers' slips, or a cron job and a person) each land exactly once,
// and the catalog verifies.
func TestConcurrentAppends(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	dir := filepath.Join(t.TempDir(), "cat")
	if _, err := Build(dir, testOrigin, f.records, []Signer{f.pub}, f.trust.Publishers, now, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := SyntheticGTIN(1000 + i)
			rec, err := Sign([]byte(decl(fmt.Sprintf("id batch-%d", i), "gtin "+g)), f.signer("maker"))
			if err == nil {
				_, err = AppendDir(dir, f.trust, [][]byte{rec}, []Signer{f.pub}, now.Add(time.Duration(i)*time.Second), 24*time.Hour)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("append %d: %v", i, err)
		}
	}
	c, err := OpenDir(dir, f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.Verify(); len(p) != 0 {
		t.Fatalf("problems: %v", p)
	}
	if c.Size() != int64(len(f.records)+n) {
		t.Fatalf("%d records, want %d", c.Size(), len(f.records)+n)
	}
	for i := range n {
		if got := c.declarationsFor(SyntheticGTIN(1000 + i)); len(got) != 1 {
			t.Errorf("batch %d landed %d times", i, len(got))
		}
	}
}
