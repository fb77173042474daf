// Package account holds backrest's account flows: sign-up with e-mail confirmation,
// login and sessions, password reset and change, e-mail change, profile and account
// deletion, sign-in with OpenID Connect providers (oidc.go) and passkeys
// (passkey.go), and the administration of users by admins (admin.go). It serves
// no HTTP (it only calls providers as a client): the http package calls it with typed inputs
// and maps its *backrest.Error results to responses, and the links of its mails come
// from a Links the wiring gives it. Its mails are queued in the transaction of the
// change they belong to (Mailer).
package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/mail"
	"github.com/backrest/backrest/store"
)

// Mail template names, as the mail package knows them.
const (
	MailSignup          = "signup"
	MailReset           = "reset"
	MailEmailChange     = "email_change"
	MailPasswordChanged = "password_changed"
	MailEmailChanged    = "email_changed"
	MailLoginCode       = "login_code"
)

// Mailer queues mails in the transaction of the change they belong to, so that a
// mail goes if and only if its change commits (mail.Queue).
type Mailer interface {
	// Send renders the template for the recipient with data and queues it in tx.
	Send(ctx context.Context, tx *store.Tx, template, to string, data any) error
	// Rehearse does the work of Send and queues nothing.
	Rehearse(ctx context.Context, tx *store.Tx, template, to string, data any) error
}

// Links builds the absolute URLs of the links that mails carry. The wiring gives
// the Service one whose paths are those the API serves.
type Links interface {
	// Signup is the link that confirms a sign-up with token.
	Signup(token string) string
	// Reset is the link that leads to choosing a new password with token.
	Reset(token string) string
	// EmailChange is the link that confirms an e-mail change with token.
	EmailChange(token string) string
	// LoginCode is the link of a mailed sign-in code with token.
	LoginCode(token string) string
}

// Redirects are where the browser goes after following a mailed link. Relative
// targets are resolved against Options.BaseURL; {token} is replaced by the token.
type Redirects struct {
	Signup, Reset, Email string
	// LoginCode is the page that completes a sign-in with a mailed link's token.
	LoginCode string
	// Signin is where a sign-in or a link with a provider leads, SigninError where
	// one that failed does, with {error} replaced by the reason (OIDCErr…).
	Signin, SigninError string
	// SigninPending is where a sign-in with a provider of a user with a second
	// factor leads, with {token} replaced by the pending login's token.
	SigninPending string
}

// Service runs the account flows on a database.
type Service struct {
	db     *store.DB
	hasher *Hasher
	tokens *Tokens
	mailer Mailer
	opts   Options
	now    func() time.Time
	oidc   *oidcProviders
	// webauthn is the relying party of passkeys.
	webauthn *webauthn.WebAuthn
	// sessionsCreated counts the sessions committed since the start.
	sessionsCreated atomic.Uint64
}

// SessionsCreated returns the number of sessions started (log-ins and confirmed
// sign-ups) since the Service was made.
func (s *Service) SessionsCreated() uint64 { return s.sessionsCreated.Load() }

// Options configure a Service.
type Options struct {
	// Secret signs the tokens of mailed links; it must be set.
	Secret string
	// BaseURL is the public URL of the application, for redirects and mails.
	BaseURL string
	// Links builds the links of mails; it must be set.
	Links Links
	// OIDC are the OpenID Connect providers users may sign in with, and
	// OIDCCallback gives the URL a provider sends the browser back to.
	OIDC         []backrest.OIDCProvider
	OIDCCallback func(provider string) string
	// Redirects are where confirmed links lead.
	Redirects Redirects
	// PasswordMinLength is the shortest password accepted.
	PasswordMinLength int
	// Argon2 holds the password hash parameters.
	Argon2 backrest.Argon2Params
	// HashConcurrency bounds how many password hashes run at once.
	HashConcurrency int
	// SignupTTL, ResetTTL and EmailTTL are how long mailed links work.
	SignupTTL, ResetTTL, EmailTTL time.Duration
	// LoginCodeTTL is how long a mailed sign-in code and link work.
	LoginCodeTTL time.Duration
	// SessionTTL is how long a session lasts without use.
	SessionTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ReserveProcs gives each password hash a Go processor of its own while it
	// runs; see Hasher.ReserveProcs. For one Service of a program only.
	ReserveProcs bool
	// BeforeDeleteUser, when set, runs in the transaction that deletes the user
	// id (by caller), before the user's row goes; an error refuses the deletion.
	BeforeDeleteUser func(ctx context.Context, tx *store.Tx, caller *backrest.User, id backrest.UserID) error
}

