package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's "From a spreadsheet" section is run as written: every
// command of its first code block, in a fresh directory holding
// docs/import-template.csv, must succeed, and the products of the
// template must be in the catalog afterwards.
func TestREADMEFromASpreadsheet(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	template, err := os.ReadFile("../../docs/import-template.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := codeBlock(t, string(readme), "### From a spreadsheet")
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, ".data"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, ".state"))
	if err := os.MkdirAll("docs", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("docs/import-template.csv", template, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, line := range lines {
		before := snapshot(t, "cat")
		args, redirect := shellWords(t, line)
		if args[0] != "smartcheck" {
			t.Fatalf("README line %q does not run smartcheck", line)
		}
		var stdout, stderr bytes.Buffer
		if code := run(args[1:], strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", line, code, stdout.String(), stderr.String())
		}
		if redirect != "" {
			if err := os.WriteFile(redirect, stdout.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		switch {
		case strings.Contains(line, "--dry-run"):
			for _, want := range []string{"09521234500018: CHECK -> ", "09521234500025: CHECK -> ", "09521234500032: CHECK -> ", "nothing written"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("%s: stdout lacks %q:\n%s", line, want, stdout.String())
				}
			}
			if after := snapshot(t, "cat"); after != before {
				t.Errorf("%s changed the catalog directory:\n%s\nnow:\n%s", line, before, after)
			}
		case strings.Contains(line, "catalog import"):
			if !strings.Contains(stdout.String(), "imported 2 rows") {
				t.Errorf("%s: %s", line, stdout.String())
			}
		case strings.Contains(line, "lookup"):
			if !strings.Contains(stdout.String(), "Pixel 9") {
				t.Errorf("%s: the imported product is not found:\n%s", line, stdout.String())
			}
		}
	}
	items, err := os.ReadFile("items.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\xEF\xBB\xBFgtin,verdict,", "09521234500018,", "09521234500025,", "demo-iphone-15-pro-max"} {
		if !strings.Contains(string(items), want) {
			t.Errorf("items.csv lacks %q:\n%s", want, items)
		}
	}
}

// codeBlock returns the lines of the first indented code block after the
// heading.
func codeBlock(t *testing.T, doc, heading string) []string {
	_, sec, ok := strings.Cut(doc, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README has no %q section", heading)
	}
	var out []string
	for _, line := range strings.Split(sec, "\n") {
		switch {
		case strings.HasPrefix(line, "    "):
			out = append(out, strings.TrimSpace(line))
		case len(out) > 0:
			return out
		}
	}
	t.Fatalf("README section %q has no code block", heading)
	return nil
}

// shellWords splits a README command line as sh would: words, single
// quotes, and one trailing `> FILE`.
func shellWords(t *testing.T, line string) (args []string, redirect string) {
	var cur strings.Builder
	in, quoted := false, false
	for _, r := range line + " " {
		switch {
		case r == '\'':
			in, quoted = !in, true
		case r == ' ' && !in:
			if cur.Len() > 0 || quoted {
				args = append(args, cur.String())
			}
			cur.Reset()
			quoted = false
		default:
			cur.WriteRune(r)
		}
	}
	if in {
		t.Fatalf("unbalanced quote in %q", line)
	}
	if n := len(args); n >= 2 && args[n-2] == ">" {
		return args[:n-2], args[n-1]
	}
	return args, ""
}

// snapshot describes every file under dir (tiles included), with its
// contents' length and bytes, or "" when dir does not exist.
func snapshot(t *testing.T, dir string) string {
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(&b, "%s %d %x\n", rel, len(data), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
