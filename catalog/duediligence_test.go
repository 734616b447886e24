package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func ddRecord(seq int, gtin string) DueDiligenceRecord {
	return DueDiligenceRecord{
		Time: time.Date(2026, 11, 24, 10, 0, seq, 0, time.UTC), Event: EventCheck, Session: "s1",
		Seq: seq, Input: gtin[1:], GTIN: gtin, Verdict: "CAUTION", Findings: []string{"contact-incomplete"},
		Catalog: &DueDiligenceCatalog{Origin: testOrigin, Size: 3, Root: "cm9vdA=="},
	}
}

func readDD(t *testing.T, path string) ([]DueDiligenceRecord, []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, bad, err := ReadDueDiligenceLog(f)
	if err != nil {
		t.Fatal(err)
	}
	return recs, bad
}

func seqs(recs []DueDiligenceRecord) []int {
	var s []int
	for _, r := range recs {
		s = append(s, r.Seq)
	}
	return s
}

func TestDueDiligenceLog(t *testing.T) {
	tests := []struct {
		name     string
		before   string // file contents before the till opens it; "-" for no file
		wantSeqs []int  // seqs read back after appending 1, 2, 3
		wantBad  []int
	}{
		{"new file", "-", []int{1, 2, 3}, nil},
		{"empty file", "", []int{1, 2, 3}, nil},
		{"earlier lines kept", `{"time":"2026-11-23T09:00:00Z","event":"check","seq":7,"input":"x"}` + "\n", []int{7, 1, 2, 3}, nil},
		{"torn last line", `{"time":"2026-11-23T09:00:00Z","event":"check","seq":7,"input":"x"}` + "\n" + `{"time":"2026-11-23T09:00:01Z","ev`, []int{7, 1, 2, 3}, []int{2}},
		{"torn only line", `{"time":"2026-11`, []int{1, 2, 3}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state", "smartcheck", "checks.jsonl")
			if tt.before != "-" {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, []byte(tt.before), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			l, err := OpenDueDiligenceLog(path)
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range []string{gtinA, gtinB, gtinC} {
				if err := l.Append(ddRecord(i+1, g)); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(path)
			if !bytes.HasPrefix(data, []byte(strings.TrimSuffix(tt.before, "-"))) {
				t.Errorf("earlier bytes changed:\n%q", data)
			}
			if !bytes.HasSuffix(data, []byte("\n")) {
				t.Errorf("log does not end in a newline")
			}
			recs, bad := readDD(t, path)
			if got := seqs(recs); !slices.Equal(got, tt.wantSeqs) {
				t.Errorf("seqs = %v, want %v", got, tt.wantSeqs)
			}
			if !slices.Equal(bad, tt.wantBad) {
				t.Errorf("bad lines = %v, want %v", bad, tt.wantBad)
			}
			last := recs[len(recs)-1]
			if last.GTIN != gtinC || last.Catalog == nil || last.Catalog.Root != "cm9vdA==" || !slices.Equal(last.Findings, []string{"contact-incomplete"}) {
				t.Errorf("last record read back as %+v", last)
			}
		})
	}
}

// TestDueDiligenceRestart opens the log again and again, as a till that is
// restarted (or crashes) would, and finds every earlier line intact.
func TestDueDiligenceRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checks.jsonl")
	var want []int
	for run := range 4 {
		l, err := OpenDueDiligenceLog(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			seq := run*10 + i
			if err := l.Append(ddRecord(seq, gtinA)); err != nil {
				t.Fatal(err)
			}
			want = append(want, seq)
		}
		if run == 2 {
			// A crash in the middle of a write: half a line, no newline.
			l.Close()
			f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(`{"time":"2026-11-24T10:00:00Z","event":"che`)
			f.Close()
			continue
		}
		l.Close()
	}
	recs, bad := readDD(t, path)
	if got := seqs(recs); !slices.Equal(got, want) {
		t.Errorf("seqs = %v, want %v", got, want)
	}
	if len(bad) != 1 {
		t.Errorf("bad lines = %v, want just the torn one", bad)
	}
}

