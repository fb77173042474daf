package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store"
)

// ErrDamaged reports a backup whose parts do not match its manifest, or whose
// manifest does not match its database. Test with errors.Is.
var ErrDamaged = errors.New("the backup is damaged")

// Restore restores the backup src, a folder or a .tar.gz archive made by Create,
// into dataDir, which must not exist or be empty: the database becomes the SQLite
// database of dataDir, or, for a backup of PostgreSQL, is restored with
// pg_restore into the PostgreSQL database opts.DSN, whose schema (that of the
// backup) must hold no table. The bytes of the files go to the store that
// openBlobs returns, which must hold no blob. The store generates new keys, and
// the restored rows are changed to name them.
//
// Restore first checks every part of the backup against the manifest (size and
// SHA-256) and refuses a damaged backup before it writes anything; then it checks
// the manifest against the file rows of the restored database. On any error it
// leaves dataDir as it found it and deletes the bytes it stored; on PostgreSQL,
// an error after pg_restore succeeded leaves the restored tables, and says so.
func Restore(ctx context.Context, src, dataDir string, openBlobs func() (blob.Store, error), opts Options) (Stats, error) {
	st, err := restore(ctx, src, dataDir, openBlobs, opts)
	if err != nil {
		return st, fmt.Errorf("restore: %w", err)
	}
	return st, nil
}

func restore(ctx context.Context, src, dataDir string, openBlobs func() (blob.Store, error), opts Options) (Stats, error) {
	if err := checkEmpty(dataDir); err != nil {
		return Stats{}, err
	}
	if isArchive(src) {
		// Unpack beside the data folder, on the same disk, when its parent exists.
		parent := filepath.Dir(filepath.Clean(dataDir))
		if _, err := os.Stat(parent); err != nil {
			parent = ""
		}
		tmp, err := os.MkdirTemp(parent, ".backrest-restore-")
		if err != nil {
			return Stats{}, err
		}
		defer os.RemoveAll(tmp)
		if err := extract(src, tmp); err != nil {
			return Stats{}, err
		}
		src = tmp
	}
	m, err := readManifest(src)
	if err != nil {
		return Stats{}, err
	}
	if m.Schema != "" && opts.DSN == "" {
		return Stats{}, errors.New("the backup is of a PostgreSQL database: restore it into one (BACKREST_DB)")
	}
	if m.Schema == "" && opts.DSN != "" {
		return Stats{}, errors.New("the backup is of a SQLite database: restore it with an empty BACKREST_DB")
	}
	if opts.DSN != "" {
		if want := searchPath(opts.DSN); want != m.Schema {
			return Stats{}, fmt.Errorf("the backup holds the PostgreSQL schema %s, the database URL names %s: set search_path=%s in it",
				m.Schema, want, m.Schema)
		}
	}
	if err := verify(src, m, opts.Progress); err != nil {
		return Stats{}, err
	}
	undo, err := prepareDir(dataDir)
	if err != nil {
		return Stats{}, err
	}
	var created []string
	var blobs blob.Store
	st, err := load(ctx, src, dataDir, m, func() (blob.Store, error) {
		blobs, err = openBlobs()
		return blobs, err
	}, &created, opts)
	if err != nil {
		for _, key := range created {
			blobs.Delete(context.WithoutCancel(ctx), key)
		}
		undo()
		return st, err
	}
	return st, nil
}

// checkEmpty reports an error unless dir is missing or an empty folder.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("the data folder %s is not empty: restore only into an empty or new folder", dir)
	}
	return nil
}

// readManifest reads the manifest of the backup folder dir.
func readManifest(dir string) (*Manifest, error) {
	f, err := os.Open(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s (an unfinished backup?)", ErrDamaged, dir, ManifestName)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := DecodeManifest(f)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return m, nil
}

// verify checks the size and digest of every part of the backup folder dir
// against its manifest.
func verify(dir string, m *Manifest, progress io.Writer) error {
	if err := checkPart(dir, m.databaseName(), m.Database); err != nil {
		return err
	}
	var total int64
	for _, b := range m.Files {
		total += b.Size
	}
	p := newMeter(progress, "checking", len(m.Files), total)
	defer p.finish()
	for _, b := range m.Files {
		if err := checkPart(dir, b.Path(), b.Part); err != nil {
			return err
		}
		p.bytes += b.Size
		p.file()
	}
	return nil
}

// checkPart compares the file name of the backup folder dir to want.
func checkPart(dir, name string, want Part) error {
	got, err := digestFile(filepath.Join(dir, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s is missing", ErrDamaged, name)
	}
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%w: %s has %d bytes with SHA-256 %s, the manifest says %d bytes with %s",
			ErrDamaged, name, got.Size, got.SHA256, want.Size, want.SHA256)
	}
	return nil
}

