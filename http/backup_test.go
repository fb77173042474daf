package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/backup"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store/storetest"
)

// backupSchema has one type with a file field.
const backupSchema = `{"types": [{"name": "photo", "fields": [{"name": "image", "type": "file"}]}]}`

// photoBytes returns the distinct bytes of photo n, version v: a few KiB.
func photoBytes(n, v int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("photo %d version %d;", n, v)), 100+n%200)
}

// digestOf returns the hex SHA-256 digest of b.
func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// try sends a JSON request without failing the test, so that it may run on any
// goroutine, and decodes the answer as an object.
func (b *browser) try(method, path string, body any, want int) (map[string]any, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.e.url(path), r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != want {
		return nil, fmt.Errorf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, data)
	}
	var m map[string]any
	if len(data) > 0 {
		err = json.Unmarshal(data, &m)
	}
	return m, err
}

// photoItem is a photo item as the test knows it: the path of its resource and
// the digests of the images it has had, the current one last.
type photoItem struct {
	path    string
	digests []string
}

// postPhoto creates photo n through b.
func postPhoto(b *browser, n int) (*photoItem, error) {
	data := photoBytes(n, 0)
	item, err := b.try("POST", "/-/photos", obj{"title": fmt.Sprint("photo ", n), "image": dataURL("application/octet-stream", "p.bin", data)}, http.StatusCreated)
	if err != nil {
		return nil, err
	}
	meta, _ := item["__meta__"].(map[string]any)
	u, _ := meta["url"].(string)
	if !strings.HasPrefix(u, b.e.srv.URL) {
		return nil, fmt.Errorf("item url %q", u)
	}
	return &photoItem{path: strings.TrimPrefix(u, b.e.srv.URL), digests: []string{digestOf(data)}}, nil
}

// imageDigest returns the digest of the image of the item at path, downloaded
// through b, or "" when the item does not exist.
func imageDigest(t *testing.T, b *browser, path string) string {
	t.Helper()
	res := b.get(path)
	if res.status == http.StatusNotFound {
		return ""
	}
	f := fileOf(t, res.expect(http.StatusOK).JSON(), "image")
	dl := b.get(strings.TrimPrefix(f.URL, b.e.srv.URL)).expect(http.StatusOK)
	if int64(len(dl.body)) != f.Size {
		t.Fatalf("%s: downloaded %d bytes, file says %d", path, len(dl.body), f.Size)
	}
	return digestOf(dl.body)
}

// deletingStore deletes an item through the HTTP API right before the first blob
// is opened: after the snapshot of the backup, before its bytes are copied.
type deletingStore struct {
	blob.Store
	once   sync.Once
	before func()
}

func (s *deletingStore) Open(ctx context.Context, key string) (blob.File, blob.Info, error) {
	s.once.Do(s.before)
	return s.Store.Open(ctx, key)
}

// A backup taken while items with files are created, replaced and deleted holds
// every item and file committed before its snapshot, with intact bytes and no
// dangling row, and a server started on its restore serves them. A file deleted
// after the snapshot but before its bytes were copied costs another snapshot.
func TestBackupUnderLoad(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		testBackupUnderLoad(t, b)
	})
}

