package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Hostile witnesses: catalog witness (WitnessRequest.Cosign) against
// witnesses that are slow, down, or answer garbage, a cosignature for
// another checkpoint or by another key. Each is named with a reason,
// nothing hangs, and the checkpoint is written only when the witness
// quorum is met.

// witnessedDir builds a catalog of the sync fixture's first n records,
// its checkpoint also signed by a publisher key named as the origin (the
// key a witness checks), and a trust file naming the witnesses ws with
// witness quorum q. It returns the directory and the trust.
func witnessedDir(t testing.TB, n, q int, ws ...*testWitness) (string, *Trust) {
	t.Helper()
	f := newSyncFixture(t)
	dir := buildTiled(t.(*testing.T), f, f.recs[:n])
	originKey, originV := testKey(t, f.trust.Origin)
	tr := &Trust{Origin: f.trust.Origin, Publishers: []string{f.trust.Publishers[0], originV}, Quorum: 1, WitnessQuorum: q}
	for _, w := range ws {
		tr.Witnesses = append(tr.Witnesses, w.vkey)
	}
	trust, err := ParseTrust(tr.Format())
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenDir(dir, f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	cp := *c.Checkpoint
	c.Close()
	msg, err := SignCheckpoint(&cp, f.pub, originKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "checkpoint"), msg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "trust"), trust.Format(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, trust
}

// cosignDir runs Cosign on the catalog in dir as catalog witness does:
// opened without the witness quorum, which the request carries.
func cosignDir(t *testing.T, wr *WitnessRequest, dir string, trust *Trust, urls ...string) ([]WitnessAnswer, *Checkpoint, error) {
	t.Helper()
	c, err := OpenDir(dir, trust.PublisherOnly(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wr.Quorum = trust.WitnessQuorum
	return wr.Cosign(context.Background(), dir, c, urls)
}

// fakeWitness is a tlog-witness that keeps state as one should: the size
// and root it last cosigned; it checks the consistency proof it is sent.
type fakeWitness struct {
	t        *testing.T
	w        *testWitness
	at       time.Time // the time its cosignatures carry
	mu       sync.Mutex
	size     int64
	root     tlog.Hash
	requests atomic.Int32
}

// parseAddCheckpoint reads an add-checkpoint request: old size, proof,
// blank line, signed checkpoint.
func parseAddCheckpoint(body []byte) (old int64, proof tlog.TreeProof, cp []byte, size int64, root tlog.Hash, err error) {
	head, cp, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return 0, nil, nil, 0, root, errors.New("no blank line")
	}
	lines := strings.Split(string(head), "\n")
	o, ok := strings.CutPrefix(lines[0], "old ")
	if old, err = strconv.ParseInt(o, 10, 64); !ok || err != nil {
		return 0, nil, nil, 0, root, errors.New("no old line")
	}
	for _, l := range lines[1:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return 0, nil, nil, 0, root, err
		}
		proof = append(proof, h)
	}
	cpLines := strings.Split(string(cp), "\n")
	if len(cpLines) < 3 {
		return 0, nil, nil, 0, root, errors.New("short checkpoint")
	}
	if size, err = strconv.ParseInt(cpLines[1], 10, 64); err != nil {
		return 0, nil, nil, 0, root, err
	}
	root, err = tlog.ParseHash(cpLines[2])
	return old, proof, cp, size, root, err
}

func (fw *fakeWitness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fw.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	old, proof, cp, size, root, err := parseAddCheckpoint(body)
	if err != nil || r.URL.Path != "/add-checkpoint" {
		http.Error(w, fmt.Sprint(err), http.StatusBadRequest)
		return
	}
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if old != fw.size {
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", fw.size)
		return
	}
	if old > 0 && old < size {
		if err := tlog.CheckTree(proof, size, root, old, fw.root); err != nil {
			http.Error(w, "inconsistent", http.StatusUnprocessableEntity)
			return
		}
	}
	fw.size, fw.root = size, root
	io.WriteString(w, sigLines(fw.w.cosign(fw.t, cp, fw.at)))
}

// downURL is a loopback address nothing listens at.
func downURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	return "http://" + l.Addr().String()
}

