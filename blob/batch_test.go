package blob

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// batchSetup puts one blob, old, in the store of k, and returns a batch on it that
// puts a new blob and removes old.
func batchSetup(t *testing.T, k *kit) (b *Batch, old, added Info) {
	t.Helper()
	ctx := t.Context()
	old, err := k.Create(ctx, strings.NewReader("old"))
	if err != nil {
		t.Fatal(err)
	}
	b = NewBatch(k)
	added, err = b.Put(ctx, strings.NewReader("new"))
	if err != nil {
		t.Fatal(err)
	}
	b.Remove(old.Key)
	if got := b.Keys(); !slices.Equal(got, []string{added.Key}) {
		t.Fatalf("Keys = %v, want [%s]", got, added.Key)
	}
	// Nothing is deleted before the end of the batch.
	if !present(t, k, old.Key) || !present(t, k, added.Key) {
		t.Fatal("a blob is missing before Commit or Rollback")
	}
	return b, old, added
}

func TestBatchCommit(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		b, old, added := batchSetup(t, k)
		if err := b.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
		if present(t, k, old.Key) {
			t.Error("Commit kept the removed blob")
		}
		if !present(t, k, added.Key) {
			t.Error("Commit deleted the new blob")
		}
	})
}

func TestBatchRollback(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		b, old, added := batchSetup(t, k)
		if err := b.Rollback(t.Context()); err != nil {
			t.Fatal(err)
		}
		if !present(t, k, old.Key) {
			t.Error("Rollback deleted the removed blob")
		}
		if present(t, k, added.Key) {
			t.Error("Rollback kept the new blob")
		}
	})
}

func TestBatchFinishOnce(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		b, old, added := batchSetup(t, k)
		if err := b.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
		// A later Rollback does nothing, and Put is refused.
		if err := b.Rollback(t.Context()); err != nil {
			t.Fatal(err)
		}
		if present(t, k, old.Key) || !present(t, k, added.Key) {
			t.Error("Rollback after Commit changed the store")
		}
		if _, err := b.Put(t.Context(), strings.NewReader("late")); !errors.Is(err, errFinished) {
			t.Errorf("Put after Commit = %v, want errFinished", err)
		}
		if got := keys(t, k); len(got) != 1 {
			t.Errorf("blobs = %v, want only the new blob", got)
		}
	})
}

func TestBatchCancelledContext(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		b, _, added := batchSetup(t, k)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := b.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if present(t, k, added.Key) {
			t.Error("Rollback with a cancelled context kept the new blob")
		}
	})
}

func TestBatchDeleteErrors(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		b, old, _ := batchSetup(t, k)
		b.Remove("../x")
		err := b.Commit(t.Context())
		if !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("Commit = %v, want ErrInvalidKey", err)
		}
		if present(t, k, old.Key) {
			t.Error("a failed deletion stopped the others")
		}
	})
}

func TestBatchPutError(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		b := NewBatch(k)
		if _, err := b.Put(t.Context(), LimitReader(strings.NewReader("too long"), 3)); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Put = %v, want ErrTooLarge", err)
		}
		if len(b.Keys()) != 0 {
			t.Errorf("Keys = %v after a failed Put", b.Keys())
		}
		if got := keys(t, k); len(got) != 0 {
			t.Errorf("blobs = %v after a failed Put", got)
		}
	})
}
