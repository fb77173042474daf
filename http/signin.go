package http

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/store"
)

// Sign-in without a password: OpenID Connect providers and passkeys.

// oidcStateCookie holds, in the browser, the state of a redirect to a provider
// until the provider sends the browser back: the return is taken only from the
// browser that left.
const oidcStateCookie = "backrest_oidc"

// pathOIDC is the prefix of the routes of providers, /-/oidc/NAME/….
const pathOIDC = "/-/oidc/"

// OIDCCallback returns the URL a provider sends the browser back to, the redirect
// URI to register at the provider: GET /-/oidc/NAME/callback.
func (l Links) OIDCCallback(provider string) string {
	return l.url(pathOIDC + url.PathEscape(provider) + "/callback")
}

// raw returns the JSON of the field name, nil when absent.
func (b *body) raw(name string) []byte { return b.fields[name] }

// signinMethods answers GET /-/signin: whether passkeys work, and the providers
// with the links that start a sign-in or a link with each.
func (s *Server) signinMethods(w http.ResponseWriter, r *http.Request) error {
	links := Links{BaseURL: s.cfg.BaseURL}
	providers := []map[string]string{}
	for _, name := range s.accounts.OIDCProviders() {
		providers = append(providers, map[string]string{"name": name,
			"login": links.url(pathOIDC + url.PathEscape(name) + "/login"),
			"link":  links.url(pathOIDC + url.PathEscape(name) + "/link")})
	}
	writeJSON(w, http.StatusOK, map[string]any{"passkeys": s.accounts.PasskeysEnabled(), "providers": providers})
	return nil
}

// oidcLogin answers GET /-/oidc/NAME/login: the redirect to the provider.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) error {
	return s.oidcStart(w, r, nil)
}

