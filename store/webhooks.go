package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backrest/backrest"
)

// Webhook is a row of webhooks: where and which events of the log are POSTed.
type Webhook struct {
	ID  int64
	URL string
	// Types are the names of the content types covered; empty covers every type.
	Types []string
	// Kinds are the kinds of change covered (create, update, delete).
	Kinds    []string
	Secret   string
	Active   bool
	Created  time.Time
	Modified time.Time
	// QueuedTo is the last event of the log considered for the webhook.
	QueuedTo int64
	// Missed counts the events that may have left the log before they were
	// queued.
	Missed int64
	// LastEvent and LastDelivered are the event and time of the last
	// acknowledged delivery (zero when none).
	LastEvent     int64
	LastDelivered time.Time
	// LastError and LastErrorAt describe the last failed attempt.
	LastError   string
	LastErrorAt time.Time
	// Pending and Failed count the deliveries waiting and given up on;
	// NextAttempt is the earliest due time of the pending ones (zero when none).
	Pending, Failed int64
	NextAttempt     time.Time
}

// Covers reports whether the webhook's types and kinds cover an event of the
// type and kind. Account events (an empty type) are covered by none.
func (w *Webhook) Covers(typ, kind string) bool {
	return typ != "" && (len(w.Types) == 0 || slices.Contains(w.Types, typ)) && slices.Contains(w.Kinds, kind)
}

// The states of a webhook delivery. A delivery waiting behind an earlier one of
// its item (DeliveryWaiting) becomes pending when that one is delivered or given
// up on: only pending deliveries are claimed, so that a claim reads the due ones
// alone, however long the backlog of an item.
const (
	DeliveryPending   = "pending"
	DeliveryWaiting   = "waiting"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is a row of webhook_deliveries: one event to POST to one webhook.
type Delivery struct {
	ID      int64
	Webhook int64
	// Event is the copy of the event of the log.
	Event Event
	State string
	// Created is when the delivery was queued; Due when its next attempt may
	// start (or when the hold of the worker sending it ends).
	Created, Due time.Time
	// Attempts counts the attempts started, the current one included.
	Attempts int
	// LastStatus is the HTTP status of the last answer, 0 when none came.
	LastStatus int
	LastError  string
	// Finished is when it was delivered or given up on.
	Finished time.Time
}

func joinList(l []string) string { return strings.Join(l, ",") }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

func optMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

// CreateWebhook inserts w, which will receive the events logged after the
// newest event of the log now, and returns its id.
func CreateWebhook(ctx context.Context, tx *Tx, w *Webhook, now time.Time) (int64, error) {
	var newest int64
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM events").Scan(&newest); err != nil {
		return 0, fmt.Errorf("store: create webhook: %w", err)
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO webhooks (url, types, kinds, secret, active, created, modified, queued_to)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		w.URL, joinList(w.Types), joinList(w.Kinds), w.Secret, bit(w.Active), micros(now), micros(now), newest).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create webhook: %w", err)
	}
	return id, nil
}