// NewService returns a Service sending its mails with mailer.
func NewService(db *store.DB, mailer Mailer, opts Options) (*Service, error) {
	if opts.Secret == "" {
		return nil, errors.New("account: no secret")
	}
	if opts.Links == nil {
		return nil, errors.New("account: no link builder")
	}
	h, err := NewHasher(opts.Argon2, opts.HashConcurrency)
	if err != nil {
		return nil, err
	}
	if opts.ReserveProcs {
		h.ReserveProcs()
	}
	s := &Service{db: db, hasher: h, tokens: NewTokens(opts.Secret), mailer: mailer, opts: opts,
		now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	s.oidc = newOIDCProviders(opts.OIDC, opts.OIDCCallback)
	if s.webauthn, err = newWebAuthn(opts.BaseURL); err != nil {
		return nil, err
	}
	return s, nil
}

// Tokens returns the signer of mailed tokens.
func (s *Service) Tokens() *Tokens { return s.tokens }

// Close stops the password hashing workers.
func (s *Service) Close() { s.hasher.Close() }

// Hasher returns the password hasher.
func (s *Service) Hasher() *Hasher { return s.hasher }

// maxPasswordBytes bounds what is hashed; longer passwords are refused.
const maxPasswordBytes = 1024

// maxNameLength bounds first and last names, in characters.
const maxNameLength = 200

// ValidEmail reports whether s is a plain e-mail address (no display name, no
// angle brackets), at most 254 bytes long.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1
}

// checkPassword records why a new password is not acceptable, if it is not.
func (s *Service) checkPassword(v *backrest.Validation, name string, password *string) {
	switch {
	case password == nil:
		v.Body(name, name+" is missing")
	case utf8.RuneCountInString(*password) < s.opts.PasswordMinLength:
		v.Body(name, fmt.Sprintf("Password must be at least %d characters long", s.opts.PasswordMinLength))
	case len(*password) > maxPasswordBytes:
		v.Body(name, fmt.Sprintf("Password must be at most %d bytes long", maxPasswordBytes))
	}
}

func checkName(v *backrest.Validation, name string, value *string) {
	if value != nil && utf8.RuneCountInString(*value) > maxNameLength {
		v.Body(name, fmt.Sprintf("Must be at most %d characters long", maxNameLength))
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// redirect resolves a configured redirect target against the base URL and puts the
// token in place of {token}.
func (s *Service) redirect(target, token string) string {
	target = strings.ReplaceAll(target, "{token}", url.PathEscape(token))
	base, err := url.Parse(s.opts.BaseURL)
	if err != nil {
		return target
	}
	ref, err := url.Parse(target)
	if err != nil {
		return target
	}
	return base.ResolveReference(ref).String()
}

func (s *Service) mailData(u *backrest.User, link string) mail.Data {
	return mail.Data{Link: link, Email: u.Email, Firstname: u.Firstname, AppName: "backrest", BaseURL: s.opts.BaseURL}
}

// SignupInput is what a sign-up gives; nil fields were not given.
type SignupInput struct {
	Email, Password, Firstname, Lastname *string
}

// Signup creates an inactive user and queues the mail with the confirmation link,
// in one transaction. It sets no session. A sign-up of an address that is still
// unconfirmed replaces the pending one (address spelling, password, names) and
// mails a new link; the earlier links die.
func (s *Service) Signup(ctx context.Context, in SignupInput) error {
	email, password, firstname, lastname := in.Email, in.Password, in.Firstname, in.Lastname
	var v backrest.Validation
	if email == nil || !ValidEmail(*email) {
		v.Body("email", "Invalid email address")
	} else if u, err := store.UserByEmail(ctx, s.db, *email); err == nil && u.Active {
		v.Body("email", "Email already exists")
	} else if err != nil && backrest.ErrorCode(err) != backrest.ENOTFOUND {
		return err
	}
	s.checkPassword(&v, "password", password)
	checkName(&v, "firstname", firstname)
	checkName(&v, "lastname", lastname)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, *password)
	if err != nil {
		return err
	}
	u := &backrest.User{Email: *email, Firstname: deref(firstname), Lastname: deref(lastname), PasswordHash: hash}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := createPending(ctx, tx, u, s.now()); err != nil {
			return err
		}
		return s.queueSignup(ctx, tx, u)
	})
}

