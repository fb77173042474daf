package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"time"
)

// Errors reported by stores. Test with errors.Is.
var (
	// ErrNotFound reports that no blob has the key.
	ErrNotFound = errors.New("blob: not found")
	// ErrInvalidKey reports a key the store could not have generated. Open reports
	// it together with ErrNotFound.
	ErrInvalidKey = errors.New("blob: invalid key")
	// ErrTooLarge is reported by the reader of LimitReader when its source holds
	// more bytes than allowed.
	ErrTooLarge = errors.New("blob: too large")
)

// Info describes a blob.
type Info struct {
	// Key names the blob: 32 lower-case hex digits (128 random bits).
	Key string
	// Size is the number of bytes.
	Size int64
	// SHA256 is the hex SHA-256 digest of the bytes. Only Create sets it; Open and
	// Walk leave it empty, since the database row records it.
	SHA256 string
	// ModTime is when the bytes were written. Sweep compares it to its grace period.
	ModTime time.Time
}

// File is an open blob. Seek makes it usable by net/http.ServeContent for ranges.
// A read may fail with an error matching ErrNotFound when the blob was deleted
// after Open (S3 fetches the bytes on the first read).
type File = io.ReadSeekCloser

// Store holds immutable blobs under keys it generates. Implementations must be safe
// for concurrent use and follow the protocol of the package documentation: Create
// returns only once the bytes are durable.
//
// The interface is kept small on purpose, so that a folder (Local) and an
// S3-compatible object store (S3) serve the same callers.
type Store interface {
	// Create streams r into a new blob under a new key and returns its Info,
	// SHA256 included. The bytes are durable when it returns. On error nothing is
	// left behind (but possibly a temporary file that Sweep removes later).
	Create(ctx context.Context, r io.Reader) (Info, error)
	// Open opens the blob key for reading. Its error matches ErrNotFound when the
	// blob does not exist.
	Open(ctx context.Context, key string) (File, Info, error)
	// Delete removes the blob key. Deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
	// Walk calls fn for every blob, in no particular order, and stops at the first
	// error fn returns, which it returns. Blobs created or deleted meanwhile may be
	// seen or not.
	Walk(ctx context.Context, fn func(Info) error) error
}

// keyLen is the length of a key: 128 bits in hex.
const keyLen = 32

// newKey returns a random key.
func newKey() string {
	var b [keyLen / 2]byte
	rand.Read(b[:]) // never fails, see crypto/rand.Read
	return hex.EncodeToString(b[:])
}

// validKey reports whether key has the form of generated keys, so that it can
// never be a path such as "../x".
func validKey(key string) bool {
	return len(key) == keyLen && isHex(key)
}

// isHex reports whether s is made of lower-case hex digits only.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// LimitReader returns a reader that reads from r but fails with ErrTooLarge, instead
// of stopping silently, as soon as r holds more than n bytes. Bytes up to the limit
// are delivered, so a Create fed by it fails and leaves nothing behind.
func LimitReader(r io.Reader, n int64) io.Reader {
	return &limitReader{r: r, n: n}
}

// limitReader is the reader of LimitReader. n is the number of bytes still allowed.
type limitReader struct {
	r   io.Reader
	n   int64
	err error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Read one byte more than allowed, to tell "exactly n" from "more than n".
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	if int64(n) <= l.n {
		l.n -= int64(n)
		l.err = err
		return n, err
	}
	n = int(l.n)
	l.n = 0
	l.err = ErrTooLarge
	return n, ErrTooLarge
}
