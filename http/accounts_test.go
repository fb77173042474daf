package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

const pw = "correct horse"

// users counts the users in the database.
func (e *env) users() int {
	e.t.Helper()
	var n int
	if err := e.app.DB.QueryRow(context.Background(), "SELECT count(*) FROM users").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// sessionCookie returns the session cookie a response sets, or nil.
func sessionCookie(r *response) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "backrest_session" {
			return c
		}
	}
	return nil
}

// withCookie returns a browser that sends the given session token as a cookie,
// as a replayed old cookie would.
func (e *env) withCookie(token string) *browser {
	b := e.browser()
	b.header.Set("Cookie", "backrest_session="+token)
	return b
}

func (b *browser) authenticated() bool {
	b.e.t.Helper()
	return b.get("/-/login").expect(200).JSON()["authenticated"] == true
}

func TestAppInfo(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.browser()
		info := b.get("/-/").expect(200).JSON()
		if info["version"] != backrest.Version || info["debug"] != false || info["authenticated"] != false || info["user"] != nil {
			t.Fatalf("anonymous app info: %v", info)
		}
		e.addUser("ann@example.com", pw, "Ann", "Smith")
		b.login("ann@example.com", pw).expectSuccess()
		info = b.get("/-/").expect(200).JSON()
		user, _ := info["user"].(map[string]any)
		if info["authenticated"] != true || user["email"] != "ann@example.com" {
			t.Fatalf("app info: %v", info)
		}
	})
}

func TestSignup(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.browser()
		res := b.post("/-/signup", obj{"email": "Bob@Example.com", "password": pw, "firstname": "Bob", "lastname": "Jones"})
		res.expectSuccess()
		if sessionCookie(res) != nil {
			t.Fatal("sign-up set a session")
		}
		if b.authenticated() {
			t.Fatal("authenticated after sign-up")
		}
		b.login("bob@example.com", pw).expectError(400, "login", "Login failed")

		link := e.link("Bob@Example.com", "/-/signup?token=")
		if !strings.HasPrefix(link, e.srv.URL+"/-/signup?token=") {
			t.Fatalf("link %s is not absolute on the base URL", link)
		}
		m := e.mails("Bob@Example.com")[0]
		if !strings.Contains(m.HTML, "href=\""+strings.ReplaceAll(link, "&", "&amp;")) {
			t.Fatalf("HTML part lacks the link: %s", m.HTML)
		}

		// Tampered links do not verify.
		b.get(tamper(link)).expectError(404, "", "")
		b.get(strings.Replace(link, "token=", "token=x", 1)).expectError(404, "", "")
		b.get("/-/signup").expectError(404, "", "")

		res = b.get(link).expect(http.StatusFound)
		if loc := res.header.Get("Location"); loc != e.srv.URL+"/#/welcome" {
			t.Fatalf("redirect to %q", loc)
		}
		c := sessionCookie(res)
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
			t.Fatalf("session cookie %+v", c)
		}
		info := b.get("/-/login").expect(200).JSON()
		if info["authenticated"] != true || info["email"] != "Bob@Example.com" || info["firstname"] != "Bob" {
			t.Fatalf("after confirmation: %v", info)
		}
		id, _ := info["id"].(string)
		if len(id) != 32 || info["short_id"] != id[:8] {
			t.Fatalf("ids: %v", info)
		}
		// Used before: 403.
		e.browser().get(link).expectError(403, "", "")
		b.put("/-/logout", obj{}).expectSuccess()
		b.login("BOB@example.COM", pw).expectSuccess()
	})
}

func TestSignupLinkExpires(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.browser().post("/-/signup", obj{"email": "c@example.com", "password": pw}).expectSuccess()
		link := e.link("c@example.com", "signup")
		e.clock.Advance(7*24*time.Hour + time.Minute)
		e.browser().get(link).expectError(404, "", "")
	})
}

func TestSignupErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("taken@example.com", pw, "", "")
		b := e.browser()
		b.post("/-/signup", obj{"email": "not an address", "password": "short"}).expectError(400, "email", "Invalid email address")
		b.post("/-/signup", obj{"email": "not an address", "password": "short"}).expectError(400, "password", "")
		b.post("/-/signup", obj{"email": "TAKEN@example.com", "password": pw}).expectError(400, "email", "Email already exists")
		b.post("/-/signup", obj{"password": pw}).expectError(400, "email", "Invalid email address")
		b.post("/-/signup", obj{"email": "d@example.com"}).expectError(400, "password", "password is missing")
		b.post("/-/signup", obj{"email": "Dee <d@example.com>", "password": pw}).expectError(400, "email", "Invalid email address")
		b.post("/-/signup", obj{"email": "d@example.com", "password": "1234567"}).expectError(400, "password", "Password must be at least 8 characters long")
		b.post("/-/signup", obj{"email": "d@example.com", "password": pw, "firstname": strings.Repeat("x", 201)}).expectError(400, "firstname", "")
		b.post("/-/signup", obj{"email": 5, "password": pw}).expectError(400, "email", "Must be a string")
		if n := e.users(); n != 1 {
			t.Fatalf("%d users after failed sign-ups, want 1", n)
		}
		if len(e.mails("d@example.com")) != 0 {
			t.Fatal("mail sent for a failed sign-up")
		}
	})
}

func TestLogin(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		u := e.addUser("ann@example.com", pw, "Ann", "Smith", "editor")
		b := e.browser()
		b.login("ann@example.com", "wrong").expectError(400, "login", "Login failed")
		b.login("nobody@example.com", pw).expectError(400, "login", "Login failed")
		b.put("/-/login", obj{"login": "ann@example.com"}).expectError(400, "password", "password is missing")
		res := b.login("ANN@example.com", pw)
		res.expectSuccess()
		user := res.JSON()["user"].(map[string]any)
		if user["id"] != u.ID.String() || user["short_id"] != u.ID.Short() || user["email"] != "ann@example.com" ||
			user["firstname"] != "Ann" || user["lastname"] != "Smith" {
			t.Fatalf("user %v", user)
		}
		if roles, _ := user["roles"].([]any); len(roles) != 1 || roles[0] != "editor" {
			t.Fatalf("roles %v", user["roles"])
		}
		first := sessionCookie(res)
		second := sessionCookie(b.login("ann@example.com", pw))
		if first == nil || second == nil || first.Value == second.Value {
			t.Fatal("a login must start a new session")
		}
		// The session token works as a bearer token too.
		bearer := e.browser()
		bearer.header.Set("Authorization", "Bearer "+second.Value)
		if !bearer.authenticated() {
			t.Fatal("bearer token not accepted")
		}
		bearer.header.Set("Authorization", "Bearer nonsense")
		if bearer.authenticated() {
			t.Fatal("bad bearer token accepted")
		}
		// An inactive user cannot log in.
		e.browser().post("/-/signup", obj{"email": "new@example.com", "password": pw}).expectSuccess()
		e.browser().login("new@example.com", pw).expectError(400, "login", "Login failed")
	})
}

func TestLogout(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		b := e.browser()
		token := sessionCookie(b.login("ann@example.com", pw)).Value
		res := b.put("/-/logout", obj{})
		res.expectSuccess()
		if c := sessionCookie(res); c == nil || c.MaxAge >= 0 {
			t.Fatalf("logout did not clear the cookie: %+v", c)
		}
		replay := e.withCookie(token)
		if replay.authenticated() {
			t.Fatal("session alive after logout")
		}
		replay.get("/-/userprofile").expectError(403, "", "")
		// Logging out anonymously is harmless.
		e.browser().put("/-/logout", obj{}).expectSuccess()
		e.browser().do("PUT", "/-/logout", nil).expectSuccess()
	})
}

