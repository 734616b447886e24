package catalog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// SyntheticOrigin names synthetic catalogs.
const SyntheticOrigin = "synthetic.smartcheck.example/uk"

// SyntheticGTIN returns the GTIN-14 of the i-th synthetic product: GS1
// prefix 952 (for examples), then i, then the check digit.
func SyntheticGTIN(i int) string {
	s := fmt.Sprintf("0952%09d", i)
	sum := 0
	for k := 0; k < 13; k++ {
		w := 1
		if k%2 == 0 {
			w = 3
		}
		sum += int(s[k]-'0') * w
	}
	return s + string(rune('0'+(10-sum%10)%10))
}

// syntheticKey derives the key called name of the synthetic catalogs
// made from seed: the same arguments give the same key.
func syntheticKey(seed, name string) (Signer, string, error) {
	h := sha256.Sum256([]byte("synthetic " + seed + " " + name))
	skey, vkey, err := GenerateKey(bytes.NewReader(h[:]), name)
	if err != nil {
		return nil, "", err
	}
	s, err := NewSigner(skey)
	return s, vkey, err
}

// Synthetic catalogs for benchmarks are issued at SyntheticIssued with
// seed "bench" and expire ten years later.
var SyntheticIssued = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// CachedSynthetic returns the synthetic catalog of n records every
// package's benchmarks share, and its trust: smartcheck-bench/synthetic-N-v2
// in the user cache directory (docs/bench-serve.sh uses the same), written
// first if it is missing (about a minute for a million records). Bump v2
// when WriteSynthetic's records change.
func CachedSynthetic(n int) (dir string, trust *Trust, err error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir = filepath.Join(cache, "smartcheck-bench", fmt.Sprintf("synthetic-%d-v2", n))
	if tf, err := os.ReadFile(filepath.Join(dir, "trust")); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "checkpoint")); err == nil {
			trust, err := ParseTrust(tf)
			return dir, trust, err
		}
	}
	os.RemoveAll(dir) // a catalog left half-written
	trust, err = WriteSynthetic(dir, n, "bench", SyntheticIssued, SyntheticIssued.AddDate(10, 0, 0))
	return dir, trust, err
}

// WriteSynthetic writes a catalog of n records into dir (records,
// checkpoint, trust) for benchmarks and load tests: 100 manufacturer key
// registrations, then declarations of realistic size (about 900 bytes,
// signed), with a notice every 1,000 records. Keys derive from seed, so
// the same arguments give the same catalog. It signs on every core and
// streams to disk, so it needs little memory at any size.
func WriteSynthetic(dir string, n int, seed string, issued, expires time.Time) (*Trust, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	body, pub, pubV, err := syntheticSource(seed)
	if err != nil {
		return nil, err
	}

	// Sign in parallel, in blocks, and write in order.
	f, err := os.Create(filepath.Join(dir, "records"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var tree treeBuilder
	const block = 4096
	workers := runtime.GOMAXPROCS(0)
	recs := make([][]byte, block)
	var frame []byte
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		for wk := 0; wk < workers; wk++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo + wk; i < hi; i += workers {
					b, s := body(i)
					rec, err := Sign(b, s)
					if err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
					recs[i-lo] = rec
				}
			}()
		}
		wg.Wait()
		if firstErr != nil {
			return nil, firstErr
		}
		for _, rec := range recs[:hi-lo] {
			frame = AppendFrame(frame[:0], rec)
			if _, err := w.Write(frame); err != nil {
				return nil, err
			}
			tree.add(tlog.RecordHash(rec))
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	trust := &Trust{Origin: SyntheticOrigin, Publishers: []string{pubV}, Quorum: 1}
	if err := writeFileAtomic(filepath.Join(dir, "trust"), trust.Format()); err != nil {
		return nil, err
	}
	cp := &Checkpoint{Origin: SyntheticOrigin, Size: int64(n), Root: tree.root(), Issued: issued.UTC(), Expires: expires.UTC()}
	if err := writeCheckpoint(dir, cp, []Signer{pub}); err != nil {
		return nil, err
	}
	return ParseTrust(trust.Format())
}

// syntheticSource returns the body of the i-th record of the synthetic
// catalogs made from seed, with the key that signs it, and the publisher.
func syntheticSource(seed string) (body func(i int) ([]byte, Signer), pub Signer, pubV string, err error) {
	key := func(name string) (Signer, string, error) { return syntheticKey(seed, name) }
	pub, pubV, err = key("publisher")
	if err != nil {
		return nil, nil, "", err
	}
	const nKeys = 100
	makers := make([]Signer, nKeys)
	makerV := make([]string, nKeys)
	for k := range makers {
		if makers[k], makerV[k], err = key(fmt.Sprintf("maker%03d", k)); err != nil {
			return nil, nil, "", err
		}
	}
	issuer, issuerV, err := key("issuer")
	if err != nil {
		return nil, nil, "", err
	}
	body = func(i int) ([]byte, Signer) {
		switch {
		case i < nKeys:
			return fmt.Appendf(nil, "%s\nkey %s\norg Maker %03d Ltd\nrole manufacturer\nstatus active\nscope gtin 952\n", KindKey, makerV[i], i), pub
		case i == nKeys:
			return fmt.Appendf(nil, "%s\nkey %s\norg Office for Product Security (synthetic)\nrole notice-issuer\nstatus active\nscope notice OPS-SYN-\n", KindKey, issuerV), pub
		case i%1000 == 999:
			return fmt.Appendf(nil, "%s\nid OPS-SYN-%d\nrevision 1\ntype stop\nstatus in-force\nissued 2026-01-01\nissued-by Office for Product Security (synthetic)\nrecipient Maker Ltd | manufacturer\ngtin %s\nfictional yes\n",
				KindNotice, i, SyntheticGTIN(i-1)), issuer
		}
		m := i % nKeys
		year := 2027 + i%8
		return fmt.Appendf(nil, `%s
id syn-%d
version 1
published 2025-%02d-%02d
gtin %s
brand Maker %03d
model Smart Device %d
model-number SD-%07d
category smart-speaker
manufacturer Maker %03d Ltd | Unit %d, Example Business Park, Anytown AB1 2CD | GB
route schedule2-standard
standard ETSI EN 303 645 | V2.1.1 | 2020-06 | 5.1-1 5.1-2 5.2-1 5.3-13
passwords unique-per-product
password-note Each device has its own password, printed on the label underneath.
contact https://maker%03d.example/security
contact mailto:security@maker%03d.example
policy https://maker%03d.example/security/policy
acknowledgement within 5 working days
status-updates every 30 days until resolved
support-until %d-%02d
support-statement Security updates will be provided until at least the end of %d.
support-url https://maker%03d.example/support-period
issued 2025-01-15 | London
signatory Alex Example | Head of Product Security
`, KindDeclaration, i, 1+i%12, 1+i%28, SyntheticGTIN(i), m, i, i, m, i%500, m, m, m, year, 1+i%12, year, m), makers[m]
	}
	return body, pub, pubV, nil
}

// syntheticRecords signs records [lo, hi) of the synthetic catalogs made
// from seed: what WriteSynthetic would write there.
func syntheticRecords(seed string, lo, hi int) ([][]byte, error) {
	body, _, _, err := syntheticSource(seed)
	if err != nil {
		return nil, err
	}
	recs := make([][]byte, 0, hi-lo)
	for i := lo; i < hi; i++ {
		rec, err := Sign(body(i))
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	return recs, nil
}
