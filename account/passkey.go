package account

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// PasskeyTTL is how long a passkey ceremony may take, from the options to the
// answer of the authenticator.
const PasskeyTTL = 5 * time.Minute

// The kinds of the stored challenges of passkey ceremonies.
const (
	challengePasskeyRegister = "passkey-register"
	challengePasskeyLogin    = "passkey-login"
)

// maxPasskeyName bounds a passkey's name, in characters.
const maxPasskeyName = 100

// newWebAuthn returns the relying party of baseURL: its host is the RP ID and its
// origin the one origin accepted. A base URL with no domain name, such as one whose
// host is an IP address (the default, 127.0.0.1), can have no passkeys: it returns
// nil.
func newWebAuthn(baseURL string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" || net.ParseIP(u.Hostname()) != nil {
		return nil, nil
	}
	return webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "backrest",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyTTL, TimeoutUVD: PasskeyTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyTTL, TimeoutUVD: PasskeyTTL},
		},
	})
}

// passkeyUser is a user as the WebAuthn library sees it: the user handle is the
// user's id.
type passkeyUser struct {
	u     *backrest.User
	creds []webauthn.Credential
}

func (p *passkeyUser) WebAuthnID() []byte   { return p.u.ID[:] }
func (p *passkeyUser) WebAuthnName() string { return p.u.Email }
func (p *passkeyUser) WebAuthnDisplayName() string {
	if name := strings.TrimSpace(p.u.Firstname + " " + p.u.Lastname); name != "" {
		return name
	}
	return p.u.Email
}
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// errNoPasskeys answers the passkey calls of a server whose base URL is an IP
// address.
var errNoPasskeys = backrest.Errorf(backrest.ENOTFOUND, "Passkeys need a base URL (BACKREST_BASE_URL) with a domain name, not an IP address")

// PasskeysEnabled reports whether users may register and use passkeys: the base
// URL names a domain, which passkeys are bound to.
func (s *Service) PasskeysEnabled() bool { return s.webauthn != nil }

// loadPasskeyUser returns u with its stored credentials.
func loadPasskeyUser(ctx context.Context, r store.Reader, u *backrest.User) (*passkeyUser, []*store.Passkey, error) {
	keys, err := store.Passkeys(ctx, r, u.ID)
	if err != nil {
		return nil, nil, err
	}
	pu := &passkeyUser{u: u}
	for _, k := range keys {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(k.Credential), &c); err != nil {
			return nil, nil, fmt.Errorf("account: passkey %d: %w", k.ID, err)
		}
		pu.creds = append(pu.creds, c)
	}
	return pu, keys, nil
}

// saveChallenge keeps the session data of a ceremony until its answer.
func (s *Service) saveChallenge(ctx context.Context, kind string, user *backrest.UserID, sd *webauthn.SessionData) error {
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	now := s.now()
	c := &store.AuthChallenge{Kind: kind, User: user, Data: string(data), Expires: now.Add(PasskeyTTL)}
	return s.db.InTx(ctx, func(tx *store.Tx) error { return store.CreateAuthChallenge(ctx, tx, HashToken(sd.Challenge), c, now) })
}

// takeChallenge takes the session data of the ceremony of the challenge, once.
func (s *Service) takeChallenge(ctx context.Context, kind, challenge string) (*store.AuthChallenge, *webauthn.SessionData, error) {
	var c *store.AuthChallenge
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		c, err = store.TakeAuthChallenge(ctx, tx, HashToken(challenge), kind, s.now())
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal([]byte(c.Data), &sd); err != nil {
		return nil, nil, fmt.Errorf("account: challenge data: %w", err)
	}
	return c, &sd, nil
}

// PasskeyRegistrationOptions begins the registration of a passkey for the
// caller: it returns the options for navigator.credentials.create (a discoverable
// credential, excluding the caller's passkeys), whose challenge is kept for
// PasskeyTTL and works once.
func (s *Service) PasskeyRegistrationOptions(ctx context.Context, caller *backrest.User) (*protocol.CredentialCreation, error) {
	if s.webauthn == nil {
		return nil, errNoPasskeys
	}
	pu, _, err := loadPasskeyUser(ctx, s.db, caller)
	if err != nil {
		return nil, err
	}
	exclude := make([]protocol.CredentialDescriptor, len(pu.creds))
	for i, c := range pu.creds {
		exclude[i] = c.Descriptor()
	}
	creation, sd, err := s.webauthn.BeginRegistration(pu,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, err
	}
	if err := s.saveChallenge(ctx, challengePasskeyRegister, &caller.ID, sd); err != nil {
		return nil, err
	}
	return creation, nil
}

// errPasskeyFailed is the answer to a passkey credential that does not verify.
var errPasskeyFailed = backrest.Invalid("credential", "The passkey did not verify")

// errPasskey is the answer to a credential that does not verify because of err,
// which is not shown to the caller: what failed would help an attacker only.
func errPasskey(error) error { return errPasskeyFailed }

