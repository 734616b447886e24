package catalog

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// testKey derives a key from its name, so tests are reproducible.
func testKey(t testing.TB, name string) (Signer, string) {
	t.Helper()
	seed := sha256.Sum256([]byte("catalog test key " + name))
	skey, vkey, err := GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

// fixture builds small catalogs in memory.
type fixture struct {
	t       testing.TB
	pub     Signer
	trust   *Trust
	signers map[string]Signer
	vkeys   map[string]string
	records [][]byte
	issued  time.Time
	expires time.Time
}

const testOrigin = "test.smartcheck.example/uk"

func newFixture(t testing.TB) *fixture {
	pub, pubV := testKey(t, "publisher")
	f := &fixture{
		t: t, pub: pub,
		trust:   &Trust{Origin: testOrigin, Publishers: []string{pubV}, Quorum: 1},
		signers: map[string]Signer{}, vkeys: map[string]string{},
		issued:  time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		expires: time.Date(2027, 11, 1, 0, 0, 0, 0, time.UTC),
	}
	var err error
	if f.trust, err = ParseTrust(f.trust.Format()); err != nil {
		t.Fatal(err)
	}
	f.register("maker", "manufacturer")
	f.register("curator", "curator")
	f.register("issuer", "notice-issuer")
	return f
}

func (f *fixture) signer(name string) Signer {
	if s, ok := f.signers[name]; ok {
		return s
	}
	s, v := testKey(f.t, name)
	f.signers[name], f.vkeys[name] = s, v
	return s
}

// register logs a key record for name, signed by the publisher, with the
// widest scope its role may hold among the test GTINs (prefix 952) and
// notices (OPS-).
func (f *fixture) register(name, role string) { f.keyRecord(name, role, "active") }

// defaultScope is the scope register gives a role.
func defaultScope(role string) string {
	switch role {
	case "curator":
		return "gtin *"
	case "notice-issuer":
		return "notice OPS-"
	}
	return "gtin 952"
}

func (f *fixture) keyRecord(name, role, status string) {
	var scopes []string
	if status == "active" {
		scopes = []string{defaultScope(role)}
	}
	f.keyRecordScoped(name, name+" org", role, status, scopes...)
}

// keyRecordScoped logs a key record with the given org and scope lines.
func (f *fixture) keyRecordScoped(name, org, role, status string, scopes ...string) {
	f.signer(name)
	body := fmt.Sprintf("%s\nkey %s\norg %s\nrole %s\nstatus %s\n", KindKey, f.vkeys[name], org, role, status)
	for _, sc := range scopes {
		body += "scope " + sc + "\n"
	}
	f.add(f.pub, body)
}

func (f *fixture) add(s Signer, body string) {
	f.t.Helper()
	rec, err := Sign([]byte(body), s)
	if err != nil {
		f.t.Fatal(err)
	}
	f.records = append(f.records, rec)
}

func (f *fixture) addBy(name, body string) { f.add(f.signer(name), body) }

func (f *fixture) bytes() (checkpoint, records []byte) {
	f.t.Helper()
	records, root, err := Assemble(f.records)
	if err != nil {
		f.t.Fatal(err)
	}
	cp := &Checkpoint{Origin: testOrigin, Size: int64(len(f.records)), Root: root, Issued: f.issued, Expires: f.expires}
	checkpoint, err = SignCheckpoint(cp, f.pub)
	if err != nil {
		f.t.Fatal(err)
	}
	return checkpoint, records
}

func (f *fixture) open() *Catalog {
	f.t.Helper()
	cp, recs := f.bytes()
	c, err := OpenBytes(cp, recs, f.trust, nil)
	if err != nil {
		f.t.Fatalf("open: %v", err)
	}
	return c
}

// GTINs used in tests (prefix 952, valid check digits).
const (
	gtinA = "09520000000011"
	gtinB = "09520000000028"
	gtinC = "09520000000035"
)

var baseDecl = []string{
	KindDeclaration,
	"id test-phone",
	"version 1",
	"published 2025-01-10",
	"gtin " + gtinA,
	"brand Example",
	"model Phone One",
	"category smartphone",
	"cellular yes",
	"manufacturer Example Ltd | 1 High Street, London | GB",
	"route schedule1",
	"passwords user-defined",
	"contact https://example.com/security",
	"acknowledgement within 5 working days",
	"status-updates every 30 days",
	"support-until 2031-08",
	"support-statement Security updates until at least August 2031.",
	"issued 2025-01-10 | London",
	"signatory A Person | Head of Product Security",
}

// decl returns baseDecl changed by edits (see edit).
func decl(edits ...string) string { return edit(baseDecl, edits) }

// edit changes a record body: "-key" removes every line of key; "key
// value" replaces every line of key (the first time the key is edited)
// and adds one.
func edit(base []string, edits []string) string {
	lines := slices.Clone(base)
	edited := map[string]bool{}
	for _, e := range edits {
		if k, ok := strings.CutPrefix(e, "-"); ok {
			lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, k+" ") })
			continue
		}
		k, _, _ := strings.Cut(e, " ")
		if !edited[k] {
			edited[k] = true
			lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, k+" ") })
		}
		lines = append(lines, e)
	}
	return strings.Join(lines, "\n") + "\n"
}

var baseNotice = []string{
	KindNotice,
	"id OPS-TEST-1",
	"revision 1",
	"type stop",
	"status in-force",
	"issued 2026-10-01",
	"issued-by Office for Product Security (fictional)",
	"recipient Example Ltd | manufacturer",
	"gtin " + gtinA,
	"fictional yes",
}

func notice(edits ...string) string { return edit(baseNotice, edits) }

func mustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func codes(r *Result) string {
	var cs []string
	for _, f := range r.Findings {
		cs = append(cs, f.Code)
	}
	slices.Sort(cs)
	if len(cs) == 0 {
		return "-"
	}
	return strings.Join(cs, ",")
}
