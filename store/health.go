package store

import (
	"context"
	"database/sql"
)

// Check checks that the database answers a query, on a connection of the pool
// that readers use: it neither waits for the SQLite writer nor takes a
// connection from it.
func (db *DB) Check(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// PoolStats are the statistics of one connection pool of a DB.
type PoolStats struct {
	// Pool is "read" or "write" on SQLite, "postgres" on PostgreSQL.
	Pool string
	sql.DBStats
}

// Stats returns the statistics of the connection pools of db.
func (db *DB) Stats() []PoolStats {
	if db.read == db.write {
		return []PoolStats{{Pool: "postgres", DBStats: db.read.Stats()}}
	}
	return []PoolStats{{Pool: "read", DBStats: db.read.Stats()}, {Pool: "write", DBStats: db.write.Stats()}}
}
