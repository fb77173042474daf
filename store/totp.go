package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backrest/backrest"
)

// TOTP is a user's second factor as stored.
type TOTP struct {
	// Secret is the sealed secret (the account package seals and opens it).
	Secret string
	// Enabled is true once a first code confirmed the secret.
	Enabled bool
	// LastStep is the time step of the last code accepted.
	LastStep int64
}

// UserTOTP returns the second factor of the user, or nil when there is none.
func UserTOTP(ctx context.Context, r Reader, user backrest.UserID) (*TOTP, error) {
	var (
		t       TOTP
		enabled int64
	)
	err := r.QueryRow(ctx, "SELECT secret, enabled, last_step FROM user_totp WHERE user_id = ?", user.String()).
		Scan(&t.Secret, &enabled, &t.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read totp: %w", err)
	}
	t.Enabled = enabled != 0
	return &t, nil
}

// TOTPEnabled reports whether the user has a confirmed second factor.
func TOTPEnabled(ctx context.Context, r Reader, user backrest.UserID) (bool, error) {
	t, err := UserTOTP(ctx, r, user)
	return t != nil && t.Enabled, err
}

// PutPendingTOTP stores an unconfirmed secret for the user, replacing an
// unconfirmed one. It reports false, storing nothing, when the user has a
// confirmed one.
func PutPendingTOTP(ctx context.Context, tx *Tx, user backrest.UserID, secret string, now time.Time) (bool, error) {
	res, err := tx.Exec(ctx, `INSERT INTO user_totp (user_id, secret, enabled, last_step, created) VALUES (?, ?, 0, 0, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created = excluded.created WHERE user_totp.enabled = 0`,
		user.String(), secret, micros(now))
	if err != nil {
		return false, fmt.Errorf("store: put totp: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UseTOTPStep records that the code of the time step was accepted for the user,
// enabling the second factor when enable is set (else it must be enabled). It
// reports false when a code of this step or a later one was accepted before (a
// replay), or when the secret is not secret (it changed meanwhile).
func UseTOTPStep(ctx context.Context, tx *Tx, user backrest.UserID, secret string, step int64, enable bool) (bool, error) {
	want := 1
	if enable {
		want = 0
	}
	res, err := tx.Exec(ctx, "UPDATE user_totp SET last_step = ?, enabled = 1 WHERE user_id = ? AND secret = ? AND enabled = ? AND last_step < ?",
		step, user.String(), secret, want, step)
	if err != nil {
		return false, fmt.Errorf("store: use totp: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteTOTP removes the user's second factor and recovery codes, and reports
// whether there was a second factor.
func DeleteTOTP(ctx context.Context, tx *Tx, user backrest.UserID) (bool, error) {
	if _, err := tx.Exec(ctx, "DELETE FROM totp_recovery_codes WHERE user_id = ?", user.String()); err != nil {
		return false, fmt.Errorf("store: delete recovery codes: %w", err)
	}
	res, err := tx.Exec(ctx, "DELETE FROM user_totp WHERE user_id = ?", user.String())
	if err != nil {
		return false, fmt.Errorf("store: delete totp: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetRecoveryCodes replaces the user's recovery codes with those of the hashes.
func SetRecoveryCodes(ctx context.Context, tx *Tx, user backrest.UserID, hashes []string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM totp_recovery_codes WHERE user_id = ?", user.String()); err != nil {
		return fmt.Errorf("store: set recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := tx.Exec(ctx, "INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES (?, ?)", user.String(), h); err != nil {
			return fmt.Errorf("store: set recovery codes: %w", err)
		}
	}
	return nil
}

// UseRecoveryCode deletes the user's recovery code of the hash, and reports
// whether there was one: a code works once.
func UseRecoveryCode(ctx context.Context, tx *Tx, user backrest.UserID, hash string) (bool, error) {
	res, err := tx.Exec(ctx, "DELETE FROM totp_recovery_codes WHERE user_id = ? AND code_hash = ?", user.String(), hash)
	if err != nil {
		return false, fmt.Errorf("store: use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecoveryCodesLeft returns how many unused recovery codes the user has.
func RecoveryCodesLeft(ctx context.Context, r Reader, user backrest.UserID) (int, error) {
	var n int
	if err := r.QueryRow(ctx, "SELECT count(*) FROM totp_recovery_codes WHERE user_id = ?", user.String()).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count recovery codes: %w", err)
	}
	return n, nil
}
