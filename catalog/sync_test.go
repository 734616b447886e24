package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// The day the sync tests run on: the fixture's checkpoints are fresh.
var syncNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// syncFixture is a publisher: a log of records and its key. Catalogs of
// any prefix of the log can be signed from it.
type syncFixture struct {
	trust *Trust
	pub   Signer
	recs  [][]byte
}

var (
	fixtureOnce sync.Once
	fixtureVal  *syncFixture
	fixtureErr  error
)

func newSyncFixture(t testing.TB) *syncFixture {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "syncfixture")
		if err != nil {
			fixtureErr = err
			return
		}
		defer os.RemoveAll(dir)
		trust, err := WriteSynthetic(dir, 700, "sync", benchIssued, benchExpires)
		if err != nil {
			fixtureErr = err
			return
		}
		data, err := os.ReadFile(filepath.Join(dir, "records"))
		if err != nil {
			fixtureErr = err
			return
		}
		recs, err := ReadFrames(data)
		if err != nil {
			fixtureErr = err
			return
		}
		pub, _, err := syntheticKey("sync", "publisher")
		fixtureVal, fixtureErr = &syncFixture{trust: trust, pub: pub, recs: recs}, err
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

// pub is a published catalog: the two files a server serves.
type pub struct {
	checkpoint, records []byte
	cp                  *Checkpoint
}

// sign publishes records as a catalog issued at issued, expiring a year
// later.
func (f *syncFixture) sign(t testing.TB, recs [][]byte, issued time.Time) pub {
	t.Helper()
	return f.signAs(t, recs, SyntheticOrigin, issued, issued.Add(365*24*time.Hour), f.pub)
}

func (f *syncFixture) signAs(t testing.TB, recs [][]byte, origin string, issued, expires time.Time, signers ...Signer) pub {
	t.Helper()
	var data []byte
	var tree treeBuilder
	for _, r := range recs {
		data = AppendFrame(data, r)
		tree.add(tlog.RecordHash(r))
	}
	cp := &Checkpoint{Origin: origin, Size: int64(len(recs)), Root: tree.root(), Issued: issued, Expires: expires}
	msg, err := SignCheckpoint(cp, signers...)
	if err != nil {
		t.Fatal(err)
	}
	return pub{checkpoint: msg, records: data, cp: cp}
}

// prefix publishes the first n records, issued on day n of 2026-11.
func (f *syncFixture) prefix(t testing.TB, n int) pub {
	return f.sign(t, f.recs[:n], issuedFor(n))
}

func issuedFor(n int) time.Time {
	return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
}

// install puts p in dir as an installed catalog, and remembers it in
// state as accepted.
func install(t testing.TB, f *syncFixture, p pub, dir, state string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"records": p.records, "checkpoint": p.checkpoint, "trust": f.trust.Format()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if state != "" {
		cp, err := OpenCheckpoint(p.checkpoint, f.trust)
		if err != nil {
			t.Fatal(err)
		}
		if err := SaveAccepted(state, nil, cp); err != nil {
			t.Fatal(err)
		}
	}
}

// server serves a published catalog, with faults on demand.
type server struct {
	t  testing.TB
	mu sync.Mutex
	p  pub

	ignoreRange bool
	fault       string // for the next faults records responses: truncate, cut, stall, 503
	faults      int
	stall       time.Duration

	served   atomic.Int64 // body bytes sent
	requests []string
	agents   []string // the User-Agent of each request
}

func newServer(t testing.TB, p pub) (*server, string) {
	s := &server{t: t, p: p, stall: time.Second}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts.URL + "/catalog/"
}

func (s *server) set(p pub) {
	s.mu.Lock()
	s.p = p
	s.mu.Unlock()
}

func (s *server) setFault(fault string, n int) {
	s.mu.Lock()
	s.fault, s.faults = fault, n
	s.mu.Unlock()
}

