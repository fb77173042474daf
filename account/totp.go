package account

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// The TOTP second factor (RFC 6238: 6 digits, 30-second steps, SHA-1, as every
// authenticator app reads them). Once enabled, a password login is half a login
// (PendingLogin) until a code, or one of the recovery codes, completes it.

const (
	// totpPeriod is the time step of codes, in seconds.
	totpPeriod = 30
	// totpSkew is how many steps before and after the current one a code may be
	// of, for clocks that drift.
	totpSkew = 1
	// RecoveryCodes is how many recovery codes a user gets.
	RecoveryCodes = 10
	// SecondFactorTTL is how long a pending login waits for its second factor.
	SecondFactorTTL = 5 * time.Minute
	// ChallengeAttempts is how many wrong codes a pending login or a mailed code
	// takes before it dies.
	ChallengeAttempts = 5
)

// PendingLogin is the result of a login whose first factor was accepted and
// that waits for the second: it is returned as the error of Login and of the
// other ways of logging in, and no session exists yet. CompleteLogin with its
// Token finishes the login.
type PendingLogin struct {
	// Token names the pending login; the client sends it back with the code.
	Token string
	// Expires is when the pending login dies.
	Expires time.Time
}

// Error implements error.
func (p *PendingLogin) Error() string { return "second factor required" }

// IsPendingLogin returns the pending login that err is, if it is one.
func IsPendingLogin(err error) (*PendingLogin, bool) {
	var p *PendingLogin
	ok := errors.As(err, &p)
	return p, ok
}

// sealKey returns the AES-256 key that seals TOTP secrets at rest.
func (s *Service) sealKey() []byte { return s.tokens.key("totp secret") }

// seal encrypts a TOTP secret for the database, so that a copy of the database
// without the server secret does not give away second factors.
func (s *Service) seal(secret string) (string, error) {
	block, err := aes.NewCipher(s.sealKey())
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce) // never fails (crypto/rand)
	return base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(secret), nil)), nil
}

// open decrypts a sealed TOTP secret.
func (s *Service) open(sealed string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", fmt.Errorf("account: sealed totp secret: %w", err)
	}
	block, err := aes.NewCipher(s.sealKey())
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(raw) < gcm.NonceSize() {
		return "", errors.New("account: sealed totp secret too short")
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("account: sealed totp secret: %w (was the server secret changed?)", err)
	}
	return string(plain), nil
}

// codeStep returns the time step whose code is code for the secret at now, within
// the skew, or false.
func codeStep(secret, code string, now time.Time) (int64, bool, error) {
	cur := now.Unix() / totpPeriod
	found, step := false, int64(0)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((cur+d)*totpPeriod, 0),
			totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found, step = true, cur+d
		}
	}
	return step, found, nil
}

// checkCodeFormat records a code that is not 6 digits.
func checkCodeFormat(v *backrest.Validation, name string, code *string) {
	switch {
	case code == nil:
		v.Body(name, name+" is missing")
	case len(*code) != 6 || strings.Trim(*code, "0123456789") != "":
		v.Body(name, "Must be 6 digits")
	}
}

// errWrongCode is a code that is not the current one.
var errWrongCode = backrest.Invalid("code", "Invalid code")

// errReplayed is a code accepted before.
var errReplayed = backrest.Invalid("code", "This code was used already: wait for the next one")

// TOTPState is what a user sees of their second factor.
type TOTPState struct {
	// Enabled is true once the second factor is confirmed.
	Enabled bool
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int
}

// TOTPState returns the state of the session user's second factor.
func (s *Service) TOTPState(ctx context.Context, sess *Session) (TOTPState, error) {
	var st TOTPState
	t, err := store.UserTOTP(ctx, s.db, sess.User.ID)
	if err != nil || t == nil || !t.Enabled {
		return st, err
	}
	st.Enabled = true
	st.RecoveryCodesLeft, err = store.RecoveryCodesLeft(ctx, s.db, sess.User.ID)
	return st, err
}

