package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// OIDCTTL is how long a sign-in with an OpenID Connect provider may take, from
// the redirect to the provider to the return from it.
const OIDCTTL = 10 * time.Minute

// challengeOIDC is the kind of the stored state of a redirect to a provider.
const challengeOIDC = "oidc"

// Reasons of failed sign-ins with a provider, as the error target receives them.
const (
	// OIDCErrState: the state is missing, unknown, used, expired or not the
	// browser's (a forged or replayed return, or one that took too long).
	OIDCErrState = "state"
	// OIDCErrDenied: the provider answered with an error (the user declined).
	OIDCErrDenied = "denied"
	// OIDCErrToken: the code did not give a valid ID token of the request.
	OIDCErrToken = "token"
	// OIDCErrEmail: the provider gave no usable address, or one an account holds
	// that the provider does not vouch for.
	OIDCErrEmail = "email"
	// OIDCErrLinked: the identity is linked to another account.
	OIDCErrLinked = "linked"
	// OIDCErrInactive: the account is deactivated.
	OIDCErrInactive = "inactive"
	// OIDCErrSession: a link was started by a user who is no longer signed in.
	OIDCErrSession = "session"
	// OIDCErrUnavailable: the provider could not be reached.
	OIDCErrUnavailable = "unavailable"
)

// OIDCError is the failure of a sign-in with a provider: Reason is one of the
// OIDCErr reasons, for the front end; Err says more, for the log.
type OIDCError struct {
	Reason string
	Err    error
}

