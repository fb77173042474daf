package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// CopySQLite writes a consistent copy of the SQLite database to the new file path
// with VACUUM INTO. It reads the database as of one instant, in a read
// transaction, so writers carry on meanwhile. It fails on PostgreSQL.
func (db *DB) CopySQLite(ctx context.Context, path string) error {
	if db.Postgres() {
		return fmt.Errorf("store: copy: not a SQLite database")
	}
	// The readers are query_only, which forbids VACUUM INTO; the writer would hold
	// up the writes meanwhile. One reader lifts the restriction for the copy.
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: copy database: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only(0)"); err != nil {
		return fmt.Errorf("store: copy database: %w", err)
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", path)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only(1)"); rerr != nil {
		// A reader that could write must not go back to the pool.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if err != nil {
		return fmt.Errorf("store: copy database: %w", err)
	}
	return nil
}

// InSnapshot runs fn in a read-only REPEATABLE READ transaction of the PostgreSQL
// database, with the name of its exported snapshot (pg_export_snapshot) and a
// Reader of that snapshot. While fn runs, another session, such as pg_dump
// --snapshot=NAME, can read the database as of the same instant. It fails on
// SQLite.
func (db *DB) InSnapshot(ctx context.Context, fn func(name string, r Reader) error) error {
	if !db.Postgres() {
		return fmt.Errorf("store: snapshot: not a PostgreSQL database")
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer tx.Rollback()
	var name string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&name); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	return fn(name, snapshotReader{db: db, tx: tx})
}

// snapshotReader reads in the transaction of InSnapshot.
type snapshotReader struct {
	db *DB
	tx *sql.Tx
}

func (r snapshotReader) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.tx.QueryContext(ctx, r.db.rebind(q), args...)
}

func (r snapshotReader) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return r.tx.QueryRowContext(ctx, r.db.rebind(q), args...)
}

// RekeyFileBlob makes the file row naming the blob key from name the blob key to
// instead, as when restored bytes are stored under a new key. It reports whether
// a row named from.
func RekeyFileBlob(ctx context.Context, tx *Tx, from, to string) (bool, error) {
	res, err := tx.Exec(ctx, "UPDATE files SET blob_key = ? WHERE blob_key = ?", to, from)
	if err != nil {
		return false, fmt.Errorf("store: rekey file: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: rekey file: %w", err)
	}
	return n == 1, nil
}
