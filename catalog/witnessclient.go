package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Getting cosigned (C2SP tlog-witness): the publisher sends each witness
// the checkpoint with a consistency proof from the size the witness last
// cosigned, and adds the cosignatures that come back to the checkpoint.

// A WitnessAnswer is what one witness did with a request to cosign.
type WitnessAnswer struct {
	URL      string
	Cosigned *Cosignature // nil when it did not cosign
	Err      error        // why it did not
}

// WitnessRequest asks witnesses to cosign.
type WitnessRequest struct {
	Client  *http.Client  // default: a plain client
	Timeout time.Duration // per request; default 10 s
	Tries   int           // per witness, for passing failures (network, 5xx); default 2

	// Quorum is how many cosignatures the checkpoint must carry to be
	// written: the trust file's witness-quorum (a publisher opens its own
	// catalog without it, Trust.PublisherOnly). The catalog's own trust's
	// quorum counts when larger.
	Quorum int
}

// maxWitnessAnswer bounds a witness's answer: a few signature lines.
const maxWitnessAnswer = 64 << 10

var errTooLong = fmt.Errorf("the witness's answer is more than %d bytes, not a few signature lines", maxWitnessAnswer)

// ErrBelowWitnessQuorum is Cosign's error when fewer witnesses cosigned
// than the trust's witness quorum: the checkpoint is left as it was.
var ErrBelowWitnessQuorum = errors.New("fewer witness cosignatures than the trust file's witness-quorum")

// Cosign asks the witnesses at urls to cosign the checkpoint of c, the
// catalog in dir opened under the caller's LockDir, using the tiles in dir
// for consistency proofs. It asks them all at once; each answer, or the
// reason it gave none, comes back in order. It adds every valid
// cosignature by a witness of c.Trust to the checkpoint and writes it back
// (verified, then renamed into place) only when the result meets the
// witness quorum (wr.Quorum): otherwise the checkpoint file is left as it was
// and the error wraps ErrBelowWitnessQuorum (a witness that did cosign
// will cosign the same checkpoint again when asked). It returns the
// checkpoint as it now is.
func (wr *WitnessRequest) Cosign(ctx context.Context, dir string, c *Catalog, urls []string) ([]WitnessAnswer, *Checkpoint, error) {
	if len(c.Trust.Witnesses) == 0 {
		return nil, nil, errors.New("the trust file names no witness: add a `witness KEY` line for each witness, with the key its operator publishes")
	}
	if err := originSigned(c.Checkpoint, c.Trust); err != nil {
		return nil, nil, err
	}
	if err := EnsureTiles(dir, c.Checkpoint); err != nil {
		return nil, nil, fmt.Errorf("write the tiles the consistency proofs come from: %w", err)
	}
	answers := make([]WitnessAnswer, len(urls))
	lines := make([]string, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() {
			answers[i].URL = u
			lines[i], answers[i].Cosigned, answers[i].Err = wr.ask(ctx, dir, c, u)
		})
	}
	wg.Wait()
	quorum := max(wr.Quorum, c.Trust.WitnessQuorum)
	msg := c.Checkpoint.Raw
	added := false
	for _, l := range lines {
		if l != "" {
			msg, added = addSignatureLine(msg, l), true
		}
	}
	if !added {
		if len(c.Checkpoint.Cosigned) < quorum {
			return answers, c.Checkpoint, fmt.Errorf("%w: no witness cosigned, the checkpoint is left as it was", ErrBelowWitnessQuorum)
		}
		return answers, c.Checkpoint, nil
	}
	// Verify before writing: the publisher's quorum and every witness's
	// cosignature, as a till will.
	check := *c.Trust
	check.WitnessQuorum = 0
	cp, err := OpenCheckpoint(msg, &check)
	if err != nil {
		return answers, nil, fmt.Errorf("the cosigned checkpoint does not verify, nothing written: %w", err)
	}
	if cp.Size != c.Size() || cp.Root != c.Checkpoint.Root {
		return answers, nil, errors.New("the cosigned checkpoint is not the catalog's, nothing written")
	}
	if len(cp.Cosigned) < quorum {
		return answers, c.Checkpoint, fmt.Errorf("%w: %d of the %d required, the checkpoint is left as it was (nothing written)", ErrBelowWitnessQuorum, len(cp.Cosigned), quorum)
	}
	if err := writeFileAtomic(filepath.Join(dir, "checkpoint"), msg); err != nil {
		return answers, nil, err
	}
	return answers, cp, nil
}

