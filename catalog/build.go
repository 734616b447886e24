package catalog

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// CheckSigned checks what catalog build and append require of a record
// before it goes into a log: a signed note, at most MaxRecordSize bytes,
// whose body parses. Its signatures are judged when it is used (and by
// Verify): the builder need not know every manufacturer's key.
func CheckSigned(rec []byte) error {
	if len(rec) == 0 || len(rec) > MaxRecordSize {
		return fmt.Errorf("record is %d bytes; want 1 to %d", len(rec), MaxRecordSize)
	}
	body, ok := SplitNote(rec)
	if !ok || len(body) == len(rec)-1 {
		return errors.New("not a signed note (no signature block after a blank line)")
	}
	if _, err := ParseRecord(body); err != nil {
		return err
	}
	return nil
}

// Build writes a new catalog into dir, which must not hold one yet: the
// records in the order given, a checkpoint signed by every publisher
// signer, and a trust file for those publishers (quorum: all of them).
func Build(dir, origin string, records [][]byte, publishers []Signer, vkeys []string, now time.Time, valid time.Duration) (*Checkpoint, error) {
	if len(publishers) == 0 {
		return nil, errors.New("no publisher key")
	}
	if _, err := os.Stat(filepath.Join(dir, "checkpoint")); err == nil {
		return nil, fmt.Errorf("%s already holds a catalog: use catalog append", dir)
	}
	data, root, err := Assemble(records)
	if err != nil {
		return nil, err
	}
	trust, err := ParseTrust((&Trust{Origin: origin, Publishers: vkeys, Quorum: len(vkeys)}).Format())
	if err != nil {
		return nil, err
	}
	if err := Admit(nil, trust, records); err != nil {
		return nil, err
	}
	cp := &Checkpoint{Origin: origin, Size: int64(len(records)), Root: root, Issued: now.UTC().Truncate(time.Second)}
	cp.Expires = cp.Issued.Add(valid)
	msg, err := signVerified(cp, trust, publishers)
	if err != nil {
		return nil, err
	}
	// Everything is checked: now take the directory, under its lock.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := LockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, "checkpoint")); err == nil {
		return nil, fmt.Errorf("%s already holds a catalog: use catalog append", dir)
	}
	if err := writeFileAtomic(filepath.Join(dir, "records"), data); err != nil {
		return nil, err
	}
	if err := writeTilesFrom(dir, bytes.NewReader(data), cp.Size, root); err != nil {
		return nil, fmt.Errorf("write tiles: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "trust"), trust.Format()); err != nil {
		return nil, err
	}
	return cp, writeFileAtomic(filepath.Join(dir, "checkpoint"), msg)
}

// LockDir takes the exclusive lock on a catalog directory that every
// writer holds — build, append, import, withdraw, refresh, publish and
// sync — so that two of them never write one catalog at once (two appends
// at once would lose a batch). It waits up to a minute for another
// writer; the lock goes with the process, however it ends.
func LockDir(dir string) (unlock func(), err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return lockDir(ctx, dir)
}

// signVerified signs the checkpoint and checks the result as a till
// would, against the trust: a checkpoint that tills would refuse is never
// written.
func signVerified(cp *Checkpoint, trust *Trust, publishers []Signer) ([]byte, error) {
	msg, err := SignCheckpoint(cp, publishers...)
	if err != nil {
		return nil, err
	}
	if _, err := OpenCheckpoint(msg, trust); err != nil {
		return nil, fmt.Errorf("the new checkpoint would not be accepted by tills, nothing written: %w", err)
	}
	return msg, nil
}

