package catalog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// AppendFrame appends rec to dst framed as the records file frames it: its
// length in decimal ASCII, LF, then the bytes.
func AppendFrame(dst, rec []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(rec)), 10)
	dst = append(dst, '\n')
	return append(dst, rec...)
}

// A FrameError says where the records file is not well framed.
type FrameError struct {
	Record int64 // index of the record whose frame is bad
	Offset int64 // byte offset of its frame
	Msg    string
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("records: record %d at byte %d: %s", e.Record, e.Offset, e.Msg)
}

// parseFrameHeader reads a frame header at the start of b. It returns the
// record length and the header length, or n == 0 if b holds too few bytes
// to tell, or an error message.
func parseFrameHeader(b []byte) (length, n int, msg string) {
	for i := 0; i < len(b) && i <= 6; i++ {
		c := b[i]
		if c == '\n' {
			if i == 0 {
				return 0, 0, "empty length"
			}
			if b[0] == '0' {
				return 0, 0, "length has a leading zero"
			}
			if length > MaxRecordSize {
				return 0, 0, fmt.Sprintf("length %d is more than %d", length, MaxRecordSize)
			}
			return length, i + 1, ""
		}
		if c < '0' || c > '9' {
			return 0, 0, fmt.Sprintf("length contains byte %#02x", c)
		}
		length = length*10 + int(c-'0')
	}
	if len(b) > 6 {
		return 0, 0, "length is too long"
	}
	return 0, 0, ""
}

// A FrameReader reads records one at a time from a records file.
type FrameReader struct {
	r   *bufio.Reader
	n   int64 // records read
	off int64 // bytes read
}

// NewFrameReader reads frames from r.
func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 1<<16)}
}

// Next returns the next record, or io.EOF at a clean end of the file.
// A partial frame at the end is io.ErrUnexpectedEOF wrapped in a
// FrameError.
func (fr *FrameReader) Next() ([]byte, error) {
	head, err := fr.r.Peek(8)
	if len(head) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	length, n, msg := parseFrameHeader(head)
	if msg != "" {
		return nil, &FrameError{fr.n, fr.off, msg}
	}
	if n == 0 {
		return nil, &FrameError{fr.n, fr.off, "truncated length"}
	}
	fr.r.Discard(n)
	rec := make([]byte, length)
	if _, err := io.ReadFull(fr.r, rec); err != nil {
		return nil, &FrameError{fr.n, fr.off, fmt.Sprintf("truncated: want %d bytes", length)}
	}
	fr.n++
	fr.off += int64(n + length)
	return rec, nil
}

// Offset returns the number of bytes read so far.
func (fr *FrameReader) Offset() int64 { return fr.off }

// ReadFrames reads every record of a whole records file.
func ReadFrames(data []byte) ([][]byte, error) {
	fr := NewFrameReader(bytes.NewReader(data))
	var recs [][]byte
	for {
		rec, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
}

// treeBuilder computes the RFC 6962 tree hash of a growing list of record
// hashes with O(log n) memory: it keeps the roots of the complete subtrees
// (the "compact range") and folds them right to left, as tlog.TreeHash
// would compute from stored hashes.
type treeBuilder struct {
	n     int64
	stack []tlog.Hash
}

func (t *treeBuilder) add(h tlog.Hash) {
	t.stack = append(t.stack, h)
	for k := t.n; k&1 == 1; k >>= 1 {
		top := len(t.stack)
		t.stack[top-2] = tlog.NodeHash(t.stack[top-2], t.stack[top-1])
		t.stack = t.stack[:top-1]
	}
	t.n++
}

func (t *treeBuilder) root() tlog.Hash {
	if len(t.stack) == 0 {
		h, _ := tlog.TreeHash(0, nil)
		return h
	}
	h := t.stack[len(t.stack)-1]
	for i := len(t.stack) - 2; i >= 0; i-- {
		h = tlog.NodeHash(t.stack[i], h)
	}
	return h
}

func (t *treeBuilder) clone() *treeBuilder {
	return &treeBuilder{n: t.n, stack: slices.Clone(t.stack)}
}
