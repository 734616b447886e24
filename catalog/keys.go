package catalog

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/smartcheck-uk/smartcheck/catalog/internal/edverify"
	"golang.org/x/mod/sumdb/note"
)

// GenerateKey makes a signer key (secret) and its verifier key for NAME,
// in the sumdb note encoding: `PRIVATE+KEY+NAME+HASH+KEYDATA` and
// `NAME+HASH+KEYDATA`. A name is letters, digits and '.', '-', '_', '/'
// and ':' (at most 128 bytes), so that a publisher key can be named as
// its catalog's origin, such as demo.smartcheck.example/uk: C2SP
// witnesses know a log's key by the log's origin (catalog.md,
// "Witnesses").
func GenerateKey(rand io.Reader, name string) (skey, vkey string, err error) {
	if !ValidKeyName(name) {
		return "", "", fmt.Errorf("key name %q: want 1 to 128 letters, digits, '.', '-', '_', '/' or ':'", clipN(name, 140))
	}
	return note.GenerateKey(rand, name)
}

// ValidKeyName reports whether GenerateKey takes name.
func ValidKeyName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || strings.IndexByte(".-_/:", c) >= 0) {
			return false
		}
	}
	return true
}

// A Signer signs records and checkpoints.
type Signer = note.Signer

// NewSigner reads a signer key, as written by GenerateKey.
func NewSigner(skey string) (Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, fmt.Errorf("signer key: %w", err)
	}
	return s, nil
}

// VerifierKey derives the verifier key that checks what skey signs.
func VerifierKey(skey string) (string, error) {
	skey = strings.TrimSpace(skey)
	if _, err := note.NewSigner(skey); err != nil {
		return "", fmt.Errorf("signer key: %w", err)
	}
	// PRIVATE+KEY+NAME+HASH+KEYDATA, KEYDATA = base64(alg || seed)
	parts := strings.SplitN(skey, "+", 5)
	data, _ := base64.StdEncoding.DecodeString(parts[4])
	pub := ed25519.NewKeyFromSeed(data[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// newVerifier returns the verifier of a registered key. An Ed25519 key
// that has verified expandAfter signatures verifies the rest from its
// table (internal/edverify: the same answers, in less than half the time),
// which is what keeps `lookup -` and serve fast: every code they answer
// costs one verification of its record, and a few hundred maker keys sign
// a million records.
func newVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	// NAME+HASH+base64(0x01 || 32-byte key): note.NewVerifier has checked
	// it, and a name has no '+' (base64 may).
	parts := strings.SplitN(vkey, "+", 3)
	data, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(data) != 1+ed25519.PublicKeySize || data[0] != 1 {
		return v, nil
	}
	f := &tabledVerifier{Verifier: v, tables: keyTables}
	copy(f.pub[:], data[1:])
	return f, nil
}

// expandAfter is how many signatures a key verifies before it gets its
// table, which costs about seven verifications to make.
const expandAfter = 8

// tabledVerifier is an Ed25519 note verifier that switches to its key's
// table once the key has proved busy.
type tabledVerifier struct {
	note.Verifier
	pub    [ed25519.PublicKeySize]byte
	tables *tableCache
	uses   atomic.Int64
	table  atomic.Pointer[edverify.PublicKey]
}

func (v *tabledVerifier) Verify(msg, sig []byte) bool {
	if k := v.table.Load(); k != nil {
		return k.Verify(msg, sig)
	}
	if v.uses.Add(1) == expandAfter {
		if k := v.tables.get(v.pub); k != nil {
			v.table.Store(k)
			return k.Verify(msg, sig)
		}
	}
	return v.Verifier.Verify(msg, sig)
}

// keyTables are the tables of busy keys, shared by every catalog a process
// opens (serve swaps in a newer catalog; its keys are mostly the same), at
// most maxKeyTables of them: 128 × 220 KB = 28 MB. A key that comes after
// them verifies as crypto/ed25519 does, correctly and more slowly.
var keyTables = newTableCache(maxKeyTables)

const maxKeyTables = 128

type tableCache struct {
	max int
	mu  sync.Mutex
	m   map[[ed25519.PublicKeySize]byte]*edverify.PublicKey
}

func newTableCache(max int) *tableCache {
	return &tableCache{max: max, m: map[[ed25519.PublicKeySize]byte]*edverify.PublicKey{}}
}

func (c *tableCache) get(pub [ed25519.PublicKeySize]byte) *edverify.PublicKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.m[pub]; ok || len(c.m) >= c.max {
		return k
	}
	k, err := edverify.NewPublicKey(pub[:])
	if err != nil {
		return nil // not a curve point: crypto/ed25519 refuses its every signature too
	}
	c.m[pub] = k
	return k
}

// Sign signs a record body (or a checkpoint body) with every signer and
// returns the signed note.
func Sign(body []byte, signers ...Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: string(body)}, signers...)
}

// keyring is a note.Verifiers over keys known by their full verifier key.
type keyring map[nameHash][]*keyState

type nameHash struct {
	name string
	hash uint32
}

func (k keyring) Verifier(name string, hash uint32) (note.Verifier, error) {
	ks := k[nameHash{name, hash}]
	switch len(ks) {
	case 0:
		return nil, &note.UnknownVerifierError{Name: name, KeyHash: hash}
	case 1:
		return ks[0].verifier, nil
	}
	// Two different keys with one name and hash: refuse rather than guess.
	return nil, fmt.Errorf("ambiguous key %s+%08x", name, hash)
}

// verifierList is a note.Verifiers over a fixed list of keys, such as the
// publisher keys of a trust file.
type verifierList []note.Verifier

func (l verifierList) Verifier(name string, hash uint32) (note.Verifier, error) {
	for _, v := range l {
		if v.Name() == name && v.KeyHash() == hash {
			return v, nil
		}
	}
	return nil, &note.UnknownVerifierError{Name: name, KeyHash: hash}
}
