package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store"
)

// isArchive reports whether name is that of a .tar.gz backup.
func isArchive(name string) bool { return strings.HasSuffix(name, ".tar.gz") }

// createArchive writes the backup into the folder dest+".partial" beside dest,
// then packs it into the new archive dest and removes the folder.
func createArchive(ctx context.Context, db *store.DB, blobs blob.Store, dest string, opts Options) (Stats, error) {
	if _, err := os.Lstat(dest); err == nil {
		return Stats{}, fmt.Errorf("backup: %s exists", dest)
	}
	staging := dest + ".partial"
	undo, err := prepareDir(staging)
	if err != nil {
		return Stats{}, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(staging)
	st, err := create(ctx, db, blobs, staging, opts)
	if err == nil {
		err = pack(staging, dest)
	}
	if err != nil {
		undo()
		return st, fmt.Errorf("backup: %w", err)
	}
	return st, nil
}

// pack writes the backup folder dir into the new archive dest, manifest first.
func pack(dir, dest string) error {
	tmp := dest + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	// The bytes of files are mostly compressed already (images, documents): the
	// fastest level saves most of what gzip can save on the rest.
	zw, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	tw := tar.NewWriter(zw)
	err = addFile(tw, dir, ManifestName)
	for _, name := range []string{DatabaseName, DumpName} {
		if _, serr := os.Stat(filepath.Join(dir, name)); err == nil && serr == nil {
			err = addFile(tw, dir, name)
		}
	}
	if err == nil {
		err = filepath.WalkDir(filepath.Join(dir, FilesDir), func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == filepath.Join(dir, FilesDir) {
				return nil
			}
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			return addFile(tw, dir, filepath.ToSlash(rel))
		})
	}
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dest)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(dest))
}

// addFile adds the file name (slash-separated) of the folder dir to tw.
func addFile(tw *tar.Writer, dir, name string) error {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: st.Size(), Mode: 0o600, ModTime: st.ModTime()}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// extract unpacks the archive src into the empty folder dir. It accepts only the
// names a backup holds, so that no entry can land outside dir.
func extract(src, dir string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDamaged, src, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrDamaged, src, err)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		if h.Typeflag != tar.TypeReg || !backupName(h.Name) {
			return fmt.Errorf("%w: %s: unexpected entry %q", ErrDamaged, src, h.Name)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		er := &errReader{r: tr}
		if _, err := writeFile(p, er); err != nil {
			if er.err != nil {
				return fmt.Errorf("%w: %s: %s: %w", ErrDamaged, src, h.Name, er.err)
			}
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%w: %s: %q appears twice", ErrDamaged, src, h.Name)
			}
			return err
		}
	}
}

// backupName reports whether name is one a backup holds: the manifest, the
// database or FilesDir/KE/KEY.
func backupName(name string) bool {
	if name == ManifestName || name == DatabaseName || name == DumpName {
		return true
	}
	parts := strings.Split(name, "/")
	return len(parts) == 3 && parts[0] == FilesDir && isHex(parts[2], 32) && parts[1] == parts[2][:2] && path.Clean(name) == name
}

// errReader reads from r and keeps its error, to tell damage of the archive from
// a failure to write.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}
