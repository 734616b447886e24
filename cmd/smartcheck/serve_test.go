package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/internal/servetest"
	"github.com/smartcheck-uk/smartcheck/serve"
)

// isolate keeps a test's commands from the machine's installed catalog,
// state and log.
func isolate(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("HOME", dir)
}

// TestServeAnswersAsLookup holds the service and `lookup --json` to one
// schema: for every product of the demo catalog, for codes that are not
// product codes and for inputs with control and bidirectional characters,
// GET /v1/lookup returns exactly the line lookup --json prints, and POST
// the same objects in an array.
func TestServeAnswersAsLookup(t *testing.T) {
	isolate(t)
	cf := catalogFlags{}
	cat, err := cf.open(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for r := range cat.Search("0", catalog.Query{Today: catalog.Today()}) {
		codes = append(codes, r.GTIN, strings.TrimLeft(r.GTIN, "0"))
	}
	codes = append(codes, "hello", "(01)09520000000011(10)B\u202eX", "]C1010952000000001110B2402",
		"https://id.gs1.org/01/09520000000011/10/B1?x=<&>", "0952000000001\u0085", "\u200b09520000000011", "12345678")
	srv := serve.New(serve.Config{})
	srv.Load(cat.Catalog, cat.demo)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	const at = "2026-12-01"
	var stdout, stderr bytes.Buffer
	run(append([]string{"lookup", "--json", "--at", at, "--"}, codes...), strings.NewReader(""), &stdout, &stderr)
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != len(codes) {
		t.Fatalf("lookup printed %d lines for %d codes; stderr:\n%s", len(lines), len(codes), &stderr)
	}
	for i, code := range codes {
		resp, err := http.Get(hs.URL + "/v1/lookup?at=" + at + "&code=" + url.QueryEscape(code))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := strings.TrimSuffix(string(b), "\n"); got != lines[i] {
			t.Errorf("%q:\nserve  %s\nlookup %s", code, got, lines[i])
		}
	}
	body, _ := json.Marshal(codes)
	resp, err := http.Post(hs.URL+"/v1/lookup?at="+at, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var objects []json.RawMessage
	if err := json.Unmarshal(b, &objects); err != nil || len(objects) != len(codes) {
		t.Fatalf("POST: %v, %d objects: %.300s", err, len(objects), b)
	}
	for i, o := range objects {
		if string(o) != lines[i] {
			t.Errorf("POST %q:\nserve  %s\nlookup %s", codes[i], o, lines[i])
		}
	}
}

// TestLookupStdinPipe keeps one `lookup -` running on pipes, as a POS
// would: each code written gets its answer before the next is written;
// every line gets exactly one line back, a bad or overlong line too.
func TestLookupStdinPipe(t *testing.T) {
	isolate(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	status := make(chan int, 1)
	go func() {
		status <- run([]string{"lookup", "--json", "--at", "2026-11-24", "-"}, inR, outW, &stderr)
		outW.Close()
	}()
	answers := bufio.NewReader(outR)
	for _, tt := range []struct{ in, want string }{
		{"9520000000011", `"gtin":"09520000000011","verdict":"CAUTION"`},
		{"9520000000127", `"verdict":"STOP"`},
		{"not a code", `"error":`},
		{"", `"error":"empty scan"`},
		{strings.Repeat("9", 10_000), `"error":"not a product code: longer than 4096 bytes"`},
		{"(01)09520000001100(10)BM2403\r", `"batch":"BM2403"`},
	} {
		write := make(chan error, 1)
		go func() { _, err := io.WriteString(inW, tt.in+"\n"); write <- err }()
		line := make(chan string, 1)
		go func() { l, _ := answers.ReadString('\n'); line <- l }()
		select {
		case l := <-line:
			if !strings.Contains(l, tt.want) {
				t.Errorf("%.40q: answer %.300s, want %s", tt.in, l, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%.40q: no answer before the next code", tt.in)
		}
		if err := <-write; err != nil {
			t.Fatal(err)
		}
	}
	inW.Close()
	if extra, _ := io.ReadAll(answers); len(extra) > 0 {
		t.Errorf("more output than answers: %q", extra)
	}
	if st := <-status; st != 1 {
		t.Errorf("exit status %d, want 1 (bad codes were read); stderr:\n%s", st, &stderr)
	}
	if n := strings.Count(stderr.String(), "smartcheck: "); n != 3 {
		t.Errorf("%d error lines, want 3:\n%s", n, &stderr)
	}
}

// serveBinary starts the real binary's serve on a free loopback port and
// returns its base URL and its process. Its standard error goes to errs.
func serveBinary(t *testing.T, errs *syncBuffer, args ...string) (string, *exec.Cmd) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin, err := exec.LookPath("smartcheck")
	if err != nil {
		t.Fatalf("the test binary is not installed as smartcheck on PATH: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_STATE_HOME="+filepath.Join(dir, "state"), "HOME="+dir)
	cmd.Stderr = errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := regexp.MustCompile(`serving on http://([0-9.:]+)/`)
	var base string
	waitFor(t, 20*time.Second, "serve to listen", func() bool {
		if m := addr.FindStringSubmatch(errs.String()); m != nil {
			base = "http://" + m[1]
			return true
		}
		return false
	})
	return base, cmd
}

// syncBuffer is a bytes.Buffer for a process's output read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// peakRSSOf returns a process's peak resident set (VmHWM) in MiB.
func peakRSSOf(t *testing.T, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb / 1024
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// TestServeMemory floods the real binary: 1,000 connections at once (one
// in ten with 1,000 codes), 10 MB bodies, 100 KB codes and 10,000-code
// batches from 50 clients at once. Each gets an answer, a JSON error or
// is cut off; the service answers afterwards, and its peak memory stays
// under 300 MB.
func TestServeMemory(t *testing.T) {
	var errs syncBuffer
	base, cmd := serveBinary(t, &errs)
	counts := servetest.Flood(base, 1000, serve.MaxBatch, "09520000000011")
	t.Logf("1,000 connections: %v", counts)
	big := `["` + strings.Repeat("9", 10<<20) + `"]`
	longCode := `["` + strings.Repeat("9", 100_000) + `"]`
	many, _ := json.Marshal(make([]string, 10_000))
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[string]int{}
	for i := range 150 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := []string{big, longCode, string(many)}[i%3]
			how := "cut off"
			resp, err := http.Post(base+"/v1/lookup", "application/json", strings.NewReader(body))
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				how = strconv.Itoa(resp.StatusCode)
			}
			mu.Lock()
			statuses[how]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("bad bodies: %v", statuses)
	for k := range statuses {
		if k != "400" && k != "413" && k != "cut off" {
			t.Errorf("%d bad bodies answered %s", statuses[k], k)
		}
	}
	resp, err := http.Get(base + "/v1/lookup?code=09520000000011")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the service no longer answers: %v %v", err, resp)
	}
	resp.Body.Close()
	rss := peakRSSOf(t, cmd.Process.Pid)
	t.Logf("peak memory %d MB", rss)
	if rss >= 300 {
		t.Errorf("peak memory %d MB, want under 300", rss)
	}
}

// TestServeSIGTERM: SIGTERM while a request's body is still arriving.
// The request is answered in full, the process exits 0 having said so,
// and every lookup is in the due-diligence log, synced.
func TestServeSIGTERM(t *testing.T) {
	var errs syncBuffer
	logPath := filepath.Join(t.TempDir(), "checks.jsonl")
	base, cmd := serveBinary(t, &errs, "--log", logPath)
	get, err := http.Get(base + "/v1/lookup?code=09520000000011")
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()

	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := `["09520000000011","9520000000127","nope"]`
	fmt.Fprintf(c, "POST /v1/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	io.WriteString(c, body[10:])
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the request in flight was dropped: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	var objects []json.RawMessage
	if resp.StatusCode != 200 || json.Unmarshal(b, &objects) != nil || len(objects) != 3 {
		t.Fatalf("the request in flight: %d %s", resp.StatusCode, b)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v; stderr:\n%s", err, errs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	if !strings.Contains(errs.String(), "smartcheck: stopped; the due-diligence log is written and synced") {
		t.Errorf("stderr:\n%s", errs.String())
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, bad, err := catalog.ReadDueDiligenceLog(f)
	if err != nil || len(bad) > 0 || len(recs) != 4 {
		t.Fatalf("log: %d records, bad %v, %v", len(recs), bad, err)
	}
	if recs[2].Verdict != "STOP" || recs[3].Event != catalog.EventUnreadable || recs[3].Client == "" {
		t.Errorf("log records %+v", recs)
	}
}

// TestPOSClients runs docs/pos-client.py and docs/pos-client.sh against the
// real service, with a token, as the README shows them.
func TestPOSClients(t *testing.T) {
	const token = "pos-client-test-token-0123456789"
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var errs syncBuffer
	base, _ := serveBinary(t, &errs, "--at", "2026-11-24", "--token-file", tokenFile)
	want := "9520000000011\tCAUTION\tsell\t"
	wantStop := "9520000000127\tSTOP\thold\t"
	for _, c := range []struct{ prog, pkg, script string }{
		{"python3", "python3", "../../docs/pos-client.py"},
		{"jq", "jq", "../../docs/pos-client.sh"},
	} {
		t.Run(c.prog, func(t *testing.T) {
			needProgram(t, c.prog, c.pkg)
			name, args := "python3", []string{c.script}
			if c.prog == "jq" {
				needProgram(t, "curl", "curl")
				name, args = "sh", []string{c.script}
			}
			cmd := exec.CommandContext(context.Background(), name, append(args, "9520000000011", "9520000000127", "hello")...)
			cmd.Env = append(os.Environ(), "SMARTCHECK_URL="+base, "SMARTCHECK_TOKEN="+token)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[0], want) || !strings.HasPrefix(lines[1], wantStop) ||
				!strings.HasPrefix(lines[2], "hello\tCHECK\thold\tnot a product code") {
				t.Errorf("output:\n%s", out)
			}
			// Without the token: no verdict, and the client holds the item.
			cmd = exec.Command(name, append(args, "9520000000011")...)
			cmd.Env = append(os.Environ(), "SMARTCHECK_URL="+base, "SMARTCHECK_TOKEN=")
			out, _ = cmd.CombinedOutput()
			if strings.Contains(string(out), "\tsell") || !strings.Contains(string(out), "bearer token") {
				t.Errorf("without the token:\n%s", out)
			}
		})
	}
}

// TestLookupStdinOrder: a file of codes, looked up on every core, is
// answered in its own order, one line each.
func TestLookupStdinOrder(t *testing.T) {
	isolate(t)
	var in strings.Builder
	var want []string
	for i := range 3000 {
		code := []string{"9520000000011", "9520000000127", "x" + strconv.Itoa(i), "", strings.Repeat("7", 5000)}[i%5]
		if i%5 == 2 {
			code = strconv.Itoa(i)
		}
		in.WriteString(code + "\n")
		want = append(want, code)
	}
	var out, errs bytes.Buffer
	run([]string{"lookup", "--json", "-"}, strings.NewReader(in.String()), &out, &errs)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d answers for %d lines", len(lines), len(want))
	}
	for i, l := range lines {
		var a struct{ Input string }
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatal(err)
		}
		w := want[i]
		if len(w) > 64 {
			w = w[:64] + "…"
		}
		if a.Input != w {
			t.Fatalf("answer %d is for %.70q, want %.70q", i, a.Input, w)
		}
	}
}

// TestServeSyncEndToEnd runs the real binary with --sync against a
// loopback publisher: with no catalog installed, its first sync installs
// the published one (serve's TestFollowFirstSync holds the 503s before
// it); then, while clients look codes
// up without pause, the publisher publishes 1,000 more records, and the
// service takes them in: no request fails, every answer comes from one
// catalog or the other, and a product only the new one has is found.
func TestServeSyncEndToEnd(t *testing.T) {
	dir := t.TempDir()
	pub := newTestPublisher(t, dir, "serve-e2e")
	pub.publish(0)

	var errs syncBuffer
	base, cmd := serveBinary(t, &errs, "--catalog", filepath.Join(dir, "installed"), "--trust", filepath.Join(dir, "1500", "trust"),
		"--sync", pub.URL+"/", "--sync-every", "1s", "--log", filepath.Join(dir, "checks.jsonl"))
	records := func() string {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`(?m)^smartcheck_catalog_records (\d+)$`).FindSubmatch(b)
		if m == nil {
			return ""
		}
		return string(m[1])
	}
	waitFor(t, 30*time.Second, "the first sync", func() bool { return records() == "1500" })

	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]int{}
	var failures []string
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				gtin := catalog.SyntheticGTIN(101 + (w*397+i)%1390)
				resp, err := http.Get(base + "/v1/lookup?code=" + gtin)
				var rep struct {
					Verdict string
					Catalog *catalog.ReportCatalog
				}
				if err == nil {
					err = json.NewDecoder(resp.Body).Decode(&rep)
					resp.Body.Close()
					if err == nil && (resp.StatusCode != 200 || rep.Verdict == "" || rep.Catalog == nil) {
						err = fmt.Errorf("%s: %d %+v", gtin, resp.StatusCode, rep)
					}
				}
				mu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				} else {
					seen[rep.Catalog.Size]++
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	pub.publish(1)
	waitFor(t, 30*time.Second, "the newer catalog", func() bool { return records() == "2500" })
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("%d requests failed, the first: %s", len(failures), failures[0])
	}
	if seen[1500] == 0 || seen[2500] == 0 || len(seen) != 2 {
		t.Errorf("answers by catalog size: %v", seen)
	}
	resp, err := http.Get(base + "/v1/lookup?code=" + catalog.SyntheticGTIN(2200))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"id":"syn-2200"`) {
		t.Errorf("a product of the new records is not found: %s", b)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve: %v; stderr:\n%s", err, errs.String())
	}
}

// TestLimitMemory: serve sets a soft memory limit of at least
// minMemoryLimit and gives the one before back; GOMEMLIMIT wins.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	restore := limitMemory()
	got := debug.SetMemoryLimit(-1)
	restore()
	if got < minMemoryLimit || got == math.MaxInt64 {
		t.Errorf("limit %d, want at least %d", got, minMemoryLimit)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("limit %d after restore, want %d", after, before)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	limitMemory()()
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("with GOMEMLIMIT set, the limit changed to %d", after)
	}
}