// oidcLink answers GET /-/oidc/NAME/link: the redirect to the provider to link an
// identity there to the caller's account. It must be followed from backrest's
// own pages, signed in.
func (s *Server) oidcLink(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	if crossSite(r) {
		return backrest.Errorf(backrest.EFORBIDDEN, "Start a link from your profile")
	}
	return s.oidcStart(w, r, sess)
}

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request, link *account.Session) error {
	if err := s.limits.SigninStart(r.Context(), s.clientAddr(r)); err != nil {
		return err
	}
	target, state, err := s.accounts.OIDCStart(r.Context(), r.PathValue("provider"), link)
	if err != nil {
		if reason, ok := oidcReason(err); ok {
			s.log.Warn("oidc start failed", "provider", r.PathValue("provider"), "error", err, "request_id", requestIDOf(r))
			http.Redirect(w, r, s.accounts.SigninErrorRedirect(reason), http.StatusFound)
			return nil
		}
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Value: state, Path: pathOIDC, MaxAge: int(account.OIDCTTL / time.Second),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// oidcReason returns the reason of a failed sign-in with a provider.
func oidcReason(err error) (string, bool) {
	if e, ok := err.(*account.OIDCError); ok {
		return e.Reason, true
	}
	return "", false
}

// oidcCallback answers GET /-/oidc/NAME/callback, where the provider sends the
// browser back: it signs in (or links) and redirects to the sign-in target, or to
// the error target with the reason.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	in := account.OIDCReturn{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), Session: sess}
	if c, err := r.Cookie(oidcStateCookie); err == nil {
		in.Browser = c.Value
	}
	if in.Browser != "" && in.State == in.Browser {
		// The state is taken now, whatever follows; a return with another state
		// leaves the browser's in place for the true return.
		http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Value: "", Path: pathOIDC, MaxAge: -1,
			HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	}
	w.Header().Set("Cache-Control", "no-store")
	started, err := s.accounts.OIDCFinish(r.Context(), r.PathValue("provider"), in)
	if p, ok := account.IsPendingLogin(err); ok {
		http.Redirect(w, r, s.accounts.SigninPendingRedirect(p.Token), http.StatusFound)
		return nil
	}
	if err != nil {
		if reason, ok := oidcReason(err); ok {
			s.log.Info("oidc sign-in failed", "provider", r.PathValue("provider"), "error", err, "request_id", requestIDOf(r))
			http.Redirect(w, r, s.accounts.SigninErrorRedirect(reason), http.StatusFound)
			return nil
		}
		return err
	}
	if started != nil {
		s.setSession(w, r, started)
	}
	http.Redirect(w, r, s.accounts.SigninRedirect(), http.StatusFound)
	return nil
}

// identityJSON is the representation of an identity at a provider.
type identityJSON struct {
	ID       int64  `json:"id"`
	Provider string `json:"provider"`
	Subject  string `json:"subject"`
	Email    string `json:"email"`
	Created  string `json:"created"`
}

// identities answers GET /-/identities: the caller's identities at providers.
func (s *Server) identities(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	ids, err := s.accounts.Identities(r.Context(), sess.User)
	if err != nil {
		return err
	}
	out := make([]identityJSON, len(ids))
	for i, id := range ids {
		out[i] = identityJSON{ID: id.ID, Provider: id.Provider, Subject: id.Subject, Email: id.Email,
			Created: id.Created.UTC().Format(rfc3339Micro)}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pathID parses the {id} of the path, a positive integer; anything else is 404.
func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, backrest.Errorf(backrest.ENOTFOUND, "%s not found", what)
	}
	return id, nil
}

// unlink answers DELETE /-/identities/ID.
func (s *Server) unlink(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "Identity")
	if err != nil {
		return err
	}
	if err := s.accounts.Unlink(r.Context(), sess.User, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// passkeyJSON is the representation of a passkey.
type passkeyJSON struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	Created  string  `json:"created"`
	LastUsed *string `json:"last_used"`
}

func passkeyRepr(p *store.Passkey) passkeyJSON {
	out := passkeyJSON{ID: p.ID, Name: p.Name, Created: p.Created.UTC().Format(rfc3339Micro)}
	if !p.LastUsed.IsZero() {
		used := p.LastUsed.UTC().Format(rfc3339Micro)
		out.LastUsed = &used
	}
	return out
}

// passkeys answers GET /-/passkeys: the caller's passkeys.
func (s *Server) passkeys(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	keys, err := s.accounts.Passkeys(r.Context(), sess.User)
	if err != nil {
		return err
	}
	out := make([]passkeyJSON, len(keys))
	for i, k := range keys {
		out[i] = passkeyRepr(k)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// passkeyRegistrationOptions answers POST /-/webauthn/register/options.
func (s *Server) passkeyRegistrationOptions(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	if r.ContentLength != 0 {
		if _, err := s.decode(r); err != nil {
			return err
		}
	}
	opts, err := s.accounts.PasskeyRegistrationOptions(r.Context(), sess.User)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, opts)
	return nil
}

// credentialMissing reports an absent credential.
var credentialMissing = backrest.Invalid("credential", "credential is missing")

// registerPasskey answers POST /-/passkeys.
func (s *Server) registerPasskey(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	b, err := s.decode(r)
	if err != nil {
		return err
	}
	name, cred := b.String("name"), b.raw("credential")
	if err := b.Err(); err != nil {
		return err
	}
	if cred == nil {
		return credentialMissing
	}
	p, err := s.accounts.RegisterPasskey(r.Context(), sess.User, name, cred)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, passkeyRepr(p))
	return nil
}

// removePasskey answers DELETE /-/passkeys/ID.
func (s *Server) removePasskey(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "Passkey")
	if err != nil {
		return err
	}
	if err := s.accounts.RemovePasskey(r.Context(), sess.User, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// passkeyLoginOptions answers POST /-/webauthn/login/options.
func (s *Server) passkeyLoginOptions(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength != 0 {
		if _, err := s.decode(r); err != nil {
			return err
		}
	}
	if err := s.limits.SigninStart(r.Context(), s.clientAddr(r)); err != nil {
		return err
	}
	opts, err := s.accounts.PasskeyLoginOptions(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, opts)
	return nil
}

// passkeyLogin answers PUT /-/webauthn/login. Failed attempts count against the
// login limits of the client address (the account is not known before the
// passkey verifies).
func (s *Server) passkeyLogin(w http.ResponseWriter, r *http.Request) error {
	b, err := s.decode(r)
	if err != nil {
		return err
	}
	cred, withToken := b.raw("credential"), b.Bool("token")
	if err := b.Err(); err != nil {
		return err
	}
	if cred == nil {
		return credentialMissing
	}
	addr := s.clientAddr(r)
	login := "passkey@" + addr
	if err := s.limits.Login(r.Context(), addr, login); err != nil {
		return err
	}
	failed := true
	defer func() { s.limits.LoginDone(r.Context(), addr, login, failed) }()
	sess, err := s.accounts.PasskeyLogin(r.Context(), cred)
	failed = account.IsPasskeyFailure(err)
	return s.answerLogin(w, r, sess, err, withToken)
}

// signinRouteTable lists the routes of sign-in without a password.
func (s *Server) signinRouteTable() []route {
	provider := pathParam("provider", "The provider's name", m{"type": "string"})
	id := pathParam("id", "The id", m{"type": "integer", "minimum": 1})
	passkeyAnswer := answers(200, "Signed in, or waiting for the second factor", loginAnswer(), "400", "404", "413", "415", "429")
	options := m{"type": "object", "description": "The options to pass, decoded from base64url, to navigator.credentials " +
		"(PublicKeyCredential.parseCreationOptionsFromJSON or parseRequestOptionsFromJSON take its publicKey)",
		"required": []string{"publicKey"}, "properties": m{"publicKey": m{"type": "object"}}}
	credential := m{"type": "object", "description": "The credential as PublicKeyCredential.toJSON() gives it"}
	return []route{
		{method: "GET", pattern: "/-/signin", handler: s.signinMethods, doc: operation{
			id: "getSigninMethods", tag: tagAccounts, summary: "The ways to sign in without a password",
			description: "Whether passkeys work (the base URL must name a domain), and the OpenID Connect providers users may sign in with, " +
				"each with the links that start a sign-in and a link of an identity.",
			responses: answers(200, "The ways to sign in", m{"type": "object", "required": []string{"passkeys", "providers"}, "properties": m{
				"passkeys": m{"type": "boolean"},
				"providers": m{"type": "array", "items": m{"type": "object", "required": []string{"name", "login", "link"},
					"properties": m{"name": m{"type": "string"}, "login": m{"type": "string", "format": "uri"}, "link": m{"type": "string", "format": "uri"}}}}}})}},
		{method: "GET", pattern: pathOIDC + "{provider}/login", handler: s.oidcLogin, doc: operation{
			id: "startOIDCLogin", tag: tagAccounts, summary: "Sign in with a provider",
			description: "Redirects to the provider (authorization code flow with PKCE, state and nonce), with the state kept in a short-lived cookie. " +
				"Back at the callback, an identity linked before signs its user in; a new one is linked to the account of its address " +
				"only when the provider says the address is verified, else a new active account is made. " +
				"A provider that cannot be reached redirects to the sign-in error target.",
			params:    []m{provider},
			responses: redirect("404", "429")}},
		{method: "GET", pattern: pathOIDC + "{provider}/link", handler: s.oidcLink, doc: operation{
			id: "startOIDCLink", tag: tagAccounts, summary: "Link an identity at a provider",
			description: "Signed in, from backrest's own pages: redirects to the provider; back at the callback the identity is linked to the caller's account.",
			params:      []m{provider},
			responses:   redirect("403", "404", "429")}},
		{method: "GET", pattern: pathOIDC + "{provider}/callback", handler: s.oidcCallback, doc: operation{
			id: "finishOIDC", tag: tagAccounts, summary: "Return from a provider",
			description: "Where the provider sends the browser back (the redirect URI to register at the provider). " +
				"Signs in or links, then redirects to the sign-in target (a user with a second factor to the second-factor target, with the pending login's token); a failure redirects to the sign-in error target with the reason: " +
				"state, denied, token, email, linked, inactive, session or unavailable.",
			params: []m{provider,
				{"name": "state", "in": "query", "schema": m{"type": "string"}, "description": "The state of the request"},
				{"name": "code", "in": "query", "schema": m{"type": "string"}, "description": "The authorization code"},
				{"name": "error", "in": "query", "schema": m{"type": "string"}, "description": "The provider's error"}},
			responses: redirect("404")}},
		{method: "GET", pattern: "/-/identities", handler: s.identities, doc: operation{
			id: "listIdentities", tag: tagAccounts, summary: "The caller's identities at providers",
			description: "The identities at OpenID Connect providers linked to the caller's account, oldest first.",
			responses:   answers(200, "The identities", m{"type": "array", "items": ref("Identity")}, "403")}},
		{method: "DELETE", pattern: "/-/identities/{id}", handler: s.unlink, doc: operation{
			id: "unlinkIdentity", tag: tagAccounts, summary: "Unlink an identity",
			description: "Unlinks one of the caller's identities, unless it is their last way to sign in (no password, no other identity, no passkey): 409.",
			params:      []m{id},
			responses:   answers(200, "Unlinked", ref("Success"), "403", "404", "409")}},
		{method: "GET", pattern: "/-/passkeys", handler: s.passkeys, doc: operation{
			id: "listPasskeys", tag: tagAccounts, summary: "The caller's passkeys",
			description: "The caller's passkeys, oldest first, with when each last signed in.",
			responses:   answers(200, "The passkeys", m{"type": "array", "items": ref("Passkey")}, "403")}},
		{method: "POST", pattern: "/-/webauthn/register/options", handler: s.passkeyRegistrationOptions, doc: operation{
			id: "passkeyRegistrationOptions", tag: tagAccounts, summary: "Begin registering a passkey",
			description: "The options for navigator.credentials.create: a discoverable credential for the caller. Its challenge works once, for five minutes.",
			responses:   answers(200, "The creation options", options, "403", "404", "413", "415")}},
		{method: "POST", pattern: "/-/passkeys", handler: s.registerPasskey, doc: operation{
			id: "registerPasskey", tag: tagAccounts, summary: "Register a passkey",
			description: "Verifies the credential created with the options of POST /-/webauthn/register/options and stores it.",
			body: jsonRequest(m{"type": "object", "required": []string{"credential"}, "properties": m{
				"name": m{"type": "string", "maxLength": 100, "description": "The user's name for the passkey"}, "credential": credential}}),
			responses: answers(201, "The passkey", ref("Passkey"), "400", "403", "404", "409", "413", "415")}},
		{method: "DELETE", pattern: "/-/passkeys/{id}", handler: s.removePasskey, doc: operation{
			id: "removePasskey", tag: tagAccounts, summary: "Remove a passkey",
			description: "Removes one of the caller's passkeys, unless it is their last way to sign in: 409.",
			params:      []m{id},
			responses:   answers(200, "Removed", ref("Success"), "403", "404", "409")}},
		{method: "POST", pattern: "/-/webauthn/login/options", handler: s.passkeyLoginOptions, doc: operation{
			id: "passkeyLoginOptions", tag: tagAccounts, summary: "Begin signing in with a passkey",
			description: "The options for navigator.credentials.get, naming no user: the authenticator offers its passkeys. Its challenge works once, for five minutes. " +
				"404 when the server has no passkeys (its base URL names no domain), as for the other passkey calls.",
			responses: answers(200, "The request options", options, "404", "413", "415", "429")}},
		{method: "PUT", pattern: "/-/webauthn/login", handler: s.passkeyLogin, doc: operation{
			id: "passkeyLogin", tag: tagAccounts, summary: "Sign in with a passkey",
			description: "Verifies the assertion got with the options of POST /-/webauthn/login/options and starts a session of the passkey's user. " +
				"A credential that does not verify: 400 (credential). Failures count against the login limits of the client address.",
			body: jsonRequest(m{"type": "object", "required": []string{"credential"}, "properties": m{"credential": credential,
				"token": m{"type": "boolean", "description": "Answer with the session's token and its expiry"}}}),
			responses: passkeyAnswer}},
	}
}