func TestCosignHostileWitnesses(t *testing.T) {
	w1 := newTestWitness(t, "w1.example/w")
	later := benchIssued.Add(time.Hour)
	// Another checkpoint of the same log, for a cosignature that belongs
	// to it and not to the one asked about.
	otherDir, _ := witnessedDir(t, 200, 0, w1)
	otherCP, _ := os.ReadFile(filepath.Join(otherDir, "checkpoint"))

	answer := func(status int, ctype, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ctype != "" {
				w.Header().Set("Content-Type", ctype)
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	const timeout = 300 * time.Millisecond
	for _, tc := range []struct {
		name  string
		h     func(*testing.T) http.Handler // nil: nothing listens
		want  string
		tries int32 // requests the witness should see; 0: not counted
	}{
		{"down", nil, "cannot reach the witness", 0},
		{"slow", func(*testing.T) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body) // then a closed connection cancels r.Context
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
			})
		}, "did not answer within 300ms (tried 2 times)", 2},
		{"stalls mid-answer", func(*testing.T) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				io.WriteString(w, "— w1.example/w ")
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
			})
		}, "did not finish its answer within 300ms", 0},
		{"junk", func(*testing.T) http.Handler { return answer(200, "", "<html>hello</html>\n") }, "the witness's answer is not signature lines", 1},
		{"empty 200", func(*testing.T) http.Handler { return answer(200, "", "") }, "the witness's answer is not signature lines", 1},
		{"junk signature line", func(*testing.T) http.Handler { return answer(200, "", "— w1.example/w !!notbase64\n") }, "holds a line that is not a signature", 1},
		{"huge", func(*testing.T) http.Handler { return answer(200, "", strings.Repeat("— x AAAA\n", 10000)) }, "more than 65536 bytes", 1},
		{"cosignature for another checkpoint", func(t *testing.T) http.Handler {
			return answer(200, "", sigLines(w1.cosign(t, otherCP, later)))
		}, "the cosignature by w1.example/w does not verify on this checkpoint", 1},
		{"cosignature by another key", func(t *testing.T) http.Handler {
			return &fakeWitness{t: t, w: newTestWitness(t, "w9.example/w"), at: later}
		}, "the witness cosigned as w9.example/w (no witness in the trust file)", 1},
		{"another key under the trusted name", func(t *testing.T) http.Handler {
			impostor := newTestWitness(t, "w1.example/w-impostor")
			impostor.name = w1.name
			return &fakeWitness{t: t, w: impostor, at: later}
		}, "the witness cosigned as w1.example/w with key ID", 1},
		{"stale cosignature", func(t *testing.T) http.Handler {
			return &fakeWitness{t: t, w: w1, at: benchIssued.Add(-time.Minute)}
		}, "is dated 2026-10-31T23:59:00Z, before the checkpoint was issued", 1},
		{"409 with a garbage size", func(*testing.T) http.Handler { return answer(409, "text/x.tlog.size", "lots\n") }, "answered 409 without its tree size", 1},
		{"409 without the content type", func(*testing.T) http.Handler { return answer(409, "text/plain", "4\n") }, "answered 409 without its tree size", 1},
		{"409 with a negative size", func(*testing.T) http.Handler { return answer(409, "text/x.tlog.size", "-4\n") }, "answered 409 without its tree size", 1},
		{"409 with a longer log", func(*testing.T) http.Handler { return answer(409, "text/x.tlog.size", "5000\n") }, "has cosigned 5000 records", 1},
		{"409 with the size it was sent", func(*testing.T) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				old, _, _ := bytes.Cut(bytes.TrimPrefix(body, []byte("old ")), []byte("\n"))
				answer(409, "text/x.tlog.size", string(old)+"\n")(w, r)
			})
		}, "answered 409 with the size it was sent (0)", 1},
		{"409 for ever", func(*testing.T) http.Handler {
			var n atomic.Int32
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				answer(409, "text/x.tlog.size", fmt.Sprintf("%d\n", 10*n.Add(1)))(w, r)
			})
		}, "kept changing (409 three times)", 3},
		{"422 is not tried again", func(*testing.T) http.Handler { return answer(422, "", "inconsistent\n") }, "refused the checkpoint as inconsistent", 1},
		{"403", func(*testing.T) http.Handler { return answer(403, "", "unknown key\n") }, "named " + SyntheticOrigin, 1},
		{"404", func(*testing.T) http.Handler { return answer(404, "", "unknown log\n") }, "does not know the log", 1},
		{"500 twice", func(*testing.T) http.Handler { return answer(500, "", "oops\x1b[2J\n") }, "answered HTTP 500: \"oops\\x1b[2J\" (tried 2 times)", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, trust := witnessedDir(t, 300, 1, w1)
			before, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
			url := downURL(t)
			var requests func() int32
			if tc.h != nil {
				h := tc.h(t)
				var n atomic.Int32
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					n.Add(1)
					h.ServeHTTP(w, r)
				}))
				defer srv.Close()
				url, requests = srv.URL, n.Load
			}
			start := time.Now()
			answers, cp, err := cosignDir(t, &WitnessRequest{Timeout: timeout}, dir, trust, url)
			// Two tries of at most the timeout each, 0.5 s apart: never
			// more, however the witness behaves.
			if d := time.Since(start); d > 2*timeout+500*time.Millisecond+2*time.Second {
				t.Errorf("took %v", d)
			}
			if !errors.Is(err, ErrBelowWitnessQuorum) || cp == nil || len(cp.Cosigned) != 0 {
				t.Fatalf("err = %v, cp = %+v", err, cp)
			}
			if len(answers) != 1 || answers[0].Cosigned != nil || answers[0].Err == nil || !strings.Contains(answers[0].Err.Error(), tc.want) {
				t.Fatalf("answer: %+v, want %q", answers, tc.want)
			}
			if strings.ContainsRune(answers[0].Err.Error(), 0x1b) {
				t.Errorf("the witness's escape reached the reason: %q", answers[0].Err)
			}
			if tc.tries > 0 && requests() != tc.tries {
				t.Errorf("the witness was asked %d times, want %d", requests(), tc.tries)
			}
			if after, _ := os.ReadFile(filepath.Join(dir, "checkpoint")); !bytes.Equal(before, after) {
				t.Fatal("the checkpoint was rewritten")
			}
		})
	}
}

