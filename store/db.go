// Package store is backrest's database layer: one set of SQL statements and
// migrations for SQLite (embedded, the default) and PostgreSQL, for every table,
// the tables of content types included (content_*.go), which it creates and alters
// at start-up from the descriptions package content gives. The differences
// between the two live in the small dialect type; queries are written once with ?
// placeholders and rebound for PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	mathrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// DB is a connection to backrest's database.
//
// With SQLite it holds two pools: one connection for writers, so that concurrent
// writes queue in Go instead of failing with "database is locked", and several for
// readers, which WAL lets run beside the writer. With PostgreSQL both are one pool.
type DB struct {
	d     *dialect
	read  *sql.DB
	write *sql.DB
	stmts sync.Map // query text -> rebound text
	// readStmts and writeStmts are the prepared statements of the SQLite pools.
	// With PostgreSQL they are nil: pgx keeps prepared statements per connection.
	readStmts, writeStmts *stmtCache
	// wal is the write-ahead log of a SQLite database, empty with PostgreSQL.
	wal string
	// group runs the write transactions of a SQLite database; nil with
	// PostgreSQL, whose transactions run side by side.
	group *committer
	// ckpt checkpoints the log of a SQLite database; nil with PostgreSQL.
	ckpt *checkpointer
	// syncFull is set when SQLite fsyncs its log at every commit.
	syncFull bool
	// groupSize is Options.GroupSize.
	groupSize func(n int)
	// queries counts the statements run, for Queries.
	queries atomic.Int64
	// spare is the disk space kept for a SQLite database to commit in when the
	// disk is full; nil with PostgreSQL or without Options.Reserve.
	spare *reserve
	// events wakes the readers of the event log.
	events *notifier
}

// Queries returns the number of statements run through the database and its
// transactions since it was opened: tests count the queries of a request with
// it.
func (db *DB) Queries() int64 { return db.queries.Load() }

// Options are the optional settings of a database.
type Options struct {
	// SQLiteSync is when SQLite fsyncs its write-ahead log: SyncFull (the default,
	// also when empty) at every commit, so that a commit survives a power loss as
	// soon as it returns; SyncNormal only at checkpoints, so that a commit survives
	// the end of the process at once but a power loss only after the next
	// checkpoint (within a second). PostgreSQL ignores it.
	SQLiteSync string
	// GroupSize, when set, is called after each commit of SQLite write
	// transactions with the number of transactions it held (see InTx). It runs
	// on the writer's path and must be quick. PostgreSQL never calls it.
	GroupSize func(n int)
	// Reserve keeps a spare file beside a SQLite database, released when a
	// commit finds the disk full, so that deletions still commit there (see
	// reserve). A server's database wants it; a short-lived copy does not.
	// PostgreSQL ignores it.
	Reserve bool
}

// The values of Options.SQLiteSync.
const (
	SyncFull   = "full"
	SyncNormal = "normal"
)

// Open connects to the database named by dsn with the default options; see
// OpenWith.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	return OpenWith(ctx, dsn, dataDir, Options{})
}

// OpenWith connects to the database named by dsn: empty for SQLite in dataDir, or
// a postgres:// (postgresql://) URL. It does not run migrations; see Migrate.
func OpenWith(ctx context.Context, dsn, dataDir string, opts Options) (*DB, error) {
	var sync string
	switch opts.SQLiteSync {
	case "", SyncFull:
		sync = "FULL"
	case SyncNormal:
		sync = "NORMAL"
	default:
		return nil, fmt.Errorf("store: SQLite sync mode %q: want %s or %s", opts.SQLiteSync, SyncFull, SyncNormal)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	if dsn != "" && !strings.HasPrefix(dsn, "sqlite:") {
		return nil, fmt.Errorf("store: unsupported database %q: want empty (SQLite) or postgres://", redact(dsn))
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("store: data folder: %w", err)
		}
		path = filepath.Join(dataDir, "backrest.db")
	}
	db, err := openSQLite(ctx, path, sync, opts.Reserve)
	if err == nil {
		db.groupSize = opts.GroupSize
	}
	return db, err
}

