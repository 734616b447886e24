package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// key register and key revoke: a flag that is wrong is a usage error
// (exit status 2), a key file that is wrong is not (1), and nothing
// reaches standard output either way. testdata/script/keyrecords.txtar
// checks the messages.
func TestKeyRecordExitStatus(t *testing.T) {
	dir := t.TempDir()
	pub := filepath.Join(dir, "maker.pub")
	if err := os.WriteFile(pub, []byte("maker+76bf917c+Ad51U68upd5FAGOdG7cTlWmTwoV5f+QWA6ox2EtpQ/MQ\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "maker.key")
	if err := os.WriteFile(key, []byte("PRIVATE+KEY+maker+76bf917c+AQDdr9jHfABPs6nW/UgppxAwHdCt16pw6w3kkxUQpFV3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	reg := func(args ...string) []string { return append([]string{"key", "register"}, args...) }
	for _, tc := range []struct {
		name string
		args []string
		want int
		say  string
	}{
		{"ok", reg("--org", "Example Ltd", "--role", "manufacturer", "--scope", "gtin 952", pub), 0, ""},
		{"bad role", reg("--org", "Example Ltd", "--role", "boss", "--scope", "gtin 952", pub), 2, "--role"},
		{"scope the role may not hold", reg("--org", "Example Ltd", "--role", "authorised-rep", "--scope", "gtin *", pub), 2, "may not hold"},
		{"malformed scope", reg("--org", "Example Ltd", "--role", "manufacturer", "--scope", "gtin", pub), 2, "--scope"},
		{"no scope", reg("--org", "Example Ltd", "--role", "manufacturer", pub), 2, "--scope"},
		{"no org", reg("--role", "manufacturer", "--scope", "gtin 952", pub), 2, "usage"},
		{"two files", reg("--org", "Example Ltd", "--role", "manufacturer", "--scope", "gtin 952", pub, pub), 2, "usage"},
		// A line break in a value would add lines of its own to the body:
		// here, a scope the publisher never asked for.
		{"org smuggles a scope", reg("--org", "Example Ltd\nscope gtin 5", "--role", "manufacturer", "--scope", "gtin 952", pub), 2, "one line"},
		{"role smuggles a line", reg("--org", "Example Ltd", "--role", "manufacturer\nscope gtin 5", "--scope", "gtin 952", pub), 2, "one line"},
		{"missing file", reg("--org", "Example Ltd", "--role", "manufacturer", "--scope", "gtin 952", filepath.Join(dir, "nope.pub")), 1, "no such file"},
		{"signer key", reg("--org", "Example Ltd", "--role", "manufacturer", "--scope", "gtin 952", key), 1, "signer key"},
		{"revoke ok", []string{"key", "revoke", "--org", "Example Ltd", "--role", "manufacturer", pub}, 0, ""},
		{"revoke without org", []string{"key", "revoke", pub}, 2, "--org and --role"},
		{"revoke bad role", []string{"key", "revoke", "--org", "Example Ltd", "--role", "boss", pub}, 2, "--role"},
		{"revoke trust without catalog", []string{"key", "revoke", "--org", "X", "--role", "curator", "--trust", pub, pub}, 2, "--trust needs --catalog"},
		{"revoke missing catalog", []string{"key", "revoke", "--catalog", filepath.Join(dir, "nocat"), pub}, 1, "trust file"},
		{"unknown key command", []string{"key", "rotate"}, 2, "generate, register or revoke"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(tc.args, strings.NewReader(""), &stdout, &stderr)
			if got != tc.want {
				t.Errorf("exit status %d, want %d; stderr:\n%s", got, tc.want, stderr.String())
			}
			if tc.want != 0 && stdout.Len() > 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			if !strings.Contains(stderr.String(), tc.say) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.say)
			}
			if tc.want == 0 && strings.Count(stdout.String(), "\nscope ") > 1 {
				t.Errorf("stdout %q has more scope lines than asked for", stdout.String())
			}
		})
	}
}
