package files

import (
	"context"
	"fmt"
	"time"

	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store"
)

// sweepBatch is how many expired uploads Sweep deletes per transaction.
const sweepBatch = 500

// SweepStats reports what Sweep did.
type SweepStats struct {
	// Uploads is the number of expired unattached uploads deleted.
	Uploads int
	// Blobs reports the sweep of orphaned bytes.
	Blobs blob.SweepStats
}

// Sweep deletes the uploads that no content held within the upload time to live,
// then the orphaned bytes older than the sweep grace period: bytes that no row
// names, left by crashes and failures (see the package documentation). It is safe
// to run while the server works, and on several servers sharing the database and
// the blob store.
func (s *Service) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	cutoff := time.Now().Add(-s.opts.UploadTTL)
	for {
		var n int
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			keys, err := store.DeleteUnattachedFiles(ctx, tx, cutoff, sweepBatch)
			n = len(keys)
			s.removeOnCommit(tx, keys...)
			return err
		})
		if err != nil {
			return st, fmt.Errorf("files: sweep uploads: %w", err)
		}
		st.Uploads += n
		if n < sweepBatch {
			break
		}
	}
	var err error
	st.Blobs, err = blob.Sweep(ctx, s.blobs, s.known, s.opts.SweepGrace)
	if err != nil {
		return st, fmt.Errorf("files: %w", err)
	}
	return st, nil
}

// known reports which of the blob keys a row names, for blob.Sweep. The deletions
// of rows it no longer sees are made durable before it answers, since their bytes
// are about to go (see store.DB.SyncCommitted).
func (s *Service) known(ctx context.Context, keys []string) (map[string]bool, error) {
	rows, err := store.FileBlobsKnown(ctx, s.db, keys)
	if err != nil {
		return nil, err
	}
	if err := s.db.SyncCommitted(ctx); err != nil {
		return nil, err
	}
	return rows, nil
}
