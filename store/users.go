package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/backrest/backrest"
)

// Reader runs read queries: *DB (on the readers) and *Tx (inside a transaction, which
// also sees its own writes).
type Reader interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
}

// EmailKey is the form in which e-mail addresses are compared: addresses are unique
// regardless of case.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ErrEmailTaken is returned when another user already has the address.
var ErrEmailTaken = backrest.Invalid("email", "Email already exists")

const userColumns = "id, email, firstname, lastname, roles, active, confirmed, password_hash, created, modified"

func scanUser(row interface{ Scan(...any) error }) (*backrest.User, error) {
	var (
		u                 backrest.User
		id, roles         string
		active, confirmed int64
		created, modified int64
	)
	if err := row.Scan(&id, &u.Email, &u.Firstname, &u.Lastname, &roles, &active, &confirmed, &u.PasswordHash, &created, &modified); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, backrest.Errorf(backrest.ENOTFOUND, "User not found")
		}
		return nil, fmt.Errorf("store: read user: %w", err)
	}
	var ok bool
	if u.ID, ok = backrest.ParseUserID(id); !ok {
		return nil, fmt.Errorf("store: malformed user id %q", id)
	}
	if err := json.Unmarshal([]byte(roles), &u.Roles); err != nil {
		return nil, fmt.Errorf("store: roles of user %s: %w", id, err)
	}
	u.Active, u.Confirmed = active != 0, confirmed != 0
	u.Created, u.Modified = fromMicros(created), fromMicros(modified)
	return &u, nil
}

// User returns the user with the id, or an ENOTFOUND error.
func User(ctx context.Context, r Reader, id backrest.UserID) (*backrest.User, error) {
	return scanUser(r.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id.String()))
}

// UsersByID returns the users with the ids that exist, by id, with one query.
func UsersByID(ctx context.Context, r Reader, ids []backrest.UserID) (map[backrest.UserID]*backrest.User, error) {
	out := make(map[backrest.UserID]*backrest.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id.String()
	}
	rows, err := r.Query(ctx, "SELECT "+userColumns+" FROM users WHERE id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: read users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out[u.ID] = u
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read users: %w", err)
	}
	return out, nil
}

