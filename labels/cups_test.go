package labels

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// startCUPS starts a CUPS scheduler of the test's own on a loopback port
// (its configuration, spool and logs in the test's directory) with one
// raw queue, "labels", that forwards jobs to an ippeveprinter: a CUPS
// queue in front of an IPP printer, as in a shop. It returns the cups:
// printer URI and the printer behind it.
func startCUPS(t *testing.T) (string, *ippEve) {
	t.Helper()
	cupsd := needTool(t, "cupsd", "cups")
	lpadmin := needTool(t, "lpadmin", "cups-client")
	needTool(t, "lp", "cups-bsd")
	eve := startIPPEve(t)
	// Not t.TempDir: cupsd's filters and backends run as user lp, who
	// must reach its spool through every directory above it.
	dir, err := os.MkdirTemp("", "smartcheck-cupsd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"spool", "cache", "state", "tmp", "log", "ssl"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	conf := fmt.Sprintf(`Listen 127.0.0.1:%d
LogLevel warn
Browsing Off
DefaultAuthType None
WebInterface No
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
`, port)
	files := fmt.Sprintf(`ServerRoot %[1]s
RequestRoot %[1]s/spool
CacheDir %[1]s/cache
StateDir %[1]s/state
TempDir %[1]s/tmp
ErrorLog %[1]s/log/error_log
AccessLog %[1]s/log/access_log
PageLog %[1]s/log/page_log
ServerKeychain %[1]s/ssl
`, dir)
	if os.Geteuid() == 0 {
		files += "User lp\nGroup lp\nSystemGroup root\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "cupsd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cups-files.conf"), []byte(files), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "cupsd.log")
	daemon(t, log, nil, cupsd, "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	host := fmt.Sprintf("127.0.0.1:%d", port)
	waitFor(t, "cupsd", log, listening(host))
	// A raw queue: CUPS passes the bytes on untouched, so the printer
	// behind it gets exactly what was sent.
	out, err := exec.Command(lpadmin, "-h", host, "-p", "labels", "-E", "-v", eve.uri, "-m", "raw").CombinedOutput()
	if err != nil {
		t.Fatalf("lpadmin: %v\n%s", err, out)
	}
	return "cups:labels@" + host, eve
}

// TestCUPSPrinter prints through lp to a local cupsd queue: the PDF
// arrives at the printer behind it byte for byte, and the job is found
// by name; a queue that does not exist is a clear error.
func TestCUPSPrinter(t *testing.T) {
	uri, eve := startCUPS(t)
	p, err := OpenPrinter(uri)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job := Job{Name: "smartcheck cups-test", Format: "application/pdf", Data: testPDF(t)}
	id, err := Send(ctx, p, job)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "labels-") {
		t.Errorf("job id %q, want labels-N", id)
	}
	found, ok, err := p.(JobFinder).FindJob(ctx, job.Name)
	if err != nil || !ok || found != id {
		t.Errorf("FindJob = %q, %v, %v; want %q", found, ok, err, id)
	}
	// CUPS numbers its jobs, and so does the printer: the printer's first.
	if got := eve.document(t, "1"); !bytes.Equal(got, job.Data) {
		t.Errorf("the printer got %d bytes, not the %d sent", len(got), len(job.Data))
	}

	// A queue told to refuse jobs (cupsreject): refused, saying how to
	// let it take jobs again.
	host := strings.TrimPrefix(uri, "cups:labels@")
	if reject, err := exec.LookPath("cupsreject"); err == nil {
		if out, err := exec.Command(reject, "-h", host, "labels").CombinedOutput(); err != nil {
			t.Fatalf("cupsreject: %v\n%s", err, out)
		}
		_, err = Send(ctx, p, Job{Name: "smartcheck refused", Format: "application/pdf", Data: job.Data})
		if err == nil || !strings.Contains(err.Error(), "not accepting") || !strings.Contains(err.Error(), "cupsaccept") {
			t.Errorf("a queue that refuses jobs: %v", err)
		}
	}

	off, _ := OpenPrinter(fmt.Sprintf("cups:labels@127.0.0.1:%d", freePort(t)))
	_, err = Send(ctx, off, job)
	if err == nil || !strings.Contains(err.Error(), "is not answering") {
		t.Errorf("a CUPS server that is off: %v", err)
	}

	missing, _ := OpenPrinter(strings.Replace(uri, "cups:labels@", "cups:nosuchqueue@", 1))
	_, err = Send(ctx, missing, job)
	if err == nil || !strings.Contains(err.Error(), "CUPS refused the job") {
		t.Errorf("a queue that does not exist: %v", err)
	}
}
