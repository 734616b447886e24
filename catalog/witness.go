package catalog

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Witnesses (catalog.md, "Witnesses"): C2SP tlog-cosignature/v1
// cosignatures, Ed25519 over "cosignature/v1\ntime T\n" and the whole
// checkpoint body. A witness key is written NAME+KEYID+base64(0x04||key),
// the key ID being SHA-256(NAME || "\n" || 0x04 || key)[:4].

const algCosignatureV1 = 0x04

// cosigSize is a cosignature's length after the key ID: the timestamp
// and the Ed25519 signature.
const cosigSize = 8 + ed25519.SignatureSize

// A Cosignature is a witness's valid cosignature on a checkpoint.
type Cosignature struct {
	Witness string    // the witness's name
	Key     string    // its verifier key, as the trust file gives it
	Time    time.Time // when the witness signed
}

// cosigVerifier checks cosignature/v1 cosignatures of one witness key.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
	vkey string
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }

func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != cosigSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > 1<<63-1 {
		return false
	}
	return ed25519.Verify(v.key, cosignedMessage(t, msg), sig[8:])
}

// cosignedMessage is what a cosignature/v1 signs: the header line, the
// time line and the whole checkpoint body.
func cosignedMessage(t uint64, body []byte) []byte {
	m := fmt.Appendf(nil, "cosignature/v1\ntime %d\n", t)
	return append(m, body...)
}

// cosigKeyHash is the key ID of a cosignature/v1 key.
func cosigKeyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{algCosignatureV1})
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// ParseWitnessKey parses a witness's cosignature/v1 verifier key.
func ParseWitnessKey(vkey string) (note.Verifier, error) {
	return parseWitnessKey(vkey)
}

func parseWitnessKey(vkey string) (*cosigVerifier, error) {
	name, rest, ok1 := strings.Cut(vkey, "+")
	hexHash, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || name == "" || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		return nil, errors.New("not a verifier key (want NAME+KEYID+KEY)")
	}
	h, err := strconv.ParseUint(hexHash, 16, 32)
	if err != nil || len(hexHash) != 8 {
		return nil, errors.New("key ID is not 8 hex digits")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) != 1+ed25519.PublicKeySize {
		return nil, fmt.Errorf("key is not base64 of %d bytes", 1+ed25519.PublicKeySize)
	}
	if key[0] != algCosignatureV1 {
		return nil, fmt.Errorf("key type is 0x%02x, not a cosignature/v1 witness key (0x04)", key[0])
	}
	if uint32(h) != cosigKeyHash(name, key[1:]) {
		return nil, errors.New("key ID does not match the name and key")
	}
	return &cosigVerifier{name: name, hash: uint32(h), key: ed25519.PublicKey(key[1:]), vkey: vkey}, nil
}

// addWitness adds a trust file's `witness` line to t.
func (t *Trust) addWitness(value string) error {
	v, err := parseWitnessKey(value)
	if err != nil {
		return fmt.Errorf("witness key: %v", err)
	}
	for _, w := range t.witnesses {
		if w.name == v.name {
			return fmt.Errorf("witness %s is named twice", clip(v.name))
		}
	}
	t.Witnesses = append(t.Witnesses, value)
	t.witnesses = append(t.witnesses, v)
	return nil
}

// setWitnessQuorum sets the trust file's `witness-quorum`.
func (t *Trust) setWitnessQuorum(value string) error {
	q, err := strconv.Atoi(value)
	if err != nil || q < 0 || strconv.Itoa(q) != value {
		return errors.New("witness-quorum must be given once, as an integer ≥ 0")
	}
	t.WitnessQuorum = q
	return nil
}

// formatWitnesses writes the trust file's witness lines.
func (t *Trust) formatWitnesses(b io.Writer) {
	for _, w := range t.Witnesses {
		fmt.Fprintf(b, "witness %s\n", w)
	}
	if t.WitnessQuorum > 0 {
		fmt.Fprintf(b, "witness-quorum %d\n", t.WitnessQuorum)
	}
}

// noteVerifiers are the keys whose signature lines a checkpoint is
// checked against: the publishers' and the witnesses'.
func (t *Trust) noteVerifiers() note.Verifiers {
	if len(t.witnesses) == 0 {
		return t.verifiers
	}
	l := append(verifierList(nil), t.verifiers...)
	for _, w := range t.witnesses {
		l = append(l, w)
	}
	return l
}

// PublisherOnly returns the trust without its witness quorum: what the
// publisher's own writers check a checkpoint against before the
// witnesses have seen it (catalog witness then adds the cosignatures).
func (t *Trust) PublisherOnly() *Trust {
	u := *t
	u.WitnessQuorum = 0
	return &u
}

// isWitness reports whether sig is a line of one of t's witnesses.
func (t *Trust) witnessFor(sig note.Signature) *cosigVerifier {
	for _, w := range t.witnesses {
		if w.name == sig.Name && w.hash == sig.Hash {
			return w
		}
	}
	return nil
}