// originSigned checks that cp carries a publisher signature by a key
// named as the origin: a C2SP witness knows a log's keys by the log's
// origin and checks a checkpoint only against those (tlog-witness;
// litewitness refuses any other with 403), so asking with none is asking
// in vain.
func originSigned(cp *Checkpoint, t *Trust) error {
	var named verifierList
	for _, v := range t.verifiers {
		if v.Name() == t.Origin {
			named = append(named, v)
		}
	}
	if len(named) == 0 {
		return fmt.Errorf("no publisher key of the trust file is named %s, the catalog's origin, so no witness can check the checkpoint (a witness knows a log's key by its origin): make one named so (smartcheck key generate --name %s FILE), bring it in with catalog trust rotate, and sign the checkpoint with it", t.Origin, t.Origin)
	}
	if _, err := note.Open(cp.Raw, named); err != nil {
		return fmt.Errorf("the checkpoint carries no valid signature by the publisher key named %s (the origin), the only one a witness checks: sign a new checkpoint with that key (catalog append or refresh --key)", t.Origin)
	}
	return nil
}

// ask asks the witness at url to cosign c's checkpoint and returns the
// line of its valid cosignature.
func (wr *WitnessRequest) ask(ctx context.Context, dir string, c *Catalog, url string) (string, *Cosignature, error) {
	cp := c.Checkpoint
	old := int64(0)
	for round := 0; round < 3; round++ {
		proof, err := ConsistencyProof(dir, cp, old)
		if err != nil {
			return "", nil, fmt.Errorf("cannot prove the log of %d records extends the witness's %d from the tiles (%v): if they are damaged, remove %s and run catalog witness again, which writes them from the records", cp.Size, old, err, filepath.Join(dir, "tile"))
		}
		var body bytes.Buffer
		fmt.Fprintf(&body, "old %d\n", old)
		for _, h := range proof {
			fmt.Fprintf(&body, "%s\n", h)
		}
		body.WriteString("\n")
		body.Write(cp.Raw)
		status, ctype, answer, err := wr.post(ctx, strings.TrimSuffix(url, "/")+"/add-checkpoint", body.Bytes())
		if err != nil {
			return "", nil, err
		}
		switch status {
		case http.StatusOK:
			return cosignatureFrom(cp, c.Trust, answer)
		case http.StatusConflict:
			size, err := parseTreeSize(ctype, answer)
			if err != nil {
				return "", nil, err
			}
			if size > cp.Size {
				return "", nil, fmt.Errorf("the witness has cosigned %d records of %s, more than this checkpoint's %d: it saw a longer log (a rollback here, or a split view)", size, cp.Origin, cp.Size)
			}
			if size == old {
				return "", nil, fmt.Errorf("the witness answered 409 with the size it was sent (%d)", size)
			}
			old = size
			continue
		case http.StatusNotFound:
			return "", nil, fmt.Errorf("the witness does not know the log %s (404): ask its operator to add it, with the publisher keys", cp.Origin)
		case http.StatusForbidden:
			return "", nil, fmt.Errorf("the witness does not trust the checkpoint's signatures (403): it needs a publisher key of %s named %s", cp.Origin, cp.Origin)
		case http.StatusUnprocessableEntity:
			return "", nil, fmt.Errorf("the witness refused the checkpoint as inconsistent with the %d records it cosigned before (422): the log it saw differs from this one (a split view or a rewritten history)", old)
		default:
			return "", nil, fmt.Errorf("the witness answered HTTP %d: %q", status, clip(strings.TrimSpace(string(answer))))
		}
	}
	return "", nil, errors.New("the witness's tree size kept changing (409 three times)")
}

// parseTreeSize reads a 409 answer to add-checkpoint: the tree size the
// witness last cosigned, in decimal, as text/x.tlog.size (tlog-witness).
func parseTreeSize(ctype string, answer []byte) (int64, error) {
	text := strings.TrimSuffix(string(answer), "\n")
	size, err := strconv.ParseInt(text, 10, 64)
	if mt, _, _ := strings.Cut(ctype, ";"); err != nil || size < 0 || strconv.FormatInt(size, 10) != text || strings.TrimSpace(mt) != "text/x.tlog.size" {
		return 0, fmt.Errorf("the witness answered 409 without its tree size (%q, %q)", clip(ctype), clip(string(answer)))
	}
	return size, nil
}