func TestDueDiligenceAppendAfterClose(t *testing.T) {
	l, err := OpenDueDiligenceLog(filepath.Join(t.TempDir(), "checks.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if err := l.Append(ddRecord(1, gtinA)); err == nil {
		t.Fatal("append after close succeeded")
	}
}

func TestDueDiligenceUnwritableDir(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	if _, err := OpenDueDiligenceLog(filepath.Join(blocker, "checks.jsonl")); err == nil {
		t.Fatal("opened a log under a regular file")
	}
}

// TestDueDiligenceTornByAnother: a torn line that another writer left
// (a till that crashed mid-write, or whose write was cut short) never
// swallows the next record, whether this writer sees it before it
// appends or the two race and the record lands on the torn line.
func TestDueDiligenceTornByAnother(t *testing.T) {
	torn := `{"time":"2026-11-24T10:00:00Z","event":"check","seq":9,"inp`
	whole := func(seq int) string {
		b, err := json.Marshal(ddRecord(seq, gtinB))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name     string
		contents string // written by "another till"; %s is a whole record of seq 5
		appended bool   // this writer then appends seqs 1 and 2
		wantSeqs []int
		wantBad  []int
	}{
		{"torn line seen before appending", torn, true, []int{1, 2}, []int{1}},
		{"whole record after a torn one, same line", torn + whole(5) + "\n", false, []int{5}, []int{1}},
		{"two torn, then a whole record", torn + torn + whole(5) + "\n", false, []int{5}, []int{1}},
		{"whole record after a torn one, then this writer", torn + whole(5), true, []int{5, 1, 2}, []int{1}},
		{"torn record holding the start of a record in a string", `{"time":"x","event":"check","input":"{\"time\":` + whole(5) + "\n", false, []int{5}, []int{1}},
		{"garbage only", "not json at all\n{\"time\":\n", false, nil, []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "checks.jsonl")
			l, err := OpenDueDiligenceLog(path)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			// The other till writes after this one opened the file.
			other, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			other.WriteString(tt.contents)
			other.Close()
			if tt.appended {
				for seq := 1; seq <= 2; seq++ {
					if err := l.Append(ddRecord(seq, gtinA)); err != nil {
						t.Fatal(err)
					}
				}
			}
			recs, bad := readDD(t, path)
			if got := seqs(recs); !slices.Equal(got, tt.wantSeqs) {
				t.Errorf("seqs = %v, want %v", got, tt.wantSeqs)
			}
			if !slices.Equal(bad, tt.wantBad) {
				t.Errorf("bad lines = %v, want %v", bad, tt.wantBad)
			}
		})
	}
}

// TestDueDiligenceSharedByTwoTills appends from two logs open on one file
// at once, while a third writer leaves torn lines: every record of both
// is read back whole.
func TestDueDiligenceSharedByTwoTills(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checks.jsonl")
	const n = 150
	var wg sync.WaitGroup
	for till := range 2 {
		l, err := OpenDueDiligenceLog(path)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			defer l.Close()
			for i := range n {
				rec := ddRecord(till*1000+i, gtinA)
				rec.Input = strings.Repeat("9", 3000) // long lines: more chance to interleave
				if err := l.Append(rec); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		for range 20 {
			f.WriteString(`{"time":"2026-11-24T10:00:00Z","ev`)
			time.Sleep(time.Millisecond)
		}
	})
	wg.Wait()
	recs, _ := readDD(t, path)
	got := map[int]bool{}
	for _, r := range recs {
		got[r.Seq] = true
	}
	for till := range 2 {
		for i := range n {
			if !got[till*1000+i] {
				t.Errorf("record %d of till %d is lost", i, till)
			}
		}
	}
}

// TestDueDiligenceOneWrite: each record is one write(2), watched with
// strace, so that another process's record cannot land inside it.
func TestDueDiligenceOneWrite(t *testing.T) {
	if path := os.Getenv("SMARTCHECK_TEST_DDLOG"); path != "" {
		l, err := OpenDueDiligenceLog(path)
		if err != nil {
			t.Fatal(err)
		}
		for seq := range 3 {
			if err := l.Append(ddRecord(seq, gtinA)); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
		return
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("strace is missing, and CI=true: .ci/run should install it")
		}
		t.Skip("strace is not installed")
	}
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace")
	cmd := exec.Command(strace, "-f", "-e", "trace=write,pwrite64,writev", "-s", "20", "-o", trace,
		os.Args[0], "-test.run=^TestDueDiligenceOneWrite$")
	cmd.Env = append(os.Environ(), "SMARTCHECK_TEST_DDLOG="+filepath.Join(dir, "checks.jsonl"))
	if out, err := cmd.CombinedOutput(); err != nil {
		if bytes.Contains(out, []byte("ptrace")) || bytes.Contains(out, []byte("Operation not permitted")) {
			t.Skipf("strace cannot trace here: %s", out)
		}
		t.Fatalf("%v: %s", err, out)
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	// Each write of the log appears as write(FD, "{\"time\":...", N) = N.
	var writes []string
	for line := range strings.Lines(string(data)) {
		if strings.Contains(line, `"{\"time\":`) {
			writes = append(writes, line)
		}
	}
	if len(writes) != 3 {
		t.Fatalf("%d writes of records, want 3 (one each):\n%s", len(writes), data)
	}
	for _, w := range writes {
		var fd, n, ret int
		i := strings.Index(w, "write(")
		if _, err := fmt.Sscanf(w[i:], "write(%d,", &fd); err != nil {
			t.Fatalf("cannot read %q: %v", w, err)
		}
		if _, err := fmt.Sscanf(w[strings.LastIndex(w, ",")+1:], " %d) = %d", &n, &ret); err != nil || n != ret {
			t.Errorf("short or unreadable write: %q", w)
		}
	}
}

// TestDueDiligenceNotRegular: a log that is not a regular file is refused
// at once, a named pipe included, which would otherwise hang the till
// until something read it.
func TestDueDiligenceNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	tests := []struct {
		name, path, want string
	}{
		{"named pipe", fifo, "is a named pipe (FIFO), not a regular file"},
		{"directory", sub, "is a directory, not a regular file"},
		{"device", "/dev/null", "is a character device, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				l, err := OpenDueDiligenceLog(tt.path)
				if err == nil {
					l.Close()
				}
				done <- err
			}()
			select {
			case err := <-done:
				var nr *NotRegularFileError
				if !errors.As(err, &nr) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want a NotRegularFileError saying %q", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("OpenDueDiligenceLog hangs")
			}
		})
	}
}
