package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Co-signing on separate machines (catalog.md): an append is staged on
// one machine, each key holder adds a signature on their own, and the
// stage is published once the quorum verifies. A stage is a directory:
//
//	base        the live checkpoint the append extends, as it was signed
//	range       the live log's compact range, one base64 hash a line: with
//	            the new records it gives the new root, so a cosigner can
//	            check what they sign without the whole catalog
//	records     the new records, framed as in a records file
//	checkpoint  the new checkpoint's body, then the signature lines
//	            collected so far (none at first), as a signed note
//	trust       the trust file the stage was made under, and
//	trust.d/N   the trust notes it was followed along, if any
//
// (`smartcheck catalog append --stage` also writes `live`, the live
// catalog's directory, so that `catalog publish` needs no flag.)
//
// Nothing in a stage is trusted by a till; publishing checks it all again
// against the live catalog, under its lock.

// Stage is an opened staging directory, checked: the base verifies
// against the stage's trust, the range hashes to the base's root, and
// the range with the new records hashes to the staged checkpoint's root.
type Stage struct {
	Dir        string
	Trust      *Trust
	Base       *Checkpoint
	Checkpoint *Checkpoint // the staged checkpoint (its signatures not checked)
	Records    [][]byte    // the new records
	body       []byte      // the staged checkpoint's body
	sigs       []string    // its signature lines, "— name base64\n"
}

// StageAppend writes a stage of records appended to the catalog c, which
// was opened (under LockDir) from the live directory, into stageDir,
// which must not exist or be empty. The records are checked as Append
// checks them; nothing is signed.
func StageAppend(stageDir string, c *Catalog, records [][]byte, now time.Time, valid time.Duration) (*Stage, error) {
	cp, data, err := PrepareAppend(c, records, now, valid)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(stageDir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("stage %s is not empty: stage into a new directory", stageDir)
	}
	if err := os.MkdirAll(stageDir, 0o755); err != nil {
		return nil, err
	}
	var rng bytes.Buffer
	for _, h := range c.tree.stack {
		fmt.Fprintln(&rng, h.String())
	}
	files := []struct {
		name string
		data []byte
	}{
		{"base", c.Checkpoint.Raw},
		{"range", rng.Bytes()},
		{"records", data},
		{"trust", c.Trust.Root().Format()},
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(stageDir, f.name), f.data); err != nil {
			return nil, err
		}
	}
	if err := WriteTrustNotes(stageDir, c.Trust); err != nil {
		return nil, err
	}
	// Last: a stage is whole once it has a checkpoint.
	if err := writeFileAtomic(filepath.Join(stageDir, "checkpoint"), append(cp.FormatBody(), '\n')); err != nil {
		return nil, err
	}
	return OpenStage(stageDir)
}

// OpenStage reads and checks a staging directory.
func OpenStage(dir string) (*Stage, error) {
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("stage %s is incomplete: %w", dir, err)
		}
		return b, nil
	}
	s := &Stage{Dir: dir}
	tf, err := read("trust")
	if err != nil {
		return nil, err
	}
	if s.Trust, err = ParseTrust(tf); err != nil {
		return nil, fmt.Errorf("stage %s: trust: %w", dir, err)
	}
	if s.Trust, err = s.Trust.FollowDir(dir); err != nil {
		return nil, fmt.Errorf("stage %s: %w", dir, err)
	}
	base, err := read("base")
	if err != nil {
		return nil, err
	}
	if s.Base, err = openStoredCheckpoint(base, s.Trust); err != nil {
		return nil, fmt.Errorf("stage %s: base checkpoint: %w", dir, err)
	}
	rng, err := read("range")
	if err != nil {
		return nil, err
	}
	tree := &treeBuilder{n: s.Base.Size}
	for _, line := range strings.Fields(string(rng)) {
		h, err := tlog.ParseHash(line)
		if err != nil {
			return nil, fmt.Errorf("stage %s: range: %w", dir, err)
		}
		tree.stack = append(tree.stack, h)
	}
	if len(tree.stack) != bitsSet(s.Base.Size) || tree.root() != s.Base.Root {
		return nil, securityErrorf("root", "stage %s: its range does not hash to the base checkpoint's root", dir)
	}
	data, err := read("records")
	if err != nil {
		return nil, err
	}
	if s.Records, err = ReadFrames(data); err != nil {
		return nil, fmt.Errorf("stage %s: records: %w", dir, err)
	}
	for _, rec := range s.Records {
		tree.add(tlog.RecordHash(rec))
	}
	msg, err := read("checkpoint")
	if err != nil {
		return nil, err
	}
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		return nil, fmt.Errorf("stage %s: checkpoint is not a note body and signatures", dir)
	}
	s.body = msg[:i+1]
	for _, l := range strings.SplitAfter(string(msg[i+2:]), "\n") {
		if l == "" {
			continue
		}
		if !strings.HasPrefix(l, "— ") || !strings.HasSuffix(l, "\n") {
			return nil, fmt.Errorf("stage %s: checkpoint: %q is not a signature line", dir, clip(l))
		}
		s.sigs = append(s.sigs, l)
	}
	if s.Checkpoint, err = parseCheckpointBody(string(s.body)); err != nil {
		return nil, fmt.Errorf("stage %s: checkpoint: %w", dir, err)
	}
	cp := s.Checkpoint
	switch {
	case cp.Origin != s.Trust.Origin:
		return nil, securityErrorf("origin", "stage %s: checkpoint origin %q is not the trust's %q", dir, clip(cp.Origin), s.Trust.Origin)
	case cp.Size != s.Base.Size+int64(len(s.Records)) || cp.Root != tree.root():
		return nil, securityErrorf("root", "stage %s: the staged checkpoint does not commit to the base log and the staged records", dir)
	case cp.Issued.Before(s.Base.Issued):
		return nil, securityErrorf("rollback", "stage %s: the staged checkpoint is issued before the base", dir)
	}
	return s, nil
}

