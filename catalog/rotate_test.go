package catalog

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// rotation is a publisher directory served over HTTP, and a till that
// follows it.
type rotation struct {
	t               *testing.T
	f               *fixture
	pubDir          string
	url             string
	dir, state      string
	root            *Trust // the trust file every till starts from
	now             time.Time
	gtins           []string
	verdictsAtStart map[string]string
}

func newRotation(t *testing.T) *rotation {
	f := newFixture(t)
	// maker's declarations of A, B (withdrawn below) and C (under a stop
	// notice), all under the first publisher key.
	f.addBy("maker", decl())
	f.addBy("maker", decl("id phone-b", "gtin "+gtinB))
	f.addBy("maker", decl("id phone-c", "gtin "+gtinC))
	f.addBy("issuer", notice("gtin "+gtinC))
	withdrawn := f.records[len(f.records)-3]
	f.add(f.pub, KindWithdrawal+"\nrecord "+strconv.Itoa(len(f.records)-3)+"\nhash "+hashOf(withdrawn)+"\nreason Logged by mistake.\nwithdrawn 2026-11-02\n")
	r := &rotation{t: t, f: f, pubDir: t.TempDir(), dir: t.TempDir(), state: t.TempDir(), now: f.issued, gtins: []string{gtinA, gtinB, gtinC}}
	_, pubV := testKey(t, "publisher")
	if _, err := Build(r.pubDir, testOrigin, f.records, []Signer{f.pub}, []string{pubV}, r.now, 365*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	var err error
	if r.root, err = LoadTrust(filepath.Join(r.pubDir, "trust"), ""); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.FileServer(http.Dir(r.pubDir)))
	t.Cleanup(ts.Close)
	r.url = ts.URL
	r.sync(0)
	r.verdictsAtStart = r.verdicts()
	if got := r.verdictsAtStart; got[gtinA] != "OK" || got[gtinB] != "CHECK" || got[gtinC] != "STOP" {
		t.Fatalf("verdicts before any rotation: %v", got)
	}
	return r
}

func hashOf(rec []byte) string {
	h := tlog.RecordHash(rec)
	return h.String()
}

// publisherTrust is the publisher directory's trust, rotations followed.
func (r *rotation) publisherTrust() *Trust {
	t, err := r.root.FollowDir(r.pubDir)
	if err != nil {
		r.t.Fatal(err)
	}
	return t
}

// rotate makes trust note N+1 for the named new keys (quorum q), signed
// by old and the new keys, installs it and signs a new checkpoint with
// the new keys, as catalog trust rotate does.
func (r *rotation) rotate(old []Signer, q int, names ...string) []Signer {
	r.t.Helper()
	var news []Signer
	var vkeys []string
	for _, n := range names {
		s, v := testKey(r.t, n)
		news, vkeys = append(news, s), append(vkeys, v)
	}
	c, err := OpenDir(r.pubDir, r.publisherTrust(), nil)
	if err != nil {
		r.t.Fatal(err)
	}
	defer c.Close()
	next, _, err := RotateTrust(c.Trust, c.Size(), vkeys, q, old, news)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := WriteTrustNotes(r.pubDir, next); err != nil {
		r.t.Fatal(err)
	}
	c.Trust = next
	r.now = r.now.Add(time.Hour)
	if _, err := Append(r.pubDir, c, nil, news, r.now, 365*24*time.Hour); err != nil {
		r.t.Fatal(err)
	}
	return news
}

// append logs records signed by publishers.
func (r *rotation) append(publishers []Signer, recs ...[]byte) error {
	r.now = r.now.Add(time.Hour)
	_, err := AppendDir(r.pubDir, r.publisherTrust(), recs, publishers, r.now, 365*24*time.Hour)
	return err
}

// sync syncs the till and checks how many trust notes it installed.
func (r *rotation) sync(rotated int) SyncResult {
	r.t.Helper()
	s := &Syncer{URL: r.url, Dir: r.dir, Trust: r.root, TrustFile: r.root.Format(), State: r.state, Stall: time.Second, Backoff: time.Millisecond, Attempts: 2}
	res, err := s.Sync(context.Background(), r.now)
	if err != nil {
		r.t.Fatalf("sync: %v", err)
	}
	if res.Rotated != rotated {
		r.t.Fatalf("sync installed %d trust notes, want %d", res.Rotated, rotated)
	}
	return res
}

