package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"runtime"
	"strings"
	"testing"
)

// The cases of this file run on every kind of store.

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		ctx := t.Context()
		u := int(k.unit)
		want := map[string]int64{}
		for _, size := range []int{0, 1, 1000, u - 1, u, u + 1, 2*u + 7} {
			data := make([]byte, size)
			io.ReadFull(newPattern(int64(size)), data)
			info, err := k.Create(ctx, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if !validKey(info.Key) || info.Size != int64(size) || info.SHA256 != hex.EncodeToString(sum[:]) || info.ModTime.IsZero() {
				t.Fatalf("size %d: Create = %+v", size, info)
			}
			want[info.Key] = info.Size
			f, oinfo, err := k.Open(ctx, info.Key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(f)
			f.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("size %d: read back %d bytes, %v", size, len(got), err)
			}
			if oinfo.Key != info.Key || oinfo.Size != info.Size || oinfo.ModTime.IsZero() {
				t.Fatalf("size %d: Open info = %+v, Create info = %+v", size, oinfo, info)
			}
		}
		if got := keys(t, k); !maps.Equal(got, want) {
			t.Fatalf("Walk = %v, want %v", got, want)
		}
		if left := k.leftovers(t); len(left) != 0 {
			t.Fatalf("writes left in progress: %v", left)
		}
	})
}

func TestOpenSeek(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		ctx := t.Context()
		data := []byte("0123456789abcdefghij")
		info, err := k.Create(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := k.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		// What http.ServeContent does: find the size, rewind, seek to the range.
		if pos, err := f.Seek(0, io.SeekEnd); err != nil || pos != 20 {
			t.Fatalf("Seek to the end = %d, %v", pos, err)
		}
		if pos, err := f.Seek(0, io.SeekStart); err != nil || pos != 0 {
			t.Fatalf("Seek to the start = %d, %v", pos, err)
		}
		if pos, err := f.Seek(10, io.SeekStart); err != nil || pos != 10 {
			t.Fatalf("Seek = %d, %v", pos, err)
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(f, buf); err != nil || string(buf) != "abcde" {
			t.Fatalf("read after Seek = %q, %v", buf, err)
		}
		if pos, err := f.Seek(-3, io.SeekCurrent); err != nil || pos != 12 {
			t.Fatalf("Seek back = %d, %v", pos, err)
		}
		if _, err := io.ReadFull(f, buf[:2]); err != nil || string(buf[:2]) != "cd" {
			t.Fatalf("read after Seek back = %q, %v", buf[:2], err)
		}
		if pos, err := f.Seek(-3, io.SeekEnd); err != nil || pos != 17 {
			t.Fatalf("Seek from end = %d, %v", pos, err)
		}
		rest, err := io.ReadAll(f)
		if err != nil || string(rest) != "hij" {
			t.Fatalf("read after Seek from end = %q, %v", rest, err)
		}
		if pos, err := f.Seek(0, io.SeekStart); err != nil || pos != 0 {
			t.Fatalf("Seek to the start after the end = %d, %v", pos, err)
		}
		if all, err := io.ReadAll(f); err != nil || !bytes.Equal(all, data) {
			t.Fatalf("read after rewinding = %q, %v", all, err)
		}
		if pos, err := f.Seek(30, io.SeekStart); err != nil || pos != 30 {
			t.Fatalf("Seek past the end = %d, %v", pos, err)
		}
		if n, err := f.Read(buf); n != 0 || err != io.EOF {
			t.Fatalf("read past the end = %d, %v", n, err)
		}
		if _, err := f.Seek(-1, io.SeekStart); err == nil {
			t.Fatal("Seek to a negative offset succeeded")
		}
	})
}

