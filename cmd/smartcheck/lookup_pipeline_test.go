package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// endless is standard input that never ends: a known code, line after
// line.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	const line = "9520000000011\n"
	n := 0
	for n+len(line) <= len(p) {
		n += copy(p[n:], line)
	}
	return n, nil
}

// failingWriter takes limit bytes, then fails every write.
type failingWriter struct {
	mu    sync.Mutex
	limit int
	got   int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.got+len(p) > w.limit {
		return 0, errors.New("broken pipe")
	}
	w.got += len(p)
	return len(p), nil
}

// TestLookupStdinWriteFails: when standard output fails (the reader of a
// pipe went away), `lookup -` stops reading and looking up, and fails,
// even with input that never ends.
func TestLookupStdinWriteFails(t *testing.T) {
	isolate(t)
	for _, limit := range []int{0, 100, 200_000} {
		out := &failingWriter{limit: limit}
		var errs bytes.Buffer
		status := make(chan int, 1)
		go func() { status <- run([]string{"lookup", "--json", "-"}, endless{}, out, &errs) }()
		select {
		case st := <-status:
			if st == 0 || !strings.Contains(errs.String(), "broken pipe") {
				t.Errorf("limit %d: exit status %d, stderr %q", limit, st, errs.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("limit %d: still running 20 s after standard output failed", limit)
		}
	}
}

// orderedOutput records standard output and standard error in one
// sequence, as a terminal showing both does.
type orderedOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *orderedOutput) writer(prefix string) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		o.mu.Lock()
		defer o.mu.Unlock()
		for _, l := range strings.SplitAfter(string(p), "\n") {
			if l != "" {
				o.buf.WriteString(prefix + l)
			}
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestLookupStdinComplaintsInPlace: standard output is buffered, but the
// complaint about a line that is not a code comes after the answers to
// the lines before it, and before the answers to the lines after.
func TestLookupStdinComplaintsInPlace(t *testing.T) {
	isolate(t)
	var in strings.Builder
	for i := range 600 {
		if i%150 == 149 {
			in.WriteString("bad" + strings.Repeat("x", i%7) + "\n")
		} else {
			in.WriteString("9520000000011\n")
		}
	}
	var o orderedOutput
	if st := run([]string{"lookup", "--json", "-"}, strings.NewReader(in.String()), o.writer("out "), o.writer("err ")); st != 1 {
		t.Fatalf("exit status %d, want 1", st)
	}
	lines := strings.Split(strings.TrimSuffix(o.buf.String(), "\n"), "\n")
	if len(lines) != 604 {
		t.Fatalf("%d lines, want 600 answers and 4 complaints", len(lines))
	}
	answers := 0
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "err smartcheck: bad"):
			if answers%150 != 149 {
				t.Errorf("line %d: complaint after %d answers: %s", i, answers, l)
			}
			if next := lines[i+1]; !strings.HasPrefix(next, `out {"input":"bad`) {
				t.Errorf("line %d: the complaint is not followed by its own answer but by %.60s", i, next)
			}
		case strings.HasPrefix(l, "out {"):
			answers++
		default:
			t.Fatalf("line %d: %q", i, l)
		}
	}
}
