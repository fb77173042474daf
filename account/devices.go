package account

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
	"unicode/utf8"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Devices: each session records the client it was last used from, so that a user
// (and an admin) can see where they are logged in and end any of it.

// LastUsedPrecision is how stale a session's last use may be: a use is written
// when the one recorded is this old or more, not on every request.
const LastUsedPrecision = time.Minute

// MaxUserAgentLength bounds the user agent kept with a session, in characters;
// a longer one is cut.
const MaxUserAgentLength = 256

// Client is who makes a request: its address (as the rate limits count it) and
// its user agent.
type Client struct {
	Addr, UserAgent string
}

// ClientSource gives the client of a request. It is asked only when a session
// is started or its use recorded (a minute apart at most for a session), so a
// request that needs neither pays nothing for working out its client.
type ClientSource interface {
	Client() Client
}

type clientKey struct{}

// WithClient returns ctx carrying the source of the client of the request, which
// the sessions that ctx starts or uses record. The HTTP layer sets it on every
// request, so that every way of logging in records it without passing it along.
func WithClient(ctx context.Context, src ClientSource) context.Context {
	return context.WithValue(ctx, clientKey{}, src)
}

// clientOf returns the client of the source that ctx carries (none without
// one), bounded in length.
func clientOf(ctx context.Context) Client {
	var c Client
	if src, _ := ctx.Value(clientKey{}).(ClientSource); src != nil {
		c = src.Client()
	}
	c.UserAgent = cut(c.UserAgent, MaxUserAgentLength)
	c.Addr = cut(c.Addr, 64)
	return c
}

// cut returns s cut to n characters at most, and to valid UTF-8.
func cut(s string, n int) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// sessionID returns a new random id for a session.
func sessionID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Device is a session as its user (or an admin) sees it.
type Device struct {
	store.SessionRecord
	// Current is true for the session of the caller.
	Current bool
}

// Sessions returns the unexpired sessions of the session's user, the last used
// first, with the caller's marked current.
func (s *Service) Sessions(ctx context.Context, sess *Session) ([]Device, error) {
	recs, err := store.UserSessions(ctx, s.db, sess.User.ID, s.now())
	if err != nil {
		return nil, err
	}
	out := make([]Device, len(recs))
	for i, r := range recs {
		out[i] = Device{SessionRecord: r, Current: r.ID == sess.ID}
	}
	return out, nil
}

var errNoSession = backrest.Errorf(backrest.ENOTFOUND, "Session not found")

// EndSession ends the session with the id of the session's user: another device,
// or the caller's own (a logout). Another user's or an unknown id is ENOTFOUND.
func (s *Service) EndSession(ctx context.Context, sess *Session, id string) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		ok, err := store.DeleteUserSession(ctx, tx, sess.User.ID, id)
		if err == nil && !ok {
			err = errNoSession
		}
		if err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, sess.User.ID, store.EventSessions, s.now())
	})
}

// UserSessions returns the unexpired sessions of the user with the id, for an
// admin; an unknown user is ENOTFOUND.
func (s *Service) UserSessions(ctx context.Context, caller *backrest.User, id backrest.UserID) ([]Device, error) {
	if err := RequireAdmin(caller); err != nil {
		return nil, err
	}
	if _, err := store.User(ctx, s.db, id); err != nil {
		return nil, err
	}
	recs, err := store.UserSessions(ctx, s.db, id, s.now())
	if err != nil {
		return nil, err
	}
	out := make([]Device, len(recs))
	for i, r := range recs {
		out[i] = Device{SessionRecord: r}
	}
	return out, nil
}

// EndUserSession ends one session of the user with the id, for an admin.
func (s *Service) EndUserSession(ctx context.Context, caller *backrest.User, id backrest.UserID, session string) error {
	if err := RequireAdmin(caller); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := store.User(ctx, tx, id); err != nil {
			return err
		}
		ok, err := store.DeleteUserSession(ctx, tx, id, session)
		if err == nil && !ok {
			err = errNoSession
		}
		if err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, id, store.EventSessions, s.now())
	})
}