// UpdateWebhook stores the URL, types, kinds, secret and state of w, and drops
// the pending deliveries that its types and kinds no longer cover. An unknown id
// is ENOTFOUND.
func UpdateWebhook(ctx context.Context, tx *Tx, w *Webhook, now time.Time) error {
	res, err := tx.Exec(ctx, "UPDATE webhooks SET url = ?, types = ?, kinds = ?, secret = ?, active = ?, modified = ? WHERE id = ?",
		w.URL, joinList(w.Types), joinList(w.Kinds), w.Secret, bit(w.Active), micros(now), w.ID)
	if err != nil {
		return fmt.Errorf("store: update webhook: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errWebhookNotFound
	}
	q := "DELETE FROM webhook_deliveries WHERE webhook = ? AND state IN ('pending', 'waiting') AND (kind NOT IN (" + marks(len(w.Kinds)) + ")"
	args := []any{w.ID}
	for _, k := range w.Kinds {
		args = append(args, k)
	}
	if len(w.Types) > 0 {
		q += " OR type NOT IN (" + marks(len(w.Types)) + ")"
		for _, t := range w.Types {
			args = append(args, t)
		}
	}
	if _, err := tx.Exec(ctx, q+")", args...); err != nil {
		return fmt.Errorf("store: update webhook: %w", err)
	}
	// A waiting delivery whose earlier ones were dropped is the first of its item.
	_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET state = 'pending', due = ? WHERE webhook = ? AND state = 'waiting'
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.webhook = webhook_deliveries.webhook
			AND p.type = webhook_deliveries.type AND p.item = webhook_deliveries.item
			AND p.state IN ('pending', 'waiting') AND p.event < webhook_deliveries.event)`, micros(now), w.ID)
	if err != nil {
		return fmt.Errorf("store: update webhook: %w", err)
	}
	return nil
}

// marks returns n placeholders separated by commas.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

var errWebhookNotFound = backrest.Errorf(backrest.ENOTFOUND, "Webhook not found")

// DeleteWebhook deletes the webhook and, by the foreign key's cascade, its
// deliveries (after the webhook's row, which is locked first as RecordDelivery
// does); an unknown id is ENOTFOUND.
func DeleteWebhook(ctx context.Context, tx *Tx, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM webhooks WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete webhook: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errWebhookNotFound
	}
	return nil
}

const webhookColumns = `w.id, w.url, w.types, w.kinds, w.secret, w.active, w.created, w.modified, w.queued_to, w.missed,
	w.last_event, w.last_delivered, w.last_error, w.last_error_at,
	(SELECT count(*) FROM webhook_deliveries d WHERE d.webhook = w.id AND d.state IN ('pending', 'waiting')),
	(SELECT count(*) FROM webhook_deliveries d WHERE d.webhook = w.id AND d.state = 'failed'),
	(SELECT min(d.due) FROM webhook_deliveries d WHERE d.webhook = w.id AND d.state = 'pending')`

func scanWebhook(s interface{ Scan(...any) error }) (*Webhook, error) {
	var w Webhook
	var types, kinds string
	var active int
	var created, modified, delivered, errAt int64
	var next sql.NullInt64
	if err := s.Scan(&w.ID, &w.URL, &types, &kinds, &w.Secret, &active, &created, &modified, &w.QueuedTo, &w.Missed,
		&w.LastEvent, &delivered, &w.LastError, &errAt, &w.Pending, &w.Failed, &next); err != nil {
		return nil, err
	}
	w.Types, w.Kinds, w.Active = splitList(types), splitList(kinds), active == 1
	w.Created, w.Modified = fromMicros(created), fromMicros(modified)
	w.LastDelivered, w.LastErrorAt = optMicros(delivered), optMicros(errAt)
	if next.Valid {
		w.NextAttempt = fromMicros(next.Int64)
	}
	return &w, nil
}

// GetWebhook returns the webhook of the id with its delivery state; unknown is
// ENOTFOUND.
func GetWebhook(ctx context.Context, r Reader, id int64) (*Webhook, error) {
	w, err := scanWebhook(r.QueryRow(ctx, "SELECT "+webhookColumns+" FROM webhooks w WHERE w.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errWebhookNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: read webhook: %w", err)
	}
	return w, nil
}

// ListWebhooks returns every webhook with its delivery state, oldest first.
func ListWebhooks(ctx context.Context, r Reader) ([]*Webhook, error) {
	rows, err := r.Query(ctx, "SELECT "+webhookColumns+" FROM webhooks w ORDER BY w.id")
	if err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", err)
	}
	defer rows.Close()
	out := []*Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list webhooks: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", err)
	}
	return out, nil
}

// QueueWebhookEvents copies the events of the log after each webhook's
// queued_to, up to limit per webhook, into deliveries due at now (those its types
// and kinds cover), and moves queued_to past them. A webhook whose queued_to is
// before the start of the log may have missed events: they are counted in its
// missed and reported as its last error. It returns how many events it
// considered in all: a full batch for a webhook means more may follow.
//
// A delivery is queued pending when its item has no delivery pending or waiting,
// else waiting (see RecordDelivery). On PostgreSQL each webhook is locked while
// its events are queued, and so it is while a delivery of it is recorded, so that
// a delivery cannot be queued waiting behind one that is finishing, and each event
// is queued once; SQLite has one writer.
func QueueWebhookEvents(ctx context.Context, tx *Tx, now time.Time, limit int) (int, error) {
	lock := ""
	if tx.Postgres() {
		lock = " FOR UPDATE"
	}
	rows, err := tx.Query(ctx, "SELECT id, types, kinds, queued_to FROM webhooks ORDER BY id"+lock)
	if err != nil {
		return 0, fmt.Errorf("store: queue webhook events: %w", err)
	}
	var hooks []*Webhook
	for rows.Next() {
		var w Webhook
		var types, kinds string
		if err := rows.Scan(&w.ID, &types, &kinds, &w.QueuedTo); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: queue webhook events: %w", err)
		}
		w.Types, w.Kinds = splitList(types), splitList(kinds)
		hooks = append(hooks, &w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: queue webhook events: %w", err)
	}
	if len(hooks) == 0 {
		return 0, nil
	}
	first, _, err := EventBounds(ctx, tx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, w := range hooks {
		if first > 0 && w.QueuedTo < first-1 {
			missed := first - 1 - w.QueuedTo
			msg := fmt.Sprintf("Events %d to %d may have left the log before they were queued: not delivered", w.QueuedTo+1, first-1)
			if _, err := tx.Exec(ctx, "UPDATE webhooks SET missed = missed + ?, last_error = ?, last_error_at = ?, queued_to = ? WHERE id = ?",
				missed, msg, micros(now), first-1, w.ID); err != nil {
				return 0, fmt.Errorf("store: queue webhook events: %w", err)
			}
			w.QueuedTo = first - 1
		}
		events, err := EventsAfter(ctx, tx, w.QueuedTo, limit)
		if err != nil {
			return 0, err
		}
		if len(events) == 0 {
			continue
		}
		total += len(events)
		for _, e := range events {
			if !w.Covers(e.Type, e.Kind) {
				continue
			}
			var ahead int
			err := tx.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE webhook = ? AND type = ? AND item = ?
				AND state IN ('pending', 'waiting')`, w.ID, e.Type, e.Item).Scan(&ahead)
			if err != nil {
				return 0, fmt.Errorf("store: queue webhook events: %w", err)
			}
			state := DeliveryPending
			if ahead > 0 {
				state = DeliveryWaiting
			}
			_, err = tx.Exec(ctx, `INSERT INTO webhook_deliveries (webhook, event, type, item, kind, owner, occurred, state, created, due)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (webhook, event) DO NOTHING`,
				w.ID, e.ID, e.Type, e.Item, e.Kind, e.Owner, micros(e.Created), state, micros(now), micros(now))
			if err != nil {
				return 0, fmt.Errorf("store: queue webhook events: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE webhooks SET queued_to = ? WHERE id = ?", events[len(events)-1].ID, w.ID); err != nil {
			return 0, fmt.Errorf("store: queue webhook events: %w", err)
		}
	}
	return total, nil
}