// RegisterPasskey completes a registration begun by PasskeyRegistrationOptions
// with the credential the browser created (its JSON), and stores the passkey
// under name. The challenge must be one of the caller's and is taken once.
func (s *Service) RegisterPasskey(ctx context.Context, caller *backrest.User, name *string, credential []byte) (*store.Passkey, error) {
	if s.webauthn == nil {
		return nil, errNoPasskeys
	}
	var v backrest.Validation
	if name != nil && utf8.RuneCountInString(*name) > maxPasskeyName {
		v.Body("name", fmt.Sprintf("Must be at most %d characters long", maxPasskeyName))
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		v.Body("credential", "Not a passkey credential")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, sd, err := s.takeChallenge(ctx, challengePasskeyRegister, parsed.Response.CollectedClientData.Challenge)
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return nil, errPasskey(err)
	}
	if err != nil {
		return nil, err
	}
	if c.User == nil || *c.User != caller.ID {
		return nil, errPasskey(fmt.Errorf("the challenge is another user's"))
	}
	pu, _, err := loadPasskeyUser(ctx, s.db, caller)
	if err != nil {
		return nil, err
	}
	cred, err := s.webauthn.CreateCredential(pu, *sd, parsed)
	if err != nil {
		return nil, errPasskey(err)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	p := &store.Passkey{User: caller.ID, CredentialID: base64.RawURLEncoding.EncodeToString(cred.ID), Name: deref(name), Credential: string(data)}
	if p.Name == "" {
		p.Name = "Passkey"
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error { return store.CreatePasskey(ctx, tx, p, s.now()) })
	if err != nil {
		return nil, err
	}
	return p, nil
}

// PasskeyLoginOptions begins a sign-in with a passkey: it returns the options for
// navigator.credentials.get, with no user named (the authenticator offers its
// discoverable credentials), whose challenge is kept for PasskeyTTL and works
// once.
func (s *Service) PasskeyLoginOptions(ctx context.Context) (*protocol.CredentialAssertion, error) {
	if s.webauthn == nil {
		return nil, errNoPasskeys
	}
	assertion, sd, err := s.webauthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, err
	}
	if err := s.saveChallenge(ctx, challengePasskeyLogin, nil, sd); err != nil {
		return nil, err
	}
	return assertion, nil
}

// IsPasskeyFailure reports whether err is the failure of a passkey sign-in (a
// credential that does not verify), as opposed to a server error.
func IsPasskeyFailure(err error) bool { return err == errPasskeyFailed }

// PasskeyLogin completes a sign-in begun by PasskeyLoginOptions with the
// assertion the browser got (its JSON), and starts a session of the passkey's
// user, who must be active; a user with a second factor gets a *PendingLogin (as
// the error) instead, as after a password. The challenge is taken once; the passkey's signature
// counter is kept, and a passkey whose counter went back (a cloned
// authenticator) is refused.
func (s *Service) PasskeyLogin(ctx context.Context, assertion []byte) (*Session, error) {
	if s.webauthn == nil {
		return nil, errNoPasskeys
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(assertion)
	if err != nil {
		return nil, backrest.Invalid("credential", "Not a passkey assertion")
	}
	_, sd, err := s.takeChallenge(ctx, challengePasskeyLogin, parsed.Response.CollectedClientData.Challenge)
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return nil, errPasskey(err)
	}
	if err != nil {
		return nil, err
	}
	var (
		key  *store.Passkey
		user *backrest.User
	)
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		k, err := store.PasskeyByCredentialID(ctx, s.db, base64.RawURLEncoding.EncodeToString(rawID))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(userHandle, k.User[:]) {
			return nil, fmt.Errorf("the user handle is not the passkey's user")
		}
		u, err := store.User(ctx, s.db, k.User)
		if err != nil {
			return nil, err
		}
		pu, _, err := loadPasskeyUser(ctx, s.db, u)
		if err != nil {
			return nil, err
		}
		key, user = k, u
		return pu, nil
	}
	cred, err := s.webauthn.ValidateDiscoverableLogin(handler, *sd, parsed)
	if err != nil {
		return nil, errPasskey(err)
	}
	if cred.Authenticator.CloneWarning {
		return nil, errPasskey(fmt.Errorf("the signature counter of passkey %d went back", key.ID))
	}
	if !user.Active {
		return nil, errPasskey(fmt.Errorf("user %s is inactive", user.ID))
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	var (
		sess    *Session
		pending error
	)
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		pending = nil
		if err := store.UsePasskey(ctx, tx, key.ID, string(data), s.now()); err != nil {
			return err
		}
		sess, err = s.startLogin(ctx, tx, user)
		if _, ok := IsPendingLogin(err); ok {
			// Commit the pending login, and return it after.
			pending, err = err, nil
		}
		return err
	})
	if err == nil && pending != nil {
		return nil, pending
	}
	return sess, err
}

// Passkeys returns the caller's passkeys.
func (s *Service) Passkeys(ctx context.Context, caller *backrest.User) ([]*store.Passkey, error) {
	return store.Passkeys(ctx, s.db, caller.ID)
}

// RemovePasskey removes the caller's passkey with the id, unless it is the
// caller's last way to sign in. Another user's passkey is ENOTFOUND.
func (s *Service) RemovePasskey(ctx context.Context, caller *backrest.User, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.LockUser(ctx, tx, caller.ID); err != nil {
			return err
		}
		if err := store.DeletePasskey(ctx, tx, caller.ID, id); err != nil {
			return err
		}
		return checkMethodsLeft(ctx, tx, caller.ID)
	})
}
