package catalog

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// maxTileSize is the largest hash tile: 256 hashes.
const maxTileSize = (1 << tileHeight) * tlog.HashSize

// tileSource reads the bytes of one tile file by its path, or of the
// full tile when a partial one is asked for and gone (C2SP tlog-tiles lets a
// log delete a partial tile once the full one exists).
type tileSource func(path string) ([]byte, error)

var errNoTile = errors.New("no such tile")

// tileReader is a tlog.TileReader over a tileSource. The tiles it returns
// are checked by tlog.TileHashReader against a signed root before any
// hash in them is used.
type tileReader struct{ src tileSource }

func (tileReader) Height() int { return tileHeight }

func (tr tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := tr.src(TilePath(t))
		if errors.Is(err, errNoTile) && t.W < 1<<tileHeight {
			full := t
			full.W = 1 << tileHeight
			data, err = tr.src(TilePath(full))
		}
		if err != nil {
			return nil, fmt.Errorf("tile %s: %w", TilePath(t), err)
		}
		if want := t.W * tlog.HashSize; len(data) < want {
			return nil, fmt.Errorf("tile %s is %d bytes, want %d: it is truncated or of the wrong width", TilePath(t), len(data), want)
		}
		out[i] = data[:t.W*tlog.HashSize]
	}
	return out, nil
}

func (tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// dirTiles reads tiles from a catalog directory.
func dirTiles(dir string) tileSource {
	return func(path string) ([]byte, error) {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(path)))
		if errors.Is(err, os.ErrNotExist) {
			return nil, errNoTile
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, maxTileSize+1))
	}
}

// treeHashes is a tlog.HashReader for the tree of cp, every hash checked
// against cp's root.
func treeHashes(cp *Checkpoint, src tileSource) tlog.HashReader {
	return tlog.TileHashReader(tlog.Tree{N: cp.Size, Hash: cp.Root}, tileReader{src})
}

// ConsistencyProof proves from the tiles in dir that the tree of cp
// extends its first old records.
func ConsistencyProof(dir string, cp *Checkpoint, old int64) (tlog.TreeProof, error) {
	if old == 0 || old == cp.Size {
		return nil, nil
	}
	return tlog.ProveTree(cp.Size, old, treeHashes(cp, dirTiles(dir)))
}

// checkTiles is sync's early check of a new checkpoint cp against the
// installed old one, from the published tiles, before the records: a
// proof that cp's signed tree does not start with old's is a fork, found
// without downloading anything else. It returns nil when it proves the
// two consistent (and records that), and also when the tiles cannot be
// used (missing, or not matching cp's root: they are only an aid, and the
// records decide).
func (r *syncRun) checkTiles(cp, old *Checkpoint) error {
	if old == nil || old.Size == 0 || old.Size >= cp.Size {
		return nil
	}
	r.progress("prove from the published tiles that %d records extend the installed %d", cp.Size, old.Size)
	src := func(path string) (data []byte, err error) {
		err = r.retry(func(ctx context.Context) error {
			resp, err := r.get(ctx, path, -1, nil)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound {
				return errNoTile
			}
			if resp.StatusCode != http.StatusOK {
				return statusError(resp)
			}
			data, err = io.ReadAll(io.LimitReader(&counter{resp.Body, &r.res.Fetched}, maxTileSize+1))
			if err != nil {
				return transient(fmt.Errorf("fetch %s: %w", path, readError(ctx, err)))
			}
			return nil
		})
		return data, err
	}
	oldRoot, err := tlog.TreeHash(old.Size, treeHashes(cp, src))
	switch {
	case err != nil:
		r.progress("the tiles prove nothing (%v): checking the records instead", err)
		return nil
	case oldRoot != old.Root:
		return securityErrorf("fork", "the published checkpoint's signed tree does not extend the installed catalog's first %d records (issued %s): a rewritten history, proven from the tiles", old.Size, old.Issued.Format("2006-01-02T15:04:05Z07:00"))
	}
	r.consistent = true
	return nil
}

// A Proof is an offline-checkable proof that one record is in the log a
// signed (and maybe witnessed) checkpoint commits to: C2SP tlog-proof@v1,
// with the record itself as its extra data.
type Proof struct {
	Index      int64
	Record     []byte // the record, a signed note
	Hashes     tlog.RecordProof
	Checkpoint []byte // the signed checkpoint note, with its cosignatures
}

const proofHeader = "c2sp.org/tlog-proof@v1"

