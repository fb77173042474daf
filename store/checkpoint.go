package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

const (
	// checkpointEvery is how often the checkpointer copies the write-ahead log
	// of a SQLite database back into the database file.
	checkpointEvery = 250 * time.Millisecond
	// backstopPages is the size of the log, in pages, past which the writer
	// checkpoints by itself, in case the checkpointer falls behind.
	backstopPages = 40000
)

// checkpointer copies the write-ahead log of a SQLite database back into the
// database file from a connection of its own, so that writers need not.
//
// Left to itself, SQLite has the commit that takes the log past a size run the
// checkpoint: that commit copies the pages and fsyncs the database file while
// every other writer waits, which showed as write latencies ten times the usual
// ones. A passive checkpoint from another connection runs beside the writer and
// the readers, waiting for neither.
type checkpointer struct {
	conn *sql.DB
	// spare is made again, when missing, between checkpoints.
	spare *reserve
	quit  chan struct{}
	done  chan struct{}
	stop  sync.Once
}

func newCheckpointer(dsn string, spare *reserve) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c := &checkpointer{conn: conn, spare: spare, quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			// A failure (such as a full disk) leaves the log as it is; the
			// writers' own checkpoints take over past backstopPages.
			_, _, _ = c.checkpoint(context.Background())
			c.spare.ensure(time.Now())
		}
	}
}

// checkpoint runs one passive checkpoint and returns the frames in the log and
// how many of them are now in the database file.
func (c *checkpointer) checkpoint(ctx context.Context) (frames, done int64, err error) {
	var busy int64
	err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done)
	return frames, done, err
}

// close stops the checkpointer and closes its connection; it may be called again.
func (c *checkpointer) close() error {
	c.stop.Do(func() { close(c.quit) })
	<-c.done
	return c.conn.Close()
}
