package catalog

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestTabledVerifier: a key that verifies many records switches to its
// table, and from then on answers as before: its signatures verify, and
// altered records, altered signatures and other keys' signatures do not.
func TestTabledVerifier(t *testing.T) {
	skey, vkey, err := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "maker.example")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := NewSigner(skey)
	otherS, _, _ := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{8}, 64)), "maker.example")
	other, _ := NewSigner(otherS)
	v, err := newVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	tv, ok := v.(*tabledVerifier)
	if !ok {
		t.Fatalf("newVerifier gave a %T for an Ed25519 key", v)
	}
	// Every Ed25519 key gets one, '+' in its base64 or not.
	plus := 0
	for i := range 64 {
		_, vk, err := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{byte(i)}, 64)), "k")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(vk, "+") > 2 {
			plus++
		}
		if v, _ := newVerifier(vk); fmt.Sprintf("%T", v) != "*catalog.tabledVerifier" {
			t.Fatalf("newVerifier(%s) gave a %T", vk, v)
		}
	}
	if plus == 0 {
		t.Fatal("no key with '+' in its base64 was tried")
	}
	open := func(msg []byte) error {
		_, err := note.Open(msg, note.VerifierList(v))
		return err
	}
	for i := range 3 * expandAfter {
		body := fmt.Appendf(nil, "record %d\n", i)
		msg, err := Sign(body, signer)
		if err != nil {
			t.Fatal(err)
		}
		if err := open(msg); err != nil {
			t.Fatalf("record %d (table in use: %v): %v", i, tv.table.Load() != nil, err)
		}
		altered := bytes.Replace(msg, []byte("record"), []byte("recorD"), 1)
		if open(altered) == nil {
			t.Fatalf("record %d: altered text verifies", i)
		}
		sig := bytes.LastIndexByte(msg[:len(msg)-1], ' ') + 1
		for _, at := range []int{sig + 8, len(msg) - 4} { // R and S in the base64 (len-3 holds padding bits, which base64.StdEncoding ignores)
			bad := bytes.Clone(msg)
			bad[at] ^= 0x01
			if open(bad) == nil {
				t.Fatalf("record %d: altered signature byte %d verifies", i, at)
			}
		}
		forged, _ := Sign(body, other)
		if open(forged) == nil {
			t.Fatalf("record %d: another key's signature verifies", i)
		}
	}
	if tv.table.Load() == nil {
		t.Fatalf("no table after %d verifications", 3*expandAfter)
	}
}

// TestTabledVerifierConcurrent: goroutines verifying with one key while it
// gets its table all get the right answers (run with -race).
func TestTabledVerifierConcurrent(t *testing.T) {
	skey, vkey, err := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{9}, 64)), "busy.example")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := NewSigner(skey)
	v, _ := newVerifier(vkey)
	var msgs [][]byte
	for i := range 4 * expandAfter {
		m, _ := Sign(fmt.Appendf(nil, "record %d\n", i), signer)
		msgs = append(msgs, m)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i, m := range msgs {
				if _, err := note.Open(m, note.VerifierList(v)); err != nil {
					errs <- fmt.Errorf("goroutine %d, record %d: %v", g, i, err)
					return
				}
				bad := bytes.Replace(m, []byte("record"), []byte("Record"), 1)
				if _, err := note.Open(bad, note.VerifierList(v)); err == nil {
					errs <- fmt.Errorf("goroutine %d, record %d: altered text verifies", g, i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if v.(*tabledVerifier).table.Load() == nil {
		t.Error("no table after all that")
	}
}

// TestKeyTablesCapped: once the cache holds its most tables, further keys
// verify without one — correctly — and the cache does not grow.
func TestKeyTablesCapped(t *testing.T) {
	cache := newTableCache(2)
	for i := range 4 {
		skey, vkey, err := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{byte(20 + i)}, 64)), "many.example")
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := NewSigner(skey)
		v, _ := newVerifier(vkey)
		tv := v.(*tabledVerifier)
		tv.tables = cache
		for j := range 2 * expandAfter {
			msg, _ := Sign(fmt.Appendf(nil, "record %d\n", j), signer)
			if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
				t.Fatalf("key %d, record %d: %v", i, j, err)
			}
			if _, err := note.Open(bytes.Replace(msg, []byte("record"), []byte("Record"), 1), note.VerifierList(v)); err == nil {
				t.Fatalf("key %d, record %d: altered text verifies", i, j)
			}
		}
		if got, want := tv.table.Load() != nil, i < 2; got != want {
			t.Errorf("key %d: has a table: %v, want %v", i, got, want)
		}
	}
	if len(cache.m) != 2 {
		t.Errorf("%d tables cached, want 2", len(cache.m))
	}
}
