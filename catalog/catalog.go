package catalog

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Catalog is an opened, verified catalog: the checkpoint was signed by the
// trusted publishers and the records hash to its root. Records are read
// from the records file when they are looked up; their signatures are
// checked then, once, and the outcome is remembered. A Catalog is safe for
// concurrent use.
type Catalog struct {
	Checkpoint *Checkpoint
	Trust      *Trust

	src    io.ReaderAt
	closer io.Closer

	off   []int64  // where record i's bytes start in the records file
	size  []uint32 // record i's length
	kinds []uint8  // record i's kind, from its first line (not yet trusted)
	decls []gtinRef

	noticesByGTIN map[uint64][]int64
	noticesByID   map[string][]int64

	tree treeBuilder // compact range of the whole log, for appending

	// logOnly: opened to be extended (Sync), not looked up in: the
	// records are framed and hashed, and not classified or indexed.
	logOnly bool

	keys    keyring     // one key per name and hash: the first registered
	keyList []*keyState // in order of first key record

	smallWhy  map[int64]string     // why a key record or withdrawal has no effect
	withdrawn map[int64]withdrawal // withdrawn declarations and notices

	mu    sync.Mutex
	cache map[int64]*entry
}

const (
	kindUnknown uint8 = iota
	kindDecl
	kindNotice
	kindKey
	kindWithdrawal
)

var kindPrefixes = []struct {
	prefix string
	kind   uint8
}{
	{KindDeclaration + "\n", kindDecl},
	{KindNotice + "\n", kindNotice},
	{KindKey + "\n", kindKey},
	{KindWithdrawal + "\n", kindWithdrawal},
}

func kindOf(rec []byte) uint8 {
	for _, k := range kindPrefixes {
		if bytes.HasPrefix(rec, []byte(k.prefix)) {
			return k.kind
		}
	}
	return kindUnknown
}

// gtinRef says that record rec lists gtin (not yet trusted: only a hint
// for which records to read and verify).
type gtinRef struct {
	gtin uint64
	rec  uint32
}

// keyState is what the log says of one signing key, from its verified
// smartcheck-key/1 records.
type keyState struct {
	vkey      string
	verifier  note.Verifier
	org, role string  // from its first active record
	activeAt  int64   // index of its first active record, or -1
	revokedAt int64   // index of its first revoked record, or -1
	grants    []grant // its scopes, each from the key record that gave it
}

// grant is one scope of a key, granted by the key record at index at: it
// covers records logged after that.
type grant struct {
	at    int64
	scope Scope
}

// withdrawal says that a record was withdrawn, by the withdrawal at index
// at.
type withdrawal struct {
	at     int64
	reason string
	date   Date
}

// OpenDir opens the catalog in directory dir: the files checkpoint and
// records. The trust file is given separately: a catalog cannot vouch for
// itself. When last is not nil it is the last checkpoint this till
// accepted, and the catalog must extend it (catalog.md, "Updating a till").
func OpenDir(dir string, trust *Trust, last *Checkpoint) (*Catalog, error) {
	return openDir(dir, trust, last, false)
}

func openDir(dir string, trust *Trust, last *Checkpoint, logOnly bool) (*Catalog, error) {
	cp, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	f, err := os.Open(filepath.Join(dir, "records"))
	if err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read records: %w", err)
	}
	c, err := open(cp, trust, f, st.Size(), last, logOnly)
	if err != nil {
		f.Close()
		return nil, err
	}
	c.closer = f
	return c, nil
}

// OpenBytes opens a catalog held in memory, such as the demo catalog built
// into the binary.
func OpenBytes(checkpoint, records []byte, trust *Trust, last *Checkpoint) (*Catalog, error) {
	return open(checkpoint, trust, bytes.NewReader(records), int64(len(records)), last, false)
}

// Close releases the records file.
func (c *Catalog) Close() error {
	if c.closer != nil {
		return c.closer.Close()
	}
	return nil
}

// Size is the number of records the checkpoint commits to.
func (c *Catalog) Size() int64 { return c.Checkpoint.Size }

