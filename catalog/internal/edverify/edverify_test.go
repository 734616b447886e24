package edverify

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"filippo.io/edwards25519"
)

// check fails the test unless k.Verify and crypto/ed25519.Verify agree.
func check(t testing.TB, pub []byte, k *PublicKey, msg, sig []byte, what string) bool {
	t.Helper()
	want := ed25519.Verify(pub, msg, sig)
	if got := k.Verify(msg, sig); got != want {
		t.Fatalf("%s: Verify = %v, crypto/ed25519 says %v (pub %x sig %x msg %q)", what, got, want, pub, sig, msg)
	}
	return want
}

func TestSameAsStandardLibrary(t *testing.T) {
	rnd := rand.NewChaCha8([32]byte{1})
	for i := range 20 {
		pub, priv, err := ed25519.GenerateKey(rnd)
		if err != nil {
			t.Fatal(err)
		}
		k, err := NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		for j := range 50 {
			msg := make([]byte, (i*50+j)%300)
			rnd.Read(msg)
			sig := ed25519.Sign(priv, msg)
			if !check(t, pub, k, msg, sig, "valid signature") {
				t.Fatal("a valid signature is refused")
			}
			// Every single-bit change of the signature, and of a message
			// byte, is refused by both.
			if j == 0 {
				for bit := range 64 * 8 {
					bad := append([]byte(nil), sig...)
					bad[bit/8] ^= 1 << (bit % 8)
					if check(t, pub, k, msg, bad, fmt.Sprintf("bit %d flipped", bit)) {
						t.Fatalf("bit %d flipped: accepted", bit)
					}
				}
			}
			if len(msg) > 0 {
				bad := append([]byte(nil), msg...)
				bad[j%len(bad)] ^= 0x40
				check(t, pub, k, bad, sig, "message changed")
			}
			check(t, pub, k, msg, sig[:63], "short signature")
			check(t, pub, k, msg, append(sig, 0), "long signature")
		}
		// Another key's signature.
		_, other, _ := ed25519.GenerateKey(rnd)
		check(t, pub, k, []byte("x"), ed25519.Sign(other, []byte("x")), "another key")
	}
}

// smallOrder are the encodings of the eight points of order dividing 8,
// and some non-canonical encodings of them (y ≥ p, or the sign bit set on
// x = 0), which filippo.io/edwards25519 decodes like crypto/ed25519 does.
var smallOrder = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"0100000000000000000000000000000000000000000000000000000000000080",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
}

func point(t *testing.T, s string) (*edwards25519.Point, []byte) {
	t.Helper()
	b, _ := hex.DecodeString(s)
	p, err := new(edwards25519.Point).SetBytes(b)
	if err != nil {
		return nil, b
	}
	return p, b
}

// TestCraftedKeysAndSignatures builds the signatures that tell Ed25519
// implementations apart ("Taming the many EdDSAs", Chalkias et al. 2020):
// keys and R with small-order components, small-order keys, S = 0, S at
// and above the group order. Each is held to crypto/ed25519's answer.
func TestCraftedKeysAndSignatures(t *testing.T) {
	rnd := rand.NewChaCha8([32]byte{2})
	scalar := func() *edwards25519.Scalar {
		var b [64]byte
		rnd.Read(b[:])
		s, _ := edwards25519.NewScalar().SetUniformBytes(b[:])
		return s
	}
	hram := func(r, a, msg []byte) *edwards25519.Scalar {
		h := sha512.New()
		h.Write(r)
		h.Write(a)
		h.Write(msg)
		s, _ := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
		return s
	}
	accepted := 0
	for ti, ts := range smallOrder {
		torsion, tb := point(t, ts)
		if torsion == nil {
			t.Logf("%s does not decode", ts)
			continue
		}
		for n := range 40 {
			msg := fmt.Appendf(nil, "crafted %d %d", ti, n)
			a := scalar()
			// A = [a]B + T; R = [r]B (+ T on odd n); S = r + k·a.
			pubPoint := new(edwards25519.Point).ScalarBaseMult(a)
			pubPoint.Add(pubPoint, torsion)
			pub := pubPoint.Bytes()
			if n%4 == 3 {
				pub = tb // the small-order key itself
			}
			r := scalar()
			rPoint := new(edwards25519.Point).ScalarBaseMult(r)
			if n%2 == 1 {
				rPoint.Add(rPoint, torsion)
			}
			rb := rPoint.Bytes()
			if n%5 == 4 {
				rb = tb
			}
			k := hram(rb, pub, msg)
			s := edwards25519.NewScalar().MultiplyAdd(k, a, r)
			sig := append(append([]byte(nil), rb...), s.Bytes()...)
			key, err := NewPublicKey(pub)
			if err != nil {
				t.Fatalf("key %x: %v", pub, err)
			}
			if check(t, pub, key, msg, sig, "crafted") {
				accepted++
			}
			// S = 0, and S + l (non-canonical): l = 2^252 + 27742317777372353535851937790883648493.
			zero := append(append([]byte(nil), rb...), make([]byte, 32)...)
			check(t, pub, key, msg, zero, "S = 0")
			l, _ := hex.DecodeString("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
			sl := append([]byte(nil), s.Bytes()...)
			var c uint16
			for i := range 32 {
				c += uint16(sl[i]) + uint16(l[i])
				sl[i] = byte(c)
				c >>= 8
			}
			check(t, pub, key, msg, append(append([]byte(nil), rb...), sl...), "S + l")
		}
	}
	if accepted == 0 {
		t.Fatal("no crafted signature was accepted: the cases do not reach the equation")
	}
	t.Logf("%d crafted signatures accepted by both", accepted)
}

func TestNewPublicKeyRefuses(t *testing.T) {
	if _, err := NewPublicKey(make([]byte, 31)); err == nil {
		t.Error("31 bytes accepted")
	}
	// y = 2 is not on the curve.
	b := make([]byte, 32)
	b[0] = 2
	if _, err := NewPublicKey(b); err == nil {
		t.Error("a point off the curve accepted")
	}
}

func FuzzVerify(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.NewChaCha8([32]byte{3}))
	f.Add([]byte(pub), []byte("m"), ed25519.Sign(priv, []byte("m")))
	f.Add([]byte(pub), []byte("m"), make([]byte, 64))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		if len(pub) != 32 {
			return
		}
		k, err := NewPublicKey(pub)
		if err != nil {
			if ed25519.Verify(pub, msg, sig) {
				t.Fatalf("key %x refused, yet crypto/ed25519 accepts a signature by it", pub)
			}
			return
		}
		check(t, pub, k, msg, sig, "fuzz")
	})
}

