package labels

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freePort returns a loopback TCP port nothing listens on.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// daemon starts a program in its own process group, logging to log, and
// ends the group when the test ends.
func daemon(t testing.TB, log string, env []string, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		f.Close()
	})
	return cmd
}

// waitFor polls until ok or the deadline, then fails with what log says.
func waitFor(t testing.TB, what, log string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(log)
			t.Fatalf("%s did not start in 15 s; its log:\n%s", what, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func listening(addr string) func() bool {
	return func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	}
}

// ippEve is an IPP Everywhere printer simulator (ippeveprinter, Debian
// cups-ipp-utils) on loopback, keeping every document it gets.
type ippEve struct {
	uri   string
	spool string
	port  int
}

// startIPPEve starts ippeveprinter for one test. It wants a D-Bus system
// bus for DNS-SD, so it gets a private one (dbus-daemon on a socket in
// the test's directory): nothing outside the test is touched.
func startIPPEve(t testing.TB) *ippEve {
	t.Helper()
	ippeve := needTool(t, "ippeveprinter", "cups-ipp-utils")
	dbus := needTool(t, "dbus-daemon", "dbus")
	dir := t.TempDir()
	bus := filepath.Join(dir, "bus")
	daemon(t, filepath.Join(dir, "dbus.log"), nil, dbus, "--session", "--nofork", "--nopidfile", "--address=unix:path="+bus)
	waitFor(t, "dbus-daemon", filepath.Join(dir, "dbus.log"), func() bool { _, err := os.Stat(bus); return err == nil })
	spool := filepath.Join(dir, "spool")
	if err := os.Mkdir(spool, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	log := filepath.Join(dir, "ippeveprinter.log")
	daemon(t, log, []string{"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + bus}, ippeve,
		// -c true: "print" each job at once (without a command it plays a
		// printer taking seconds a job); -k keeps every document.
		"-n", "localhost", "-p", fmt.Sprint(port), "-r", "off", "-k", "-d", spool, "-c", "/bin/true",
		"-f", "application/pdf,application/vnd.zebra-zpl,application/octet-stream", "SmartcheckTest")
	waitFor(t, "ippeveprinter", log, listening(fmt.Sprintf("127.0.0.1:%d", port)))
	return &ippEve{uri: fmt.Sprintf("ipp://localhost:%d/ipp/print", port), spool: spool, port: port}
}

// document waits for job id's document in the spool and returns it.
func (e *ippEve) document(t testing.TB, id string) []byte {
	t.Helper()
	var data []byte
	waitFor(t, "job "+id+" in the spool", "/dev/null", func() bool {
		files, _ := filepath.Glob(filepath.Join(e.spool, id+"-*"))
		// The .prn file is what the -c command printed: nothing.
		files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, ".prn") })
		if len(files) != 1 {
			return false
		}
		var err error
		data, err = os.ReadFile(files[0])
		return err == nil && len(data) > 0
	})
	return data
}

