package catalog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Adversarial tests of the trust boundary (STYLE.md habit 5): mangled
// checkpoints, records and keys, wrong trust, rollback and forks, crashed
// appends, and records that should never have been logged.

// smallFixture is the catalog the byte-flipping tests mangle: one key
// record, two declarations and a notice. It is kept small because every
// flipped byte opens the catalog again.
func smallFixture(t testing.TB) *fixture {
	f := newFixture(t)
	f.records = f.records[:1] // the maker's key record
	f.addBy("maker", tinyDecl())
	f.addBy("maker", tinyDecl("id b", "gtin "+gtinB))
	f.addBy("issuer", notice("id N", "issued-by O", "recipient E | manufacturer", "-fictional"))
	return f
}

// tinyDecl is a valid declaration with only the required lines, and short
// values, changed by edits.
func tinyDecl(edits ...string) string {
	base := []string{"id a", "brand E", "model M", "category tv", "-cellular",
		"manufacturer E | L | GB", "passwords none", "-contact", "-acknowledgement", "-status-updates",
		"support-until 2031", "support-statement s", "issued 2025-01-10 | L", "signatory A | B"}
	base = slices.DeleteFunc(base, func(b string) bool {
		k, _, _ := strings.Cut(b, " ")
		return slices.ContainsFunc(edits, func(e string) bool { return strings.HasPrefix(e, k+" ") })
	})
	return decl(append(base, edits...)...)
}

// hashStore is a tlog.HashReader over hashes kept in memory.
type hashStore []tlog.Hash

func (s hashStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = s[x]
	}
	return out, nil
}

