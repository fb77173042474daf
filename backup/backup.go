// Package backup makes consistent copies of a running backrest deployment (its
// database and the bytes of its files, with a manifest of checksums) and restores
// them into an empty data folder and database. It reads and writes bytes through
// the blob.Store interface only, so it works with any store. Copy moves a whole
// deployment into another one, SQLite or PostgreSQL, any store (see copy.go).
//
// # The guarantee
//
// A backup holds the database exactly as it was at one instant, the moment of its
// snapshot, and the bytes of every file row of that snapshot, each checked
// against the SHA-256 digest and size its row records. On SQLite the snapshot is
// a copy made with VACUUM INTO, which reads in one transaction while writers
// carry on. On PostgreSQL it is a pg_dump archive of the database's schema made
// at a snapshot that a REPEATABLE READ transaction exports (pg_dump --snapshot);
// the file rows are read in that same transaction, so the dump and the bytes
// agree.
//
// The bytes are read after the snapshot. The protocol of package blob makes this
// safe for every file created before the snapshot (its bytes were durable before
// its row committed) but not for a file deleted after it: its bytes are deleted
// once the deleting transaction commits, possibly before the backup reads them.
// Then the backup takes a new snapshot and copies only the bytes it does not hold
// yet (blobs are immutable, so bytes already copied stay valid); it repeats until
// a snapshot's bytes are all copied, up to Options.Rounds times, and fails
// otherwise. The manifest lists exactly the bytes of the last snapshot; bytes
// copied for an earlier one are removed. No lock is taken: writers are never
// stopped, and deletions only cost another, shorter round.
package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store"
)

// Options are the optional settings of Create and Restore.
type Options struct {
	// Progress receives a line of progress, rewritten in place, as files are
	// copied; nil means none. Give it a terminal only.
	Progress io.Writer
	// Rounds is the most snapshots Create takes before it gives up (see the
	// package documentation); 0 means 10.
	Rounds int
	// DSN is the URL of the PostgreSQL database backed up by Create or restored
	// into by Restore; empty for SQLite. The PostgreSQL client programs pg_dump
	// and pg_restore must be installed.
	DSN string
}

// Stats describe a backup or a restore.
type Stats struct {
	// Rounds is the number of snapshots taken.
	Rounds int
	// Files is the number of files, and Bytes their total size.
	Files int
	Bytes int64
	// Database is the size of the database copy.
	Database int64
}

// Create writes a backup of the database db and of the bytes of its files in
// blobs to the folder dest, which must not exist or be empty, or, when dest ends
// in .tar.gz, to that archive. It works while servers write to the same database
// and store. On error it removes what it wrote.
func Create(ctx context.Context, db *store.DB, blobs blob.Store, dest string, opts Options) (Stats, error) {
	if db.Postgres() && opts.DSN == "" {
		return Stats{}, errors.New("backup: the URL of the PostgreSQL database is missing")
	}
	if isArchive(dest) {
		return createArchive(ctx, db, blobs, dest, opts)
	}
	undo, err := prepareDir(dest)
	if err != nil {
		return Stats{}, fmt.Errorf("backup: %w", err)
	}
	st, err := create(ctx, db, blobs, dest, opts)
	if err != nil {
		undo()
		return st, fmt.Errorf("backup: %w", err)
	}
	return st, nil
}

// prepareDir makes sure dir exists and is empty, and returns a function that
// brings it back to how it was: removed when it did not exist, else emptied.
func prepareDir(dir string) (undo func(), err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		return func() { os.RemoveAll(dir) }, nil
	case err != nil:
		return nil, err
	case len(entries) > 0:
		return nil, fmt.Errorf("%s is not empty", dir)
	}
	return func() { emptyDir(dir) }, nil
}

// emptyDir removes everything inside dir.
func emptyDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// create writes the backup into the empty folder dest.
func create(ctx context.Context, db *store.DB, blobs blob.Store, dest string, opts Options) (Stats, error) {
	rounds := opts.Rounds
	if rounds <= 0 {
		rounds = 10
	}
	m := Manifest{Format: manifestFormat, Backrest: backrest.Version}
	copied := map[string]Part{}
	var (
		st   Stats
		rows []Blob
	)
	for {
		st.Rounds++
		m.Created = time.Now().UTC()
		var err error
		if db.Postgres() {
			rows, m.Schema, err = snapshotPostgres(ctx, db, opts.DSN, dest)
		} else {
			rows, err = snapshotSQLite(ctx, db, dest)
		}
		if err != nil {
			return st, err
		}
		missing, err := copyBlobs(ctx, blobs, dest, rows, copied, opts.Progress)
		if err != nil {
			return st, err
		}
		if missing == 0 {
			break
		}
		if st.Rounds >= rounds {
			return st, fmt.Errorf("files kept being deleted before their bytes were copied: gave up after %d snapshots", st.Rounds)
		}
	}
	m.Files = rows
	keep := make(map[string]bool, len(rows))
	for _, r := range rows {
		keep[r.Key] = true
		st.Files++
		st.Bytes += r.Size
	}
	for key := range copied {
		if !keep[key] {
			if err := os.Remove(filepath.Join(dest, filepath.FromSlash(Blob{Key: key}.Path()))); err != nil {
				return st, err
			}
		}
	}
	var err error
	if m.Database, err = digestFile(filepath.Join(dest, m.databaseName())); err != nil {
		return st, err
	}
	if err := syncTree(dest); err != nil {
		return st, err
	}
	st.Database = m.Database.Size
	if err := writeManifest(dest, &m); err != nil {
		return st, err
	}
	return st, nil
}