// createPending stores the unconfirmed user u at now, replacing an unconfirmed user
// with the address. An active user with the address gives store.ErrEmailTaken.
func createPending(ctx context.Context, tx *store.Tx, u *backrest.User, now time.Time) error {
	// Two rounds: a concurrent sign-up of the address may insert it between the
	// replacement and the insertion of this one, which then replaces that one.
	for range 2 {
		if replaced, err := store.ReplacePendingUser(ctx, tx, u, now); err != nil || replaced {
			return err
		}
		if err := store.CreateUser(ctx, tx, u, now); err != store.ErrEmailTaken {
			return err
		}
	}
	return store.ErrEmailTaken
}

// signupState is the state a sign-up token is bound to: the pending user's address
// and password hash, which a later sign-up of the address replaces.
func (s *Service) signupState(u *backrest.User) string {
	return s.tokens.Fingerprint("signup\x00" + store.EmailKey(u.Email) + "\x00" + u.PasswordHash)
}

// queueSignup queues in tx the mail with the confirmation link of the pending user u.
func (s *Service) queueSignup(ctx context.Context, tx *store.Tx, u *backrest.User) error {
	token := s.tokens.Sign(Claims{Purpose: PurposeSignup, User: u.ID.String(), Expires: s.now().Add(s.opts.SignupTTL).Unix(),
		State: s.signupState(u)})
	return s.mailer.Send(ctx, tx, MailSignup, u.Email, s.mailData(u, s.opts.Links.Signup(token)))
}

// DeleteExpiredSignups removes the unconfirmed users whose latest confirmation link
// has expired, and returns how many it removed.
func (s *Service) DeleteExpiredSignups(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		n, err = store.DeletePendingUsers(ctx, tx, s.now().Add(-s.opts.SignupTTL))
		return err
	})
	return n, err
}

// humanDuration renders d for a mail, such as "1 hour" or "90 minutes".
func humanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int64(d/time.Minute), "minute")
	}
	return plural(int64(d/time.Second), "second")
}

// Session is a logged-in session.
type Session struct {
	// Token is the secret the client holds (cookie or bearer token).
	Token string
	// Hash identifies the session in the database.
	Hash string
	// ID names the session in the lists of devices.
	ID      string
	User    *backrest.User
	Expires time.Time
}

// HashToken returns the database form of a session token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newSession records a new session for u in tx.
func (s *Service) newSession(ctx context.Context, tx *store.Tx, u *backrest.User) (*Session, error) {
	token := randomToken()
	now := s.now()
	sess := &Session{Token: token, Hash: HashToken(token), ID: sessionID(), User: u, Expires: now.Add(s.opts.SessionTTL)}
	c := clientOf(ctx)
	rec := store.SessionRecord{ID: sess.ID, Created: now, LastUsed: now, Expires: sess.Expires, ClientAddr: c.Addr, UserAgent: c.UserAgent}
	if err := store.CreateSession(ctx, tx, sess.Hash, u.ID, rec); err != nil {
		return nil, err
	}
	tx.OnCommit(func(context.Context) error {
		s.sessionsCreated.Add(1)
		return nil
	})
	return sess, nil
}

