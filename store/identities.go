package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backrest/backrest"
)

// Identity is a user's account at an OpenID Connect provider, linked to the user.
type Identity struct {
	ID       int64
	User     backrest.UserID
	Provider string
	// Subject is the provider's id of the account (the sub claim).
	Subject string
	// Email is the address the provider gave when the identity was linked.
	Email   string
	Created time.Time
}

// ErrIdentityTaken is returned when the identity is linked to a user already.
var ErrIdentityTaken = backrest.Errorf(backrest.ECONFLICT, "This identity is linked to an account already")

// CreateIdentity links the identity to its user at now, setting its ID. An
// identity linked before (to any user) gives ErrIdentityTaken.
func CreateIdentity(ctx context.Context, tx *Tx, id *Identity, now time.Time) error {
	id.Created = now.UTC().Truncate(time.Microsecond)
	err := tx.QueryRow(ctx, `INSERT INTO identities (user_id, provider, subject, email, created) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, id.User.String(), id.Provider, id.Subject, id.Email, micros(id.Created)).Scan(&id.ID)
	if IsUnique(err) {
		return ErrIdentityTaken
	}
	if err != nil {
		return fmt.Errorf("store: create identity: %w", err)
	}
	return nil
}

const identityColumns = "id, user_id, provider, subject, email, created"

func scanIdentity(row interface{ Scan(...any) error }) (*Identity, error) {
	var (
		id      Identity
		user    string
		created int64
	)
	if err := row.Scan(&id.ID, &user, &id.Provider, &id.Subject, &id.Email, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, backrest.Errorf(backrest.ENOTFOUND, "Identity not found")
		}
		return nil, fmt.Errorf("store: read identity: %w", err)
	}
	var ok bool
	if id.User, ok = backrest.ParseUserID(user); !ok {
		return nil, fmt.Errorf("store: malformed user id %q", user)
	}
	id.Created = fromMicros(created)
	return &id, nil
}

// IdentityBySubject returns the identity of the provider's subject, or an
// ENOTFOUND error.
func IdentityBySubject(ctx context.Context, r Reader, provider, subject string) (*Identity, error) {
	return scanIdentity(r.QueryRow(ctx, "SELECT "+identityColumns+" FROM identities WHERE provider = ? AND subject = ?", provider, subject))
}

// Identities returns the identities of the user, oldest first.
func Identities(ctx context.Context, r Reader, user backrest.UserID) ([]*Identity, error) {
	rows, err := r.Query(ctx, "SELECT "+identityColumns+" FROM identities WHERE user_id = ? ORDER BY id", user.String())
	if err != nil {
		return nil, fmt.Errorf("store: list identities: %w", err)
	}
	defer rows.Close()
	out := []*Identity{}
	for rows.Next() {
		id, err := scanIdentity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list identities: %w", err)
	}
	return out, nil
}

// DeleteIdentity unlinks the user's identity with the id; one that is not the
// user's is ENOTFOUND.
func DeleteIdentity(ctx context.Context, tx *Tx, user backrest.UserID, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM identities WHERE id = ? AND user_id = ?", id, user.String())
	if err != nil {
		return fmt.Errorf("store: delete identity: %w", err)
	}
	return affected(res, "Identity not found")
}

// SignInMethods counts the ways the user can sign in: whether the user has a
// password, and the numbers of identities and passkeys. It locks nothing; call it
// in the transaction that removes one, after the removal, to see what is left.
func SignInMethods(ctx context.Context, r Reader, user backrest.UserID) (password bool, identities, passkeys int, err error) {
	var hash string
	err = r.QueryRow(ctx, `SELECT u.password_hash,
		(SELECT COUNT(*) FROM identities i WHERE i.user_id = u.id),
		(SELECT COUNT(*) FROM passkeys p WHERE p.user_id = u.id)
		FROM users u WHERE u.id = ?`, user.String()).Scan(&hash, &identities, &passkeys)
	if errors.Is(err, sql.ErrNoRows) {
		return false, 0, 0, backrest.Errorf(backrest.ENOTFOUND, "User not found")
	}
	if err != nil {
		return false, 0, 0, fmt.Errorf("store: sign-in methods: %w", err)
	}
	return hash != "", identities, passkeys, nil
}

// LockUser takes the write lock of the user's row until the transaction ends, so
// that two transactions that check what the user has left (SignInMethods) and
// remove something run one after the other. On SQLite the one writer is lock
// enough.
func LockUser(ctx context.Context, tx *Tx, user backrest.UserID) error {
	if !tx.Postgres() {
		return nil
	}
	var id string
	err := tx.QueryRow(ctx, "SELECT id FROM users WHERE id = ? FOR UPDATE", user.String()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return backrest.Errorf(backrest.ENOTFOUND, "User not found")
	}
	if err != nil {
		return fmt.Errorf("store: lock user: %w", err)
	}
	return nil
}

// AuthChallenge is a pending challenge of a sign-in in two steps.
type AuthChallenge struct {
	// Kind names the ceremony, such as "oidc" or "passkey-login".
	Kind string
	// User is the user the ceremony is for, when one is signed in.
	User *backrest.UserID
	// Data is what the second step needs, encoded by the caller.
	Data    string
	Expires time.Time
}

// CreateAuthChallenge records a challenge by its hash, and removes the challenges that
// expired before now.
func CreateAuthChallenge(ctx context.Context, tx *Tx, hash string, c *AuthChallenge, now time.Time) error {
	if _, err := tx.Exec(ctx, "DELETE FROM auth_challenges WHERE expires <= ?", micros(now)); err != nil {
		return fmt.Errorf("store: delete expired challenges: %w", err)
	}
	user := ""
	if c.User != nil {
		user = c.User.String()
	}
	_, err := tx.Exec(ctx, "INSERT INTO auth_challenges (challenge_hash, kind, user_id, data, expires) VALUES (?, ?, ?, ?, ?)",
		hash, c.Kind, user, c.Data, micros(c.Expires))
	if err != nil {
		return fmt.Errorf("store: create challenge: %w", err)
	}
	return nil
}

// TakeAuthChallenge removes the challenge of the hash and kind and returns it, unless it
// expired before now: a challenge is taken once. An unknown, used or expired one
// is ENOTFOUND.
func TakeAuthChallenge(ctx context.Context, tx *Tx, hash, kind string, now time.Time) (*AuthChallenge, error) {
	var (
		c       = AuthChallenge{Kind: kind}
		user    string
		expires int64
	)
	err := tx.QueryRow(ctx, "DELETE FROM auth_challenges WHERE challenge_hash = ? AND kind = ? RETURNING user_id, data, expires",
		hash, kind).Scan(&user, &c.Data, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, backrest.Errorf(backrest.ENOTFOUND, "Unknown or used challenge")
	}
	if err != nil {
		return nil, fmt.Errorf("store: take challenge: %w", err)
	}
	c.Expires = fromMicros(expires)
	if !c.Expires.After(now) {
		return nil, backrest.Errorf(backrest.ENOTFOUND, "Expired challenge")
	}
	if user != "" {
		id, ok := backrest.ParseUserID(user)
		if !ok {
			return nil, fmt.Errorf("store: malformed user id %q", user)
		}
		c.User = &id
	}
	return &c, nil
}

// affected turns a change of no row into ENOTFOUND with the message.
func affected(res sql.Result, message string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: rows deleted: %w", err)
	}
	if n == 0 {
		return backrest.Errorf(backrest.ENOTFOUND, "%s", message)
	}
	return nil
}
