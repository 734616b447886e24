// Package data holds what is built into the smartcheck binary: the demo
// catalog, signed and ready to open, and the sources it is made from.
//
// The demo catalog is made by one reproducible command:
//
//	go generate ./data
//
// which reads demo/keys.txt and demo/records/*.txt and writes
// demo/catalog/{records,checkpoint,trust}. Every key is derived from its
// name (a demo key is a public secret: never use one for anything else),
// and ed25519 signatures are deterministic, so the same sources always
// give the same bytes; a test holds the committed files to that.
//
// # Keys
//
// demo/keys.txt lists one signing key per line:
//
//	NAME | ROLE | ORG | SCOPE; SCOPE...
//
// for example
//
//	demo-devices-demo | manufacturer | Demo Devices Ltd | gtin 9520000001018; gtin 9520000002
//
// The generator registers each key (role manufacturer, authorised-rep,
// curator or notice-issuer) with a smartcheck-key/1 record signed by the
// demo publisher, status active, with one scope line per SCOPE in the
// order given (spec/catalog.md, "Scope": `gtin PREFIX`, `gtin *` for
// curators, `notice PREFIX` for notice issuers). These key records open
// the log, in the order of keys.txt. A key with role `unregistered` has
// no scopes (`NAME | unregistered | ORG`): it signs but is never
// registered.
//
// # Records
//
// Each demo/records/NNN-slug.txt is logged after the key records, in file
// name order. It starts with header lines `# NAME: VALUE` (a line that is
// just `#` is skipped); the first other line starts the record body. The
// headers:
//
//	# signed-by: KEY       the keys.txt key that signs the body that follows
//	# tamper: yes          alter the body after signing, so that its signature fails
//	# note: TEXT           for people; repeatable
//
// Two kinds of file are signed by the demo publisher and hold no body:
// the generator writes it.
//
//	# key-record: KEY | STATUS | SCOPE; SCOPE...
//
// logs a later smartcheck-key/1 record for a keys.txt key, with that
// key's org and role: `active` with the scopes it adds from this point
// of the log on (a later active record adds scopes, never removes them),
// or `revoked` with no scopes, after which the key signs nothing valid.
//
//	# withdraws: NNN-slug.txt
//	# reason: TEXT
//	# withdrawn: YYYY-MM-DD
//
// logs a smartcheck-withdrawal/1 record for the record made from the
// named file, which must come earlier in the log: the generator fills in
// its index in the log and the standard base64 of its tlog.RecordHash.
package data

//go:generate go run ./gen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// DemoOrigin names the demo catalog.
const DemoOrigin = "demo.smartcheck.example/uk"

// The demo checkpoint's times are fixed so that the build is reproducible.
// It expires in 2030: long enough for a demo, and `--at 2031-01-01` shows
// what a stale catalog looks like.
var (
	DemoIssued  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	DemoExpires = time.Date(2030, 11, 1, 0, 0, 0, 0, time.UTC)
)

const publisherName = "demo-publisher"

var (
	//go:embed demo/catalog/checkpoint
	demoCheckpoint []byte
	//go:embed demo/catalog/records
	demoRecords []byte
	//go:embed demo/catalog/trust
	demoTrust []byte
)

// Demo returns the demo catalog built into the binary.
func Demo() (checkpoint, records, trust []byte) {
	return demoCheckpoint, demoRecords, demoTrust
}

// OpenDemo opens the demo catalog built into the binary, verified against
// its own trust file.
func OpenDemo() (*catalog.Catalog, error) {
	trust, err := catalog.ParseTrust(demoTrust)
	if err != nil {
		return nil, fmt.Errorf("built-in demo catalog: %w", err)
	}
	cat, err := catalog.OpenBytes(demoCheckpoint, demoRecords, trust, nil)
	if err != nil {
		return nil, fmt.Errorf("built-in demo catalog: %w", err)
	}
	return cat, nil
}

// DemoKey returns the demo signer and verifier keys for name, derived from
// the name alone.
func DemoKey(name string) (skey, vkey string, err error) {
	seed := sha256.Sum256([]byte("smartcheck demo key, never for real use: " + name))
	return catalog.GenerateKey(bytes.NewReader(seed[:]), name)
}