// ConfirmSignup activates the user of a sign-up token and, when login is set, logs
// them in. It returns the new session (nil without login) and where to send the
// browser. A bad token, or one of a sign-up that a later one replaced, is
// ENOTFOUND; one used before EFORBIDDEN.
func (s *Service) ConfirmSignup(ctx context.Context, token string, login bool) (*Session, string, error) {
	c, err := s.tokens.Verify(token, PurposeSignup, s.now())
	if err != nil {
		return nil, "", err
	}
	id, ok := backrest.ParseUserID(c.User)
	if !ok {
		return nil, "", errBadToken
	}
	var sess *Session
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		u, err := store.User(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.State != s.signupState(u) {
			return errBadToken
		}
		changed, err := store.ActivateUser(ctx, tx, id, s.now(), u.PasswordHash)
		if err != nil {
			return err
		}
		if !changed {
			return backrest.Errorf(backrest.EFORBIDDEN, "This sign-up link was used before")
		}
		u.Active, u.Confirmed = true, true
		if !login {
			return nil
		}
		sess, err = s.newSession(ctx, tx, u)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return sess, s.redirect(s.opts.Redirects.Signup, ""), nil
}

var errLoginFailed = backrest.Invalid("login", "Login failed")

// IsLoginFailure reports whether err is the failure of a login (wrong address or
// password, or an inactive account), as opposed to bad input or a server error.
func IsLoginFailure(err error) bool { return err == errLoginFailed }

// Login checks the address and password and starts a new session. Every failure is
// the same EINVALID error on "login", and costs the same hashing time. For a user
// with a second factor, the error is a *PendingLogin instead, and no session
// starts (see CompleteLogin).
func (s *Service) Login(ctx context.Context, login, password string) (*Session, error) {
	u, err := store.UserByEmail(ctx, s.db, login)
	if err != nil && backrest.ErrorCode(err) != backrest.ENOTFOUND {
		return nil, err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.hasher.Verify(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil || !u.Active {
		return nil, errLoginFailed
	}
	return s.firstFactorPassed(ctx, u)
}

// Authenticate returns the session of a token, extending it when less than half of
// its lifetime is left. An unknown or expired token is ENOTFOUND. The use is
// recorded (with the client of ctx, see WithClient) when the last one recorded is
// a minute old or more, so that a session costs a write a minute at most.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 256 {
		return nil, backrest.Errorf(backrest.ENOTFOUND, "No session")
	}
	hash := HashToken(token)
	now := s.now()
	u, rec, err := store.SessionUser(ctx, s.db, hash, now)
	if err != nil {
		return nil, err
	}
	sess := &Session{Token: token, Hash: hash, ID: rec.ID, User: u, Expires: rec.Expires}
	extend := rec.Expires.Sub(now) < s.opts.SessionTTL/2
	if extend {
		sess.Expires = now.Add(s.opts.SessionTTL)
	}
	if extend || now.Sub(rec.LastUsed) >= LastUsedPrecision {
		c := clientOf(ctx)
		if err := store.TouchSession(ctx, s.db, hash, now, sess.Expires, c.Addr, c.UserAgent); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, sess *Session) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.DeleteSession(ctx, tx, sess.Hash); err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, sess.User.ID, store.EventSessions, s.now())
	})
}

// RequestReset queues a mail with a reset link to an active user with the address,
// or with the confirmation link again to an unconfirmed one (restarting its time to
// live). Unknown addresses get no mail and no error, and the same work is done for
// them (a token signed, a mail rendered, written and dropped in a transaction), so
// that neither the answer nor its time tells them apart.
func (s *Service) RequestReset(ctx context.Context, email *string) error {
	if email == nil || !ValidEmail(*email) {
		return backrest.Invalid("email", "Invalid email address")
	}
	u, err := store.UserByEmail(ctx, s.db, *email)
	if err != nil && backrest.ErrorCode(err) != backrest.ENOTFOUND {
		return err
	}
	if err == nil && !u.Active {
		return s.db.InTx(ctx, func(tx *store.Tx) error {
			touched, err := store.TouchPendingUser(ctx, tx, u.ID, u.PasswordHash, s.now())
			if err != nil || !touched {
				// Not touched: confirmed, replaced or removed meanwhile.
				return err
			}
			return s.queueSignup(ctx, tx, u)
		})
	}
	known := err == nil
	if !known {
		u = &backrest.User{Email: *email}
	}
	data := s.resetMail(u)
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if !known {
			return s.mailer.Rehearse(ctx, tx, MailReset, u.Email, data)
		}
		return s.mailer.Send(ctx, tx, MailReset, u.Email, data)
	})
}

