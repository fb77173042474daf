package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLoginToken(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "", "")
		// By default the answer is the seed's: no token in it.
		res := e.browser().login("ann@example.com", pw)
		res.expectSuccess()
		if _, ok := res.JSON()["token"]; ok {
			t.Fatalf("token in the default answer: %s", res.body)
		}
		res = e.browser().put("/-/login", obj{"login": "ann@example.com", "password": pw, "token": false})
		if _, ok := res.JSON()["token"]; ok {
			t.Fatalf("token with token=false: %s", res.body)
		}

		res = e.browser().put("/-/login", obj{"login": "ann@example.com", "password": pw, "token": true})
		res.expectSuccess()
		body := res.JSON()
		token, _ := body["token"].(string)
		if token == "" || token != sessionCookie(res).Value {
			t.Fatalf("token %q, cookie %v", token, sessionCookie(res))
		}
		expires, err := time.Parse(time.RFC3339Nano, body["expires"].(string))
		if err != nil || !expires.After(e.clock.Now()) {
			t.Fatalf("expires %v: %v", body["expires"], err)
		}
		bearer := e.browser()
		bearer.header.Set("Authorization", "Bearer "+token)
		if !bearer.authenticated() {
			t.Fatal("the answered token is not a session")
		}

		// A token field of another type is a 400 and logs nobody in.
		bad := e.browser()
		bad.put("/-/login", obj{"login": "ann@example.com", "password": pw, "token": "yes"}).expectError(400, "token", "Must be a boolean")
		if bad.authenticated() {
			t.Fatal("a refused login set a session")
		}
	})
}

func TestStaleBearerToken(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "", "")
		token := e.browser().put("/-/login", obj{"login": "ann@example.com", "password": pw, "token": true}).JSON()["token"].(string)
		const again = "Session expired or unknown: log in again"

		unknown := e.browser()
		unknown.header.Set("Authorization", "Bearer not-a-session")
		unknown.get("/-/userprofile").expectError(http.StatusForbidden, "authorization", again)
		unknown.put("/-/password", obj{"current": pw, "password": "another password"}).expectError(http.StatusForbidden, "authorization", again)
		unknown.do("POST", "/-/files", "hello", "text/plain").expectError(http.StatusForbidden, "authorization", again)
		unknown.post("/-/documents", obj{"title": "t"}).expectError(http.StatusForbidden, "authorization", again)
		// Calls open to anyone still answer as for an anonymous caller.
		if unknown.authenticated() {
			t.Fatal("unknown token authenticated")
		}

		// Without any token the seed's answer is unchanged.
		e.browser().get("/-/userprofile").expectError(http.StatusForbidden, "authorization", "Log in first")

		// An expired token.
		valid := e.browser()
		valid.header.Set("Authorization", "Bearer "+token)
		valid.get("/-/userprofile").expect(http.StatusOK)
		e.clock.Advance(31 * 24 * time.Hour)
		valid.get("/-/userprofile").expectError(http.StatusForbidden, "authorization", again)

		// A token ended by logging out.
		token = e.browser().put("/-/login", obj{"login": "ann@example.com", "password": pw, "token": true}).JSON()["token"].(string)
		ended := e.browser()
		ended.header.Set("Authorization", "Bearer "+token)
		ended.put("/-/logout", nil).expectSuccess()
		ended.get("/-/userprofile").expectError(http.StatusForbidden, "authorization", again)
	})
}

func TestConfirmSignupToken(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.browser().post("/-/signup", obj{"email": "bob@example.com", "password": pw}).expectSuccess()
		link := e.link("bob@example.com", "/-/signup?token=")

		app := e.browser()
		app.get(link+"&session=cookie").expectError(400, "session", "Must be token")
		res := app.get(link + "&session=token").expect(http.StatusOK)
		body := res.JSON()
		token, _ := body["token"].(string)
		if body["status"] != "success" || token == "" || body["user"].(map[string]any)["email"] != "bob@example.com" {
			t.Fatalf("answer %s", res.body)
		}
		if sessionCookie(res) != nil {
			t.Fatal("the token answer set a cookie")
		}
		bearer := e.browser()
		bearer.header.Set("Authorization", "Bearer "+token)
		if !bearer.authenticated() {
			t.Fatal("the confirmation's token is not a session")
		}
	})
}

func TestConfirmSignupTokenCrossSite(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.browser().post("/-/signup", obj{"email": "bob@example.com", "password": pw}).expectSuccess()
		link := e.link("bob@example.com", "/-/signup?token=")
		// A link followed from another site activates the account but gives no
		// session, token or not.
		page := e.browser()
		page.header.Set("Sec-Fetch-Site", "cross-site")
		res := page.get(link + "&session=token").expect(http.StatusOK)
		if strings.Contains(string(res.body), "token") || res.JSON()["status"] != "success" {
			t.Fatalf("cross-site answer %s", res.body)
		}
		e.browser().login("bob@example.com", pw).expectSuccess()
	})
}
