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
// Sources: demo/keys.txt lists one signing key per line, `NAME | ROLE |
// ORG`. The generator registers each (role manufacturer, authorised-rep,
// curator or notice-issuer) with a smartcheck-key/1 record signed by the
// demo publisher; a key with role `unregistered` signs but is never
// registered. Each demo/records/NNN-slug.txt holds header lines
// (`# signed-by: KEY`, optionally `# tamper: yes` to alter the body after
// signing so that its signature fails) and then one record body; files
// are logged in name order.
package data

//go:generate go run ./gen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

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

// DemoKey returns the demo signer and verifier keys for name, derived from
// the name alone.
func DemoKey(name string) (skey, vkey string, err error) {
	seed := sha256.Sum256([]byte("smartcheck demo key, never for real use: " + name))
	return catalog.GenerateKey(bytes.NewReader(seed[:]), name)
}

type demoKey struct {
	name, role, org string
	signer          catalog.Signer
	vkey            string
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
	for _, k := range keys {
		if k.role == "unregistered" {
			continue
		}
		body := fmt.Sprintf("%s\nkey %s\norg %s\nrole %s\nstatus active\n", catalog.KindKey, k.vkey, k.org, k.role)
		rec, err := catalog.Sign([]byte(body), pub)
		if err != nil {
			return nil, nil, nil, err
		}
		recs = append(recs, rec)
	}
	names, err := fs.Glob(src, "records/*.txt")
	if err != nil {
		return nil, nil, nil, err
	}
	slices.Sort(names)
	byName := map[string]*demoKey{}
	for _, k := range keys {
		byName[k.name] = k
	}
	for _, name := range names {
		rec, err := demoRecord(src, name, byName)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
		}
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

func readKeys(src fs.FS) ([]*demoKey, error) {
	data, err := fs.ReadFile(src, "keys.txt")
	if err != nil {
		return nil, err
	}
	var keys []*demoKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, " | ")
		if len(parts) != 3 {
			return nil, fmt.Errorf("keys.txt line %d: want NAME | ROLE | ORG", n)
		}
		k := &demoKey{name: parts[0], role: parts[1], org: parts[2]}
		if k.signer, k.vkey, err = demoSigner(k.name); err != nil {
			return nil, fmt.Errorf("keys.txt line %d: %w", n, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func demoRecord(src fs.FS, name string, keys map[string]*demoKey) ([]byte, error) {
	data, err := fs.ReadFile(src, name)
	if err != nil {
		return nil, err
	}
	var signer string
	tamper := false
	var body bytes.Buffer
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if h, ok := strings.CutPrefix(line, "# "); ok && body.Len() == 0 {
			k, v, _ := strings.Cut(strings.TrimSpace(h), ":")
			switch strings.TrimSpace(k) {
			case "signed-by":
				signer = strings.TrimSpace(v)
			case "tamper":
				tamper = strings.TrimSpace(v) == "yes"
			}
			continue
		}
		if line == "#\n" && body.Len() == 0 {
			continue
		}
		body.WriteString(line)
	}
	if _, err := catalog.ParseRecord(body.Bytes()); err != nil {
		return nil, err
	}
	k := keys[signer]
	if k == nil {
		return nil, fmt.Errorf("signed-by %q: no such key in keys.txt", signer)
	}
	rec, err := catalog.Sign(body.Bytes(), k.signer)
	if err != nil {
		return nil, err
	}
	if tamper {
		// Alter the signed text the way a forger would: the record still
		// parses, but its signature no longer matches it.
		altered := bytes.Replace(rec, []byte("\nmodel "), []byte("\nmodel Pro "), 1)
		if bytes.Equal(altered, rec) {
			return nil, fmt.Errorf("tamper: no model line to alter")
		}
		rec = altered
	}
	return rec, nil
}