// UserByEmail returns the user with the address (compared regardless of case), or
// an ENOTFOUND error.
func UserByEmail(ctx context.Context, r Reader, email string) (*backrest.User, error) {
	return scanUser(r.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email_key = ?", EmailKey(email)))
}

func encodeRoles(roles []string) string {
	if roles == nil {
		roles = []string{}
	}
	b, _ := json.Marshal(roles) // a []string always encodes
	return string(b)
}

// CreateUser inserts u, created at now, with a new random id (set in u.ID) whose short form is unique.
// An active user counts as confirmed. An address that is taken gives ErrEmailTaken.
func CreateUser(ctx context.Context, tx *Tx, u *backrest.User, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	u.Created, u.Modified = now, now
	active := 0
	if u.Active {
		active = 1
		u.Confirmed = true
	}
	for range 8 {
		u.ID = backrest.UserID(backrest.NewUUID())
		res, err := tx.Exec(ctx, `INSERT INTO users (`+userColumns+`, short_id, email_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			u.ID.String(), u.Email, u.Firstname, u.Lastname, encodeRoles(u.Roles), active, active, u.PasswordHash,
			micros(now), micros(now), u.ID.Short(), EmailKey(u.Email))
		if err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			return nil
		}
		var taken int
		err = tx.QueryRow(ctx, "SELECT count(*) FROM users WHERE email_key = ?", EmailKey(u.Email)).Scan(&taken)
		if err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		if taken > 0 {
			return ErrEmailTaken
		}
		// The short id collided with another user's: draw again.
	}
	return errors.New("store: create user: no free short id")
}

// updateUser runs an UPDATE of one user's row, when the row also meets the optional
// condition cond, and sets its modification time to now. It reports whether a row changed.
func updateUser(ctx context.Context, tx *Tx, id backrest.UserID, now time.Time, set string, setArgs []any, cond string, condArgs ...any) (bool, error) {
	args := append(setArgs, micros(now), id.String())
	args = append(args, condArgs...)
	if cond != "" {
		cond = " AND " + cond
	}
	res, err := tx.Exec(ctx, "UPDATE users SET "+set+", modified = ? WHERE id = ?"+cond, args...)
	if err != nil {
		if IsUnique(err) {
			return false, ErrEmailTaken
		}
		return false, fmt.Errorf("store: update user: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// exists turns "no row changed" into ENOTFOUND.
func exists(changed bool, err error) error {
	if err == nil && !changed {
		return backrest.Errorf(backrest.ENOTFOUND, "User not found")
	}
	return err
}

// ActivateUser marks a pending (never confirmed) user active and confirmed if its
// password hash is still hash. It reports false when the user was confirmed already
// (active or deactivated since), has another hash (a later sign-up replaced it) or
// does not exist.
func ActivateUser(ctx context.Context, tx *Tx, id backrest.UserID, now time.Time, hash string) (bool, error) {
	return updateUser(ctx, tx, id, now, "active = 1, confirmed = 1", nil, "active = 0 AND confirmed = 0 AND password_hash = ?", hash)
}

// ReplacePendingUser gives the unconfirmed (inactive, never confirmed) user with u's address u's
// spelling of the address, names and password hash, as a new sign-up of the address
// does, modified at now, and sets u.ID, u.Created and u.Modified to that user's. It
// reports false when no unconfirmed user has the address.
func ReplacePendingUser(ctx context.Context, tx *Tx, u *backrest.User, now time.Time) (bool, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var id string
	var created int64
	err := tx.QueryRow(ctx, `UPDATE users SET email = ?, firstname = ?, lastname = ?, password_hash = ?, modified = ?
		WHERE email_key = ? AND active = 0 AND confirmed = 0 RETURNING id, created`,
		u.Email, u.Firstname, u.Lastname, u.PasswordHash, micros(now), EmailKey(u.Email)).Scan(&id, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: replace pending user: %w", err)
	}
	var ok bool
	if u.ID, ok = backrest.ParseUserID(id); !ok {
		return false, fmt.Errorf("store: malformed user id %q", id)
	}
	u.Created, u.Modified, u.Active = fromMicros(created), now, false
	return true, nil
}

// TouchPendingUser sets the modification time of an unconfirmed user whose password
// hash is still hash to now, as a new confirmation mail restarts its time to live.
// It reports false when there is no such user.
func TouchPendingUser(ctx context.Context, tx *Tx, id backrest.UserID, hash string, now time.Time) (bool, error) {
	res, err := tx.Exec(ctx, "UPDATE users SET modified = ? WHERE id = ? AND active = 0 AND confirmed = 0 AND password_hash = ?",
		micros(now), id.String(), hash)
	if err != nil {
		return false, fmt.Errorf("store: touch pending user: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeletePendingUsers removes the unconfirmed users last changed at or before
// before: sign-ups whose links have expired. Deactivated users stay. It returns how many it removed.
func DeletePendingUsers(ctx context.Context, tx *Tx, before time.Time) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM users WHERE active = 0 AND confirmed = 0 AND modified <= ?", micros(before))
	if err != nil {
		return 0, fmt.Errorf("store: delete pending users: %w", err)
	}
	return res.RowsAffected()
}

// DeletePendingEmail removes the unconfirmed user with the address, if there is
// one, so that an active user can take the address.
func DeletePendingEmail(ctx context.Context, tx *Tx, email string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM users WHERE email_key = ? AND active = 0 AND confirmed = 0", EmailKey(email)); err != nil {
		return fmt.Errorf("store: delete pending user: %w", err)
	}
	return nil
}

// SetPassword stores a new password hash.
func SetPassword(ctx context.Context, tx *Tx, id backrest.UserID, now time.Time, hash string) error {
	return exists(updateUser(ctx, tx, id, now, "password_hash = ?", []any{hash}, ""))
}

// ReplacePassword stores a new password hash if the current one is still old and the
// address still email (compared regardless of case), and reports whether it did:
// concurrent uses of one reset link change it only once, and none after an e-mail
// change.
func ReplacePassword(ctx context.Context, tx *Tx, id backrest.UserID, now time.Time, old, email, hash string) (bool, error) {
	return updateUser(ctx, tx, id, now, "password_hash = ?", []any{hash}, "password_hash = ? AND email_key = ?", old, EmailKey(email))
}

// ReplaceEmail changes the user's address if it is still old (compared regardless
// of case) and reports whether it did; a taken address gives ErrEmailTaken.
func ReplaceEmail(ctx context.Context, tx *Tx, id backrest.UserID, now time.Time, old, email string) (bool, error) {
	return updateUser(ctx, tx, id, now, "email = ?, email_key = ?", []any{email, EmailKey(email)}, "email_key = ?", EmailKey(old))
}

// SetProfile changes the user's names.
func SetProfile(ctx context.Context, tx *Tx, id backrest.UserID, now time.Time, firstname, lastname string) error {
	return exists(updateUser(ctx, tx, id, now, "firstname = ?, lastname = ?", []any{firstname, lastname}, ""))
}

// DeleteUser removes the user and, by cascade, the user's sessions.
func DeleteUser(ctx context.Context, tx *Tx, id backrest.UserID) error {
	if _, err := tx.Exec(ctx, "DELETE FROM users WHERE id = ?", id.String()); err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	return nil
}

// Setting returns the named setting, storing the value made by create first when
// there is none. Concurrent callers, in this process or others, all get the value
// stored first.
func (db *DB) Setting(ctx context.Context, name string, create func() (string, error)) (string, error) {
	var value string
	err := db.QueryRow(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&value)
	if err == nil {
		return value, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	v, err := create()
	if err != nil {
		return "", err
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING", name, v); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&value)
	})
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	return value, nil
}
