package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Rotating the publisher keys (catalog.md, "Rotating the publisher
// keys"). A trust note N is a signed note whose body is
//
//	smartcheck-trust/1
//	origin <origin>
//	version N
//	from <log size>
//	publisher <verifier key>
//	quorum K
//	witness <verifier key>      (optional, as in the trust file)
//	witness-quorum W
//
// signed by a quorum of version N−1's publisher keys and a quorum of its
// own. Records at index `from` and later need its keys; records before
// stay checked against the keys before (Era), so a rotation leaves every
// earlier key record and withdrawal valid.
//
// Where the notes live: the spec names them trust/N, but a catalog
// directory's trust file is already DIR/trust, and a directory cannot
// have a file and a directory of one name. So trust note N is
// DIR/trust.d/N, and URL/trust.d/N where the catalog is published; a
// till keeps the notes it verified in its own DIR/trust.d, and its trust
// is its trust file followed along them (LoadTrust).

// KindTrust is the first line of a trust note's body.
const KindTrust = "smartcheck-trust/1"

// TrustDir is the directory of trust notes beside a catalog, on disk and
// under its URL.
const TrustDir = "trust.d"

// maxTrustNote bounds what a trust note may be, on disk or fetched.
const maxTrustNote = 64 << 10

// TrustNotePath names trust note version in catalog directory dir.
func TrustNotePath(dir string, version int) string {
	return filepath.Join(dir, TrustDir, strconv.Itoa(version))
}

// FormatTrustNote returns the body of trust note next, to be signed by
// a quorum of the current publisher keys and a quorum of next's.
func FormatTrustNote(next *Trust) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\norigin %s\nversion %d\nfrom %d\n", KindTrust, next.Origin, next.Version, next.From)
	for _, p := range next.Publishers {
		fmt.Fprintf(&b, "publisher %s\n", p)
	}
	fmt.Fprintf(&b, "quorum %d\n", next.Quorum)
	next.formatWitnesses(&b)
	return []byte(b.String())
}

// Next verifies msg as the trust note that follows t and returns the
// trust it gives. It verifies before it parses: the signatures of t's
// quorum first, then the body, then the quorum of the keys it names. Any
// failure is a *SecurityError (check "trust").
func (t *Trust) Next(msg []byte) (*Trust, error) {
	want := t.Version + 1
	fail := func(format string, args ...any) error {
		return securityErrorf("trust", "trust note %d: %s", want, fmt.Sprintf(format, args...))
	}
	if len(msg) > maxTrustNote {
		return nil, fail("it is more than %d bytes", maxTrustNote)
	}
	n, err := note.Open(msg, t.verifiers)
	if err != nil {
		return nil, fail("not signed by the publisher keys of trust version %d: %v", t.Version, noteWords(err))
	}
	if len(n.Sigs) < t.Quorum {
		return nil, fail("it has %d of the %d signatures of trust version %d's publisher keys it needs", len(n.Sigs), t.Quorum, t.Version)
	}
	next, err := parseTrustNote(n.Text)
	if err != nil {
		return nil, fail("%v", err)
	}
	switch {
	case next.Origin != t.Origin:
		return nil, fail("it is for origin %q, not %q", clip(next.Origin), t.Origin)
	case next.Version != want:
		return nil, fail("it says version %d", next.Version)
	case next.From < t.From:
		return nil, fail("it takes effect from record %d, before version %d did (record %d)", next.From, t.Version, t.From)
	}
	own, err := note.Open(msg, next.verifiers)
	if err != nil {
		return nil, fail("not signed by its own publisher keys: %v", noteWords(err))
	}
	if len(own.Sigs) < next.Quorum {
		return nil, fail("it has %d of the %d signatures of its own publisher keys it needs", len(own.Sigs), next.Quorum)
	}
	next.Prev, next.Note = t, msg
	return next, nil
}

// noteWords says why a note did not open.
func noteWords(err error) string {
	var inv *note.InvalidSignatureError
	var unv *note.UnverifiedNoteError
	switch {
	case errors.As(err, &inv):
		return fmt.Sprintf("the signature by %s does not verify: it was altered or forged", inv.Name)
	case errors.As(err, &unv):
		return "none of its signatures is by one of those keys"
	}
	return err.Error()
}

// parseTrustNote parses a trust note's body, strictly: the first line,
// then `key value` lines, each once but publisher.
func parseTrustNote(text string) (*Trust, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if lines[0] != KindTrust {
		return nil, fmt.Errorf("line 1: want %q", KindTrust)
	}
	t := &Trust{}
	seen := make(map[string]bool)
	for i, line := range lines[1:] {
		key, value, ok := strings.Cut(line, " ")
		if !ok || value == "" || strings.TrimSpace(value) != value {
			return nil, fmt.Errorf("line %d: want `key value`", i+2)
		}
		if key == "from" {
			if seen[key] {
				return nil, fmt.Errorf("line %d: second from", i+2)
			}
			seen[key] = true
			from, err := strconv.ParseInt(value, 10, 64)
			if err != nil || from < 0 || strconv.FormatInt(from, 10) != value {
				return nil, fmt.Errorf("line %d: from %q is not a record count", i+2, clip(value))
			}
			t.From = from
			continue
		}
		if err := t.set(key, value, seen); err != nil {
			return nil, fmt.Errorf("line %d: %v", i+2, err)
		}
	}
	for _, k := range []string{"origin", "version", "from", "quorum"} {
		if !seen[k] {
			return nil, fmt.Errorf("it has no %s line", k)
		}
	}
	if err := t.complete(seen); err != nil {
		return nil, err
	}
	return t, nil
}

