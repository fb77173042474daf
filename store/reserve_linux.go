package store

import (
	"path/filepath"
	"syscall"
)

// roomFor reports whether the file system holding path has more than n bytes
// free, and a quarter more to stay usable, or cannot tell.
func roomFor(path string, n int64) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		return true
	}
	return int64(st.Bavail)*st.Bsize > n+n/4
}