func TestPasswordReset(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		other := e.browser()
		oldToken := sessionCookie(other.login("ann@example.com", pw)).Value

		b := e.browser()
		b.post("/-/reset/", obj{"email": "ANN@example.com"}).expectSuccess()
		link := e.link("ann@example.com", "/-/reset/")
		token := strings.TrimPrefix(link, e.srv.URL+"/-/reset/")
		if token == link {
			t.Fatalf("reset link %s", link)
		}
		res := b.get(link).expect(http.StatusFound)
		if loc := res.header.Get("Location"); loc != e.srv.URL+"/#/reset/"+token {
			t.Fatalf("reset redirect %q", loc)
		}
		b.get("/-/reset/"+token+"x").expectError(404, "", "")
		b.put("/-/reset/"+token+"x", obj{"password": "new password"}).expectError(404, "", "")
		b.put("/-/reset/"+token, obj{"password": "short"}).expectError(400, "password", "")
		b.put("/-/reset/"+token, obj{}).expectError(400, "password", "password is missing")
		b.put("/-/reset/"+token, obj{"password": "new password"}).expectSuccess()

		// Once only.
		b.put("/-/reset/"+token, obj{"password": "newer password"}).expectError(404, "", "")
		b.get(link).expectError(404, "", "")
		// All sessions ended.
		if e.withCookie(oldToken).authenticated() {
			t.Fatal("session alive after reset")
		}
		e.browser().login("ann@example.com", pw).expectError(400, "login", "Login failed")
		e.browser().login("ann@example.com", "new password").expectSuccess()
		// The previous address is told.
		ms := e.mails("ann@example.com")
		if last := ms[len(ms)-1]; !strings.Contains(strings.ToLower(last.Subject), "password") || last.Text == ms[0].Text {
			t.Fatalf("no password change notice: %+v", last)
		}
	})
}

func TestPasswordResetTellsNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.post("/-/reset/", obj{"email": "nobody@example.com"}).expectSuccess()
		b.post("/-/signup", obj{"email": "inactive@example.com", "password": pw}).expectSuccess()
		b.post("/-/reset/", obj{"email": "inactive@example.com"}).expectSuccess()
		if n := len(e.mails("nobody@example.com")); n != 0 {
			t.Fatalf("%d mails to an unknown address", n)
		}
		for _, m := range e.mails("inactive@example.com") {
			if strings.Contains(m.Text, "/-/reset/") {
				t.Fatal("reset link mailed to an unconfirmed address")
			}
		}
		b.post("/-/reset/", obj{"email": "not an address"}).expectError(400, "email", "Invalid email address")
		b.post("/-/reset/", obj{}).expectError(400, "email", "Invalid email address")
	})
}

func TestPasswordResetExpires(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		e.browser().post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		link := e.link("ann@example.com", "/-/reset/")
		e.clock.Advance(time.Hour + time.Second)
		e.browser().get(link).expectError(404, "", "")
		e.browser().put(link, obj{"password": "new password"}).expectError(404, "", "")
	})
}

func TestPasswordChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		e.browser().put("/-/password", obj{"current": pw, "password": "new password"}).expectError(403, "", "")

		other := e.browser()
		other.login("ann@example.com", pw).expectSuccess()
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		b.put("/-/password", obj{"current": "wrong", "password": "new password"}).expectError(400, "current", "Password does not match")
		b.put("/-/password", obj{"password": "new password"}).expectError(400, "current", "current is missing")
		b.put("/-/password", obj{"current": pw, "password": "short"}).expectError(400, "password", "")
		b.put("/-/password", obj{"current": pw}).expectError(400, "password", "password is missing")
		b.put("/-/password", obj{"current": pw, "password": "new password"}).expectSuccess()
		if !b.authenticated() {
			t.Fatal("this session ended")
		}
		if other.authenticated() {
			t.Fatal("the other session is alive")
		}
		e.browser().login("ann@example.com", "new password").expectSuccess()
		ms := e.mails("ann@example.com")
		if len(ms) != 1 || !strings.Contains(strings.ToLower(ms[0].Subject), "password") {
			t.Fatalf("notices: %+v", ms)
		}
	})
}

func TestEmailChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		e.addUser("taken@example.com", pw, "", "")
		e.browser().put("/-/email/", obj{"email": "new@example.com", "password": pw}).expectError(403, "", "")

		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		b.put("/-/email/", obj{"email": "nope", "password": pw}).expectError(400, "email", "Invalid email address")
		b.put("/-/email/", obj{"email": "Taken@example.com", "password": pw}).expectError(400, "email", "Email already exists")
		b.put("/-/email/", obj{"email": "new@example.com", "password": "wrong"}).expectError(400, "password", "Password does not match")
		b.put("/-/email/", obj{"email": "ann@example.com", "password": pw}).expectSuccess()
		if len(e.mails("ann@example.com")) != 0 {
			t.Fatal("mail sent for the same address")
		}
		b.put("/-/email/", obj{"email": "new@example.com", "password": pw}).expectSuccess()
		link := e.link("new@example.com", "/-/email/")

		e.browser().get(link).expectError(403, "", "")
		e.addUser("eve@example.com", pw, "", "")
		eve := e.browser()
		eve.login("eve@example.com", pw).expectSuccess()
		eve.get(link).expectError(403, "", "")
		b.get(link+"x").expectError(404, "", "")

		res := b.get(link).expect(http.StatusFound)
		if loc := res.header.Get("Location"); loc != e.srv.URL+"/#/email-changed" {
			t.Fatalf("redirect %q", loc)
		}
		if got := b.get("/-/userprofile").expect(200).JSON()["email"]; got != "new@example.com" {
			t.Fatalf("address %v", got)
		}
		b.get(link).expectError(404, "", "")
		notices := e.mails("ann@example.com")
		if len(notices) != 1 || !strings.Contains(notices[0].Text, "new@example.com") {
			t.Fatalf("notice to the old address: %+v", notices)
		}
		e.browser().login("new@example.com", pw).expectSuccess()
		e.browser().login("ann@example.com", pw).expectError(400, "login", "Login failed")
	})
}

func TestProfile(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "Smith")
		e.addUser("root@example.com", pw, "", "", backrest.RoleAdmin)
		anon := e.browser()
		anon.get("/-/userprofile").expectError(403, "", "")
		anon.put("/-/userprofile", obj{"firstname": "X"}).expectError(403, "", "")
		anon.post("/-/userprofile", obj{"password": pw}).expectError(403, "", "")

		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		p := b.get("/-/userprofile").expect(200).JSON()
		if p["firstname"] != "Ann" || p["lastname"] != "Smith" || p["email"] != "ann@example.com" {
			t.Fatalf("profile %v", p)
		}
		b.get("/-/userprofile?email=root@example.com").expectError(403, "", "")
		b.put("/-/userprofile", obj{"firstname": "Annie", "__meta__": obj{"x": 1}, "unknown": true}).expectSuccess()
		p = b.get("/-/userprofile").expect(200).JSON()
		if p["firstname"] != "Annie" || p["lastname"] != "Smith" {
			t.Fatalf("partial update: %v", p)
		}
		b.put("/-/userprofile", obj{"lastname": strings.Repeat("é", 201)}).expectError(400, "lastname", "")
		b.put("/-/userprofile", obj{"firstname": []int{1}}).expectError(400, "firstname", "Must be a string")

		admin := e.browser()
		admin.login("root@example.com", pw).expectSuccess()
		if got := admin.get("/-/userprofile?email=ANN@example.com").expect(200).JSON(); got["firstname"] != "Annie" {
			t.Fatalf("admin read %v", got)
		}
		admin.get("/-/userprofile?email=nobody@example.com").expectError(404, "", "")
	})
}

func TestDeleteAccount(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		other := e.browser()
		other.login("ann@example.com", pw).expectSuccess()
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		b.post("/-/userprofile", obj{}).expectError(400, "password", "password is missing")
		b.post("/-/userprofile", obj{"password": "wrong"}).expectError(400, "password", "Password does not match")
		res := b.post("/-/userprofile", obj{"password": pw}).expect(200)
		if res.JSON()["message"] != "goodbye" {
			t.Fatalf("delete: %s", res.body)
		}
		if b.authenticated() || other.authenticated() {
			t.Fatal("a session survived the deletion")
		}
		e.browser().login("ann@example.com", pw).expectError(400, "login", "Login failed")
		if e.users() != 0 {
			t.Fatal("user still stored")
		}
		e.browser().post("/-/signup", obj{"email": "ann@example.com", "password": pw}).expectSuccess()
	})
}

