package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// needGoTool finds a program that .ci/run installs with go install: on
// PATH or in $GOPATH/bin. Without it the test skips, or fails under CI=true.
func needGoTool(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (go install %s), and CI=true: .ci/run should install it", name, pkg)
	}
	t.Skipf("%s is missing: go install %s to run this test", name, pkg)
	return ""
}

// litewitness is a running litewitness (filippo.io/torchwood) on
// loopback, its key in a dedicated ssh-agent, its state in a temp dir.
type litewitness struct {
	url, vkey string
}

// startLitewitness starts a witness named name that knows the log origin
// signed by publisher key pubVKey.
func startLitewitness(t *testing.T, name, origin, pubVKey string) *litewitness {
	t.Helper()
	lw := needGoTool(t, "litewitness", "filippo.io/torchwood/cmd/litewitness@v0.6.1")
	ctl := needGoTool(t, "witnessctl", "filippo.io/torchwood/cmd/witnessctl@v0.6.1")
	needProgram(t, "ssh-agent", "openssh-client")
	needProgram(t, "ssh-add", "openssh-client")
	needProgram(t, "ssh-keygen", "openssh-client")

	// A unix socket path must be short: not under t.TempDir's long name.
	sockDir, err := os.MkdirTemp("", "lw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	work := t.TempDir()
	sock, key, db := filepath.Join(sockDir, "s"), filepath.Join(work, "witness"), filepath.Join(work, "witness.db")
	sh := func(env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	sh(nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key)
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	waitFor(t, 10*time.Second, "ssh-agent socket", func() bool { _, err := os.Stat(sock); return err == nil })
	sh([]string{"SSH_AUTH_SOCK=" + sock}, "ssh-add", "-q", key)
	fp := strings.Fields(sh(nil, "ssh-keygen", "-l", "-f", key+".pub"))[1]

	sh(nil, ctl, "add-log", "-db", db, "-origin", origin)
	sh(nil, ctl, "add-key", "-db", db, "-origin", origin, "-key", pubVKey)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(lw, "-db", db, "-name", name, "-key", fp, "-ssh-agent", sock, "-listen", addr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	vkeyRE := regexp.MustCompile(`vkey=(\S+)`)
	found := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			if m := vkeyRE.FindStringSubmatch(s.Text()); m != nil {
				select {
				case found <- strings.Trim(m[1], `"`):
				default:
				}
			}
		}
	}()
	w := &litewitness{url: "http://" + addr}
	select {
	case w.vkey = <-found:
	case <-time.After(20 * time.Second):
		t.Fatal("litewitness did not print its verifier key")
	}
	waitFor(t, 10*time.Second, "litewitness listening", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return w
}

// smartcheck runs the command in this process and returns its exit
// status, standard output and standard error.
func smartcheck(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestLitewitnessSplitView: a real witness (litewitness) cosigns a
// catalog smartcheck built, and its next version over a consistency proof
// from the tiles; tills that require the witness accept them. Then a
// second fork of the same catalog, also signed by the publisher: the
// witness refuses to cosign it, and a till that requires the witness
// refuses it, while one that does not would have been fooled.
func TestLitewitnessSplitView(t *testing.T) {
	// litewitness wants the publisher key named exactly as the origin,
	// which here, as in the demo, holds a '/': key generate --name.
	const origin = "witnessed.shop.example/uk"
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	work := t.TempDir()
	code, _, stderr := smartcheck("key", "generate", origin)
	if code != 1 || !strings.Contains(stderr, "--name "+origin) {
		t.Fatalf("key generate ORIGIN: exit %d, %s", code, stderr)
	}
	keyFile := filepath.Join(work, "pub.key")
	mustRun(t, 0, "key", "generate", "--name", origin, filepath.Join(work, "pub"))
	skey, _ := os.ReadFile(keyFile)
	pubVb, _ := os.ReadFile(filepath.Join(work, "pub.pub"))
	pubV := strings.TrimSpace(string(pubVb))
	pub, err := catalog.NewSigner(string(skey))
	if err != nil || pub.Name() != origin || !strings.HasPrefix(pubV, origin+"+") {
		t.Fatalf("the key is not named as the origin: %v, %s", err, pubV)
	}
	makerS, makerV, _ := catalog.GenerateKey(rand.Reader, "maker")
	maker, _ := catalog.NewSigner(makerS)
	write := func(name string, body string, s catalog.Signer) string {
		rec, err := catalog.Sign([]byte(body), s)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(work, name)
		os.WriteFile(p, rec, 0o644)
		return p
	}
	decl := func(i int, until string) string {
		return write(fmt.Sprintf("decl-%d-%s", i, until), fmt.Sprintf("smartcheck-declaration/1\nid p-%d\nversion 1\npublished 2025-01-10\ngtin %s\nbrand Example\nmodel Plug %d\ncategory smart-plug\nmanufacturer Example Ltd | 1 High Street, London | GB\nroute schedule1\npasswords none\ncontact https://example.com/security\nsupport-until %s\nsupport-statement Until then.\nissued 2025-01-10 | London\nsignatory A Person | Head of Product Security\n", i, catalog.SyntheticGTIN(i), i, until), maker)
	}
	keyRec := write("key", fmt.Sprintf("smartcheck-key/1\nkey %s\norg Example Ltd\nrole manufacturer\nstatus active\nscope gtin 952\n", makerV), pub)

	live := filepath.Join(work, "live")
	mustRun(t, 0, "catalog", "build", "--origin", origin, "--key", keyFile, "--out", live, keyRec, decl(0, "2031-08"))

	w := startLitewitness(t, "witness.test/w1", origin, pubV)
	trustFile := filepath.Join(live, "trust")
	tf, _ := os.ReadFile(trustFile)
	os.WriteFile(trustFile, append(tf, "witness "+w.vkey+"\nwitness-quorum 1\n"...), 0o644)

	// Not yet cosigned: a till that requires the witness refuses it.
	code, _, stderr = smartcheck("catalog", "verify", "--catalog", live)
	if code != 1 || !strings.Contains(stderr, "witness witness.test/w1: no cosignature") {
		t.Fatalf("uncosigned catalog: exit %d, %s", code, stderr)
	}
	// The witness cosigns (its first sight of the log: old 0).
	out := mustRun(t, 0, "catalog", "witness", "--catalog", live, w.url)
	if !strings.Contains(out, "cosigned as witness.test/w1") {
		t.Fatalf("catalog witness: %s", out)
	}
	out = mustRun(t, 0, "catalog", "verify", "--catalog", live)
	if !strings.Contains(out, "witness cosignatures: 1 of 1 witnesses (1 required): witness.test/w1") || !strings.Contains(out, "witnessed by witness.test/w1") {
		t.Fatalf("catalog verify does not name the witness:\n%s", out)
	}

	// The second fork starts here, from a copy of the witnessed catalog.
	forkB := filepath.Join(work, "fork-b")
	copyDir(t, live, forkB)

	// Fork A grows; the witness answers 409 with the size it saw (2) and
	// cosigns over a consistency proof from the tiles.
	mustRun(t, 0, "catalog", "append", "--key", keyFile, "--catalog", live, decl(1, "2031-08"), decl(2, "2031-08"))
	out = mustRun(t, 0, "catalog", "witness", "--catalog", live, w.url)
	if !strings.Contains(out, "1 of 1 witnesses cosigned") {
		t.Fatalf("catalog witness after append: %s", out)
	}

	// A till that requires the witness syncs fork A.
	srvA := httptest.NewServer(http.FileServer(http.Dir(live)))
	defer srvA.Close()
	tillA := filepath.Join(work, "till-a")
	out = mustRun(t, 0, "catalog", "sync", "--catalog", tillA, "--trust", trustFile, srvA.URL+"/")
	code, out, stderr = smartcheck("lookup", "--catalog", tillA, catalog.SyntheticGTIN(2))
	if code != 0 || !strings.Contains(out, "Plug 2") {
		t.Fatalf("till A lookup: exit %d\n%s%s", code, out, stderr)
	}

	// Fork B: the same first two records, then a different third, signed
	// by the same publisher key. The witness refuses to cosign it.
	mustRun(t, 0, "catalog", "append", "--key", keyFile, "--catalog", forkB, decl(1, "2026-01"), decl(2, "2026-01"))
	code, _, stderr = smartcheck("catalog", "witness", "--catalog", forkB, w.url)
	t.Logf("catalog witness on fork B: %s", stderr)
	if code != 1 || !strings.Contains(stderr, "did not cosign") || !strings.Contains(stderr, "refused the checkpoint as inconsistent with the 4 records it cosigned before (422)") {
		t.Fatalf("witness on fork B: exit %d, %s", code, stderr)
	}
	// A fresh till that requires the witness refuses fork B...
	srvB := httptest.NewServer(http.FileServer(http.Dir(forkB)))
	defer srvB.Close()
	code, _, stderr = smartcheck("catalog", "sync", "--catalog", filepath.Join(work, "till-b"), "--state", filepath.Join(work, "state-b"), "--trust", trustFile, srvB.URL+"/")
	if code != 1 || !strings.Contains(stderr, "not cosigned by enough trusted witnesses") || !strings.Contains(stderr, "witness witness.test/w1: no cosignature") {
		t.Fatalf("till requiring the witness, fork B: exit %d, %s", code, stderr)
	}
	// ...and one that does not require it is shown the split view.
	plainTrust := filepath.Join(work, "plain-trust")
	os.WriteFile(plainTrust, tf, 0o644)
	mustRun(t, 0, "catalog", "sync", "--catalog", filepath.Join(work, "till-c"), "--state", filepath.Join(work, "state-c"), "--trust", plainTrust, srvB.URL+"/")

	// Fork B with fork A's cosignature copied onto it: forged.
	cpA, _ := os.ReadFile(filepath.Join(live, "checkpoint"))
	cpB, _ := os.ReadFile(filepath.Join(forkB, "checkpoint"))
	lines := strings.SplitAfter(string(cpA), "\n")
	os.WriteFile(filepath.Join(forkB, "checkpoint"), append(cpB, lines[len(lines)-2]...), 0o644)
	code, _, stderr = smartcheck("catalog", "verify", "--catalog", forkB, "--trust", trustFile)
	if code != 1 || !strings.Contains(stderr, "cosignature by witness witness.test/w1 does not verify") {
		t.Fatalf("copied cosignature: exit %d, %s", code, stderr)
	}

	// The witness down: catalog witness says so, and gives up in time;
	// the cosignature already on the checkpoint still meets the quorum.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	down := "http://" + l.Addr().String()
	l.Close()
	code, _, stderr = smartcheck("catalog", "witness", "--catalog", live, "--timeout", "2s", down)
	if code != 0 || !strings.Contains(stderr, "cannot reach the witness") {
		t.Fatalf("witness down: exit %d, %s", code, stderr)
	}
	mustRun(t, 0, "catalog", "verify", "--catalog", live)
	// A till that does not require the witness never asks it: it syncs
	// with the witness gone.
	mustRun(t, 0, "catalog", "sync", "--catalog", filepath.Join(work, "till-d"), "--state", filepath.Join(work, "state-d"), "--trust", plainTrust, srvA.URL+"/")
}

func mustRun(t *testing.T, want int, args ...string) string {
	t.Helper()
	code, out, stderr := smartcheck(args...)
	if code != want {
		t.Fatalf("smartcheck %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, stderr)
	}
	return out
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, info.Mode())
	})
	if err != nil {
		t.Fatal(err)
	}
}