// TestCreateConstantMemory checks that Create streams. It is not parallel: it
// measures the allocations of the whole process, and TotalAlloc counts every byte
// allocated, even if freed at once, so it also catches a body held only briefly.
// A store may hold one unit (copy buffer or part) in memory, not the blob.
func TestCreateConstantMemory(t *testing.T) {
	forEachStore(t, func(t *testing.T, k *kit) {
		const size = 64 << 20
		ctx := t.Context()
		h := sha256.New()
		io.Copy(h, newPattern(size))
		want := hex.EncodeToString(h.Sum(nil))

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		info, err := k.Create(ctx, newPattern(size))
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size != size || info.SHA256 != want {
			t.Fatalf("Create = %+v, want size %d, sha256 %s", info, size, want)
		}
		limit := k.unit + 8<<20
		if d := after.TotalAlloc - before.TotalAlloc; d > uint64(limit) {
			t.Fatalf("Create of %d MiB allocated %d bytes, more than %d", size>>20, d, limit)
		}
		f, _, err := k.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		h.Reset()
		if n, err := io.Copy(h, f); err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != want {
			t.Fatalf("read back %d bytes, %v", n, err)
		}
	})
}

// TestRangeToTheEnd reads a large blob from an offset inside it to its end, as a
// download with "Range: bytes=N-" does: the bytes are the blob's from that offset
// on, and they stream (the read allocates far less than it returns). Not
// parallel, for the same reason as TestCreateConstantMemory.
func TestRangeToTheEnd(t *testing.T) {
	forEachStore(t, func(t *testing.T, k *kit) {
		const size, off = 48 << 20, 5<<20 + 7
		ctx := t.Context()
		info, err := k.Create(ctx, newPattern(size))
		if err != nil {
			t.Fatal(err)
		}
		rest := newPattern(size)
		io.CopyN(io.Discard, rest, off)
		h := sha256.New()
		io.Copy(h, rest)
		want := hex.EncodeToString(h.Sum(nil))

		f, _, err := k.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		// What http.ServeContent does for a range: find the size, then seek.
		if end, err := f.Seek(0, io.SeekEnd); err != nil || end != size {
			t.Fatalf("Seek to the end = %d, %v", end, err)
		}
		if pos, err := f.Seek(off, io.SeekStart); err != nil || pos != off {
			t.Fatalf("Seek = %d, %v", pos, err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		h.Reset()
		n, err := io.Copy(h, f)
		runtime.ReadMemStats(&after)
		if err != nil || n != size-off || hex.EncodeToString(h.Sum(nil)) != want {
			t.Fatalf("read from %d to the end: %d bytes, %v; want %d bytes of digest %s", off, n, err, size-off, want)
		}
		const limit = 4 << 20
		d := after.TotalAlloc - before.TotalAlloc
		if d > limit {
			t.Fatalf("reading %d MiB from an offset allocated %d bytes, more than %d", n>>20, d, limit)
		}
		t.Logf("read %d bytes from offset %d to the end, allocating %d bytes", n, off, d)
		if m, err := f.Read(make([]byte, 1)); m != 0 || err != io.EOF {
			t.Fatalf("read at the end = %d, %v", m, err)
		}
	})
}

func TestOpenDeleteKeyValidation(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		ctx := t.Context()
		for _, key := range []string{"", "../victim", "../../victim", "tmp", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef/"} {
			if _, _, err := k.Open(ctx, key); !errors.Is(err, ErrInvalidKey) || !errors.Is(err, ErrNotFound) {
				t.Errorf("Open(%q) = %v, want ErrInvalidKey and ErrNotFound", key, err)
			}
			if err := k.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
			}
		}
		missing := newKey()
		if _, _, err := k.Open(ctx, missing); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open(missing) = %v, want ErrNotFound", err)
		}
		if err := k.Delete(ctx, missing); err != nil {
			t.Errorf("Delete(missing) = %v, want nil", err)
		}
	})
}