// resetMail is the data of the mail with a reset link for u.
func (s *Service) resetMail(u *backrest.User) mail.Data {
	token := s.tokens.Sign(Claims{Purpose: PurposeReset, User: u.ID.String(),
		Expires: s.now().Add(s.opts.ResetTTL).Unix(), State: s.resetState(u)})
	data := s.mailData(u, s.opts.Links.Reset(token))
	data.Expires = humanDuration(s.opts.ResetTTL)
	return data
}

// resetUser returns the user of a valid, unused reset token.
func (s *Service) resetUser(ctx context.Context, r store.Reader, token string) (*backrest.User, error) {
	c, err := s.tokens.Verify(token, PurposeReset, s.now())
	if err != nil {
		return nil, err
	}
	id, ok := backrest.ParseUserID(c.User)
	if !ok {
		return nil, errBadToken
	}
	u, err := store.User(ctx, r, id)
	if err != nil {
		return nil, errBadToken
	}
	if !u.Active || c.State != s.resetState(u) {
		return nil, errBadToken
	}
	return u, nil
}

// resetState is the state a reset token is bound to: the user's password hash and
// address, so that a reset link dies with a password or an e-mail change.
func (s *Service) resetState(u *backrest.User) string {
	return s.tokens.Fingerprint("reset\x00" + store.EmailKey(u.Email) + "\x00" + u.PasswordHash)
}

// ResetRedirect checks a reset token and returns where the browser goes to choose
// a new password.
func (s *Service) ResetRedirect(ctx context.Context, token string) (string, error) {
	if _, err := s.resetUser(ctx, s.db, token); err != nil {
		return "", err
	}
	return s.redirect(s.opts.Redirects.Reset, token), nil
}

// Reset sets a new password with a reset token and ends all of the user's sessions.
func (s *Service) Reset(ctx context.Context, token string, password *string) error {
	u, err := s.resetUser(ctx, s.db, token)
	if err != nil {
		return err
	}
	var v backrest.Validation
	s.checkPassword(&v, "password", password)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, *password)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		changed, err := store.ReplacePassword(ctx, tx, u.ID, s.now(), u.PasswordHash, u.Email, hash)
		if err != nil {
			return err
		}
		if !changed {
			return errBadToken
		}
		if err := store.DeleteUserSessions(ctx, tx, u.ID, ""); err != nil {
			return err
		}
		if err := s.mailer.Send(ctx, tx, MailPasswordChanged, u.Email, s.mailData(u, s.opts.BaseURL)); err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, u.ID, store.EventSessions, s.now())
	})
}

// verifyPassword records a mismatch of password against u's on field name.
func (s *Service) verifyPassword(ctx context.Context, v *backrest.Validation, u *backrest.User, name string, password *string) error {
	if password == nil {
		v.Body(name, name+" is missing")
		return nil
	}
	ok, err := s.hasher.Verify(ctx, u.PasswordHash, *password)
	if err != nil {
		return err
	}
	if !ok {
		v.Body(name, "Password does not match")
	}
	return nil
}

// PasswordChange is what a password change gives; nil fields were not given.
type PasswordChange struct {
	// Current is the password in force, needed when the user has one.
	Current *string
	// Password is the new password.
	Password *string
}

