package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newTestLocal(t)
	for _, size := range []int{0, 1, 1000, copyBufferSize, 3*copyBufferSize + 7} {
		data := bytes.Repeat([]byte("backrest"), size/8+1)[:size]
		info, err := l.Create(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if !validKey(info.Key) || info.Size != int64(size) || info.SHA256 != hex.EncodeToString(sum[:]) || info.ModTime.IsZero() {
			t.Fatalf("size %d: Create = %+v", size, info)
		}
		if !exists(t, l, filepath.Join(info.Key[:2], info.Key)) {
			t.Fatalf("size %d: no file at %s/%s", size, info.Key[:2], info.Key)
		}
		f, oinfo, err := l.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(f)
		f.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: read back %d bytes, %v", size, len(got), err)
		}
		if oinfo.Key != info.Key || oinfo.Size != info.Size || !oinfo.ModTime.Equal(info.ModTime) {
			t.Fatalf("size %d: Open info = %+v, Create info = %+v", size, oinfo, info)
		}
	}
	if tmp := files(t, l); len(tmp) != 5 {
		t.Fatalf("files = %v, want only the 5 blobs", tmp)
	}
}

func TestOpenSeek(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newTestLocal(t)
	data := []byte("0123456789abcdefghij")
	info, err := l.Create(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := l.Open(ctx, info.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if pos, err := f.Seek(10, io.SeekStart); err != nil || pos != 10 {
		t.Fatalf("Seek = %d, %v", pos, err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(f, buf); err != nil || string(buf) != "abcde" {
		t.Fatalf("read after Seek = %q, %v", buf, err)
	}
	if pos, err := f.Seek(-3, io.SeekEnd); err != nil || pos != 17 {
		t.Fatalf("Seek from end = %d, %v", pos, err)
	}
	rest, err := io.ReadAll(f)
	if err != nil || string(rest) != "hij" {
		t.Fatalf("read after Seek from end = %q, %v", rest, err)
	}
}

// TestCreateConstantMemory checks that Create streams. It is not parallel: it
// measures the allocations of the whole process, and TotalAlloc counts every byte
// allocated, even if freed at once, so it also catches a body held only briefly.
func TestCreateConstantMemory(t *testing.T) {
	const size = 64 << 20
	ctx := t.Context()
	l := newTestLocal(t)
	h := sha256.New()
	io.Copy(h, newPattern(size))
	want := hex.EncodeToString(h.Sum(nil))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	info, err := l.Create(ctx, newPattern(size))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != size || info.SHA256 != want {
		t.Fatalf("Create = %+v, want size %d, sha256 %s", info, size, want)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 8<<20 {
		t.Fatalf("Create of %d MiB allocated %d bytes", size>>20, d)
	}
}

func TestOpenDeleteKeyValidation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newTestLocal(t)
	// A file next to the store that a traversal would reach.
	victim := filepath.Join(filepath.Dir(l.dir), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"", "../victim", "../../victim", "tmp", "0123456789ABCDEF0123456789ABCDEF"} {
		if _, _, err := l.Open(ctx, key); !errors.Is(err, ErrInvalidKey) || !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey and ErrNotFound", key, err)
		}
		if err := l.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if _, err := os.Stat(victim); err != nil {
		t.Fatalf("victim: %v", err)
	}

	missing := newKey()
	if _, _, err := l.Open(ctx, missing); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidKey) {
		t.Errorf("Open(missing) = %v, want ErrNotFound", err)
	}
	if err := l.Delete(ctx, missing); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newTestLocal(t)
	info, err := l.Create(ctx, strings.NewReader("bytes"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Delete(ctx, info.Key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Open(ctx, info.Key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open after Delete = %v", err)
	}
	if err := l.Delete(ctx, info.Key); err != nil {
		t.Fatalf("second Delete = %v", err)
	}
}

func TestCreateFaults(t *testing.T) {
	t.Parallel()
	for _, step := range []struct {
		name string
		op   string
		// onRoot selects syncDir of the store's folder (making a new fan-out
		// folder durable) rather than of a fan-out folder (making the blob durable).
		onRoot bool
	}{
		{"create temp", "createTemp", false},
		{"write", "write", false},
		{"sync file", "sync", false},
		{"make fan-out folder", "mkdir", false},
		{"sync parent of fan-out folder", "syncDir", true},
		{"rename", "rename", false},
		{"sync dir", "syncDir", false},
	} {
		t.Run(step.name, func(t *testing.T) {
			t.Parallel()
			l := newTestLocal(t)
			var hit bool
			l.fs = faultFS{osFS{}, func(op, name string) error {
				if op == step.op && (op != "syncDir" || (name == l.dir) == step.onRoot) {
					hit = true
					return errInjected
				}
				return nil
			}}
			_, err := l.Create(t.Context(), newPattern(3*copyBufferSize))
			if !hit {
				t.Fatal("the fault was not reached")
			}
			if !errors.Is(err, errInjected) {
				t.Fatalf("Create = %v, want the injected error", err)
			}
			if left := files(t, l); len(left) != 0 {
				t.Fatalf("left behind: %v", left)
			}
			// The store still works once the fault is gone.
			l.fs = osFS{}
			if _, err := l.Create(t.Context(), strings.NewReader("ok")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCreateReadError(t *testing.T) {
	t.Parallel()
	l := newTestLocal(t)
	_, err := l.Create(t.Context(), LimitReader(newPattern(1<<20), 1<<20-1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Create = %v, want ErrTooLarge", err)
	}
	if left := files(t, l); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// cancelReader cancels its context after its first read.
type cancelReader struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c cancelReader) Read(p []byte) (int, error) {
	defer c.cancel()
	return c.r.Read(p)
}

func TestCreateCancel(t *testing.T) {
	t.Parallel()
	l := newTestLocal(t)
	ctx, cancel := context.WithCancel(t.Context())
	_, err := l.Create(ctx, cancelReader{newPattern(1 << 20), cancel})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Create = %v, want context.Canceled", err)
	}
	if left := files(t, l); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

func TestDeleteFaults(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"remove", "syncDir"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			l := newTestLocal(t)
			info, err := l.Create(ctx, strings.NewReader("bytes"))
			if err != nil {
				t.Fatal(err)
			}
			l.fs = faultFS{osFS{}, func(o, _ string) error {
				if o == op {
					return errInjected
				}
				return nil
			}}
			if err := l.Delete(ctx, info.Key); !errors.Is(err, errInjected) {
				t.Fatalf("Delete = %v, want the injected error", err)
			}
		})
	}
}

func TestWalk(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newTestLocal(t)
	want := map[string]int64{}
	for i := range 20 {
		info, err := l.Create(ctx, newPattern(int64(i)))
		if err != nil {
			t.Fatal(err)
		}
		want[info.Key] = info.Size
	}
	// Files that are not blobs are skipped.
	for _, rel := range []string{"README", "zz/zz0123456789abcdef0123456789abcd", "ab/notakey", "ab/cd0123456789abcdef0123456789abcd"} {
		writeFile(t, l, rel, 1, time.Now())
	}

	got := map[string]int64{}
	err := l.Walk(ctx, func(info Info) error {
		got[info.Key] = info.Size
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Walk found %d blobs, want %d", len(got), len(want))
	}
	for k, size := range want {
		if got[k] != size {
			t.Errorf("Walk: %s has size %d, want %d", k, got[k], size)
		}
	}

	stop := errors.New("stop")
	var n int
	err = l.Walk(ctx, func(Info) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Walk after fn error: %v, %d calls", err, n)
	}
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
