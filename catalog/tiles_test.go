package catalog

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// buildTiled builds a catalog of recs in a new dir with the sync
// fixture's publisher key.
func buildTiled(t *testing.T, f *syncFixture, recs [][]byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cat")
	if _, err := Build(dir, f.trust.Origin, recs, []Signer{f.pub}, f.trust.Publishers, benchIssued, 365*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestTilesAppendWritesOnlyChanged(t *testing.T) {
	f := newSyncFixture(t)
	dir := buildTiled(t, f, f.recs[:600])
	full := filepath.Join(dir, "tile/0/001")
	before, err := os.Stat(full)
	if err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(dir, "tile/0/002.p/88")
	if _, err := os.Stat(partial); err != nil {
		t.Fatal(err)
	}
	if _, err := AppendDir(dir, f.trust, f.recs[600:650], []Signer{f.pub}, benchIssued.Add(time.Hour), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(full)
	if err != nil || !os.SameFile(before, after) {
		t.Fatalf("a full tile was written again on append (%v)", err)
	}
	for _, p := range []string{"tile/0/002.p/138", "tile/1/000.p/2", "tile/0/002.p/88"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("tile %s: %v", p, err)
		}
	}
	c, err := OpenDir(dir, f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, i := range []int64{0, 255, 256, 599, 649} {
		p, err := c.InclusionProof(dir, i)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Verify(f.trust); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		q, err := ParseProof([]byte(p.Format()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.Verify(f.trust); err != nil {
			t.Fatalf("record %d after a round trip: %v", i, err)
		}
		q.Index = (q.Index + 1) % 650
		if _, err := q.Verify(f.trust); err == nil || !strings.Contains(err.Error(), "does not verify") {
			t.Fatalf("a proof moved to another index: %v", err)
		}
	}
}

// TestTilesThatLie: a tile with a wrong hash, a truncated tile and one of
// the wrong width are caught against the signed root, and a proof still
// comes out right (from the records); on the tree's right edge, the
// publisher's EnsureTiles writes them again.
func TestTilesThatLie(t *testing.T) {
	f := newSyncFixture(t)
	dir := buildTiled(t, f, f.recs[:600])
	c, err := OpenDir(dir, f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tile := filepath.Join(dir, "tile/0/001")
	edge := filepath.Join(dir, "tile/0/002.p/88")
	good, _ := os.ReadFile(tile)
	goodEdge, _ := os.ReadFile(edge)
	for name, bad := range map[string][]byte{
		"wrong hash": append(append([]byte{}, good[:40]...), append([]byte{good[40] ^ 1}, good[41:]...)...),
		"truncated":  good[:len(good)-5],
		"too narrow": good[:len(good)-32],
	} {
		os.WriteFile(tile, bad, 0o644)
		if _, err := ConsistencyProof(dir, c.Checkpoint, 300); err == nil {
			t.Errorf("%s: a consistency proof from a lying tile", name)
		}
		p, err := c.InclusionProof(dir, 300)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := p.Verify(f.trust); err != nil {
			t.Fatalf("%s: the proof made without the tile: %v", name, err)
		}
		os.WriteFile(tile, good, 0o644)
		os.WriteFile(edge, bad[:min(len(bad), len(goodEdge)-1)], 0o644)
		if err := EnsureTiles(dir, c.Checkpoint); err != nil {
			t.Fatal(err)
		}
		if now, _ := os.ReadFile(edge); string(now) != string(goodEdge) {
			t.Fatalf("%s: EnsureTiles did not write the edge tile again", name)
		}
	}
}

// TestSyncForkFromTiles: a till with 300 records syncs a published log
// whose signed tree does not extend them; the tiles prove the fork before
// any record is fetched. With lying tiles the records decide, as before.
func TestSyncForkFromTiles(t *testing.T) {
	f := newSyncFixture(t)
	till := filepath.Join(t.TempDir(), "till")
	dirA := buildTiled(t, f, f.recs[:300])
	forkRecs := append(append([][]byte{}, f.recs[:299]...), f.recs[300:500]...)
	dirB := buildTiled(t, f, forkRecs)
	// Fork B's checkpoint is issued later.
	cB, err := OpenDir(dirB, f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := SignCheckpoint(&Checkpoint{Origin: f.trust.Origin, Size: cB.Size(), Root: cB.Checkpoint.Root, Issued: benchIssued.Add(time.Hour), Expires: benchExpires}, f.pub)
	cB.Close()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dirB, "checkpoint"), msg, 0o644)

	srvA := httptest.NewServer(http.FileServer(http.Dir(dirA)))
	defer srvA.Close()
	if _, err := Sync(context.Background(), nil, srvA.URL, till, f.trust, "", benchIssued.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var requests []string
	srvB := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.URL.Path)
		http.FileServer(http.Dir(dirB)).ServeHTTP(w, r)
	}))
	defer srvB.Close()
	_, err = Sync(context.Background(), nil, srvB.URL, till, f.trust, "", benchIssued.Add(2*time.Hour))
	if securityCheck(err) != "fork" || !strings.Contains(err.Error(), "proven from the tiles") {
		t.Fatalf("sync of a fork: %v", err)
	}
	for _, p := range requests {
		if p == "/records" {
			t.Fatalf("the records were fetched though the tiles proved the fork: %v", requests)
		}
	}
	// Tiles that lie: the fork is still found, from the records.
	tile := filepath.Join(dirB, "tile/0/001.p/243") // holds records 256 to 298, which the proof needs
	data, _ := os.ReadFile(tile)
	data[7] ^= 1
	os.WriteFile(tile, data, 0o644)
	_, err = Sync(context.Background(), nil, srvB.URL, till, f.trust, "", benchIssued.Add(2*time.Hour))
	if securityCheck(err) != "fork" || strings.Contains(err.Error(), "proven from the tiles") {
		t.Fatalf("sync of a fork with lying tiles: %v", err)
	}
}

// BenchmarkWriteTiles writes every tile of the synthetic catalog of
// SMARTCHECK_BENCH_RECORDS (default 1,000,000) records (target: at most
// 2 s). BenchmarkWriteTiles/hash is its first part alone: reading and
// hashing the records and the tree above them, without creating the
// ~4,000 tile files.
func BenchmarkWriteTiles(b *testing.B) {
	src, trust := syntheticDir(b, benchRecords())
	c, err := OpenDir(src, trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	cp := c.Checkpoint
	c.Close()
	b.Run("all", func(b *testing.B) {
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			// Beside the catalog, where a publisher's tiles go: not under
			// /tmp, where on the test machine every new file costs about
			// 1 ms of kernel time (its crowded inode groups) against
			// 0.06 ms elsewhere on the same disk.
			dir, err := os.MkdirTemp(filepath.Dir(src), "tiles-bench-")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { os.RemoveAll(dir) })
			if err := os.Symlink(filepath.Join(src, "records"), filepath.Join(dir, "records")); err != nil {
				b.Fatal(err)
			}
			if err := WriteTiles(dir, cp.Size, cp.Root); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hash", func(b *testing.B) {
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			f, err := os.Open(filepath.Join(src, "records"))
			if err != nil {
				b.Fatal(err)
			}
			leaves, err := hashRecords(f, cp.Size)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			if root, err := tlog.TreeHash(cp.Size, newHashTree(leaves)); err != nil || root != cp.Root {
				b.Fatalf("root: %v", err)
			}
		}
	})
}

// reportCPU reports the CPU time (user and system, every core) per
// operation since start: the work, whatever else the machine is doing.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkCheckInclusionProof checks one proof against a checkpoint
// (target: under 1 ms).
func BenchmarkCheckInclusionProof(b *testing.B) {
	f := newSyncFixture(b)
	dir := filepath.Join(b.TempDir(), "cat")
	if _, err := Build(dir, f.trust.Origin, f.recs, []Signer{f.pub}, f.trust.Publishers, benchIssued, 365*24*time.Hour); err != nil {
		b.Fatal(err)
	}
	c, err := OpenDir(dir, f.trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	p, err := c.InclusionProof(dir, 345)
	if err != nil {
		b.Fatal(err)
	}
	text := []byte(p.Format())
	for b.Loop() {
		q, err := ParseProof(text)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := q.Verify(f.trust); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHashRecordsAcrossChunks: the parallel hasher gives tlog's record
// hashes for records that straddle its reads (records of up to 65,536
// bytes, over several 4 MiB chunks), stops at the size asked for, and
// refuses a file that is short, truncated or badly framed, saying where.
func TestHashRecordsAcrossChunks(t *testing.T) {
	var data []byte
	var recs [][]byte
	for i := range 300 {
		rec := bytes.Repeat([]byte{byte(i)}, 1+(i*7919)%MaxRecordSize)
		recs = append(recs, rec)
		data = AppendFrame(data, rec)
	}
	if len(data) < 2*hashChunkSize {
		t.Fatalf("only %d bytes: the test does not cross chunks", len(data))
	}
	for _, n := range []int64{1, 299, 300} {
		got, err := hashRecords(bytes.NewReader(data), n)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if int64(len(got)) != n {
			t.Fatalf("n=%d: %d hashes", n, len(got))
		}
		for i, h := range got {
			if h != tlog.RecordHash(recs[i]) {
				t.Fatalf("n=%d: record %d hashed wrong", n, i)
			}
		}
	}
	cut := len(data) - len(recs[299])/2
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"short", data, "record 300: EOF"},
		{"truncated", data[:cut], "record 299 at byte"},
		{"bad frame", append(bytes.Clone(data), "12x\n"...), "record 300 at byte " + strconv.Itoa(len(data)) + ": length contains byte 0x78"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hashRecords(bytes.NewReader(tc.data), 301)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestWriteTilesMatchesIncremental: the tiles written in one pass over
// the records are byte for byte those written record by record (the
// append path, through tlog's own stored-hash order), for sizes on and
// around tile edges; a wrong root writes none.
func TestWriteTilesMatchesIncremental(t *testing.T) {
	f := newSyncFixture(t)
	for _, n := range []int{1, 2, 255, 256, 257, 511, 512, 700} {
		var data []byte
		inc := newTileWriter(t.TempDir(), 0)
		for _, rec := range f.recs[:n] {
			data = AppendFrame(data, rec)
			if err := inc.add(tlog.RecordHash(rec)); err != nil {
				t.Fatal(err)
			}
		}
		root, err := tlog.TreeHash(int64(n), inc.store)
		if err != nil {
			t.Fatal(err)
		}
		if err := inc.write(root); err != nil {
			t.Fatal(err)
		}
		fast := t.TempDir()
		if err := writeTilesFrom(fast, bytes.NewReader(data), int64(n), root); err != nil {
			t.Fatal(err)
		}
		for _, tile := range tlog.NewTiles(tileHeight, 0, int64(n)) {
			a, errA := os.ReadFile(filepath.Join(inc.dir, TilePath(tile)))
			b, errB := os.ReadFile(filepath.Join(fast, TilePath(tile)))
			if errA != nil || errB != nil || !bytes.Equal(a, b) {
				t.Fatalf("n=%d: tile %s differs (%v, %v)", n, TilePath(tile), errA, errB)
			}
			// A web server running as another user serves them.
			if fi, err := os.Stat(filepath.Join(fast, TilePath(tile))); err != nil || fi.Mode().Perm()&0o044 != 0o044 {
				t.Fatalf("n=%d: tile %s is not readable by all: %v", n, TilePath(tile), fi.Mode())
			}
		}
		// A damaged tile is replaced (readable by all too); a good one is
		// left alone.
		name := filepath.Join(fast, TilePath(tlog.NewTiles(tileHeight, 0, int64(n))[0]))
		good, _ := os.ReadFile(name)
		os.Remove(name)
		os.WriteFile(name, []byte("damaged"), 0o600)
		if err := writeTilesFrom(fast, bytes.NewReader(data), int64(n), root); err != nil {
			t.Fatal(err)
		}
		if now, _ := os.ReadFile(name); !bytes.Equal(now, good) {
			t.Fatalf("n=%d: a damaged tile was not written again", n)
		}
		if fi, _ := os.Stat(name); fi.Mode().Perm()&0o044 != 0o044 {
			t.Fatalf("n=%d: the replaced tile's mode is %v", n, fi.Mode())
		}
		wrong := t.TempDir()
		root[0] ^= 1
		if err := writeTilesFrom(wrong, bytes.NewReader(data), int64(n), root); err == nil || !strings.Contains(err.Error(), "not the checkpoint's root") {
			t.Fatalf("n=%d, wrong root: %v", n, err)
		}
		if ents, _ := os.ReadDir(wrong); len(ents) != 0 {
			t.Fatalf("n=%d: tiles written for a wrong root", n)
		}
	}
}
