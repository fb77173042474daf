package blob

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// block is the pseudo-random content patternReader repeats.
var block = func() []byte {
	b := make([]byte, 64<<10)
	r := rand.NewChaCha8([32]byte{1})
	r.Read(b)
	return b
}()

// patternReader yields n bytes repeating block, without allocating.
type patternReader struct {
	off, n int64
}

func newPattern(n int64) *patternReader { return &patternReader{n: n} }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if rest := p.n - p.off; int64(len(b)) > rest {
		b = b[:rest]
	}
	n := copy(b, block[p.off%int64(len(block)):])
	p.off += int64(n)
	return n, nil
}

func newTestLocal(t testing.TB) *Local {
	t.Helper()
	l, err := NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// files returns the paths, relative to l's folder, of all regular files in it.
func files(t *testing.T, l *Local) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(l.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(l.dir, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeFile writes size bytes to the path rel of l's folder, last modified at
// mtime, bypassing Create.
func writeFile(t *testing.T, l *Local, rel string, size int, mtime time.Time) {
	t.Helper()
	path := filepath.Join(l.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, block[:size], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func exists(t *testing.T, l *Local, rel string) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(l.dir, rel))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

var errInjected = errors.New("injected fault")

// faultFS is a fileSystem whose operations fail when fail returns an error for
// the operation and the name it works on.
type faultFS struct {
	fileSystem
	fail func(op, name string) error
}

func (f faultFS) createTemp(dir string) (tempFile, error) {
	if err := f.fail("createTemp", dir); err != nil {
		return nil, err
	}
	t, err := f.fileSystem.createTemp(dir)
	if err != nil {
		return nil, err
	}
	return faultFile{t, f.fail}, nil
}

func (f faultFS) rename(oldpath, newpath string) error {
	if err := f.fail("rename", newpath); err != nil {
		return err
	}
	return f.fileSystem.rename(oldpath, newpath)
}

func (f faultFS) remove(name string) error {
	if err := f.fail("remove", name); err != nil {
		return err
	}
	return f.fileSystem.remove(name)
}

func (f faultFS) mkdir(name string) error {
	if err := f.fail("mkdir", name); err != nil {
		return err
	}
	return f.fileSystem.mkdir(name)
}

func (f faultFS) syncDir(name string) error {
	if err := f.fail("syncDir", name); err != nil {
		return err
	}
	return f.fileSystem.syncDir(name)
}

// faultFile is a tempFile whose writes and syncs fail like those of faultFS. A
// failing write writes half of its bytes first, as a full disk would.
type faultFile struct {
	tempFile
	fail func(op, name string) error
}

func (f faultFile) Write(p []byte) (int, error) {
	if err := f.fail("write", f.Name()); err != nil {
		n, _ := f.tempFile.Write(p[:len(p)/2])
		return n, err
	}
	return f.tempFile.Write(p)
}

func (f faultFile) Sync() error {
	if err := f.fail("sync", f.Name()); err != nil {
		return err
	}
	return f.tempFile.Sync()
}