// ChangePassword sets a new password for the session's user after checking the
// current one (not needed for a user who has none) and ends the user's other
// sessions.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, in PasswordChange) error {
	current, password := in.Current, in.Password
	u := sess.User
	var v backrest.Validation
	if u.PasswordHash != "" {
		if err := s.verifyPassword(ctx, &v, u, "current", current); err != nil {
			return err
		}
	}
	s.checkPassword(&v, "password", password)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, *password)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.SetPassword(ctx, tx, u.ID, s.now(), hash); err != nil {
			return err
		}
		if err := store.DeleteUserSessions(ctx, tx, u.ID, sess.Hash); err != nil {
			return err
		}
		if err := s.mailer.Send(ctx, tx, MailPasswordChanged, u.Email, s.mailData(u, s.opts.BaseURL)); err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, u.ID, store.EventSessions, s.now())
	})
}

// EmailChange is what a request to change the e-mail address gives; nil fields
// were not given.
type EmailChange struct {
	// Email is the new address.
	Email *string
	// Password is the user's password, which confirms the request; a user who has
	// none gives none.
	Password *string
}

// RequestEmailChange mails a confirmation link to the new address, after checking
// the password (not needed for a user who has none, as for a password change). Asking for the current address changes nothing and sends nothing.
// Only an active user's address is taken: an unconfirmed sign-up of the address
// does not block the change, nor does another pending change to it.
func (s *Service) RequestEmailChange(ctx context.Context, sess *Session, in EmailChange) error {
	email, password := in.Email, in.Password
	u := sess.User
	var v backrest.Validation
	if email == nil || !ValidEmail(*email) {
		v.Body("email", "Invalid email address")
	} else if store.EmailKey(*email) != store.EmailKey(u.Email) {
		if other, err := store.UserByEmail(ctx, s.db, *email); err == nil && other.Active {
			v.Body("email", "Email already exists")
		} else if err != nil && backrest.ErrorCode(err) != backrest.ENOTFOUND {
			return err
		}
	}
	if u.PasswordHash != "" {
		if err := s.verifyPassword(ctx, &v, u, "password", password); err != nil {
			return err
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if *email == u.Email {
		return nil
	}
	token := s.tokens.Sign(Claims{Purpose: PurposeEmail, User: u.ID.String(), Expires: s.now().Add(s.opts.EmailTTL).Unix(),
		State: s.tokens.Fingerprint(store.EmailKey(u.Email)), Extra: *email})
	data := s.mailData(u, s.opts.Links.EmailChange(token))
	data.NewEmail = *email
	return s.db.InTx(ctx, func(tx *store.Tx) error { return s.mailer.Send(ctx, tx, MailEmailChange, *email, data) })
}

// ConfirmEmailChange sets the address of an e-mail change token, which must belong
// to the session's user, ends the user's other sessions and tells the previous
// address. An unconfirmed sign-up of the new address is removed: the link proved
// the mailbox. It returns where to send the browser.
func (s *Service) ConfirmEmailChange(ctx context.Context, sess *Session, token string) (string, error) {
	c, err := s.tokens.Verify(token, PurposeEmail, s.now())
	if err != nil {
		return "", err
	}
	if sess == nil || c.User != sess.User.ID.String() {
		return "", backrest.Errorf(backrest.EFORBIDDEN, "Log in as the user who asked for the change")
	}
	u := sess.User
	if c.State != s.tokens.Fingerprint(store.EmailKey(u.Email)) || !ValidEmail(c.Extra) {
		return "", errBadToken
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if store.EmailKey(c.Extra) != store.EmailKey(u.Email) {
			if err := store.DeletePendingEmail(ctx, tx, c.Extra); err != nil {
				return err
			}
		}
		changed, err := store.ReplaceEmail(ctx, tx, u.ID, s.now(), u.Email, c.Extra)
		if err != nil {
			return err
		}
		if !changed {
			return errBadToken
		}
		if err := store.DeleteUserSessions(ctx, tx, u.ID, sess.Hash); err != nil {
			return err
		}
		data := s.mailData(u, s.opts.BaseURL)
		data.NewEmail = c.Extra
		if err := s.mailer.Send(ctx, tx, MailEmailChanged, u.Email, data); err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, u.ID, store.EventProfile, s.now())
	})
	if err != nil {
		return "", err
	}
	return s.redirect(s.opts.Redirects.Email, ""), nil
}

