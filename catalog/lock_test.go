package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestLockDirWaitsThenGivesUp: a writer waits for the one holding the
// catalog's lock, takes it once it is let go, and gives up with words
// that say why when its time runs out, instead of hanging.
func TestLockDirWaitsThenGivesUp(t *testing.T) {
	dir := t.TempDir()
	unlock, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = lockDir(ctx, dir)
	if err == nil {
		t.Fatal("a second writer took a held lock")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "another sync or catalog writer holds it") {
		t.Fatalf("timeout error = %v", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("gave up after %v, want about 200ms", waited)
	}

	got := make(chan error, 1)
	go func() {
		unlock2, err := LockDir(dir)
		if err == nil {
			unlock2()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("took the lock while it was held (err %v)", err)
	case <-time.After(150 * time.Millisecond):
	}
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("after the holder let go: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting writer never took the released lock")
	}
}
