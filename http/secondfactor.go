package http

import (
	"context"
	"net/http"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
)

// The TOTP second factor (/-/userprofile/totp, /-/login/totp) and sign-in by
// mailed code or link (/-/login/code).

// answerLogin answers a call that logs in: the session (its cookie, and its
// token when withToken), or the pending second factor of a *PendingLogin error.
func (s *Server) answerLogin(w http.ResponseWriter, r *http.Request, sess *account.Session, err error, withToken bool) error {
	if p, ok := account.IsPendingLogin(err); ok {
		writeJSON(w, http.StatusOK, map[string]any{"status": "second_factor", "pending": p.Token, "expires": p.Expires.UTC(),
			"methods": []string{"totp", "recovery_code"}})
		return nil
	}
	if err != nil {
		return err
	}
	s.setSession(w, r, sess)
	answer := map[string]any{"status": "success", "user": sess.User.JSON()}
	if withToken {
		answer["token"], answer["expires"] = sess.Token, sess.Expires.UTC()
	}
	writeJSON(w, http.StatusOK, answer)
	return nil
}

// reserved runs an attempt to log in (or to prove a factor) under the login
// rate limits of the client address and the account key, and ends the attempt
// whatever happens (a panic counts as a failure): only the errors that failed
// reports count.
func reserved[T any](ctx context.Context, s *Server, addr, key string, failed func(error) bool, do func() (T, error)) (T, error) {
	if err := s.limits.Login(ctx, addr, key); err != nil {
		var zero T
		return zero, err
	}
	fail := true
	defer func() { s.limits.LoginDone(ctx, addr, key, fail) }()
	v, err := do()
	fail = failed(err)
	return v, err
}

// secondFactorKey is the account key of the rate limits of the second factor
// of the user.
func secondFactorKey(id backrest.UserID) string { return "totp:" + id.String() }

// completeLogin answers PUT /-/login/totp.
func (s *Server) completeLogin(w http.ResponseWriter, r *http.Request) error {
	b, err := s.decode(r)
	if err != nil {
		return err
	}
	pending, withToken := b.String("pending"), b.Bool("token")
	f := account.SecondFactor{Code: b.String("code"), RecoveryCode: b.String("recovery_code")}
	if err := b.Err(); err != nil {
		return err
	}
	if pending == nil {
		return backrest.Invalid("pending", "pending is missing")
	}
	user, err := s.accounts.PendingUser(r.Context(), *pending)
	if err != nil {
		return err
	}
	sess, err := reserved(r.Context(), s, s.clientAddr(r), secondFactorKey(user), account.IsSecondFactorFailure,
		func() (*account.Session, error) { return s.accounts.CompleteLogin(r.Context(), *pending, f) })
	return s.answerLogin(w, r, sess, err, withToken)
}

// totpState answers GET /-/userprofile/totp.
func (s *Server) totpState(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	st, err := s.accounts.TOTPState(r.Context(), sess)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"enabled": st.Enabled, "recovery_codes_left": st.RecoveryCodesLeft})
	return nil
}

// beginTOTP answers POST /-/userprofile/totp.
func (s *Server) beginTOTP(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	f, err := s.fields(r, "password")
	if err != nil {
		return err
	}
	e, err := s.accounts.BeginTOTP(r.Context(), sess, f[0])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"secret": e.Secret, "url": e.URL})
	return nil
}

// confirmTOTP answers PUT /-/userprofile/totp.
func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	f, err := s.fields(r, "code")
	if err != nil {
		return err
	}
	codes, err := reserved(r.Context(), s, s.clientAddr(r), secondFactorKey(sess.User.ID), account.IsSecondFactorFailure,
		func() ([]string, error) { return s.accounts.ConfirmTOTP(r.Context(), sess, f[0]) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "recovery_codes": codes})
	return nil
}

