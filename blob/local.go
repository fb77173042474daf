package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// copyBufferSize is the size of the buffer Create streams through: the only memory
// a Create needs, whatever the size of the blob.
const copyBufferSize = 64 << 10

// tmpDir is the subfolder of a Local holding writes in progress.
const tmpDir = "tmp"

// Local is a Store on a folder of the local file system (or a network file system
// that honours fsync and rename). Blobs live in dir/ab/abcdef…, fanned out by the
// first two hex digits of their key; writes in progress live in dir/tmp. It is safe
// for concurrent use, also by several processes sharing the folder.
type Local struct {
	dir string
	// fs performs the writing file system operations. Tests of this package replace
	// it to make each step fail.
	fs fileSystem
	// durable records the fan-out folders whose entry in dir this process has
	// fsynced, so that it is done once per folder and process.
	durable sync.Map
}

var _ Store = (*Local)(nil)

// NewLocal returns a Local storing its blobs in dir, creating dir when needed.
func NewLocal(dir string) (*Local, error) {
	l := &Local{dir: dir, fs: osFS{}}
	if err := os.MkdirAll(filepath.Join(dir, tmpDir), 0o755); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := l.fs.syncDir(dir); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return l, nil
}

// path returns the path of the blob key, which must be valid.
func (l *Local) path(key string) string {
	return filepath.Join(l.dir, key[:2], key)
}

// Create implements Store. It writes r to a temporary file while hashing it,
// through a fixed-size buffer, fsyncs it, renames it into place and fsyncs the
// folder. On error it removes what it wrote.
func (l *Local) Create(ctx context.Context, r io.Reader) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	key := newKey()
	f, err := l.fs.createTemp(filepath.Join(l.dir, tmpDir))
	if err != nil {
		return Info{}, fmt.Errorf("blob: create: %w", err)
	}
	info, err := l.write(ctx, f, r)
	if err != nil {
		f.Close()
		l.fs.remove(f.Name())
		return Info{}, fmt.Errorf("blob: create: %w", err)
	}
	info.Key = key
	if err := l.place(f.Name(), key); err != nil {
		return Info{}, fmt.Errorf("blob: create: %w", err)
	}
	return info, nil
}

// write copies r to f, fsyncs and closes f, and returns the size, digest and
// modification time of what it wrote.
func (l *Local) write(ctx context.Context, f tempFile, r io.Reader) (Info, error) {
	h := sha256.New()
	buf := make([]byte, copyBufferSize)
	n, err := io.CopyBuffer(io.MultiWriter(f, h), ctxReader{ctx, r}, buf)
	if err != nil {
		return Info{}, err
	}
	if err := f.Sync(); err != nil {
		return Info{}, err
	}
	st, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if err := f.Close(); err != nil {
		return Info{}, err
	}
	return Info{Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), ModTime: st.ModTime()}, nil
}

// place renames the complete temporary file tmp to the place of key and makes the
// new name durable. On error it removes the file, from either place.
func (l *Local) place(tmp, key string) error {
	dir := filepath.Join(l.dir, key[:2])
	if err := l.makeDir(dir); err != nil {
		l.fs.remove(tmp)
		return err
	}
	dst := l.path(key)
	if err := l.fs.rename(tmp, dst); err != nil {
		l.fs.remove(tmp)
		return err
	}
	if err := l.fs.syncDir(dir); err != nil {
		l.fs.remove(dst)
		return err
	}
	return nil
}

// makeDir creates the fan-out folder dir when needed and fsyncs its parent the
// first time this process uses it, whoever created it: another process may have
// created it and not fsynced the parent yet.
func (l *Local) makeDir(dir string) error {
	if _, ok := l.durable.Load(dir); ok {
		return nil
	}
	if err := l.fs.mkdir(dir); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := l.fs.syncDir(l.dir); err != nil {
		return err
	}
	l.durable.Store(dir, true)
	return nil
}

// Open implements Store. The file is an *os.File.
func (l *Local) Open(ctx context.Context, key string) (File, Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, Info{}, err
	}
	if !validKey(key) {
		return nil, Info{}, fmt.Errorf("%w: %w %q", ErrNotFound, ErrInvalidKey, key)
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob: open: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Info{}, fmt.Errorf("blob: open: %w", err)
	}
	return f, Info{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete implements Store. It removes the file and fsyncs its folder.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validKey(key) {
		return fmt.Errorf("%w %q", ErrInvalidKey, key)
	}
	err := l.fs.remove(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = l.fs.syncDir(filepath.Join(l.dir, key[:2]))
	}
	if err != nil {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}

// Walk implements Store. It skips any file that is not a blob, such as a file put
// in the folder by hand.
func (l *Local) Walk(ctx context.Context, fn func(Info) error) error {
	dirs, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("blob: walk: %w", err)
	}
	for _, d := range dirs {
		if !d.IsDir() || len(d.Name()) != 2 || !isHex(d.Name()) {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(l.dir, d.Name()))
		if err != nil {
			return fmt.Errorf("blob: walk: %w", err)
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			key := e.Name()
			if !validKey(key) || key[:2] != d.Name() || !e.Type().IsRegular() {
				continue
			}
			st, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted meanwhile
			}
			if err != nil {
				return fmt.Errorf("blob: walk: %w", err)
			}
			if err := fn(Info{Key: key, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeTemp removes the temporary files of writes in progress last modified
// before cutoff: left by a crash, they are of no use. It returns the number of
// files removed and their size.
func (l *Local) removeTemp(ctx context.Context, cutoff time.Time) (int, int64, error) {
	dir := filepath.Join(l.dir, tmpDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, fmt.Errorf("blob: temporary files: %w", err)
	}
	var n int
	var size int64
	var errs []error
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return n, size, err
		}
		if !e.Type().IsRegular() {
			continue
		}
		st, err := e.Info()
		if err != nil || !st.ModTime().Before(cutoff) {
			continue // gone meanwhile, or possibly still being written
		}
		err = l.fs.remove(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		size += st.Size()
	}
	if err := errors.Join(errs...); err != nil {
		return n, size, fmt.Errorf("blob: temporary files: %w", err)
	}
	return n, size, nil
}

// ctxReader reads from r until ctx is done, so that a cancelled request stops its
// upload. It also hides any WriterTo of r, so that copies go through the buffer.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// fileSystem is the set of writing operations of Local, so that tests can make each
// of them fail. osFS is the real one.
type fileSystem interface {
	// createTemp creates a new file in dir.
	createTemp(dir string) (tempFile, error)
	rename(oldpath, newpath string) error
	remove(name string) error
	mkdir(name string) error
	// syncDir fsyncs the folder name, making its entries durable.
	syncDir(name string) error
}

// tempFile is a file being written by Create. *os.File implements it.
type tempFile interface {
	io.Writer
	Sync() error
	Stat() (fs.FileInfo, error)
	Close() error
	Name() string
}

// osFS is the fileSystem of the operating system.
type osFS struct{}

func (osFS) createTemp(dir string) (tempFile, error) { return os.CreateTemp(dir, "blob-*") }
func (osFS) rename(oldpath, newpath string) error    { return os.Rename(oldpath, newpath) }
func (osFS) remove(name string) error                { return os.Remove(name) }
func (osFS) mkdir(name string) error                 { return os.Mkdir(name, 0o755) }

func (osFS) syncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
