package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
)

// errFinished is returned by Batch.Put once Commit or Rollback has been called.
var errFinished = errors.New("blob: batch already committed or rolled back")

// Batch follows the blobs written and deleted by one database transaction. Put
// blobs before writing the rows naming them and Remove the blobs of rows the
// transaction deletes or replaces; then, after the transaction, call Commit if it
// committed and Rollback otherwise. See the package documentation for why this
// keeps rows and bytes consistent.
//
// A Batch is meant for the goroutine running its transaction: it is not safe for
// concurrent use.
type Batch struct {
	store    Store
	added    []string
	removed  []string
	finished bool
}

// NewBatch returns an empty batch writing to s.
func NewBatch(s Store) *Batch {
	return &Batch{store: s}
}

// Put streams r into a new blob and returns its Info. The bytes are durable when
// it returns; Rollback deletes them.
func (b *Batch) Put(ctx context.Context, r io.Reader) (Info, error) {
	if b.finished {
		return Info{}, errFinished
	}
	info, err := b.store.Create(ctx, r)
	if err != nil {
		return Info{}, err
	}
	b.added = append(b.added, info.Key)
	return info, nil
}

// Remove schedules the deletion of the blob key by Commit. Nothing is deleted yet,
// so that the blob survives if the transaction does not commit.
func (b *Batch) Remove(key string) {
	b.removed = append(b.removed, key)
}

// Keys returns the keys of the blobs Put in this batch, in order.
func (b *Batch) Keys() []string {
	return slices.Clone(b.added)
}

// Commit deletes the blobs scheduled by Remove. Call it once the transaction has
// committed. Deletion is best effort: it goes on even if ctx is cancelled (the
// request may be over while its transaction committed), and a blob it fails to
// delete is only an orphan that Sweep removes later, so its error is worth logging
// but not failing the request.
func (b *Batch) Commit(ctx context.Context) error {
	return b.finish(ctx, b.removed)
}

// Rollback deletes the blobs Put in this batch and keeps those scheduled by Remove.
// Call it when the transaction failed or was rolled back. Like Commit it is best
// effort, goes on even if ctx is cancelled, and what it fails to delete Sweep
// removes later.
func (b *Batch) Rollback(ctx context.Context) error {
	return b.finish(ctx, b.added)
}

// finish deletes keys and ends the batch. Calls after the first do nothing.
func (b *Batch) finish(ctx context.Context, keys []string) error {
	if b.finished {
		return nil
	}
	b.finished = true
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for _, key := range keys {
		if err := b.store.Delete(ctx, key); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("blob: %d of %d deletions failed, orphans left for the sweeper: %w", len(errs), len(keys), err)
	}
	return nil
}
