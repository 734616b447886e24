package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
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
		},
	})
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
