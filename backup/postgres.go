package backup

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/backrest/backrest/store"
)

// DumpName is the pg_dump archive (custom format) of a backup of a PostgreSQL
// database, in place of DatabaseName.
const DumpName = "database.pgdump"

// libpqURL returns the PostgreSQL URL dsn in the form pg_dump and pg_restore
// understand: without search_path, a setting of the Go driver only.
func libpqURL(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// dumpSnapshot writes the schema of the snapshot name, as of that snapshot, to the
// pg_dump archive path.
func dumpSnapshot(ctx context.Context, dsn, name, schema, path string) error {
	libpq, err := libpqURL(dsn)
	if err != nil {
		return err
	}
	return runTool(ctx, "pg_dump", "--format=custom", "--snapshot="+name, "--schema="+schema, "--file="+path, "--dbname="+libpq)
}

// runTool runs a PostgreSQL client program and returns its error output as the
// error when it fails.
func runTool(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("%s is needed for PostgreSQL (Debian: apt-get install postgresql-client): %w", name, err)
		}
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// snapshotPostgres dumps db into dest with pg_dump at an exported snapshot and
// returns the file rows of that snapshot and the dumped schema.
func snapshotPostgres(ctx context.Context, db *store.DB, dsn, dest string) ([]Blob, string, error) {
	path := filepath.Join(dest, DumpName)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, "", err
	}
	var rows []Blob
	var schema string
	err := db.InSnapshot(ctx, func(name string, r store.Reader) error {
		if err := r.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return fmt.Errorf("current schema: %w", err)
		}
		if err := dumpSnapshot(ctx, dsn, name, schema, path); err != nil {
			return err
		}
		var err error
		rows, err = readRows(ctx, r)
		return err
	})
	return rows, schema, err
}

// restorePostgres restores the pg_dump archive into the schema of the PostgreSQL
// database dsn, which must hold no table, in one transaction. When the schema
// exists already (such as public), its creation is left out of the restore.
func restorePostgres(ctx context.Context, db *store.DB, dsn, dump, schema string) error {
	var exists bool
	if err := db.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?)", schema).Scan(&exists); err != nil {
		return err
	}
	libpq, err := libpqURL(dsn)
	if err != nil {
		return err
	}
	args := []string{"--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--dbname=" + libpq}
	if exists {
		list, err := exec.CommandContext(ctx, "pg_restore", "--list", dump).Output()
		if err != nil {
			return fmt.Errorf("pg_restore --list: %w", err)
		}
		var keep bytes.Buffer
		sc := bufio.NewScanner(bytes.NewReader(list))
		for sc.Scan() {
			line := sc.Text()
			if strings.Contains(line, " SCHEMA - "+schema+" ") || strings.Contains(line, " COMMENT - SCHEMA "+schema+" ") {
				continue
			}
			keep.WriteString(line + "\n")
		}
		listFile := dump + ".list"
		if err := os.WriteFile(listFile, keep.Bytes(), 0o600); err != nil {
			return err
		}
		defer os.Remove(listFile)
		args = append(args, "--use-list="+listFile)
	}
	return runTool(ctx, "pg_restore", append(args, dump)...)
}

// schemaEmpty reports an error unless the schema of the PostgreSQL database db
// holds no table.
func schemaEmpty(ctx context.Context, db *store.DB, schema string) error {
	var n int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = ?", schema).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("schema %s of the database holds %d tables: restore only into an empty one", schema, n)
	}
	return nil
}
