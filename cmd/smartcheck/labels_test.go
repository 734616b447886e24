package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needProgram returns the path of an outside program, skipping the test
// without it, or failing under CI=true, where .ci/run installs it.
func needProgram(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (Debian package %s), and CI=true: .ci/run should install it", name, pkg)
		}
		t.Skipf("%s is missing: install Debian package %s to run this test", name, pkg)
	}
	return p
}

// startDaemon starts a program in its own process group and ends the
// group when the test ends.
func startDaemon(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
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
	})
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: gave up after 15 s", what)
		}
	}
}

// TestLabelsIPP runs `smartcheck labels --printer ipp://…` against an
// ippeveprinter on loopback (with a D-Bus of the test's own, which it
// needs): the sheet arrives byte for byte as the PDF -o writes; the same
// command again prints nothing; with the printer off the job is kept, and
// --retry sends it once the printer is back.
func TestLabelsIPP(t *testing.T) {
	ippeve := needProgram(t, "ippeveprinter", "cups-ipp-utils")
	dbus := needProgram(t, "dbus-daemon", "dbus")
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	uri := fmt.Sprintf("ipp://localhost:%d/ipp/print", port)
	codes := []string{"9520000000011", "9520000000028", "9520000000080"}
	labels := func(extra ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		args := append([]string{"labels", "--at", "2026-11-24"}, extra...)
		code := run(append(args, codes...), strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	// The printer is off: a clear error, the job kept.
	code, _, stderr := labels("--printer", uri)
	if code != 1 || !strings.Contains(stderr, "cannot connect") || !strings.Contains(stderr, "--retry") {
		t.Fatalf("printer off: exit %d, stderr %q", code, stderr)
	}

	// Switch it on; the retry sends the job.
	bus := filepath.Join(dir, "bus")
	startDaemon(t, nil, dbus, "--session", "--nofork", "--nopidfile", "--address=unix:path="+bus)
	waitUntil(t, "dbus-daemon", func() bool { _, err := os.Stat(bus); return err == nil })
	spool := filepath.Join(dir, "printer")
	os.Mkdir(spool, 0o755)
	startDaemon(t, []string{"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + bus}, ippeve,
		"-n", "localhost", "-p", fmt.Sprint(port), "-r", "off", "-k", "-d", spool, "-c", "/bin/true",
		"-f", "application/pdf,application/octet-stream", "SmartcheckLabels")
	waitUntil(t, "ippeveprinter", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	var stdout, errb bytes.Buffer
	if code := run([]string{"labels", "--retry"}, strings.NewReader(""), &stdout, &errb); code != 0 || !strings.Contains(stdout.String(), "(3 labels) sent to "+uri+" as job 1") {
		t.Fatalf("retry: exit %d, stdout %q, stderr %q", code, stdout.String(), errb.String())
	}
	pdfs := func() []string {
		files, _ := filepath.Glob(filepath.Join(spool, "*.pdf"))
		return files
	}
	waitUntil(t, "the job in the printer's spool", func() bool { return len(pdfs()) == 1 })
	got, _ := os.ReadFile(pdfs()[0])

	// The same labels written to a file are the same bytes.
	sheet := filepath.Join(dir, "sheet.pdf")
	if code, _, stderr := labels("-o", sheet); code != 0 {
		t.Fatalf("-o: exit %d: %s", code, stderr)
	}
	want, _ := os.ReadFile(sheet)
	if !bytes.Equal(got, want) {
		t.Errorf("the printer got %d bytes, the sheet is %d", len(got), len(want))
	}

	// Again: already printed, nothing sent.
	code, out, stderr := labels("--printer", uri)
	if code != 0 || !strings.Contains(out, "already printed") {
		t.Errorf("the same labels again: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(pdfs()); n != 1 {
		t.Errorf("the printer has %d jobs, want 1", n)
	}
}