func testBackupUnderLoad(t *testing.T, b storetest.Backend) {
	e := newEnv(t, b, withSchema(t, backupSchema), noGrace)
	ann := e.loggedIn("ann@example.com")
	const before, toDelete, toReplace = 150, 40, 30
	items := make([]*photoItem, before)
	for n := range items {
		p, err := postPhoto(ann, n)
		if err != nil {
			t.Fatal(err)
		}
		items[n] = p
	}
	// The items from 0 to toDelete are deleted during the backup, those up to
	// toDelete+toReplace get a new image, and the last one is deleted after the
	// first snapshot.
	victim := items[before-1]

	var (
		mu       sync.Mutex
		created  []*photoItem // created during the backup, in order
		deleted  int          // items[:deleted] are deleted
		replaced int          // items[toDelete:toDelete+replaced] have a new image
		stop     = make(chan struct{})
		loadErr  = make(chan error, 1)
		// warm is closed once the load has created warmUp items, so that
		// the backup starts in the middle of it.
		warm = make(chan struct{})
	)
	const warmUp = 20
	go func() {
		defer close(loadErr)
		loadErr <- func() error {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return nil
				default:
				}
				p, err := postPhoto(ann, before+i)
				if err != nil {
					return err
				}
				mu.Lock()
				created = append(created, p)
				d, r := deleted, replaced
				mu.Unlock()
				if i == warmUp-1 {
					close(warm)
				}
				if d < toDelete {
					if _, err := ann.try("DELETE", items[d].path, nil, http.StatusOK); err != nil {
						return err
					}
					mu.Lock()
					deleted++
					mu.Unlock()
				}
				if r < toReplace {
					it := items[toDelete+r]
					data := photoBytes(toDelete+r, 1)
					mu.Lock()
					it.digests = append(it.digests, digestOf(data))
					mu.Unlock()
					if _, err := ann.try("PUT", it.path, obj{"image": dataURL("application/octet-stream", "p2.bin", data)}, http.StatusOK); err != nil {
						return err
					}
					mu.Lock()
					replaced++
					mu.Unlock()
				}
			}
		}()
	}()

	// createdBeforeVictim is the number of items created during the backup that
	// were committed before the victim's deletion, hence before the last snapshot.
	var createdBeforeVictim atomic.Int64
	blobs := &deletingStore{Store: e.app.Blobs, before: func() {
		mu.Lock()
		createdBeforeVictim.Store(int64(len(created)))
		mu.Unlock()
		if _, err := ann.try("DELETE", victim.path, nil, http.StatusOK); err != nil {
			t.Error(err)
		}
	}}
	dest := filepath.Join(t.TempDir(), "backup")
	select {
	case <-warm:
	case err := <-loadErr:
		t.Fatalf("load: %v", err)
	}
	st, err := backup.Create(context.Background(), e.app.DB, blobs, dest, backup.Options{DSN: e.app.Config.DB})
	close(stop)
	if lerr := <-loadErr; lerr != nil {
		t.Fatal(lerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if st.Rounds < 2 {
		t.Fatalf("%d snapshots: the file deleted after the first snapshot did not cost another", st.Rounds)
	}

	data := filepath.Join(t.TempDir(), "restored")
	target := e.app.Config.DB
	if b == storetest.Postgres {
		// The database is lost; its schema is there again, empty, as public
		// is in a new database.
		schema := searchPathOf(t, target)
		if _, err := e.app.DB.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE; CREATE SCHEMA "+schema); err != nil {
			t.Fatal(err)
		}
	}
	rst, err := backup.Restore(context.Background(), dest, data, func() (blob.Store, error) {
		return app.OpenBlobs(backrest.Config{DataDir: data})
	}, backup.Options{DSN: target})
	if err != nil {
		t.Fatal(err)
	}
	if rst.Files != st.Files || rst.Bytes != st.Bytes {
		t.Fatalf("restored %+v of backup %+v", rst, st)
	}
	cfg := testConfig(data)
	cfg.DB = target
	withSchema(t, backupSchema)(&cfg)
	r := startEnv(t, cfg, app.Options{})
	// The account is restored: ann logs in with her password.
	rb := r.browser()
	rb.login("ann@example.com", "password1").expect(http.StatusOK)

	present := 0
	check := func(p *photoItem, must bool) {
		t.Helper()
		got := imageDigest(t, rb, p.path)
		if got == "" {
			if must {
				t.Fatalf("%s lost", p.path)
			}
			return
		}
		present++
		for _, d := range p.digests {
			if got == d {
				return
			}
		}
		t.Fatalf("%s: image %s is none of those uploaded", p.path, got)
	}
	for n, p := range items {
		if p == victim {
			if imageDigest(t, rb, p.path) != "" {
				t.Fatalf("the item deleted before the last snapshot was restored")
			}
			continue
		}
		check(p, n >= toDelete)
	}
	for i, p := range created {
		check(p, int64(i) < createdBeforeVictim.Load())
	}
	if n := r.count("photos"); n != present {
		t.Fatalf("%d items restored, %d of them known", n, present)
	}
	rep, err := r.app.Files.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Files != present || rep.Files != st.Files {
		t.Fatalf("restored files: %+v; %d items, %d files backed up", rep, present, st.Files)
	}
	t.Logf("%s backup under load: %d items before the load; the load created %d (%d before the backup began, %d before the last snapshot), "+
		"deleted %d and replaced %d images; 1 more deleted after the first snapshot; %d snapshots; %d files (%d bytes) backed up; "+
		"%d items restored, all files intact",
		b, before, len(created), warmUp, createdBeforeVictim.Load(), deleted, replaced, st.Rounds, st.Files, st.Bytes, present)
}