// Profile returns the caller's user, or with email set (admins only) another's.
func (s *Service) Profile(ctx context.Context, caller *backrest.User, email string) (*backrest.User, error) {
	if email == "" {
		return caller, nil
	}
	if !caller.IsAdmin() {
		return nil, backrest.Errorf(backrest.EFORBIDDEN, "Only admins may read other users' profiles")
	}
	return store.UserByEmail(ctx, s.db, email)
}

// ProfileInput is a change of a user's names; a nil field keeps the name.
type ProfileInput struct {
	Firstname, Lastname *string
}

// UpdateProfile changes the names that are given (nil keeps a name).
func (s *Service) UpdateProfile(ctx context.Context, caller *backrest.User, in ProfileInput) error {
	firstname, lastname := in.Firstname, in.Lastname
	var v backrest.Validation
	checkName(&v, "firstname", firstname)
	checkName(&v, "lastname", lastname)
	if err := v.Err(); err != nil {
		return err
	}
	first, last := caller.Firstname, caller.Lastname
	if firstname != nil {
		first = *firstname
	}
	if lastname != nil {
		last = *lastname
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.SetProfile(ctx, tx, caller.ID, s.now(), first, last); err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, caller.ID, store.EventProfile, s.now())
	})
}

// DeleteAccount deletes the caller's account and sessions after checking the
// password. A user who has none (one who signs in with a provider or a passkey)
// gives none, as for a password change.
func (s *Service) DeleteAccount(ctx context.Context, caller *backrest.User, password *string) error {
	if caller.PasswordHash != "" {
		var v backrest.Validation
		if err := s.verifyPassword(ctx, &v, caller, "password", password); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error { return s.deleteUser(ctx, tx, caller, caller.ID) })
}

// deleteUser deletes the user id in tx, after Options.BeforeDeleteUser, and
// logs the end of its sessions for the change feed.
func (s *Service) deleteUser(ctx context.Context, tx *store.Tx, caller *backrest.User, id backrest.UserID) error {
	if s.opts.BeforeDeleteUser != nil {
		if err := s.opts.BeforeDeleteUser(ctx, tx, caller, id); err != nil {
			return err
		}
	}
	if err := store.DeleteUser(ctx, tx, id); err != nil {
		return err
	}
	return store.InsertAccountEvent(ctx, tx, id, store.EventSessions, s.now())
}

// NewUser describes a user made by an operator (backrest user add).
type NewUser struct {
	Email, Password, Firstname, Lastname string
	Roles                                []string
	Inactive                             bool
}

// AddUser creates a user directly, active unless asked otherwise, with no mail. An
// empty password makes a user who cannot log in until a reset. An unconfirmed
// sign-up of the address is replaced.
func (s *Service) AddUser(ctx context.Context, n NewUser) (*backrest.User, error) {
	var v backrest.Validation
	if !ValidEmail(n.Email) {
		v.Body("email", "Invalid email address")
	}
	if n.Password != "" {
		s.checkPassword(&v, "password", &n.Password)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u := &backrest.User{Email: n.Email, Firstname: n.Firstname, Lastname: n.Lastname, Roles: n.Roles, Active: !n.Inactive}
	if n.Password != "" {
		hash, err := s.hasher.Hash(ctx, n.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.DeletePendingEmail(ctx, tx, u.Email); err != nil {
			return err
		}
		return store.CreateUser(ctx, tx, u, s.now())
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteExpiredSessions removes sessions past their expiry, and the half-done
// logins (pending second factors, mailed codes) past theirs.
func (s *Service) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = store.DeleteExpiredSessions(ctx, tx, s.now()); err != nil {
			return err
		}
		_, err = store.DeleteExpiredChallenges(ctx, tx, s.now())
		return err
	})
	return n, err
}