type demoKey struct {
	name, role, org string
	scopes          []catalog.Scope
	signer          catalog.Signer
	vkey            string
}

// logged is one record already in the demo log, by its source file.
type logged struct {
	index int64
	rec   []byte
}

// BuildDemo makes the demo catalog from its sources in src (a file system
// holding keys.txt and records/).
func BuildDemo(src fs.FS) (checkpoint, records, trust []byte, err error) {
	pub, pubV, err := demoSigner(publisherName)
	if err != nil {
		return nil, nil, nil, err
	}
	keys, err := readKeys(src)
	if err != nil {
		return nil, nil, nil, err
	}
	var recs [][]byte
	byName := map[string]*demoKey{}
	for _, k := range keys {
		byName[k.name] = k
		if k.role == "unregistered" {
			continue
		}
		rec, err := keyRecord(k, "active", k.scopes, pub)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("keys.txt: %s: %w", k.name, err)
		}
		recs = append(recs, rec)
	}
	names, err := fs.Glob(src, "records/*.txt")
	if err != nil {
		return nil, nil, nil, err
	}
	slices.Sort(names)
	byFile := map[string]logged{}
	for _, name := range names {
		rec, err := demoRecord(src, name, byName, byFile, pub)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		byFile[path.Base(name)] = logged{int64(len(recs)), rec}
		recs = append(recs, rec)
	}
	records, root, err := catalog.Assemble(recs)
	if err != nil {
		return nil, nil, nil, err
	}
	cp := &catalog.Checkpoint{Origin: DemoOrigin, Size: int64(len(recs)), Root: root, Issued: DemoIssued, Expires: DemoExpires}
	checkpoint, err = catalog.SignCheckpoint(cp, pub)
	if err != nil {
		return nil, nil, nil, err
	}
	t := &catalog.Trust{Origin: DemoOrigin, Publishers: []string{pubV}, Quorum: 1}
	return checkpoint, records, t.Format(), nil
}

func demoSigner(name string) (catalog.Signer, string, error) {
	skey, vkey, err := DemoKey(name)
	if err != nil {
		return nil, "", err
	}
	s, err := catalog.NewSigner(skey)
	return s, vkey, err
}

// keyRecord signs, as the publisher, a smartcheck-key/1 record for k.
func keyRecord(k *demoKey, status string, scopes []catalog.Scope, pub catalog.Signer) ([]byte, error) {
	body, err := catalog.KeyRecordBody(catalog.KeyRecord{Key: k.vkey, Org: k.org, Role: k.role, Status: status, Scopes: scopes})
	if err != nil {
		return nil, err
	}
	return catalog.Sign(body, pub)
}

// parseScopes parses `SCOPE; SCOPE...`.
func parseScopes(s string) ([]catalog.Scope, error) {
	var scopes []catalog.Scope
	for _, v := range strings.Split(s, ";") {
		sc, err := catalog.ParseScope(strings.TrimSpace(v))
		if err != nil {
			return nil, err
		}
		scopes = append(scopes, sc)
	}
	return scopes, nil
}

