package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
	"github.com/smartcheck-uk/smartcheck/internal/servetest"
)

// demoCatalog opens the catalog built into the binary.
func demoCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := data.OpenDemo()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// running is a Server answering on loopback for one test.
type running struct {
	srv  *Server
	base string // http://127.0.0.1:PORT
	log  string // the due-diligence log's path
	stop func() error
}

// start serves cat (nil: none) with cfg on a free loopback port; the
// service stops when the test ends, if the test has not stopped it.
func start(t *testing.T, cfg Config, cat *catalog.Catalog) *running {
	t.Helper()
	path := filepath.Join(t.TempDir(), "checks.jsonl")
	if cfg.Log == nil {
		l, err := catalog.OpenDueDiligenceLog(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		cfg.Log = l
	}
	srv := New(cfg)
	if cat != nil {
		srv.Load(cat, true)
	}
	base, stop := listen(t, srv)
	return &running{srv: srv, base: base, log: path, stop: stop}
}

// listen serves srv on a free loopback port until stop is called, or the
// test ends; it returns the base URL.
func listen(tb testing.TB, srv *Server) (base string, stop func() error) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	stop = func() error {
		once.Do(func() { cancel(); serveErr = <-done })
		return serveErr
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Error(err)
		}
	})
	return "http://" + ln.Addr().String(), stop
}

// get fetches path and returns the status and body.
func get(t testing.TB, url string, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func post(t testing.TB, url string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

// do sends req and returns the status and body.
func do(t testing.TB, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// wantError checks that b is a JSON error starting "smartcheck: " and
// containing want.
func wantError(t *testing.T, b []byte, want string) {
	t.Helper()
	var e struct{ Error string }
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not a JSON error: %v: %q", err, b)
	}
	if !strings.HasPrefix(e.Error, "smartcheck: ") || !strings.Contains(e.Error, want) {
		t.Errorf("error %q, want it to start smartcheck: and say %q", e.Error, want)
	}
}

// stillAnswers checks that the service answers a good request.
func stillAnswers(t *testing.T, r *running) {
	t.Helper()
	status, b := get(t, r.base+"/v1/lookup?code=09520000000011")
	if status != 200 || !strings.Contains(string(b), `"verdict":"CAUTION"`) {
		t.Fatalf("the service no longer answers: %d %s", status, b)
	}
}

const goodGTIN = "09520000000011" // CAUTION in the demo catalog

// TestBadRequests sends every kind of bad request; each gets a clear 4xx
// with a JSON error (or, past the header limit, the server's own 431),
// and the service answers the next request.
func TestBadRequests(t *testing.T) {
	r := start(t, Config{}, demoCatalog(t))
	many := make([]string, 10_000)
	for i := range many {
		many[i] = goodGTIN
	}
	manyJSON, _ := json.Marshal(many)
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		want   string // in the JSON error; "" for a response that is not ours
	}{
		{"GET without a code", "GET", "/v1/lookup", "", 400, "no code"},
		{"GET with an empty code", "GET", "/v1/lookup?code=", "", 400, "no code"},
		{"GET with a bad date", "GET", "/v1/lookup?code=" + goodGTIN + "&at=2026-13-01", "", 400, "at:"},
		{"GET invalid UTF-8", "GET", "/v1/lookup?code=%ff%fe09520000000011", "", 400, "not valid UTF-8"},
		{"GET a 3 KB code", "GET", "/v1/lookup?code=" + strings.Repeat("9", 3000), "", 400, "longer than any product code"},
		{"GET a 100 KB code", "GET", "/v1/lookup?code=" + strings.Repeat("9", 100_000), "", 431, ""},
		{"POST an empty array", "POST", "/v1/lookup", "[]", 400, "no codes"},
		{"POST nothing", "POST", "/v1/lookup", "", 400, "JSON array"},
		{"POST an object", "POST", "/v1/lookup", `{"code":"1"}`, 400, "JSON array"},
		{"POST numbers", "POST", "/v1/lookup", `[9520000000011]`, 400, "JSON array"},
		{"POST an empty code", "POST", "/v1/lookup", `["` + goodGTIN + `",""]`, 400, "code 1: no code"},
		{"POST 10,000 codes", "POST", "/v1/lookup", string(manyJSON), 413, "at most 1000"},
		{"POST 1,001 codes", "POST", "/v1/lookup", string(manyJSON[:1001*17]) + "]", 413, "1001 codes"},
		{"POST a 10 MB body", "POST", "/v1/lookup", `["` + strings.Repeat("9", 10<<20) + `"]`, 413, "larger than"},
		{"POST a 100 KB code", "POST", "/v1/lookup", `["` + strings.Repeat("9", 100_000) + `"]`, 400, "longer than any product code"},
		{"POST invalid UTF-8", "POST", "/v1/lookup", "[\"\xff\xfe\"]", 400, "not valid UTF-8"},
		{"POST truncated JSON", "POST", "/v1/lookup", `["` + goodGTIN, 400, "JSON array"},
		{"PUT", "PUT", "/v1/lookup", "[]", 405, ""},
		{"unknown path", "GET", "/v2/lookup", "", 404, "no such endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, r.base+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.status, b)
			}
			if tt.want != "" {
				wantError(t, b, tt.want)
			}
			stillAnswers(t, r)
		})
	}
	if _, b := get(t, r.base+"/metrics"); !strings.Contains(string(b), "smartcheck_requests_rejected_total 1") {
		t.Errorf("the rejected requests are not counted:\n%s", b)
	}
}