// FollowDir extends t along the trust notes kept in dir/trust.d — V+1,
// V+2, … until one is missing — each verified against the one before.
// A note there that does not verify is an error: the directory was
// tampered with, and nothing it says is trusted.
func (t *Trust) FollowDir(dir string) (*Trust, error) {
	for {
		path := TrustNotePath(dir, t.Version+1)
		msg, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read trust note: %w", err)
		}
		next, err := t.Next(msg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		t = next
	}
}

// LoadTrust reads the trust file at path and follows it along the trust
// notes of the catalog directory dir ("" for none).
func LoadTrust(path, dir string) (*Trust, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := ParseTrust(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if dir == "" {
		return t, nil
	}
	return t.FollowDir(dir)
}

// WriteTrustNotes writes the trust notes t was followed along into
// dir/trust.d, each atomically, oldest first, skipping those already
// there: a failure part way leaves a shorter chain that still verifies.
func WriteTrustNotes(dir string, t *Trust) error {
	notes := t.Chain()
	if len(notes) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(dir, TrustDir), 0o755); err != nil {
		return err
	}
	first := t.Root().Version + 1
	for i, msg := range notes {
		path := TrustNotePath(dir, first+i)
		if old, err := os.ReadFile(path); err == nil && string(old) == string(msg) {
			continue
		}
		if err := writeFileAtomic(path, msg); err != nil {
			return err
		}
	}
	return nil
}

// Chain returns the trust notes from the trust file to t, oldest first.
func (t *Trust) Chain() [][]byte {
	var notes [][]byte
	for ; t != nil && t.Note != nil; t = t.Prev {
		notes = append([][]byte{t.Note}, notes...)
	}
	return notes
}

// Root returns the trust file t was followed from.
func (t *Trust) Root() *Trust {
	for t.Prev != nil {
		t = t.Prev
	}
	return t
}

// Era returns the trust in force for the record at index i: the newest
// one whose From is not after i.
func (t *Trust) Era(i int64) *Trust {
	for t.Prev != nil && i < t.From {
		t = t.Prev
	}
	return t
}

// RotateTrust makes trust note t.Version+1 for publishers (verifier keys)
// and quorum, in force from record from, signed by oldSigners (a quorum
// of t's keys) and newSigners (a quorum of the new ones), and checks it
// as a till would.
func RotateTrust(t *Trust, from int64, publishers []string, quorum int, oldSigners, newSigners []Signer) (*Trust, []byte, error) {
	next := &Trust{Origin: t.Origin, Version: t.Version + 1, From: from, Publishers: publishers, Quorum: quorum,
		// The witnesses stay: a rotation changes who publishes, not who
		// watches the log.
		Witnesses: t.Witnesses, WitnessQuorum: t.WitnessQuorum, witnesses: t.witnesses}
	if err := CheckPublishers(t, oldSigners); err != nil {
		return nil, nil, err
	}
	for _, p := range publishers {
		v, err := note.NewVerifier(p)
		if err != nil {
			return nil, nil, fmt.Errorf("new publisher key: %v", err)
		}
		next.verifiers = append(next.verifiers, v)
	}
	if err := CheckPublishers(next, newSigners); err != nil {
		return nil, nil, err
	}
	body := FormatTrustNote(next)
	if _, err := parseTrustNote(string(body)); err != nil {
		return nil, nil, fmt.Errorf("trust note %d: %v", next.Version, err)
	}
	msg, err := Sign(body, append(append([]Signer(nil), oldSigners...), newSigners...)...)
	if err != nil {
		return nil, nil, err
	}
	checked, err := t.Next(msg)
	if err != nil {
		return nil, nil, fmt.Errorf("the new trust note would not be accepted by tills, nothing written: %w", err)
	}
	return checked, msg, nil
}

// openStoredCheckpoint verifies a checkpoint a till or publisher already
// holds (the installed one, the last accepted one, a stage's base): one
// signed under the publisher keys of the trust t, or of a trust before
// it when the checkpoint's size is within that trust's era (it commits
// to no record that needs later keys). A published checkpoint a till has
// not yet accepted must meet t itself (OpenCheckpoint).
func openStoredCheckpoint(msg []byte, t *Trust) (*Checkpoint, error) {
	cp, err := OpenCheckpoint(msg, t)
	if err == nil || !isSecurity(err) {
		return cp, err
	}
	for next, p := t, t.Prev; p != nil; next, p = p, p.Prev {
		old, perr := OpenCheckpoint(msg, p)
		if perr != nil {
			continue
		}
		if old.Size > next.From {
			return nil, securityErrorf("quorum", "checkpoint of %d records is signed by the publisher keys of trust version %d, which sign only the first %d (trust version %d rotated them)", old.Size, p.Version, next.From, next.Version)
		}
		return old, nil
	}
	return nil, err
}
