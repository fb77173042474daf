package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const (
	// reserveSize is the size of the spare file kept beside a SQLite database,
	// room for the write-ahead log to grow when the disk is otherwise full.
	reserveSize = 8 << 20
	// reserveRetry is how long after a failure the spare file is tried again.
	reserveRetry = 5 * time.Second
)

// reserve is a spare file of reserveSize bytes beside a SQLite database, taking
// space that the database can have back when the disk is full. SQLite's
// write-ahead log grows at each commit, a deletion's too: on a full disk even
// deletions would fail, and users could not free space. A transaction failing
// for a full disk removes the file and runs once more (see committer.inTx); the
// checkpointer makes the file again when there is room.
//
// A nil *reserve (PostgreSQL, whose disk is the server's, or a database opened
// without Options.Reserve) does nothing.
type reserve struct {
	path string
	mu   sync.Mutex
	// gone counts the removals of the file.
	gone uint64
	// failed is when making the file last failed.
	failed time.Time
}

// newReserve returns the reserve at path and makes its file if it is missing.
func newReserve(path string) *reserve {
	r := &reserve{path: path}
	r.ensure(time.Now())
	return r
}

// releases returns how many times the file was removed so far.
func (r *reserve) releases() uint64 {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gone
}

// release removes the file, if it is there, and returns how many times it was
// removed, this time included.
func (r *reserve) release() uint64 {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.Remove(r.path); err == nil {
		r.gone++
	}
	return r.gone
}

// ensure makes the file if it is missing and the disk has room for it (see
// roomFor), unless making it failed less than reserveRetry before now. A file it
// cannot make whole it removes.
func (r *reserve) ensure(now time.Time) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.failed) < reserveRetry {
		return
	}
	if _, err := os.Stat(r.path); err == nil {
		return
	}
	// Making the file on a nearly full disk would take the last bytes,
	// however briefly, from the commits running meanwhile.
	if !roomFor(r.path, reserveSize) {
		return
	}
	if err := fill(r.path, reserveSize); err != nil {
		r.failed = now
	}
}

// fill makes a file of size bytes at path, allocated on disk, made under another name and
// renamed once complete and synced; on failure it removes what it wrote.
func fill(path string, size int64) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = allocate(f, size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: reserve: %w", err)
	}
	return nil
}

// writeZeros writes size zero bytes to f.
func writeZeros(f *os.File, size int64) error {
	_, err := io.CopyN(f, zeros{}, size)
	return err
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// isFull reports whether err is SQLite's failure for a full disk.
func isFull(err error) bool {
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code()&0xff == sqlite3.SQLITE_FULL
}
