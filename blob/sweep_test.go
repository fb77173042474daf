package blob

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// knownMap is a known callback answering from rows, the keys that have a row, and
// recording the size of each call.
type knownMap struct {
	rows  map[string]bool
	calls []int
}

func (k *knownMap) known(_ context.Context, keys []string) (map[string]bool, error) {
	k.calls = append(k.calls, len(keys))
	out := map[string]bool{}
	for _, key := range keys {
		if k.rows[key] {
			out[key] = true
		}
	}
	return out, nil
}

func blobPath(key string) string { return filepath.Join(key[:2], key) }

func TestSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newTestLocal(t)
	old := time.Now().Add(-2 * time.Hour)
	now := time.Now()

	oldOrphan, oldKnown, youngOrphan, youngKnown := newKey(), newKey(), newKey(), newKey()
	writeFile(t, l, blobPath(oldOrphan), 100, old)
	writeFile(t, l, blobPath(oldKnown), 200, old)
	writeFile(t, l, blobPath(youngOrphan), 300, now)
	writeFile(t, l, blobPath(youngKnown), 400, now)
	created, err := l.Create(ctx, newPattern(500)) // young, no row yet: in flight
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, l, "tmp/blob-old", 10, old)
	writeFile(t, l, "tmp/blob-young", 20, now)
	foreign := []string{"README", "zz/x", "ab/notakey", "ab/cd0123456789abcdef0123456789abcd"}
	for _, rel := range foreign {
		writeFile(t, l, rel, 1, old)
	}

	k := &knownMap{rows: map[string]bool{oldKnown: true, youngKnown: true}}
	st, err := Sweep(ctx, l, k.known, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := (SweepStats{Scanned: 5, Deleted: 2, Bytes: 110}); st != want {
		t.Errorf("Sweep = %+v, want %+v", st, want)
	}
	for rel, want := range map[string]bool{
		blobPath(oldOrphan):   false,
		blobPath(oldKnown):    true,
		blobPath(youngOrphan): true,
		blobPath(youngKnown):  true,
		blobPath(created.Key): true,
		"tmp/blob-old":        false,
		"tmp/blob-young":      true,
	} {
		if got := exists(t, l, rel); got != want {
			t.Errorf("%s: exists = %v, want %v", rel, got, want)
		}
	}
	for _, rel := range foreign {
		if !exists(t, l, rel) {
			t.Errorf("Sweep deleted %s, which is not a blob", rel)
		}
	}
}

func TestSweepBatches(t *testing.T) {
	t.Parallel()
	l := newTestLocal(t)
	old := time.Now().Add(-2 * time.Hour)
	rows := map[string]bool{}
	const n = 2*sweepBatch + 1
	for i := range n {
		key := newKey()
		writeFile(t, l, blobPath(key), 1, old)
		if i%3 == 0 {
			rows[key] = true
		}
	}
	k := &knownMap{rows: rows}
	st, err := Sweep(t.Context(), l, k.known, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := (SweepStats{Scanned: n, Deleted: n - len(rows), Bytes: int64(n - len(rows))}); st != want {
		t.Errorf("Sweep = %+v, want %+v", st, want)
	}
	if len(k.calls) != 3 {
		t.Errorf("known called %d times (%v), want 3", len(k.calls), k.calls)
	}
	for _, c := range k.calls {
		if c > sweepBatch {
			t.Errorf("known called with %d keys, more than %d", c, sweepBatch)
		}
	}
	var left int
	l.Walk(t.Context(), func(info Info) error {
		if !rows[info.Key] {
			t.Errorf("orphan %s kept", info.Key)
		}
		left++
		return nil
	})
	if left != len(rows) {
		t.Errorf("%d blobs left, want %d", left, len(rows))
	}
}

func TestSweepKnownError(t *testing.T) {
	t.Parallel()
	l := newTestLocal(t)
	key := newKey()
	writeFile(t, l, blobPath(key), 1, time.Now().Add(-2*time.Hour))
	dbDown := errors.New("database down")
	_, err := Sweep(t.Context(), l, func(context.Context, []string) (map[string]bool, error) {
		return nil, dbDown
	}, time.Hour)
	if !errors.Is(err, dbDown) {
		t.Fatalf("Sweep = %v, want the error of known", err)
	}
	if !exists(t, l, blobPath(key)) {
		t.Error("Sweep deleted a blob without an answer from known")
	}
}

func TestSweepDeleteError(t *testing.T) {
	t.Parallel()
	l := newTestLocal(t)
	old := time.Now().Add(-2 * time.Hour)
	a, b := newKey(), newKey()
	writeFile(t, l, blobPath(a), 1, old)
	writeFile(t, l, blobPath(b), 1, old)
	l.fs = faultFS{osFS{}, func(op, name string) error {
		if op == "remove" && filepath.Base(name) == a {
			return errInjected
		}
		return nil
	}}
	st, err := Sweep(t.Context(), l, (&knownMap{}).known, time.Hour)
	if !errors.Is(err, errInjected) {
		t.Fatalf("Sweep = %v, want the injected error", err)
	}
	if st.Deleted != 1 || exists(t, l, blobPath(b)) || !exists(t, l, blobPath(a)) {
		t.Errorf("Sweep = %+v; a failed deletion should not stop the others", st)
	}
}

// TestSweepGrace runs on every kind of store. The ages of blobs are the store's
// to set (S3 stamps them itself), so the grace period moves instead: one in the
// future keeps everything, one in the past makes everything old enough.
func TestSweepGrace(t *testing.T) {
	t.Parallel()
	forEachStoreParallel(t, func(t *testing.T, k *kit) {
		ctx := t.Context()
		orphan, err := k.Create(ctx, newPattern(100))
		if err != nil {
			t.Fatal(err)
		}
		known, err := k.Create(ctx, newPattern(200))
		if err != nil {
			t.Fatal(err)
		}
		k.startWrite(t)
		k.putForeign(t)
		rows := &knownMap{rows: map[string]bool{known.Key: true}}

		st, err := Sweep(ctx, k.Store, rows.known, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if want := (SweepStats{Scanned: 2}); st != want {
			t.Errorf("Sweep of young blobs = %+v, want %+v", st, want)
		}
		if !present(t, k, orphan.Key) || len(k.leftovers(t)) != 1 {
			t.Fatal("Sweep deleted young blobs or writes in progress")
		}

		st, err = Sweep(ctx, k.Store, rows.known, -time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		// The orphan and the write left in progress (100 bytes) go.
		if want := (SweepStats{Scanned: 2, Deleted: 2, Bytes: 200}); st != want {
			t.Errorf("Sweep of old blobs = %+v, want %+v", st, want)
		}
		if present(t, k, orphan.Key) || !present(t, k, known.Key) {
			t.Error("Sweep kept the orphan or deleted the known blob")
		}
		if left := k.leftovers(t); len(left) != 0 {
			t.Errorf("writes left in progress: %v", left)
		}
		if got := keys(t, k); len(got) != 1 {
			t.Errorf("blobs after the sweep = %v, want only %s", got, known.Key)
		}
	})
}
