package http_test

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// fullDisk mounts a small tmpfs for a data folder and returns its path, or skips
// the test where mounting is not allowed (it needs root).
func fullDisk(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vol")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Error(err)
		}
	})
	return dir
}

// fill writes a file in dir until the disk is full, down to the last byte.
func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.CreateTemp(dir, "filler")
	if err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	if f == nil {
		return
	}
	defer f.Close()
	for _, chunk := range []int{1 << 16, 1 << 12, 1} {
		buf := make([]byte, chunk)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
}

// A full disk still lets users delete their files and items: the database's commits, which
// grow its write-ahead log, get the room the reserve kept.
func TestDeleteOnFullDisk(t *testing.T) {
	dir := fullDisk(t, "16m")
	cfg := testConfig(dir)
	cfg.DB = storetest.DSN(t, storetest.SQLite)
	withSchema(t, fileSchema)(&cfg)
	e := startEnv(t, cfg, app.Options{})
	b := e.loggedIn("alice@example.com")
	var uuids []string
	for range 4 {
		uuids = append(uuids, b.upload(make([]byte, 64<<10), "application/octet-stream", "a.bin").UUID)
	}
	item := b.post("/-/photos", obj{"title": "p", "image": dataURL("image/png", "p.png", make([]byte, 64<<10))}).
		expect(http.StatusCreated).JSON()
	// An empty log must grow at the next commit.
	if _, err := e.app.DB.Exec(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	fill(t, dir)
	b.delete(itemURL(t, item)).expect(http.StatusOK)
	b.get(itemURL(t, item)).expect(http.StatusNotFound)
	b.delete("/-/" + uuids[0] + "~").expectSuccess()
	b.get("/-/" + uuids[0] + "~").expect(http.StatusNotFound)
	reserve := filepath.Join(dir, "backrest.db-reserve")
	if _, err := os.Stat(reserve); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the reserve is still there after a full disk: %v", err)
	}
	b.delete("/-/" + uuids[1] + "~").expectSuccess()

	// Once there is room again, the reserve comes back, for the next time.
	fillers, err := filepath.Glob(filepath.Join(dir, "filler*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fillers {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	for {
		if _, err := os.Stat(reserve); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := e.app.DB.Exec(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	fill(t, dir)
	b.delete("/-/" + uuids[2] + "~").expectSuccess()
	b.get("/-/" + uuids[3] + "~").expect(http.StatusOK)
}
