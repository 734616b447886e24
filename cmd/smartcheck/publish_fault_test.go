package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// TestPublishKilled kills `smartcheck catalog publish` with SIGKILL at
// random moments and checks each time that the live catalog opens, that
// it is the old catalog or the new one, and that it verifies; a publish
// run to the end then installs the new one.
func TestPublishKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin, err := exec.LookPath("smartcheck")
	if err != nil {
		t.Fatalf("the test binary is not installed as smartcheck on PATH: %v", err)
	}
	work := t.TempDir()
	key := func(name string) (catalog.Signer, string) {
		seed := bytes.Repeat([]byte(name+" "), 32)[:32]
		skey, vkey, err := catalog.GenerateKey(bytes.NewReader(seed), name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := catalog.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		return s, vkey
	}
	pub, pubV := key("publisher")
	maker, makerV := key("maker")
	sign := func(body string, s catalog.Signer) []byte {
		rec, err := catalog.Sign([]byte(body), s)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	decl := func(i int) []byte {
		return sign(fmt.Sprintf("smartcheck-declaration/1\nid p-%d\nversion 1\npublished 2025-01-10\ngtin %s\nbrand Example\nmodel Plug %d\ncategory smart-plug\nmanufacturer Example Ltd | 1 High Street, London | GB\nroute schedule1\npasswords none\ncontact https://example.com/security\nsupport-until 2031-08\nsupport-statement Until August 2031.\nissued 2025-01-10 | London\nsignatory A Person | Head of Product Security\n", i, catalog.SyntheticGTIN(i), i), maker)
	}
	first := [][]byte{sign(fmt.Sprintf("smartcheck-key/1\nkey %s\norg Example Ltd\nrole manufacturer\nstatus active\nscope gtin 952\n", makerV), pub), decl(0)}
	now := time.Now().UTC().Add(-time.Hour)
	origDir := filepath.Join(work, "orig")
	if _, err := catalog.Build(origDir, "shop.example/uk", first, []catalog.Signer{pub}, []string{pubV}, now, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	trust := func() *catalog.Trust {
		tf, _ := os.ReadFile(filepath.Join(origDir, "trust"))
		tr, err := catalog.ParseTrust(tf)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}()
	var more [][]byte
	for i := 1; i <= 5000; i++ {
		more = append(more, decl(i))
	}
	stage := filepath.Join(work, "stage")
	func() {
		c, err := catalog.OpenDir(origDir, trust, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := catalog.StageAppend(stage, c, more, now.Add(time.Minute), 7*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Cosign(pub); err != nil {
			t.Fatal(err)
		}
	}()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(origDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	oldCP, oldRecs, trustFile := read("checkpoint"), read("records"), read("trust")
	live := filepath.Join(work, "live")
	reset := func() {
		os.RemoveAll(live)
		os.MkdirAll(live, 0o755)
		for name, data := range map[string][]byte{"records": oldRecs, "checkpoint": oldCP, "trust": trustFile} {
			if err := os.WriteFile(filepath.Join(live, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	outcome := func() string {
		t.Helper()
		c, err := catalog.OpenDir(live, trust, nil)
		if err != nil {
			t.Fatalf("after a kill the live catalog does not open: %v", err)
		}
		defer c.Close()
		if p := c.Verify(); len(p) != 0 {
			t.Fatalf("after a kill the live catalog has problems: %v", p)
		}
		switch c.Size() {
		case int64(len(first)):
			return "old"
		case int64(len(first) + len(more)):
			return "new"
		}
		t.Fatalf("after a kill the live catalog has %d records", c.Size())
		return ""
	}
	// How long a whole publish takes here: the kills land across it.
	reset()
	start := time.Now()
	out, err := exec.Command(bin, "catalog", "publish", "--catalog", live, stage).CombinedOutput()
	if err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	whole := time.Since(start)
	if got := outcome(); got != "new" {
		t.Fatalf("a publish run to the end left the %s catalog", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[string]int{}
	for k := range 16 {
		reset()
		cmd := exec.Command(bin, "catalog", "publish", "--catalog", live, stage)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Most of a publish is starting and checking; the install is at
		// its end: aim half the kills at the last third.
		at := rng.Int64N(int64(whole) * 11 / 10)
		if k%2 == 1 {
			at = int64(whole)*2/3 + rng.Int64N(int64(whole)/2)
		}
		time.Sleep(time.Duration(at))
		cmd.Process.Kill()
		cmd.Wait()
		got := outcome()
		seen[got]++
		t.Logf("kill %d: %s", k, got)
	}
	t.Logf("outcomes of the kills: %v", seen)
}