func open(cpMsg []byte, trust *Trust, src io.ReaderAt, srcSize int64, last *Checkpoint, logOnly bool) (*Catalog, error) {
	cp, err := openStoredCheckpoint(cpMsg, trust)
	if err != nil {
		return nil, err
	}
	var prefix int64 = -1
	if last != nil {
		if err := checkNotOlder(cp, last); err != nil {
			return nil, err
		}
		prefix = last.Size
	}
	if cp.Size > 1<<31 {
		return nil, fmt.Errorf("checkpoint size %d is more records than this till can hold", cp.Size)
	}
	// A framed record takes at least three bytes: refuse a size the file
	// cannot hold before allocating anything for it.
	if cp.Size > srcSize/3 {
		return nil, securityErrorf("records", "records file of %d bytes cannot hold the %d records the checkpoint commits to: it was truncated", srcSize, cp.Size)
	}
	c := newCatalog(cp, trust, src, logOnly)
	small, root, prefixRoot, err := c.scan(io.NewSectionReader(src, 0, srcSize), srcSize, prefix)
	if err != nil {
		return nil, err
	}
	if root != cp.Root {
		return nil, securityErrorf("root", "records do not match the checkpoint's root hash: the records were altered, reordered or truncated")
	}
	if last != nil && prefixRoot != last.Root {
		return nil, securityErrorf("fork", "catalog history was rewritten: its first %d records differ from the ones this till accepted (issued %s)", last.Size, last.Issued.Format(time.RFC3339))
	}
	if err := c.indexSmall(small); err != nil {
		return nil, err
	}
	return c, nil
}

// newCatalog allocates a catalog of cp.Size records over src, to be
// filled by scan and indexSmall.
func newCatalog(cp *Checkpoint, trust *Trust, src io.ReaderAt, logOnly bool) *Catalog {
	return &Catalog{
		Checkpoint:    cp,
		Trust:         trust,
		src:           src,
		off:           make([]int64, cp.Size),
		size:          make([]uint32, cp.Size),
		kinds:         make([]uint8, cp.Size),
		noticesByGTIN: make(map[uint64][]int64),
		noticesByID:   make(map[string][]int64),
		keys:          make(keyring),
		smallWhy:      make(map[int64]string),
		withdrawn:     make(map[int64]withdrawal),
		cache:         make(map[int64]*entry),
		logOnly:       logOnly,
	}
}

// smallRecord is a notice or key record kept from the scan: there are few
// of them, and every lookup needs them.
type smallRecord struct {
	index int64
	data  []byte
}

// scan reads the first Size records: it frames them, hashes them (on every
// core), notes each record's kind and the GTINs declarations list, and
// returns the root of the tree, the root of its first prefix records
// (when prefix ≥ 0), and the notice and key records.
//
// It is a pipeline of three stages over a few large buffers, so that
// reading, hashing and folding the tree overlap: a reader frames records
// into buffers; every core hashes and classifies the records of a buffer;
// a folder adds their hashes to the tree in log order.
func (c *Catalog) scan(r io.Reader, size, prefix int64) (small []smallRecord, root, prefixRoot tlog.Hash, err error) {
	if prefix == 0 {
		prefixRoot = new(treeBuilder).root()
	}
	n := c.Checkpoint.Size
	workers := runtime.GOMAXPROCS(0)
	refs := make([][]gtinRef, workers)
	for w := range refs {
		if !c.logOnly {
			refs[w] = make([]gtinRef, 0, n/int64(workers)+16)
		}
	}

	// A buffer holds a chunk and one more whole record; a small catalog
	// needs no more than its own size.
	bufSize := int(min(chunkSize, size)) + MaxRecordSize + 16
	free := make(chan *chunk, 4)
	for range cap(free) {
		free <- &chunk{buf: make([]byte, bufSize)}
	}
	framed := make(chan *chunk)
	readErr := make(chan error, 1)
	go func() {
		defer close(framed)
		readErr <- c.frame(r, free, framed)
	}()

	// Every core hashes pieces of chunks as they come: a worker never
	// waits for another to finish its share of a chunk.
	type piece struct {
		ch     *chunk
		lo, hi int64
	}
	work := make(chan piece, 64)
	var workersDone sync.WaitGroup
	for w := range workers {
		workersDone.Add(1)
		go func() {
			defer workersDone.Done()
			h := sha256.New()
			for p := range work {
				ch := p.ch
				for j := p.lo; j < p.hi; j++ {
					b := c.off[j] - ch.base
					rec := ch.buf[b : b+int64(c.size[j])]
					// tlog.RecordHash, without its allocation per record.
					h.Reset()
					h.Write(zeroPrefix)
					h.Write(rec)
					h.Sum(ch.hashes[j-ch.start][:0])
					if c.logOnly {
						continue
					}
					k := kindOf(rec)
					c.kinds[j] = k
					if k == kindDecl {
						refs[w] = appendGTINs(refs[w], rec, uint32(j))
					}
				}
				ch.pending.Done()
			}
		}()
	}

	// The folder adds hashes to the tree in log order, chunk by chunk.
	ordered := make(chan *chunk, cap(free))
	var tree treeBuilder
	folded := make(chan struct{})
	go func() {
		defer close(folded)
		for ch := range ordered {
			ch.pending.Wait()
			for j := ch.start; j < ch.end; j++ {
				tree.add(ch.hashes[j-ch.start])
				if j+1 == prefix {
					prefixRoot = tree.root()
				}
				if k := c.kinds[j]; k == kindNotice || k == kindKey || k == kindWithdrawal {
					b := c.off[j] - ch.base
					small = append(small, smallRecord{j, bytes.Clone(ch.buf[b : b+int64(c.size[j])])})
				}
			}
			free <- ch
		}
	}()

	const pieceSize = 256
	for ch := range framed {
		ch.hashes = slices.Grow(ch.hashes[:0], int(ch.end-ch.start))[:ch.end-ch.start]
		ch.pending.Add(int((ch.end - ch.start + pieceSize - 1) / pieceSize))
		ordered <- ch
		for lo := ch.start; lo < ch.end; lo += pieceSize {
			work <- piece{ch, lo, min(lo+pieceSize, ch.end)}
		}
	}
	close(work)
	close(ordered)
	workersDone.Wait()
	<-folded
	if err := <-readErr; err != nil {
		return nil, root, prefixRoot, err
	}
	c.tree = tree
	if c.logOnly {
		return nil, tree.root(), prefixRoot, nil
	}
	total := 0
	for _, r := range refs {
		total += len(r)
	}
	c.decls = make([]gtinRef, 0, total)
	for _, r := range refs {
		c.decls = append(c.decls, r...)
	}
	slices.SortFunc(c.decls, cmpRef)
	c.tree = tree
	return small, tree.root(), prefixRoot, nil
}

