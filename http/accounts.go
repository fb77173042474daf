package http

import (
	"context"
	"net/http"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
)

// appInfo answers GET /-/.
func (s *Server) appInfo(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	info := map[string]any{"version": backrest.Version, "debug": s.cfg.Debug, "authenticated": sess != nil}
	if sess != nil {
		info["user"] = sess.User.JSON()
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// decode reads the request's JSON object and fails on fields of the wrong type.
func (s *Server) decode(r *http.Request) (*body, error) {
	return decodeObject(r, s.cfg.BodyLimit)
}

// fields decodes the request's JSON object and returns its string fields of the
// given names, nil when absent. Fields of another type are reported together.
func (s *Server) fields(r *http.Request, names ...string) ([]*string, error) {
	b, err := s.decode(r)
	if err != nil {
		return nil, err
	}
	out := make([]*string, len(names))
	for i, name := range names {
		out[i] = b.String(name)
	}
	return out, b.Err()
}

// signup answers POST /-/signup.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	f, err := s.fields(r, "email", "password", "firstname", "lastname")
	if err != nil {
		return err
	}
	var named string
	if f[0] != nil {
		named = *f[0]
	}
	if err := s.limits.Signup(r.Context(), s.clientAddr(r), named); err != nil {
		return err
	}
	in := account.SignupInput{Email: f[0], Password: f[1], Firstname: f[2], Lastname: f[3]}
	if err := s.accounts.Signup(r.Context(), in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// confirmSignup answers GET /-/signup?token=T: it activates the account, logs the
// user in and redirects. A link followed from another site activates the account
// but sets no session, so that a page cannot log its visitors into an account of
// its own: they land on the same target, logged out, and log in there.
//
// With session=token in the query (an app that opens the link itself, in a webview
// or from a deep link) it answers 200 with the user and the session's token in
// JSON instead, and sets no cookie.
func (s *Server) confirmSignup(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	withToken := q.Has("session")
	if withToken && q.Get("session") != "token" {
		return &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
			{Location: "querystring", Name: "session", Description: "Must be token"}}}
	}
	login := !crossSite(r)
	sess, target, err := s.accounts.ConfirmSignup(r.Context(), q.Get("token"), login)
	if err != nil {
		return err
	}
	if withToken {
		answer := map[string]any{"status": "success"}
		if sess != nil {
			answer["user"], answer["token"], answer["expires"] = sess.User.JSON(), sess.Token, sess.Expires.UTC()
		}
		writeJSON(w, http.StatusOK, answer)
		return nil
	}
	if login {
		s.setSession(w, r, sess)
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// crossSite reports whether the browser says the request comes from another site.
// Clients that send no Sec-Fetch-Site header are taken at their word.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "none", "same-origin", "same-site":
		return false
	}
	return true
}

// login answers PUT /-/login. With "token": true in the body the answer also
// carries the session's token and its expiry, for clients that send it as a
// bearer token. A user with a second factor gets a pending login instead (see
// answerLogin).
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	b, err := s.decode(r)
	if err != nil {
		return err
	}
	login, password, withToken := b.String("login"), b.String("password"), b.Bool("token")
	if err := b.Err(); err != nil {
		return err
	}
	if login == nil || password == nil {
		var v backrest.Validation
		if login == nil {
			v.Body("login", "login is missing")
		}
		if password == nil {
			v.Body("password", "password is missing")
		}
		return v.Err()
	}
	addr := s.clientAddr(r)
	if err := s.limits.Login(r.Context(), addr, *login); err != nil {
		return err
	}
	sess, err := s.reservedLogin(r.Context(), addr, *login, *password)
	return s.answerLogin(w, r, sess, err, withToken)
}

// reservedLogin logs in with the attempt that the limiter reserved, and ends the
// attempt whatever happens (a panic counts as a failure).
func (s *Server) reservedLogin(ctx context.Context, addr, login, password string) (*account.Session, error) {
	failed := true
	defer func() { s.limits.LoginDone(ctx, addr, login, failed) }()
	sess, err := s.accounts.Login(ctx, login, password)
	failed = account.IsLoginFailure(err)
	return sess, err
}

