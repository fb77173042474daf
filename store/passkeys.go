package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backrest/backrest"
)

// Passkey is a WebAuthn credential of a user.
type Passkey struct {
	ID   int64
	User backrest.UserID
	// CredentialID is the credential's id, base64url without padding.
	CredentialID string
	// Name is the user's name for it.
	Name string
	// Credential is the credential as the WebAuthn library encodes it (JSON).
	Credential string
	Created    time.Time
	// LastUsed is when it last signed in; zero if never.
	LastUsed time.Time
}

// ErrPasskeyTaken is returned when a credential is registered already.
var ErrPasskeyTaken = backrest.Errorf(backrest.ECONFLICT, "This passkey is registered already")

// CreatePasskey stores the passkey at now, setting its ID.
func CreatePasskey(ctx context.Context, tx *Tx, p *Passkey, now time.Time) error {
	p.Created = now.UTC().Truncate(time.Microsecond)
	err := tx.QueryRow(ctx, `INSERT INTO passkeys (user_id, credential_id, name, credential, created) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, p.User.String(), p.CredentialID, p.Name, p.Credential, micros(p.Created)).Scan(&p.ID)
	if IsUnique(err) {
		return ErrPasskeyTaken
	}
	if err != nil {
		return fmt.Errorf("store: create passkey: %w", err)
	}
	return nil
}

const passkeyColumns = "id, user_id, credential_id, name, credential, created, last_used"

func scanPasskey(row interface{ Scan(...any) error }) (*Passkey, error) {
	var (
		p                 Passkey
		user              string
		created, lastUsed int64
	)
	if err := row.Scan(&p.ID, &user, &p.CredentialID, &p.Name, &p.Credential, &created, &lastUsed); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, backrest.Errorf(backrest.ENOTFOUND, "Passkey not found")
		}
		return nil, fmt.Errorf("store: read passkey: %w", err)
	}
	var ok bool
	if p.User, ok = backrest.ParseUserID(user); !ok {
		return nil, fmt.Errorf("store: malformed user id %q", user)
	}
	p.Created = fromMicros(created)
	if lastUsed != 0 {
		p.LastUsed = fromMicros(lastUsed)
	}
	return &p, nil
}

// Passkeys returns the passkeys of the user, oldest first.
func Passkeys(ctx context.Context, r Reader, user backrest.UserID) ([]*Passkey, error) {
	rows, err := r.Query(ctx, "SELECT "+passkeyColumns+" FROM passkeys WHERE user_id = ? ORDER BY id", user.String())
	if err != nil {
		return nil, fmt.Errorf("store: list passkeys: %w", err)
	}
	defer rows.Close()
	out := []*Passkey{}
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list passkeys: %w", err)
	}
	return out, nil
}

// PasskeyByCredentialID returns the passkey of a credential id, or ENOTFOUND.
func PasskeyByCredentialID(ctx context.Context, r Reader, credentialID string) (*Passkey, error) {
	return scanPasskey(r.QueryRow(ctx, "SELECT "+passkeyColumns+" FROM passkeys WHERE credential_id = ?", credentialID))
}

// UsePasskey records a sign-in with the passkey at now and its updated credential
// (its signature counter and flags).
func UsePasskey(ctx context.Context, tx *Tx, id int64, credential string, now time.Time) error {
	res, err := tx.Exec(ctx, "UPDATE passkeys SET credential = ?, last_used = ? WHERE id = ?", credential, micros(now), id)
	if err != nil {
		return fmt.Errorf("store: use passkey: %w", err)
	}
	return affected(res, "Passkey not found")
}

// DeletePasskey removes the user's passkey with the id; one that is not the
// user's is ENOTFOUND.
func DeletePasskey(ctx context.Context, tx *Tx, user backrest.UserID, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM passkeys WHERE id = ? AND user_id = ?", id, user.String())
	if err != nil {
		return fmt.Errorf("store: delete passkey: %w", err)
	}
	return affected(res, "Passkey not found")
}