// TestNotACodeIsAnAnswer: a code that does not read as a product code is
// a 200 with error set, as lookup --json says it, and is logged.
func TestNotACodeIsAnAnswer(t *testing.T) {
	r := start(t, Config{}, demoCatalog(t))
	status, b := get(t, r.base+"/v1/lookup?code=hello")
	if status != 200 {
		t.Fatalf("status %d: %s", status, b)
	}
	var rep catalog.ErrorReport
	if err := json.Unmarshal(b, &rep); err != nil || rep.Input != "hello" || rep.Error == "" || rep.Catalog == nil {
		t.Fatalf("answer %s (%v)", b, err)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	recs := readLog(t, r.log)
	if len(recs) != 1 || recs[0].Event != catalog.EventUnreadable || recs[0].Input != "hello" {
		t.Fatalf("log %+v", recs)
	}
}

func readLog(t *testing.T, path string) []catalog.DueDiligenceRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, bad, err := catalog.ReadDueDiligenceLog(f)
	if err != nil || len(bad) > 0 {
		t.Fatalf("read log: %v, bad lines %v", err, bad)
	}
	return recs
}

// TestLogRecordsEveryLookup: every code of a GET and a POST is in the
// log once stopped, with the client's address, numbered in one session.
func TestLogRecordsEveryLookup(t *testing.T) {
	r := start(t, Config{}, demoCatalog(t))
	get(t, r.base+"/v1/lookup?code="+goodGTIN)
	status, b := post(t, r.base+"/v1/lookup", strings.NewReader(`["`+goodGTIN+`","nope","(01)09520000000011(10)B1"]`))
	if status != 200 {
		t.Fatalf("POST: %d %s", status, b)
	}
	var answers []map[string]any
	if err := json.Unmarshal(b, &answers); err != nil || len(answers) != 3 {
		t.Fatalf("POST answer %s: %v", b, err)
	}
	if answers[2]["batch"] != "B1" {
		t.Errorf("batch not read: %v", answers[2])
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	recs := readLog(t, r.log)
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4: %+v", len(recs), recs)
	}
	for i, rec := range recs {
		if host, _, err := net.SplitHostPort(rec.Client); err != nil || host != "127.0.0.1" {
			t.Errorf("record %d: client %q", i, rec.Client)
		}
		if rec.Seq != i+1 || rec.Session != recs[0].Session || !strings.HasPrefix(rec.Session, "serve-") {
			t.Errorf("record %d: session %q seq %d", i, rec.Session, rec.Seq)
		}
	}
	if recs[0].Event != catalog.EventCheck || recs[0].Verdict != "CAUTION" || recs[0].Catalog == nil {
		t.Errorf("first record %+v", recs[0])
	}
	if recs[2].Event != catalog.EventUnreadable {
		t.Errorf("third record %+v", recs[2])
	}
}

// TestHealthz: 503 with the reason while no catalog is loaded, or it is
// untrusted or expired; 200 with a trusted one.
func TestHealthz(t *testing.T) {
	t.Run("none loaded", func(t *testing.T) {
		r := start(t, Config{}, nil)
		status, b := get(t, r.base+"/healthz")
		if status != 503 || !strings.Contains(string(b), "no trusted catalog is loaded yet") {
			t.Errorf("%d %s", status, b)
		}
		status, b = get(t, r.base+"/v1/lookup?code="+goodGTIN)
		if status != 503 {
			t.Errorf("lookup: %d %s", status, b)
		}
		wantError(t, b, "no trusted catalog")
	})
	t.Run("untrusted", func(t *testing.T) {
		r := start(t, Config{}, nil)
		r.srv.Untrusted(errors.New("catalog /x refused (signature check failed)"))
		status, b := get(t, r.base+"/healthz")
		if status != 503 || !strings.Contains(string(b), "signature check failed") {
			t.Errorf("%d %s", status, b)
		}
	})
	t.Run("expired", func(t *testing.T) {
		later := func() time.Time { return time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC) }
		r := start(t, Config{Now: later}, demoCatalog(t))
		status, b := get(t, r.base+"/healthz")
		if status != 503 || !strings.Contains(string(b), "the catalog expired at 2030-11-01T00:00:00Z") {
			t.Errorf("%d %s", status, b)
		}
	})
	t.Run("ok", func(t *testing.T) {
		r := start(t, Config{}, demoCatalog(t))
		status, b := get(t, r.base+"/healthz")
		if status != 200 || !strings.Contains(string(b), `"status":"ok"`) {
			t.Errorf("%d %s", status, b)
		}
	})
}

