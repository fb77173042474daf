package store

import (
	"context"
	"fmt"
	"time"

	"github.com/backrest/backrest"
)

// CreateSession records a session by the hash of its token, created at now.
func CreateSession(ctx context.Context, tx *Tx, tokenHash string, user backrest.UserID, now, expires time.Time) error {
	_, err := tx.Exec(ctx, "INSERT INTO sessions (token_hash, user_id, created, expires) VALUES (?, ?, ?, ?)",
		tokenHash, user.String(), micros(now), micros(expires))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionUser returns the user of an unexpired session and the session's expiry, or
// an ENOTFOUND error.
func SessionUser(ctx context.Context, r Reader, tokenHash string, now time.Time) (*backrest.User, time.Time, error) {
	row := r.QueryRow(ctx, `SELECT u.id, u.email, u.firstname, u.lastname, u.roles, u.active, u.confirmed, u.password_hash,
		u.created, u.modified, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires > ?`, tokenHash, micros(now))
	var expires int64
	u, err := scanUser(scanExtra{row, &expires})
	if err != nil {
		return nil, time.Time{}, err
	}
	return u, fromMicros(expires), nil
}

// scanExtra appends destinations after those of scanUser.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }

// ExtendSession moves a session's expiry.
func ExtendSession(ctx context.Context, tx *Tx, tokenHash string, expires time.Time) error {
	_, err := tx.Exec(ctx, "UPDATE sessions SET expires = ? WHERE token_hash = ?", micros(expires), tokenHash)
	if err != nil {
		return fmt.Errorf("store: extend session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func DeleteSession(ctx context.Context, tx *Tx, tokenHash string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of the user except the one whose hash is
// keep (empty: all of them).
func DeleteUserSessions(ctx context.Context, tx *Tx, user backrest.UserID, keep string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", user.String(), keep); err != nil {
		return fmt.Errorf("store: delete sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now.
func DeleteExpiredSessions(ctx context.Context, tx *Tx, now time.Time) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires <= ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