// cmpRef orders the GTIN index: by GTIN, then by record.
func cmpRef(a, b gtinRef) int {
	if a.gtin != b.gtin {
		if a.gtin < b.gtin {
			return -1
		}
		return 1
	}
	return int(a.rec) - int(b.rec)
}

// checkNotOlder refuses a checkpoint older than the last one accepted
// (catalog.md, "Updating a till", checks 2): a rollback or freeze attack.
func checkNotOlder(cp, last *Checkpoint) error {
	if cp.Size < last.Size {
		return securityErrorf("rollback", "catalog was rolled back: its checkpoint commits to %d records, but this till already accepted %d", cp.Size, last.Size)
	}
	if cp.Issued.Before(last.Issued) {
		return securityErrorf("rollback", "catalog was rolled back: its checkpoint was issued %s, before the one this till already accepted (%s)", cp.Issued.Format(time.RFC3339), last.Issued.Format(time.RFC3339))
	}
	return nil
}

const chunkSize = 8 << 20

// A chunk is a buffer of whole records [start, end), read from file
// offset base, on its way through scan's pipeline.
type chunk struct {
	buf        []byte
	base       int64
	start, end int64
	hashes     []tlog.Hash
	pending    sync.WaitGroup // pieces not yet hashed
}

// frame reads the records file into chunks of whole records and sends
// them on; a record cut by the end of a buffer starts the next one.
func (c *Catalog) frame(r io.Reader, free <-chan *chunk, out chan<- *chunk) error {
	n := c.Checkpoint.Size
	ch := <-free
	have := 0      // bytes in ch.buf
	var base int64 // file offset of ch.buf[0]
	var i int64    // next record
	eof := false
	for i < n {
		if !eof && have < len(ch.buf) {
			m, err := io.ReadFull(r, ch.buf[have:])
			have += m
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				eof = true
			} else if err != nil {
				return fmt.Errorf("read records: %w", err)
			}
		}
		start := i
		p := 0
		for i < n {
			length, hn, msg := parseFrameHeader(ch.buf[p:have])
			if msg != "" {
				return securityErrorf("records", "%v", &FrameError{i, base + int64(p), msg})
			}
			if hn == 0 || p+hn+length > have {
				break
			}
			c.off[i] = base + int64(p+hn)
			c.size[i] = uint32(length)
			p += hn + length
			i++
		}
		if i == start {
			if eof {
				return securityErrorf("records", "records file holds %d records, the checkpoint says %d: it was truncated", i, n)
			}
			continue // cannot happen: a buffer holds at least one whole record
		}
		// The partial frame at the end starts the next buffer.
		next := <-free
		copy(next.buf, ch.buf[p:have])
		ch.base, ch.start, ch.end = base, start, i
		out <- ch
		ch = next
		have -= p
		base += int64(p)
	}
	return nil
}

