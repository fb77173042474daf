package blob

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Pinger is implemented by stores that can tell cheaply whether they are able
// to serve, for a readiness check. A store without it is taken as ready.
type Pinger interface {
	// Ping returns an error when the store cannot serve now.
	Ping(ctx context.Context) error
}

// Ping checks that the folder of l, where blobs are written, is there and is a
// folder (not, say, a volume that is no longer mounted).
func (l *Local) Ping(ctx context.Context) error {
	fi, err := os.Stat(filepath.Join(l.dir, tmpDir))
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("blob: %s is not a folder", filepath.Join(l.dir, tmpDir))
	}
	return nil
}

// Counted returns a Store that passes every call to s and calls written with the
// size of each blob created, such as for metrics. The Store returned has the
// optional abilities of s (Ping, and the clean-up of Sweep).
func Counted(s Store, written func(n int64)) Store {
	return counted{s, written}
}

// counted is the Store of Counted.
type counted struct {
	Store
	written func(n int64)
}

func (c counted) Create(ctx context.Context, r io.Reader) (Info, error) {
	info, err := c.Store.Create(ctx, r)
	if err == nil {
		c.written(info.Size)
	}
	return info, err
}

// Ping pings the store underneath when it can; see Pinger.
func (c counted) Ping(ctx context.Context) error {
	if p, ok := c.Store.(Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c counted) removeTemp(ctx context.Context, cutoff time.Time) (int, int64, error) {
	if t, ok := c.Store.(tempRemover); ok {
		return t.removeTemp(ctx, cutoff)
	}
	return 0, 0, nil
}
