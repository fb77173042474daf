package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/backrest/backrest"
	"github.com/jackc/pgx/v5/stdlib"
)

// Event is a row of the change log: a change of content or, with an empty Type,
// of an account (see EventProfile).
type Event struct {
	ID int64
	// Type is the name of the item's content type; empty for an account event.
	Type string
	Item int64
	// Kind is "create", "update" or "delete", or EventProfile or EventSessions.
	Kind string
	// Owner is the item's owner at the change, or the user of an account event.
	Owner   string
	Created time.Time
}

// The kinds of account event, which the log holds beside the changes of content:
// their Type is empty, their Item 0 and their Owner the user concerned. Readers
// that follow a user (the change feeds of their sessions) read the user again.
const (
	// EventProfile is a change of the user's profile, address, roles or state.
	EventProfile = "profile"
	// EventSessions is the end of one or more of the user's sessions, or of the
	// user.
	EventSessions = "sessions"
)

// InsertAccountEvent writes an account event of the kind about user to the log in
// tx; like InsertEvent, it is to be the last statement of the change.
func InsertAccountEvent(ctx context.Context, tx *Tx, user backrest.UserID, kind string, now time.Time) error {
	return InsertEvent(ctx, tx, Event{Kind: kind, Owner: user.String(), Created: now})
}

// eventChannel is the PostgreSQL notification channel that wakes the readers of
// the log of every instance.
const eventChannel = "backrest_events"

// eventLock is the key of the PostgreSQL advisory lock that orders the log (see
// InsertEvent).
const eventLock = 7286240551

// InsertEvent writes an event to the log in tx. Call it as the last statement of
// the change, so that the log is held as briefly as possible.
//
// Readers follow the log by id and must never pass over an id that commits later.
// SQLite has one writer, so ids commit in order. On PostgreSQL, a sequence hands
// out ids in the order transactions ask, not the order they commit: a reader could
// see id 11 committed while 10 is still in flight and move past it. So the insert
// first takes a transaction-level advisory lock, held until commit or rollback:
// writers of events take ids one after the other, each after the previous one has
// committed (PostgreSQL makes a transaction visible before releasing its locks),
// so an id visible to a reader has no smaller id still to come. The cost is that
// the commits of content changes queue, from their last statement to their commit;
// the rest of their transactions still run side by side.
func InsertEvent(ctx context.Context, tx *Tx, e Event) error {
	if tx.Postgres() {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(eventLock)); err != nil {
			return fmt.Errorf("store: lock event log: %w", err)
		}
	}
	_, err := tx.Exec(ctx, "INSERT INTO events (created, type, item, kind, owner) VALUES (?, ?, ?, ?, ?)",
		micros(e.Created), e.Type, e.Item, e.Kind, e.Owner)
	if err != nil {
		return fmt.Errorf("store: insert event: %w", err)
	}
	if tx.Postgres() {
		// Delivered at commit, to every instance listening; dropped on rollback.
		if _, err := tx.Exec(ctx, "SELECT pg_notify('"+eventChannel+"', '')"); err != nil {
			return fmt.Errorf("store: notify event: %w", err)
		}
	} else {
		tx.OnCommit(func(context.Context) error { tx.db.events.wake(); return nil })
	}
	return nil
}

// EventsAfter returns up to limit events of the log with ids above after, oldest
// first.
func EventsAfter(ctx context.Context, r Reader, after int64, limit int) ([]Event, error) {
	rows, err := r.Query(ctx, "SELECT id, created, type, item, kind, owner FROM events WHERE id > ? ORDER BY id LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var created int64
		if err := rows.Scan(&e.ID, &created, &e.Type, &e.Item, &e.Kind, &e.Owner); err != nil {
			return nil, fmt.Errorf("store: read events: %w", err)
		}
		e.Created = fromMicros(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read events: %w", err)
	}
	return out, nil
}

// EventBounds returns the smallest and largest ids in the log, zeros when it is
// empty.
func EventBounds(ctx context.Context, r Reader) (first, last int64, err error) {
	var lo, hi sql.NullInt64
	if err := r.QueryRow(ctx, "SELECT min(id), max(id) FROM events").Scan(&lo, &hi); err != nil {
		return 0, 0, fmt.Errorf("store: read event bounds: %w", err)
	}
	return lo.Int64, hi.Int64, nil
}

// PurgeEvents deletes the events created before cutoff, except the newest event
// of the log, which stays to mark where the log begins: a reader whose last id is
// below the first one kept has missed events. It returns how many it deleted.
func PurgeEvents(ctx context.Context, tx *Tx, cutoff time.Time) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM events WHERE created < ? AND id < (SELECT max(id) FROM events)", micros(cutoff))
	if err != nil {
		return 0, fmt.Errorf("store: purge events: %w", err)
	}
	return res.RowsAffected()
}

// EventsChanged returns a channel that is closed once events may have been added
// to the log since the call: by a commit of this process or, on PostgreSQL, of
// any instance. It is a wake-up only; the log is the truth, and readers should
// also read it now and then, since a wake-up can be lost (a commit whose
// acknowledgement failed, a listening connection being replaced).
func (db *DB) EventsChanged() <-chan struct{} {
	if db.Postgres() {
		db.events.listenOnce.Do(func() {
			db.events.mu.Lock()
			db.events.listening = true
			db.events.mu.Unlock()
			go db.listen()
		})
	}
	return db.events.changed()
}

// notifier wakes the readers of the event log.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
	// listenOnce starts the PostgreSQL listener with the first reader.
	listenOnce sync.Once
	// listening is set once the listener started; done is closed when it ends.
	listening bool
	stop      context.CancelFunc
	ctx       context.Context
	done      chan struct{}
}

func newNotifier() *notifier {
	ctx, stop := context.WithCancel(context.Background())
	return &notifier{ch: make(chan struct{}), ctx: ctx, stop: stop, done: make(chan struct{})}
}

func (n *notifier) changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

// wake closes the channel of the readers waiting and starts a new one.
func (n *notifier) wake() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

// close stops the listener, if it runs, and waits for it. It may be called more
// than once.
func (n *notifier) close() {
	n.stop()
	n.mu.Lock()
	listening := n.listening
	n.mu.Unlock()
	if listening {
		<-n.done
	}
}

// listen holds a PostgreSQL connection that LISTENs on the event channel and wakes
// the readers at each notification, until the database closes. A lost connection
// is replaced after a pause, waking the readers, who may have missed a
// notification meanwhile.
func (db *DB) listen() {
	n := db.events
	defer close(n.done)
	for n.ctx.Err() == nil {
		err := db.listenConn(n.ctx)
		if n.ctx.Err() != nil {
			return
		}
		n.wake()
		if err != nil {
			select {
			case <-n.ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
}

// listenConn listens on one connection until it fails or ctx ends.
func (db *DB) listenConn(ctx context.Context) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		if _, err := c.Exec(ctx, "LISTEN "+eventChannel); err != nil {
			return err
		}
		// Readers that started before the LISTEN took effect read the log now.
		db.events.wake()
		for {
			if _, err := c.WaitForNotification(ctx); err != nil {
				// The connection listens, or was interrupted mid-wait: it must
				// not go back to the pool.
				return errors.Join(err, driver.ErrBadConn)
			}
			db.events.wake()
		}
	})
	return err
}