// Every endpoint with a JSON body answers bad bodies with a JSON 4xx and changes
// nothing.
func TestBadBodies(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		b.post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		resetPath := strings.TrimPrefix(e.link("ann@example.com", "/-/reset/"), e.srv.URL)
		endpoints := []struct{ method, path string }{
			{"POST", "/-/signup"}, {"PUT", "/-/login"}, {"PUT", "/-/logout"}, {"POST", "/-/reset/"},
			{"PUT", resetPath}, {"PUT", "/-/password"}, {"PUT", "/-/email/"},
			{"PUT", "/-/userprofile"}, {"POST", "/-/userprofile"},
		}
		huge := `{"email": "` + strings.Repeat("a", 1<<20) + `"}`
		for _, ep := range endpoints {
			b.do(ep.method, ep.path, `{"email": "x@example.com"}`, "text/plain").expectError(415, "", "")
			b.do(ep.method, ep.path, `{"email": "x@example.com"}`, "application/x-www-form-urlencoded").expectError(415, "", "")
			b.do(ep.method, ep.path, `{"email": `, "application/json").expectError(400, "body", "")
			b.do(ep.method, ep.path, `[1, 2]`, "application/json").expectError(400, "body", "")
			b.do(ep.method, ep.path, `"text"`, "application/json").expectError(400, "body", "")
			b.do(ep.method, ep.path, `null`, "application/json").expectError(400, "body", "")
			b.do(ep.method, ep.path, "\xff\xfe", "application/json").expectError(400, "body", "")
			b.do(ep.method, ep.path, huge, "application/json").expectError(413, "", "")
			if ep.path != "/-/logout" { // logout reads no fields
				b.do(ep.method, ep.path, obj{"email": 1, "password": true, "current": 2.5, "login": obj{}, "firstname": []any{}}).expect(400)
			}
		}
		// Nothing changed: the session, the profile and the password are as before.
		p := b.get("/-/userprofile").expect(200).JSON()
		if p["firstname"] != "Ann" || p["email"] != "ann@example.com" {
			t.Fatalf("profile changed: %v", p)
		}
		e.browser().login("ann@example.com", pw).expectSuccess()
		if e.users() != 1 {
			t.Fatal("a user was created")
		}
	})
}

func TestErrorsOfTheRouter(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.get("/-/nothing-here").expectError(404, "", "")
		b.get("/elsewhere").expectError(404, "", "")
		res := b.delete("/-/login")
		res.expectError(405, "", "")
		if allow := res.header.Get("Allow"); !strings.Contains(allow, "PUT") || !strings.Contains(allow, "GET") {
			t.Fatalf("Allow %q", allow)
		}
		b.get("/-/password").expectError(405, "", "")
	})
}

func TestCrossOriginRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		b.header.Set("Origin", "https://evil.example")
		b.header.Set("Sec-Fetch-Site", "cross-site")
		b.put("/-/userprofile", obj{"firstname": "Mallory"}).expectError(403, "", "")
		b.header.Del("Origin")
		b.header.Del("Sec-Fetch-Site")
		if got := b.get("/-/userprofile").expect(200).JSON()["firstname"]; got != "Ann" {
			t.Fatalf("cross-site change went through: %v", got)
		}
		b.header.Set("Sec-Fetch-Site", "same-origin")
		b.put("/-/userprofile", obj{"firstname": "Annie"}).expectSuccess()
	})
}

