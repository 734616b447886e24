package catalog

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

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

func newVerifier(vkey string) (note.Verifier, error) {
	return note.NewVerifier(vkey)
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
