package catalog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWritersRefuse: catalog build and append refuse what tills would not
// trust (issue 9, point 5), name the record and the reason, and write
// nothing.
func TestWritersRefuse(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	const valid = 365 * 24 * time.Hour
	type tc struct {
		name  string
		add   func(f *fixture) // records to append after the fixture's key records and one declaration
		wants []string         // words of the refusal; none: accepted
	}
	signed := func(f *fixture, signer, body string) []byte {
		rec, err := Sign([]byte(body), f.signer(signer))
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	cases := []tc{
		{name: "declaration in scope", add: func(f *fixture) { f.addBy("maker", decl("id two", "gtin "+gtinB)) }},
		{name: "declaration out of its signer's scope", add: func(f *fixture) {
			f.addBy("maker", decl("id other", "gtin "+gtinOther))
		}, wants: []string{"declaration other version 1", "GTIN " + gtinOther, "not scoped"}},
		{name: "declaration partly out of scope", add: func(f *fixture) {
			f.addBy("maker", decl("id other", "gtin "+gtinB, "gtin "+gtinOther))
		}, wants: []string{"GTIN " + gtinOther}},
		{name: "declaration by an unregistered key", add: func(f *fixture) {
			f.addBy("rogue", decl("id rogue"))
		}, wants: []string{"does not register"}},
		{name: "declaration that does not verify", add: func(f *fixture) {
			rec := signed(f, "maker", decl("id edited"))
			f.records = append(f.records, bytes.Replace(rec, []byte("Phone One"), []byte("Phone Two"), 1))
		}, wants: []string{"does not verify"}},
		{name: "declaration by a key registered in the same batch", add: func(f *fixture) {
			f.keyRecordScoped("new", "New Ltd", "manufacturer", "active", "gtin 952")
			f.addBy("new", decl("id new"))
		}},
		{name: "notice by a manufacturer key", add: func(f *fixture) {
			f.addBy("maker", notice())
		}, wants: []string{"notice OPS-TEST-1 revision 1", "role manufacturer"}},
		{name: "notice outside the issuer's scope", add: func(f *fixture) {
			f.addBy("issuer", notice("id TSA-9"))
		}, wants: []string{"not scoped for notice TSA-9"}},
		{name: "notice revision from another org", add: func(f *fixture) {
			f.addBy("issuer", notice())
			f.keyRecordScoped("other-issuer", "Other Authority", "notice-issuer", "active", "notice OPS-")
			f.addBy("other-issuer", notice("revision 2", "status revoked"))
		}, wants: []string{"revision 2", "Other Authority", "may revise it"}},
		{name: "record already in the catalog", add: func(f *fixture) {
			f.records = append(f.records, f.records[3])
		}, wants: []string{"same record"}},
		{name: "record already in the catalog, its signature respelled", add: func(f *fixture) {
			f.records = append(f.records, respell(t, f.records[3]))
		}, wants: []string{"not in canonical base64", "maker"}},
		{name: "the same record twice", add: func(f *fixture) {
			f.addBy("maker", decl("id two", "gtin "+gtinB))
			f.records = append(f.records, f.records[len(f.records)-1])
		}, wants: []string{"the same record as record", "given here"}},
		{name: "key record not signed by the publisher", add: func(f *fixture) {
			f.signer("self")
			f.addBy("self", KindKey+"\nkey "+f.vkeys["self"]+"\norg Self\nrole manufacturer\nstatus active\nscope gtin 952\n")
		}, wants: []string{"key record", "publisher quorum"}},
		{name: "withdrawal of a key record", add: func(f *fixture) { f.withdraw(0, "no") }, wants: []string{"not a declaration or a notice"}},
		{name: "withdrawal of the declaration", add: func(f *fixture) { f.withdraw(3, "wrong") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, how := range []string{"build", "append"} {
				f := newFixture(t)
				f.addBy("maker", decl()) // 3
				base := len(f.records)
				c.add(f)
				dir := filepath.Join(t.TempDir(), "cat")
				var err error
				switch how {
				case "build":
					_, err = Build(dir, testOrigin, f.records, []Signer{f.pub}, f.trust.Publishers, now, valid)
				case "append":
					if _, err := Build(dir, testOrigin, f.records[:base], []Signer{f.pub}, f.trust.Publishers, now, valid); err != nil {
						t.Fatal(err)
					}
					cat, err2 := OpenDir(dir, f.trust, nil)
					if err2 != nil {
						t.Fatal(err2)
					}
					before, _ := os.ReadFile(filepath.Join(dir, "records"))
					_, err = Append(dir, cat, f.records[base:], []Signer{f.pub}, now.Add(time.Hour), valid)
					cat.Close()
					if after, _ := os.ReadFile(filepath.Join(dir, "records")); err != nil && !bytes.Equal(before, after) {
						t.Errorf("append: refused, but wrote to the records file")
					}
				}
				if len(c.wants) == 0 {
					if err != nil {
						t.Errorf("%s: %v", how, err)
					}
					continue
				}
				var re *RefusedError
				if !errors.As(err, &re) {
					t.Errorf("%s: err = %v, want a refusal", how, err)
					continue
				}
				for _, w := range c.wants {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: %q does not say %q", how, err, w)
					}
				}
				if how == "build" {
					if _, err := os.Stat(filepath.Join(dir, "checkpoint")); err == nil {
						t.Errorf("build: refused, but wrote a checkpoint")
					}
				}
			}
		})
	}
}

// TestAppendRefusesForeignPublisherKey: appending with a key that is not
// a publisher key (a manufacturer's, say) used to replace the live
// checkpoint with one every till refuses.
func TestAppendRefusesForeignPublisherKey(t *testing.T) {
	f := newFixture(t)
	f.addBy("maker", decl())
	dir := filepath.Join(t.TempDir(), "cat")
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	if _, err := Build(dir, testOrigin, f.records, []Signer{f.pub}, f.trust.Publishers, now, time.Hour*24*365); err != nil {
		t.Fatal(err)
	}
	cat, err := OpenDir(dir, f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	before, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
	_, err = Append(dir, cat, nil, []Signer{f.signer("maker")}, now.Add(time.Hour), time.Hour)
	if err == nil || !strings.Contains(err.Error(), "not a publisher key") {
		t.Fatalf("append with a manufacturer key: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "checkpoint")); !bytes.Equal(before, after) {
		t.Fatal("the checkpoint changed")
	}
}

// respell writes a signed note's last signature again with one of the bits
// its base64 decoding ignores set, and checks that note.Open still takes
// it: the same signature, in other bytes.
func respell(t *testing.T, rec []byte) []byte {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	out := bytes.Clone(rec)
	i := bytes.LastIndex(out, []byte("=\n")) - 1 // the last character before the padding
	if i < 0 {
		t.Fatalf("no padded signature in %q", rec)
	}
	out[i] = alphabet[strings.IndexByte(alphabet, out[i])^1]
	if bytes.Equal(out, rec) {
		t.Fatal("respell changed nothing")
	}
	if sig, err := base64.StdEncoding.DecodeString(string(out[bytes.LastIndexByte(out[:i], ' ')+1 : len(out)-1])); err != nil || !bytes.Contains(rec, []byte(base64.StdEncoding.EncodeToString(sig))) {
		t.Fatalf("respelled signature decodes to another one (%v)", err)
	}
	return out
}