// authInfo is the answer of GET /-/login for a logged-in user.
type authInfo struct {
	backrest.UserJSON
	Authenticated bool `json:"authenticated"`
}

// authInfo answers GET /-/login.
func (s *Server) authInfo(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if sess == nil {
		writeJSON(w, http.StatusOK, map[string]bool{"authenticated": false})
		return nil
	}
	writeJSON(w, http.StatusOK, authInfo{UserJSON: sess.User.JSON(), Authenticated: true})
	return nil
}

// logout answers PUT /-/logout. Its body may be empty.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength != 0 {
		if _, err := s.decode(r); err != nil {
			return err
		}
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if sess != nil {
		if err := s.accounts.Logout(r.Context(), sess); err != nil {
			return err
		}
	}
	s.clearSession(w, r)
	writeJSON(w, http.StatusOK, success)
	return nil
}

// requestReset answers POST /-/reset/.
func (s *Server) requestReset(w http.ResponseWriter, r *http.Request) error {
	f, err := s.fields(r, "email")
	if err != nil {
		return err
	}
	email := f[0]
	var named string
	if email != nil {
		named = *email
	}
	if err := s.limits.Reset(r.Context(), s.clientAddr(r), named); err != nil {
		return err
	}
	if err := s.accounts.RequestReset(r.Context(), email); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// resetRedirect answers GET /-/reset/T, the link of the reset mail.
func (s *Server) resetRedirect(w http.ResponseWriter, r *http.Request) error {
	target, err := s.accounts.ResetRedirect(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// reset answers PUT /-/reset/T.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	f, err := s.fields(r, "password")
	if err != nil {
		return err
	}
	password := f[0]
	if err := s.accounts.Reset(r.Context(), r.PathValue("token"), password); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// changePassword answers PUT /-/password.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	f, err := s.fields(r, "current", "password")
	if err != nil {
		return err
	}
	in := account.PasswordChange{Current: f[0], Password: f[1]}
	if err := s.accounts.ChangePassword(r.Context(), sess, in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// requestEmailChange answers PUT /-/email/.
func (s *Server) requestEmailChange(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	f, err := s.fields(r, "email", "password")
	if err != nil {
		return err
	}
	in := account.EmailChange{Email: f[0], Password: f[1]}
	if err := s.accounts.RequestEmailChange(r.Context(), sess, in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// confirmEmailChange answers GET /-/email/T, the link of the e-mail change mail.
func (s *Server) confirmEmailChange(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	target, err := s.accounts.ConfirmEmailChange(r.Context(), sess, r.PathValue("token"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// profile answers GET /-/userprofile.
func (s *Server) profile(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	u, err := s.accounts.Profile(r.Context(), sess.User, r.URL.Query().Get("email"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, profileJSON{UserJSON: u.JSON(), HasPassword: u.PasswordHash != ""})
	return nil
}

// profileJSON is the answer of GET /-/userprofile: the user, and whether it has a
// password (one made by a provider or a passkey sign-in has none until it sets one).
type profileJSON struct {
	backrest.UserJSON
	HasPassword bool `json:"has_password"`
}

// updateProfile answers PUT /-/userprofile.
func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	f, err := s.fields(r, "firstname", "lastname")
	if err != nil {
		return err
	}
	in := account.ProfileInput{Firstname: f[0], Lastname: f[1]}
	if err := s.accounts.UpdateProfile(r.Context(), sess.User, in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// deleteAccount answers POST /-/userprofile.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	f, err := s.fields(r, "password")
	if err != nil {
		return err
	}
	password := f[0]
	if err := s.accounts.DeleteAccount(r.Context(), sess.User, password); err != nil {
		return err
	}
	s.clearSession(w, r)
	writeJSON(w, http.StatusOK, map[string]string{"message": "goodbye"})
	return nil
}