var (
	gtinKeyword = []byte("gtin ")
	zeroPrefix  = []byte{0}
)

// appendGTINs finds the `gtin` lines of a record's body. It is a hint for
// the index only: the record is parsed and verified before it is used.
func appendGTINs(refs []gtinRef, rec []byte, i uint32) []gtinRef {
	body := rec[:noteBodyEnd(rec)]
	for {
		// Look for "gtin " rather than "\ngtin ": 'g' is rarer than LF,
		// so the search skips more at a time.
		j := bytes.Index(body, gtinKeyword)
		if j < 0 {
			return refs
		}
		line := j > 0 && body[j-1] == '\n'
		body = body[j+len(gtinKeyword):]
		if line && len(body) >= 15 && body[14] == '\n' {
			if g, ok := gtinKey(string(body[:14])); ok {
				refs = append(refs, gtinRef{g, i})
			}
		}
	}
}

// noteBodyEnd returns the length of a signed note's body, up to and
// including the LF before the blank line that starts the signatures (as
// SplitNote does), or len(note) if there is none. Signature blocks are
// short, so it looks from the end.
func noteBodyEnd(note []byte) int {
	for j := len(note) - 2; j >= 0; j-- {
		if note[j] == '\n' && note[j+1] == '\n' {
			return j + 1
		}
	}
	return len(note)
}

// indexSmall reads the key, notice and withdrawal records: keys in log
// order, so that each key's registration, scopes and revocation have a
// place in the log; notices by GTIN and by id; then withdrawals, which
// need the records before them. Key records and withdrawals count only
// when the publisher quorum signed them; what does not count is noted in
// c.smallWhy for Verify.
func (c *Catalog) indexSmall(small []smallRecord) error {
	byVKey := make(map[string]*keyState)
	var withdrawals []smallRecord
	for _, s := range small {
		switch c.kinds[s.index] {
		case kindKey:
			c.indexKey(s, byVKey)
		case kindNotice:
			body, ok := SplitNote(s.data)
			if !ok {
				continue
			}
			r, err := ParseRecord(body)
			if err != nil {
				continue
			}
			for _, g := range r.Notice.GTINs {
				k, _ := gtinKey(g)
				c.noticesByGTIN[k] = append(c.noticesByGTIN[k], s.index)
			}
			c.noticesByID[r.Notice.ID] = append(c.noticesByID[r.Notice.ID], s.index)
		case kindWithdrawal:
			withdrawals = append(withdrawals, s)
		}
	}
	for _, s := range withdrawals {
		c.indexWithdrawal(s)
	}
	return nil
}

// indexKey applies one key record (catalog.md, "smartcheck-key/1"): the
// first active record registers the key with its org, role and scopes;
// later active ones (of the same org and role) add scopes; the first
// revoked record ends it.
func (c *Catalog) indexKey(s smallRecord, byVKey map[string]*keyState) {
	k, err := c.openPublisherRecord(s.data, s.index)
	if err != nil {
		c.smallWhy[s.index] = err.Error()
		return // it registers nothing
	}
	if k.Key == nil {
		c.smallWhy[s.index] = "not a key record"
		return
	}
	kr := k.Key
	ks := byVKey[kr.Key]
	if ks == nil {
		v, _ := newVerifier(kr.Key) // checked by the parser
		nh := nameHash{v.Name(), v.KeyHash()}
		if len(c.keys[nh]) > 0 {
			// Another key already holds this name and hash: the first
			// keeps it, so that no later record can change how earlier
			// ones verify. This one registers nothing.
			c.smallWhy[s.index] = "its key has the name and key hash of a key registered earlier, which keeps them"
			return
		}
		ks = &keyState{vkey: kr.Key, verifier: v, activeAt: -1, revokedAt: -1}
		byVKey[kr.Key] = ks
		c.keyList = append(c.keyList, ks)
		c.keys[nh] = []*keyState{ks}
	}
	switch {
	case kr.Status == "revoked":
		if ks.revokedAt < 0 {
			ks.revokedAt = s.index
		}
	case ks.revokedAt >= 0:
		c.smallWhy[s.index] = "the key was revoked earlier in the log: a revoked key stays revoked (register a new key)"
	case ks.activeAt < 0:
		ks.activeAt, ks.org, ks.role = s.index, kr.Org, kr.Role
		for _, sc := range kr.Scopes {
			ks.grants = append(ks.grants, grant{s.index, sc})
		}
	case kr.Org != ks.org || kr.Role != ks.role:
		c.smallWhy[s.index] = fmt.Sprintf("it gives the key org %q and role %s, but the key was registered to %q as %s: it grants nothing (a key's org and role come from its first active record)",
			clip(kr.Org), kr.Role, clip(ks.org), ks.role)
	default:
		for _, sc := range kr.Scopes {
			ks.grants = append(ks.grants, grant{s.index, sc})
		}
	}
}

