package catalog

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// SigStatus is the outcome of checking a record's note signatures against
// the keys the log registers (catalog.md, "smartcheck-key/1"). Whether a
// verified signer may sign the record, there and for what, is decided
// afterwards (trust.go).
type SigStatus uint8

const (
	SigValid         SigStatus = iota // every signature by a known key verifies, and there is at least one
	SigInvalid                        // a signature by a known key does not verify, or the note is malformed
	SigUnknownSigner                  // no signature by a key the log registers (R4b)
)

// SignerInfo says who signed a record.
type SignerInfo struct {
	Name string `json:"name"` // the key name in the note
	Key  string `json:"key"`  // the full verifier key
	Org  string `json:"org"`
	Role string `json:"role"`
}

// entry is one record read from the log, parsed and its signatures
// checked, cached so that each record's signatures are checked once.
type entry struct {
	index  int64
	rec    *Record // parsed body; never used unless a trust decision allows it
	err    error   // why the record does not parse (never used then)
	status SigStatus
	why    string      // for SigInvalid and SigUnknownSigner
	keys   []*keyState // the registered keys whose signatures verified
	names  []string    // the key names in the signature lines, for reports
}

// maxCached bounds the records remembered verified. A long-running
// process (smartcheck serve) that is asked, over days, for every product
// of a catalog of a million records would otherwise keep them all (about
// 2 KB each, parsed: 2 GB); past the bound (about 32 MB) a record chosen
// at random is forgotten, and verified again if it is asked for again.
const maxCached = 1 << 14

// entry returns record i, parsed and its signatures checked; the outcome
// is remembered (up to maxCached records).
func (c *Catalog) entry(i int64) *entry {
	c.mu.Lock()
	e := c.cache[i]
	c.mu.Unlock()
	if e != nil {
		return e
	}
	e = c.load(i)
	c.mu.Lock()
	if prev := c.cache[i]; prev != nil {
		e = prev
	} else {
		if len(c.cache) >= maxCached {
			for k := range c.cache { // map order is random: a random victim
				delete(c.cache, k)
				break
			}
		}
		c.cache[i] = e
	}
	c.mu.Unlock()
	return e
}

func (c *Catalog) load(i int64) *entry {
	e := &entry{index: i}
	data, err := c.Record(i)
	if err != nil {
		e.err, e.status, e.why = err, SigInvalid, err.Error()
		return e
	}
	body, ok := SplitNote(data)
	if !ok {
		e.err = errors.New("not a signed note")
		e.status, e.why = SigInvalid, "record is not a signed note"
		return e
	}
	e.rec, e.err = ParseRecord(body)
	if e.err != nil {
		e.rec = nil
	}
	c.checkSignature(e, data)
	return e
}

// checkSignature verifies the record's note signatures. Key records and
// withdrawals need the publisher quorum (indexSmall applied them);
// declarations and notices need at least one signature by a key the log
// registers, and every such signature must verify.
func (c *Catalog) checkSignature(e *entry, data []byte) {
	switch c.kinds[e.index] {
	case kindKey, kindWithdrawal:
		if _, err := c.openPublisherRecord(data, e.index); err != nil {
			e.status, e.why = SigInvalid, err.Error()
			return
		}
		if why := c.smallWhy[e.index]; why != "" {
			e.status, e.why = SigInvalid, why
			return
		}
		e.status = SigValid
		return
	}
	n, err := note.Open(data, c.keys)
	var inv *note.InvalidSignatureError
	var unv *note.UnverifiedNoteError
	switch {
	case errors.As(err, &inv):
		e.names = []string{inv.Name}
		e.status, e.why = SigInvalid, fmt.Sprintf("the signature by key %s does not verify: the record was altered after signing", inv.Name)
		return
	case errors.As(err, &unv):
		for _, s := range unv.Note.UnverifiedSigs {
			e.names = append(e.names, s.Name)
		}
		e.status, e.why = SigUnknownSigner, fmt.Sprintf("signed only by keys the catalog does not register (%s)", clip(strings.Join(e.names, ", ")))
		return
	case err != nil:
		e.status, e.why = SigInvalid, fmt.Sprintf("not a well-formed signed note: %v", err)
		return
	}
	for _, s := range n.Sigs {
		e.names = append(e.names, s.Name)
		e.keys = append(e.keys, c.keys[nameHash{s.Name, s.Hash}]...)
	}
	e.status = SigValid
}
