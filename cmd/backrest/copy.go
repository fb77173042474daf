package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/backup"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/cli"
	"github.com/backrest/backrest/store"
)

// copyFlags are the target of backrest copy.
type copyFlags struct {
	data, db, s3 string
	workers      int
}

func copyCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var to copyFlags
	cfg, _, err := parse(cli.Command{Name: "backrest copy",
		About: "Copies the whole deployment that the settings name (database, from BACKREST_DATA or\n" +
			"BACKREST_DB, and the bytes of files, from DATA/files or BACKREST_S3) into another, which must\n" +
			"be empty: SQLite or PostgreSQL, a folder or S3, in any combination. Stop the servers of the\n" +
			"source first. An interrupted copy goes on where it stopped when the same command runs again.\n" +
			"At the end every table's rows and digest, and every file's bytes, are checked; a difference\n" +
			"is an error. Progress goes to stdout: a line rewritten on a terminal, else a line now and then.",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&to.data, "to-data", "", "the target data folder `DIR`: its SQLite database DIR/backrest.db, and its files in DIR/files, unless --to-db or --to-s3 say otherwise")
			fs.StringVar(&to.db, "to-db", "", "the target PostgreSQL database, a postgres:// `URL` whose schema (search_path) holds no table")
			fs.StringVar(&to.s3, "to-s3", "", "the target S3 bucket of the files, an s3:// `URL` in the form of BACKREST_S3, holding no blob")
			fs.IntVar(&to.workers, "workers", 8, "files whose bytes are copied (and checked) at once")
		}}, args, getenv, stdout)
	if err != nil {
		return err
	}
	src, dst, closeAll, err := copyEnds(ctx, cfg, to)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer closeAll(&dst)
	fmt.Fprintf(stdout, "copying %s with files in %s\n   into %s with files in %s\n", src.Database, src.Files, dst.Database, dst.Files)
	rep, err := backup.Copy(ctx, src, dst, backup.CopyOptions{Progress: stdout, Terminal: progressOn(stdout) != nil, Workers: to.workers})
	printCopyReport(stdout, rep)
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: run the same command again to go on where it stopped", err)
	}
	return err
}

// copyEnds opens the source and, when they exist, the target of a copy; the
// returned function closes what is open at its end, the target's database
// made by the copy included.
func copyEnds(ctx context.Context, cfg backrest.Config, to copyFlags) (backup.CopySource, backup.CopyTarget, func(*backup.CopyTarget), error) {
	var src backup.CopySource
	var dst backup.CopyTarget
	none := func(*backup.CopyTarget) {}
	if to.workers < 1 {
		return src, dst, none, errors.New("--workers: want at least 1")
	}
	if to.data == "" && (to.db == "" || to.s3 == "") {
		return src, dst, none, errors.New("name the target: --to-data DIR (a SQLite database, and files in DIR/files), or --to-db postgres://… and --to-s3 s3://…, or --to-data with either")
	}
	if to.db != "" && !strings.HasPrefix(to.db, "postgres://") && !strings.HasPrefix(to.db, "postgresql://") {
		return src, dst, none, fmt.Errorf("--to-db: want a postgres:// URL, not %q (a SQLite target is --to-data DIR)", redactURL(to.db))
	}
	var toS3 blob.S3Config
	if to.s3 != "" {
		var err error
		if toS3, err = blob.ParseS3URL(to.s3); err != nil {
			return src, dst, none, fmt.Errorf("--to-s3: %w", err)
		}
	}
	var err error
	if src.Database, err = describeDB(cfg.DB, cfg.DataDir); err != nil {
		return src, dst, none, err
	}
	if dst.Database, err = describeDB(to.db, to.data); err != nil {
		return src, dst, none, err
	}
	if src.Files, err = describeFiles(cfg.S3, cfg.DataDir); err != nil {
		return src, dst, none, err
	}
	if dst.Files, err = describeFiles(to.s3, to.data); err != nil {
		return src, dst, none, err
	}
	if src.Database == dst.Database {
		return src, dst, none, fmt.Errorf("the target database is the source's: %s", src.Database)
	}
	if src.Files == dst.Files {
		return src, dst, none, fmt.Errorf("the target file store is the source's: %s", src.Files)
	}
	if cfg.DB == "" {
		// A mistyped data folder must not yield the copy of a new, empty one.
		if _, err := os.Stat(filepath.Join(cfg.DataDir, backup.DatabaseName)); err != nil {
			return src, dst, none, fmt.Errorf("no database in the source data folder %s: %w", cfg.DataDir, err)
		}
	}
	if src.DB, err = store.OpenWith(ctx, cfg.DB, cfg.DataDir, store.Options{SQLiteSync: cfg.SQLiteSync}); err != nil {
		return src, dst, none, fmt.Errorf("source: %w", err)
	}
	closeAll := func(d *backup.CopyTarget) {
		src.DB.Close()
		if d.DB != nil {
			d.DB.Close()
		}
	}
	fail := func(err error) (backup.CopySource, backup.CopyTarget, func(*backup.CopyTarget), error) {
		closeAll(&dst)
		return src, dst, none, err
	}
	if cfg.S3 == "" {
		src.Blobs, err = blob.NewLocal(filepath.Join(cfg.DataDir, "files"))
	} else {
		var c blob.S3Config
		if c, err = blob.ParseS3URL(cfg.S3); err == nil {
			src.Blobs, err = blob.NewS3(ctx, c)
		}
	}
	if err != nil {
		return fail(fmt.Errorf("source files: %w", err))
	}
	openDB := func(ctx context.Context) (*store.DB, error) {
		db, err := store.OpenWith(ctx, to.db, to.data, store.Options{})
		if err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		return db, nil
	}
	if to.db != "" || exists(filepath.Join(to.data, backup.DatabaseName)) {
		if dst.DB, err = openDB(ctx); err != nil {
			return fail(err)
		}
	} else {
		dst.CreateDB = openDB
	}
	openFiles := func() (blob.Store, error) {
		if to.s3 != "" {
			s, err := blob.NewS3(ctx, toS3)
			if err != nil {
				return nil, fmt.Errorf("target files: %w", err)
			}
			return s, nil
		}
		return blob.NewLocal(filepath.Join(to.data, "files"))
	}
	if to.s3 != "" || exists(filepath.Join(to.data, "files")) {
		if dst.Blobs, err = openFiles(); err != nil {
			return fail(err)
		}
	} else {
		dst.CreateBlobs = openFiles
	}
	return src, dst, closeAll, nil
}