// TOTPEnrollment is a new secret to put in an authenticator app.
type TOTPEnrollment struct {
	// Secret is the secret in base32, to type in.
	Secret string
	// URL is the otpauth:// URL of the secret, to show as a QR code.
	URL string
}

var errTOTPEnabled = backrest.Errorf(backrest.ECONFLICT, "The second factor is enabled already: disable it first")

// BeginTOTP makes a new secret for the session's user, after checking the
// password (not needed for a user who has none), and keeps it unconfirmed until
// ConfirmTOTP. It is shown this once; asking again replaces it. A user whose
// second factor is enabled gets ECONFLICT.
func (s *Service) BeginTOTP(ctx context.Context, sess *Session, password *string) (*TOTPEnrollment, error) {
	u := sess.User
	if u.PasswordHash != "" {
		var v backrest.Validation
		if err := s.verifyPassword(ctx, &v, u, "password", password); err != nil {
			return nil, err
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer(), AccountName: u.Email, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, err
	}
	sealed, err := s.seal(key.Secret())
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		ok, err := store.PutPendingTOTP(ctx, tx, u.ID, sealed, s.now())
		if err == nil && !ok {
			err = errTOTPEnabled
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &TOTPEnrollment{Secret: key.Secret(), URL: key.URL()}, nil
}

// issuer names the service in authenticator apps: the host of the base URL.
func (s *Service) issuer() string {
	if u, err := url.Parse(s.opts.BaseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "backrest"
}

// ConfirmTOTP enables the second factor begun with BeginTOTP when code is its
// current code, ends the user's other sessions, and returns the recovery codes,
// shown this once. Without a begun secret it is ECONFLICT.
func (s *Service) ConfirmTOTP(ctx context.Context, sess *Session, code *string) ([]string, error) {
	var v backrest.Validation
	checkCodeFormat(&v, "code", code)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u := sess.User
	t, err := store.UserTOTP(ctx, s.db, u.ID)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, backrest.Errorf(backrest.ECONFLICT, "Begin the enrollment first")
	}
	if t.Enabled {
		return nil, errTOTPEnabled
	}
	secret, err := s.open(t.Secret)
	if err != nil {
		return nil, err
	}
	step, ok, err := codeStep(secret, *code, s.now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errWrongCode
	}
	codes, hashes := s.newRecoveryCodes(u.ID)
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		ok, err := store.UseTOTPStep(ctx, tx, u.ID, t.Secret, step, true)
		if err != nil {
			return err
		}
		if !ok {
			return backrest.Errorf(backrest.ECONFLICT, "The enrollment changed meanwhile: begin again")
		}
		if err := store.SetRecoveryCodes(ctx, tx, u.ID, hashes); err != nil {
			return err
		}
		if err := store.DeleteUserSessions(ctx, tx, u.ID, sess.Hash); err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, u.ID, store.EventSessions, s.now())
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// recoveryEncoding spells recovery codes: lower-case base32, whose alphabet has
// no 0, 1 or 8 to mistake for o, l or b.
var recoveryEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newRecoveryCodes returns new recovery codes for the user (xxxxx-xxxxx, 50
// random bits each) and their hashes.
func (s *Service) newRecoveryCodes(user backrest.UserID) (codes, hashes []string) {
	for range RecoveryCodes {
		raw := make([]byte, 7)
		rand.Read(raw) // never fails (crypto/rand)
		c := recoveryEncoding.EncodeToString(raw)[:10]
		codes = append(codes, c[:5]+"-"+c[5:])
		hashes = append(hashes, s.recoveryHash(user, c))
	}
	return codes, hashes
}

// recoveryHash is the keyed hash of a recovery code as stored; code is in its
// normal form (see normalRecovery).
func (s *Service) recoveryHash(user backrest.UserID, code string) string {
	return s.tokens.Fingerprint("recovery\x00" + user.String() + "\x00" + code)
}

// normalRecovery returns a recovery code as typed in its normal form: lower
// case, without dashes and spaces.
func normalRecovery(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
}

// SecondFactor is what proves the second factor: a current code or a recovery
// code; nil fields were not given.
type SecondFactor struct {
	Code, RecoveryCode *string
}

// checkSecondFactor records input that is not a second factor: neither given,
// both given, or a code that is not 6 digits.
func checkSecondFactor(v *backrest.Validation, f SecondFactor) {
	switch {
	case f.Code == nil && f.RecoveryCode == nil:
		v.Body("code", "code or recovery_code is missing")
	case f.Code != nil && f.RecoveryCode != nil:
		v.Body("recovery_code", "Give code or recovery_code, not both")
	case f.Code != nil:
		checkCodeFormat(v, "code", f.Code)
	case len(*f.RecoveryCode) > 64:
		v.Body("recovery_code", "Invalid recovery code")
	}
}

// useSecondFactor checks f against the user's enabled second factor in tx and
// uses it up: the code's time step, or the recovery code. A wrong or replayed
// code is an EINVALID error on its field.
func (s *Service) useSecondFactor(ctx context.Context, tx *store.Tx, user backrest.UserID, f SecondFactor) error {
	if f.RecoveryCode != nil {
		ok, err := store.UseRecoveryCode(ctx, tx, user, s.recoveryHash(user, normalRecovery(*f.RecoveryCode)))
		if err == nil && !ok {
			err = backrest.Invalid("recovery_code", "Invalid recovery code")
		}
		return err
	}
	t, err := store.UserTOTP(ctx, tx, user)
	if err != nil {
		return err
	}
	if t == nil || !t.Enabled {
		return backrest.Invalid("code", "No second factor is enabled")
	}
	secret, err := s.open(t.Secret)
	if err != nil {
		return err
	}
	step, ok, err := codeStep(secret, *f.Code, s.now())
	if err != nil {
		return err
	}
	if !ok {
		return errWrongCode
	}
	if ok, err := store.UseTOTPStep(ctx, tx, user, t.Secret, step, false); err != nil || !ok {
		if err == nil {
			err = errReplayed
		}
		return err
	}
	return nil
}

// DisableTOTP removes the session user's second factor and recovery codes after
// checking a code, a recovery code or the password. A user without one gets
// ECONFLICT.
func (s *Service) DisableTOTP(ctx context.Context, sess *Session, f SecondFactor, password *string) error {
	u := sess.User
	var v backrest.Validation
	if password != nil && (f.Code != nil || f.RecoveryCode != nil) {
		v.Body("password", "Give a code or the password, not both")
	} else if password == nil {
		checkSecondFactor(&v, f)
	} else if err := s.verifyPassword(ctx, &v, u, "password", password); err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if password == nil {
			if err := s.useSecondFactor(ctx, tx, u.ID, f); err != nil {
				return err
			}
		}
		ok, err := store.DeleteTOTP(ctx, tx, u.ID)
		if err == nil && !ok {
			err = backrest.Errorf(backrest.ECONFLICT, "No second factor is enabled")
		}
		return err
	})
}

// ResetTOTP removes the second factor and recovery codes of the user with the
// id, for an admin (or the operator): the user logs in with the first factor
// alone again. It reports whether there was a second factor.
func (s *Service) ResetTOTP(ctx context.Context, caller *backrest.User, id backrest.UserID) (bool, error) {
	if err := RequireAdmin(caller); err != nil {
		return false, err
	}
	var had bool
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := store.User(ctx, tx, id); err != nil {
			return err
		}
		var err error
		had, err = store.DeleteTOTP(ctx, tx, id)
		if err != nil {
			return err
		}
		return store.DeleteUserChallenges(ctx, tx, id)
	})
	return had, err
}