// snapshotSQLite copies the SQLite database db into dest and returns the file
// rows of the copy. It reads the copy in place: that may rewrite its header, so
// digest it afterwards.
func snapshotSQLite(ctx context.Context, db *store.DB, dest string) ([]Blob, error) {
	path := filepath.Join(dest, DatabaseName)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := db.CopySQLite(ctx, path); err != nil {
		return nil, err
	}
	snap, err := store.Open(ctx, "sqlite:"+path, "")
	if err != nil {
		return nil, err
	}
	rows, err := readRows(ctx, snap)
	if cerr := snap.Close(); err == nil {
		err = cerr
	}
	return rows, err
}

// readRows returns the blob key, size and digest of every file row that r reads,
// in key order.
func readRows(ctx context.Context, r store.Reader) ([]Blob, error) {
	var rows []Blob
	err := store.AllFiles(ctx, r, func(f *backrest.File) error {
		rows = append(rows, Blob{Key: f.Key, Part: Part{Size: f.Size, SHA256: f.SHA256}})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b Blob) int { return strings.Compare(a.Key, b.Key) })
	return rows, nil
}

// copyBlobs copies the bytes of the rows not in copied from blobs to dest, checks
// them against their row and records them in copied. It returns how many were
// missing from the store: deleted since the snapshot.
func copyBlobs(ctx context.Context, blobs blob.Store, dest string, rows []Blob, copied map[string]Part, progress io.Writer) (int, error) {
	var todo []Blob
	var total int64
	for _, r := range rows {
		if _, ok := copied[r.Key]; !ok {
			todo = append(todo, r)
			total += r.Size
		}
	}
	p := newMeter(progress, "backup", len(todo), total)
	defer p.finish()
	missing := 0
	for _, r := range todo {
		err := copyBlob(ctx, blobs, dest, r, p)
		if errors.Is(err, blob.ErrNotFound) {
			missing++
			continue
		}
		if err != nil {
			return missing, err
		}
		copied[r.Key] = r.Part
		p.file()
	}
	return missing, nil
}

// copyBlob copies the bytes of one row into the backup and checks them.
func copyBlob(ctx context.Context, blobs blob.Store, dest string, r Blob, p *meter) error {
	src, _, err := blobs.Open(ctx, r.Key)
	if err != nil {
		return err
	}
	defer src.Close()
	path := filepath.Join(dest, filepath.FromSlash(r.Path()))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	got, err := writeFile(path, io.TeeReader(src, p))
	if err != nil {
		return err
	}
	if got != r.Part {
		os.Remove(path)
		return fmt.Errorf("the bytes of blob %s differ from their row: %d bytes with SHA-256 %s, the row says %d bytes with %s (run backrest files check)",
			r.Key, got.Size, got.SHA256, r.Size, r.SHA256)
	}
	return nil
}

// writeFile writes r to the new file path, fsyncs it and returns its size and
// digest.
func writeFile(path string, r io.Reader) (Part, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Part{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return Part{}, err
	}
	return Part{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// digestFile returns the size and digest of the file at path.
func digestFile(path string) (Part, error) {
	f, err := os.Open(path)
	if err != nil {
		return Part{}, err
	}
	defer f.Close()
	return digest(f)
}

// digest returns the size and digest of what r holds.
func digest(r io.Reader) (Part, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return Part{}, err
	}
	return Part{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// writeManifest writes m into dir durably, last: a backup folder with a manifest
// is complete.
func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ManifestName+".tmp")
	if _, err := writeFile(tmp, strings.NewReader(string(b)+"\n")); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestName)); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncTree fsyncs every folder under dir, so that the names of the copied files
// are durable.
func syncTree(dir string) error {
	return filepath.WalkDir(filepath.Join(dir, FilesDir), func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == filepath.Join(dir, FilesDir) {
			return nil
		}
		if err != nil || !d.IsDir() {
			return err
		}
		return syncDir(p)
	})
}

// syncDir fsyncs the folder dir, making the names in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