// publisherSigs counts the verified signatures of n that are publisher
// signatures.
func (t *Trust) publisherSigs(n *note.Note) int {
	k := 0
	for _, s := range n.Sigs {
		if t.witnessFor(s) == nil {
			k++
		}
	}
	return k
}

// checkCosignatures finds the witnesses' valid cosignatures on checkpoint
// c (opened as note n from msg) and checks the trust's witness quorum: a
// cosignature made before the checkpoint's issued time does not count.
// The refusal says, for every witness that did not count, why.
func checkCosignatures(msg []byte, n *note.Note, c *Checkpoint, t *Trust) ([]Cosignature, error) {
	var good []Cosignature
	why := map[string]string{}
	for _, s := range n.Sigs {
		w := t.witnessFor(s)
		if w == nil {
			continue
		}
		ts, err := cosignatureTime(s)
		if err != nil { // cannot happen: it verified
			return nil, securityErrorf("witness", "cosignature by witness %s: %v", w.name, err)
		}
		if ts.Before(c.Issued) {
			why[w.name] = fmt.Sprintf("its cosignature is stale: made %s, before the checkpoint was issued (%s)", ts.UTC().Format(time.RFC3339), c.Issued.UTC().Format(time.RFC3339))
			continue
		}
		if containsWitness(good, w.name) {
			continue
		}
		good = append(good, Cosignature{Witness: w.name, Key: w.vkey, Time: ts.UTC()})
	}
	if len(good) >= t.WitnessQuorum {
		return good, nil
	}
	foreign := foreignLines(msg, t)
	var parts []string
	for _, w := range t.witnesses {
		if containsWitness(good, w.name) {
			continue
		}
		r, ok := why[w.name]
		if !ok {
			r = "no cosignature"
			if f, ok := foreign[w.name]; ok {
				r = f
			}
		}
		parts = append(parts, fmt.Sprintf("witness %s: %s", w.name, r))
	}
	for _, name := range slices.Sorted(maps.Keys(foreign)) {
		if t.witnessByName(name) == nil {
			parts = append(parts, fmt.Sprintf("%s: %s", clip(name), foreign[name]))
		}
	}
	return nil, securityErrorf("witness", "checkpoint has %d of the %d witness cosignatures the trust file requires (a split view is not ruled out): %s",
		len(good), t.WitnessQuorum, strings.Join(parts, "; "))
}

func containsWitness(cs []Cosignature, name string) bool {
	for _, c := range cs {
		if c.Witness == name {
			return true
		}
	}
	return false
}

func (t *Trust) witnessByName(name string) *cosigVerifier {
	for _, w := range t.witnesses {
		if w.name == name {
			return w
		}
	}
	return nil
}

// foreignLines reads the signature lines of msg that are no key of the
// trust file's, and says why each does not count, by name (at most 8).
func foreignLines(msg []byte, t *Trust) map[string]string {
	out := map[string]string{}
	_, sigs, ok := strings.Cut(string(msg), "\n\n")
	if !ok {
		return out
	}
	for _, line := range strings.Split(sigs, "\n") {
		name, hash, ok := signatureKey(line)
		if !ok || len(out) >= 8 {
			continue
		}
		if _, err := t.verifiers.Verifier(name, hash); err == nil {
			continue
		}
		if w := t.witnessByName(name); w != nil {
			if w.hash != hash {
				out[name] = fmt.Sprintf("a cosignature named %s with key ID %08x, not the trusted key's %08x (a foreign key)", clip(name), hash, w.hash)
			}
			continue
		}
		out[name] = "a signature by a key that is in no witness line of the trust file (foreign; it does not count)"
	}
	return out
}

// signatureKey reads the key name and ID of a note signature line.
func signatureKey(line string) (name string, hash uint32, ok bool) {
	name, b64, ok := strings.Cut(strings.TrimPrefix(line, "— "), " ")
	if !ok || !strings.HasPrefix(line, "— ") {
		return "", 0, false
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sig) < 4 {
		return "", 0, false
	}
	return name, binary.BigEndian.Uint32(sig), true
}

// cosignatureTime reads the timestamp of a cosignature/v1 line.
func cosignatureTime(s note.Signature) (time.Time, error) {
	sig, err := base64.StdEncoding.DecodeString(s.Base64)
	if err != nil || len(sig) != 4+cosigSize {
		return time.Time{}, errors.New("malformed cosignature")
	}
	ts := binary.BigEndian.Uint64(sig[4:])
	if ts > 1<<63-1 {
		return time.Time{}, errors.New("malformed cosignature timestamp")
	}
	return time.Unix(int64(ts), 0), nil
}

// WitnessNames lists the names of the witnesses that cosigned, for a
// status line: "w1.example, w2.example".
func (c *Checkpoint) WitnessNames() string {
	names := make([]string, len(c.Cosigned))
	for i, s := range c.Cosigned {
		names[i] = s.Witness
	}
	return strings.Join(names, ", ")
}
