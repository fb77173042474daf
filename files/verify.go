package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store"
)

// Report is the outcome of Verify.
type Report struct {
	// Files is the number of rows checked.
	Files int
	// Missing lists the UUIDs of files whose bytes are missing.
	Missing []string
	// Corrupt lists the UUIDs of files whose bytes differ from the recorded size
	// or SHA-256 digest.
	Corrupt []string
	// Orphans lists the blob keys that no row names. While the server works, some
	// may belong to transactions in progress.
	Orphans []string
}

// OK reports whether every row has its bytes intact and no bytes lack a row.
func (r Report) OK() bool {
	return len(r.Missing) == 0 && len(r.Corrupt) == 0 && len(r.Orphans) == 0
}

// Verify checks the invariants of the protocol: it reads the bytes of every file
// and compares their size and digest to its row, and lists the bytes that no row
// names. It reads everything, so it takes as long as a backup.
func (s *Service) Verify(ctx context.Context) (Report, error) {
	var rep Report
	err := store.AllFiles(ctx, s.db, func(f *backrest.File) error {
		rep.Files++
		ok, err := s.intact(ctx, f)
		if errors.Is(err, blob.ErrNotFound) {
			rep.Missing = append(rep.Missing, f.UUID)
			return nil
		}
		if err != nil {
			return err
		}
		if !ok {
			rep.Corrupt = append(rep.Corrupt, f.UUID)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("files: verify: %w", err)
	}
	var keys []string
	err = s.blobs.Walk(ctx, func(info blob.Info) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("files: verify: %w", err)
	}
	for len(keys) > 0 {
		n := min(len(keys), sweepBatch)
		known, err := store.FileBlobsKnown(ctx, s.db, keys[:n])
		if err != nil {
			return rep, fmt.Errorf("files: verify: %w", err)
		}
		for _, k := range keys[:n] {
			if !known[k] {
				rep.Orphans = append(rep.Orphans, k)
			}
		}
		keys = keys[n:]
	}
	return rep, nil
}

// intact reports whether the bytes of f have its recorded size and digest.
func (s *Service) intact(ctx context.Context, f *backrest.File) (bool, error) {
	r, _, err := s.blobs.Open(ctx, f.Key)
	if err != nil {
		return false, err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return false, err
	}
	return n == f.Size && hex.EncodeToString(h.Sum(nil)) == f.SHA256, nil
}
