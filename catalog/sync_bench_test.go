package catalog

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// BenchmarkSync measures what issue 6 targets: a till holding the
// 1,000,000-record synthetic catalog syncs 1,000 new records from a
// loopback server. It reports the bytes the server sent, on the wire and
// as body, against the new records and the checkpoint (target: at most
// 1.2 times), and the time to install (target: 1 s), of which
// verify-ms/op is the full verification of the installed catalog.
//
//	go test -run=XXX -bench=Sync -benchtime=5x ./catalog
//
// BenchmarkSync/cli is `smartcheck catalog sync`, which verifies the
// installed catalog in full first; BenchmarkSync/till is a till's
// background sync, which extends the catalog it opened (and verified) at
// start. The installed catalog is a copy of the cached synthetic one (the
// sync appends to it); each iteration cuts it back to 1,000,000 records.
func BenchmarkSync(b *testing.B) {
	n := benchRecords()
	src, trust := syntheticDir(b, n)
	const added = 1000

	// The installed catalog: a copy.
	dir := filepath.Join(b.TempDir(), "installed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"records", "checkpoint", "trust"} {
		if err := copyFile(filepath.Join(src, name), filepath.Join(dir, name)); err != nil {
			b.Fatal(err)
		}
	}
	oldCP, err := os.ReadFile(filepath.Join(src, "checkpoint"))
	if err != nil {
		b.Fatal(err)
	}
	installed, err := OpenDir(dir, trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer installed.Close()

	// The publisher's next catalog: the same log and 1,000 more records.
	tree := installed.tree.clone()
	recs, err := syntheticRecords("bench", n, n+added)
	if err != nil {
		b.Fatal(err)
	}
	var tail []byte
	for _, r := range recs {
		tail = AppendFrame(tail, r)
		tree.add(tlog.RecordHash(r))
	}
	pub, _, err := syntheticKey("bench", "publisher")
	if err != nil {
		b.Fatal(err)
	}
	cp := &Checkpoint{Origin: SyntheticOrigin, Size: int64(n + added), Root: tree.root(), Issued: benchIssued.Add(time.Hour), Expires: benchExpires}
	newCP, err := SignCheckpoint(cp, pub)
	if err != nil {
		b.Fatal(err)
	}

	// A loopback server of the cached records file and the new tail.
	f, err := os.Open(filepath.Join(src, "records"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	end := st.Size()
	records := io.NewSectionReader(concatReaderAt{f, end, bytes.NewReader(tail)}, 0, end+int64(len(tail)))
	var body atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{w, &body}
		switch r.URL.Path {
		case "/checkpoint":
			cw.Write(newCP)
		case "/records":
			http.ServeContent(cw, r, "", time.Time{}, io.NewSectionReader(records, 0, records.Size()))
		default:
			http.NotFound(w, r)
		}
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	wire := &countingListener{Listener: l}
	srv.Listener = wire
	srv.Start()
	defer srv.Close()

	for _, mode := range []string{"cli", "till"} {
		b.Run(mode, func(b *testing.B) {
			state := b.TempDir()
			var verify, cpu time.Duration
			var sent, sentBody int64
			for b.Loop() {
				b.StopTimer()
				if err := os.Truncate(filepath.Join(dir, "records"), end); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "checkpoint"), oldCP, 0o644); err != nil {
					b.Fatal(err)
				}
				os.RemoveAll(filepath.Join(state, "accepted"))
				body.Store(0)
				wire.n.Store(0)
				var start, verified time.Time
				s := &Syncer{URL: srv.URL, Dir: dir, Trust: trust, State: state, Progress: func(step string) {
					if verified.IsZero() && strings.HasPrefix(step, "fetch") {
						verified = time.Now()
					}
				}}
				if mode == "till" {
					s.Installed = installed
				}
				b.StartTimer()
				start = time.Now()
				cpu0 := cpuTime()
				res, err := s.Sync(context.Background(), benchIssued.Add(2*time.Hour))
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += cpuTime() - cpu0
				verify += verified.Sub(start)
				sent += wire.n.Load()
				sentBody += body.Load()
				if !res.Installed || res.Added != added || res.FullDownload {
					b.Fatalf("result %+v", res)
				}
				b.StartTimer()
			}
			need := float64(len(tail)+len(newCP)) * float64(b.N)
			b.ReportMetric(float64(sent)/need, "wire/needed")
			b.ReportMetric(float64(sentBody)/need, "body/needed")
			b.ReportMetric((float64(sent)-need)/float64(b.N), "wire-extra-B/op")
			b.ReportMetric(float64(verify.Microseconds())/1000/float64(b.N), "verify-ms/op")
			// CPU time says what the sync costs when other work shares the cores.
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// copyFile copies a file; on Linux io.Copy between files uses
// copy_file_range, so the bytes do not pass through the process.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// countingListener counts the bytes its connections write.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{c, &l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}
