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
}

// maxWitnessAnswer bounds a witness's answer: a few signature lines.
const maxWitnessAnswer = 64 << 10

// Cosign asks the witnesses at urls to cosign the checkpoint of c, the
// catalog in dir opened under the caller's LockDir, using the tiles in dir
// for consistency proofs. It adds every valid cosignature by a witness of
// c.Trust to the checkpoint, and writes it back (verified, then renamed
// into place) when any was added. It returns each witness's answer and
// the checkpoint as it now is.
func (wr *WitnessRequest) Cosign(ctx context.Context, dir string, c *Catalog, urls []string) ([]WitnessAnswer, *Checkpoint, error) {
	if len(c.Trust.Witnesses) == 0 {
		return nil, nil, errors.New("the trust file names no witness: add a `witness KEY` line for each witness, with the key its operator publishes")
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
	msg := c.Checkpoint.Raw
	added := false
	for _, l := range lines {
		if l != "" {
			msg, added = addSignatureLine(msg, l), true
		}
	}
	if !added {
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
	if err := writeFileAtomic(filepath.Join(dir, "checkpoint"), msg); err != nil {
		return answers, nil, err
	}
	return answers, cp, nil
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
			size, err := strconv.ParseInt(strings.TrimSuffix(string(answer), "\n"), 10, 64)
			if err != nil || size < 0 || !strings.HasPrefix(ctype, "text/x.tlog.size") {
				return "", nil, fmt.Errorf("the witness answered 409 without its tree size (%q)", clip(string(answer)))
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
			return "", nil, fmt.Errorf("the witness answered HTTP %d: %s", status, clip(strings.TrimSpace(string(answer))))
		}
	}
	return "", nil, errors.New("the witness's tree size kept changing (409 three times)")
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
			err = fmt.Errorf("the witness answered HTTP %d: %s", status, clip(strings.TrimSpace(string(answer))))
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
		return 0, "", nil, fmt.Errorf("the witness's answer is more than %d bytes", maxWitnessAnswer)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), answer, nil
}

// cosignatureFrom picks, from a witness's 200 answer, the one cosignature
// line by a witness of trust that verifies on cp (made no earlier than
// cp was issued). Lines from other keys are ignored, as tlog-witness asks.
func cosignatureFrom(cp *Checkpoint, trust *Trust, answer []byte) (string, *Cosignature, error) {
	if !bytes.HasSuffix(answer, []byte("\n")) || !bytes.HasPrefix(answer, []byte("— ")) {
		return "", nil, fmt.Errorf("the witness's answer is not signature lines: %q", clip(string(answer)))
	}
	var names []string
	for _, line := range strings.SplitAfter(string(answer), "\n") {
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "— ") {
			return "", nil, fmt.Errorf("the witness's answer holds a line that is not a signature: %q", clip(line))
		}
		names = append(names, clip(strings.Fields(line)[1]))
		body, _, _ := bytes.Cut(cp.Raw, []byte("\n\n"))
		n, err := note.Open(fmt.Appendf(nil, "%s\n\n%s", body, line), witnessesOnly(trust))
		if err != nil {
			var inv *note.InvalidSignatureError
			if errors.As(err, &inv) {
				return "", nil, fmt.Errorf("the cosignature by %s does not verify on this checkpoint", inv.Name)
			}
			continue // not a witness of the trust file
		}
		ts, err := cosignatureTime(n.Sigs[0])
		if err != nil {
			return "", nil, err
		}
		if ts.Before(cp.Issued) {
			return "", nil, fmt.Errorf("the cosignature by %s is dated %s, before the checkpoint was issued", n.Sigs[0].Name, ts.UTC().Format(time.RFC3339))
		}
		w := trust.witnessFor(n.Sigs[0])
		return line, &Cosignature{Witness: w.name, Key: w.vkey, Time: ts.UTC()}, nil
	}
	return "", nil, fmt.Errorf("the witness cosigned as %s, which is no witness in the trust file: add its key as a `witness` line if it is to count", strings.Join(names, ", "))
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
