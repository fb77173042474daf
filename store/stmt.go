package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxCachedStmts bounds a statement cache: queries built from request parameters
// (filters, sorts) come in many shapes,, and past the bound they are simply not cached.
const maxCachedStmts = 2000

// stmtCache keeps prepared statements of a pool by query text. database/sql
// prepares a statement once on each connection that runs it and keeps it there, so
// SQLite parses and plans each query once instead of on every call — on small
// queries that was most of their time. Queries without arguments (schema changes,
// multi-statement migrations) are never cached.
//
// The writer pool has a single connection, which a transaction holds while it runs:
// preparing on the pool then would wait for that very connection. So transactions
// only look statements up (lookup), and note the queries they ran unprepared; the
// committer prepares those between transactions (prepare).
type stmtCache struct {
	pool  *sql.DB
	stmts sync.Map // query text -> *sql.Stmt
	n     atomic.Int64
}

// get returns the prepared statement of q, preparing it on the pool when needed,
// or nil when q is not to be cached or cannot be prepared (the caller then runs q
// directly, which reports the error).
func (c *stmtCache) get(ctx context.Context, q string, args []any) *sql.Stmt {
	if c == nil || len(args) == 0 {
		return nil
	}
	if s, ok := c.stmts.Load(q); ok {
		return s.(*sql.Stmt)
	}
	return c.prepare(ctx, q)
}

// lookup returns the prepared statement of q if there is one; it never prepares.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	if s, ok := c.stmts.Load(q); ok {
		return s.(*sql.Stmt)
	}
	return nil
}

// prepare prepares q on the pool and caches it, unless the cache is full.
func (c *stmtCache) prepare(ctx context.Context, q string) *sql.Stmt {
	if c.n.Load() >= maxCachedStmts {
		return nil
	}
	s, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if prev, loaded := c.stmts.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt)
	}
	c.n.Add(1)
	return s
}

// close closes every cached statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.stmts.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
}
