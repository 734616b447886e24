package catalog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Trust is what a till is configured to believe: the catalog's origin, the
// publisher keys and how many of them must sign. A trust file gives the
// first; each trust note (rotate.go) gives the next, linked to the one
// before by Prev, so that a record is checked against the publisher keys
// in force at its place in the log (Era).
type Trust struct {
	Origin     string
	Version    int      // 1 unless the trust file or note says more
	Publishers []string // verifier keys
	Quorum     int

	Witnesses     []string // witness cosignature/v1 verifier keys
	WitnessQuorum int      // how many of them must cosign a checkpoint

	// From is the first record index these publisher keys sign for: 0 for
	// a trust file, the note's `from` for a trust note. Records before it
	// are checked against Prev.
	From int64
	Prev *Trust // the trust this one rotated from; nil for a trust file
	Note []byte // the signed trust note this one came from; nil for a trust file

	verifiers verifierList
	witnesses []*cosigVerifier
}

// ParseTrust parses a trust file:
//
//	origin demo.smartcheck.example/uk
//	version 1
//	publisher <verifier key>
//	quorum 1
//
// Blank lines and lines starting with # are ignored. Version and quorum
// default to 1; the quorum may not exceed the number of publisher keys.
func ParseTrust(data []byte) (*Trust, error) {
	t := &Trust{}
	seen := make(map[string]bool)
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, _ := strings.Cut(line, " ")
		if err := t.set(key, strings.TrimSpace(value), seen); err != nil {
			return nil, fmt.Errorf("trust line %d: %v", n, err)
		}
	}
	if err := t.complete(seen); err != nil {
		return nil, fmt.Errorf("trust file %v", err)
	}
	return t, nil
}

// set applies one line of a trust file or a trust note.
func (t *Trust) set(key, value string, seen map[string]bool) error {
	if key != "publisher" && key != "witness" && seen[key] {
		return fmt.Errorf("second %s", clip(key))
	}
	seen[key] = true
	switch key {
	case "origin":
		if value == "" || strings.ContainsAny(value, " \t") {
			return fmt.Errorf("origin %q is not one word", clip(value))
		}
		t.Origin = value
	case "version":
		v, err := parsePositive(value)
		if err != nil {
			return fmt.Errorf("version: %v", err)
		}
		t.Version = v
	case "publisher":
		v, err := note.NewVerifier(value)
		if err != nil {
			return fmt.Errorf("publisher key: %v", err)
		}
		if slices.Contains(t.Publishers, value) {
			return fmt.Errorf("publisher key %s is listed twice", v.Name())
		}
		t.Publishers = append(t.Publishers, value)
		t.verifiers = append(t.verifiers, v)
	case "quorum":
		q, err := parsePositive(value)
		if err != nil {
			return errors.New("quorum must be given once, as an integer ≥ 1")
		}
		t.Quorum = q
	case "witness":
		return t.addWitness(value)
	case "witness-quorum":
		return t.setWitnessQuorum(value)
	default:
		return fmt.Errorf("unknown setting %q", clip(key))
	}
	return nil
}

// complete checks what every trust needs, once all lines are read.
func (t *Trust) complete(seen map[string]bool) error {
	switch {
	case t.Origin == "":
		return errors.New("names no origin")
	case len(t.Publishers) == 0:
		return errors.New("names no publisher key")
	}
	if !seen["version"] {
		t.Version = 1
	}
	if !seen["quorum"] {
		t.Quorum = 1
	}
	if t.Quorum > len(t.Publishers) {
		return fmt.Errorf("quorum %d is more than its %d publisher keys", t.Quorum, len(t.Publishers))
	}
	if t.WitnessQuorum > len(t.Witnesses) {
		return fmt.Errorf("witness-quorum %d is more than its %d witness keys", t.WitnessQuorum, len(t.Witnesses))
	}
	return nil
}

// Format writes the trust file of this trust's keys (not the ones it
// rotated from: see Chain).
func (t *Trust) Format() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "origin %s\n", t.Origin)
	if t.Version > 1 {
		fmt.Fprintf(&b, "version %d\n", t.Version)
	}
	for _, p := range t.Publishers {
		fmt.Fprintf(&b, "publisher %s\n", p)
	}
	fmt.Fprintf(&b, "quorum %d\n", t.Quorum)
	t.formatWitnesses(&b)
	return b.Bytes()
}