// Append adds records to the catalog c, which was opened from dir, and
// signs a new checkpoint. Records first go after the last committed one
// (bytes past it are not committed: a crashed append may have left some),
// and are synced to disk; the new checkpoint then replaces the old one in
// one rename. A reader sees the old catalog or the new, never a mix.
//
// It refuses, before writing anything, records that tills would not
// trust (Admit), publisher keys that would not make a checkpoint the
// catalog's trust accepts, and a checkpoint that does not verify against
// it: a slip must not break every till. The caller holds LockDir(dir) and
// opened c under it.
func Append(dir string, c *Catalog, records [][]byte, publishers []Signer, now time.Time, valid time.Duration) (*Checkpoint, error) {
	if err := CheckPublishers(c.Trust, publishers); err != nil {
		return nil, err
	}
	b, err := AdmitBatch(c, c.Trust, records)
	if err != nil {
		return nil, err
	}
	return AppendBatch(dir, b, publishers, now, valid)
}

// AppendDir is Append under the catalog's lock: it opens the catalog in
// dir against trust (refusing one that does not verify: appending to a
// tampered log would sign the tampering), appends and closes it.
func AppendDir(dir string, trust *Trust, records [][]byte, publishers []Signer, now time.Time, valid time.Duration) (*Checkpoint, error) {
	unlock, err := LockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := OpenDir(dir, trust, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return Append(dir, c, records, publishers, now, valid)
}

// PrepareAppend checks records as Append does (Admit) and returns the
// checkpoint, not yet signed, of the catalog with them appended, and the
// records framed as they will follow the committed ones.
func PrepareAppend(c *Catalog, records [][]byte, now time.Time, valid time.Duration) (*Checkpoint, []byte, error) {
	b, err := AdmitBatch(c, c.Trust, records)
	if err != nil {
		return nil, nil, err
	}
	cp, data := b.prepare(now, valid)
	return cp, data, nil
}

// installAppend writes framed records after the committed ones of c, the
// hash tiles that change (for a tree with root), and then the signed
// checkpoint msg in one rename.
func installAppend(dir string, c *Catalog, data, msg []byte, root tlog.Hash) error {
	n := c.Checkpoint.Size
	var end int64
	if n > 0 {
		end = c.off[n-1] + int64(c.size[n-1])
	}
	f, err := os.OpenFile(filepath.Join(dir, "records"), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(end); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if _, err := f.WriteAt(data, end); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if err := appendTiles(dir, n, data, root); err != nil {
		return fmt.Errorf("append: write tiles: %w", err)
	}
	return writeFileAtomic(filepath.Join(dir, "checkpoint"), msg)
}

// CheckPublishers refuses signers that are not publisher keys of trust,
// or too few of them for its quorum.
func CheckPublishers(trust *Trust, publishers []Signer) error {
	var ok int
	for _, s := range publishers {
		if _, err := trust.verifiers.Verifier(s.Name(), s.KeyHash()); err != nil {
			return fmt.Errorf("key %s is not a publisher key of the trust file for %s: tills would refuse a checkpoint it signs", s.Name(), trust.Origin)
		}
		ok++
	}
	if ok < trust.Quorum {
		return fmt.Errorf("%d publisher keys given, and the trust file for %s needs a quorum of %d", ok, trust.Origin, trust.Quorum)
	}
	return nil
}

// Assemble checks records as CheckSigned does and frames them as a records
// file; it returns the file and the tree hash of the records.
func Assemble(records [][]byte) ([]byte, tlog.Hash, error) {
	var data []byte
	var tree treeBuilder
	for i, rec := range records {
		if err := CheckSigned(rec); err != nil {
			return nil, tlog.Hash{}, fmt.Errorf("record %d: %w", i+1, err)
		}
		data = AppendFrame(data, rec)
		tree.add(tlog.RecordHash(rec))
	}
	return data, tree.root(), nil
}

// SignCheckpoint signs the checkpoint's body and sets cp.Raw.
func SignCheckpoint(cp *Checkpoint, publishers ...Signer) ([]byte, error) {
	msg, err := Sign(cp.FormatBody(), publishers...)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	cp.Raw = msg
	return msg, nil
}

func writeCheckpoint(dir string, cp *Checkpoint, publishers []Signer) error {
	msg, err := SignCheckpoint(cp, publishers...)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "checkpoint"), msg)
}

