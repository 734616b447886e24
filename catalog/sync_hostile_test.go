package catalog

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Hostile servers: each tries to keep a sync (and the directory's lock)
// for ever, or to make the till write far more than the catalog. Each
// sync must end with a clear error, the installed catalog kept.

// drip serves the real catalog's files, a byte at a time every every.
func drip(p pub, every time.Duration, served *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var data []byte
		switch r.URL.Path {
		case "/checkpoint":
			data = p.checkpoint
		case "/records":
			data = p.records
			if v, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
				from, _ := strconv.Atoi(strings.TrimSuffix(v, "-"))
				data = data[from:]
				w.Header().Set("Content-Range", "bytes "+strconv.Itoa(from)+"-"+strconv.Itoa(len(p.records)-1)+"/"+strconv.Itoa(len(p.records)))
				w.WriteHeader(http.StatusPartialContent)
			}
		default:
			http.NotFound(w, r)
			return
		}
		for _, b := range data {
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			served.Add(1)
			w.(http.Flusher).Flush()
			select {
			case <-time.After(every):
			case <-r.Context().Done():
				return
			}
		}
	})
}

func TestSyncHostile(t *testing.T) {
	f := newSyncFixture(t)
	old, new := f.prefix(t, 400), f.prefix(t, 600)
	mean := len(old.records) / 400

	// flood replays the real new checkpoint over well-framed forged
	// records of 64 KiB each.
	var flooded atomic.Int64
	flood := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/checkpoint":
			w.Write(new.checkpoint)
		case "/records":
			rec := bytes.Repeat([]byte("x"), MaxRecordSize)
			w.Header().Set("Content-Range", "bytes "+strconv.Itoa(len(old.records))+"-/*")
			w.WriteHeader(http.StatusPartialContent)
			for range 200 {
				n, err := w.Write(AppendFrame(nil, rec))
				flooded.Add(int64(n))
				if err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	})
	var dripped atomic.Int64
	var floodRead int64
	cases := []struct {
		name  string
		h     http.Handler
		setup func(s *Syncer)
		check string
		say   string
	}{
		// A byte every 20 ms never stalls a 200 ms window, but is far
		// below 1 KiB/s.
		{"drip", drip(new, 20*time.Millisecond, &dripped), nil, "", "too slow: the server sent"},
		// With no minimum rate, the overall deadline ends it.
		{"drip without a minimum rate", drip(new, 20*time.Millisecond, &dripped), func(s *Syncer) { s.MinRate, s.Deadline = -1, 700*time.Millisecond }, "", "did not finish within its deadline of 700ms"},
		{"replayed checkpoint over a flood of forged records", flood, nil, "records", "more than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, state := t.TempDir(), t.TempDir()
			install(t, f, old, dir, state)
			ts := httptest.NewServer(tc.h)
			defer ts.Close()
			s := testSyncer(f, ts.URL, dir, state)
			s.Attempts = 2
			if tc.setup != nil {
				tc.setup(s)
			}
			start := time.Now()
			res, err := s.Sync(context.Background(), syncNow)
			took := time.Since(start)
			if tc.check == "records" {
				floodRead = res.Fetched
			}
			var se *SyncError
			if !errors.As(err, &se) || se.Check != tc.check || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("sync = %v (after %v), want check %q saying %q", err, took, tc.check, tc.say)
			}
			t.Logf("%v: %v", took.Round(time.Millisecond), err)
			if !strings.Contains(err.Error(), "still using the installed catalog (400 records") {
				t.Errorf("error %q does not say the installed catalog stays", err)
			}
			if got := installed(t, f, dir, state); got.Size != 400 {
				t.Errorf("installed catalog changed: %d records", got.Size)
			}
			if n := recordsSize(t, dir); n != int64(len(old.records)) {
				t.Errorf("records file is %d bytes, want the installed %d", n, len(old.records))
			}
			if took > 5*time.Second {
				t.Errorf("the sync took %v", took)
			}
		})
	}

	// The flood's budget: what it let the till receive is bounded by the
	// catalog's mean record size (16 times it, and 4 MiB), not by 64 KiB
	// a record. The server got a little further, into the buffers.
	budget := tailBudget(200, int64(len(old.records)), 400)
	if want := 16*int64(mean)*200 + 4<<20; budget < want || budget > want+16*200 {
		t.Errorf("tail budget for 200 records of about %d bytes: %d, want about %d", mean, budget, want)
	}
	// The till read (and wrote) at most the budget and one buffer; the
	// server got further, into the socket's buffers.
	if floodRead > budget+256<<10+int64(len(new.checkpoint)) {
		t.Errorf("the till read %d bytes of the flood; its budget is %d", floodRead, budget)
	}
	t.Logf("the till read %d bytes of the flood (the server sent %d; 200 frames of 64 KiB would be %d); budget %d for a real tail of %d",
		floodRead, flooded.Load(), 200*(MaxRecordSize+6), budget, len(new.records)-len(old.records))
}