// startLogin ends a login whose first factor u passed: a new session, or a
// PendingLogin (as the error) when u has a second factor enabled.
func (s *Service) startLogin(ctx context.Context, tx *store.Tx, u *backrest.User) (*Session, error) {
	enabled, err := store.TOTPEnabled(ctx, tx, u.ID)
	if err != nil {
		return nil, err
	}
	if !enabled {
		return s.newSession(ctx, tx, u)
	}
	token := randomToken()
	p := &PendingLogin{Token: token, Expires: s.now().Add(SecondFactorTTL)}
	err = store.CreateChallenge(ctx, tx, store.Challenge{IDHash: HashToken(token), User: u.ID, Kind: store.ChallengeTOTP,
		Expires: p.Expires}, s.now())
	if err != nil {
		return nil, err
	}
	return nil, p
}

// randomToken returns 32 random bytes in base64url.
func randomToken() string {
	raw := make([]byte, 32)
	rand.Read(raw) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(raw)
}

var errNoPending = backrest.Errorf(backrest.ENOTFOUND, "Login expired or unknown: log in again")

// PendingUser returns the id of the user of a pending login, so that the
// attempts to complete it can be counted for the user; an unknown, used or
// expired one is ENOTFOUND.
func (s *Service) PendingUser(ctx context.Context, token string) (backrest.UserID, error) {
	if token == "" || len(token) > 256 {
		return backrest.UserID{}, errNoPending
	}
	c, err := store.ChallengeByHash(ctx, s.db, store.ChallengeTOTP, HashToken(token), s.now())
	if err != nil {
		if backrest.ErrorCode(err) == backrest.ENOTFOUND {
			err = errNoPending
		}
		return backrest.UserID{}, err
	}
	return c.User, nil
}