// verdicts opens the till's catalog as the till does (its trust file
// followed along its trust notes, against the last accepted checkpoint)
// and judges each GTIN.
func (r *rotation) verdicts() map[string]string {
	r.t.Helper()
	trust, err := LoadTrust(filepath.Join(r.dir, "trust"), r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	last, err := LoadAccepted(r.state, trust)
	if err != nil {
		r.t.Fatal(err)
	}
	c, err := OpenDir(r.dir, trust, last)
	if err != nil {
		r.t.Fatal(err)
	}
	defer c.Close()
	out := map[string]string{}
	for _, g := range r.gtins {
		res := c.Judge(Query{GTIN: g, Today: mustDate("2026-11-24"), Policy: DefaultPolicy})
		out[g] = res.Verdict.String()
	}
	return out
}

// publishNote puts a trust note where the server serves it.
func (r *rotation) publishNote(version int, msg []byte) {
	r.t.Helper()
	if err := os.MkdirAll(filepath.Join(r.pubDir, TrustDir), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(TrustNotePath(r.pubDir, version), msg, 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// refused syncs the till and wants a trust refusal saying say. It returns
// the syncer, for more.
func (r *rotation) refused(say string) *Syncer {
	r.t.Helper()
	s := &Syncer{URL: r.url, Dir: r.dir, Trust: r.root, State: r.state, Stall: time.Second, Attempts: 1}
	_, err := s.Sync(context.Background(), r.now)
	var se *SyncError
	if !errors.As(err, &se) || se.Check != "trust" || !strings.Contains(err.Error(), say) {
		r.t.Fatalf("sync = %v, want refused (trust) saying %q", err, say)
	}
	r.t.Log(err)
	return s
}

func (r *rotation) tillVersion() int {
	t, err := LoadTrust(filepath.Join(r.dir, "trust"), r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	return t.Version
}

// Two rotations, the first after the first publisher key leaked: tills
// follow both without anyone touching them, every record logged under
// the old keys (key records, the withdrawal) keeps its effect, records
// need the keys in force where they are logged, and what the leaked key
// signs afterwards is refused.
func TestRotateTwice(t *testing.T) {
	r := newRotation(t)
	leaked := r.f.pub

	// Rotation 1: publisher → publisher-2.
	p2 := r.rotate([]Signer{leaked}, 1, "publisher-2")
	if err := r.append([]Signer{leaked}, mustSign(t, decl("id phone-d", "gtin 09520000000042"), r.f.signer("maker"))); err == nil || !strings.Contains(err.Error(), "not a publisher key") {
		t.Fatalf("append signed by the old key after the rotation = %v, want it refused", err)
	}
	// A new manufacturer, registered under the new key.
	r.f.signer("maker-2")
	keyRec := mustSign(t, KindKey+"\nkey "+r.f.vkeys["maker-2"]+"\norg maker-2 org\nrole manufacturer\nstatus active\nscope gtin 9520000000059\n", p2...)
	if err := r.append(p2, keyRec, mustSign(t, decl("id phone-e", "gtin 09520000000059"), r.f.signer("maker-2"))); err != nil {
		t.Fatal(err)
	}
	res := r.sync(1)
	if res.Trust.Version != 2 || r.tillVersion() != 2 {
		t.Fatalf("till at trust version %d after the first rotation, want 2", res.Trust.Version)
	}
	r.gtins = append(r.gtins, "09520000000059")
	got := r.verdicts()
	for _, g := range []string{gtinA, gtinB, gtinC} {
		if got[g] != r.verdictsAtStart[g] {
			t.Errorf("GTIN %s: %s after the rotation, %s before", g, got[g], r.verdictsAtStart[g])
		}
	}
	if got["09520000000059"] != "OK" {
		t.Errorf("a declaration by a key registered under the new publisher key: %s, want OK", got["09520000000059"])
	}

	// The leaked key signs a note naming the attacker's key, and a
	// checkpoint over a record of the attacker's: both refused, and the
	// till keeps trust version 2.
	atk, atkV := testKey(t, "attacker")
	forged, err := Sign(FormatTrustNote(&Trust{Origin: testOrigin, Version: 3, From: 100, Publishers: []string{atkV}, Quorum: 1}), leaked, atk)
	if err != nil {
		t.Fatal(err)
	}
	r.publishNote(3, forged)
	s := r.refused("not signed by the publisher keys of trust version 2")
	if _, err := os.Stat(TrustNotePath(r.dir, 3)); err == nil || r.tillVersion() != 2 {
		t.Fatal("the forged trust note was installed")
	}
	os.Remove(TrustNotePath(r.pubDir, 3))
	cp, err := os.ReadFile(filepath.Join(r.pubDir, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenBytes(cp, mustRead(t, filepath.Join(r.pubDir, "records")), r.publisherTrust(), nil)
	if err != nil {
		t.Fatal(err)
	}
	recs := append(allRecords(t, c), mustSign(t, KindKey+"\nkey "+atkV+"\norg attacker\nrole curator\nstatus active\nscope gtin *\n", leaked))
	c.Close()
	data, root, err := Assemble(recs)
	if err != nil {
		t.Fatal(err)
	}
	forgedCP, err := SignCheckpoint(&Checkpoint{Origin: testOrigin, Size: int64(len(recs)), Root: root, Issued: r.now.Add(time.Hour), Expires: r.now.Add(48 * time.Hour)}, leaked)
	if err != nil {
		t.Fatal(err)
	}
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/checkpoint":
			w.Write(forgedCP)
		case "/records":
			http.ServeContent(w, req, "", time.Time{}, strings.NewReader(string(data)))
		default:
			http.NotFound(w, req)
		}
	}))
	defer evil.Close()
	s.URL = evil.URL
	var se *SyncError
	if _, err = s.Sync(context.Background(), r.now); !errors.As(err, &se) || se.Check != "quorum" {
		t.Fatalf("sync of a checkpoint signed by the leaked key = %v, want refused (quorum)", err)
	}

	// Rotation 2: publisher-2 → two keys, both needed.
	p3 := r.rotate(p2, 2, "publisher-3a", "publisher-3b")
	if err := r.append(p3[:1], mustSign(t, decl("id phone-f", "gtin 09520000000066"), r.f.signer("maker"))); err == nil {
		t.Fatal("append signed by one of two keys of quorum 2 was accepted")
	}
	if err := r.append(p3, mustSign(t, decl("id phone-f", "gtin 09520000000066"), r.f.signer("maker"))); err != nil {
		t.Fatal(err)
	}
	res = r.sync(1)
	if res.Trust.Version != 3 || r.tillVersion() != 3 {
		t.Fatalf("till at trust version %d after the second rotation, want 3", res.Trust.Version)
	}
	r.gtins = append(r.gtins, "09520000000066")
	after := r.verdicts()
	for g, v := range got {
		if after[g] != v {
			t.Errorf("GTIN %s: %s after the second rotation, %s before", g, after[g], v)
		}
	}
	if after["09520000000066"] != "OK" {
		t.Errorf("a declaration logged under trust version 3: %s, want OK", after["09520000000066"])
	}

	// A till that was switched off through both rotations follows both in
	// one sync.
	late := &rotation{t: t, f: r.f, pubDir: r.pubDir, url: r.url, dir: t.TempDir(), state: t.TempDir(), root: r.root, now: r.now, gtins: r.gtins}
	if res := late.sync(2); res.Trust.Version != 3 {
		t.Fatalf("a new till reached trust version %d, want 3", res.Trust.Version)
	}
	if v := late.verdicts(); !equalMaps(v, after) {
		t.Errorf("a new till judges %v, the old one %v", v, after)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mustSign(t *testing.T, body string, signers ...Signer) []byte {
	t.Helper()
	rec, err := Sign([]byte(body), signers...)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func allRecords(t *testing.T, c *Catalog) [][]byte {
	t.Helper()
	var recs [][]byte
	for i := range c.Size() {
		rec, err := c.Record(i)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// Each way a trust note can be wrong is refused, as a security failure.
func TestTrustNoteRefused(t *testing.T) {
	f := newFixture(t)
	old := f.pub
	nw, nwV := testKey(t, "new-publisher")
	other, otherV := testKey(t, "other")
	body := func(edits ...string) []byte {
		base := strings.Split(strings.TrimSuffix(string(FormatTrustNote(&Trust{Origin: testOrigin, Version: 2, From: 10, Publishers: []string{nwV}, Quorum: 1})), "\n"), "\n")
		return []byte(edit(base, edits))
	}
	cases := []struct {
		name    string
		body    []byte
		signers []Signer
		say     string
	}{
		{"only the old keys signed", body(), []Signer{old}, "not signed by its own publisher keys"},
		{"only the new keys signed", body(), []Signer{nw}, "not signed by the publisher keys of trust version 1"},
		{"an unknown key and the new", body(), []Signer{other, nw}, "not signed by the publisher keys of trust version 1"},
		{"another origin", body("origin elsewhere.example/uk"), []Signer{old, nw}, "for origin"},
		{"skips a version", body("version 3"), []Signer{old, nw}, "says version 3"},
		{"same version", body("version 1"), []Signer{old, nw}, "says version 1"},
		{"no from", body("-from"), []Signer{old, nw}, "no from line"},
		{"from with a sign", body("from +10"), []Signer{old, nw}, "not a record count"},
		{"quorum above the keys", body("quorum 2"), []Signer{old, nw}, "quorum 2 is more than"},
		{"quorum of the new keys not met", body("publisher "+nwV, "publisher "+otherV, "quorum 2"), []Signer{old, nw}, "1 of the 2 signatures of its own"},
		{"a publisher key as a witness", body("witness " + otherV), []Signer{old, nw}, "not a cosignature/v1 witness key"},
		{"a witness quorum too high", body("witness-quorum 1"), []Signer{old, nw}, "witness-quorum 1 is more than its 0 witness keys"},
		{"a key twice", body("publisher "+nwV, "publisher "+nwV), []Signer{old, nw}, "listed twice"},
		{"another kind", []byte(strings.Replace(string(body()), KindTrust, "smartcheck-trust/2", 1)), []Signer{old, nw}, "line 1"},
		{"an unknown line", body("expires 2030-01-01"), []Signer{old, nw}, "unknown setting"},
		{"a blank line", []byte(strings.Replace(string(body()), "quorum 1\n", "quorum 1\n\n", 1)), []Signer{old, nw}, "key value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := Sign(tc.body, tc.signers...)
			if err != nil {
				t.Skipf("not signable: %v", err)
			}
			_, err = f.trust.Next(msg)
			var se *SecurityError
			if !errors.As(err, &se) || se.Check != "trust" || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("Next = %v, want a trust failure saying %q", err, tc.say)
			}
		})
	}

	// Every mangled byte of a good note is refused (but for base64's
	// unused bits, which change no signed byte).
	good, err := Sign(body(), old, nw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.trust.Next(good); err != nil {
		t.Fatalf("the good note: %v", err)
	}
	sweep(len(good), func(i int) {
		bad := []byte(string(good))
		bad[i] ^= 0x01
		if _, err := f.trust.Next(bad); err == nil && !sameSignedNote(good, bad) {
			t.Errorf("a note with byte %d (%q of %q) flipped was accepted", i, good[i], good[max(0, i-20):min(len(good), i+5)])
		}
	})
}

// A rotation may not reach back over records a till already accepted:
// it would change who may have signed them.
func TestSyncRefusesRotationBeforeHeldRecords(t *testing.T) {
	r := newRotation(t)
	_, v := testKey(t, "publisher-2")
	nw, _ := testKey(t, "publisher-2")
	msg, err := Sign(FormatTrustNote(&Trust{Origin: testOrigin, Version: 2, From: 2, Publishers: []string{v}, Quorum: 1}), r.f.pub, nw)
	if err != nil {
		t.Fatal(err)
	}
	r.publishNote(2, msg)
	r.refused("already accepted")
	if r.tillVersion() != 1 {
		t.Fatal("the note was installed")
	}
}

// A trust note in the till's own directory that does not verify stops
// the catalog from opening: it was tampered with.
func TestTamperedLocalTrustNote(t *testing.T) {
	r := newRotation(t)
	r.rotate([]Signer{r.f.pub}, 1, "publisher-2")
	r.sync(1)
	path := TrustNotePath(r.dir, 2)
	b := mustRead(t, path)
	b[len(b)/3] ^= 0x20
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadTrust(filepath.Join(r.dir, "trust"), r.dir)
	var se *SecurityError
	if !errors.As(err, &se) || se.Check != "trust" {
		t.Fatalf("LoadTrust over a mangled note = %v, want a trust failure", err)
	}
}
