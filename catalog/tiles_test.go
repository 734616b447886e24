package catalog

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
// SMARTCHECK_BENCH_RECORDS (default 1,000,000) records (target: at most 2 s).
func BenchmarkWriteTiles(b *testing.B) {
	src, trust := syntheticDir(b, benchRecords())
	c, err := OpenDir(src, trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	cp := c.Checkpoint
	c.Close()
	for b.Loop() {
		dir := b.TempDir()
		if err := os.Symlink(filepath.Join(src, "records"), filepath.Join(dir, "records")); err != nil {
			b.Fatal(err)
		}
		if err := WriteTiles(dir, cp.Size, cp.Root); err != nil {
			b.Fatal(err)
		}
	}
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