func TestRateLimits(t *testing.T) {
	limits := func(c *backrest.Config) {
		c.RateLimits.LoginFailuresPerAccountAddr = backrest.Limit{Burst: 3, Per: time.Hour}
		c.RateLimits.LoginFailuresPerAddr = backrest.Limit{Burst: 5, Per: time.Hour}
		c.RateLimits.SignupPerAddr = backrest.Limit{Burst: 2, Per: time.Hour}
		c.RateLimits.ResetPerAccount = backrest.Limit{Burst: 2, Per: time.Hour}
	}
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		e.addUser("bob@example.com", pw, "", "")
		b := e.browser()
		// Successful logins do not count.
		for range 5 {
			b.login("ann@example.com", pw).expectSuccess()
		}
		for range 3 {
			b.login("ann@example.com", "wrong").expectError(400, "login", "Login failed")
		}
		res := b.login("ANN@example.com", pw)
		res.expectError(429, "", "")
		if ra := res.header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After %q", ra)
		}
		// Another account from the same address still works until the address
		// limit is reached.
		b.login("bob@example.com", pw).expectSuccess()
		b.login("bob@example.com", "wrong").expectError(400, "login", "")
		b.login("bob@example.com", "wrong").expectError(400, "login", "")
		b.login("bob@example.com", pw).expectError(429, "", "")
		// The account's bucket refills with time.
		e.clock.Advance(time.Hour)
		b.login("ann@example.com", pw).expectSuccess()

		b.post("/-/signup", obj{"email": "s1@example.com", "password": pw}).expectSuccess()
		b.post("/-/signup", obj{"email": "s2@example.com", "password": pw}).expectSuccess()
		b.post("/-/signup", obj{"email": "s3@example.com", "password": pw}).expectError(429, "", "")

		b.post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		b.post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		b.post("/-/reset/", obj{"email": "Ann@example.com"}).expectError(429, "", "")
		if n := len(e.mails("ann@example.com")); n != 2 {
			t.Fatalf("%d reset mails, want 2", n)
		}
	}, limits)
}

// Instances on one database count failed logins together, and a restart forgets
// none of them.
func TestRateLimitsShared(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, b)
		cfg.RateLimits.LoginFailuresPerAccount = backrest.Limit{Burst: 4, Per: time.Hour}
		one, two := startEnv(t, cfg, app.Options{}), startEnv(t, cfg, app.Options{})
		one.addUser("ann@example.com", pw, "", "")
		for _, e := range []*env{one, two, one, two} {
			e.browser().login("ann@example.com", "wrong").expectError(400, "login", "Login failed")
		}
		two.browser().login("ann@example.com", pw).expectError(429, "", "")
		one.browser().login("ann@example.com", pw).expectError(429, "", "")
		three := startEnv(t, cfg, app.Options{})
		three.browser().login("ann@example.com", pw).expectError(429, "", "")
		// A quarter of the period gives back one attempt, on every instance.
		three.clock.Advance(16 * time.Minute)
		three.browser().login("ann@example.com", pw).expectSuccess()
		three.browser().login("ann@example.com", "wrong").expectError(400, "login", "Login failed")
		three.browser().login("ann@example.com", pw).expectError(429, "", "")
	})
}

// The user a session belongs to is read fresh on every request: a change made in
// one session is seen by the others.
func TestSessionsSeeChanges(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		a, b := e.browser(), e.browser()
		a.login("ann@example.com", pw).expectSuccess()
		b.login("ann@example.com", pw).expectSuccess()
		a.put("/-/userprofile", obj{"firstname": "Anna"}).expectSuccess()
		if got := b.get("/-/login").JSON()["firstname"]; got != "Anna" {
			t.Fatalf("other session sees %v", got)
		}
		u, err := store.UserByEmail(context.Background(), e.app.DB, "ann@example.com")
		if err != nil || u.Firstname != "Anna" {
			t.Fatalf("stored %+v, %v", u, err)
		}
	})
}

// tamper changes the last character of link to another one of the base64url
// alphabet.
func tamper(link string) string {
	last := link[len(link)-1]
	if last == 'A' {
		return link[:len(link)-1] + "B"
	}
	return link[:len(link)-1] + "A"
}