func (s *server) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *server) userAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.agents...)
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.p
	rng := r.Header.Get("Range")
	if !strings.Contains(r.URL.Path, "/tile/") { // tiles: TestSyncForkFromTiles
		s.requests = append(s.requests, strings.TrimSpace(r.URL.Path+" "+rng))
	}
	s.agents = append(s.agents, r.Header.Get("User-Agent"))
	fault := ""
	if r.URL.Path == "/catalog/records" && s.faults > 0 {
		fault = s.fault
		s.faults--
	}
	ignoreRange := s.ignoreRange
	s.mu.Unlock()

	var data []byte
	switch r.URL.Path {
	case "/catalog/checkpoint":
		data = p.checkpoint
	case "/catalog/records":
		data = p.records
	default:
		http.NotFound(w, r)
		return
	}
	cw := &countingWriter{w, &s.served}
	if fault == "" {
		if ignoreRange {
			r.Header.Del("Range")
		}
		http.ServeContent(cw, r, "", time.Time{}, bytes.NewReader(data))
		return
	}
	start := 0
	if v, ok := strings.CutPrefix(rng, "bytes="); ok && !ignoreRange {
		start, _ = strconv.Atoi(strings.TrimSuffix(v, "-"))
	}
	body := data[start:]
	if fault == "503" {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if start > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, len(data)-1, len(data)))
		w.WriteHeader(http.StatusPartialContent)
	}
	half := body[:len(body)/2]
	cw.Write(half)
	switch fault {
	case "truncate":
		// Return early: the server closes a response shorter than its
		// Content-Length.
	case "cut":
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	case "stall":
		w.(http.Flusher).Flush()
		select {
		case <-time.After(s.stall):
		case <-r.Context().Done():
		}
	}
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func testSyncer(f *syncFixture, url, dir, state string) *Syncer {
	return &Syncer{URL: url, Dir: dir, Trust: f.trust, State: state, Stall: 200 * time.Millisecond, Backoff: 5 * time.Millisecond, Attempts: 4}
}

// installed opens the catalog in dir as a till would: against the last
// checkpoint it accepted.
func installed(t testing.TB, f *syncFixture, dir, state string) *Checkpoint {
	t.Helper()
	last, err := LoadAccepted(state, f.trust)
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenDir(dir, f.trust, last)
	if err != nil {
		t.Fatalf("the installed catalog does not open: %v", err)
	}
	c.Close()
	return c.Checkpoint
}