func testPDF(t testing.TB) []byte {
	t.Helper()
	tp, _ := FindTemplate("avery-l7160", "")
	var b bytes.Buffer
	if err := RenderPDF(&b, tp, testLabels(t)[:4], SheetOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestIPPPrinter prints to ippeveprinter with IPP Print-Job: the PDF and
// a ZPL job arrive byte for byte, Get-Jobs finds them by name, and a
// format the printer does not take is refused with the printer's reason.
func TestIPPPrinter(t *testing.T) {
	e := startIPPEve(t)
	p, err := OpenPrinter(e.uri)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	jobs := []Job{
		{Name: "smartcheck test-pdf", Format: "application/pdf", Data: testPDF(t)},
		{Name: "smartcheck test-zpl", Format: "application/vnd.zebra-zpl", Data: []byte("^XA^FO10,10^A0N,30,30^FDtest^FS^XZ\n")},
	}
	for _, job := range jobs {
		id, err := Send(ctx, p, job)
		if err != nil {
			t.Fatalf("%s: %v", job.Name, err)
		}
		if got := e.document(t, id); !bytes.Equal(got, job.Data) {
			t.Errorf("%s: the printer got %d bytes, not the %d sent", job.Name, len(got), len(job.Data))
		}
		found, ok, err := p.(JobFinder).FindJob(ctx, job.Name)
		if err != nil || !ok || found != id {
			t.Errorf("FindJob(%q) = %q, %v, %v; want %q", job.Name, found, ok, err, id)
		}
	}
	if _, ok, err := p.(JobFinder).FindJob(ctx, "smartcheck never-sent"); ok || err != nil {
		t.Errorf("FindJob of a job never sent: found %v, %v", ok, err)
	}
	_, err = Send(ctx, p, Job{Name: "smartcheck bogus", Format: "application/x-bogus", Data: []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "document-format") {
		t.Errorf("a format the printer lacks: %v, want it refused, saying why", err)
	}
}

// TestIPPPrinterOff: nothing listening is a clear error, and says the job
// never left.
func TestIPPPrinterOff(t *testing.T) {
	p, err := OpenPrinter(fmt.Sprintf("ipp://127.0.0.1:%d/ipp/print", freePort(t)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Send(context.Background(), p, Job{Name: "x", Format: "application/pdf", Data: []byte("%PDF")})
	if err == nil || !strings.Contains(err.Error(), "cannot connect") || !strings.Contains(err.Error(), "switched on") {
		t.Errorf("printer off: %v", err)
	}
	if errors.Is(err, ErrMaybePrinted) {
		t.Errorf("printer off: %v says the job may have printed", err)
	}
}

// TestIPPPrinterDrops: a printer that takes part of a job and hangs up,
// or answers garbage, is an error; a drop says the job may have arrived,
// so a retry asks the printer first.
func TestIPPPrinterDrops(t *testing.T) {
	tests := []struct {
		name  string
		serve func(c net.Conn)
		want  string
		maybe bool
		size  int
	}{
		{"drops mid-job", func(c net.Conn) { c.Read(make([]byte, 512)); c.Close() }, "connection failed", true, 1 << 20},
		{"answers HTTP 404", func(c net.Conn) {
			readAWhile(c)
			io.WriteString(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
			c.Close()
		}, "HTTP 404", false, 100},
		{"answers garbage", func(c net.Conn) {
			readAWhile(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: 3\r\n\r\nabc")
			c.Close()
		}, "unreadable answer", false, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					go tt.serve(c)
				}
			}()
			p, _ := OpenPrinter("ipp://" + ln.Addr().String() + "/ipp/print")
			_, err = Send(context.Background(), p, Job{Name: "x", Format: "application/pdf", Data: bytes.Repeat([]byte("x"), tt.size)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v, want an error saying %q", err, tt.want)
			}
			if errors.Is(err, ErrMaybePrinted) != tt.maybe {
				t.Errorf("%v: maybe printed = %v, want %v", err, !tt.maybe, tt.maybe)
			}
		})
	}
}

// TestDecodeIPPMangled: every truncation of a real answer is an error or
// a response, never a panic.
func TestDecodeIPPMangled(t *testing.T) {
	e := &ippEncoder{}
	e.b = append(e.b, 1, 1, 0, 0, 0, 0, 0, 7, tagOperationGroup)
	e.attr(tagCharset, "attributes-charset", "utf-8")
	e.attr(tagText, "status-message", "successful-ok")
	e.b = append(e.b, tagJobGroup)
	e.b = append(e.b, tagInteger, 0, 6)
	e.b = append(e.b, "job-id"...)
	e.b = append(e.b, 0, 4, 0, 0, 0, 42)
	full := e.end()
	r, err := decodeIPP(full)
	if err != nil || r.first("job-id") != "42" {
		t.Fatalf("decode: %v, %v", r, err)
	}
	for n := range len(full) {
		decodeIPP(full[:n])
		m := bytes.Clone(full)
		m[n] ^= 0xff
		decodeIPP(m)
	}
}

// readAWhile reads what a client sends in the next 100 ms.
func readAWhile(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	io.Copy(io.Discard, c)
}

// TestIPPSpoolNothingTwice: a job whose connection dropped after the
// printer had it is found on the printer by name (Get-Jobs) when retried,
// and not sent again.
func TestIPPSpoolNothingTwice(t *testing.T) {
	e := startIPPEve(t)
	p, err := OpenPrinter(e.uri)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	job := Job{Format: "application/pdf", Data: testPDF(t)}
	j, err := s.Add(p.String(), job, spoolLabels())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The printer takes the job, but the answer is lost: the spool only
	// knows the connection dropped.
	id, err := Send(ctx, p, Job{Name: j.Name(), Format: job.Format, Data: job.Data})
	if err != nil {
		t.Fatal(err)
	}
	j.State = JobMaybe
	if err := s.save(j); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(ctx, p, j); err != nil {
		t.Fatal(err)
	}
	if j.State != JobSent || j.PrinterJob != id {
		t.Errorf("after the retry: state %q, printer job %q; want sent, %q", j.State, j.PrinterJob, id)
	}
	e.document(t, id)
	files, _ := filepath.Glob(filepath.Join(e.spool, "*.pdf"))
	if len(files) != 1 {
		t.Errorf("the printer has %d documents, want 1: %v", len(files), files)
	}
}