// IsSecondFactorFailure reports whether err is a wrong or replayed code or
// recovery code, which counts against the rate limits like a failed login.
func IsSecondFactorFailure(err error) bool {
	var e *backrest.Error
	if !errors.As(err, &e) || e.Code != backrest.EINVALID || len(e.Fields) != 1 {
		return false
	}
	d := e.Fields[0].Description
	return d == "Invalid code" || d == "Invalid recovery code" || d == errReplayed.Fields[0].Description
}

// CompleteLogin completes the pending login of token with its second factor
// and starts the session. The pending login works once; each wrong code counts
// against it, and the ChallengeAttempts-th kills it (the user logs in again). An
// unknown, used, expired or killed one is ENOTFOUND.
func (s *Service) CompleteLogin(ctx context.Context, token string, f SecondFactor) (*Session, error) {
	var v backrest.Validation
	checkSecondFactor(&v, f)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if token == "" || len(token) > 256 {
		return nil, errNoPending
	}
	hash := HashToken(token)
	now := s.now()
	c, err := store.ChallengeByHash(ctx, s.db, store.ChallengeTOTP, hash, now)
	if err != nil {
		if backrest.ErrorCode(err) == backrest.ENOTFOUND {
			err = errNoPending
		}
		return nil, err
	}
	var sess *Session
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.useSecondFactor(ctx, tx, c.User, f); err != nil {
			return err
		}
		ok, err := store.TakeChallenge(ctx, tx, hash, now)
		if err != nil {
			return err
		}
		if !ok {
			return errNoPending
		}
		u, err := store.User(ctx, tx, c.User)
		if err != nil {
			return err
		}
		if !u.Active {
			return errNoPending
		}
		sess, err = s.newSession(ctx, tx, u)
		return err
	})
	if IsSecondFactorFailure(err) {
		ferr := s.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := store.FailChallenge(ctx, tx, hash, ChallengeAttempts)
			return err
		})
		if ferr != nil {
			return nil, ferr
		}
	}
	return sess, err
}

// firstFactorPassed starts the session of u, whose first factor was accepted, or
// returns the *PendingLogin of its second.
func (s *Service) firstFactorPassed(ctx context.Context, u *backrest.User) (*Session, error) {
	var sess *Session
	var pending error
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		pending = nil
		sess, err = s.startLogin(ctx, tx, u)
		if _, ok := IsPendingLogin(err); ok {
			// Commit the pending login, and return it after.
			pending, err = err, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if pending != nil {
		return nil, pending
	}
	return sess, nil
}
