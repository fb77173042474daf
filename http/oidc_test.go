package http_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// The OpenID Connect tests sign in against a real OpenID provider on 127.0.0.1:
// zitadel's certified op package with the example storage that its module ships,
// and a login step that signs in the user the test names.

// testOP is an OpenID provider with users that tests change.
type testOP struct {
	t       *testing.T
	issuer  string
	users   *opUsers
	clients map[string]*storage.Client
	store   *storage.Storage
	op      op.OpenIDProvider
}

// opUsers are the provider's users, by id; the username is the id.
type opUsers struct {
	mu    sync.Mutex
	users map[string]*storage.User
}

func (u *opUsers) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	if user, ok := u.users[id]; ok {
		c := *user
		return &c
	}
	return nil
}

func (u *opUsers) GetUserByUsername(name string) *storage.User { return u.GetUserByID(name) }

func (u *opUsers) ExampleClientID() string { return "service" }

// opPassword is every provider user's password.
const opPassword = "verysecure"

// add adds or replaces the provider's user id with the address.
func (p *testOP) add(id, email string, verified bool) {
	p.users.mu.Lock()
	defer p.users.mu.Unlock()
	p.users.users[id] = &storage.User{ID: id, Username: id, Password: opPassword, FirstName: "First " + id, LastName: "Last",
		Email: email, EmailVerified: verified, PreferredLanguage: language.English}
}