// TestToken: with a token, every endpoint wants it; a wrong one, one of
// another length, or another scheme get a 401 with a JSON error.
func TestToken(t *testing.T) {
	const token = "s3cret-token-0123456789"
	r := start(t, Config{Token: token}, demoCatalog(t))
	for _, path := range []string{"/v1/lookup?code=" + goodGTIN, "/healthz", "/metrics"} {
		for _, auth := range []string{"", "Bearer wrong", "Bearer " + token + "x", "Bearer " + token[:len(token)-1], "Basic " + token, token} {
			status, b := get(t, r.base+path, "Authorization", auth)
			if status != 401 {
				t.Errorf("%s with %q: %d", path, auth, status)
				continue
			}
			wantError(t, b, "bearer token")
		}
		for _, auth := range []string{"Bearer " + token, "bearer " + token} {
			if status, b := get(t, r.base+path, "Authorization", auth); status != 200 {
				t.Errorf("%s with the token: %d %s", path, status, b)
			}
		}
	}
}

// promLine is a sample line of the Prometheus text format.
var promLine = regexp.MustCompile(`^[a-z_]+(\{[a-z_]+="[^"]*"\})? -?[0-9.e+-]+$`)

// TestMetrics: /metrics is in the Prometheus text format and counts the
// lookups by verdict, the latency histogram, the catalog and the syncs.
func TestMetrics(t *testing.T) {
	r := start(t, Config{}, demoCatalog(t))
	get(t, r.base+"/v1/lookup?code="+goodGTIN)
	post(t, r.base+"/v1/lookup", strings.NewReader(`["`+goodGTIN+`","x"]`))
	status, b := get(t, r.base+"/metrics")
	if status != 200 {
		t.Fatalf("%d", status)
	}
	text := string(b)
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !strings.HasPrefix(line, "# HELP ") && !strings.HasPrefix(line, "# TYPE ") && !promLine.MatchString(line) {
			t.Errorf("not a Prometheus line: %q", line)
		}
	}
	for _, want := range []string{
		`smartcheck_lookups_total{verdict="CAUTION"} 2`,
		`smartcheck_lookups_total{verdict="unreadable"} 1`,
		`smartcheck_lookups_total{verdict="STOP"} 0`,
		`smartcheck_lookup_duration_seconds_bucket{le="+Inf"} 2`,
		`smartcheck_lookup_duration_seconds_count 2`,
		`smartcheck_catalog_records 120`,
		`smartcheck_catalog_loaded 1`,
		`smartcheck_syncs_total{outcome="installed"} 0`,
		"# TYPE smartcheck_catalog_age_seconds gauge",
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("no line %q in\n%s", want, text)
		}
	}
}

// TestSlowClients: a client that trickles its headers (slowloris) or its
// body is cut off at the deadline, while others are answered meanwhile.
func TestSlowClients(t *testing.T) {
	r := start(t, Config{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 600 * time.Millisecond}, demoCatalog(t))
	addr := strings.TrimPrefix(r.base, "http://")
	tests := []struct {
		name  string
		first string
		drip  string
	}{
		{"headers", "GET /v1/lookup?code=" + goodGTIN + " HTTP/1.1\r\nHost: x\r\n", "X-A: b\r\n"},
		{"body", "POST /v1/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[", `"1",`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			begin := time.Now()
			if _, err := io.WriteString(c, tt.first); err != nil {
				t.Fatal(err)
			}
			cut := make(chan time.Duration, 1)
			go func() {
				io.Copy(io.Discard, c) // until the server closes
				cut <- time.Since(begin)
			}()
			for {
				select {
				case d := <-cut:
					if d > 5*time.Second {
						t.Errorf("cut off after %v", d)
					}
					stillAnswers(t, r)
					return
				case <-time.After(100 * time.Millisecond):
				}
				if time.Since(begin) > 10*time.Second {
					t.Fatal("the slow client was never cut off")
				}
				io.WriteString(c, tt.drip) // may fail once cut: the reader sees it
				stillAnswers(t, r)
			}
		})
	}
}

