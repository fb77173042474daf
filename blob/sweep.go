package blob

import (
	"context"
	"fmt"
	"time"
)

// sweepBatch is the number of keys Sweep passes to known at once.
const sweepBatch = 500

// SweepStats reports what Sweep did.
type SweepStats struct {
	// Scanned is the number of blobs listed.
	Scanned int
	// Deleted is the number of orphaned blobs and leftover temporary files deleted.
	Deleted int
	// Bytes is the total size of what was deleted.
	Bytes int64
}

// tempRemover is implemented by stores that keep writes in progress apart, such as
// Local, so that Sweep removes those a crash left behind.
type tempRemover interface {
	removeTemp(ctx context.Context, cutoff time.Time) (n int, size int64, err error)
}

// Sweep deletes the orphaned blobs of s: those no database row names. It lists
// every blob and asks known, with up to 500 keys at a time, which of them have a
// row; known returns a map holding true for those keys (keys missing from the map
// have none). Blobs without a row are deleted if they were last modified more than
// grace ago, so that blobs put by transactions that have not committed yet are
// kept; see the package documentation for how long grace must be. Leftover
// temporary files older than grace are deleted too.
//
// Sweep stops at the first error of known or of the listing. It goes on after a
// failed deletion and returns the first such error at the end. The stats count
// what was done in any case. It is safe to run while the server works and on
// several servers at once.
func Sweep(ctx context.Context, s Store, known func(ctx context.Context, keys []string) (map[string]bool, error), grace time.Duration) (SweepStats, error) {
	cutoff := time.Now().Add(-grace)
	var st SweepStats
	var failed int
	var firstErr error
	candidates := make([]Info, 0, sweepBatch)
	keys := make([]string, 0, sweepBatch)
	flush := func() error {
		if len(candidates) == 0 {
			return nil
		}
		keys = keys[:0]
		for _, c := range candidates {
			keys = append(keys, c.Key)
		}
		rows, err := known(ctx, keys)
		if err != nil {
			return fmt.Errorf("blob: sweep: %w", err)
		}
		for _, c := range candidates {
			if rows[c.Key] {
				continue
			}
			if err := s.Delete(ctx, c.Key); err != nil {
				if ctx.Err() != nil {
					return err
				}
				failed++
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			st.Deleted++
			st.Bytes += c.Size
		}
		candidates = candidates[:0]
		return nil
	}
	err := s.Walk(ctx, func(info Info) error {
		st.Scanned++
		if !info.ModTime.Before(cutoff) {
			return nil
		}
		candidates = append(candidates, info)
		if len(candidates) < sweepBatch {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return st, err
	}
	if t, ok := s.(tempRemover); ok {
		n, size, err := t.removeTemp(ctx, cutoff)
		st.Deleted += n
		st.Bytes += size
		if err != nil {
			failed++
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	if firstErr != nil {
		return st, fmt.Errorf("blob: sweep: %d deletions failed, first: %w", failed, firstErr)
	}
	return st, nil
}
