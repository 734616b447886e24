package catalog

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// nginx stands in for a CDN (docs/publishing.md): a till syncs through
// it, and its access log shows what each sync cost.
type nginx struct {
	t      *testing.T
	root   string // the published catalog directory
	url    string
	log    string
	logged int // access log lines already looked at
}

// startNginx serves root on a loopback port with its own configuration
// under a temporary directory. It skips when nginx is missing, but fails
// when CI=true (.ci/run installs it).
func startNginx(t *testing.T, root string) *nginx {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr == nil {
			bin, err = "/usr/sbin/nginx", nil
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nginx is not installed (apt-get install nginx-light)")
		}
		t.Skip("nginx is not installed: the CDN stand-in test needs it (apt-get install nginx-light)")
	}
	prefix := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	n := &nginx{t: t, root: root, url: "http://" + addr, log: filepath.Join(prefix, "access.log")}
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	log_format sync '$uri $status $body_bytes_sent "$http_range" "$http_user_agent"';
	access_log %[2]s sync;
	server {
		listen %[3]s;
		root %[4]s;
	}
}
`, prefix, n.log, addr, root)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", confPath, "-p", prefix)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; ; i++ {
		resp, err := http.Get(n.url + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("nginx did not start: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	n.requests(1) // the probe above
	return n
}

// requests returns the access log lines since the last call: "URI STATUS
// BYTES RANGE AGENT". nginx logs a request after answering it, so it
// waits (a while) for at least want lines.
func (n *nginx) requests(want int) []string {
	var lines []string
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		data, err := os.ReadFile(n.log)
		if err != nil {
			n.t.Fatal(err)
		}
		lines = strings.Split(string(data), "\n")
		lines = lines[:len(lines)-1] // whole lines only
		if len(lines)-n.logged >= want || time.Now().After(deadline) {
			break
		}
	}
	out := lines[n.logged:]
	n.logged = len(lines)
	return out
}

// publish writes p into the served directory as a publisher should:
// records first, then the checkpoint (records: false leaves the old
// records file, as a stale edge would serve it). Their times are set a
// minute apart in the past, as files uploaded earlier.
func (n *nginx) publish(p pub, records bool, age time.Duration) {
	n.t.Helper()
	when := time.Now().Add(-age)
	files := []struct {
		name string
		data []byte
	}{{"records", p.records}, {"checkpoint", p.checkpoint}}
	for _, f := range files {
		if f.name == "records" && !records {
			continue
		}
		path := filepath.Join(n.root, f.name)
		if err := writeFileAtomic(path, f.data); err != nil {
			n.t.Fatal(err)
		}
		if err := os.Chtimes(path, when, when); err != nil {
			n.t.Fatal(err)
		}
		if f.name == "records" { // the tiles go up with the records
			if err := WriteTiles(n.root, p.cp.Size, p.cp.Root); err != nil {
				n.t.Fatal(err)
			}
		}
	}
}

func TestSyncThroughNginx(t *testing.T) {
	f := newSyncFixture(t)
	pubDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(pubDir, "trust"), f.trust.Format(), 0o644); err != nil {
		t.Fatal(err)
	}
	n := startNginx(t, pubDir)
	dir, state := t.TempDir(), t.TempDir()
	syncer := func() *Syncer {
		s := testSyncer(f, n.url, dir, state)
		s.UserAgent = "smartcheck/test (catalog sync)"
		return s
	}

	// First sync: the whole catalog.
	old := f.prefix(t, 400)
	n.publish(old, true, 3*time.Minute)
	if _, err := syncer().Sync(context.Background(), syncNow); err != nil {
		t.Fatal(err)
	}
	n.requests(3)

	// The publisher appends: only the tail is fetched, as a 206.
	new := f.prefix(t, 600)
	n.publish(new, true, 2*time.Minute)
	res, err := syncer().Sync(context.Background(), syncNow)
	if err != nil || res.Added != 200 || res.FullDownload {
		t.Fatalf("sync of the tail: %+v, %v", res, err)
	}
	tail := len(new.records) - len(old.records)
	want := []string{
		"/trust.d/2 404",
		"/checkpoint 200 " + strconv.Itoa(len(new.checkpoint)),
		fmt.Sprintf(`/records 206 %d "bytes=%d-"`, tail, len(old.records)),
	}
	var got, tiles []string
	for _, l := range n.requests(len(want) + 1) {
		if !strings.HasSuffix(l, `"smartcheck/test (catalog sync)"`) {
			t.Errorf("request without the User-Agent: %s", l)
		}
		if strings.HasPrefix(l, "/tile/") {
			tiles = append(tiles, l)
			continue
		}
		got = append(got, l)
	}
	checkLog(t, "the tail", got, want)
	// The consistency proof came from the published tiles, each one
	// whole (a 200, never a range).
	if len(tiles) == 0 {
		t.Error("no tile was fetched to prove the new checkpoint extends the installed one")
	}
	for _, l := range tiles {
		if !strings.Contains(l, " 200 ") {
			t.Errorf("tile request: %s", l)
		}
	}

	// Unchanged: the checkpoint costs a 304 (and the next trust note a
	// 404); no records are fetched.
	for range 2 {
		res, err = syncer().Sync(context.Background(), syncNow)
		if err != nil || res.Installed {
			t.Fatalf("sync of an unchanged catalog: %+v, %v", res, err)
		}
		checkLog(t, "an unchanged catalog", n.requests(2), []string{"/trust.d/2 404", "/checkpoint 304 0"})
	}

	// A stale edge: the new checkpoint, the old records file. The sync
	// tries again (asking caches to revalidate), then says what is wrong;
	// the installed catalog stays.
	newer := f.prefix(t, 700)
	n.publish(newer, false, time.Minute)
	_, err = syncer().Sync(context.Background(), syncNow)
	if err == nil || !strings.Contains(err.Error(), "older records file than checkpoint") || !strings.Contains(err.Error(), "tried 4 times") {
		t.Fatalf("sync against a stale records file = %v, want it explained", err)
	}
	t.Log(err)
	if got := installed(t, f, dir, state); got.Size != 600 {
		t.Fatalf("installed %d records, want the 600 held before", got.Size)
	}
	reqs := n.requests(6)
	if c := strings.Count(strings.Join(reqs, "\n"), "/records 416"); c != 4 {
		t.Errorf("the stale records file was asked for %d times, want 4: %q", c, reqs)
	}
	// Once the edge has the new records, the next sync gets them.
	n.publish(newer, true, time.Minute)
	if res, err := syncer().Sync(context.Background(), syncNow); err != nil || res.Added != 100 {
		t.Fatalf("sync once the records are there: %+v, %v", res, err)
	}
}

// checkLog compares access log lines with want, each a prefix of its
// line.
func checkLog(t *testing.T, what string, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(got[i], want[i]+" ") || got[i] == want[i]
	}
	if !ok {
		t.Errorf("%s: requests\n\t%s\nwant\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
