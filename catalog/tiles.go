package catalog

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"
)

// Hash tiles (C2SP tlog-tiles): beside `records`, the publisher writes
// tile/<L>/<N>[.p/<W>], each the concatenated hashes of one 256-wide
// slice of one level of the Merkle tree. They are derived (catalog.md,
// "The log"): a till trusts a tile only once the hashes in it are
// checked against a signed root (tlog.TileHashReader). They let a till
// prove that one checkpoint extends another, and anyone prove that one
// record is in the log, without the whole records file.

const tileHeight = torchwood.TileHeight

// TilePath is the C2SP tlog-tiles path of tile t, e.g. tile/0/x001/234.p/5.
func TilePath(t tlog.Tile) string { return torchwood.TilePath(t) }

// storedHashes is a tlog.HashReader over the hashes of a log of size n
// being written: the stored hashes from index base on are in mem, and
// earlier ones are read from the tiles already in dir (written for the
// log's first old records).
type storedHashes struct {
	dir  string
	old  int64
	base int64
	mem  []tlog.Hash

	tiles map[tlog.Tile][]byte // old tiles read, by the tile of TileForIndex widened to the file's
}

func (s *storedHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= s.base {
			if x-s.base >= int64(len(s.mem)) {
				return nil, fmt.Errorf("hash %d is not stored yet", x)
			}
			out[i] = s.mem[x-s.base]
			continue
		}
		h, err := s.readOld(x)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// readOld reads stored hash x from the tile of the old log that holds it.
func (s *storedHashes) readOld(x int64) (tlog.Hash, error) {
	t := tlog.TileForIndex(tileHeight, x)
	t.W = tileWidthIn(s.old, t.L, t.N)
	data, ok := s.tiles[t]
	if !ok {
		var err error
		data, err = os.ReadFile(filepath.Join(s.dir, TilePath(t)))
		if err != nil {
			return tlog.Hash{}, err
		}
		if len(data) != t.W*tlog.HashSize {
			return tlog.Hash{}, fmt.Errorf("tile %s is %d bytes, want %d", TilePath(t), len(data), t.W*tlog.HashSize)
		}
		if s.tiles == nil {
			s.tiles = map[tlog.Tile][]byte{}
		}
		s.tiles[t] = data
	}
	return tlog.HashFromTile(t, data, x)
}

// tileWidthIn is the width of tile (level l, index n) in a log of size
// size: 256 for a full tile, fewer for the partial one at the right edge.
func tileWidthIn(size int64, l int, n int64) int {
	return int(min(1<<tileHeight, size>>(tileHeight*l)-n<<tileHeight))
}

// tileWriter writes the tiles of a log growing from old to new records.
type tileWriter struct {
	dir      string
	old, new int64
	store    *storedHashes
}

// newTileWriter starts the tiles of dir's log growing from old records.
func newTileWriter(dir string, old int64) *tileWriter {
	base := tlog.StoredHashCount(old)
	return &tileWriter{dir: dir, old: old, new: old, store: &storedHashes{dir: dir, old: old, base: base}}
}

// add adds the next record's hash.
func (w *tileWriter) add(h tlog.Hash) error {
	hs, err := tlog.StoredHashesForRecordHash(w.new, h, w.store)
	if err != nil {
		return err
	}
	w.store.mem = append(w.store.mem, hs...)
	w.new++
	return nil
}

// write checks that the hashes make root — so that no tile is written
// from a damaged old tile or a wrong record — and writes every tile that
// changed. A full tile never changes, so one already in dir is kept.
func (w *tileWriter) write(root tlog.Hash) error {
	if w.new == 0 {
		return nil
	}
	got, err := tlog.TreeHash(w.new, w.store)
	if err != nil {
		return err
	}
	if got != root {
		return errors.New("the tiles' hashes do not make the checkpoint's root")
	}
	return writeTileSet(w.dir, tlog.NewTiles(tileHeight, w.old, w.new), func(t tlog.Tile) ([]byte, error) {
		return tlog.ReadTileData(t, w.store)
	})
}

// writeTileSet writes tiles into dir, each tile's bytes made by data on
// the goroutine that writes it. Tiles are many small files: a few
// goroutines write them, and each directory is made once.
func writeTileSet(dir string, tiles []tlog.Tile, data func(tlog.Tile) ([]byte, error)) error {
	made := map[string]bool{}
	for _, t := range tiles {
		d := filepath.Dir(filepath.Join(dir, TilePath(t)))
		if !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made[d] = true
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(tiles))
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				t := tiles[i]
				b, err := data(t)
				if err == nil {
					err = writeTile(filepath.Join(dir, TilePath(t)), b)
				}
				errs[i] = err
			}
		})
	}
	for i := range tiles {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// writeTile writes one tile. A tile path names fixed contents (C2SP
// tlog-tiles: a tile that grows gets a new path), and no published
// checkpoint needs a tile before it is written, so a new tile is created
// in place, in one system call, and never seen half written by a reader
// that needs it. One already there with other bytes (a damaged one) is
// replaced atomically (writeFileAtomic); with the same bytes it is left
// alone. Tiles are not synced to disk one by one (a million records
// make thousands): a tile lost or torn by a crash is derived data that
// every reader checks against the signed root, and falls back from, and
// EnsureTiles writes again. Its directory exists.
func writeTile(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
			return nil
		}
		return writeFileAtomic(name, data) // rare: synced, and mode 0644 as new tiles
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// WriteTiles writes every hash tile of the first size records of the
// records file in dir, whose tree hash must be root: for a catalog that
// has none yet (one built before tiles, or a damaged set).
func WriteTiles(dir string, size int64, root tlog.Hash) error {
	f, err := os.Open(filepath.Join(dir, "records"))
	if err != nil {
		return err
	}
	defer f.Close()
	return writeTilesFrom(dir, f, size, root)
}

// writeTilesFrom writes every tile of the first size records read from
// r. A million records are a gigabyte: they are read in large chunks
// and hashed on every core while the next chunk is read (hashRecords),
// then the tree above them is computed level by level (hashTree), its
// root checked, and the tiles cut from its levels.
func writeTilesFrom(dir string, r io.Reader, size int64, root tlog.Hash) error {
	if size == 0 {
		return nil
	}
	leaves, err := hashRecords(r, size)
	if err != nil {
		return fmt.Errorf("tiles: %w", err)
	}
	tree := newHashTree(leaves)
	got, err := tlog.TreeHash(size, tree)
	if err != nil {
		return err
	}
	if got != root {
		return errors.New("the records' tree hash is not the checkpoint's root: no tiles written")
	}
	return writeTileSet(dir, tlog.NewTiles(tileHeight, 0, size), tree.tileData)
}

// hashChunk is a run of whole frames, from a buffer of the pool.
type hashChunk struct {
	buf   []byte // the buffer, back to the pool once hashed
	data  []byte // the frames
	first int64  // the index of the first
}

// hashChunkSize is the size of the reads; a chunk always holds a whole
// frame of the largest record.
const hashChunkSize = 4 << 20

// hashRecords returns the record hashes of the first n records framed in
// r. One goroutine reads and finds the frames; one per core hashes them.
func hashRecords(r io.Reader, n int64) ([]tlog.Hash, error) {
	leaves := make([]tlog.Hash, n)
	workers := runtime.GOMAXPROCS(0)
	pool := make(chan []byte, workers+2)
	for range cap(pool) {
		pool <- make([]byte, hashChunkSize)
	}
	work := make(chan hashChunk, cap(pool))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			h := sha256.New()
			for c := range work {
				for i, b := c.first, c.data; len(b) > 0; i++ {
					length, hn, _ := parseFrameHeader(b)
					h.Reset()
					h.Write([]byte{0}) // RFC 6962 leaf prefix, as tlog.RecordHash
					h.Write(b[hn : hn+length])
					h.Sum(leaves[i][:0])
					b = b[hn+length:]
				}
				pool <- c.buf
			}
		})
	}
	err := splitFrames(r, n, pool, work)
	close(work)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return leaves, nil
}