// tlogRoot computes the tree hash of records the way tlog's own users do:
// tlog.StoredHashes for each record, then tlog.TreeHash. It does not use
// treeBuilder, so it is an independent check of it.
func tlogRoot(t testing.TB, records [][]byte) tlog.Hash {
	t.Helper()
	var s hashStore
	for i, rec := range records {
		hs, err := tlog.StoredHashes(int64(i), rec, s)
		if err != nil {
			t.Fatal(err)
		}
		s = append(s, hs...)
	}
	h, err := tlog.TreeHash(int64(len(records)), s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// frameAll frames records by hand, without Assemble's checks.
func frameAll(records [][]byte) []byte {
	var b []byte
	for _, r := range records {
		b = AppendFrame(b, r)
	}
	return b
}

// checkpointFor signs a checkpoint over records with the fixture's
// publisher, issued at issued.
func (f *fixture) checkpointFor(records [][]byte, issued time.Time) []byte {
	f.t.Helper()
	cp := &Checkpoint{Origin: testOrigin, Size: int64(len(records)), Root: tlogRoot(f.t, records), Issued: issued, Expires: issued.AddDate(1, 0, 0)}
	msg, err := SignCheckpoint(cp, f.pub)
	if err != nil {
		f.t.Fatal(err)
	}
	return msg
}

// securityCheck returns the Check of err's *SecurityError, or "" if err is
// not one.
func securityCheck(err error) string {
	var se *SecurityError
	if errors.As(err, &se) {
		return se.Check
	}
	return ""
}

// parallel runs fn(i) for i in [0, n) on every core.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// sweep runs fn for every byte position of a buffer of n bytes; with
// -short, for every seventh. Each call opens a catalog, which allocates
// scan's read buffer, so the full sweep takes seconds.
func sweep(n int, fn func(i int)) {
	step := 1
	if testing.Short() {
		step = 7
	}
	parallel((n+step-1)/step, func(k int) { fn(k * step) })
}

var mangles = []struct {
	name string
	fn   func(byte) byte
}{
	{"xor 0x01", func(b byte) byte { return b ^ 0x01 }},
	{"0xff", func(byte) byte { return 0xff }},
}

// sameSignedNote reports whether a and b are the same note with the same
// signatures, perhaps written with different (non-canonical) base64: the
// note format ignores the unused low bits of a signature's last base64
// character, so such a change alters no signed byte and no signature.
func sameSignedNote(a, b []byte) bool {
	ia, ib := bytes.LastIndex(a, []byte("\n\n")), bytes.LastIndex(b, []byte("\n\n"))
	if ia < 0 || ib < 0 || !bytes.Equal(a[:ia], b[:ib]) {
		return false
	}
	la := strings.Split(string(a[ia+2:]), "\n")
	lb := strings.Split(string(b[ib+2:]), "\n")
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		// "— name base64": same dash and name, same decoded signature.
		fa, fb := strings.Fields(la[i]), strings.Fields(lb[i])
		if len(fa) != len(fb) || len(fa) != 0 && len(fa) != 3 {
			return false
		}
		if len(fa) == 0 {
			continue
		}
		if fa[0] != fb[0] || fa[1] != fb[1] {
			return false
		}
		da, erra := base64.StdEncoding.DecodeString(fa[2])
		db, errb := base64.StdEncoding.DecodeString(fb[2])
		if erra != nil || errb != nil || !bytes.Equal(da, db) {
			return false
		}
	}
	return true
}

// TestMangledCheckpoint flips every byte of a checkpoint: no mangled
// checkpoint opens, and each is refused as a signature or quorum failure
// (the checkpoint is verified before any field of it is read).
func TestMangledCheckpoint(t *testing.T) {
	f := smallFixture(t)
	cp, recs := f.bytes()
	if _, err := OpenBytes(cp, recs, f.trust, nil); err != nil {
		t.Fatal(err)
	}
	for _, m := range mangles {
		t.Run(m.name, func(t *testing.T) {
			var malleable sync.Once
			sweep(len(cp), func(i int) {
				bad := bytes.Clone(cp)
				bad[i] = m.fn(bad[i])
				if bytes.Equal(bad, cp) {
					return
				}
				_, err := OpenBytes(bad, recs, f.trust, nil)
				if err == nil {
					if sameSignedNote(bad, cp) {
						// Only unused low bits of the signature's last base64
						// character changed: the same signature, written
						// non-canonically (sumdb/note decodes leniently).
						malleable.Do(func() { t.Logf("byte %d: non-canonical base64 of the same signature still verifies", i) })
						return
					}
					t.Errorf("byte %d (%q): mangled checkpoint opened", i, cp[i])
					return
				}
				if c := securityCheck(err); c != "signature" && c != "quorum" {
					t.Errorf("byte %d (%q): error %v (check %q), want a signature or quorum SecurityError", i, cp[i], err, c)
				}
			})
		})
	}
}

// TestMangledRecords flips every byte of the committed records: the root
// or the framing no longer matches. Bytes after the committed records are
// not committed, and are ignored.
func TestMangledRecords(t *testing.T) {
	f := smallFixture(t)
	cp, recs := f.bytes()
	for _, m := range mangles {
		t.Run(m.name, func(t *testing.T) {
			sweep(len(recs), func(i int) {
				bad := bytes.Clone(recs)
				bad[i] = m.fn(bad[i])
				if bytes.Equal(bad, recs) {
					return
				}
				_, err := OpenBytes(cp, bad, f.trust, nil)
				if err == nil {
					t.Errorf("byte %d (%q): mangled records opened", i, recs[i])
					return
				}
				if c := securityCheck(err); c != "root" && c != "records" {
					t.Errorf("byte %d (%q): error %v (check %q), want a root or records SecurityError", i, recs[i], err, c)
				}
			})
		})
	}
	t.Run("truncated", func(t *testing.T) {
		var cuts []int
		off := 0
		for _, r := range f.records {
			head := len(AppendFrame(nil, r)) - len(r)
			cuts = append(cuts, off, off+1, off+head-1, off+head, off+head+1)
			off += head + len(r)
			cuts = append(cuts, off-1)
		}
		for _, n := range cuts {
			if n >= len(recs) {
				continue
			}
			_, err := OpenBytes(cp, recs[:n], f.trust, nil)
			if c := securityCheck(err); c != "records" {
				t.Errorf("records cut to %d bytes: error %v (check %q), want a records SecurityError", n, err, c)
			}
		}
	})
	t.Run("reordered", func(t *testing.T) {
		rs := slices.Clone(f.records)
		rs[1], rs[2] = rs[2], rs[1]
		_, err := OpenBytes(cp, frameAll(rs), f.trust, nil)
		if c := securityCheck(err); c != "root" {
			t.Errorf("reordered records: error %v (check %q), want root", err, c)
		}
	})
	t.Run("dropped", func(t *testing.T) {
		rs := slices.Delete(slices.Clone(f.records), 1, 2)
		rs = append(rs, f.records[len(f.records)-1]) // same count, one record twice
		_, err := OpenBytes(cp, frameAll(rs), f.trust, nil)
		if c := securityCheck(err); c != "root" {
			t.Errorf("dropped record: error %v (check %q), want root", err, c)
		}
	})
	for name, tail := range map[string]string{
		"garbage":       "garbage\x00\xff",
		"partial frame": "500\npartial",
		"bad length":    "0\n",
		"long length":   "99999999\n",
		"whole frame":   string(AppendFrame(nil, f.records[1])),
		"lone digit":    "7",
	} {
		t.Run("appended "+name, func(t *testing.T) {
			c, err := OpenBytes(cp, append(bytes.Clone(recs), tail...), f.trust, nil)
			if err != nil {
				t.Fatalf("uncommitted bytes were not ignored: %v", err)
			}
			if c.Size() != int64(len(f.records)) {
				t.Fatalf("size %d, want %d", c.Size(), len(f.records))
			}
			for i := range c.Size() {
				got, err := c.Record(i)
				if err != nil || !bytes.Equal(got, f.records[i]) {
					t.Fatalf("record %d = %q, %v", i, got, err)
				}
			}
		})
	}
}

// TestHugeSizeClaim opens a checkpoint, signed by the publisher, that
// claims far more records than the records file can hold. It must fail as
// truncated records, and should do so before allocating per-record tables
// for the claimed size: a checkpoint claiming 2³¹ records would otherwise
// make the till allocate about 28 GB and die, with no error to show.
func TestHugeSizeClaim(t *testing.T) {
	f := smallFixture(t)
	_, recs := f.bytes()
	const size = 1 << 22
	cp := &Checkpoint{Origin: testOrigin, Size: size, Root: tlogRoot(t, f.records), Issued: f.issued, Expires: f.expires}
	msg, err := SignCheckpoint(cp, f.pub)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = OpenBytes(msg, recs, f.trust, nil)
	runtime.ReadMemStats(&after)
	if c := securityCheck(err); c != "records" {
		t.Fatalf("error %v (check %q), want a records SecurityError", err, c)
	}
	// Each frame is at least 3 bytes (a digit, LF, a byte), so a records
	// file of len(recs) bytes holds at most len(recs)/3 records.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("a checkpoint claiming %d records over a %d-byte records file made open allocate %d MiB before failing", size, len(recs), alloc>>20)
	}
}