// TestCosignQuorum: three witnesses asked at once, one good, one slow,
// one down. Below the quorum nothing is written; at it, the good one's
// cosignature is added and tills that require it accept the checkpoint. A
// witness that fails once with a 503 is asked again. The slow one costs
// its timeout, not the sum.
func TestCosignQuorum(t *testing.T) {
	w1, w2, w3 := newTestWitness(t, "w1.example/w"), newTestWitness(t, "w2.example/w"), newTestWitness(t, "w3.example/w")
	later := benchIssued.Add(time.Hour)
	good := httptest.NewServer(&fakeWitness{t: t, w: w1, at: later})
	defer good.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer slow.Close()
	down := downURL(t)

	dir, trust := witnessedDir(t, 300, 2, w1, w2, w3)
	before, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
	start := time.Now()
	answers, _, err := cosignDir(t, &WitnessRequest{Timeout: 400 * time.Millisecond}, dir, trust, good.URL, slow.URL, down)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("three witnesses took %v: not asked at once", d)
	}
	if !errors.Is(err, ErrBelowWitnessQuorum) || !strings.Contains(err.Error(), "1 of the 2 required") {
		t.Fatalf("quorum 2: %v", err)
	}
	if answers[0].Cosigned == nil || answers[1].Err == nil || answers[2].Err == nil {
		t.Fatalf("answers: %+v", answers)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "checkpoint")); !bytes.Equal(before, after) {
		t.Fatal("a checkpoint below the witness quorum was written")
	}

	// Quorum 1: the same witness cosigns the same checkpoint again.
	trust1 := witnessedTrustOf(t, trust, 1)
	os.WriteFile(filepath.Join(dir, "trust"), trust1.Format(), 0o644)
	_, cp, err := cosignDir(t, &WitnessRequest{Timeout: 400 * time.Millisecond}, dir, trust1, good.URL, down)
	if err != nil || cp.WitnessNames() != "w1.example/w" {
		t.Fatalf("quorum 1: %v, %+v", err, cp)
	}
	c, err := OpenDir(dir, trust1, nil)
	if err != nil {
		t.Fatalf("a till requiring the witness: %v", err)
	}
	c.Close()

	// A witness that fails once (503) is asked again, and cosigns.
	dir2, trust2 := witnessedDir(t, 300, 1, w2)
	var n atomic.Int32
	fw := &fakeWitness{t: t, w: w2, at: later}
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fw.ServeHTTP(w, r)
	}))
	defer flaky.Close()
	answers, cp, err = cosignDir(t, &WitnessRequest{Timeout: time.Second}, dir2, trust2, flaky.URL)
	if err != nil || answers[0].Cosigned == nil || n.Load() != 2 {
		t.Fatalf("flaky witness: %v, %+v, %d requests", err, answers, n.Load())
	}
}