func BenchmarkVerify(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(rand.NewChaCha8([32]byte{4}))
	msg := make([]byte, 400)
	sig := ed25519.Sign(priv, msg)
	k, _ := NewPublicKey(pub)
	b.Run("edverify", func(b *testing.B) {
		for b.Loop() {
			if !k.Verify(msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("NewPublicKey", func(b *testing.B) {
		for b.Loop() {
			NewPublicKey(pub)
		}
	})
}

// FuzzSigned fuzzes from valid signatures: a key from seed signs msg, and
// mask (often all zero) changes the signature; both verifiers must agree,
// and accept the unchanged signature.
func FuzzSigned(f *testing.F) {
	f.Add(make([]byte, 32), []byte("m"), make([]byte, 64))
	f.Add(make([]byte, 32), []byte(""), append(make([]byte, 63), 0x10))
	f.Fuzz(func(t *testing.T, seed, msg, mask []byte) {
		if len(seed) != ed25519.SeedSize {
			return
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		k, err := NewPublicKey(pub)
		if err != nil {
			t.Fatalf("key of seed %x refused: %v", seed, err)
		}
		sig := ed25519.Sign(priv, msg)
		changed := false
		for i := range min(len(mask), len(sig)) {
			sig[i] ^= mask[i]
			changed = changed || mask[i] != 0
		}
		if !check(t, pub, k, msg, sig, "fuzz") && !changed {
			t.Fatal("an unchanged signature refused")
		}
	})
}

// TestDigits: the signed digits of a scalar add up to it, each within
// [-2^(bits-1), 2^(bits-1)], for the largest scalars too.
func TestDigits(t *testing.T) {
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	rnd := rand.NewChaCha8([32]byte{5})
	var cases []*big.Int
	for _, v := range []int64{0, 1, 2, 31, 32, 63, 64, 127, 128} {
		cases = append(cases, big.NewInt(v), new(big.Int).Sub(l, big.NewInt(v+1)))
	}
	for range 200 {
		var b [64]byte
		rnd.Read(b[:])
		cases = append(cases, new(big.Int).Mod(new(big.Int).SetBytes(b[:]), l))
	}
	for _, bits := range []uint{keyBits, 7, baseBits} { // every width with at most maxRows rows
		tab := &table{bits: bits, rows: make([][]edwards25519.Point, rows(bits))}
		for _, want := range cases {
			le := make([]byte, 32)
			want.FillBytes(le)
			slices.Reverse(le)
			s, err := edwards25519.NewScalar().SetCanonicalBytes(le)
			if err != nil {
				t.Fatal(err)
			}
			var buf [maxRows]int8
			got := new(big.Int)
			for i, d := range tab.digits(s, &buf) {
				if d < -(1<<(bits-1)) || int(d) > 1<<(bits-1) {
					t.Fatalf("bits %d, %v: digit %d is %d", bits, want, i, d)
				}
				got.Add(got, new(big.Int).Lsh(big.NewInt(int64(d)), bits*uint(i)))
			}
			if got.Cmp(want) != 0 {
				t.Fatalf("bits %d: digits of %v add up to %v", bits, want, got)
			}
		}
	}
}