// TestMangledTrustKey mangles every byte of each publisher key in a trust
// file: either the trust file no longer parses, or the checkpoint no
// longer verifies against it (sumdb/note's own tests do the same).
func TestMangledTrustKey(t *testing.T) {
	f := smallFixture(t)
	pub2, pub2V := testKey(t, "publisher2")
	trust := &Trust{Origin: testOrigin, Publishers: []string{f.trust.Publishers[0], pub2V}, Quorum: 2}
	file := trust.Format()
	good, err := ParseTrust(file)
	if err != nil {
		t.Fatal(err)
	}
	cpb, recs := f.bytes()
	// Re-sign the checkpoint with both publishers.
	cpv, err := OpenCheckpoint(cpb, f.trust)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := SignCheckpoint(cpv, f.pub, pub2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBytes(cp, recs, good, nil); err != nil {
		t.Fatalf("unmangled: %v", err)
	}
	for k, vkey := range trust.Publishers {
		start := bytes.Index(file, []byte(vkey))
		for i := range len(vkey) {
			for _, m := range mangles {
				bad := bytes.Clone(file)
				bad[start+i] = m.fn(bad[start+i])
				tr, err := ParseTrust(bad)
				if err != nil {
					continue
				}
				if _, err := OpenBytes(cp, recs, tr, nil); err == nil {
					t.Errorf("publisher %d byte %d (%q, %s): checkpoint still verifies with mangled key %s", k, i, vkey[i], m.name, tr.Publishers[k])
				}
			}
		}
	}
}

func TestParseTrust(t *testing.T) {
	_, v1 := testKey(t, "publisher")
	_, v2 := testKey(t, "publisher2")
	good := "# comment\n\norigin " + testOrigin + "\npublisher " + v1 + "\n  publisher " + v2 + "  \nquorum 2\n"
	tr, err := ParseTrust([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Origin != testOrigin || len(tr.Publishers) != 2 || tr.Quorum != 2 {
		t.Fatalf("trust = %+v", tr)
	}
	if tr2, err := ParseTrust(tr.Format()); err != nil || tr2.Origin != tr.Origin || !slices.Equal(tr2.Publishers, tr.Publishers) || tr2.Quorum != 2 {
		t.Fatalf("Format does not round-trip: %+v, %v", tr2, err)
	}
	if tr, err := ParseTrust([]byte("origin o\npublisher " + v1 + "\n")); err != nil || tr.Quorum != 1 {
		t.Fatalf("default quorum: %+v, %v", tr, err)
	}
	for name, file := range map[string]string{
		"no origin":          "publisher " + v1 + "\n",
		"two origins":        "origin a\norigin b\npublisher " + v1 + "\n",
		"origin two words":   "origin a b\npublisher " + v1 + "\n",
		"no publisher":       "origin a\nquorum 1\n",
		"bad publisher":      "origin a\npublisher " + v1[:len(v1)-2] + "\n",
		"signer key":         "origin a\npublisher PRIVATE+KEY+" + v1 + "\n",
		"quorum 0":           "origin a\npublisher " + v1 + "\nquorum 0\n",
		"quorum over keys":   "origin a\npublisher " + v1 + "\nquorum 2\n",
		"quorum twice":       "origin a\npublisher " + v1 + "\nquorum 1\nquorum 1\n",
		"quorum not integer": "origin a\npublisher " + v1 + "\nquorum one\n",
		"unknown setting":    "origin a\npublisher " + v1 + "\nmirror x\n",
	} {
		if _, err := ParseTrust([]byte(file)); err == nil {
			t.Errorf("%s: ParseTrust accepted\n%s", name, file)
		}
	}
}

// TestTrust checks a checkpoint against trust files: quorum, origin and
// unknown signers.
func TestTrust(t *testing.T) {
	f := smallFixture(t)
	_, recs := f.bytes()
	pub2, pub2V := testKey(t, "publisher2")
	mallory, _ := testKey(t, "mallory")
	// A key with the publisher's name that the trust file does not hold.
	fakePub, _ := testKey(t, "publisher-fake")
	fakeSkey, _, err := GenerateKey(strings.NewReader(strings.Repeat("x", 64)), "publisher")
	if err != nil {
		t.Fatal(err)
	}
	if fakePub, err = NewSigner(fakeSkey); err != nil {
		t.Fatal(err)
	}
	two, err := ParseTrust((&Trust{Origin: testOrigin, Publishers: []string{f.trust.Publishers[0], pub2V}, Quorum: 2}).Format())
	if err != nil {
		t.Fatal(err)
	}
	oneOfTwo, err := ParseTrust((&Trust{Origin: testOrigin, Publishers: []string{f.trust.Publishers[0], pub2V}, Quorum: 1}).Format())
	if err != nil {
		t.Fatal(err)
	}
	root := tlogRoot(t, f.records)
	sign := func(origin string, signers ...Signer) []byte {
		cp := &Checkpoint{Origin: origin, Size: int64(len(f.records)), Root: root, Issued: f.issued, Expires: f.expires}
		msg, err := SignCheckpoint(cp, signers...)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	byOne := sign(testOrigin, f.pub)
	// The same signature line twice must not count twice.
	i := bytes.LastIndex(byOne, []byte("\n\n"))
	dup := append(bytes.Clone(byOne), byOne[i+2:]...)

	cases := []struct {
		name  string
		cp    []byte
		trust *Trust
		check string // "" for success
	}{
		{"quorum 1 of 1", byOne, f.trust, ""},
		{"quorum 2 of 2", sign(testOrigin, f.pub, pub2), two, ""},
		{"quorum 2, one signature", byOne, two, "quorum"},
		{"quorum 2, other signature", sign(testOrigin, pub2), two, "quorum"},
		{"quorum 2, one signature twice", dup, two, "quorum"},
		{"quorum 2, one signature and an unknown", sign(testOrigin, f.pub, mallory), two, "quorum"},
		{"quorum 1 of 2", sign(testOrigin, pub2), oneOfTwo, ""},
		{"extra unknown signature", sign(testOrigin, mallory, f.pub), f.trust, ""},
		{"wrong origin", sign("evil.example/uk", f.pub), f.trust, "origin"},
		{"origin prefix", sign(testOrigin+"x", f.pub), f.trust, "origin"},
		{"unknown key", sign(testOrigin, mallory), f.trust, "quorum"},
		{"unknown key with the publisher's name", sign(testOrigin, fakePub), f.trust, "quorum"},
		{"publisher of another trust", sign(testOrigin, pub2), f.trust, "quorum"},
		{"unsigned", []byte(strings.SplitAfter(string(byOne), "\n\n")[0]), f.trust, "signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cat, err := OpenBytes(c.cp, recs, c.trust, nil)
			if c.check == "" {
				if err != nil {
					t.Fatalf("OpenBytes: %v", err)
				}
				if cat.Size() != int64(len(f.records)) {
					t.Fatalf("size %d", cat.Size())
				}
				return
			}
			if err == nil {
				t.Fatalf("OpenBytes accepted the checkpoint")
			}
			if got := securityCheck(err); got != c.check {
				t.Fatalf("error %v: check %q, want %q", err, got, c.check)
			}
		})
	}
}

// TestSignedBadCheckpoint checks that a checkpoint the publisher really
// signed is still refused when its body is malformed.
func TestSignedBadCheckpoint(t *testing.T) {
	f := smallFixture(t)
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for name, body := range map[string]string{
		"four lines":        testOrigin + "\n0\n" + root + "\nissued 2026-11-01T00:00:00Z\n",
		"six lines":         testOrigin + "\n0\n" + root + "\nissued 2026-11-01T00:00:00Z\nexpires 2027-11-01T00:00:00Z\nextra\n",
		"size leading zero": testOrigin + "\n01\n" + root + "\nissued 2026-11-01T00:00:00Z\nexpires 2027-11-01T00:00:00Z\n",
		"size negative":     testOrigin + "\n-1\n" + root + "\nissued 2026-11-01T00:00:00Z\nexpires 2027-11-01T00:00:00Z\n",
		"size plus":         testOrigin + "\n+1\n" + root + "\nissued 2026-11-01T00:00:00Z\nexpires 2027-11-01T00:00:00Z\n",
		"short root":        testOrigin + "\n0\nAAAA\nissued 2026-11-01T00:00:00Z\nexpires 2027-11-01T00:00:00Z\n",
		"root not base64":   testOrigin + "\n0\n" + strings.Repeat("!", 44) + "\nissued 2026-11-01T00:00:00Z\nexpires 2027-11-01T00:00:00Z\n",
		"issued not UTC":    testOrigin + "\n0\n" + root + "\nissued 2026-11-01T00:00:00+01:00\nexpires 2027-11-01T00:00:00Z\n",
		"issued missing":    testOrigin + "\n0\n" + root + "\nexpires 2027-11-01T00:00:00Z\nexpires 2027-11-01T00:00:00Z\n",
		"expires first":     testOrigin + "\n0\n" + root + "\nissued 2027-11-01T00:00:00Z\nexpires 2026-11-01T00:00:00Z\n",
		"origin with space": testOrigin + " x\n0\n" + root + "\nissued 2026-11-01T00:00:00Z\nexpires 2027-11-01T00:00:00Z\n",
	} {
		t.Run(name, func(t *testing.T) {
			msg, err := Sign([]byte(body), f.pub)
			if err != nil {
				t.Fatal(err)
			}
			if cp, err := OpenCheckpoint(msg, f.trust); err == nil {
				t.Fatalf("OpenCheckpoint accepted %+v", cp)
			}
			if _, err := OpenBytes(msg, nil, f.trust, nil); err == nil {
				t.Fatal("OpenBytes accepted it")
			}
		})
	}
}

// TestRollbackAndFork checks "Updating a till": a catalog must extend the
// last checkpoint the till accepted.
func TestRollbackAndFork(t *testing.T) {
	f := smallFixture(t)
	recs := f.records
	t0 := f.issued
	t1, t2 := t0.Add(time.Hour), t0.Add(2*time.Hour)
	f.addBy("maker", tinyDecl("version 2"))
	longer := slices.Clone(f.records)
	forked := slices.Clone(recs)
	f.records = recs
	f.addBy("maker", tinyDecl("version 2", "model Forked"))
	forkedRec := f.records[len(f.records)-1]
	forked[len(forked)-1] = forkedRec
	forkedLonger := append(slices.Clone(forked), longer[len(longer)-1])

	type log struct {
		recs   [][]byte
		issued time.Time
	}
	open := func(l log, last *Checkpoint) (*Catalog, error) {
		return OpenBytes(f.checkpointFor(l.recs, l.issued), frameAll(l.recs), f.trust, last)
	}
	accepted := func(l log) *Checkpoint {
		c, err := open(l, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Checkpoint
	}
	cases := []struct {
		name  string
		last  log
		next  log
		check string
	}{
		{"same checkpoint", log{recs, t1}, log{recs, t1}, ""},
		{"extends", log{recs, t1}, log{longer, t2}, ""},
		{"extends, issued same time", log{recs, t1}, log{longer, t1}, ""},
		{"same records, issued later", log{recs, t1}, log{recs, t2}, ""},
		{"extends the empty log", log{nil, t1}, log{longer, t2}, ""},
		{"empty to empty", log{nil, t1}, log{nil, t2}, ""},
		{"extends a one-record log", log{recs[:1], t1}, log{longer, t2}, ""},
		{"rollback: fewer records", log{longer, t1}, log{recs, t2}, "rollback"},
		{"rollback: to empty", log{recs, t1}, log{nil, t2}, "rollback"},
		{"rollback: issued earlier", log{recs, t1}, log{recs, t0}, "rollback"},
		{"rollback: more records but issued earlier", log{recs, t1}, log{longer, t0}, "rollback"},
		{"fork: same size", log{recs, t1}, log{forked, t2}, "fork"},
		{"fork: longer", log{recs, t1}, log{forkedLonger, t2}, "fork"},
		{"fork: first record", log{recs[:1], t1}, log{forked[1:], t2}, "fork"},
		{"fork: drops a record and adds one", log{recs, t1}, log{append(slices.Clone(recs[:len(recs)-1]), longer[len(longer)-1]), t2}, "fork"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			last := accepted(c.last)
			cat, err := open(c.next, last)
			if c.check == "" {
				if err != nil {
					t.Fatalf("OpenBytes: %v", err)
				}
				if cat.Size() != int64(len(c.next.recs)) {
					t.Fatalf("size %d", cat.Size())
				}
				return
			}
			if got := securityCheck(err); got != c.check {
				t.Fatalf("error %v: check %q, want %q", err, got, c.check)
			}
		})
	}
}

// TestTreeBuilder checks treeBuilder against tlog.TreeHash over hashes
// stored with tlog.StoredHashes, for every size up to 70, and that a
// clone grows independently of the original.
func TestTreeBuilder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var records [][]byte
	var tb treeBuilder
	for n := 0; n <= 70; n++ {
		if got, want := tb.root(), tlogRoot(t, records); got != want {
			t.Fatalf("n=%d: treeBuilder root %v, tlog %v", n, got, want)
		}
		if n == 0 {
			if want, _ := tlog.TreeHash(0, nil); tb.root() != want {
				t.Fatalf("empty root %v, want %v", tb.root(), want)
			}
		}
		// A clone taken now must not change when the original grows.
		if n%7 == 3 {
			cl := tb.clone()
			tb2 := tb.clone()
			tb2.add(tlog.RecordHash([]byte("other")))
			if cl.root() != tb.root() || tb2.root() == tb.root() {
				t.Fatalf("n=%d: clone is not independent", n)
			}
		}
		rec := make([]byte, 1+rng.IntN(100))
		for i := range rec {
			rec[i] = byte(rng.Uint32())
		}
		records = append(records, rec)
		tb.add(tlog.RecordHash(rec))
	}
	// And Assemble, which frames and hashes in one pass, agrees.
	f := newFixture(t)
	for i := range 5 {
		f.addBy("maker", decl(fmt.Sprintf("version %d", i+1)))
		_, root, err := Assemble(f.records)
		if err != nil {
			t.Fatal(err)
		}
		if want := tlogRoot(t, f.records); root != want {
			t.Fatalf("Assemble root over %d records = %v, want %v", len(f.records), root, want)
		}
	}
}

// TestBuildAndAppend builds a catalog in a directory, appends to it twice
// (once after a crashed append left garbage), and checks every step
// opens as an extension of the last.
func TestBuildAndAppend(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(t.TempDir(), "cat")
	pubs := []Signer{f.pub}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	const valid = 365 * 24 * time.Hour
	f.addBy("maker", decl())
	first := slices.Clone(f.records)

	cp1, err := Build(dir, testOrigin, first, pubs, f.trust.Publishers, now, valid)
	if err != nil {
		t.Fatal(err)
	}
	trustFile, err := os.ReadFile(filepath.Join(dir, "trust"))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := ParseTrust(trustFile)
	if err != nil {
		t.Fatal(err)
	}
	if trust.Origin != testOrigin || trust.Quorum != 1 || !slices.Equal(trust.Publishers, f.trust.Publishers) {
		t.Fatalf("trust = %+v", trust)
	}
	if cp1.Size != int64(len(first)) || cp1.Root != tlogRoot(t, first) || !cp1.Issued.Equal(now) || !cp1.Expires.Equal(now.Add(valid)) {
		t.Fatalf("checkpoint = %+v", cp1)
	}
	c1, err := OpenDir(dir, trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Size() != int64(len(first)) {
		t.Fatalf("size %d", c1.Size())
	}

	t.Run("build refuses an existing catalog", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(dir, "records"))
		if _, err := Build(dir, testOrigin, first[:1], pubs, f.trust.Publishers, now, valid); err == nil {
			t.Fatal("Build overwrote a catalog")
		}
		after, _ := os.ReadFile(filepath.Join(dir, "records"))
		if !bytes.Equal(before, after) {
			t.Fatal("Build changed the records of a catalog it refused")
		}
	})
	t.Run("build refuses a bad record", func(t *testing.T) {
		bad, _ := Sign([]byte(decl("-brand")), f.signer("maker"))
		d := t.TempDir()
		if _, err := Build(d, testOrigin, [][]byte{first[0], bad}, pubs, f.trust.Publishers, now, valid); err == nil {
			t.Fatal("Build accepted a record that does not parse")
		}
		if _, err := os.Stat(filepath.Join(d, "checkpoint")); err == nil {
			t.Fatal("Build wrote a checkpoint for a refused catalog")
		}
	})
	t.Run("append refuses a bad record", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(dir, "records"))
		beforeCP, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
		if _, err := Append(dir, c1, [][]byte{[]byte(decl())}, pubs, now, valid); err == nil {
			t.Fatal("Append accepted an unsigned record")
		}
		after, _ := os.ReadFile(filepath.Join(dir, "records"))
		afterCP, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
		if !bytes.Equal(before, after) || !bytes.Equal(beforeCP, afterCP) {
			t.Fatal("a refused Append changed the catalog")
		}
	})

	// First append.
	f.addBy("maker", decl("version 2", "support-until 2033"))
	f.addBy("issuer", notice())
	second := slices.Clone(f.records)
	cp2, err := Append(dir, c1, second[len(first):], pubs, now.Add(time.Hour), valid)
	if err != nil {
		t.Fatal(err)
	}
	c1.Close()
	c2, err := OpenDir(dir, trust, c1.Checkpoint)
	if err != nil {
		t.Fatalf("after append: %v", err)
	}
	if c2.Size() != int64(len(second)) || c2.Checkpoint.Root != tlogRoot(t, second) || c2.Checkpoint.Root != cp2.Root {
		t.Fatalf("after append: size %d root %v", c2.Size(), c2.Checkpoint.Root)
	}
	if r := c2.Judge(Query{GTIN: gtinA, Today: mustDate("2026-11-24"), Policy: DefaultPolicy}); r.Declaration == nil || r.Declaration.Version != 2 || codes(r) != "notice-in-force,support-extended" {
		t.Fatalf("judge after append: %s %+v", codes(r), r.Declaration)
	}
	if _, err := OpenDir(dir, trust, cp1); err != nil {
		t.Fatalf("after append, with Build's checkpoint as last: %v", err)
	}
	oldCheckpoint, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}

	// A crashed append: records written past the committed ones, no new
	// checkpoint. The catalog still opens; the next append overwrites them.
	rf, err := os.OpenFile(filepath.Join(dir, "records"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	garbage := append(AppendFrame(nil, second[1]), "812\nhalf a rec"...)
	if _, err := rf.Write(garbage); err != nil {
		t.Fatal(err)
	}
	rf.Close()
	c2.Close()
	c3, err := OpenDir(dir, trust, cp2)
	if err != nil {
		t.Fatalf("after a crashed append: %v", err)
	}
	f.addBy("maker", decl("version 3", "support-until 2034"))
	third := slices.Clone(f.records)
	// A clock behind the last checkpoint does not issue an earlier one.
	cp3, err := Append(dir, c3, third[len(second):], pubs, now.Add(-time.Hour), valid)
	if err != nil {
		t.Fatal(err)
	}
	c3.Close()
	if !cp3.Issued.Equal(cp2.Issued) {
		t.Errorf("append with a slow clock issued %v, before %v", cp3.Issued, cp2.Issued)
	}
	data, err := os.ReadFile(filepath.Join(dir, "records"))
	if err != nil {
		t.Fatal(err)
	}
	if want := frameAll(third); !bytes.Equal(data, want) {
		t.Fatalf("records file after append over garbage:\n%q\nwant\n%q", data, want)
	}
	c4, err := OpenDir(dir, trust, cp2)
	if err != nil {
		t.Fatalf("after second append: %v", err)
	}
	defer c4.Close()
	if c4.Size() != int64(len(third)) {
		t.Fatalf("size %d", c4.Size())
	}

	// A mirror that serves the old checkpoint again is a rollback.
	if err := os.WriteFile(filepath.Join(dir, "checkpoint"), oldCheckpoint, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDir(dir, trust, c4.Checkpoint); securityCheck(err) != "rollback" {
		t.Fatalf("old checkpoint after a newer one: %v, want rollback", err)
	}
}

func TestCheckSigned(t *testing.T) {
	f := newFixture(t)
	maker := f.signer("maker")
	signed := func(body string) []byte {
		rec, err := Sign([]byte(body), maker)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	big := signed(padTo(decl(), MaxRecordSize-200))
	if len(big) > MaxRecordSize {
		t.Fatalf("test record is %d bytes", len(big))
	}
	if err := CheckSigned(big); err != nil {
		t.Errorf("record of %d bytes: %v", len(big), err)
	}
	if err := CheckSigned(signed(decl())); err != nil {
		t.Errorf("valid record: %v", err)
	}
	cases := map[string][]byte{
		"empty":                 nil,
		"unsigned body":         []byte(decl()),
		"blank line, no sig":    []byte(decl() + "\n"),
		"does not parse":        signed(decl("-brand")),
		"unknown kind":          signed("smartcheck-thing/1\nfoo bar\n"),
		"over 64 KiB with sigs": signed(padTo(decl(), MaxRecordSize-20)),
	}
	for name, rec := range cases {
		t.Run(name, func(t *testing.T) {
			if err := CheckSigned(rec); err == nil {
				t.Fatal("CheckSigned accepted it")
			}
			if _, _, err := Assemble([][]byte{signed(decl()), rec}); err == nil {
				t.Fatal("Assemble accepted it")
			}
		})
	}
	var se *SyntaxError
	if err := CheckSigned(signed(decl("-brand"))); !errors.As(err, &se) {
		t.Errorf("unparsable record: error %v is not a *SyntaxError", err)
	}
}

// TestVerifyReports builds a log by hand, with records that Assemble would
// refuse, and checks that Verify reports each bad one and that lookups
// never use them.
func TestVerifyReports(t *testing.T) {
	f := newFixture(t)
	f.records = f.records[:1]             // 0: maker's key record
	f.register("issuer", "notice-issuer") // 1
	f.addBy("maker", decl())              // 2: valid
	f.addBy("maker", decl("id tampered", "gtin "+gtinB))
	tampered := len(f.records) - 1 // 3
	f.records[tampered] = bytes.Replace(f.records[tampered], []byte("Phone One"), []byte("Phone Two"), 1)
	f.addBy("rogue", decl("id rogue", "gtin "+gtinB)) // 4: unregistered key
	f.addBy("maker", notice("id OPS-BY-MAKER"))       // 5: a manufacturer may not sign notices
	f.signer("self")                                  // 6: key record signed by itself
	f.addBy("self", KindKey+"\nkey "+f.vkeys["self"]+"\norg Self\nrole manufacturer\nstatus active\nscope gtin 952\n")
	f.addBy("maker", decl("version 2", "support-until 2040", "colour red"))       // 7: does not parse
	f.addBy("maker", decl("id ghost", "gtin "+gtinC, "-brand"))                   // 8: does not parse
	f.addBy("issuer", notice("id OPS-OK-NOTICE", "gtin "+gtinB))                  // 9: valid
	f.records = append(f.records, []byte("not a signed note\n"))                  // 10
	f.addBy("maker", "smartcheck-thing/1\nfoo bar\n")                             // 11: unknown kind
	f.addBy("issuer", notice("id OPS-BAD-NOTICE", "gtin "+gtinC, "type warning")) // 12: does not parse
	f.addBy("self", decl("id selfish", "gtin "+gtinB))                            // 13: key never registered
	if _, _, err := Assemble(f.records); err == nil {
		t.Fatal("Assemble accepted records that do not parse")
	}
	cp := f.checkpointFor(f.records, f.issued)
	c, err := OpenBytes(cp, frameAll(f.records), f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]string{
		3:  {"declaration tampered version 1 (ignored)", "does not verify"},
		4:  {"declaration rogue version 1 (ignored)", "does not register", "rogue"},
		5:  {"(ignored)", "notice OPS-BY-MAKER", "role manufacturer"},
		6:  {"key record", "(registers nothing)", "publisher"},
		7:  {"does not parse", "colour"},
		8:  {"does not parse", "brand"},
		10: {"does not parse"},
		11: {"does not parse", "unknown record kind"},
		12: {"does not parse", "warning"},
		13: {"declaration selfish version 1 (ignored)"},
	}
	checkVerify(t, c, want)

	today := mustDate("2026-11-24")
	r := c.Judge(Query{GTIN: gtinA, Today: today, Policy: DefaultPolicy})
	if r.Declaration == nil || r.Index != 2 || r.Declaration.Version != 1 || r.Support == nil || r.Support.Period.String() != "2031-08" {
		t.Fatalf("gtinA: facts from record %d %+v, want record 2", r.Index, r.Declaration)
	}
	for _, v := range r.History {
		if v.Index == 7 {
			t.Errorf("gtinA: history lists the unparsable record 7: %+v", r.History)
		}
	}
	if r := c.Judge(Query{GTIN: gtinC, Today: today, Policy: DefaultPolicy}); r.Declaration != nil || len(r.History) != 0 || codes(r) != "no-declaration" {
		t.Errorf("gtinC: %s %+v %+v, want only unparsable or unregistered records: no-declaration", codes(r), r.Declaration, r.History)
	}
	// The notice signed by the manufacturer and the unparsable notice are
	// never in force.
	if r := c.Judge(Query{GTIN: gtinA, Today: today, Policy: DefaultPolicy}); len(r.Notices) != 0 {
		t.Errorf("gtinA: notices %+v", r.Notices)
	}
	if r := c.Judge(Query{GTIN: gtinB, Today: today, Policy: DefaultPolicy}); len(r.Notices) != 1 || r.Notices[0].Notice.ID != "OPS-OK-NOTICE" {
		t.Errorf("gtinB: notices %+v", r.Notices)
	}
}

// checkVerify runs Verify and holds its report to want: each record named
// there is reported with every word given, in log order, and no other
// record is; and Verify leaves the lookup cache empty.
func checkVerify(t *testing.T, c *Catalog, want map[int64][]string) {
	t.Helper()
	probs := c.Verify()
	got := map[int64]string{}
	for _, p := range probs {
		got[p.Index] = p.Msg
		if !strings.HasPrefix(p.String(), "record ") {
			t.Errorf("Problem.String() = %q", p.String())
		}
	}
	if !slices.IsSortedFunc(probs, func(a, b Problem) int { return int(a.Index - b.Index) }) {
		t.Errorf("problems not in log order: %v", probs)
	}
	for i, words := range want {
		msg, ok := got[i]
		if !ok {
			t.Errorf("record %d: not reported", i)
			continue
		}
		for _, w := range words {
			if !strings.Contains(msg, w) {
				t.Errorf("record %d: %q does not say %q", i, msg, w)
			}
		}
	}
	for i, msg := range got {
		if _, ok := want[i]; !ok {
			t.Errorf("record %d reported but valid: %s", i, msg)
		}
	}
	if len(c.cache) != 0 {
		t.Errorf("Verify filled the lookup cache with %d entries", len(c.cache))
	}
}

// collidingMaker is a verifier key with the name and the 32-bit key hash
// of testKey("maker") (maker+e1ac6d2b), but other key data: found by
// trying about 2³² keys, a few minutes of one CPU. Anyone whose key a
// publisher registers can choose such a name and key.
const collidingMaker = "maker+e1ac6d2b+AQAdpkQiAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// TestKeyHashCollision registers, after a manufacturer's declaration, a
// second key with the same name and key hash as the manufacturer's. The
// log order is the clock (catalog.md, smartcheck-key/1): a key record
// cannot change how a record logged before it verifies, and one party's
// key must not make another's signatures fail.
func TestKeyHashCollision(t *testing.T) {
	f := newFixture(t)
	v, err := newVerifier(collidingMaker)
	if err != nil {
		t.Fatal(err)
	}
	if maker, _ := newVerifier(f.vkeys["maker"]); v.Name() != maker.Name() || v.KeyHash() != maker.KeyHash() || collidingMaker == f.vkeys["maker"] {
		t.Fatalf("%s does not collide with %s", collidingMaker, f.vkeys["maker"])
	}
	for _, status := range []string{"active", "revoked"} {
		t.Run(status, func(t *testing.T) {
			f := newFixture(t)
			f.addBy("maker", decl())
			decl := int64(len(f.records) - 1)
			f.add(f.pub, KindKey+"\nkey "+collidingMaker+"\norg Rival Ltd\nrole manufacturer\nstatus "+status+"\nscope gtin 952\n")
			c := f.open()
			r := c.Judge(Query{GTIN: gtinA, Today: mustDate("2026-11-24"), Policy: DefaultPolicy})
			probs := c.Verify()
			// The first key registered for a name and hash keeps it: the
			// maker's declaration still verifies, and the colliding key
			// record registers nothing and is reported.
			if r.Verdict != OK {
				t.Errorf("a colliding key record (status %s) logged after record %d changed the verdict: %s [%s]", status, decl, r.Verdict, codes(r))
			}
			if len(probs) != 1 || probs[0].Index != decl+1 || !strings.Contains(probs[0].Msg, "registered earlier") {
				t.Errorf("verify = %v, want the colliding key record %d reported", probs, decl+1)
			}
		})
	}
}
