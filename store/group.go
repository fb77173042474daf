package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// maxGroup bounds how many write transactions share one SQLite commit.
const maxGroup = 64

// errClosed is what a write transaction gets once the database is closed.
var errClosed = errors.New("store: database closed")

// committer runs the write transactions of a SQLite database, grouping those
// that wait at the same time into one database transaction with one commit.
//
// SQLite has one writer at a time, and in WAL mode most of a small transaction's
// cost is its commit, which appends every page the transaction changed to the
// log. Transactions that queue behind one another change many of the same pages
// (the last leaf of each table and index), so committing them together writes
// far fewer pages per transaction.
//
// Each transaction of a group still stands alone: it runs under a savepoint of
// its own (the first directly in the database transaction), so one that fails is
// rolled back to its savepoint, and the others are untouched. The caller's
// function runs on the caller's goroutine, one at a time, in the order they
// arrived; a caller whose function succeeded learns the outcome once the group
// commits. A group starts with whichever transaction waits first and takes in
// those that are waiting when it is their turn: with no concurrent writers, every
// transaction commits on its own, as before, and nothing waits for a group to
// fill.
type committer struct {
	db *DB
	// pending are queries that transactions ran unprepared, to be prepared
	// between groups; only the committer's goroutine uses it.
	pending []string
	jobs    chan *job
	quit    chan struct{}
	done    chan struct{}
	// mu guards closed; inTx holds it shared while it queues a job, so that
	// none is queued after close has drained the queue.
	mu     sync.RWMutex
	closed bool
}

// job is one write transaction in the committer's queue.
type job struct {
	ctx context.Context
	tx  *Tx
	// turn receives the database transaction when it is the job's turn to run
	// its function, or nil when it is not to run: then result holds why.
	turn chan *sql.Tx
	// ran receives the function's error (or a panic's).
	ran chan error
	// result receives the outcome: nil once committed, else the error, and
	// whether the changes were rolled back (so that rollback hooks run).
	result chan outcome
}

// outcome is how a job ended.
type outcome struct {
	err        error
	rolledBack bool
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, jobs: make(chan *job, maxGroup), quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// close stops the committer once the group it runs is over; later transactions
// get errClosed.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.quit)
	}
	c.mu.Unlock()
	<-c.done
}

// inTx is DB.InTx on SQLite. A transaction that fails for a full disk is run
// once more when the reserve (see reserve) was released since it began: the
// space it freed lets the retry commit. The first attempt's hooks are dropped,
// so that the retry's outcome alone decides; bytes they would have deleted are
// left to the sweeper, as after a failed commit.
func (c *committer) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	released := c.db.spare.releases()
	tx, out := c.attempt(ctx, fn)
	if isFull(out.err) && c.db.spare.release() != released {
		tx, out = c.attempt(ctx, fn)
	}
	bg := context.WithoutCancel(ctx)
	switch {
	case out.err == nil:
		return finish(bg, tx.onCommit)
	case out.rolledBack:
		if herr := finish(bg, tx.onRollback); herr != nil {
			return errors.Join(out.err, herr)
		}
	}
	return out.err
}

// attempt queues fn, runs it in its turn and returns its transaction, whose
// hooks have not run, and how it ended.
func (c *committer) attempt(ctx context.Context, fn func(tx *Tx) error) (*Tx, outcome) {
	j := &job{ctx: ctx, tx: &Tx{db: c.db, stmtCtx: context.WithoutCancel(ctx)},
		turn: make(chan *sql.Tx, 1), ran: make(chan error, 1), result: make(chan outcome, 1)}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return j.tx, outcome{err: errClosed}
	}
	select {
	case c.jobs <- j:
		c.mu.RUnlock()
	case <-ctx.Done():
		c.mu.RUnlock()
		return j.tx, outcome{err: ctx.Err()}
	}
	// Once queued, the job waits for its turn whatever happens to ctx: the
	// committer checks ctx before giving it.
	sqlTx := <-j.turn
	if sqlTx != nil {
		j.tx.tx = sqlTx
		run(fn, j.tx, j.ran)
	}
	return j.tx, <-j.result
}

