package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Sign-in by mailed code or link, for users without a password (or who forgot
// it): a request mails a short code and a link; either completes a login once,
// within Options.LoginCodeTTL, through the second factor when the user has one.

// LoginCodeDigits is the length of a mailed sign-in code.
const LoginCodeDigits = 8

// errBadLoginCode is every failure of a mailed code: wrong, used, expired, or of
// an address without an account.
var errBadLoginCode = backrest.Invalid("code", "Invalid or expired code")

// IsLoginCodeFailure reports whether err is the failure of a mailed code or
// link, which counts against the rate limits like a failed login.
func IsLoginCodeFailure(err error) bool { return err == errBadLoginCode || err == errBadLink }

// newLoginCode returns a random code of LoginCodeDigits digits.
func newLoginCode() string {
	max := big.NewInt(1)
	for range LoginCodeDigits {
		max.Mul(max, big.NewInt(10))
	}
	n, _ := rand.Int(rand.Reader, max) // never fails (crypto/rand)
	return fmt.Sprintf("%0*d", LoginCodeDigits, n)
}

// loginCodeHash is the keyed hash of a mailed code as stored, bound to its
// challenge.
func (s *Service) loginCodeHash(idHash, code string) string {
	return s.tokens.Fingerprint("login code\x00" + idHash + "\x00" + code)
}

// RequestLoginCode mails a sign-in code and link to the active user with the
// address; a new request kills the earlier code and link. Other addresses
// (unknown, or not active) get no mail and no error, after the same work but
// for the row of the code (a code drawn, a mail rendered, written and dropped in
// a transaction), so that neither the answer nor its time tells them apart. A malformed address is
// EINVALID.
func (s *Service) RequestLoginCode(ctx context.Context, email *string) error {
	if email == nil || !ValidEmail(*email) {
		return backrest.Invalid("email", "Invalid email address")
	}
	u, err := store.UserByEmail(ctx, s.db, *email)
	if err != nil && backrest.ErrorCode(err) != backrest.ENOTFOUND {
		return err
	}
	known := err == nil && u.Active
	if !known {
		u = &backrest.User{Email: *email}
	}
	token, code := randomToken(), newLoginCode()
	idHash := HashToken(token)
	c := store.Challenge{IDHash: idHash, User: u.ID, Kind: store.ChallengeMail, CodeHash: s.loginCodeHash(idHash, code),
		Expires: s.now().Add(s.opts.LoginCodeTTL)}
	data := s.mailData(u, s.opts.Links.LoginCode(token))
	data.Code, data.Expires = code, humanDuration(s.opts.LoginCodeTTL)
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if !known {
			return s.mailer.Rehearse(ctx, tx, MailLoginCode, u.Email, data)
		}
		if err := store.CreateChallenge(ctx, tx, c, s.now()); err != nil {
			return err
		}
		return s.mailer.Send(ctx, tx, MailLoginCode, u.Email, data)
	})
}

// LoginCodeRedirect checks the token of a mailed sign-in link, without using
// it, and returns the page that completes the sign-in with it: following the
// link (which a mail scanner may do) does not sign in by itself.
func (s *Service) LoginCodeRedirect(ctx context.Context, token string) (string, error) {
	if len(token) > 256 {
		return "", errBadToken
	}
	if _, err := store.ChallengeByHash(ctx, s.db, store.ChallengeMail, HashToken(token), s.now()); err != nil {
		if backrest.ErrorCode(err) == backrest.ENOTFOUND {
			err = errBadToken
		}
		return "", err
	}
	return s.redirect(s.opts.Redirects.LoginCode, token), nil
}

// LoginCodeInput completes a sign-in by mail: the address and the code, or the
// token of the link; nil fields were not given.
type LoginCodeInput struct {
	Email, Code, Link *string
}

// checkLoginCodeInput records input that completes no sign-in by mail.
func checkLoginCodeInput(v *backrest.Validation, in LoginCodeInput) {
	switch {
	case in.Link != nil && (in.Email != nil || in.Code != nil):
		v.Body("link", "Give link, or email and code, not both")
	case in.Link != nil:
		if *in.Link == "" || len(*in.Link) > 256 {
			v.Body("link", "Invalid link")
		}
	default:
		if in.Email == nil || !ValidEmail(*in.Email) {
			v.Body("email", "Invalid email address")
		}
		switch {
		case in.Code == nil:
			v.Body("code", "code is missing")
		case len(strings.TrimSpace(*in.Code)) != LoginCodeDigits || strings.Trim(strings.TrimSpace(*in.Code), "0123456789") != "":
			v.Body("code", fmt.Sprintf("Must be %d digits", LoginCodeDigits))
		}
	}
}

// LoginWithCode completes a sign-in by mail with the address and code, or the
// link's token, and starts the session; for a user with a second factor it
// returns a *PendingLogin as the error instead (see Login). Code and link work
// once; each wrong code counts against the challenge, and the
// ChallengeAttempts-th kills it. Every failure is the same EINVALID error on
// "code" (a dead link, on "link").
func (s *Service) LoginWithCode(ctx context.Context, in LoginCodeInput) (*Session, error) {
	var v backrest.Validation
	checkLoginCodeInput(&v, in)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var c *store.Challenge
	if in.Link != nil {
		var err error
		c, err = store.ChallengeByHash(ctx, s.db, store.ChallengeMail, HashToken(*in.Link), now)
		if backrest.ErrorCode(err) == backrest.ENOTFOUND {
			return nil, errBadLink
		} else if err != nil {
			return nil, err
		}
	} else {
		u, err := store.UserByEmail(ctx, s.db, *in.Email)
		if backrest.ErrorCode(err) == backrest.ENOTFOUND {
			return nil, errBadLoginCode
		} else if err != nil {
			return nil, err
		}
		c, err = store.UserChallenge(ctx, s.db, store.ChallengeMail, u.ID, now)
		if backrest.ErrorCode(err) == backrest.ENOTFOUND {
			return nil, errBadLoginCode
		} else if err != nil {
			return nil, err
		}
		if s.loginCodeHash(c.IDHash, strings.TrimSpace(*in.Code)) != c.CodeHash {
			err := s.db.InTx(ctx, func(tx *store.Tx) error {
				_, err := store.FailChallenge(ctx, tx, c.IDHash, ChallengeAttempts)
				return err
			})
			if err != nil {
				return nil, err
			}
			return nil, errBadLoginCode
		}
	}
	var sess *Session
	var pending error
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		pending = nil
		ok, err := store.TakeChallenge(ctx, tx, c.IDHash, now)
		if err != nil {
			return err
		}
		u, uerr := store.User(ctx, tx, c.User)
		if !ok || backrest.ErrorCode(uerr) == backrest.ENOTFOUND || (uerr == nil && !u.Active) {
			if in.Link != nil {
				return errBadLink
			}
			return errBadLoginCode
		} else if uerr != nil {
			return uerr
		}
		sess, err = s.startLogin(ctx, tx, u)
		if _, ok := IsPendingLogin(err); ok {
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

// errBadLink is a sign-in link that is unknown, used or expired.
var errBadLink = backrest.Invalid("link", "Invalid or expired link")