// Checkpoint is the publisher's signed statement of the whole log.
type Checkpoint struct {
	Origin  string
	Size    int64
	Root    tlog.Hash
	Issued  time.Time
	Expires time.Time

	Cosigned []Cosignature // the trusted witnesses' valid cosignatures

	Raw []byte // the signed note exactly as read
}

// FormatBody returns the checkpoint's note body.
func (c *Checkpoint) FormatBody() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\nissued %s\nexpires %s\n",
		c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]),
		c.Issued.UTC().Format(time.RFC3339), c.Expires.UTC().Format(time.RFC3339))
}

// A SecurityError is a failed check of what the publisher signed: a bad or
// missing signature, a wrong origin, a root that does not match the records,
// a rolled-back or rewritten log. Nothing such a catalog says is fact.
type SecurityError struct {
	Check string // "signature", "quorum", "witness", "origin", "root", "rollback", "fork", "records"; Sync adds "expired"
	Msg   string
}

func (e *SecurityError) Error() string { return e.Msg }

func securityErrorf(check, format string, args ...any) error {
	return &SecurityError{Check: check, Msg: fmt.Sprintf(format, args...)}
}

// OpenCheckpoint verifies a signed checkpoint against the trust file and
// then parses it. It verifies before it parses: no field of a checkpoint
// whose signatures fail is looked at.
func OpenCheckpoint(msg []byte, trust *Trust) (*Checkpoint, error) {
	n, err := note.Open(msg, trust.noteVerifiers())
	if err != nil {
		var inv *note.InvalidSignatureError
		var unv *note.UnverifiedNoteError
		switch {
		case errors.As(err, &inv) && trust.witnessByName(inv.Name) != nil:
			return nil, securityErrorf("witness", "cosignature by witness %s does not verify: it is forged, or was made for another checkpoint", inv.Name)
		case errors.As(err, &inv):
			return nil, securityErrorf("signature", "checkpoint signature by %s does not verify: the checkpoint was altered or forged", inv.Name)
		case errors.As(err, &unv):
			return nil, securityErrorf("quorum", "checkpoint is not signed by any trusted publisher key (quorum 0 of %d)", trust.Quorum)
		}
		return nil, securityErrorf("signature", "checkpoint is not a well-formed signed note: %v", err)
	}
	if k := trust.publisherSigs(n); k < trust.Quorum {
		return nil, securityErrorf("quorum", "checkpoint has %d of the %d publisher signatures the trust file requires", k, trust.Quorum)
	}
	c, err := parseCheckpointBody(n.Text)
	if err != nil {
		return nil, err
	}
	if c.Origin != trust.Origin {
		return nil, securityErrorf("origin", "checkpoint is for origin %q, not the trusted %q", clip(c.Origin), trust.Origin)
	}
	if c.Cosigned, err = checkCosignatures(msg, n, c, trust); err != nil {
		return nil, err
	}
	c.Raw = msg
	return c, nil
}

func parseCheckpointBody(text string) (*Checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 5 {
		return nil, fmt.Errorf("checkpoint body has %d lines, want 5 (origin, size, root, issued, expires)", len(lines))
	}
	c := &Checkpoint{Origin: lines[0]}
	if c.Origin == "" || strings.ContainsAny(c.Origin, " \t") {
		return nil, errors.New("checkpoint line 1: bad origin")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return nil, fmt.Errorf("checkpoint line 2: bad size %q", clip(lines[1]))
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return nil, fmt.Errorf("checkpoint line 3: bad root hash %q", clip(lines[2]))
	}
	copy(c.Root[:], root)
	if c.Issued, err = parseStamp(lines[3], "issued"); err != nil {
		return nil, fmt.Errorf("checkpoint line 4: %v", err)
	}
	if c.Expires, err = parseStamp(lines[4], "expires"); err != nil {
		return nil, fmt.Errorf("checkpoint line 5: %v", err)
	}
	if c.Expires.Before(c.Issued) {
		return nil, errors.New("checkpoint expires before it was issued")
	}
	return c, nil
}

func parseStamp(line, key string) (time.Time, error) {
	v, ok := strings.CutPrefix(line, key+" ")
	if !ok {
		return time.Time{}, fmt.Errorf("want %q line", key)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil || !strings.HasSuffix(v, "Z") {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 UTC time", key, clip(v))
	}
	return t, nil
}

// Stale reports whether, judged on day today (Europe/London), the
// checkpoint has expired (verdicts.md R0b).
func (c *Checkpoint) Stale(today Date) bool {
	return today.After(DateOf(c.Expires))
}
