package store

import (
	"context"
	"fmt"
	"time"

	"github.com/backrest/backrest"
)

// SessionRecord is what the database keeps of a session besides its user and the
// hash of its token: the device it was last used from.
type SessionRecord struct {
	// ID names the session in lists; unlike its token hash it may be shown.
	ID string
	// Created is when the session started, LastUsed when it was last used (kept
	// to within a minute or so), Expires when it ends unless used.
	Created, LastUsed, Expires time.Time
	// ClientAddr and UserAgent are those of the last request that wrote LastUsed.
	ClientAddr, UserAgent string
}

// CreateSession records a session of the user by the hash of its token.
func CreateSession(ctx context.Context, tx *Tx, tokenHash string, user backrest.UserID, rec SessionRecord) error {
	_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created, expires, id, last_used, client_addr, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		tokenHash, user.String(), micros(rec.Created), micros(rec.Expires), rec.ID, micros(rec.LastUsed), rec.ClientAddr, rec.UserAgent)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionUser returns the user of an unexpired session and the session's id, last
// use and expiry (the other fields of the record are not read), or an ENOTFOUND
// error.
func SessionUser(ctx context.Context, r Reader, tokenHash string, now time.Time) (*backrest.User, SessionRecord, error) {
	row := r.QueryRow(ctx, `SELECT u.id, u.email, u.firstname, u.lastname, u.roles, u.active, u.confirmed, u.password_hash,
		u.created, u.modified, s.id, s.last_used, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires > ?`, tokenHash, micros(now))
	var (
		rec               SessionRecord
		lastUsed, expires int64
	)
	u, err := scanUser(scanMore{row, []any{&rec.ID, &lastUsed, &expires}})
	if err != nil {
		return nil, rec, err
	}
	rec.LastUsed, rec.Expires = fromMicros(lastUsed), fromMicros(expires)
	return u, rec, nil
}

// scanExtra appends a destination after those of scanUser.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }

// scanMore appends destinations after those of scanUser.
type scanMore struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanMore) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// TouchSession records a use of a session: when, from which client, and its new
// expiry. It commits lazily on PostgreSQL (see lazyCommit): a crash may forget the
// last instants' uses, which costs nothing but their record.
func TouchSession(ctx context.Context, db *DB, tokenHash string, lastUsed, expires time.Time, addr, userAgent string) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lazyCommit(ctx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE sessions SET last_used = ?, expires = ?, client_addr = ?, user_agent = ? WHERE token_hash = ?",
			micros(lastUsed), micros(expires), addr, userAgent, tokenHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// UserSessions returns the unexpired sessions of the user at now, the last used
// first.
func UserSessions(ctx context.Context, r Reader, user backrest.UserID, now time.Time) ([]SessionRecord, error) {
	rows, err := r.Query(ctx, `SELECT id, created, last_used, expires, client_addr, user_agent FROM sessions
		WHERE user_id = ? AND expires > ? ORDER BY last_used DESC, id`, user.String(), micros(now))
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	defer rows.Close()
	out := []SessionRecord{}
	for rows.Next() {
		var (
			rec                        SessionRecord
			created, lastUsed, expires int64
		)
		if err := rows.Scan(&rec.ID, &created, &lastUsed, &expires, &rec.ClientAddr, &rec.UserAgent); err != nil {
			return nil, fmt.Errorf("store: list sessions: %w", err)
		}
		rec.Created, rec.LastUsed, rec.Expires = fromMicros(created), fromMicros(lastUsed), fromMicros(expires)
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	return out, nil
}

// DeleteUserSession ends the user's session with the id, and reports whether there
// was one.
func DeleteUserSession(ctx context.Context, tx *Tx, user backrest.UserID, id string) (bool, error) {
	res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id = ?", user.String(), id)
	if err != nil {
		return false, fmt.Errorf("store: delete session: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteSession ends one session.
func DeleteSession(ctx context.Context, tx *Tx, tokenHash string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of the user except the one whose hash is
// keep (empty: all of them), and the user's half-done logins (pending second
// factors, mailed codes), which would otherwise become sessions after it.
func DeleteUserSessions(ctx context.Context, tx *Tx, user backrest.UserID, keep string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", user.String(), keep); err != nil {
		return fmt.Errorf("store: delete sessions: %w", err)
	}
	return DeleteUserChallenges(ctx, tx, user)
}

// DeleteExpiredSessions removes sessions that expired before now.
func DeleteExpiredSessions(ctx context.Context, tx *Tx, now time.Time) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires <= ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
