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
	"runtime"
	"sync"
	"unsafe"

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

// digits writes s in signed base-64 digits, least significant first.
func digits(s *edwards25519.Scalar, e *[windows]int8) {
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
		e[i] = int8(d)
	}
}

// entry returns the table's point for digit d of window i (d ≠ 0), and
// whether to subtract it.
func (t *table) entry(i int, d int8) (*edwards25519.Point, bool) {
	if d < 0 {
		return &t[i][-d-1], true
	}
	return &t[i][d-1], false
}

// touch reads one word of every cache line of the points the digits will
// add, one after the other, so that the memory fetches them all at once:
// a busy service verifies for a hundred keys, their tables (22 MB) are
// not in the cache, and point additions that each wait for their point
// cost twice the arithmetic. The sum means nothing; it keeps the reads.
func (t *table) touch(e *[windows]int8) (sum uint64) {
	for i, d := range e {
		if d == 0 {
			continue
		}
		p, _ := t.entry(i, d)
		words := (*[pointSize / 8]uint64)(unsafe.Pointer(p))
		sum += words[0] + words[8] + words[16] + words[pointSize/8-1]
	}
	return sum
}

// pointSize is the size of an edwards25519.Point, 160 bytes (four field
// elements of five 64-bit limbs): touch reads words 0, 8, 16 and the last,
// which lie in every 64-byte line the point spans. Were the type ever
// smaller than 136 bytes, touch would not compile.
const pointSize = unsafe.Sizeof(edwards25519.Point{})

// addMultiple adds [s]P to acc, where t is P's table and e holds s's digits.
func (t *table) addMultiple(acc *edwards25519.Point, e *[windows]int8) {
	for i, d := range e {
		if d == 0 {
			continue
		}
		if p, neg := t.entry(i, d); neg {
			acc.Subtract(acc, p)
		} else {
			acc.Add(acc, p)
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
	var ds, dk [windows]int8
	digits(s, &ds)
	digits(kh, &dk)
	base := baseTable()
	runtime.KeepAlive(base.touch(&ds) + k.negA.touch(&dk))
	r := edwards25519.NewIdentityPoint()
	base.addMultiple(r, &ds)
	k.negA.addMultiple(r, &dk)
	return bytes.Equal(sig[:32], r.Bytes())
}