// ClaimDeliveries takes up to limit pending deliveries of active webhooks due at
// now for the holder claim until lease, counting an attempt for each, and returns
// them oldest event first. Only the first delivery of each item of a webhook is
// pending, the later ones wait until it is delivered or given up on (see
// QueueWebhookEvents), so that the events of an item arrive in order. Deliveries another worker holds are
// skipped: on PostgreSQL, rows another transaction is claiming are passed over
// (SKIP LOCKED) instead of waited for; SQLite has one writer.
func ClaimDeliveries(ctx context.Context, db *DB, claim string, now, lease time.Time, limit int) ([]Delivery, error) {
	lock := ""
	if db.Postgres() {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []Delivery
	err := db.InTx(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `UPDATE webhook_deliveries SET claim = ?, due = ?, attempts = attempts + 1
			WHERE id IN (SELECT d.id FROM webhook_deliveries d
				WHERE d.state = 'pending' AND d.due <= ?
				AND d.webhook IN (SELECT id FROM webhooks WHERE active = 1)
				ORDER BY d.due LIMIT ?`+lock+`)
			RETURNING id, webhook, event, type, item, kind, owner, occurred, state, created, due, attempts`,
			claim, micros(lease), micros(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d Delivery
			var occurred, created, due int64
			if err := rows.Scan(&d.ID, &d.Webhook, &d.Event.ID, &d.Event.Type, &d.Event.Item, &d.Event.Kind, &d.Event.Owner,
				&occurred, &d.State, &created, &due, &d.Attempts); err != nil {
				return err
			}
			d.Event.Created, d.Created, d.Due = fromMicros(occurred), fromMicros(created), fromMicros(due)
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim deliveries: %w", err)
	}
	slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.Event.ID, b.Event.ID) })
	return out, nil
}