// post sends one add-checkpoint request, with a timeout, trying again on
// a passing failure.
func (wr *WitnessRequest) post(ctx context.Context, url string, body []byte) (status int, ctype string, answer []byte, err error) {
	client, timeout, tries := wr.Client, wr.Timeout, wr.Tries
	if client == nil {
		client = &http.Client{}
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if tries <= 0 {
		tries = 2
	}
	for try := 1; ; try++ {
		status, ctype, answer, err = postOnce(ctx, client, timeout, url, body)
		if err == nil && status < 500 {
			return status, ctype, answer, nil
		}
		if err == nil {
			err = fmt.Errorf("the witness answered HTTP %d: %q", status, clip(strings.TrimSpace(string(answer))))
		}
		if errors.Is(err, errTooLong) {
			return 0, "", nil, err // it would say the same again
		}
		if try >= tries || ctx.Err() != nil {
			if try > 1 {
				err = fmt.Errorf("%w (tried %d times)", err, try)
			}
			return 0, "", nil, err
		}
		select {
		case <-time.After(time.Duration(try) * 500 * time.Millisecond):
		case <-ctx.Done():
			return 0, "", nil, ctx.Err()
		}
	}
}

func postOnce(ctx context.Context, client *http.Client, timeout time.Duration, url string, body []byte) (int, string, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", nil, fmt.Errorf("the witness did not answer within %v", timeout)
		}
		return 0, "", nil, fmt.Errorf("cannot reach the witness: %v", netWords(err))
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxWitnessAnswer+1))
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", nil, fmt.Errorf("the witness did not finish its answer within %v", timeout)
		}
		return 0, "", nil, fmt.Errorf("reading the witness's answer: %v", netWords(err))
	}
	if len(answer) > maxWitnessAnswer {
		return 0, "", nil, errTooLong
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), answer, nil
}

// cosignatureFrom picks, from a witness's 200 answer, the one cosignature
// line by a witness of trust that verifies on cp (made no earlier than
// cp was issued). Lines from other keys are ignored, as tlog-witness asks;
// when no line is by a trusted witness, the error names what signed.
func cosignatureFrom(cp *Checkpoint, trust *Trust, answer []byte) (string, *Cosignature, error) {
	if !bytes.HasSuffix(answer, []byte("\n")) || !bytes.HasPrefix(answer, []byte("— ")) {
		return "", nil, fmt.Errorf("the witness's answer is not signature lines: %q", clip(string(answer)))
	}
	body, _, _ := bytes.Cut(cp.Raw, []byte("\n\n"))
	var others []string
	for _, line := range strings.SplitAfter(string(answer), "\n") {
		if line == "" {
			continue
		}
		name, hash, ok := signatureKey(strings.TrimSuffix(line, "\n"))
		if !ok {
			return "", nil, fmt.Errorf("the witness's answer holds a line that is not a signature: %q", clip(line))
		}
		w := trust.witnessFor(note.Signature{Name: name, Hash: hash})
		if w == nil {
			if t := trust.witnessByName(name); t != nil {
				others = append(others, fmt.Sprintf("%s with key ID %08x, not the trusted key's %08x (another key)", clip(name), hash, t.hash))
			} else {
				others = append(others, clip(name)+" (no witness in the trust file)")
			}
			continue
		}
		n, err := note.Open(fmt.Appendf(nil, "%s\n\n%s", body, line), witnessesOnly(trust))
		if err != nil {
			return "", nil, fmt.Errorf("the cosignature by %s does not verify on this checkpoint (made for another checkpoint, or forged)", w.name)
		}
		ts, err := cosignatureTime(n.Sigs[0])
		if err != nil {
			return "", nil, err
		}
		if ts.Before(cp.Issued) {
			return "", nil, fmt.Errorf("the cosignature by %s is dated %s, before the checkpoint was issued", w.name, ts.UTC().Format(time.RFC3339))
		}
		return line, &Cosignature{Witness: w.name, Key: w.vkey, Time: ts.UTC()}, nil
	}
	return "", nil, fmt.Errorf("no cosignature by a witness of the trust file: the witness cosigned as %s", strings.Join(others, ", "))
}

// witnessesOnly is a note.Verifiers of trust's witness keys.
func witnessesOnly(trust *Trust) note.Verifiers {
	var l verifierList
	for _, w := range trust.witnesses {
		l = append(l, w)
	}
	return l
}

// addSignatureLine adds a signature line to a signed note, replacing a
// line by the same key (an older cosignature of the same witness).
func addSignatureLine(msg []byte, line string) []byte {
	body, sigs, _ := bytes.Cut(msg, []byte("\n\n"))
	name, hash, _ := signatureKey(strings.TrimSuffix(line, "\n"))
	out := append(append([]byte(nil), body...), "\n\n"...)
	for _, l := range strings.SplitAfter(string(sigs), "\n") {
		if n, h, ok := signatureKey(strings.TrimSuffix(l, "\n")); l == "" || ok && n == name && h == hash {
			continue
		}
		out = append(out, l...)
	}
	return append(out, line...)
}