func recordsSize(t testing.TB, dir string) int64 {
	st, err := os.Stat(filepath.Join(dir, "records"))
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// A sync fetches the checkpoint and only the new tail of the records.
func TestSyncAppendsTail(t *testing.T) {
	f := newSyncFixture(t)
	old, new := f.prefix(t, 400), f.prefix(t, 600)
	dir, state := t.TempDir(), t.TempDir()
	install(t, f, old, dir, state)
	srv, url := newServer(t, new)
	res, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Installed || res.Added != 200 || res.FullDownload || res.Old.Size != 400 || res.New.Size != 600 {
		t.Fatalf("result %+v", res)
	}
	if got := installed(t, f, dir, state); got.Size != 600 {
		t.Fatalf("installed %d records, want 600", got.Size)
	}
	tail := int64(len(new.records) - len(old.records))
	if want := tail + int64(len(new.checkpoint)); res.Fetched != want || srv.served.Load() != want {
		t.Errorf("fetched %d bytes, server sent %d; want the tail and the checkpoint, %d", res.Fetched, srv.served.Load(), want)
	}
	want := []string{"/catalog/trust.d/2", "/catalog/checkpoint", fmt.Sprintf("/catalog/records bytes=%d-", len(old.records))}
	if got := srv.log(); !equalStrings(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	last, _ := LoadAccepted(state, f.trust)
	if last == nil || last.Size != 600 {
		t.Errorf("accepted checkpoint %+v, want size 600", last)
	}

	// Again: up to date, and no records are fetched.
	res, err = testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
	if err != nil || res.Installed || res.New.Size != 600 {
		t.Fatalf("second sync: %+v, %v", res, err)
	}
	if n := len(srv.log()); n != 5 {
		t.Errorf("second sync made %d requests, want the trust probe and the checkpoint only", n-3)
	}
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

// The first sync fetches the whole catalog into an empty directory, and
// writes the trust file beside it.
func TestSyncFirstInstall(t *testing.T) {
	f := newSyncFixture(t)
	new := f.prefix(t, 500)
	dir := filepath.Join(t.TempDir(), "a", "catalog")
	state := t.TempDir()
	_, url := newServer(t, new)
	s := testSyncer(f, url, dir, state)
	s.TrustFile = []byte("# the chain's publisher\n" + string(f.trust.Format()))
	res, err := s.Sync(context.Background(), syncNow)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Installed || res.Added != 500 || !res.FullDownload || res.Old != nil {
		t.Fatalf("result %+v", res)
	}
	if got := installed(t, f, dir, state); got.Size != 500 {
		t.Fatalf("installed %d records", got.Size)
	}
	if tf, _ := os.ReadFile(filepath.Join(dir, "trust")); string(tf) != string(s.TrustFile) {
		t.Errorf("trust file %q", tf)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*")); len(left) > 0 {
		t.Errorf("left behind %v", left)
	}
}

// Security failures: each is refused with the check that failed, is not
// retried, and leaves the installed catalog as it was, in use.
func TestSyncRefuses(t *testing.T) {
	f := newSyncFixture(t)
	old := f.prefix(t, 400)
	other, _, err := syntheticKey("other", "publisher")
	if err != nil {
		t.Fatal(err)
	}
	// A history with record 10 dropped, signed by the real publisher.
	forked := append(append([][]byte{}, f.recs[:10]...), f.recs[11:601]...)
	tamper := func(p pub, at int, b byte) pub {
		p.records = bytes.Clone(p.records)
		p.records[at] = b
		return p
	}
	cases := []struct {
		name  string
		p     pub
		check string
		say   string
	}{
		{"rolled back to fewer records", f.prefix(t, 300), "rollback", "commits to 300 records, the installed one to 400"},
		{"rolled back to an earlier issue", f.sign(t, f.recs[:400], issuedFor(400).Add(-time.Hour)), "rollback", "issued 2026-11-01T05:40:00Z, before the installed one, issued 2026-11-01T06:40:00Z"},
		{"forked with more records", f.sign(t, forked, issuedFor(600)), "fork", "first 400 records differ from the installed ones, issued"},
		{"forked at the same size", f.sign(t, forked[:400], issuedFor(401)), "fork", "two signed histories"},
		{"tampered tail", tamper(f.prefix(t, 600), len(old.records)+5000, '~'), "root", "do not hash to the published checkpoint's root"},
		{"tampered frame", tamper(f.prefix(t, 600), len(old.records), 'x'), "root", "not well framed"},
		{"tail truncated at the server", func() pub { p := f.prefix(t, 600); p.records = p.records[:len(p.records)-3000]; return p }(), "", "ends before|ended after"},
		{"expired", f.signAs(t, f.recs[:600], SyntheticOrigin, issuedFor(600), syncNow.Add(-time.Hour), f.pub), "expired", "expired at 2026-11-24T11:00:00Z"},
		{"signed by another key", f.signAs(t, f.recs[:600], SyntheticOrigin, issuedFor(600), benchExpires, other), "quorum", "not signed by any trusted publisher key"},
		{"altered checkpoint", func() pub {
			p := f.prefix(t, 600)
			p.checkpoint = bytes.Replace(p.checkpoint, []byte("\n600\n"), []byte("\n601\n"), 1)
			return p
		}(), "signature", "does not verify"},
		{"another origin", f.signAs(t, f.recs[:600], "elsewhere.example/uk", issuedFor(600), benchExpires, f.pub), "origin", "for origin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, state := t.TempDir(), t.TempDir()
			install(t, f, old, dir, state)
			srv, url := newServer(t, tc.p)
			_, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
			var se *SyncError
			if !errors.As(err, &se) {
				t.Fatalf("sync = %v, want a SyncError", err)
			}
			t.Log(err)
			if se.Check != tc.check || !matches(err.Error(), tc.say) {
				t.Errorf("sync = %q (check %q); want check %q saying %q", err, se.Check, tc.check, tc.say)
			}
			if !strings.Contains(err.Error(), "still using the installed catalog (400 records, issued 2026-11-01T06:40:00Z)") {
				t.Errorf("error %q does not say which catalog stays in use", err)
			}
			if tc.check != "" {
				if n := len(srv.log()); n > 4 {
					t.Errorf("a security failure was retried: requests %q", srv.log())
				}
			}
			if got := installed(t, f, dir, state); got.Size != 400 || string(got.Raw) != string(old.checkpoint) {
				t.Errorf("installed catalog changed: %d records", got.Size)
			}
			if n := recordsSize(t, dir); n != int64(len(old.records)) {
				t.Errorf("records file is %d bytes, want the old %d", n, len(old.records))
			}
		})
	}
}

func matches(s, alternatives string) bool {
	for _, a := range strings.Split(alternatives, "|") {
		if strings.Contains(s, a) {
			return true
		}
	}
	return false
}

// Transient failures are retried from the last whole record received;
// when they persist, the installed catalog stays.
func TestSyncRetries(t *testing.T) {
	f := newSyncFixture(t)
	old, new := f.prefix(t, 400), f.prefix(t, 600)
	tail := int64(len(new.records) - len(old.records))
	cases := []struct {
		name        string
		fault       string
		faults      int
		ignoreRange bool
		ok          bool
	}{
		{"truncated twice", "truncate", 2, false, true},
		{"connection cut twice", "cut", 2, false, true},
		{"stalled once", "stall", 1, false, true},
		{"server busy", "503", 3, false, true},
		{"truncated, range ignored", "truncate", 1, true, true},
		{"range ignored", "", 0, true, true},
		{"always truncated", "truncate", 100, false, false},
		{"always stalled", "stall", 100, false, false},
		{"always cut", "cut", 100, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, state := t.TempDir(), t.TempDir()
			install(t, f, old, dir, state)
			srv, url := newServer(t, new)
			srv.ignoreRange = tc.ignoreRange
			srv.setFault(tc.fault, tc.faults)
			start := time.Now()
			res, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
			took := time.Since(start)
			want := int64(400)
			if tc.ok {
				want = 600
				if err != nil {
					t.Fatalf("sync: %v (requests %q)", err, srv.log())
				}
				if res.Retries != tc.faults {
					t.Errorf("%d retries, want %d", res.Retries, tc.faults)
				}
				if tc.ignoreRange != res.FullDownload {
					t.Errorf("FullDownload = %v", res.FullDownload)
				}
				if !tc.ignoreRange && res.Fetched > 2*tail {
					t.Errorf("fetched %d bytes for a tail of %d: retries did not resume", res.Fetched, tail)
				}
			} else {
				var se *SyncError
				if !errors.As(err, &se) || se.Check != "" || se.Attempts != 4 {
					t.Fatalf("sync = %v, want a failure after 4 attempts", err)
				}
				if !strings.Contains(err.Error(), "(tried 4 times); still using the installed catalog (400 records") {
					t.Errorf("error %q", err)
				}
				if n := recordsSize(t, dir); n != int64(len(old.records)) {
					t.Errorf("records file is %d bytes, want the old %d", n, len(old.records))
				}
			}
			if got := installed(t, f, dir, state); got.Size != want {
				t.Errorf("installed %d records, want %d", got.Size, want)
			}
			if took > 3*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}

// What a killed sync leaves past the committed end is cut off first.
func TestSyncAfterKilledSync(t *testing.T) {
	f := newSyncFixture(t)
	old, new := f.prefix(t, 400), f.prefix(t, 600)
	dir, state := t.TempDir(), t.TempDir()
	install(t, f, old, dir, state)
	// Half a tail of garbage, and a temporary checkpoint never renamed.
	garbage := append(bytes.Clone(old.records), "1234\nhalf a record"...)
	os.WriteFile(filepath.Join(dir, "records"), garbage, 0o644)
	os.WriteFile(filepath.Join(dir, ".checkpoint.tmp123"), []byte("partial"), 0o644)
	if got := installed(t, f, dir, state); got.Size != 400 {
		t.Fatal("garbage broke the old catalog")
	}
	_, url := newServer(t, new)
	if _, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow); err != nil {
		t.Fatal(err)
	}
	if got := installed(t, f, dir, state); got.Size != 600 {
		t.Fatalf("installed %d records", got.Size)
	}
	if n := recordsSize(t, dir); n != int64(len(new.records)) {
		t.Errorf("records file is %d bytes, want %d", n, len(new.records))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*")); len(left) > 0 {
		t.Errorf("left behind %v", left)
	}
}

// A checkpoint of the same records signed later (a fresher expiry) is
// installed; the same one again is not.
func TestSyncFresherCheckpoint(t *testing.T) {
	f := newSyncFixture(t)
	old := f.prefix(t, 400)
	fresher := f.sign(t, f.recs[:400], issuedFor(400).Add(24*time.Hour))
	dir, state := t.TempDir(), t.TempDir()
	install(t, f, old, dir, state)
	srv, url := newServer(t, old)
	res, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
	if err != nil || res.Installed {
		t.Fatalf("same checkpoint: %+v, %v", res, err)
	}
	srv.set(fresher)
	res, err = testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
	if err != nil || !res.Installed || res.Added != 0 {
		t.Fatalf("fresher checkpoint: %+v, %v", res, err)
	}
	if got := installed(t, f, dir, state); !got.Issued.Equal(fresher.cp.Issued) {
		t.Errorf("installed checkpoint issued %v", got.Issued)
	}
	for _, r := range srv.log() {
		if strings.HasPrefix(r, "/catalog/records") {
			t.Errorf("fetched records for a checkpoint of the same records: %q", r)
		}
	}
}

// The till's memory of what it accepted counts as much as the installed
// catalog: a directory restored from an old backup is brought forward,
// but never to something older than, or not extending, what was accepted.
func TestSyncAgainstAccepted(t *testing.T) {
	f := newSyncFixture(t)
	old, mid, new := f.prefix(t, 300), f.prefix(t, 450), f.prefix(t, 600)
	forked := append(append([][]byte{}, f.recs[:310]...), f.recs[311:601]...)

	t.Run("restored from a backup", func(t *testing.T) {
		dir, state := t.TempDir(), t.TempDir()
		install(t, f, mid, dir, state)
		install(t, f, old, dir, "")
		_, url := newServer(t, new)
		if _, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow); err != nil {
			t.Fatal(err)
		}
		if got := installed(t, f, dir, state); got.Size != 600 {
			t.Fatalf("installed %d", got.Size)
		}
	})
	t.Run("rolled back behind the accepted", func(t *testing.T) {
		dir, state := t.TempDir(), t.TempDir()
		install(t, f, mid, dir, state)
		install(t, f, old, dir, "")
		_, url := newServer(t, f.prefix(t, 400))
		_, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
		var se *SyncError
		if !errors.As(err, &se) || se.Check != "rollback" || !strings.Contains(err.Error(), "the last accepted one to 450") {
			t.Fatalf("sync = %v", err)
		}
	})
	t.Run("forked after the installed, before the accepted", func(t *testing.T) {
		dir, state := t.TempDir(), t.TempDir()
		install(t, f, mid, dir, state)
		install(t, f, old, dir, "")
		_, url := newServer(t, f.sign(t, forked, issuedFor(600)))
		_, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
		var se *SyncError
		if !errors.As(err, &se) || se.Check != "fork" {
			t.Fatalf("sync = %v", err)
		}
		if got, _ := OpenDir(dir, f.trust, nil); got == nil || got.Size() != 300 {
			t.Fatalf("installed catalog changed")
		} else {
			got.Close()
		}
	})
	t.Run("first install, forked", func(t *testing.T) {
		dir, state := t.TempDir(), t.TempDir()
		install(t, f, mid, t.TempDir(), state)
		_, url := newServer(t, f.sign(t, forked, issuedFor(600)))
		_, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
		var se *SyncError
		if !errors.As(err, &se) || se.Check != "fork" || !strings.Contains(err.Error(), "no catalog was installed") {
			t.Fatalf("sync = %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "checkpoint")); err == nil {
			t.Fatal("a forked catalog was installed")
		}
	})
}

// A catalog in the directory that no longer verifies is replaced by the
// published one, whole.
func TestSyncReplacesBroken(t *testing.T) {
	f := newSyncFixture(t)
	old, new := f.prefix(t, 400), f.prefix(t, 600)
	dir, state := t.TempDir(), t.TempDir()
	install(t, f, old, dir, state)
	os.WriteFile(filepath.Join(dir, "records"), flip(old.records, 100), 0o644)
	_, url := newServer(t, new)
	res, err := testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced == nil || !res.FullDownload || res.Old != nil {
		t.Errorf("result %+v", res)
	}
	if got := installed(t, f, dir, state); got.Size != 600 {
		t.Fatalf("installed %d", got.Size)
	}
}

// Two syncs of one directory at once take turns.
func TestSyncConcurrent(t *testing.T) {
	f := newSyncFixture(t)
	old, new := f.prefix(t, 400), f.prefix(t, 600)
	dir, state := t.TempDir(), t.TempDir()
	install(t, f, old, dir, state)
	_, url := newServer(t, new)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = testSyncer(f, url, dir, state).Sync(context.Background(), syncNow)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := installed(t, f, dir, state); got.Size != 600 {
		t.Fatalf("installed %d", got.Size)
	}
	if n := recordsSize(t, dir); n != int64(len(new.records)) {
		t.Errorf("records file is %d bytes, want %d", n, len(new.records))
	}
}

// A cancelled sync stops, and leaves the installed catalog.
func TestSyncCancelled(t *testing.T) {
	f := newSyncFixture(t)
	old, new := f.prefix(t, 400), f.prefix(t, 600)
	dir, state := t.TempDir(), t.TempDir()
	install(t, f, old, dir, state)
	srv, url := newServer(t, new)
	srv.setFault("stall", 100)
	srv.stall = 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	s := testSyncer(f, url, dir, state)
	s.Stall = 10 * time.Second
	start := time.Now()
	_, err := s.Sync(ctx, syncNow)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sync = %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cancelled sync took %v", took)
	}
	if got := installed(t, f, dir, state); got.Size != 400 {
		t.Fatalf("installed %d", got.Size)
	}
}

// A till's sync extends the catalog it has open, without hashing the
// installed log again, as long as that is still what the directory holds.
func TestSyncExtendsOpenCatalog(t *testing.T) {
	f := newSyncFixture(t)
	old, mid, new := f.prefix(t, 400), f.prefix(t, 500), f.prefix(t, 600)
	for _, tc := range []struct {
		name   string
		change func(dir string) // what happens to dir after the till opened it
		reused bool
		size   int64
	}{
		{"unchanged", func(string) {}, true, 600},
		{"synced meanwhile by another process", func(dir string) {
			os.WriteFile(filepath.Join(dir, "records"), mid.records, 0o644)
			os.WriteFile(filepath.Join(dir, "checkpoint"), mid.checkpoint, 0o644)
		}, false, 600},
		{"records file replaced", func(dir string) {
			tmp := filepath.Join(dir, "new-records")
			os.WriteFile(tmp, flip(old.records, 100), 0o644)
			os.Rename(tmp, filepath.Join(dir, "records"))
		}, false, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, state := t.TempDir(), t.TempDir()
			install(t, f, old, dir, state)
			open, err := OpenDir(dir, f.trust, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer open.Close()
			tc.change(dir)
			_, url := newServer(t, new)
			s := testSyncer(f, url, dir, state)
			s.Installed = open
			var steps []string
			s.Progress = func(step string) { steps = append(steps, step) }
			res, err := s.Sync(context.Background(), syncNow)
			if err != nil {
				t.Fatal(err)
			}
			reused := strings.Contains(strings.Join(steps, "\n"), "verified when it was opened")
			if reused != tc.reused {
				t.Errorf("reused the open catalog: %v, want %v (steps %q)", reused, tc.reused, steps)
			}
			if res.New.Size != tc.size {
				t.Errorf("installed %d", res.New.Size)
			}
			if got := installed(t, f, dir, state); got.Size != tc.size {
				t.Errorf("installed %d", got.Size)
			}
			// The open catalog is left open and as it was.
			if _, err := open.Record(399); err != nil || open.Size() != 400 {
				t.Errorf("the open catalog changed: %v", err)
			}
		})
	}
}

// A publisher appends while a plain file server serves its directory and
// tills sync from it: Append writes the records before the checkpoint
// that commits to them, so no sync ever sees a half-written catalog —
// every sync succeeds, and the last one gets everything.
func TestSyncWhilePublishing(t *testing.T) {
	f := newSyncFixture(t)
	pubDir := t.TempDir()
	install(t, f, f.prefix(t, 300), pubDir, "")
	ts := httptest.NewServer(http.FileServer(http.Dir(pubDir)))
	defer ts.Close()

	done := make(chan error, 1)
	go func() {
		for i := 300; i < 700; i += 20 {
			c, err := OpenDir(pubDir, f.trust, nil)
			if err != nil {
				done <- err
				return
			}
			_, err = Append(pubDir, c, f.recs[i:i+20], []Signer{f.pub}, issuedFor(i+20), 365*24*time.Hour)
			c.Close()
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	dir, state := t.TempDir(), t.TempDir()
	syncs := 0
	for publishing := true; publishing; syncs++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			publishing = false
		default:
		}
		if _, err := testSyncer(f, ts.URL, dir, state).Sync(context.Background(), syncNow); err != nil {
			t.Fatalf("sync %d while publishing: %v", syncs, err)
		}
		installed(t, f, dir, state)
	}
	if got := installed(t, f, dir, state); got.Size != 700 {
		t.Errorf("after publishing ended: %d records, want 700", got.Size)
	}
	t.Logf("%d syncs while 20 appends were published", syncs)
}

// Every mangled byte of a published checkpoint, and of the new records
// (every 7th), is refused as a security failure, and the installed
// catalog stays, opening as before.
func TestSyncMangled(t *testing.T) {
	f := newSyncFixture(t)
	old, new := f.prefix(t, 150), f.prefix(t, 153)
	dir, state := t.TempDir(), t.TempDir()
	install(t, f, old, dir, state)
	srv, url := newServer(t, new)
	tries := 0
	try := func(what string, p pub) {
		t.Helper()
		tries++
		srv.set(p)
		s := testSyncer(f, url, dir, state)
		// Every failure here is a refusal: a long stall clock keeps a
		// loaded machine from turning one into a stall.
		s.Attempts, s.Stall = 1, 5*time.Second
		_, err := s.Sync(context.Background(), syncNow)
		var se *SyncError
		if !errors.As(err, &se) || se.Check == "" {
			t.Fatalf("%s: sync = %v, want a refusal", what, err)
		}
		if tries%25 == 0 { // opening checks 101 key records' signatures: not every time
			if got := installed(t, f, dir, state); got.Size != 150 {
				t.Fatalf("%s: installed %d records", what, got.Size)
			}
		}
	}
	for i := range new.checkpoint {
		p := new
		p.checkpoint = bytes.Clone(p.checkpoint)
		p.checkpoint[i] ^= 0x10
		try(fmt.Sprintf("checkpoint byte %d", i), p)
	}
	for i := len(old.records); i < len(new.records); i += 7 {
		p := new
		p.records = bytes.Clone(p.records)
		p.records[i] ^= 0x10
		try(fmt.Sprintf("records byte %d", i), p)
	}
	if n := recordsSize(t, dir); n != int64(len(old.records)) {
		t.Errorf("records file is %d bytes, want the old %d", n, len(old.records))
	}
	if got := installed(t, f, dir, state); got.Size != 150 {
		t.Fatalf("installed %d records", got.Size)
	}
}
