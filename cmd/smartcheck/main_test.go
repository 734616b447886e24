package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/smartcheck-uk/smartcheck/catalog"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"smartcheck": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command as a user would: testdata/script/*.txtar
// (testscript format: commands, then the expected stdout, stderr and exit
// status). Every script starts with the test keys of testdata/keys.txtar
// in keys/, and with its own empty data and state directories.
func TestScripts(t *testing.T) {
	keys, err := txtar.ParseFile("testdata/keys.txtar")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			for _, f := range keys.Files {
				name := filepath.Join(env.WorkDir, f.Name)
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(name, f.Data, 0o600); err != nil {
					return err
				}
			}
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".data"))
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"serve": serveCmd, // sync_test.go
			// flipbyte FILE OFFSET: change one byte, as tampering would.
			"flipbyte": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: flipbyte FILE OFFSET")
				}
				name := ts.MkAbs(args[0])
				data, err := os.ReadFile(name)
				ts.Check(err)
				off, err := strconv.Atoi(args[1])
				ts.Check(err)
				if off < 0 {
					off += len(data)
				}
				data[off] ^= 0x01
				ts.Check(os.WriteFile(name, data, 0o644))
			},
			"padrecord":  padRecord,
			"rawcatalog": rawCatalog,
		},
	})
}

// padRecord IN OUT SIZE writes the record body IN to OUT with a
// model-number line that makes it exactly SIZE bytes: for the record
// size limit.
func padRecord(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: padrecord IN OUT SIZE")
	}
	body, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	size, err := strconv.Atoi(args[2])
	ts.Check(err)
	pad := size - len(body) - len("model-number \n")
	if pad < 1 {
		ts.Fatalf("%s is too long to pad to %d bytes", args[0], size)
	}
	body = append(body, "model-number "+strings.Repeat("x", pad)+"\n"...)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), body, 0o644))
}

// rawCatalog DIR ORIGIN KEYFILE SIGNED... writes a catalog of the signed
// records, in order, with a checkpoint signed by KEYFILE and DIR/trust,
// checking nothing about the records: a catalog as another publisher's
// tools (or a careless one) might write it, which tills must still judge.
// catalog build would refuse records its tills would not trust.
func rawCatalog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: rawcatalog DIR ORIGIN KEYFILE SIGNED...")
	}
	dir := ts.MkAbs(args[0])
	skey, err := os.ReadFile(ts.MkAbs(args[2]))
	ts.Check(err)
	signer, err := catalog.NewSigner(string(skey))
	ts.Check(err)
	vkey, err := catalog.VerifierKey(string(skey))
	ts.Check(err)
	var recs [][]byte
	for _, f := range args[3:] {
		b, err := os.ReadFile(ts.MkAbs(f))
		ts.Check(err)
		recs = append(recs, b)
	}
	data, root, err := catalog.Assemble(recs)
	ts.Check(err)
	now := time.Now().UTC().Truncate(time.Second)
	cp := &catalog.Checkpoint{Origin: args[1], Size: int64(len(recs)), Root: root, Issued: now, Expires: now.Add(168 * time.Hour)}
	msg, err := catalog.SignCheckpoint(cp, signer)
	ts.Check(err)
	trust := (&catalog.Trust{Origin: args[1], Publishers: []string{vkey}, Quorum: 1}).Format()
	ts.Check(os.MkdirAll(dir, 0o755))
	ts.Check(os.WriteFile(filepath.Join(dir, "records"), data, 0o644))
	ts.Check(os.WriteFile(filepath.Join(dir, "checkpoint"), msg, 0o644))
	ts.Check(os.WriteFile(filepath.Join(dir, "trust"), trust, 0o644))
}

// Nothing a scan or a catalog says can put a control character on the
// terminal: a scan full of escape sequences is refused, and the refusal,
// which quotes it, is sanitised.
func TestNoEscapesReachTheTerminal(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	evil := "\x1b]0;pwned\x07\x1b[2J\x9b31m9520000000011\u202e"
	for _, args := range [][]string{
		{"lookup", "--at", "2026-11-24", evil},
		{"lookup", "--json", "--at", "2026-11-24", evil},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, strings.NewReader(""), &stdout, &stderr)
		if code != 1 {
			t.Errorf("%q: exit %d, want 1", args, code)
		}
		for name, out := range map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()} {
			if bytes.ContainsAny(out, "\x1b\x07\u009b\u202e") {
				t.Errorf("%q: %s carries control characters: %q", args, name, out)
			}
		}
		if !strings.Contains(stderr.String(), "not a product code") {
			t.Errorf("%q: stderr %q does not say why", args, stderr.String())
		}
	}
}
