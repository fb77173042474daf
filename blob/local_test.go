package blob

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocalLayout checks where Local puts blobs: dir/ab/abcdef…, nothing left in
// dir/tmp.
func TestLocalLayout(t *testing.T) {
	t.Parallel()
	l := newTestLocal(t)
	info, err := l.Create(t.Context(), newPattern(3*copyBufferSize+7))
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(info.Key[:2], info.Key)
	if got := files(t, l); len(got) != 1 || got[0] != want {
		t.Fatalf("files = %v, want only %s", got, want)
	}
	_, oinfo, err := l.Open(t.Context(), info.Key)
	if err != nil {
		t.Fatal(err)
	}
	if !oinfo.ModTime.Equal(info.ModTime) {
		t.Fatalf("Open ModTime = %v, Create ModTime = %v", oinfo.ModTime, info.ModTime)
	}
}

// TestLocalTraversal checks that no key reaches outside the folder.
func TestLocalTraversal(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newTestLocal(t)
	// A file next to the store that a traversal would reach.
	victim := filepath.Join(filepath.Dir(l.dir), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../victim", "../../victim"} {
		if _, _, err := l.Open(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := l.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if _, err := os.Stat(victim); err != nil {
		t.Fatalf("victim: %v", err)
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