// InclusionProof proves that record i is in c's log: from the tiles in
// dir, or, when it has none ("" for none), from all the records.
func (c *Catalog) InclusionProof(dir string, i int64) (*Proof, error) {
	rec, err := c.Record(i)
	if err != nil {
		return nil, err
	}
	var p tlog.RecordProof
	if dir != "" {
		p, err = tlog.ProveRecord(c.Size(), i, treeHashes(c.Checkpoint, dirTiles(dir)))
	}
	if dir == "" || err != nil {
		hr, err := c.memoryHashes()
		if err != nil {
			return nil, err
		}
		if p, err = tlog.ProveRecord(c.Size(), i, hr); err != nil {
			return nil, fmt.Errorf("prove record %d: %w", i, err)
		}
	}
	return &Proof{Index: i, Record: rec, Hashes: p, Checkpoint: c.Checkpoint.Raw}, nil
}

// Format writes the proof as C2SP tlog-proof@v1 text.
func (p *Proof) Format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nextra %s\nindex %d\n", proofHeader, base64.StdEncoding.EncodeToString(p.Record), p.Index)
	for _, h := range p.Hashes {
		fmt.Fprintf(&b, "%s\n", h)
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.String()
}

// ParseProof reads C2SP tlog-proof@v1 text whose extra data is the
// record.
func ParseProof(text []byte) (*Proof, error) {
	if len(text) > maxCheckpointSize+MaxRecordSize*2+64*64 {
		return nil, errors.New("proof is too long")
	}
	head, cp, ok := bytes.Cut(text, []byte("\n\n"))
	if !ok {
		return nil, errors.New("proof has no blank line before its checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != proofHeader {
		return nil, fmt.Errorf("proof does not start with %q", proofHeader)
	}
	if len(lines) < 3 {
		return nil, errors.New("proof has no extra and index lines")
	}
	extra, ok := strings.CutPrefix(lines[1], "extra ")
	if !ok {
		return nil, errors.New("proof line 2: want the record as `extra BASE64`")
	}
	p := &Proof{Checkpoint: append(bytes.TrimRight(cp, "\n"), '\n')}
	var err error
	if p.Record, err = base64.StdEncoding.Strict().DecodeString(extra); err != nil || len(p.Record) == 0 || len(p.Record) > MaxRecordSize {
		return nil, errors.New("proof line 2: the record is not base64 of 1 to 65536 bytes")
	}
	idx, ok := strings.CutPrefix(lines[2], "index ")
	n, err := strconv.ParseInt(idx, 10, 64)
	if !ok || err != nil || n < 0 || strconv.FormatInt(n, 10) != idx {
		return nil, errors.New("proof line 3: want `index N`")
	}
	p.Index = n
	if len(lines)-3 > 63 {
		return nil, errors.New("proof has more than 63 hashes")
	}
	for k, l := range lines[3:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return nil, fmt.Errorf("proof line %d: not a base64 hash", k+4)
		}
		p.Hashes = append(p.Hashes, h)
	}
	return p, nil
}

// Verify checks the proof against trust: the checkpoint's signatures,
// origin and witness cosignatures, then that the record is at its index
// in the tree the checkpoint commits to. It returns the checkpoint.
func (p *Proof) Verify(trust *Trust) (*Checkpoint, error) {
	cp, err := OpenCheckpoint(p.Checkpoint, trust)
	if err != nil {
		return nil, err
	}
	if p.Index >= cp.Size {
		return nil, securityErrorf("proof", "record %d is past the checkpoint's %d records", p.Index, cp.Size)
	}
	if err := tlog.CheckRecord(p.Hashes, cp.Size, cp.Root, p.Index, tlog.RecordHash(p.Record)); err != nil {
		return nil, securityErrorf("proof", "the inclusion proof does not verify: record %d is not this record in the log of %d records the checkpoint signs", p.Index, cp.Size)
	}
	return cp, nil
}

// memoryHashes is a tlog.HashReader over every stored hash of c's log,
// computed from its records: for a catalog without tiles (the built-in
// demo, a till's copy).
func (c *Catalog) memoryHashes() (tlog.HashReader, error) {
	var hs []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(hs)) {
				return nil, fmt.Errorf("hash %d is not stored", x)
			}
			out[i] = hs[x]
		}
		return out, nil
	})
	for i := range c.Size() {
		rec, err := c.Record(i)
		if err != nil {
			return nil, err
		}
		more, err := tlog.StoredHashes(i, rec, r)
		if err != nil {
			return nil, err
		}
		hs = append(hs, more...)
	}
	return r, nil
}
