package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// OpenDir streams the records file through buffers of chunkSize bytes:
// the same checks hold across buffer edges as within one.
func TestOpenDirAcrossBuffers(t *testing.T) {
	dir := t.TempDir()
	// Enough records to span several buffers (chunkSize is 8 MiB).
	trust, err := WriteSynthetic(dir, 30000, "buffers", benchIssued, benchExpires)
	if err != nil {
		t.Fatal(err)
	}
	recs := filepath.Join(dir, "records")
	data, err := os.ReadFile(recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 3*chunkSize {
		t.Fatalf("records file of %d bytes spans fewer than three buffers", len(data))
	}
	open := func() error {
		c, err := OpenDir(dir, trust, nil)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	for _, tc := range []struct {
		name  string
		data  []byte
		check string
	}{
		{"truncated mid-record", data[:len(data)-100], "records"},
		{"truncated at a buffer edge", data[:chunkSize+5], "records"},
		{"flipped byte past the first buffer", flip(data, chunkSize+MaxRecordSize+1000), "root"},
		{"flipped byte at the end", flip(data, len(data)-1), "root"},
		{"garbage appended", append(append([]byte{}, data...), "17\nnot committed yet"...), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(recs, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			err := open()
			var se *SecurityError
			switch {
			case tc.check == "" && err != nil:
				t.Fatalf("open: %v", err)
			case tc.check != "" && (!errors.As(err, &se) || se.Check != tc.check):
				t.Fatalf("open = %v, want a %s SecurityError", err, tc.check)
			}
		})
	}
}

func flip(data []byte, i int) []byte {
	d := append([]byte{}, data...)
	d[i] ^= 1
	return d
}