// startOP starts a provider on 127.0.0.1 until the test ends.
func startOP(t *testing.T) *testOP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &testOP{t: t, issuer: "http://" + ln.Addr().String(), users: &opUsers{users: map[string]*storage.User{}},
		clients: map[string]*storage.Client{}}
	p.store = storage.NewStorageWithClients(p.users, p.clients)
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("test")), CodeMethodS256: true, AuthMethodPost: true,
		SupportedUILocales: []language.Tag{language.English}}, p.store, op.StaticIssuer(p.issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	p.op = provider
	mux := http.NewServeMux()
	mux.HandleFunc("/login/username", p.login)
	mux.Handle("/", provider)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// login is the provider's login page: ?user=ID signs that user in to the request;
// without it, a form asks for the user.
func (p *testOP) login(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	if !r.URL.Query().Has("user") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Provider</title><main><h1>Provider</h1><form>
			<input type="hidden" name="authRequestID" value="%s"><label for="u">Username</label> <input id="u" name="user">
			<button>Sign in</button></form></main>`, html.EscapeString(id))
		return
	}
	if err := p.store.CheckUsernamePassword(r.URL.Query().Get("user"), opPassword, id); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(op.ContextWithIssuer(r.Context(), p.issuer), id), http.StatusFound)
}

// config names the provider "test" in a backrest configuration.
func (p *testOP) config(c *backrest.Config) {
	c.OIDC = []backrest.OIDCProvider{{Name: "test", Issuer: p.issuer, ClientID: "backrest", ClientSecret: "client secret"}}
}

// register registers the backrest server of e as the client of the provider.
func (p *testOP) register(e *env) {
	p.clients["backrest"] = storage.WebClient("backrest", "client secret", e.srv.URL+"/-/oidc/test/callback")
}

// oidcEnv starts a provider and a backrest server that signs in with it.
func oidcEnv(t *testing.T, b storetest.Backend) (*env, *testOP) {
	p := startOP(t)
	e := newEnv(t, b, p.config)
	p.register(e)
	return e, p
}

// location returns the Location of a redirect.
func (r *response) location() string {
	r.t.Helper()
	r.expect(http.StatusFound)
	return r.header.Get("Location")
}

// toProvider starts a sign-in (or link, with path) in b and returns the
// authorization URL at the provider.
func (p *testOP) toProvider(b *browser, path string) string {
	p.t.Helper()
	target := b.get(path).location()
	if !strings.HasPrefix(target, p.issuer+"/") {
		p.t.Fatalf("redirected to %s, not to the provider", target)
	}
	return target
}

// authorize follows an authorization URL at the provider, signs in as the user,
// and returns the URL the provider sends the browser back to (with code and state).
func (p *testOP) authorize(b *browser, authURL, user string) string {
	p.t.Helper()
	login := b.get(authURL).location()
	if !strings.HasPrefix(login, "/login/username") {
		p.t.Fatalf("provider redirected to %s, not to its login", login)
	}
	back := b.get(p.issuer + login + "&user=" + url.QueryEscape(user)).location()
	callback := b.get(back).location()
	if !strings.HasPrefix(callback, b.e.srv.URL+"/-/oidc/test/callback?") {
		p.t.Fatalf("provider redirected to %s, not to backrest", callback)
	}
	return callback
}

// signIn signs b in with the provider as the user and returns where backrest
// sends the browser at the end.
func (p *testOP) signIn(b *browser, user string) string {
	p.t.Helper()
	return b.get(p.authorize(b, p.toProvider(b, "/-/oidc/test/login"), user)).location()
}

// signinError returns the reason of a redirect to the sign-in error target, or
// "" for another target.
func signinError(e *env, target string) string {
	reason, ok := strings.CutPrefix(target, e.srv.URL+"/#/login?error=")
	if !ok {
		return ""
	}
	return reason
}

// me returns the user of b's session, failing unless b is signed in.
func (b *browser) me() map[string]any {
	b.e.t.Helper()
	info := b.get("/-/login").expect(http.StatusOK).JSON()
	if info["authenticated"] != true {
		b.e.t.Fatalf("not signed in: %v", info)
	}
	return info
}

// identities returns b's identities.
func (b *browser) identities() []any {
	b.e.t.Helper()
	var out []any
	b.get("/-/identities").expect(http.StatusOK).decode(&out)
	return out
}

func TestOIDCSignInCreatesAndReusesAccount(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		p.add("alice", "Alice@Example.com", true)
		e.browser().get("/-/signin").expect(http.StatusOK)

		b := e.browser()
		if target := p.signIn(b, "alice"); target != e.srv.URL+"/#/profile" {
			t.Fatalf("signed in to %s", target)
		}
		me := b.me()
		if me["email"] != "Alice@Example.com" || me["firstname"] != "First alice" || me["lastname"] != "Last" {
			t.Fatalf("user %v", me)
		}
		ids := b.identities()
		if len(ids) != 1 || ids[0].(map[string]any)["provider"] != "test" || ids[0].(map[string]any)["subject"] != "alice" {
			t.Fatalf("identities %v", ids)
		}

		again := e.browser()
		p.signIn(again, "alice")
		if again.me()["id"] != me["id"] || e.users() != 1 {
			t.Fatalf("second sign-in: %v, %d users", again.me(), e.users())
		}
		// The account has no password: a password login fails.
		e.browser().login("alice@example.com", "").expectError(http.StatusBadRequest, "login", "Login failed")
		// Having none, it is deleted without one, and its identity with it.
		again.post("/-/userprofile", obj{}).expect(http.StatusOK)
		var n int
		if err := e.app.DB.QueryRow(context.Background(), "SELECT count(*) FROM identities").Scan(&n); err != nil || n != 0 || e.users() != 0 {
			t.Fatalf("after deletion: %d identities, %d users (%v)", n, e.users(), err)
		}
	})
}

func TestOIDCVerifiedEmailOnlyLinksExistingAccount(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		bob := e.addUser("bob@example.com", pw, "Bob", "")
		p.add("bob-op", "BOB@example.com", false)

		b := e.browser()
		if reason := signinError(e, p.signIn(b, "bob-op")); reason != "email" {
			t.Fatalf("unverified address: reason %q", reason)
		}
		if b.authenticated() || e.users() != 1 {
			t.Fatal("an unverified address signed in or made an account")
		}
		owner := e.browser()
		owner.login("bob@example.com", pw).expect(http.StatusOK)
		if ids := owner.identities(); len(ids) != 0 {
			t.Fatalf("identities %v", ids)
		}

		p.add("bob-op", "BOB@example.com", true)
		p.signIn(b, "bob-op")
		if b.me()["id"] != bob.ID.String() || e.users() != 1 || len(owner.identities()) != 1 {
			t.Fatalf("verified address: signed in as %v", b.me())
		}
	})
}

func TestOIDCPendingSignupGivesWayToVerifiedAddress(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		e.browser().post("/-/signup", obj{"email": "carol@example.com", "password": "attacker's password"}).expect(http.StatusOK)
		p.add("carol", "carol@example.com", true)
		b := e.browser()
		p.signIn(b, "carol")
		b.me()
		e.browser().login("carol@example.com", "attacker's password").expectError(http.StatusBadRequest, "login", "Login failed")
		if e.users() != 1 {
			t.Fatalf("%d users", e.users())
		}
	})
}

func TestOIDCRefusesForgedOrReplayedReturns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		p.add("dan", "dan@example.com", true)
		refused := func(b *browser, callback, reason string) {
			t.Helper()
			if got := signinError(e, b.get(callback).location()); got != reason {
				t.Fatalf("reason %q, want %q", got, reason)
			}
			if b.authenticated() || e.users() != 0 {
				t.Fatal("a refused return signed in or made an account")
			}
		}
		with := func(raw, name, value string) string {
			u, _ := url.Parse(raw)
			q := u.Query()
			q.Set(name, value)
			u.RawQuery = q.Encode()
			return u.String()
		}

		// A forged state: the browser's is not it.
		b := e.browser()
		callback := p.authorize(b, p.toProvider(b, "/-/oidc/test/login"), "dan")
		refused(b, with(callback, "state", "forged"), "state")
		// The same return in another browser, which did not start it.
		refused(e.browser(), callback, "state")
		// The state was not taken by those: the browser that started it signs in.
		b.get(callback).location()
		b.me()
		// Replayed: the state works once.
		replay := e.browser()
		replay.header.Set("Cookie", "backrest_oidc="+mustQuery(t, callback, "state"))
		if got := signinError(e, replay.get(callback).location()); got != "state" || replay.authenticated() {
			t.Fatalf("replayed return: %q", got)
		}
		if e.users() != 1 {
			t.Fatalf("%d users", e.users())
		}
		e.app.DB.Exec(context.Background(), "DELETE FROM users")

		// A forged code.
		b = e.browser()
		callback = p.authorize(b, p.toProvider(b, "/-/oidc/test/login"), "dan")
		refused(b, with(callback, "code", "forged"), "token")
		// A code of another request (another browser's flow, its own PKCE verifier).
		other := e.browser()
		otherCallback := p.authorize(other, p.toProvider(other, "/-/oidc/test/login"), "dan")
		b = e.browser()
		callback = p.authorize(b, p.toProvider(b, "/-/oidc/test/login"), "dan")
		refused(b, with(callback, "code", mustQuery(t, otherCallback, "code")), "token")

		// A nonce that is not the request's: the provider puts it in the ID token.
		b = e.browser()
		auth := p.toProvider(b, "/-/oidc/test/login")
		refused(b, p.authorize(b, with(auth, "nonce", "forged"), "dan"), "token")

		// The provider's error (the user declined).
		b = e.browser()
		p.toProvider(b, "/-/oidc/test/login")
		state := cookieValue(t, b, "backrest_oidc")
		refused(b, e.srv.URL+"/-/oidc/test/callback?error=access_denied&state="+url.QueryEscape(state), "denied")

		// Too late.
		b = e.browser()
		callback = p.authorize(b, p.toProvider(b, "/-/oidc/test/login"), "dan")
		e.clock.Advance(11 * time.Minute)
		refused(b, callback, "state")

		// An unknown provider.
		e.browser().get("/-/oidc/nope/login").expectError(http.StatusNotFound, "", "")
	})
}

// mustQuery returns the query parameter of a URL.
func mustQuery(t *testing.T, raw, name string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Query().Get(name) == "" {
		t.Fatalf("no %s in %s", name, raw)
	}
	return u.Query().Get(name)
}

// cookieValue returns the value of b's cookie for the server.
func cookieValue(t *testing.T, b *browser, name string) string {
	t.Helper()
	u, _ := url.Parse(b.e.srv.URL + "/-/oidc/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	t.Fatalf("no cookie %s", name)
	return ""
}

func TestOIDCLinkAndUnlink(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		p.add("erin-op", "someone-else@example.com", false)
		p.add("frank", "frank@example.com", true)

		// Anonymous, or from another site: no link.
		e.browser().get("/-/oidc/test/link").expectError(http.StatusForbidden, "", "")
		erin := e.loggedIn("erin@example.com")
		cross := e.withCookie(sessionCookieOf(t, erin))
		cross.header.Set("Sec-Fetch-Site", "cross-site")
		cross.get("/-/oidc/test/link").expectError(http.StatusForbidden, "", "")

		// A signed-in user links an identity whatever its address.
		if target := erin.get(p.authorize(erin, p.toProvider(erin, "/-/oidc/test/link"), "erin-op")).location(); target != e.srv.URL+"/#/profile" {
			t.Fatalf("link went to %s", target)
		}
		ids := erin.identities()
		if len(ids) != 1 {
			t.Fatalf("identities %v", ids)
		}
		b := e.browser()
		p.signIn(b, "erin-op")
		if b.me()["email"] != "erin@example.com" || e.users() != 1 {
			t.Fatalf("signed in as %v", b.me())
		}

		// An identity linked to another account is not linked again.
		frank := e.browser()
		p.signIn(frank, "frank")
		if reason := signinError(e, erin.get(p.authorize(erin, p.toProvider(erin, "/-/oidc/test/link"), "frank")).location()); reason != "linked" {
			t.Fatalf("link of another's identity: %q", reason)
		}
		// A link whose user signed out meanwhile.
		callback := p.authorize(erin, p.toProvider(erin, "/-/oidc/test/link"), "frank")
		erin.put("/-/logout", obj{}).expect(http.StatusOK)
		if reason := signinError(e, erin.get(callback).location()); reason != "session" {
			t.Fatalf("link after sign-out: %q", reason)
		}
		erin.login("erin@example.com", "password1").expect(http.StatusOK)
		if len(erin.identities()) != 1 {
			t.Fatal("a refused link changed the identities")
		}

		// Unlink: not another's, not a malformed id, not the last way to sign in.
		frankID := int(frank.identities()[0].(map[string]any)["id"].(float64))
		erin.delete("/-/identities/"+itoa(frankID)).expectError(http.StatusNotFound, "", "")
		erin.delete("/-/identities/abc").expectError(http.StatusNotFound, "", "")
		e.browser().delete("/-/identities/"+itoa(frankID)).expectError(http.StatusForbidden, "", "")
		frank.delete("/-/identities/"+itoa(frankID)).expectError(http.StatusConflict, "", "")
		if len(frank.identities()) != 1 {
			t.Fatal("the last way to sign in was unlinked")
		}
		erinID := int(ids[0].(map[string]any)["id"].(float64))
		erin.delete("/-/identities/" + itoa(erinID)).expect(http.StatusOK)
		if len(erin.identities()) != 0 {
			t.Fatal("not unlinked")
		}
		// Now the identity makes an account of its own.
		b = e.browser()
		p.signIn(b, "erin-op")
		if b.me()["email"] != "someone-else@example.com" || e.users() != 3 {
			t.Fatalf("after unlink, signed in as %v", b.me())
		}
		// With a password, the last identity may go.
		frank.put("/-/password", obj{"password": "a new password"}).expect(http.StatusOK)
		frank.delete("/-/identities/" + itoa(frankID)).expect(http.StatusOK)
	})
}

// sessionCookieOf returns b's session token.
func sessionCookieOf(t *testing.T, b *browser) string {
	t.Helper()
	u, _ := url.Parse(b.e.srv.URL + "/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "backrest_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// decode decodes the body into v.
func (r *response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("body: %v: %s", err, r.body)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestOIDCInactiveAndUnavailable(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		p.add("oscar", "oscar@example.com", true)
		b := e.browser()
		p.signIn(b, "oscar")
		b.me()
		// A deactivated account: its identity signs nobody in.
		if _, err := e.app.DB.Exec(context.Background(), "UPDATE users SET active = 0"); err != nil {
			t.Fatal(err)
		}
		b = e.browser()
		if reason := signinError(e, p.signIn(b, "oscar")); reason != "inactive" || b.authenticated() {
			t.Fatalf("deactivated: %q", reason)
		}

		down := newEnv(t, backend, func(c *backrest.Config) {
			c.OIDC = []backrest.OIDCProvider{{Name: "down", Issuer: "http://127.0.0.1:1", ClientID: "id", ClientSecret: "s"}}
		})
		if reason := signinError(down, down.browser().get("/-/oidc/down/login").location()); reason != "unavailable" {
			t.Fatalf("provider down: %q", reason)
		}
	})
}

// The starts of sign-ins without a password are limited per client address, the
// redirects to providers and the passkey options together.
func TestSigninStartLimit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		p := startOP(t)
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, backend)
		p.config(&cfg)
		cfg.RateLimits.SigninStartPerAddr = backrest.Limit{Burst: 2, Per: time.Hour}
		e := startEnvHost(t, cfg, app.Options{}, "localhost")
		p.register(e)
		b := e.browser()
		p.toProvider(b, "/-/oidc/test/login")
		b.post("/-/webauthn/login/options", obj{}).expect(http.StatusOK)
		res := b.get("/-/oidc/test/login")
		res.expectError(http.StatusTooManyRequests, "", "")
		if res.header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		b.post("/-/webauthn/login/options", obj{}).expectError(http.StatusTooManyRequests, "", "")
		var n int
		if err := e.app.DB.QueryRow(context.Background(), "SELECT count(*) FROM auth_challenges").Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d challenges (%v)", n, err)
		}
	})
}

// Returns of one new identity at the same time make one account, which both sign
// in to.
func TestOIDCConcurrentFirstSignIns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		p.add("peggy", "peggy@example.com", true)
		const n = 4
		var browsers [n]*browser
		var callbacks [n]string
		for i := range browsers {
			browsers[i] = e.browser()
			callbacks[i] = p.authorize(browsers[i], p.toProvider(browsers[i], "/-/oidc/test/login"), "peggy")
		}
		var wg sync.WaitGroup
		locations := make([]string, n)
		errs := make([]error, n)
		for i := range browsers {
			wg.Go(func() {
				res, err := browsers[i].client.Get(callbacks[i])
				if err != nil {
					errs[i] = err
					return
				}
				res.Body.Close()
				locations[i] = res.Header.Get("Location")
			})
		}
		wg.Wait()
		for i, b := range browsers {
			if errs[i] != nil || locations[i] != e.srv.URL+"/#/profile" {
				t.Fatalf("return %d: %q, %v", i, locations[i], errs[i])
			}
			if b.me()["email"] != "peggy@example.com" {
				t.Fatalf("browser %d: %v", i, b.me())
			}
		}
		if e.users() != 1 {
			t.Fatalf("%d users", e.users())
		}
	})
}

// A sign-in with a provider is the first factor only: a user with two-step
// verification lands on the second-factor page with a pending login, no session.
func TestOIDCSecondFactor(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		p.add("rita", "rita@example.com", true)
		owner := e.loggedIn("rita@example.com")
		secret, _ := owner.enroll("password1")

		b := e.browser()
		target := p.signIn(b, "rita")
		pending, ok := strings.CutPrefix(target, e.srv.URL+"/#/second-factor?pending=")
		if !ok || pending == "" || b.authenticated() {
			t.Fatalf("signed in to %s", target)
		}
		b.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret)}).expect(http.StatusOK)
		if b.me()["email"] != "rita@example.com" {
			t.Fatalf("signed in as %v", b.me())
		}
	})
}

// A user made by a provider has no password: the profile says so, and an e-mail
// change asks for none until the user sets one.
func TestOIDCUserWithoutPassword(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, p := oidcEnv(t, backend)
		p.add("olga", "olga@example.com", true)
		e.addUser("pete@example.com", pw, "", "")
		pete := e.browser()
		pete.login("pete@example.com", pw).expectSuccess()
		if has := pete.get("/-/userprofile").expect(http.StatusOK).JSON()["has_password"]; has != true {
			t.Fatalf("has_password of a user with a password: %v", has)
		}
		pete.put("/-/email/", obj{"email": "pete2@example.com"}).expectError(http.StatusBadRequest, "password", "password is missing")

		b := e.browser()
		p.signIn(b, "olga")
		if has := b.get("/-/userprofile").expect(http.StatusOK).JSON()["has_password"]; has != false {
			t.Fatalf("has_password of a user made by a provider: %v", has)
		}
		b.put("/-/email/", obj{"email": "bad"}).expectError(http.StatusBadRequest, "email", "Invalid email address")
		b.put("/-/email/", obj{"email": "olga2@example.com"}).expectSuccess()
		if len(e.awaitMails("olga2@example.com", 1)) != 1 {
			t.Fatal("no confirmation mail to the new address")
		}

		b.put("/-/password", obj{"password": pw}).expectSuccess()
		if has := b.get("/-/userprofile").expect(http.StatusOK).JSON()["has_password"]; has != true {
			t.Fatalf("has_password after setting one: %v", has)
		}
		b.put("/-/email/", obj{"email": "olga3@example.com"}).expectError(http.StatusBadRequest, "password", "password is missing")
		b.put("/-/email/", obj{"email": "olga3@example.com", "password": pw}).expectSuccess()
	})
}