// witnessedTrustOf is trust with witness quorum q.
func witnessedTrustOf(t *testing.T, trust *Trust, q int) *Trust {
	tr := *trust
	tr.WitnessQuorum = q
	out, err := ParseTrust(tr.Format())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCosignNeedsOriginKey: a witness knows a log's key by its origin, so
// with no publisher signature by a key of that name nothing is asked.
func TestCosignNeedsOriginKey(t *testing.T) {
	w1 := newTestWitness(t, "w1.example/w")
	fw := &fakeWitness{t: t, w: w1, at: benchIssued.Add(time.Hour)}
	srv := httptest.NewServer(fw)
	defer srv.Close()

	// The publisher key is named "publisher", not as the origin.
	f := newSyncFixture(t)
	dir := buildTiled(t, f, f.recs[:100])
	plain := witnessedTrustOf(t, f.trust, 0)
	plain.Witnesses = []string{w1.vkey}
	plain, _ = ParseTrust(plain.Format())
	_, _, err := cosignDir(t, &WitnessRequest{}, dir, plain, srv.URL)
	if err == nil || !strings.Contains(err.Error(), "no publisher key of the trust file is named "+SyntheticOrigin) || !strings.Contains(err.Error(), "key generate --name "+SyntheticOrigin) {
		t.Fatalf("no key named as the origin: %v", err)
	}
	// A key named as the origin in the trust file, but the checkpoint
	// is not signed by it.
	_, originV := testKey(t, SyntheticOrigin)
	both := &Trust{Origin: SyntheticOrigin, Publishers: []string{f.trust.Publishers[0], originV}, Quorum: 1, Witnesses: []string{w1.vkey}}
	both, _ = ParseTrust(both.Format())
	_, _, err = cosignDir(t, &WitnessRequest{}, dir, both, srv.URL)
	if err == nil || !strings.Contains(err.Error(), "no valid signature by the publisher key named "+SyntheticOrigin) {
		t.Fatalf("checkpoint not signed by the origin key: %v", err)
	}
	if fw.requests.Load() != 0 {
		t.Fatalf("the witness was asked %d times", fw.requests.Load())
	}
}

// TestWitnessDownTillSyncs: a witness that is down leaves the published
// catalog as it was; a till that does not require witnesses syncs it, and
// one that does refuses it, naming the witness.
func TestWitnessDownTillSyncs(t *testing.T) {
	w1 := newTestWitness(t, "w1.example/w")
	dir, trust := witnessedDir(t, 300, 1, w1)
	if _, _, err := cosignDir(t, &WitnessRequest{Timeout: 200 * time.Millisecond, Tries: 1}, dir, trust, downURL(t)); !errors.Is(err, ErrBelowWitnessQuorum) {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	if _, err := Sync(context.Background(), nil, srv.URL, filepath.Join(t.TempDir(), "till"), witnessedTrustOf(t, trust, 0), "", benchIssued.Add(2*time.Hour)); err != nil {
		t.Fatalf("a till that does not require the witness: %v", err)
	}
	_, err := Sync(context.Background(), nil, srv.URL, filepath.Join(t.TempDir(), "till"), trust, "", benchIssued.Add(2*time.Hour))
	if securityCheck(err) != "witness" || !strings.Contains(err.Error(), "witness w1.example/w: no cosignature") {
		t.Fatalf("a till that requires the witness: %v", err)
	}
}