// indexWithdrawal applies one withdrawal (catalog.md,
// "smartcheck-withdrawal/1"): only of a declaration or notice logged
// before it, and only when the hash matches; the first that withdraws a
// record counts.
func (c *Catalog) indexWithdrawal(s smallRecord) {
	r, err := c.openPublisherRecord(s.data, s.index)
	if err != nil {
		c.smallWhy[s.index] = err.Error()
		return
	}
	w := r.Withdrawal
	if w == nil {
		c.smallWhy[s.index] = "not a withdrawal"
		return
	}
	switch {
	case w.Record >= s.index:
		c.smallWhy[s.index] = fmt.Sprintf("it withdraws record %d, which is not logged before it: it has no effect", w.Record)
		return
	case c.kinds[w.Record] != kindDecl && c.kinds[w.Record] != kindNotice:
		c.smallWhy[s.index] = fmt.Sprintf("record %d is not a declaration or a notice, and only those can be withdrawn: it has no effect", w.Record)
		return
	}
	data, err := c.Record(w.Record)
	if err != nil {
		c.smallWhy[s.index] = err.Error()
		return
	}
	if tlog.RecordHash(data) != w.Hash {
		c.smallWhy[s.index] = fmt.Sprintf("its hash does not match record %d: it has no effect", w.Record)
		return
	}
	if prev, ok := c.withdrawn[w.Record]; ok {
		c.smallWhy[s.index] = fmt.Sprintf("record %d was already withdrawn by record %d", w.Record, prev.at)
		return
	}
	c.withdrawn[w.Record] = withdrawal{at: s.index, reason: w.Reason, date: w.Withdrawn}
}

// openPublisherRecord verifies a key record or a withdrawal against the
// publisher quorum in force at its place in the log (Trust.Era: a
// rotation leaves earlier records valid), then parses it.
func (c *Catalog) openPublisherRecord(data []byte, index int64) (*Record, error) {
	what := "key record"
	if c.kinds[index] == kindWithdrawal {
		what = "withdrawal"
	}
	t := c.Trust.Era(index)
	quorum := "the publisher quorum"
	if c.Trust.Prev != nil {
		quorum = fmt.Sprintf("the publisher quorum of trust version %d, in force at record %d", t.Version, index)
	}
	n, err := note.Open(data, t.verifiers)
	if err != nil {
		return nil, fmt.Errorf("%s not signed by %s: %w", what, quorum, err)
	}
	if len(n.Sigs) < t.Quorum {
		return nil, fmt.Errorf("%s not signed by %s: %d of %d publisher signatures", what, quorum, len(n.Sigs), t.Quorum)
	}
	r, err := ParseRecord([]byte(n.Text))
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Record returns the bytes of record i.
func (c *Catalog) Record(i int64) ([]byte, error) {
	if i < 0 || i >= c.Checkpoint.Size {
		return nil, fmt.Errorf("record %d: out of range", i)
	}
	b := make([]byte, c.size[i])
	if _, err := c.src.ReadAt(b, c.off[i]); err != nil {
		return nil, fmt.Errorf("read record %d: %w", i, err)
	}
	return b, nil
}

// declarationsFor returns the indexes of records whose bodies list gtin
// as a declaration, in log order.
func (c *Catalog) declarationsFor(gtin string) []int64 {
	g, ok := gtinKey(gtin)
	if !ok {
		return nil
	}
	lo, _ := slices.BinarySearchFunc(c.decls, g, func(r gtinRef, g uint64) int {
		switch {
		case r.gtin < g:
			return -1
		case r.gtin > g:
			return 1
		}
		return 0
	})
	var out []int64
	for j := lo; j < len(c.decls) && c.decls[j].gtin == g; j++ {
		if n := len(out); n == 0 || out[n-1] != int64(c.decls[j].rec) {
			out = append(out, int64(c.decls[j].rec))
		}
	}
	return out
}
