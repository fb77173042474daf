package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// QueuedMail is a rendered mail in the queue.
type QueuedMail struct {
	ID                      int64
	To, Subject, Text, HTML string
	// Attempts counts the deliveries started, the current one included.
	Attempts int
}

// QueueMail adds m to the queue in tx, due at now, and returns its id.
func QueueMail(ctx context.Context, tx *Tx, m QueuedMail, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO mail_queue (recipient, subject, body_text, body_html, created, due)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, m.To, m.Subject, m.Text, m.HTML, micros(now), micros(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: queue mail: %w", err)
	}
	return id, nil
}

// DropMail removes a queued mail that no worker holds.
func DropMail(ctx context.Context, tx *Tx, id int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM mail_queue WHERE id = ? AND claim = ''", id); err != nil {
		return fmt.Errorf("store: drop mail: %w", err)
	}
	return nil
}

// ClaimMails takes up to limit mails due at now for the holder claim until the
// lease ends, counting an attempt for each, and returns them oldest first. Mails
// another worker holds are skipped: on PostgreSQL, rows another transaction is
// claiming are passed over (SKIP LOCKED) instead of waited for; SQLite has one
// writer.
func ClaimMails(ctx context.Context, db *DB, claim string, now, lease time.Time, limit int) ([]QueuedMail, error) {
	lock := ""
	if db.Postgres() {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []QueuedMail
	err := db.InTx(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `UPDATE mail_queue SET claim = ?, due = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM mail_queue WHERE failed = 0 AND due <= ? ORDER BY due, id LIMIT ?`+lock+`)
			RETURNING id, recipient, subject, body_text, body_html, attempts`,
			claim, micros(lease), micros(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m QueuedMail
			if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Attempts); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim mails: %w", err)
	}
	return out, nil
}

// MailSent removes a delivered mail held by claim.
func MailSent(ctx context.Context, db *DB, id int64, claim string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM mail_queue WHERE id = ? AND claim = ?", id, claim); err != nil {
			return fmt.Errorf("store: mail sent: %w", err)
		}
		return nil
	})
}

// MailFailed records a failed delivery of a mail held by claim: it is due again at
// retry, or, when giveUp is set, kept as failed and never tried again.
func MailFailed(ctx context.Context, db *DB, id int64, claim string, retry time.Time, reason string, giveUp bool) error {
	failed := 0
	if giveUp {
		failed = 1
	}
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE mail_queue SET claim = '', due = ?, last_error = ?, failed = ? WHERE id = ? AND claim = ?",
			micros(retry), reason, failed, id, claim)
		if err != nil {
			return fmt.Errorf("store: mail failed: %w", err)
		}
		return nil
	})
}

// MailCounts returns how many mails wait for delivery and how many were given up on.
func MailCounts(ctx context.Context, r Reader) (waiting, failed int, err error) {
	err = r.QueryRow(ctx, "SELECT count(*) FILTER (WHERE failed = 0), count(*) FILTER (WHERE failed = 1) FROM mail_queue").
		Scan(&waiting, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count mails: %w", err)
	}
	return waiting, failed, nil
}

// MailQueueStats returns how many mails wait for delivery, how many were given up
// on, and when the oldest waiting mail was queued (zero when none waits).
func MailQueueStats(ctx context.Context, r Reader) (waiting, failed int, oldest time.Time, err error) {
	var first sql.NullInt64
	err = r.QueryRow(ctx, `SELECT count(*) FILTER (WHERE failed = 0), count(*) FILTER (WHERE failed = 1),
		min(created) FILTER (WHERE failed = 0) FROM mail_queue`).Scan(&waiting, &failed, &first)
	if err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("store: mail queue stats: %w", err)
	}
	if first.Valid {
		oldest = fromMicros(first.Int64)
	}
	return waiting, failed, oldest, nil
}
