package tui

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLayering holds STYLE.md's arrows: cmd → tui → {catalog, scan,
// labels}. Only tui imports Bubble Tea, Lip Gloss or Bubbles (or their
// terminal libraries), and only the command imports tui.
func TestLayering(t *testing.T) {
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	const mod = "github.com/smartcheck-uk/smartcheck/"
	out, err := exec.Command(goCmd, "list", "-e", "-deps", mod+"catalog/...", mod+"scan/...", mod+"labels/...", mod+"data/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "charm.land/") || strings.HasPrefix(p, "github.com/charmbracelet/") || p == mod+"tui" {
			t.Errorf("a package below tui depends on %s", p)
		}
	}
	out, err = exec.Command(goCmd, "list", "-e", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if imp == mod+"tui" && f[0] != mod+"cmd/smartcheck" {
				t.Errorf("%s imports tui", f[0])
			}
		}
	}
}
