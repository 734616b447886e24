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
// once (signed digits of 8 and 6 bits, one addition a digit, no doublings)
// instead of a double-and-add over 253 bits each time. The addition formulas of
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

// Window sizes: 6 bits for a key's table (43 rows of 32 points, 220 KB,
// made once a key is busy), 8 for the base point's (32 rows of 128
// points, 655 KB, made once a process): the wider the window, the fewer
// the additions and the larger the table.
const (
	keyBits  = 6
	baseBits = 8
)

// A table holds (j+1)·2^(bits·i)·P in row i, column j, for j below
// 2^(bits-1): adding [s]P is then one addition or subtraction a digit of
// s in signed base 2^bits.
type table struct {
	bits uint
	rows [][]edwards25519.Point
}

func newTable(p *edwards25519.Point, bits uint) *table {
	t := &table{bits: bits, rows: make([][]edwards25519.Point, rows(bits))}
	half := 1 << (bits - 1)
	points := make([]edwards25519.Point, len(t.rows)*half)
	var base edwards25519.Point
	base.Set(p)
	for i := range t.rows {
		row := points[i*half : (i+1)*half : (i+1)*half]
		row[0].Set(&base)
		for j := 1; j < half; j++ {
			row[j].Add(&row[j-1], &base)
		}
		base.Add(&row[half-1], &row[half-1]) // 2^bits·base
		t.rows[i] = row
	}
	return t
}

// rows is how many digits of bits bits a scalar takes: ⌈255/bits⌉. A
// scalar is below 2^253, so the last row starts at bit 255-bits or later
// and holds at most bits-2 of its bits: less than 2^(bits-2), a carry
// included, it never carries on.
func rows(bits uint) int { return int((255 + bits - 1) / bits) }

// maxRows is the most rows a table has (43).
const maxRows = (255 + min(keyBits, baseBits) - 1) / min(keyBits, baseBits)

// digits writes s in signed base-2^bits digits, least significant first,
// one a row of t, and returns them.
func (t *table) digits(s *edwards25519.Scalar, e *[maxRows]int8) []int8 {
	var b [33]byte // one byte more, so that a digit can read two
	copy(b[:], s.Bytes())
	bits := int(t.bits)
	carry := 0
	out := e[:len(t.rows)]
	for i := range out {
		bit := i * bits
		d := int(uint16(b[bit/8])|uint16(b[bit/8+1])<<8)>>(bit%8)&(1<<bits-1) + carry
		// Signed digits: d in [-2^(bits-1), 2^(bits-1)).
		carry = (d + 1<<(bits-1)) >> bits
		d -= carry << bits
		out[i] = int8(d)
	}
	return out
}

// entry returns the table's point for digit d of row i (d ≠ 0), and
// whether to subtract it.
func (t *table) entry(i int, d int8) (*edwards25519.Point, bool) {
	if d < 0 {
		return &t.rows[i][-int(d)-1], true
	}
	return &t.rows[i][d-1], false
}

// touch reads one word of every cache line of the points the digits will
// add, one after the other, so that the memory fetches them all at once:
// a busy service verifies for a hundred keys, their tables (22 MB) are
// not in the cache, and point additions that each wait for their point
// cost twice the arithmetic. The sum means nothing; it keeps the reads.
func (t *table) touch(e []int8) (sum uint64) {
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
func (t *table) addMultiple(acc *edwards25519.Point, e []int8) {
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

var baseTable = sync.OnceValue(func() *table { return newTable(edwards25519.NewGeneratorPoint(), baseBits) })

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
	k := &PublicKey{negA: newTable(a.Negate(a), keyBits)}
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
	base := baseTable()
	var bufS, bufK [maxRows]int8
	ds, dk := base.digits(s, &bufS), k.negA.digits(kh, &bufK)
	runtime.KeepAlive(base.touch(ds) + k.negA.touch(dk))
	r := edwards25519.NewIdentityPoint()
	base.addMultiple(r, ds)
	k.negA.addMultiple(r, dk)
	return bytes.Equal(sig[:32], r.Bytes())
}