// TestManyConnections opens 1,000 connections at once, each asking for a
// lookup, one in ten for a thousand codes: each is answered, refused in
// JSON (busy) or cut off, and the service answers the next request.
// (cmd/smartcheck's TestServeMemory holds the memory of the real binary
// under the same flood to 300 MB.)
func TestManyConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 connections: skipped in -short mode")
	}
	r := start(t, Config{}, demoCatalog(t))
	counts := servetest.Flood(r.base, 1000, MaxBatch, goodGTIN)
	t.Logf("%v", counts)
	if counts["200"] == 0 {
		t.Fatal("no connection was answered")
	}
	for k := range counts {
		if k != "200" && k != "503" && k != "cut off" {
			t.Errorf("%d answered %s", counts[k], k)
		}
	}
	stillAnswers(t, r)
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestShutdownFinishesInFlight: a request whose body is still arriving
// when the service is told to stop is answered in full; the service then
// stops, with its lookups in the log, and takes no new connection.
func TestShutdownFinishesInFlight(t *testing.T) {
	r := start(t, Config{}, demoCatalog(t))
	pr, pw := io.Pipe()
	type result struct {
		status int
		body   []byte
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Post(r.base+"/v1/lookup", "application/json", pr)
		if err != nil {
			got <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{resp.StatusCode, b, err}
	}()
	io.WriteString(pw, `["`+goodGTIN+`",`)
	time.Sleep(100 * time.Millisecond) // the request is in flight
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("stopped with a request in flight: %v", err)
	default:
	}
	io.WriteString(pw, `"nope"]`)
	pw.Close()
	res := <-got
	if res.err != nil || res.status != 200 {
		t.Fatalf("in-flight request: %d %v %s", res.status, res.err, res.body)
	}
	var answers []json.RawMessage
	if err := json.Unmarshal(res.body, &answers); err != nil || len(answers) != 2 {
		t.Fatalf("answer %s: %v", res.body, err)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if recs := readLog(t, r.log); len(recs) != 2 {
		t.Fatalf("%d records in the log, want 2", len(recs))
	}
	if _, err := http.Get(r.base + "/healthz"); err == nil {
		t.Error("a stopped service answered")
	}
}

// syntheticDirs writes two synthetic catalogs, the second extending the
// first, as a publisher's next catalog does.
func syntheticDirs(t *testing.T, a, b int) (string, string, *catalog.Trust) {
	t.Helper()
	dir := t.TempDir()
	issued := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	trust, err := catalog.WriteSynthetic(filepath.Join(dir, "a"), a, "serve-test", issued, issued.AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.WriteSynthetic(filepath.Join(dir, "b"), b, "serve-test", issued.Add(time.Hour), issued.AddDate(10, 0, 0)); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "a"), filepath.Join(dir, "b"), trust
}

// TestSwapUnderLoad: a background sync installs a newer catalog again
// and again while clients look codes up as fast as they can. No request
// fails, each answer comes whole from one catalog or the other, and every
// catalog swapped out is closed once its last request ended.
func TestSwapUnderLoad(t *testing.T) {
	dirA, dirB, trust := syntheticDirs(t, 300, 400)
	var mu sync.Mutex
	var opened []*catalog.Catalog
	open := func(dir string) *catalog.Catalog {
		c, err := catalog.OpenDir(dir, trust, nil)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		opened = append(opened, c)
		mu.Unlock()
		return c
	}
	flip := 0
	follow := &Follow{
		Source: "test://swap",
		Every:  2 * time.Millisecond,
		Sync: func(ctx context.Context, installed *catalog.Catalog) (catalog.SyncResult, error) {
			if installed == nil {
				return catalog.SyncResult{}, errors.New("no catalog in use")
			}
			return catalog.SyncResult{Installed: true, Added: 100}, nil
		},
		Open: func() (*catalog.Catalog, error) {
			flip++
			if flip%2 == 1 {
				return open(dirB), nil
			}
			return open(dirA), nil
		},
	}
	first := open(dirA)
	r := start(t, Config{Follow: follow}, first)
	// At least 1.5 s and 10 swaps (a slow machine opens catalogs slowly).
	var done atomic.Bool
	go func() {
		begin := time.Now()
		for {
			time.Sleep(10 * time.Millisecond)
			mu.Lock()
			n := len(opened)
			mu.Unlock()
			if n > 10 && time.Since(begin) > 1500*time.Millisecond || time.Since(begin) > time.Minute {
				done.Store(true)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !done.Load(); i++ {
				gtin := catalog.SyntheticGTIN(101 + (w*1000+i)%199)
				resp, err := http.Get(r.base + "/v1/lookup?code=" + gtin)
				if err != nil {
					errs <- err
					return
				}
				var rep struct {
					Verdict string
					Product *catalog.ReportProduct
					Catalog *catalog.ReportCatalog
				}
				err = json.NewDecoder(resp.Body).Decode(&rep)
				resp.Body.Close()
				switch {
				case err != nil:
					errs <- err
				case resp.StatusCode != 200:
					errs <- fmt.Errorf("status %d", resp.StatusCode)
				case rep.Catalog == nil || (rep.Catalog.Size != 300 && rep.Catalog.Size != 400):
					errs <- fmt.Errorf("answer from catalog %+v", rep.Catalog)
				case rep.Product == nil || rep.Verdict == "":
					errs <- fmt.Errorf("%s: no product in the answer: %+v", gtin, rep)
				}
				if len(errs) > 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, b := get(t, r.base+"/metrics")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`smartcheck_syncs_total\{outcome="installed"\} (\d+)`).FindSubmatch(b)
	if m == nil || len(m[1]) < 2 {
		t.Errorf("fewer than 10 swaps: %s", m)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d catalogs swapped in", len(opened))
	for i, c := range opened {
		if err := c.Close(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("catalog %d was not closed (Close: %v)", i, err)
		}
	}
}

// TestFollowFirstSync: with no catalog yet, lookups are 503 until the
// first sync installs one; a refused sync is counted and said in
// /healthz, and the catalog in use stays.
func TestFollowFirstSync(t *testing.T) {
	dirA, _, trust := syntheticDirs(t, 150, 151)
	refuse := make(chan bool, 1)
	follow := &Follow{
		Source: "test://first",
		Every:  20 * time.Millisecond,
		Sync: func(ctx context.Context, installed *catalog.Catalog) (catalog.SyncResult, error) {
			if installed == nil {
				return catalog.SyncResult{Installed: true}, nil
			}
			select {
			case <-refuse:
				return catalog.SyncResult{}, &catalog.SyncError{Check: "rollback", Err: errors.New("the catalog was rolled back")}
			default:
				return catalog.SyncResult{}, nil
			}
		},
		Open: func() (*catalog.Catalog, error) { return catalog.OpenDir(dirA, trust, nil) },
	}
	r := start(t, Config{Follow: follow}, nil)
	var status int
	var b []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if status, b = get(t, r.base+"/healthz"); status == 200 {
			break
		}
	}
	if status != 200 || !strings.Contains(string(b), `"source":"test://first"`) {
		t.Fatalf("healthz %d %s", status, b)
	}
	refuse <- true
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, b = get(t, r.base+"/healthz"); strings.Contains(string(b), `"outcome":"refused"`) {
			break
		}
	}
	if !strings.Contains(string(b), "rolled back") {
		t.Errorf("healthz does not say the sync was refused: %s", b)
	}
	stillAnswersCode(t, r, catalog.SyntheticGTIN(120))
	_, m := get(t, r.base+"/metrics")
	if !regexp.MustCompile(`smartcheck_syncs_total\{outcome="refused"\} [1-9]`).Match(m) {
		t.Errorf("refusal not counted:\n%s", m)
	}
}

func stillAnswersCode(t *testing.T, r *running, code string) {
	t.Helper()
	if status, b := get(t, r.base+"/v1/lookup?code="+code); status != 200 {
		t.Fatalf("%d %s", status, b)
	}
}

// TestLogKeepsUpWithBurst: more records than the log's queue holds, from
// many clients at once, all reach the log, none twice.
func TestLogKeepsUpWithBurst(t *testing.T) {
	// Slow machines (-race) take a while: no request may give up.
	r := start(t, Config{QueueTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute}, demoCatalog(t))
	batch, _ := json.Marshal(slicesRepeat(goodGTIN, MaxBatch))
	var wg sync.WaitGroup
	for range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, b := post(t, r.base+"/v1/lookup", strings.NewReader(string(batch)))
			if status != 200 {
				t.Errorf("%d %.200s", status, b)
			}
		}()
	}
	wg.Wait()
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(r.log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[int]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec catalog.DueDiligenceRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if seen[rec.Seq] {
			t.Fatalf("seq %d twice", rec.Seq)
		}
		seen[rec.Seq] = true
	}
	if len(seen) != 60*MaxBatch {
		t.Fatalf("%d records, want %d", len(seen), 60*MaxBatch)
	}
}
