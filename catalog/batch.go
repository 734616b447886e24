package catalog

import (
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Bulk writing: catalog import turns a spreadsheet into thousands of
// declarations, signs them and appends them in one process and one
// checkpoint. Checking a record a writer has just made and signed itself
// as Admit checks a record from elsewhere would parse it twice more and
// verify a signature it knows to be good: at 100,000 rows that is most of
// the work. A Maker parses each body once, signs it, and keeps the parsed
// body and the signer's verifier key with the record (a Made), which
// AdmitMade trusts because nothing outside this package can build one.

// A Maker signs record bodies with one signer key.
type Maker struct {
	signer Signer
	vkey   string
}

// NewMaker reads a signer key, as written by GenerateKey.
func NewMaker(skey string) (*Maker, error) {
	s, err := NewSigner(skey)
	if err != nil {
		return nil, err
	}
	v, err := VerifierKey(skey)
	if err != nil {
		return nil, err
	}
	return &Maker{s, v}, nil
}

// VerifierKey is the verifier key of the maker's signatures.
func (m *Maker) VerifierKey() string { return m.vkey }

// Made is a record a Maker parsed and signed.
type Made struct {
	Data []byte  // the signed note
	Rec  *Record // its body, parsed
	vkey string  // who signed it: the only signature
}

// Make parses body strictly (ParseRecord: a *SyntaxError names the line)
// and signs it. A record that would be longer than MaxRecordSize with its
// signature is refused. Make is safe for concurrent use.
func (m *Maker) Make(body []byte) (Made, error) {
	r, err := ParseRecord(body)
	if err != nil {
		return Made{}, err
	}
	data, err := Sign(body, m.signer)
	if err != nil {
		return Made{}, err
	}
	if len(data) > MaxRecordSize {
		return Made{}, &SyntaxError{Msg: fmt.Sprintf("the signed record would be %d bytes, and a catalog record is at most %d", len(data), MaxRecordSize)}
	}
	return Made{Data: data, Rec: r, vkey: m.vkey}, nil
}

// A Batch is records admitted after a catalog (AdmitBatch, AdmitMade):
// every one would be trusted by tills, none is there already. It holds the
// catalog the records make, not yet signed, for judging what they would
// change (a dry run), and is written by AppendBatch.
type Batch struct {
	base    *Catalog // nil for a new catalog
	records [][]byte
	after   *Catalog
}

// AdmitMade checks made records as Admit checks records, after the
// catalog c (nil for a new one under trust), without parsing or verifying
// them again: their signer is looked up in the log's keys.
func AdmitMade(c *Catalog, trust *Trust, made []Made) (*Batch, error) {
	records := make([][]byte, len(made))
	for n, m := range made {
		if m.Rec == nil || m.vkey == "" {
			return nil, fmt.Errorf("record %d was not made by a Maker", n+1)
		}
		records[n] = m.Data
	}
	return admit(c, trust, records, made)
}

// signedBy sets the signature outcome of a made entry as checkSignature
// would find it: the maker's key is the note's one signer, and its
// signature verifies with the key the log registers under its name and
// hash only if that is the maker's key.
func (c *Catalog) signedBy(e *entry, vkey string) {
	v, err := newVerifier(vkey)
	if err != nil {
		e.status, e.why = SigInvalid, err.Error()
		return
	}
	e.names = []string{v.Name()}
	ks := c.keys[nameHash{v.Name(), v.KeyHash()}]
	switch {
	case len(ks) == 0:
		e.status, e.why = SigUnknownSigner, fmt.Sprintf("signed only by keys the catalog does not register (%s)", clip(v.Name()))
	case ks[0].vkey != vkey:
		e.status, e.why = SigInvalid, fmt.Sprintf("the signature by key %s does not verify: the record was altered after signing", v.Name())
	default:
		e.status, e.keys = SigValid, ks
	}
}

// Catalog is the catalog with the batch appended, as tills would read
// it; its checkpoint is not signed. Judge it; do not publish it.
func (b *Batch) Catalog() *Catalog { return b.after }

// Len is the number of records in the batch.
func (b *Batch) Len() int { return len(b.records) }

// Touched lists, in order, the GTINs whose verdicts the batch can change:
// those its declarations and notices list, and those of the records its
// withdrawals withdraw. (Key records in a batch count only for records
// after them, which are in the batch.)
func (b *Batch) Touched() []string {
	x := b.after
	var old int64
	if b.base != nil {
		old = b.base.Size()
	}
	set := make(map[string]bool)
	add := func(r *Record) {
		switch {
		case r == nil:
		case r.Declaration != nil:
			for _, g := range r.Declaration.GTINs {
				set[g] = true
			}
		case r.Notice != nil:
			for _, g := range r.Notice.GTINs {
				set[g] = true
			}
		}
	}
	for i := old; i < x.Size(); i++ {
		e := x.entry(i)
		add(e.rec)
		if e.rec != nil && e.rec.Withdrawal != nil && e.rec.Withdrawal.Record < x.Size() {
			add(x.entry(e.rec.Withdrawal.Record).rec)
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// prepare returns the checkpoint, not yet signed, of the catalog with the
// batch appended, and the records framed as they will follow the
// committed ones.
func (b *Batch) prepare(now time.Time, valid time.Duration) (*Checkpoint, []byte) {
	c := b.base
	var data []byte
	tree := c.tree.clone()
	for _, rec := range b.records {
		data = AppendFrame(data, rec)
		tree.add(tlog.RecordHash(rec))
	}
	issued := now.UTC().Truncate(time.Second)
	if issued.Before(c.Checkpoint.Issued) {
		issued = c.Checkpoint.Issued // a checkpoint is never issued before the last
	}
	cp := &Checkpoint{Origin: c.Checkpoint.Origin, Size: c.Size() + int64(len(b.records)), Root: tree.root(), Issued: issued, Expires: issued.Add(valid)}
	return cp, data
}

// AppendBatch appends an admitted batch to the catalog it was admitted
// after, which was opened from dir under LockDir(dir), and signs one new
// checkpoint, as Append does.
func AppendBatch(dir string, b *Batch, publishers []Signer, now time.Time, valid time.Duration) (*Checkpoint, error) {
	c := b.base
	if c == nil {
		return nil, fmt.Errorf("the batch was admitted for a new catalog: use Build")
	}
	if err := CheckPublishers(c.Trust, publishers); err != nil {
		return nil, err
	}
	cp, data := b.prepare(now, valid)
	msg, err := signVerified(cp, c.Trust, publishers)
	if err != nil {
		return nil, err
	}
	return cp, installAppend(dir, c, data, msg, cp.Root)
}

// GTINs calls yield with every GTIN the catalog's records list (as
// declarations or notices, trusted or not), in order, each once.
func (c *Catalog) GTINs(yield func(gtin string) bool) {
	notices := make([]uint64, 0, len(c.noticesByGTIN))
	for g := range c.noticesByGTIN {
		notices = append(notices, g)
	}
	slices.Sort(notices)
	var last uint64
	first := true
	emit := func(g uint64) bool {
		if !first && g == last {
			return true
		}
		first, last = false, g
		return yield(fmt.Sprintf("%014d", g))
	}
	d, n := 0, 0
	for d < len(c.decls) || n < len(notices) {
		var g uint64
		if n == len(notices) || d < len(c.decls) && c.decls[d].gtin <= notices[n] {
			g = c.decls[d].gtin
			d++
		} else {
			g = notices[n]
			n++
		}
		if !emit(g) {
			return
		}
	}
}

// Lookup judges q without keeping what it read in the lookup cache: for
// walking a whole catalog (catalog export) in bounded memory. Records are
// parsed and verified again on every call.
func (c *Catalog) Lookup(q Query) *Result {
	return Judge(c.evidence(q.GTIN, c.load), q)
}

// DeclarationKey says whether key is a key of smartcheck-declaration/1
// (catalog.md), and whether it is required in every declaration and may
// repeat. Keys required only for some categories or routes are not
// required here: ParseRecord says when they are missing.
func DeclarationKey(key string) (known, required, repeatable bool) {
	spec, ok := declSchema[key]
	return ok, spec.required, spec.repeat
}

// DeclarationKeys lists the keys of smartcheck-declaration/1 in the order
// of catalog.md's table.
func DeclarationKeys() []string { return slices.Clone(declKeyOrder) }

var declKeyOrder = words("id version published gtin brand model model-number category cellular under-14 medical-software smart-meter-assured batch manufacturer authorised-rep route standard label passwords password-note contact policy acknowledgement status-updates support-until support-relative support-statement support-url first-supplied issued signatory source")
