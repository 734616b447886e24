package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// syncSteps are what `catalog sync -v` says it is doing, in order; the
// fault test aims kills at each.
var syncSteps = []string{
	"verify the installed catalog",
	"fetch http", // the checkpoint, then the records
	"/records from byte",
	"verify the root",
	"sync records to disk",
	"install the checkpoint",
	"remember the accepted checkpoint",
}

// throttled slows a server's writes to a crawl, so that a sync spends
// long enough in every step for a kill to land there.
type throttled struct {
	http.ResponseWriter
	chunk int
	pause time.Duration
}

func (t *throttled) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), t.chunk)
		m, err := t.ResponseWriter.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		t.ResponseWriter.(http.Flusher).Flush()
		p = p[k:]
		time.Sleep(t.pause)
	}
	return n, nil
}

// TestSyncKilled kills `smartcheck catalog sync` with SIGKILL at random
// moments — at random times, and just after each step it reports — and
// checks each time that the directory holds a catalog that opens, as the
// till opens it, and that it is the old catalog or the new one (or, on a
// first sync, none or the new one). Every few kills an uninterrupted sync
// must then finish the job.
func TestSyncKilled(t *testing.T) {
	bin, err := exec.LookPath("smartcheck")
	if err != nil {
		t.Fatalf("the test binary is not installed as smartcheck on PATH: %v", err)
	}
	work := t.TempDir()
	issued := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	expires := issued.Add(365 * 24 * time.Hour)
	oldDir, newDir := filepath.Join(work, "old"), filepath.Join(work, "new")
	trust, err := catalog.WriteSynthetic(oldDir, 3000, "fault", issued, expires)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.WriteSynthetic(newDir, 4500, "fault", issued.Add(time.Minute), expires); err != nil {
		t.Fatal(err)
	}
	read := func(dir, name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	oldCP, newCP := read(oldDir, "checkpoint"), read(newDir, "checkpoint")
	oldRecs, newRecs := read(oldDir, "records"), read(newDir, "records")
	if !bytes.HasPrefix(newRecs, oldRecs) {
		t.Fatal("the new synthetic log does not extend the old")
	}
	trustFile := filepath.Join(oldDir, "trust")

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var data []byte
		switch r.URL.Path {
		case "/checkpoint":
			time.Sleep(30 * time.Millisecond)
			data = newCP
		case "/records":
			data = newRecs
		default:
			http.NotFound(w, r)
			return
		}
		http.ServeContent(&throttled{w, 64 << 10, 4 * time.Millisecond}, r, "", time.Time{}, bytes.NewReader(data))
	}))
	defer srv.Close()

	inst, state := filepath.Join(work, "installed"), filepath.Join(work, "state")
	reset := func(fresh bool) {
		os.RemoveAll(inst)
		os.RemoveAll(state)
		if fresh {
			return
		}
		os.MkdirAll(inst, 0o755)
		for name, data := range map[string][]byte{"records": oldRecs, "checkpoint": oldCP, "trust": read(oldDir, "trust")} {
			if err := os.WriteFile(filepath.Join(inst, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cp, err := catalog.OpenCheckpoint(oldCP, trust)
		if err != nil {
			t.Fatal(err)
		}
		if err := catalog.SaveAccepted(state, nil, cp); err != nil {
			t.Fatal(err)
		}
	}
	// outcome opens the installed catalog as the till does and says which
	// it is: "old", "new" or "none".
	outcome := func(fresh bool) string {
		t.Helper()
		cpData, err := os.ReadFile(filepath.Join(inst, "checkpoint"))
		if os.IsNotExist(err) && fresh {
			return "none"
		}
		last, err := catalog.LoadAccepted(state, trust)
		if err != nil {
			t.Fatalf("last accepted checkpoint: %v", err)
		}
		c, err := catalog.OpenDir(inst, trust, last)
		if err != nil {
			t.Fatalf("the catalog left by a killed sync does not open: %v", err)
		}
		c.Close()
		switch {
		case string(cpData) == string(oldCP) && !fresh:
			return "old"
		case string(cpData) == string(newCP):
			return "new"
		}
		t.Fatalf("the catalog left by a killed sync is neither the old nor the new one: %d records", c.Size())
		return ""
	}
	sync := func(kill func(lines <-chan string)) {
		cmd := exec.Command(bin, "catalog", "sync", "-v", "--catalog", inst, "--state", state, "--trust", trustFile, "--timeout", "5s", srv.URL+"/")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 64)
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(lines)
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		if kill != nil {
			kill(lines)
			cmd.Process.Kill() // SIGKILL
		}
		for range lines {
		}
		<-done
		err = cmd.Wait()
		if kill == nil && err != nil {
			t.Fatalf("uninterrupted sync: %v", err)
		}
	}

	// How long an uninterrupted sync takes, to spread the kills over.
	reset(false)
	start := time.Now()
	sync(nil)
	took := time.Since(start)
	if got := outcome(false); got != "new" {
		t.Fatalf("an uninterrupted sync left the %s catalog", got)
	}
	t.Logf("an uninterrupted sync of 1,500 records onto 3,000 takes %v", took.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	const kills = 60
	outcomes := map[string]int{}
	landed := map[string]int{}
	for i := range kills {
		fresh := i%5 == 4
		reset(fresh)
		var step string // the last step reported before the kill
		var aim string
		sync(func(lines <-chan string) {
			if i%2 == 0 {
				// At a random time.
				timer := time.After(time.Duration(rng.Int64N(int64(took) * 11 / 10)))
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							return
						}
						step = l
					case <-timer:
						return
					}
				}
			}
			// Just after a step begins: each in turn.
			aim = syncSteps[(i/2)%len(syncSteps)]
			for l := range lines {
				step = l
				if strings.Contains(l, aim) {
					time.Sleep(time.Duration(rng.Int64N(int64(2 * time.Millisecond))))
					return
				}
			}
		})
		got := outcome(fresh)
		outcomes[got]++
		landed[stepOf(step)]++
		if i%4 == 3 {
			// The next sync recovers whatever was left.
			sync(nil)
			if got := outcome(fresh); got != "new" {
				t.Fatalf("kill %d: the sync after it left the %s catalog", i, got)
			}
			if left, _ := filepath.Glob(filepath.Join(inst, ".*.tmp*")); len(left) > 0 {
				t.Errorf("kill %d: the sync after it left %v", i, left)
			}
		}
	}
	t.Logf("%d kills; catalogs left: %v", kills, outcomes)
	var steps []string
	for s, n := range landed {
		steps = append(steps, fmt.Sprintf("%s: %d", s, n))
	}
	slices.Sort(steps)
	t.Logf("last step reported before the kill: %s", strings.Join(steps, ", "))
	if outcomes["old"] == 0 || outcomes["new"] == 0 {
		t.Errorf("the kills did not land both before and after the install: %v", outcomes)
	}
}

// stepOf names the step a -v line reports.
func stepOf(line string) string {
	line = strings.TrimPrefix(line, "smartcheck: catalog sync: ")
	switch {
	case line == "":
		return "(before any)"
	case strings.HasSuffix(line, "/checkpoint"):
		return "fetch checkpoint"
	case strings.Contains(line, "/records from byte"):
		return "fetch records"
	}
	return line
}