// DeliveryOutcome is the result of an attempt to deliver.
type DeliveryOutcome struct {
	// Delivered is set when the receiver acknowledged the delivery.
	Delivered bool
	// GiveUp marks a failed delivery as failed for good; otherwise it is due
	// again at Retry.
	GiveUp bool
	Retry  time.Time
	// Status is the HTTP status of the answer, 0 when none came.
	Status int
	// Error says why the attempt failed.
	Error string
}

// RecordDelivery records the outcome of an attempt of the delivery d held by
// claim, on the delivery and on its webhook; a delivery delivered or given up on
// makes the next waiting one of its item pending, due at now. It does nothing
// when the claim was lost (the hold ended and another worker took the delivery,
// or the webhook was deleted).
func RecordDelivery(ctx context.Context, db *DB, d Delivery, claim string, o DeliveryOutcome, now time.Time) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var res sql.Result
		var err error
		if tx.Postgres() {
			// Against a delivery of the item being queued meanwhile: see
			// QueueWebhookEvents.
			if _, err := tx.Exec(ctx, "SELECT id FROM webhooks WHERE id = ? FOR UPDATE", d.Webhook); err != nil {
				return fmt.Errorf("store: record delivery: %w", err)
			}
		}
		switch {
		case o.Delivered:
			res, err = tx.Exec(ctx, "UPDATE webhook_deliveries SET state = ?, claim = '', last_status = ?, finished = ? WHERE id = ? AND claim = ?",
				DeliveryDelivered, o.Status, micros(now), d.ID, claim)
		case o.GiveUp:
			res, err = tx.Exec(ctx, "UPDATE webhook_deliveries SET state = ?, claim = '', last_status = ?, last_error = ?, finished = ? WHERE id = ? AND claim = ?",
				DeliveryFailed, o.Status, o.Error, micros(now), d.ID, claim)
		default:
			res, err = tx.Exec(ctx, "UPDATE webhook_deliveries SET claim = '', due = ?, last_status = ?, last_error = ? WHERE id = ? AND claim = ?",
				micros(o.Retry), o.Status, o.Error, d.ID, claim)
		}
		if err != nil {
			return fmt.Errorf("store: record delivery: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if o.Delivered || o.GiveUp {
			_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET state = 'pending', due = ? WHERE id =
				(SELECT id FROM webhook_deliveries WHERE webhook = ? AND type = ? AND item = ? AND state = 'waiting' ORDER BY event LIMIT 1)`,
				micros(now), d.Webhook, d.Event.Type, d.Event.Item)
			if err != nil {
				return fmt.Errorf("store: record delivery: %w", err)
			}
		}
		if o.Delivered {
			_, err = tx.Exec(ctx, "UPDATE webhooks SET last_event = ?, last_delivered = ? WHERE id = ?", d.Event.ID, micros(now), d.Webhook)
		} else {
			_, err = tx.Exec(ctx, "UPDATE webhooks SET last_error = ?, last_error_at = ? WHERE id = ?", o.Error, micros(now), d.Webhook)
		}
		if err != nil {
			return fmt.Errorf("store: record delivery: %w", err)
		}
		return nil
	})
}

// ListDeliveries returns a page of the deliveries of a webhook, newest event
// first, those in state only unless it is empty (DeliveryPending also selects
// the waiting ones), and how many there are over all pages.
func ListDeliveries(ctx context.Context, r Reader, webhook int64, state string, limit, offset int) ([]Delivery, int64, error) {
	where := "webhook = ?"
	args := []any{webhook}
	if state == DeliveryPending {
		where += " AND state IN ('pending', 'waiting')"
	} else if state != "" {
		where += " AND state = ?"
		args = append(args, state)
	}
	var total int64
	if err := r.QueryRow(ctx, "SELECT count(*) FROM webhook_deliveries WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: list deliveries: %w", err)
	}
	rows, err := r.Query(ctx, `SELECT id, webhook, event, type, item, kind, owner, occurred, state, created, due, attempts,
		last_status, last_error, finished FROM webhook_deliveries WHERE `+where+" ORDER BY event DESC LIMIT ? OFFSET ?",
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var occurred, created, due, finished int64
		if err := rows.Scan(&d.ID, &d.Webhook, &d.Event.ID, &d.Event.Type, &d.Event.Item, &d.Event.Kind, &d.Event.Owner,
			&occurred, &d.State, &created, &due, &d.Attempts, &d.LastStatus, &d.LastError, &finished); err != nil {
			return nil, 0, fmt.Errorf("store: list deliveries: %w", err)
		}
		d.Event.Created, d.Created, d.Due, d.Finished = fromMicros(occurred), fromMicros(created), fromMicros(due), optMicros(finished)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list deliveries: %w", err)
	}
	return out, total, nil
}

// NextDeliveryDue returns when the earliest pending delivery of an active webhook
// is due, zero when none is pending.
func NextDeliveryDue(ctx context.Context, r Reader) (time.Time, error) {
	var due sql.NullInt64
	err := r.QueryRow(ctx, `SELECT min(due) FROM webhook_deliveries
		WHERE state = 'pending' AND webhook IN (SELECT id FROM webhooks WHERE active = 1)`).Scan(&due)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next delivery: %w", err)
	}
	if !due.Valid {
		return time.Time{}, nil
	}
	return fromMicros(due.Int64), nil
}

// PurgeDeliveries deletes the deliveries that were delivered or given up on
// before cutoff, and returns how many it deleted.
func PurgeDeliveries(ctx context.Context, tx *Tx, cutoff time.Time) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'failed') AND finished < ?", micros(cutoff))
	if err != nil {
		return 0, fmt.Errorf("store: purge deliveries: %w", err)
	}
	return res.RowsAffected()
}

// WebhookTargets returns every webhook by id, with its URL, types, kinds, secret
// and state but not the state of its deliveries: what a worker needs to send.
func WebhookTargets(ctx context.Context, r Reader) (map[int64]*Webhook, error) {
	rows, err := r.Query(ctx, "SELECT id, url, types, kinds, secret, active FROM webhooks")
	if err != nil {
		return nil, fmt.Errorf("store: read webhooks: %w", err)
	}
	defer rows.Close()
	out := map[int64]*Webhook{}
	for rows.Next() {
		var w Webhook
		var types, kinds string
		var active int
		if err := rows.Scan(&w.ID, &w.URL, &types, &kinds, &w.Secret, &active); err != nil {
			return nil, fmt.Errorf("store: read webhooks: %w", err)
		}
		w.Types, w.Kinds, w.Active = splitList(types), splitList(kinds), active == 1
		out[w.ID] = &w
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read webhooks: %w", err)
	}
	return out, nil
}
