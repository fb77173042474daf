package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// allocate gives the empty file f size bytes on disk: at once where the file
// system allocates without writing, else by writing zeros.
func allocate(f *os.File, size int64) error {
	err := syscall.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		return writeZeros(f, size)
	}
	return err
}

// roomFor reports whether the file system holding path has more than n bytes
// free, and a quarter more to stay usable, or cannot tell.
func roomFor(path string, n int64) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		return true
	}
	return int64(st.Bavail)*st.Bsize > n+n/4
}