// smallBackup makes a backup of a server holding n photos into dest and returns
// the server.
func smallBackup(t *testing.T, n int, dest string) *env {
	t.Helper()
	e := newEnv(t, storetest.SQLite, withSchema(t, backupSchema))
	ann := e.loggedIn("ann@example.com")
	for i := range n {
		if _, err := postPhoto(ann, i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := backup.Create(context.Background(), e.app.DB, e.app.Blobs, dest, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// restoreInto restores src into data.
func restoreInto(src, data string) (backup.Stats, error) {
	return backup.Restore(context.Background(), src, data, func() (blob.Store, error) {
		return app.OpenBlobs(backrest.Config{DataDir: data})
	}, backup.Options{})
}

// copyTree copies the folder src to the new folder dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// A damaged backup is refused with an error naming the damage, and the target
// data folder is left as it was: missing, or empty.
func TestRestoreRefusesDamage(t *testing.T) {
	good := filepath.Join(t.TempDir(), "good")
	smallBackup(t, 5, good)
	var m backup.Manifest
	raw, err := os.ReadFile(filepath.Join(good, backup.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(good, filepath.FromSlash(m.Files[0].Path()))
	// The backup holds its three parts only: no log of the database beside it.
	entries, err := os.ReadDir(good)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "backrest.db files manifest.json" {
		t.Fatalf("backup folder holds %v", names)
	}
	for _, c := range []struct {
		name   string
		damage func(dir string)
		want   string
	}{
		{"flipped byte", func(dir string) {
			p := filepath.Join(dir, filepath.FromSlash(m.Files[0].Path()))
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			os.WriteFile(p, b, 0o600)
		}, m.Files[0].Path() + " has " + fmt.Sprint(m.Files[0].Size) + " bytes with SHA-256"},
		{"missing bytes", func(dir string) {
			os.Remove(filepath.Join(dir, filepath.FromSlash(m.Files[1].Path())))
		}, m.Files[1].Path() + " is missing"},
		{"database", func(dir string) {
			f, _ := os.OpenFile(filepath.Join(dir, backup.DatabaseName), os.O_WRONLY|os.O_APPEND, 0)
			f.Write([]byte{0})
			f.Close()
		}, backup.DatabaseName + " has"},
		{"manifest not JSON", func(dir string) {
			os.WriteFile(filepath.Join(dir, backup.ManifestName), raw[:len(raw)/2], 0o600)
		}, "manifest: unexpected EOF"},
		{"no manifest", func(dir string) {
			os.Remove(filepath.Join(dir, backup.ManifestName))
		}, "has no manifest.json"},
		{"manifest without a file of the database", func(dir string) {
			less := m
			less.Files = m.Files[1:]
			b, _ := json.Marshal(less)
			os.WriteFile(filepath.Join(dir, backup.ManifestName), b, 0o600)
		}, "is not in the manifest"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "src")
			copyTree(t, good, src)
			c.damage(src)
			for _, existing := range []bool{false, true} {
				data := filepath.Join(t.TempDir(), "data")
				if existing {
					os.Mkdir(data, 0o700)
				}
				_, err := restoreInto(src, data)
				if err == nil || !errors.Is(err, backup.ErrDamaged) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("restore: %v, want %q", err, c.want)
				}
				entries, statErr := os.ReadDir(data)
				if existing && (statErr != nil || len(entries) > 0) {
					t.Fatalf("data folder after the refusal: %v, %v", entries, statErr)
				}
				if !existing && !errors.Is(statErr, os.ErrNotExist) {
					t.Fatalf("data folder created: %v, %v", entries, statErr)
				}
			}
		})
	}
	// The good backup is restored, into a data folder that exists empty too.
	data := t.TempDir()
	if st, err := restoreInto(good, data); err != nil || st.Files != 5 {
		t.Fatalf("restore of the good backup: %+v, %v", st, err)
	}
	// A data folder that holds anything is refused, and kept.
	if _, err := restoreInto(good, data); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("restore into a used folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, backup.DatabaseName)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(first); err != nil {
		t.Fatal(err)
	}
}

// A backup into a .tar.gz archive restores like a folder; a damaged archive is
// refused; a backup goes only to a new or empty folder and a new archive.
func TestBackupArchive(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "b.tar.gz")
	e := smallBackup(t, 4, archive)
	if _, err := os.Stat(archive + ".partial"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("staging folder left: %v", err)
	}
	data := filepath.Join(dir, "data")
	if st, err := restoreInto(archive, data); err != nil || st.Files != 4 {
		t.Fatalf("restore: %+v, %v", st, err)
	}
	cfg := testConfig(data)
	withSchema(t, backupSchema)(&cfg)
	r := startEnv(t, cfg, app.Options{})
	if n := r.count("photos"); n != 4 {
		t.Fatalf("%d photos restored", n)
	}
	r.verify(true)

	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.tar.gz")
	os.WriteFile(cut, b[:len(b)*2/3], 0o600)
	data2 := filepath.Join(dir, "data2")
	if _, err := restoreInto(cut, data2); err == nil || !errors.Is(err, backup.ErrDamaged) {
		t.Fatalf("truncated archive: %v", err)
	}
	if _, err := os.Stat(data2); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("data folder after a truncated archive: %v", err)
	}

	ctx := context.Background()
	// Progress, when asked for, counts files and bytes.
	var progress bytes.Buffer
	st, err := backup.Create(ctx, e.app.DB, e.app.Blobs, filepath.Join(dir, "again"), backup.Options{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("\rbackup: 4/4 files, %s/%s \n", kib(st.Bytes), kib(st.Bytes)); !strings.HasSuffix(progress.String(), want) {
		t.Fatalf("progress %q, want it to end in %q", progress.String(), want)
	}
	if _, err := backup.Create(ctx, e.app.DB, e.app.Blobs, archive, backup.Options{}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("backup over an archive: %v", err)
	}
	if _, err := backup.Create(ctx, e.app.DB, e.app.Blobs, data, backup.Options{}); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("backup into a used folder: %v", err)
	}
}

// kib formats n bytes as the progress line does, for sizes of KiB.
func kib(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }

// A backup of PostgreSQL restores only into PostgreSQL, into the schema it was
// taken from, and only where that schema holds no table; a backup of SQLite
// restores only into SQLite.
func TestRestoreTargetRefused(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skipf("set %s to run", storetest.EnvPostgres)
	}
	e := newEnv(t, storetest.Postgres, withSchema(t, backupSchema))
	ann := e.loggedIn("ann@example.com")
	if _, err := postPhoto(ann, 1); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "pg")
	if _, err := backup.Create(context.Background(), e.app.DB, e.app.Blobs, dest, backup.Options{DSN: e.app.Config.DB}); err != nil {
		t.Fatal(err)
	}
	lite := filepath.Join(t.TempDir(), "lite")
	smallBackup(t, 1, lite)
	restore := func(src, dsn string) error {
		data := filepath.Join(t.TempDir(), "data")
		_, err := backup.Restore(context.Background(), src, data, func() (blob.Store, error) {
			return app.OpenBlobs(backrest.Config{DataDir: data})
		}, backup.Options{DSN: dsn})
		if _, serr := os.Stat(data); !errors.Is(serr, os.ErrNotExist) {
			t.Fatalf("data folder after a refusal: %v", serr)
		}
		return err
	}
	if err := restore(dest, e.app.Config.DB); err == nil || !strings.Contains(err.Error(), "holds") || !strings.Contains(err.Error(), "restore only into an empty one") {
		t.Fatalf("restore over the live schema: %v", err)
	}
	other, err := url.Parse(e.app.Config.DB)
	if err != nil {
		t.Fatal(err)
	}
	q := other.Query()
	q.Set("search_path", "elsewhere")
	other.RawQuery = q.Encode()
	if err := restore(dest, other.String()); err == nil || !strings.Contains(err.Error(), "set search_path=") {
		t.Fatalf("restore into another schema: %v", err)
	}
	if err := restore(dest, ""); err == nil || !strings.Contains(err.Error(), "backup is of a PostgreSQL database") {
		t.Fatalf("restore of PostgreSQL into SQLite: %v", err)
	}
	if err := restore(lite, e.app.Config.DB); err == nil || !strings.Contains(err.Error(), "backup is of a SQLite database") {
		t.Fatalf("restore of SQLite into PostgreSQL: %v", err)
	}

	// Once the schema is gone, the restore recreates it.
	schema := searchPathOf(t, e.app.Config.DB)
	if _, err := e.app.DB.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	st, err := backup.Restore(context.Background(), dest, data, func() (blob.Store, error) {
		return app.OpenBlobs(backrest.Config{DataDir: data})
	}, backup.Options{DSN: e.app.Config.DB})
	if err != nil || st.Files != 1 {
		t.Fatalf("restore into a dropped schema: %+v, %v", st, err)
	}
	cfg := testConfig(data)
	cfg.DB = e.app.Config.DB
	withSchema(t, backupSchema)(&cfg)
	r := startEnv(t, cfg, app.Options{})
	if n := r.count("photos"); n != 1 {
		t.Fatalf("%d photos restored", n)
	}
	r.verify(true)
}

// searchPathOf returns the search_path of the PostgreSQL URL dsn.
func searchPathOf(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("search_path")
}