func (e *OIDCError) Error() string {
	if e.Err == nil {
		return "oidc: " + e.Reason
	}
	return "oidc: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *OIDCError) Unwrap() error { return e.Err }

func oidcFail(reason string, err error) error { return &OIDCError{Reason: reason, Err: err} }

// oidcTimeout bounds each call to a provider (discovery, keys, code exchange, user
// info), so that one that hangs does not hold requests.
const oidcTimeout = 15 * time.Second

// oidcProviders are the configured providers, each discovered on first use (a
// provider that is down at start-up does not stop the server) and then kept.
type oidcProviders struct {
	// client makes the calls to providers.
	client   *http.Client
	conf     map[string]backrest.OIDCProvider
	names    []string
	callback func(name string) string
	mu       sync.Mutex
	found    map[string]*oidcProvider
}

// oidcProvider is a discovered provider.
type oidcProvider struct {
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

func newOIDCProviders(list []backrest.OIDCProvider, callback func(string) string) *oidcProviders {
	ps := &oidcProviders{client: &http.Client{Timeout: oidcTimeout}, conf: map[string]backrest.OIDCProvider{}, callback: callback,
		found: map[string]*oidcProvider{}}
	for _, p := range list {
		ps.conf[p.Name] = p
		ps.names = append(ps.names, p.Name)
	}
	return ps
}

// get returns the discovered provider of the name; an unknown name is ENOTFOUND.
func (ps *oidcProviders) get(ctx context.Context, name string) (*oidcProvider, error) {
	conf, ok := ps.conf[name]
	if !ok {
		return nil, backrest.Errorf(backrest.ENOTFOUND, "No such provider")
	}
	ps.mu.Lock()
	p := ps.found[name]
	ps.mu.Unlock()
	if p != nil {
		return p, nil
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, ps.client), conf.Issuer)
	if err != nil {
		return nil, oidcFail(OIDCErrUnavailable, err)
	}
	p = &oidcProvider{provider: provider, verifier: provider.Verifier(&oidc.Config{ClientID: conf.ClientID}),
		oauth: oauth2.Config{ClientID: conf.ClientID, ClientSecret: conf.ClientSecret, Endpoint: provider.Endpoint(),
			RedirectURL: ps.callback(name), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if found := ps.found[name]; found != nil {
		return found, nil
	}
	ps.found[name] = p
	return p, nil
}

// OIDCProviders returns the names of the OpenID Connect providers, in the order
// of the configuration.
func (s *Service) OIDCProviders() []string { return s.oidc.names }

// oidcState is what the second step of a sign-in with a provider needs, kept with
// the state until then.
type oidcState struct {
	Provider string `json:"provider"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
}

// OIDCStart begins a sign-in with the named provider, or with link (the caller's
// session) the linking of an identity at the provider to the caller's account.
// It returns where to send the browser and the state, which the browser must
// keep (in a cookie) and give back to OIDCFinish: that binds the return from the
// provider to the browser that left. The state, the nonce and the PKCE verifier
// are kept in the database until the return, or for OIDCTTL.
func (s *Service) OIDCStart(ctx context.Context, name string, link *Session) (target, state string, err error) {
	p, err := s.oidc.get(ctx, name)
	if err != nil {
		return "", "", err
	}
	state, err = randomSecret()
	if err != nil {
		return "", "", err
	}
	nonce, err := randomSecret()
	if err != nil {
		return "", "", err
	}
	verifier := oauth2.GenerateVerifier()
	data, err := json.Marshal(oidcState{Provider: name, Nonce: nonce, Verifier: verifier})
	if err != nil {
		return "", "", err
	}
	now := s.now()
	c := &store.AuthChallenge{Kind: challengeOIDC, Data: string(data), Expires: now.Add(OIDCTTL)}
	if link != nil {
		c.User = &link.User.ID
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error { return store.CreateAuthChallenge(ctx, tx, HashToken(state), c, now) })
	if err != nil {
		return "", "", err
	}
	return p.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), state, nil
}

// OIDCReturn is what the browser brings back from a provider.
type OIDCReturn struct {
	// State, Code and Error are the query parameters of the return.
	State, Code, Error string
	// Browser is the state the browser kept since OIDCStart.
	Browser string
	// Session is the caller's session, nil when anonymous.
	Session *Session
}

// oidcClaims are the claims backrest reads of an ID token or of the user info.
type oidcClaims struct {
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
}

// verified reports whether the provider vouches for the address (some providers
// send "true" as a string).
func (c oidcClaims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// OIDCFinish completes a sign-in or a link with the named provider. The state must
// be the browser's and is taken once; the code is exchanged with the PKCE
// verifier, and the ID token verified (issuer, audience, expiry, signature) and
// its nonce checked. Then:
//
//   - an identity linked before signs its user in (a link of it to another account
//     fails);
//   - a link adds the identity to the caller's account;
//   - a sign-in with a new identity links it to the active account of its address
//     only when the provider says the address is verified, and otherwise creates
//     an active account (an unconfirmed sign-up of the address gives way to it
//     when the address is verified).
//
// It returns the new session of a sign-in, or nil after a link; a user with a
// second factor gets a *PendingLogin (as the error) instead of a session, as
// after a password. Failures are *OIDCError, and change nothing but the use of
// the state.
func (s *Service) OIDCFinish(ctx context.Context, name string, in OIDCReturn) (*Session, error) {
	if _, ok := s.oidc.conf[name]; !ok {
		return nil, backrest.Errorf(backrest.ENOTFOUND, "No such provider")
	}
	if in.State == "" || len(in.State) > 256 || subtle.ConstantTimeCompare([]byte(in.State), []byte(in.Browser)) != 1 {
		return nil, oidcFail(OIDCErrState, fmt.Errorf("the state is not the browser's"))
	}
	var c *store.AuthChallenge
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		c, err = store.TakeAuthChallenge(ctx, tx, HashToken(in.State), challengeOIDC, s.now())
		return err
	})
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return nil, oidcFail(OIDCErrState, err)
	}
	if err != nil {
		return nil, err
	}
	var st oidcState
	if err := json.Unmarshal([]byte(c.Data), &st); err != nil || st.Provider != name {
		return nil, oidcFail(OIDCErrState, fmt.Errorf("the state is another provider's"))
	}
	if c.User != nil && (in.Session == nil || in.Session.User.ID != *c.User) {
		return nil, oidcFail(OIDCErrSession, nil)
	}
	if in.Error != "" {
		return nil, oidcFail(OIDCErrDenied, fmt.Errorf("the provider answered %q", in.Error))
	}
	p, err := s.oidc.get(ctx, name)
	if err != nil {
		return nil, err
	}
	sub, claims, err := p.identify(oidc.ClientContext(ctx, s.oidc.client), in.Code, st)
	if err != nil {
		return nil, err
	}
	var (
		sess    *Session
		pending error
	)
	// Twice: a return of the same new identity in another request may create its
	// account (or link it) between the look-up and the insertion of this one,
	// which then finds it.
	for range 2 {
		err = s.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			pending = nil
			sess, err = s.oidcAccount(ctx, tx, name, sub, claims, c.User)
			if _, ok := IsPendingLogin(err); ok {
				// Commit the pending login, and return it after.
				pending, err = err, nil
			}
			return err
		})
		if err != store.ErrIdentityTaken && err != store.ErrEmailTaken {
			break
		}
	}
	if err == store.ErrIdentityTaken || err == store.ErrEmailTaken {
		return nil, oidcFail(OIDCErrLinked, err)
	}
	if err == nil && pending != nil {
		return nil, pending
	}
	return sess, err
}

// identify exchanges the code and returns the subject of the verified ID token and
// its claims, completed from the user info when the ID token has no address.
func (p *oidcProvider) identify(ctx context.Context, code string, st oidcState) (string, oidcClaims, error) {
	var claims oidcClaims
	if code == "" {
		return "", claims, oidcFail(OIDCErrToken, fmt.Errorf("no code"))
	}
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return "", claims, oidcFail(OIDCErrToken, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", claims, oidcFail(OIDCErrToken, fmt.Errorf("no ID token"))
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return "", claims, oidcFail(OIDCErrToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return "", claims, oidcFail(OIDCErrToken, fmt.Errorf("the nonce is not the request's"))
	}
	if err := idt.Claims(&claims); err != nil {
		return "", claims, oidcFail(OIDCErrToken, err)
	}
	if claims.Email == "" && p.provider.UserInfoEndpoint() != "" {
		info, err := p.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return "", claims, oidcFail(OIDCErrToken, err)
		}
		if info.Subject != idt.Subject {
			return "", claims, oidcFail(OIDCErrToken, fmt.Errorf("the user info is another subject's"))
		}
		if err := info.Claims(&claims); err != nil {
			return "", claims, oidcFail(OIDCErrToken, err)
		}
	}
	return idt.Subject, claims, nil
}

// oidcAccount signs in, links or creates the account of the provider's subject in
// tx (see OIDCFinish); link is the user who asked for a link, if one did.
func (s *Service) oidcAccount(ctx context.Context, tx *store.Tx, provider, sub string, claims oidcClaims, link *backrest.UserID) (*Session, error) {
	now := s.now()
	ident, err := store.IdentityBySubject(ctx, tx, provider, sub)
	if err != nil && backrest.ErrorCode(err) != backrest.ENOTFOUND {
		return nil, err
	}
	if link != nil {
		if ident != nil {
			if ident.User != *link {
				return nil, oidcFail(OIDCErrLinked, nil)
			}
			return nil, nil
		}
		return nil, store.CreateIdentity(ctx, tx, &store.Identity{User: *link, Provider: provider, Subject: sub, Email: claims.Email}, now)
	}
	if ident != nil {
		u, err := store.User(ctx, tx, ident.User)
		if err != nil {
			return nil, err
		}
		if !u.Active {
			return nil, oidcFail(OIDCErrInactive, nil)
		}
		return s.startLogin(ctx, tx, u)
	}
	email := strings.TrimSpace(claims.Email)
	if !ValidEmail(email) {
		return nil, oidcFail(OIDCErrEmail, fmt.Errorf("no usable address: %q", claims.Email))
	}
	u, err := store.UserByEmail(ctx, tx, email)
	if err != nil && backrest.ErrorCode(err) != backrest.ENOTFOUND {
		return nil, err
	}
	switch {
	case u != nil && !claims.verified():
		return nil, oidcFail(OIDCErrEmail, fmt.Errorf("an account holds the unverified address"))
	case u != nil && u.Active:
	case u != nil && u.Confirmed:
		return nil, oidcFail(OIDCErrInactive, nil)
	default:
		if u != nil {
			if err := store.DeletePendingEmail(ctx, tx, email); err != nil {
				return nil, err
			}
		}
		u = &backrest.User{Email: email, Firstname: truncate(claims.GivenName), Lastname: truncate(claims.FamilyName), Active: true}
		if err := store.CreateUser(ctx, tx, u, now); err != nil {
			return nil, err
		}
	}
	if err := store.CreateIdentity(ctx, tx, &store.Identity{User: u.ID, Provider: provider, Subject: sub, Email: email}, now); err != nil {
		return nil, err
	}
	return s.startLogin(ctx, tx, u)
}

// truncate cuts a name from a provider to the longest a name may be.
func truncate(name string) string {
	if r := []rune(name); len(r) > maxNameLength {
		return string(r[:maxNameLength])
	}
	return name
}

// Identities returns the identities at providers linked to the user.
func (s *Service) Identities(ctx context.Context, u *backrest.User) ([]*store.Identity, error) {
	return store.Identities(ctx, s.db, u.ID)
}

// errLastMethod refuses to remove the last way a user has to sign in.
var errLastMethod = backrest.Errorf(backrest.ECONFLICT, "This is your last way to sign in: set a password or add another one first")

// Unlink removes the user's identity with the id, unless it is the user's last way
// to sign in (no password, no other identity, no passkey). Another user's
// identity is ENOTFOUND.
func (s *Service) Unlink(ctx context.Context, u *backrest.User, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.LockUser(ctx, tx, u.ID); err != nil {
			return err
		}
		if err := store.DeleteIdentity(ctx, tx, u.ID, id); err != nil {
			return err
		}
		return checkMethodsLeft(ctx, tx, u.ID)
	})
}

// checkMethodsLeft fails with errLastMethod when the user has no way left to sign
// in, which rolls back the removal made before it in tx.
func checkMethodsLeft(ctx context.Context, tx *store.Tx, user backrest.UserID) error {
	password, identities, passkeys, err := store.SignInMethods(ctx, tx, user)
	if err != nil {
		return err
	}
	if !password && identities == 0 && passkeys == 0 {
		return errLastMethod
	}
	return nil
}

// randomSecret returns 32 random bytes, base64url-encoded.
func randomSecret() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// SigninRedirect is where the browser goes after a sign-in or a link with a
// provider.
func (s *Service) SigninRedirect() string { return s.redirect(s.opts.Redirects.Signin, "") }

// SigninPendingRedirect is where the browser goes after a sign-in with a provider
// of a user with a second factor, to give it: the pending login's token replaces
// {token}.
func (s *Service) SigninPendingRedirect(token string) string {
	return s.redirect(s.opts.Redirects.SigninPending, token)
}

// SigninErrorRedirect is where the browser goes after a sign-in with a provider
// that failed for the reason.
func (s *Service) SigninErrorRedirect(reason string) string {
	return s.redirect(strings.ReplaceAll(s.opts.Redirects.SigninError, "{error}", url.QueryEscape(reason)), "")
}