// busyTimeout is how long a SQLite connection waits for a lock another holds.
const busyTimeout = 10 * time.Second

// openSQLite opens the SQLite file at path; sync is the value of its synchronous
// pragma; reserve is Options.Reserve.
func openSQLite(ctx context.Context, path, sync string, reserve bool) (*DB, error) {
	base := "file:" + filepath.ToSlash(path) + "?" + url.Values{
		"_pragma": {"busy_timeout(" + strconv.Itoa(int(busyTimeout/time.Millisecond)) + ")", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(" + sync + ")", "wal_autocheckpoint(" + strconv.Itoa(backstopPages) + ")", "temp_store(MEMORY)"},
	}.Encode()
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	db := &DB{d: sqliteDialect, read: read, write: write, wal: path + "-wal", syncFull: sync == "FULL", events: newNotifier(),
		readStmts: &stmtCache{pool: read}, writeStmts: &stmtCache{pool: write}}
	if err := pingSQLite(ctx, write); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	if reserve {
		db.spare = newReserve(path + "-reserve")
	}
	if db.ckpt, err = newCheckpointer(base, db.spare); err != nil {
		db.Close()
		return nil, err
	}
	db.group = newCommitter(db)
	return db, nil
}

// pingSQLite opens the first connection of pool. Processes that open a new
// database file at once race to switch it to write-ahead logging, which takes a
// lock that SQLite refuses at once (SQLITE_BUSY, without waiting its busy timeout)
// to all but one of them; the others try again after a moment, for up to the busy
// timeout.
func pingSQLite(ctx context.Context, pool *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := pool.PingContext(ctx)
		if !sqliteBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(10+mathrand.IntN(40)) * time.Millisecond):
		}
	}
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	n := max(8, 4*runtime.NumCPU())
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{d: postgresDialect, read: pool, write: pool, events: newNotifier()}
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open postgres %s: %w", redact(dsn), err)
	}
	return db, nil
}

// redact removes the password from a database URL for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Close closes the pools.
func (db *DB) Close() error {
	db.events.close()
	if db.group != nil {
		db.group.close()
	}
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	db.readStmts.close()
	db.writeStmts.close()
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Postgres reports whether db is a PostgreSQL database.
func (db *DB) Postgres() bool { return db.d == postgresDialect }

// rebind returns q with its ? placeholders in the dialect form; every statement
// goes through it, so it counts them.
func (db *DB) rebind(q string) string {
	db.queries.Add(1)
	if !db.d.dollar {
		return q
	}
	if r, ok := db.stmts.Load(q); ok {
		return r.(string)
	}
	r := dollarize(q)
	db.stmts.Store(q, r)
	return r
}

// dollarize turns each ? of q into $1, $2, … Queries are written by us and never
// contain a literal question mark.
func dollarize(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Tx is a database transaction that changes data.
type Tx struct {
	db         *DB
	tx         *sql.Tx
	onCommit   []func(context.Context) error
	onRollback []func(context.Context) error
	// unprepared are the cacheable queries the transaction ran unprepared.
	unprepared []string
	// stmtCtx, when set, is the context of the transaction's statements in place
	// of the callers': on SQLite a transaction may share its database transaction
	// with others (see committer), and a statement interrupted by the end of one
	// request's context could roll back all of them.
	stmtCtx context.Context
}

// OnCommit registers f to run after the transaction commits, such as deleting the
// bytes of files whose rows the transaction deleted.
func (tx *Tx) OnCommit(f func(context.Context) error) { tx.onCommit = append(tx.onCommit, f) }

// OnRollback registers f to run after the transaction rolls back (or fails to
// commit), such as deleting the bytes of files written for it.
func (tx *Tx) OnRollback(f func(context.Context) error) { tx.onRollback = append(tx.onRollback, f) }

// finish runs the functions registered for the outcome; their errors are joined.
func finish(ctx context.Context, fs []func(context.Context) error) error {
	var errs []error
	for _, f := range fs {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// stmt returns the transaction's form of the cached statement of q, or nil; then
// q is noted, to be prepared after the transaction.
func (tx *Tx) stmt(ctx context.Context, q string, args []any) *sql.Stmt {
	c := tx.db.writeStmts
	if c == nil || len(args) == 0 {
		return nil
	}
	if s := c.lookup(q); s != nil {
		return tx.tx.StmtContext(ctx, s)
	}
	tx.unprepared = append(tx.unprepared, q)
	return nil
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = tx.db.rebind(q)
	if tx.stmtCtx != nil {
		ctx = tx.stmtCtx
	}
	if s := tx.stmt(ctx, q, args); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, q, args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = tx.db.rebind(q)
	if tx.stmtCtx != nil {
		ctx = tx.stmtCtx
	}
	if s := tx.stmt(ctx, q, args); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, q, args...)
}

// QueryRow runs a query returning at most one row in the transaction.
func (tx *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = tx.db.rebind(q)
	if tx.stmtCtx != nil {
		ctx = tx.stmtCtx
	}
	if s := tx.stmt(ctx, q, args); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, q, args...)
}

// Postgres reports whether the transaction runs on PostgreSQL.
func (tx *Tx) Postgres() bool { return tx.db.Postgres() }

// Exec runs a statement outside a transaction, on the writer.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, db.rebind(q), args...)
}

// Query runs a read-only query.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = db.rebind(q)
	if s := db.readStmts.get(ctx, q, args); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, q, args...)
}