// splitFrames reads r into buffers from pool and sends each run of whole
// frames to work, until n records are sent.
func splitFrames(r io.Reader, n int64, pool chan []byte, work chan<- hashChunk) error {
	var (
		idx  int64 // records found
		off  int64 // their bytes
		buf  = <-pool
		have int // bytes in buf
		eof  bool
	)
	for idx < n {
		if !eof && have < len(buf) {
			m, err := io.ReadFull(r, buf[have:])
			have += m
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				eof = true
			} else if err != nil {
				return err
			}
		}
		// Find the whole frames at the start of buf.
		first, end := idx, 0
		for idx < n {
			length, hn, msg := parseFrameHeader(buf[end:have])
			if msg != "" {
				return &FrameError{idx, off, msg}
			}
			if hn == 0 || end+hn+length > have {
				break
			}
			end += hn + length
			off += int64(hn + length)
			idx++
		}
		if end == 0 {
			if eof {
				if have == 0 {
					return fmt.Errorf("record %d: %w", idx, io.EOF)
				}
				return &FrameError{idx, off, "truncated frame at the end of the file"}
			}
			if have == len(buf) { // cannot happen: a frame fits in a chunk
				return &FrameError{idx, off, "frame longer than a read"}
			}
			continue
		}
		next := <-pool
		have = copy(next, buf[end:have])
		work <- hashChunk{buf: buf, data: buf[:end], first: first}
		buf = next
	}
	pool <- buf
	return nil
}