// searchPath returns the schema that the PostgreSQL URL dsn names: its
// search_path, public by default.
func searchPath(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Query().Get("search_path") == "" {
		return "public"
	}
	return u.Query().Get("search_path")
}

// load copies the checked backup folder src into the empty dataDir (or the
// PostgreSQL database opts.DSN) and the store of openBlobs, recording in created
// the keys it stored.
func load(ctx context.Context, src, dataDir string, m *Manifest, openBlobs func() (blob.Store, error), created *[]string, opts Options) (Stats, error) {
	st := Stats{Rounds: 1, Database: m.Database.Size}
	if opts.DSN == "" {
		in, err := os.Open(filepath.Join(src, DatabaseName))
		if err != nil {
			return st, err
		}
		got, err := writeFile(filepath.Join(dataDir, DatabaseName), in)
		in.Close()
		if err != nil {
			return st, err
		}
		if got != m.Database {
			return st, fmt.Errorf("%w: %s changed while restoring", ErrDamaged, DatabaseName)
		}
	}
	db, err := store.Open(ctx, opts.DSN, dataDir)
	if err != nil {
		return st, err
	}
	open := true
	defer func() {
		if open {
			db.Close()
		}
	}()
	if opts.DSN == "" {
		if err := matchRows(ctx, db, m); err != nil {
			return st, err
		}
	} else if err := schemaEmpty(ctx, db, m.Schema); err != nil {
		return st, err
	}
	blobs, err := openBlobs()
	if err != nil {
		return st, err
	}
	if err := blobs.Walk(ctx, func(blob.Info) error { return errors.New("the blob store is not empty") }); err != nil {
		return st, err
	}
	p := newMeter(opts.Progress, "restore", len(m.Files), 0)
	for _, b := range m.Files {
		p.allBytes += b.Size
	}
	defer p.finish()
	keys := make(map[string]string, len(m.Files))
	for _, b := range m.Files {
		in, err := os.Open(filepath.Join(src, filepath.FromSlash(b.Path())))
		if err != nil {
			return st, err
		}
		info, err := blobs.Create(ctx, io.TeeReader(in, p))
		in.Close()
		if err != nil {
			return st, err
		}
		*created = append(*created, info.Key)
		if info.Size != b.Size || info.SHA256 != b.SHA256 {
			return st, fmt.Errorf("%w: %s changed while restoring", ErrDamaged, b.Path())
		}
		keys[b.Key] = info.Key
		st.Files++
		st.Bytes += b.Size
		p.file()
	}
	if opts.DSN != "" {
		if err := restorePostgres(ctx, db, opts.DSN, filepath.Join(src, DumpName), m.Schema); err != nil {
			return st, err
		}
		if err := matchRows(ctx, db, m); err != nil {
			return st, fmt.Errorf("%w (the restored tables of schema %s remain: drop them before trying again)", err, m.Schema)
		}
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for from, to := range keys {
			ok, err := store.RekeyFileBlob(ctx, tx, from, to)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: no file row names blob %s", ErrDamaged, from)
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	open = false
	if err := db.Close(); err != nil {
		return st, err
	}
	return st, syncDir(dataDir)
}

// matchRows checks that the file rows of db are those of the manifest, with the
// same sizes and digests.
func matchRows(ctx context.Context, db *store.DB, m *Manifest) error {
	want := make(map[string]Part, len(m.Files))
	for _, b := range m.Files {
		want[b.Key] = b.Part
	}
	n := 0
	err := store.AllFiles(ctx, db, func(f *backrest.File) error {
		n++
		p, ok := want[f.Key]
		if !ok {
			return fmt.Errorf("%w: file %s of the database is not in the manifest", ErrDamaged, f.UUID)
		}
		if p != (Part{Size: f.Size, SHA256: f.SHA256}) {
			return fmt.Errorf("%w: file %s of the database differs from the manifest", ErrDamaged, f.UUID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n != len(m.Files) {
		return fmt.Errorf("%w: the manifest lists %d files, the database %d", ErrDamaged, len(m.Files), n)
	}
	return nil
}
