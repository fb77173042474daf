package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backrest/backrest"
)

// Kinds of login challenges.
const (
	// ChallengeTOTP is a login whose password was accepted and that waits for
	// the second factor.
	ChallengeTOTP = "totp"
	// ChallengeMail is a mailed sign-in code and link.
	ChallengeMail = "mail"
)

// Challenge is a half-done login.
type Challenge struct {
	// IDHash is the SHA-256 of the secret the client holds.
	IDHash string
	User   backrest.UserID
	Kind   string
	// CodeHash is the keyed hash of a mailed code.
	CodeHash string
	// Attempts counts the wrong codes given.
	Attempts int
	Expires  time.Time
}

// CreateChallenge records c, created at now. A mailed challenge replaces the
// user's earlier ones, whose codes and links die.
func CreateChallenge(ctx context.Context, tx *Tx, c Challenge, now time.Time) error {
	if c.Kind == ChallengeMail {
		if _, err := tx.Exec(ctx, "DELETE FROM login_challenges WHERE user_id = ? AND kind = ?", c.User.String(), c.Kind); err != nil {
			return fmt.Errorf("store: create challenge: %w", err)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO login_challenges (id_hash, user_id, kind, code_hash, attempts, created, expires)
		VALUES (?, ?, ?, ?, 0, ?, ?)`, c.IDHash, c.User.String(), c.Kind, c.CodeHash, micros(now), micros(c.Expires))
	if err != nil {
		return fmt.Errorf("store: create challenge: %w", err)
	}
	return nil
}

const challengeColumns = "id_hash, user_id, kind, code_hash, attempts, expires"

func scanChallenge(row *sql.Row) (*Challenge, error) {
	var (
		c       Challenge
		user    string
		expires int64
	)
	if err := row.Scan(&c.IDHash, &user, &c.Kind, &c.CodeHash, &c.Attempts, &expires); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, backrest.Errorf(backrest.ENOTFOUND, "Invalid or expired token")
		}
		return nil, fmt.Errorf("store: read challenge: %w", err)
	}
	var ok bool
	if c.User, ok = backrest.ParseUserID(user); !ok {
		return nil, fmt.Errorf("store: malformed user id %q", user)
	}
	c.Expires = fromMicros(expires)
	return &c, nil
}

// ChallengeByHash returns the unexpired challenge of the kind with the id hash,
// or an ENOTFOUND error.
func ChallengeByHash(ctx context.Context, r Reader, kind, idHash string, now time.Time) (*Challenge, error) {
	return scanChallenge(r.QueryRow(ctx, "SELECT "+challengeColumns+" FROM login_challenges WHERE id_hash = ? AND kind = ? AND expires > ?",
		idHash, kind, micros(now)))
}

// UserChallenge returns the user's unexpired challenge of the kind (the latest),
// or an ENOTFOUND error.
func UserChallenge(ctx context.Context, r Reader, kind string, user backrest.UserID, now time.Time) (*Challenge, error) {
	return scanChallenge(r.QueryRow(ctx, "SELECT "+challengeColumns+` FROM login_challenges
		WHERE user_id = ? AND kind = ? AND expires > ? ORDER BY created DESC LIMIT 1`, user.String(), kind, micros(now)))
}

// TakeChallenge deletes the challenge with the id hash and reports whether it was
// there (and unexpired at now): a challenge completes a login once.
func TakeChallenge(ctx context.Context, tx *Tx, idHash string, now time.Time) (bool, error) {
	res, err := tx.Exec(ctx, "DELETE FROM login_challenges WHERE id_hash = ? AND expires > ?", idHash, micros(now))
	if err != nil {
		return false, fmt.Errorf("store: take challenge: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FailChallenge counts a wrong code against the challenge with the id hash, and
// deletes it when the count reaches limit. It reports whether the challenge is
// still alive.
func FailChallenge(ctx context.Context, tx *Tx, idHash string, limit int) (bool, error) {
	if _, err := tx.Exec(ctx, "UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = ?", idHash); err != nil {
		return false, fmt.Errorf("store: fail challenge: %w", err)
	}
	res, err := tx.Exec(ctx, "DELETE FROM login_challenges WHERE id_hash = ? AND attempts >= ?", idHash, limit)
	if err != nil {
		return false, fmt.Errorf("store: fail challenge: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 0, err
}

// DeleteUserChallenges removes the user's challenges of every kind.
func DeleteUserChallenges(ctx context.Context, tx *Tx, user backrest.UserID) error {
	if _, err := tx.Exec(ctx, "DELETE FROM login_challenges WHERE user_id = ?", user.String()); err != nil {
		return fmt.Errorf("store: delete challenges: %w", err)
	}
	return nil
}

// DeleteExpiredChallenges removes the challenges that expired before now.
func DeleteExpiredChallenges(ctx context.Context, tx *Tx, now time.Time) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM login_challenges WHERE expires <= ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired challenges: %w", err)
	}
	return res.RowsAffected()
}