// run calls fn and sends its error to ran. A panic is sent as an error, since
// the committer waits to hear from every job, and then goes on up.
func run(fn func(tx *Tx) error, tx *Tx, ran chan<- error) {
	defer func() {
		if p := recover(); p != nil {
			ran <- fmt.Errorf("store: transaction function panicked: %v", p)
			panic(p)
		}
	}()
	ran <- fn(tx)
}

// loop runs groups until the committer is closed.
func (c *committer) loop() {
	defer close(c.done)
	for {
		select {
		case j := <-c.jobs:
			c.group(j)
			c.prepare()
		case <-c.quit:
			c.drain()
			return
		}
	}
}

// drain refuses the jobs still queued at close.
func (c *committer) drain() {
	for {
		select {
		case j := <-c.jobs:
			j.turn <- nil
			j.result <- outcome{err: errClosed}
		default:
			return
		}
	}
}

// next returns a queued job without waiting, or nil.
func (c *committer) next() *job {
	select {
	case j := <-c.jobs:
		return j
	default:
		return nil
	}
}

// group runs first and the jobs queued behind it in one database transaction,
// and commits it.
func (c *committer) group(first *job) {
	var (
		sqlTx   *sql.Tx
		members []*job // jobs whose changes the transaction holds
		n       int    // savepoints made
	)
	// abort rolls the whole transaction back and tells its members.
	abort := func(cause error) {
		rerr := sqlTx.Rollback()
		for _, m := range members {
			m.result <- outcome{err: cause, rolledBack: rerr == nil}
		}
		c.note(members...)
		sqlTx, members = nil, nil
	}
	for j := first; j != nil; {
		if err := j.ctx.Err(); err != nil {
			j.turn <- nil
			j.result <- outcome{err: err}
		} else if sqlTx == nil {
			var err error
			// The transaction outlives any one request: it is not tied to
			// their contexts.
			if sqlTx, err = c.db.write.BeginTx(context.Background(), nil); err != nil {
				sqlTx = nil
				j.turn <- nil
				j.result <- outcome{err: fmt.Errorf("store: begin: %w", err)}
			} else if ferr := c.runJob(j, sqlTx); ferr != nil {
				// The first job has no savepoint: its failure ends the
				// transaction, which held nothing else.
				members = append(members, j)
				abort(ferr)
			} else {
				members = append(members, j)
			}
		} else {
			n++
			sp := "g" + strconv.Itoa(n)
			if _, err := sqlTx.Exec("SAVEPOINT " + sp); err != nil {
				j.turn <- nil
				j.result <- outcome{err: fmt.Errorf("store: savepoint: %w", err)}
				abort(fmt.Errorf("store: savepoint: %w", err))
			} else if ferr := c.runJob(j, sqlTx); ferr != nil {
				if _, err := sqlTx.Exec("ROLLBACK TO " + sp); err != nil {
					members = append(members, j)
					abort(errors.Join(ferr, fmt.Errorf("store: rollback: %w", err)))
				} else {
					j.result <- outcome{err: ferr, rolledBack: true}
					c.note(j)
				}
			} else {
				members = append(members, j)
			}
		}
		if len(members) >= maxGroup {
			break
		}
		j = c.next()
	}
	if sqlTx == nil {
		return
	}
	// A failed commit may still have committed (as with a connection lost after
	// the server committed): its members run no hooks.
	var out outcome
	if err := sqlTx.Commit(); err != nil {
		out.err = fmt.Errorf("store: commit: %w", err)
	}
	if c.db.groupSize != nil {
		c.db.groupSize(len(members))
	}
	for _, m := range members {
		m.result <- out
	}
	c.note(members...)
}

// runJob gives the transaction to j and returns the error of j's function.
func (c *committer) runJob(j *job, sqlTx *sql.Tx) error {
	j.turn <- sqlTx
	return <-j.ran
}

// note keeps the queries that the jobs ran unprepared, for prepare.
func (c *committer) note(jobs ...*job) {
	for _, j := range jobs {
		c.pending = append(c.pending, j.tx.unprepared...)
	}
}

// prepare caches the statements noted. It runs between groups: preparing on the
// single writer connection while a transaction holds it would wait forever.
func (c *committer) prepare() {
	for _, q := range c.pending {
		if c.db.writeStmts.lookup(q) == nil {
			c.db.writeStmts.prepare(context.Background(), q)
		}
	}
	c.pending = c.pending[:0]
}