func readKeys(src fs.FS) ([]*demoKey, error) {
	data, err := fs.ReadFile(src, "keys.txt")
	if err != nil {
		return nil, err
	}
	var keys []*demoKey
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, " | ")
		k := &demoKey{name: parts[0]}
		switch {
		case len(parts) == 3 && parts[1] == "unregistered":
			k.role, k.org = parts[1], parts[2]
		case len(parts) == 4 && parts[1] != "unregistered":
			k.role, k.org = parts[1], parts[2]
			if k.scopes, err = parseScopes(parts[3]); err != nil {
				return nil, fmt.Errorf("keys.txt line %d: %w", n, err)
			}
		default:
			return nil, fmt.Errorf("keys.txt line %d: want NAME | ROLE | ORG | SCOPE; SCOPE... (or NAME | unregistered | ORG)", n)
		}
		if seen[k.name] {
			return nil, fmt.Errorf("keys.txt line %d: key %s listed twice", n, k.name)
		}
		seen[k.name] = true
		if k.signer, k.vkey, err = demoSigner(k.name); err != nil {
			return nil, fmt.Errorf("keys.txt line %d: %w", n, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// demoRecord makes the signed record of one records/*.txt file. earlier
// holds the records already logged, by file name, for withdrawals.
func demoRecord(src fs.FS, name string, keys map[string]*demoKey, earlier map[string]logged, pub catalog.Signer) ([]byte, error) {
	data, err := fs.ReadFile(src, name)
	if err != nil {
		return nil, err
	}
	h := map[string]string{}
	var body bytes.Buffer
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if body.Len() == 0 && line == "#\n" {
			continue
		}
		if hdr, ok := strings.CutPrefix(line, "# "); ok && body.Len() == 0 {
			k, v, ok := strings.Cut(strings.TrimSpace(hdr), ":")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case !ok:
				return nil, fmt.Errorf("header %q is not `# NAME: VALUE`", strings.TrimSpace(line))
			case k == "note":
			case k == "signed-by" || k == "tamper" || k == "key-record" || k == "withdraws" || k == "reason" || k == "withdrawn":
				if _, dup := h[k]; dup {
					return nil, fmt.Errorf("header %s given twice", k)
				}
				h[k] = v
			default:
				return nil, fmt.Errorf("unknown header %q", k)
			}
			continue
		}
		body.WriteString(line)
	}
	switch {
	case h["key-record"] != "":
		if body.Len() > 0 || len(h) != 1 {
			return nil, fmt.Errorf("a key-record file has no other header and no body")
		}
		return laterKeyRecord(h["key-record"], keys, pub)
	case h["withdraws"] != "":
		if body.Len() > 0 || len(h) != 3 || h["reason"] == "" || h["withdrawn"] == "" {
			return nil, fmt.Errorf("a withdraws file has exactly the headers withdraws, reason and withdrawn, and no body")
		}
		target, ok := earlier[h["withdraws"]]
		if !ok {
			return nil, fmt.Errorf("withdraws %s: no such record earlier in the log", h["withdraws"])
		}
		day, err := catalog.ParseDate(h["withdrawn"])
		if err != nil {
			return nil, err
		}
		body, err := catalog.WithdrawalBody(catalog.Withdrawal{Record: target.index, Hash: tlog.RecordHash(target.rec), Reason: h["reason"], Withdrawn: day})
		if err != nil {
			return nil, err
		}
		return catalog.Sign(body, pub)
	case h["reason"] != "" || h["withdrawn"] != "":
		return nil, fmt.Errorf("reason and withdrawn go with a withdraws header")
	}
	if _, err := catalog.ParseRecord(body.Bytes()); err != nil {
		return nil, err
	}
	k := keys[h["signed-by"]]
	if k == nil {
		return nil, fmt.Errorf("signed-by %q: no such key in keys.txt", h["signed-by"])
	}
	rec, err := catalog.Sign(body.Bytes(), k.signer)
	if err != nil {
		return nil, err
	}
	switch h["tamper"] {
	case "", "no":
	case "yes":
		// Alter the signed text the way a forger would: the record still
		// parses, but its signature no longer matches it.
		altered := bytes.Replace(rec, []byte("\nmodel "), []byte("\nmodel Pro "), 1)
		if bytes.Equal(altered, rec) {
			return nil, fmt.Errorf("tamper: no model line to alter")
		}
		rec = altered
	default:
		return nil, fmt.Errorf("tamper %q: want yes or no", h["tamper"])
	}
	return rec, nil
}

// laterKeyRecord makes the record of a `# key-record: KEY | STATUS |
// SCOPE; SCOPE...` header.
func laterKeyRecord(v string, keys map[string]*demoKey, pub catalog.Signer) ([]byte, error) {
	parts := strings.Split(v, " | ")
	k := keys[parts[0]]
	if k == nil || k.role == "unregistered" {
		return nil, fmt.Errorf("key-record %q: no such registered key in keys.txt", parts[0])
	}
	var scopes []catalog.Scope
	switch {
	case len(parts) == 3 && parts[1] == "active":
		var err error
		if scopes, err = parseScopes(parts[2]); err != nil {
			return nil, fmt.Errorf("key-record: %w", err)
		}
	case len(parts) == 2 && parts[1] == "revoked":
	default:
		return nil, fmt.Errorf("key-record %q: want KEY | active | SCOPE; SCOPE... or KEY | revoked", v)
	}
	return keyRecord(k, parts[1], scopes, pub)
}