// exists reports whether something is at path.
func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// describeDB names the database of the setting dsn (in dataDir when empty) for
// messages and for the progress of a copy, without its password.
func describeDB(dsn, dataDir string) (string, error) {
	if dsn != "" {
		return redactURL(dsn), nil
	}
	abs, err := filepath.Abs(filepath.Join(dataDir, backup.DatabaseName))
	if err != nil {
		return "", err
	}
	return "sqlite:" + abs, nil
}

// describeFiles names the file store of the setting s3 (DATA/files when empty),
// without its credentials.
func describeFiles(s3, dataDir string) (string, error) {
	if s3 == "" {
		return filepath.Abs(filepath.Join(dataDir, "files"))
	}
	c, err := blob.ParseS3URL(s3)
	if err != nil {
		return "", err
	}
	return "s3:" + strings.TrimSuffix(c.Endpoint+"/"+c.Bucket+"/"+c.Prefix, "/"), nil
}

// redactURL returns the URL raw without its password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// printCopyReport writes what a copy did and what its checks found.
func printCopyReport(w io.Writer, rep backup.CopyReport) {
	if rep.Resumed {
		fmt.Fprintln(w, "went on with an interrupted copy")
	}
	if rep.Orphans > 0 {
		fmt.Fprintf(w, "removed %d blobs that the interrupted copy stored for rows it did not commit\n", rep.Orphans)
	}
	for _, name := range rep.Skipped {
		fmt.Fprintf(w, "left the table %s of the source: not backrest's\n", name)
	}
	if rep.Rows == 0 && len(rep.Tables) == 0 {
		return
	}
	secs := rep.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(rep.Rows) / secs
	}
	fmt.Fprintf(w, "copied %d rows and %d files (%d bytes) in %s: %.0f rows/s\n", rep.Rows, rep.Files, rep.Bytes, rep.Elapsed.Round(1e6), rate)
	for _, c := range rep.Tables {
		verdict := "ok"
		if !c.OK() {
			verdict = fmt.Sprintf("DIFFERENT: the source has %d rows with digest %s", c.SourceRows, c.SourceDigest)
		}
		fmt.Fprintf(w, "  %-28s %9d rows  sha256 %s  %s\n", c.Name, c.TargetRows, c.TargetDigest[:16], verdict)
	}
	for _, name := range slices.Sorted(maps.Keys(rep.Sequences)) {
		if rep.Sequences[name] == 0 {
			continue
		}
		fmt.Fprintf(w, "  sequence of %s set to %d\n", name, rep.Sequences[name])
	}
	if len(rep.Tables) > 0 {
		fmt.Fprintf(w, "checked the bytes of %d files (%d bytes) in the target store\n", rep.Checked, rep.CheckedBytes)
	}
}