// bitsSet is the number of complete subtrees in a tree of n leaves: the
// length of its compact range.
func bitsSet(n int64) int {
	k := 0
	for ; n > 0; n &= n - 1 {
		k++
	}
	return k
}

// Signers names the publisher keys whose signatures the staged checkpoint
// carries and that verify, and says how many the quorum needs.
func (s *Stage) Signers() (names []string, quorum int) {
	for _, l := range s.sigs {
		n, err := note.Open(append(append(slices.Clone(s.body), '\n'), l...), s.Trust.verifiers)
		if err == nil && len(n.Sigs) == 1 {
			names = append(names, n.Sigs[0].Name)
		}
	}
	return names, s.Trust.Quorum
}

// Cosign adds signer's signature to the staged checkpoint; signer must be
// a publisher key of the stage's trust. Signing twice changes nothing.
func (s *Stage) Cosign(signer Signer) error {
	if _, err := s.Trust.verifiers.Verifier(signer.Name(), signer.KeyHash()); err != nil {
		return fmt.Errorf("key %s is not a publisher key of the trust for %s: its signature would not count", signer.Name(), s.Trust.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(s.body)}, signer)
	if err != nil {
		return err
	}
	line := string(msg[len(s.body)+1:])
	if slices.Contains(s.sigs, line) {
		return nil
	}
	s.sigs = append(s.sigs, line)
	return writeFileAtomic(filepath.Join(s.Dir, "checkpoint"), s.signed())
}

// signed is the staged checkpoint as a signed note.
func (s *Stage) signed() []byte {
	msg := append(slices.Clone(s.body), '\n')
	for _, l := range s.sigs {
		msg = append(msg, l...)
	}
	return msg
}

// ErrStaleStage says that the live catalog moved on since the stage was
// made: stage again.
var ErrStaleStage = errors.New("the live catalog changed since the stage was made: stage the records again")

// Publish installs a stage into the live catalog in liveDir, whose trust
// is trust: under the catalog's lock it opens the live catalog (which
// must be the stage's base), checks the staged records as Append does,
// and requires the staged checkpoint to verify against trust — the
// quorum included — before the one rename that publishes it. Nothing is
// published with fewer signatures than the quorum.
func Publish(s *Stage, liveDir string, trust *Trust, now time.Time) (*Checkpoint, error) {
	trust = trust.PublisherOnly() // the witnesses cosign once it is live (catalog witness)
	if names, q := s.Signers(); len(names) < trust.Quorum {
		return nil, securityErrorf("quorum", "stage %s has %d of the %d publisher signatures needed (%s): nothing published", s.Dir, len(names), q, strings.Join(names, ", "))
	}
	msg := s.signed()
	cp, err := OpenCheckpoint(msg, trust)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w: nothing published", s.Dir, err)
	}
	if !now.Before(cp.Expires) {
		return nil, fmt.Errorf("stage %s: its checkpoint expired at %s: stage the records again", s.Dir, cp.Expires.Format(time.RFC3339))
	}
	unlock, err := LockDir(liveDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := OpenDir(liveDir, trust, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if c.Size() != s.Base.Size || c.Checkpoint.Root != s.Base.Root {
		return nil, ErrStaleStage
	}
	want, data, err := PrepareAppend(c, s.Records, cp.Issued, cp.Expires.Sub(cp.Issued))
	if err != nil {
		return nil, err
	}
	if want.Root != cp.Root || want.Size != cp.Size {
		return nil, securityErrorf("root", "stage %s: the staged checkpoint does not commit to the live log and the staged records", s.Dir)
	}
	return cp, installAppend(liveDir, c, data, msg, cp.Root)
}