func TestDelete(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		ctx := t.Context()
		info, err := k.Create(ctx, strings.NewReader("bytes"))
		if err != nil {
			t.Fatal(err)
		}
		other, err := k.Create(ctx, strings.NewReader("other"))
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Delete(ctx, info.Key); err != nil {
			t.Fatal(err)
		}
		if _, _, err := k.Open(ctx, info.Key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Open after Delete = %v", err)
		}
		if err := k.Delete(ctx, info.Key); err != nil {
			t.Fatalf("second Delete = %v", err)
		}
		if got := keys(t, k); len(got) != 1 || got[other.Key] != 5 {
			t.Fatalf("blobs after Delete = %v, want only %s", got, other.Key)
		}
	})
}

// TestDeleteWhileOpen checks that a blob deleted after Open (by a commit that
// released it while a download starts) reads as not found rather than as empty.
func TestDeleteWhileOpen(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		ctx := t.Context()
		info, err := k.Create(ctx, strings.NewReader("bytes"))
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := k.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := k.Delete(ctx, info.Key); err != nil {
			t.Fatal(err)
		}
		// A local file stays readable once open; an S3 blob is fetched on the
		// first read, and must then say it is gone.
		got, err := io.ReadAll(f)
		if err == nil && string(got) != "bytes" {
			t.Fatalf("read = %q, nil; want the bytes or an error", got)
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatalf("read = %v, want ErrNotFound", err)
		}
	})
}

func TestCreateReadError(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		// Past the first unit, so that S3 has started a multipart upload.
		n := 2*k.unit + 10
		_, err := k.Create(t.Context(), LimitReader(newPattern(n), n-1))
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Create = %v, want ErrTooLarge", err)
		}
		if got := keys(t, k); len(got) != 0 {
			t.Fatalf("blobs left behind: %v", got)
		}
		if left := k.leftovers(t); len(left) != 0 {
			t.Fatalf("writes left in progress: %v", left)
		}
	})
}

// cancelReader cancels its context once it has delivered after bytes.
type cancelReader struct {
	r      io.Reader
	after  int64
	cancel context.CancelFunc
}

func (c *cancelReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.after -= int64(n)
	if c.after <= 0 {
		c.cancel()
	}
	return n, err
}

func TestCreateCancel(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		for _, after := range []int64{1, k.unit + 1} {
			ctx, cancel := context.WithCancel(t.Context())
			_, err := k.Create(ctx, &cancelReader{newPattern(3 * k.unit), after, cancel})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled after %d bytes: Create = %v, want context.Canceled", after, err)
			}
		}
		if got := keys(t, k); len(got) != 0 {
			t.Fatalf("blobs left behind: %v", got)
		}
		if left := k.leftovers(t); len(left) != 0 {
			t.Fatalf("writes left in progress: %v", left)
		}
	})
}

func TestWalk(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		ctx := t.Context()
		want := map[string]int64{}
		for i := range 20 {
			info, err := k.Create(ctx, newPattern(int64(i)))
			if err != nil {
				t.Fatal(err)
			}
			want[info.Key] = info.Size
		}
		// What is not a blob is skipped, and so are writes in progress.
		k.putForeign(t)
		k.startWrite(t)
		if got := keys(t, k); !maps.Equal(got, want) {
			t.Fatalf("Walk = %v, want %v", got, want)
		}

		stop := errors.New("stop")
		var n int
		err := k.Walk(ctx, func(Info) error {
			n++
			return stop
		})
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("Walk after fn error: %v, %d calls", err, n)
		}
	})
}

func BenchmarkCreate(b *testing.B) {
	const size = 16 << 20
	l := newTestLocal(b)
	ctx := b.Context()
	b.SetBytes(size)
	for b.Loop() {
		info, err := l.Create(ctx, newPattern(size))
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Delete(ctx, info.Key); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		p, ok := k.Store.(Pinger)
		if !ok {
			t.Fatalf("%T is not a Pinger", k.Store)
		}
		if err := p.Ping(t.Context()); err != nil {
			t.Fatalf("Ping = %v", err)
		}
	})
}
