package catalog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	tiles := tlog.NewTiles(tileHeight, w.old, w.new)
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		if data[i], err = tlog.ReadTileData(t, w.store); err != nil {
			return err
		}
	}
	// Tiles are many small files: write them on a few goroutines.
	var wg sync.WaitGroup
	errs := make([]error, len(tiles))
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				errs[i] = writeTile(filepath.Join(w.dir, TilePath(tiles[i])), data[i], tiles[i].W == 1<<tileHeight)
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

// writeTile writes one tile atomically (temporary file, rename), so that
// a reader never sees part of one. A full tile already there with the
// same bytes is left alone. Tiles are not synced to disk one by one (a
// million records make thousands): a tile lost or torn by a crash is
// derived data that every reader checks against the signed root, and
// falls back from, and EnsureTiles writes again.
func writeTile(name string, data []byte, full bool) error {
	if full {
		if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
			return nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
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
	return writeTilesFrom(dir, bufio.NewReaderSize(f, 1<<20), size, root)
}

func writeTilesFrom(dir string, r io.Reader, size int64, root tlog.Hash) error {
	w := newTileWriter(dir, 0)
	w.store.mem = make([]tlog.Hash, 0, tlog.StoredHashCount(size))
	fr := NewFrameReader(r)
	for w.new < size {
		rec, err := fr.Next()
		if err != nil {
			return fmt.Errorf("tiles: record %d: %w", w.new, err)
		}
		if err := w.add(tlog.RecordHash(rec)); err != nil {
			return err
		}
	}
	return w.write(root)
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