// hashTree holds every stored hash of a tree: levels[l][k] is the hash
// of the complete subtree of 2^l leaves starting at leaf k<<l.
type hashTree struct{ levels [][]tlog.Hash }

// newHashTree computes the tree above leaves, each large level split
// between the cores.
func newHashTree(leaves []tlog.Hash) *hashTree {
	t := &hashTree{levels: [][]tlog.Hash{leaves}}
	workers := runtime.GOMAXPROCS(0)
	for l := leaves; len(l) > 1; {
		next := make([]tlog.Hash, len(l)/2)
		parts := 1
		if len(next) >= 1<<14 {
			parts = workers
		}
		var wg sync.WaitGroup
		for p := range parts {
			lo, hi := len(next)*p/parts, len(next)*(p+1)/parts
			wg.Go(func() {
				for i := lo; i < hi; i++ {
					next[i] = tlog.NodeHash(l[2*i], l[2*i+1])
				}
			})
		}
		wg.Wait()
		t.levels = append(t.levels, next)
		l = next
	}
	return t
}

func (t *hashTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		level, n := tlog.SplitStoredHashIndex(x)
		if level >= len(t.levels) || n >= int64(len(t.levels[level])) {
			return nil, fmt.Errorf("hash %d is not stored", x)
		}
		out[i] = t.levels[level][n]
	}
	return out, nil
}

// tileData is the bytes of tile tile: the hashes of its level's slice.
func (t *hashTree) tileData(tile tlog.Tile) ([]byte, error) {
	level, start := tile.L*tile.H, tile.N<<tile.H
	if level >= len(t.levels) || start+int64(tile.W) > int64(len(t.levels[level])) {
		return nil, fmt.Errorf("tile %s is past the tree", TilePath(tile))
	}
	out := make([]byte, 0, tile.W*tlog.HashSize)
	for _, h := range t.levels[level][start : start+int64(tile.W)] {
		out = append(out, h[:]...)
	}
	return out, nil
}

// appendTiles writes the tiles that change when records (framed, as
// data) follow the first old records of dir's log, making a tree with
// root. When the old tiles are missing or damaged it writes them all
// again from the records file.
func appendTiles(dir string, old int64, data []byte, root tlog.Hash) error {
	recs, err := ReadFrames(data)
	if err != nil {
		return err
	}
	w := newTileWriter(dir, old)
	for _, rec := range recs {
		if err = w.add(tlog.RecordHash(rec)); err != nil {
			break
		}
	}
	if err == nil {
		if err = w.write(root); err == nil {
			return nil
		}
	}
	return WriteTiles(dir, old+int64(len(recs)), root)
}

// EnsureTiles checks the tiles in dir against cp (every tile on the
// tree's right edge, checked against its root) and writes them all again
// from the records file when they are missing or wrong. The caller holds
// LockDir(dir).
func EnsureTiles(dir string, cp *Checkpoint) error {
	if cp.Size == 0 {
		return nil
	}
	if _, err := tlog.TreeHash(cp.Size, treeHashes(cp, dirTiles(dir))); err == nil {
		return nil
	}
	return WriteTiles(dir, cp.Size, cp.Root)
}
