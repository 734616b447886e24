package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