// writeFileAtomic writes a file so that a reader, or a crash, sees the old
// contents or the new, never a part: a temporary file, synced, renamed
// over the old, and the directory synced.
func writeFileAtomic(name string, data []byte) error {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Problem is something Verify found wrong with one record.
type Problem struct {
	Index int64 // place in the log
	Msg   string
}

func (p Problem) String() string { return fmt.Sprintf("record %d: %s", p.Index, p.Msg) }

// Verify checks every record (catalog verify): that it parses, that its
// signatures verify, and that its signer may sign it at its place in the
// log — for each GTIN a declaration lists, for a notice's id and org —
// and that key records and withdrawals take effect. The checkpoint and
// root were checked when the catalog was opened. It checks on every core
// and does not fill the lookup cache.
func (c *Catalog) Verify() []Problem {
	n := c.Checkpoint.Size
	workers := int64(runtime.GOMAXPROCS(0))
	found := make([][]Problem, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if msg := c.recordProblem(c.load(i)); msg != "" {
					found[w] = append(found[w], Problem{i, msg})
				}
			}
		}()
	}
	wg.Wait()
	var all []Problem
	for _, f := range found {
		all = append(all, f...)
	}
	// Notice revisions from another org than the notice's first: a
	// question about the notice's records together.
	for id := range c.noticesByID {
		for _, nr := range c.noticeRecords(id, c.load) {
			if nr.foreign != "" {
				all = append(all, Problem{nr.e.index, fmt.Sprintf("notice %s (ignored): %s", recordName(nr.e.rec), nr.foreign)})
			}
		}
	}
	sortProblems(all)
	return all
}

// recordProblem says what is wrong with one record, or "".
func (c *Catalog) recordProblem(e *entry) string {
	if e.err != nil {
		return fmt.Sprintf("does not parse: %v", e.err)
	}
	switch {
	case e.rec.Declaration != nil:
		d := e.rec.Declaration
		var out []string
		why := ""
		for _, g := range d.GTINs {
			if dec := c.declarationFor(e, g); !dec.trusted() {
				out, why = append(out, g), dec.reason
			}
		}
		switch {
		case len(out) == 0:
			return ""
		case len(out) == len(d.GTINs):
			return fmt.Sprintf("declaration %s (ignored): %s", recordName(e.rec), why)
		}
		return fmt.Sprintf("declaration %s is ignored for GTIN %s (trusted for its other GTINs): %s", recordName(e.rec), strings.Join(out, ", "), why)
	case e.rec.Notice != nil:
		if dec := c.noticeDecision(e); !dec.trusted() {
			return fmt.Sprintf("notice %s (ignored): %s", recordName(e.rec), dec.reason)
		}
	case e.status != SigValid && e.rec.Key != nil:
		return fmt.Sprintf("key record %s (registers nothing): %s", recordName(e.rec), e.why)
	case e.status != SigValid && e.rec.Withdrawal != nil:
		return fmt.Sprintf("withdrawal %s (no effect): %s", recordName(e.rec), e.why)
	case e.status != SigValid:
		return e.why
	}
	return ""
}

func recordName(r *Record) string {
	switch {
	case r.Declaration != nil:
		return fmt.Sprintf("%s version %d", r.Declaration.ID, r.Declaration.Version)
	case r.Notice != nil:
		return fmt.Sprintf("%s revision %d", r.Notice.ID, r.Notice.Revision)
	case r.Key != nil:
		return r.Key.Key
	case r.Withdrawal != nil:
		return fmt.Sprintf("of record %d", r.Withdrawal.Record)
	}
	return ""
}

func sortProblems(ps []Problem) {
	slices.SortFunc(ps, func(a, b Problem) int { return cmp.Compare(a.Index, b.Index) })
}
