package blob

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// batchSetup returns a store holding one blob, old, and a batch on it that puts a
// new blob and removes old.
func batchSetup(t *testing.T) (l *Local, b *Batch, old, added Info) {
	t.Helper()
	ctx := t.Context()
	l = newTestLocal(t)
	old, err := l.Create(ctx, strings.NewReader("old"))
	if err != nil {
		t.Fatal(err)
	}
	b = NewBatch(l)
	added, err = b.Put(ctx, strings.NewReader("new"))
	if err != nil {
		t.Fatal(err)
	}
	b.Remove(old.Key)
	if got := b.Keys(); !slices.Equal(got, []string{added.Key}) {
		t.Fatalf("Keys = %v, want [%s]", got, added.Key)
	}
	// Nothing is deleted before the end of the batch.
	if !present(t, l, old.Key) || !present(t, l, added.Key) {
		t.Fatal("a blob is missing before Commit or Rollback")
	}
	return l, b, old, added
}

func present(t *testing.T, l *Local, key string) bool {
	t.Helper()
	f, _, err := l.Open(context.Background(), key)
	if errors.Is(err, ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return true
}

func TestBatchCommit(t *testing.T) {
	t.Parallel()
	l, b, old, added := batchSetup(t)
	if err := b.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if present(t, l, old.Key) {
		t.Error("Commit kept the removed blob")
	}
	if !present(t, l, added.Key) {
		t.Error("Commit deleted the new blob")
	}
}

func TestBatchRollback(t *testing.T) {
	t.Parallel()
	l, b, old, added := batchSetup(t)
	if err := b.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !present(t, l, old.Key) {
		t.Error("Rollback deleted the removed blob")
	}
	if present(t, l, added.Key) {
		t.Error("Rollback kept the new blob")
	}
}

func TestBatchFinishOnce(t *testing.T) {
	t.Parallel()
	l, b, old, added := batchSetup(t)
	if err := b.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A later Rollback does nothing, and Put is refused.
	if err := b.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if present(t, l, old.Key) || !present(t, l, added.Key) {
		t.Error("Rollback after Commit changed the store")
	}
	if _, err := b.Put(t.Context(), strings.NewReader("late")); !errors.Is(err, errFinished) {
		t.Errorf("Put after Commit = %v, want errFinished", err)
	}
	if got := files(t, l); len(got) != 1 {
		t.Errorf("files = %v, want only the new blob", got)
	}
}

func TestBatchCancelledContext(t *testing.T) {
	t.Parallel()
	l, b, _, added := batchSetup(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if present(t, l, added.Key) {
		t.Error("Rollback with a cancelled context kept the new blob")
	}
}

func TestBatchDeleteErrors(t *testing.T) {
	t.Parallel()
	l, b, old, _ := batchSetup(t)
	b.Remove("../x")
	err := b.Commit(t.Context())
	if !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Commit = %v, want ErrInvalidKey", err)
	}
	if present(t, l, old.Key) {
		t.Error("a failed deletion stopped the others")
	}
}

func TestBatchPutError(t *testing.T) {
	t.Parallel()
	l := newTestLocal(t)
	b := NewBatch(l)
	if _, err := b.Put(t.Context(), LimitReader(strings.NewReader("too long"), 3)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put = %v, want ErrTooLarge", err)
	}
	if len(b.Keys()) != 0 {
		t.Errorf("Keys = %v after a failed Put", b.Keys())
	}
}