// QueryRow runs a read-only query returning at most one row.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = db.rebind(q)
	if s := db.readStmts.get(ctx, q, args); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, q, args...)
}

// InTx runs fn in a write transaction and commits it when fn returns nil; otherwise
// it rolls back and returns fn's error. After a successful commit, the functions
// registered with OnCommit run; after a rollback, those registered with OnRollback
// do; after a failed commit, neither. Their errors are returned (joined to fn's) but do not
// undo the outcome: callers must leave data consistent whatever they do.
//
// On SQLite, transactions that wait for the single writer at the same time share
// one database transaction and its commit, each under a savepoint of its own (see
// committer); ctx then decides only whether fn starts, not whether a statement
// already running completes.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.group != nil {
		return db.group.inTx(ctx, fn)
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{db: db, tx: sqlTx}
	defer func() {
		// A panicking fn must not keep the connection in its transaction
		// until ctx ends, which may be never.
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	// The hooks run even when the request's context has ended: the outcome is
	// decided, and its clean-up must happen.
	bg := context.WithoutCancel(ctx)
	if err := fn(tx); err != nil {
		if rerr := sqlTx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("store: rollback: %w", rerr))
		}
		if herr := finish(bg, tx.onRollback); herr != nil {
			err = errors.Join(err, herr)
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		// A failed commit may still have committed (a connection lost after the
		// server committed): run no hooks. Bytes written for the transaction are
		// then either named by committed rows or orphans that the sweeper removes.
		return fmt.Errorf("store: commit: %w", err)
	}
	return finish(bg, tx.onCommit)
}

// SyncCommitted makes every transaction committed so far durable, so that it
// survives a power loss and not only the end of the process. Call it before an
// irreversible action that a committed transaction allows, such as deleting the
// bytes of a file whose row it deleted: had the commit been lost, the row would
// come back without its bytes.
//
// With SQLite in WAL mode and synchronous=NORMAL (Options.SQLiteSync SyncNormal),
// a commit is written to the write-ahead log but not fsynced (a checkpoint does
// that later); SyncCommitted fsyncs the log. With synchronous=FULL (the default)
// each commit fsyncs the log itself, and with PostgreSQL a commit is durable when
// it returns (unless the server runs with synchronous_commit off), so it does
// nothing.
func (db *DB) SyncCommitted(ctx context.Context) error {
	if db.wal == "" || db.syncFull {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.Open(db.wal)
	if errors.Is(err, fs.ErrNotExist) {
		// No log: the last connection checkpointed it into the database file,
		// and fsynced that, before removing it.
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: sync log: %w", err)
	}
	// fsync applies to the file, whatever descriptor it is called on.
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: sync log: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.write.PingContext(ctx) }

// IsUnique reports whether err is a violation of a unique constraint.
func IsUnique(err error) bool { return err != nil && uniqueViolation(err) }

// micros converts t to the stored form of times: microseconds since 1970 UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