// disableTOTP answers POST /-/userprofile/totp/disable.
func (s *Server) disableTOTP(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	b, err := s.decode(r)
	if err != nil {
		return err
	}
	f := account.SecondFactor{Code: b.String("code"), RecoveryCode: b.String("recovery_code")}
	password := b.String("password")
	if err := b.Err(); err != nil {
		return err
	}
	failed := func(err error) bool {
		return account.IsSecondFactorFailure(err) || backrest.ErrorCode(err) == backrest.EINVALID && password != nil
	}
	_, err = reserved(r.Context(), s, s.clientAddr(r), secondFactorKey(sess.User.ID), failed,
		func() (struct{}, error) { return struct{}{}, s.accounts.DisableTOTP(r.Context(), sess, f, password) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

func resetTOTP(a *account.Service, r *http.Request, caller *backrest.User, id backrest.UserID) error {
	_, err := a.ResetTOTP(r.Context(), caller, id)
	return err
}

// requestLoginCode answers POST /-/login/code.
func (s *Server) requestLoginCode(w http.ResponseWriter, r *http.Request) error {
	f, err := s.fields(r, "email")
	if err != nil {
		return err
	}
	email := f[0]
	if email == nil || !account.ValidEmail(*email) {
		return backrest.Invalid("email", "Invalid email address")
	}
	if err := s.limits.LoginCode(r.Context(), s.clientAddr(r), *email); err != nil {
		return err
	}
	if err := s.accounts.RequestLoginCode(r.Context(), email); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// loginCodeRedirect answers GET /-/login/code/T, the link of the mail.
func (s *Server) loginCodeRedirect(w http.ResponseWriter, r *http.Request) error {
	target, err := s.accounts.LoginCodeRedirect(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// loginWithCode answers PUT /-/login/code.
func (s *Server) loginWithCode(w http.ResponseWriter, r *http.Request) error {
	b, err := s.decode(r)
	if err != nil {
		return err
	}
	in := account.LoginCodeInput{Email: b.String("email"), Code: b.String("code"), Link: b.String("link")}
	withToken := b.Bool("token")
	if err := b.Err(); err != nil {
		return err
	}
	key := "mail-link"
	if in.Email != nil {
		key = "mail-code:" + *in.Email
	}
	sess, err := reserved(r.Context(), s, s.clientAddr(r), key, account.IsLoginCodeFailure,
		func() (*account.Session, error) { return s.accounts.LoginWithCode(r.Context(), in) })
	return s.answerLogin(w, r, sess, err, withToken)
}

// loginAnswer is the schema of the answer of a call that logs in: the session,
// or a pending second factor.
func loginAnswer() m {
	return m{"oneOf": []any{
		m{"type": "object", "required": []string{"status", "user"}, "properties": m{"status": m{"const": "success"}, "user": ref("User"),
			"token": sessionTokenSchema, "expires": sessionExpiresSchema}},
		ref("SecondFactorPending"),
	}}
}

// secondFactorRouteTable lists the routes of the second factor and of sign-in
// by mail.
func (s *Server) secondFactorRouteTable() []route {
	withToken := m{"type": "boolean", "description": "Answer with the session's token and its expiry"}
	code := m{"type": "string", "pattern": "^[0-9]{6}$", "description": "The current code of the authenticator app"}
	recovery := m{"type": "string", "description": "One of the recovery codes (dashes and case do not matter)"}
	user := pathParam("id", "The user's id", m{"type": "string", "pattern": "^[0-9a-f]{32}$"})
	return []route{
		{method: "GET", pattern: "/-/userprofile/totp", handler: s.totpState, doc: operation{
			id: "getTOTP", tag: tagAccounts, summary: "The state of the second factor",
			description: "Whether the caller's TOTP second factor is enabled, and how many recovery codes are left.",
			responses: answers(200, "The state", m{"type": "object", "required": []string{"enabled", "recovery_codes_left"}, "properties": m{
				"enabled": m{"type": "boolean"}, "recovery_codes_left": m{"type": "integer"}}}, "403")}},
		{method: "POST", pattern: "/-/userprofile/totp", handler: s.beginTOTP, doc: operation{
			id: "beginTOTP", tag: tagAccounts, summary: "Begin enrolling a second factor",
			description: "Makes a new TOTP secret, shown this once, for an authenticator app; it is enabled when a first code confirms it " +
				"(PUT). Asking again replaces an unconfirmed secret. The password is required unless the user has none. " +
				"An enabled second factor: 409.",
			body: jsonRequest(object([]string{"password"}, "password")),
			responses: answers(200, "The secret", m{"type": "object", "required": []string{"secret", "url"}, "properties": m{
				"secret": m{"type": "string", "description": "The secret in base32, to type in"},
				"url":    m{"type": "string", "format": "uri", "description": "The otpauth:// URL, to show as a QR code"}}},
				"400", "403", "409", "413", "415")}},
		{method: "PUT", pattern: "/-/userprofile/totp", handler: s.confirmTOTP, doc: operation{
			id: "confirmTOTP", tag: tagAccounts, summary: "Confirm and enable the second factor",
			description: "Enables the secret begun with POST when code is its current code, ends the caller's other sessions, " +
				"and answers the 10 recovery codes, shown this once: each works once instead of a code. Rate limited like logins.",
			body: jsonRequest(m{"type": "object", "required": []string{"code"}, "properties": m{"code": code}}),
			responses: answers(200, "Enabled", m{"type": "object", "required": []string{"status", "recovery_codes"}, "properties": m{
				"status": m{"const": "success"}, "recovery_codes": m{"type": "array", "items": m{"type": "string"}}}},
				"400", "403", "409", "413", "415", "429")}},
		{method: "POST", pattern: "/-/userprofile/totp/disable", handler: s.disableTOTP, doc: operation{
			id: "disableTOTP", tag: tagAccounts, summary: "Disable the second factor",
			description: "Removes the caller's second factor and recovery codes, proven by one of code, recovery_code or password. " +
				"No second factor: 409. Rate limited like logins.",
			body:      jsonRequest(m{"type": "object", "properties": m{"code": code, "recovery_code": recovery, "password": m{"type": "string"}}}),
			responses: answers(200, "Disabled", ref("Success"), "400", "403", "409", "413", "415", "429")}},
		{method: "PUT", pattern: "/-/login/totp", handler: s.completeLogin, doc: operation{
			id: "completeLogin", tag: tagAccounts, summary: "Complete a login with the second factor",
			description: "Completes the pending login that a login answered (status second_factor) with a current code or a recovery code, " +
				"starts the session and sets its cookie. A pending login works once and dies after 5 wrong codes or 5 minutes (404: log in again); " +
				"a code accepted before is refused. Rate limited like logins, per user.",
			body: jsonRequest(m{"type": "object", "required": []string{"pending"}, "properties": m{
				"pending": m{"type": "string", "description": "The pending token of the login's answer"},
				"code":    code, "recovery_code": recovery, "token": withToken}}),
			responses: answers(200, "Logged in", loginAnswer(), "400", "404", "413", "415", "429")}},
		{method: "POST", pattern: pathLoginCode, handler: s.requestLoginCode, doc: operation{
			id: "requestLoginCode", tag: tagAccounts, summary: "Mail a sign-in code and link",
			description: "Mails a short code and a link that sign in, once, within the configured time, to the address when it belongs to an active user; " +
				"a new request kills the previous code. Other addresses get the same answer and no mail. Rate limited like reset requests.",
			body:      jsonRequest(object([]string{"email"})),
			responses: answers(200, "The mail is on its way if the user exists", ref("Success"), "400", "413", "415", "429")}},
		{method: "GET", pattern: pathLoginCode + "/{token}", handler: s.loginCodeRedirect, doc: operation{
			id: "followLoginCodeLink", tag: tagAccounts, summary: "Follow a sign-in link",
			description: "The link of the sign-in mail: redirects to the page that completes the sign-in with the token (PUT /-/login/code), " +
				"without using it, so that a mail scanner following links signs nobody in.",
			params:    []m{pathParam("token", "The token of the mailed link", m{"type": "string"})},
			responses: redirect("404")}},
		{method: "PUT", pattern: pathLoginCode, handler: s.loginWithCode, doc: operation{
			id: "loginWithCode", tag: tagAccounts, summary: "Sign in with a mailed code or link",
			description: "Signs in with the address and the mailed code, or with the token of the mailed link, once; " +
				"for a user with a second factor the answer is a pending login (see PUT /-/login/totp). " +
				"Every failure is 400 on code (or link); 5 wrong codes kill the code. Rate limited like logins.",
			body: jsonRequest(m{"type": "object", "properties": m{
				"email": m{"type": "string"}, "code": m{"type": "string", "pattern": "^[0-9]{8}$"},
				"link": m{"type": "string", "description": "The token of the mailed link, instead of email and code"}, "token": withToken}}),
			responses: answers(200, "Signed in", loginAnswer(), "400", "413", "415", "429")}},
		{method: "DELETE", pattern: "/-/admin/users/{id}/totp", handler: s.adminUserAction(resetTOTP, struct{}{}), doc: operation{
			id: "adminResetTOTP", tag: tagAdmin, summary: "Reset a user's second factor",
			description: "Removes the user's second factor and recovery codes (for a user who lost both): they log in with the password alone again.",
			params:      []m{user},
			responses:   answers(200, "The second factor is removed", ref("Deleted"), "403", "404")}},
	}
}

// secondFactorSchemas adds the schemas of the second factor.
func secondFactorSchemas(schemas m) {
	schemas["SecondFactorPending"] = m{"type": "object", "description": "A login waiting for its second factor: no session yet",
		"required": []string{"status", "pending", "expires", "methods"},
		"properties": m{
			"status":  m{"const": "second_factor"},
			"pending": m{"type": "string", "description": "Send it back to PUT /-/login/totp with the code"},
			"expires": m{"type": "string", "format": "date-time", "description": "When the pending login dies"},
			"methods": m{"type": "array", "items": m{"enum": []any{"totp", "recovery_code"}}},
		}}
}
