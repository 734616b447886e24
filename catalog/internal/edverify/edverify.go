// Package edverify verifies Ed25519 signatures made by one public key
// about twice as fast as crypto/ed25519, for a key that signs many of the
// messages a process checks: a catalog's maker keys each sign thousands of
// records, and `lookup -` and serve verify one record per code.
//
// It accepts exactly the signatures crypto/ed25519.Verify accepts (RFC 8032
// section 5.1.7 as Go implements it: the cofactorless equation, S must be
// canonical, the public key decoded as filippo.io/edwards25519 decodes it,
// the hash over the key's bytes as given). Only the arithmetic differs:
// Verify computes the point [S]B + [k](-A) and compares its encoding with R,
// as crypto/ed25519 does, but from tables of multiples of B and of -A made
// once (signed base-64 digits, one addition a digit, no doublings) instead
// of a double-and-add over 253 bits each time. The addition formulas of
// edwards25519 are complete, so the point, and its encoding, are the same
// for every input, keys and signatures with small-order components included;
// the tests hold the two equal on valid, mangled and crafted signatures.
//
// Everything here is public (keys, messages, signatures), so the variable
// time of the table walk leaks nothing secret.
package edverify

import (
	"bytes"
	"crypto/sha512"
	"errors"
	"sync"

	"filippo.io/edwards25519"
)

const (
	w       = 6            // bits a digit
	half    = 1 << (w - 1) // digits run from -half to half
	windows = 43           // 43 × 6 bits ≥ 253, the length of a scalar below the group order
)

// table holds (j+1)·64^i·P in row i, column j: 43 × 32 points, 220 KB.
type table [windows][half]edwards25519.Point

func newTable(p *edwards25519.Point) *table {
	t := new(table)
	var base edwards25519.Point
	base.Set(p)
	for i := range t {
		t[i][0].Set(&base)
		for j := 1; j < half; j++ {
			t[i][j].Add(&t[i][j-1], &base)
		}
		base.Add(&t[i][half-1], &t[i][half-1]) // 64·base
	}
	return t
}

// addMultiple adds [s]P to acc, where t is P's table.
func (t *table) addMultiple(acc *edwards25519.Point, s *edwards25519.Scalar) {
	var b [33]byte // one byte more, so that a digit can read two
	copy(b[:], s.Bytes())
	carry := 0
	for i := range windows {
		bit := i * w
		d := int(uint16(b[bit/8])|uint16(b[bit/8+1])<<8)>>(bit%8)&(1<<w-1) + carry
		// Signed digits: d in [-32, 32). The last window holds at most
		// bit 252 (s < 2^253) plus a carry, so it never carries on.
		carry = (d + half) >> w
		d -= carry << w
		switch {
		case d > 0:
			acc.Add(acc, &t[i][d-1])
		case d < 0:
			acc.Subtract(acc, &t[i][-d-1])
		}
	}
}

var baseTable = sync.OnceValue(func() *table { return newTable(edwards25519.NewGeneratorPoint()) })

// PublicKey is an Ed25519 public key with its table: making one costs
// about seven verifications and 220 KB.
type PublicKey struct {
	a    [32]byte
	negA *table
}

// NewPublicKey expands a 32-byte Ed25519 public key. It fails where
// crypto/ed25519.Verify would reject every signature: a key that is not the
// encoding of a curve point.
func NewPublicKey(pub []byte) (*PublicKey, error) {
	if len(pub) != 32 {
		return nil, errors.New("edverify: public key is not 32 bytes")
	}
	a, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return nil, errors.New("edverify: public key is not a curve point")
	}
	k := &PublicKey{negA: newTable(a.Negate(a))}
	copy(k.a[:], pub)
	return k, nil
}

// Verify reports whether sig is k's signature of msg, exactly as
// crypto/ed25519.Verify(pub, msg, sig) does.
func (k *PublicKey) Verify(msg, sig []byte) bool {
	if len(sig) != 64 || sig[63]&224 != 0 {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(k.a[:])
	h.Write(msg)
	var digest [64]byte
	kh, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(digest[:0]))
	if err != nil {
		panic("edverify: " + err.Error()) // 64 bytes always set
	}
	s, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	// [S]B = R + [k]A  ⇔  [S]B + [k](-A) = R
	r := edwards25519.NewIdentityPoint()
	baseTable().addMultiple(r, s)
	k.negA.addMultiple(r, kh)
	return bytes.Equal(sig[:32], r.Bytes())
}