// A sync waiting on the lock of a directory another sync holds ends at
// its deadline, or the caller's when that is sooner, saying so.
func TestSyncDeadlineWhileLocked(t *testing.T) {
	f := newSyncFixture(t)
	cases := []struct {
		name     string
		deadline time.Duration // the Syncer's
		caller   time.Duration // the context's; 0 for none
		say      string
	}{
		{"its own", 300 * time.Millisecond, 0, "deadline of 300ms"},
		{"the caller's", time.Hour, 1200 * time.Millisecond, "did not finish within its deadline of 1s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			install(t, f, f.prefix(t, 10), dir, "")
			unlock, err := LockDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			ctx := context.Background()
			if tc.caller > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.caller)
				defer cancel()
			}
			s := testSyncer(f, "http://127.0.0.1:1/", dir, "")
			s.Deadline = tc.deadline
			_, err = s.Sync(ctx, syncNow)
			if err == nil || !strings.Contains(err.Error(), tc.say) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("sync = %v, want the deadline saying %q", err, tc.say)
			}
		})
	}
}

// Every request says who is asking.
func TestSyncUserAgent(t *testing.T) {
	f := newSyncFixture(t)
	srv, url := newServer(t, f.prefix(t, 10))
	s := testSyncer(f, url, t.TempDir(), "")
	s.UserAgent = "smartcheck/test (catalog sync)"
	if _, err := s.Sync(context.Background(), syncNow); err != nil {
		t.Fatal(err)
	}
	agents := srv.userAgents()
	if len(agents) != 3 {
		t.Fatalf("%d requests, want 3", len(agents))
	}
	for _, a := range agents {
		if a != s.UserAgent {
			t.Errorf("User-Agent %q, want %q", a, s.UserAgent)
		}
	}
}

// A checkpoint answered 304 stands for the installed one only when the
// validators were kept for it; a 304 to a request that was not
// conditional is an error, and a kept validator for another checkpoint
// is not sent.
func TestSyncConditional(t *testing.T) {
	f := newSyncFixture(t)
	p := f.prefix(t, 10)
	dir := t.TempDir()
	install(t, f, p, dir, "")
	var conditional []bool
	lastMod := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/checkpoint":
			conditional = append(conditional, r.Header.Get("If-None-Match") != "")
			w.Header().Set("ETag", `"v1"`)
			http.ServeContent(w, r, "", lastMod, bytes.NewReader(p.checkpoint))
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()
	for i, want := range []bool{false, true, true} {
		res, err := testSyncer(f, ts.URL, dir, "").Sync(context.Background(), syncNow)
		if err != nil || res.Installed {
			t.Fatalf("sync %d: %+v, %v", i, res, err)
		}
		if conditional[i] != want {
			t.Errorf("sync %d: conditional %v, want %v", i, conditional[i], want)
		}
	}
	// Validators kept for another checkpoint are not used.
	v := mustRead(t, filepath.Join(dir, validatorsFile))
	if err := os.WriteFile(filepath.Join(dir, validatorsFile), bytes.Replace(v, []byte("sha256 "), []byte("sha256 00"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := testSyncer(f, ts.URL, dir, "").Sync(context.Background(), syncNow); err != nil || conditional[3] {
		t.Fatalf("sync with validators of another checkpoint: conditional %v, %v", conditional[3], err)
	}
}

// Validators are kept for the URL they came from: a till moved to
// another mirror, whose newer checkpoint has the same Last-Modified and
// ETag (nginx's: the second and the size), takes it, instead of a 304 for
// the checkpoint it has. Before, the second sync sent the first mirror's
// validators, got a 304 and stayed behind (TestSyncForkFromTiles failed
// now and then for that reason).
func TestSyncValidatorsPerURL(t *testing.T) {
	f := newSyncFixture(t)
	lastMod := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	mirror := func(p pub) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body []byte
			switch r.URL.Path {
			case "/checkpoint":
				body = p.checkpoint
			case "/records":
				body = p.records
			default:
				http.NotFound(w, r)
				return
			}
			w.Header().Set("ETag", `"same"`)
			http.ServeContent(w, r, "", lastMod, bytes.NewReader(body))
		}))
	}
	a, b := mirror(f.prefix(t, 10)), mirror(f.prefix(t, 20))
	defer a.Close()
	defer b.Close()
	dir, state := t.TempDir(), t.TempDir()
	for i, m := range []struct {
		url  string
		size int64
	}{{a.URL, 10}, {a.URL, 10}, {b.URL, 20}} {
		res, err := testSyncer(f, m.url, dir, state).Sync(context.Background(), syncNow)
		if err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
		if got := installed(t, f, dir, state).Size; got != m.size {
			t.Fatalf("sync %d from %s: %d records installed (%+v), want %d", i, m.url, got, res, m.size)
		}
	}
}
