package http_test

import (
	"testing"

	"github.com/backrest/backrest"
)

// TestSeedExamples runs the examples of the original API document verbatim. The
// document's sections each start from the same fixture (Alice, password "alice"), so
// each section here gets a fresh server; the password minimum is 4 because the
// examples use short passwords.
func TestSeedExamples(t *testing.T) {
	short := func(c *backrest.Config) { c.PasswordMinLength = 4 }
	fixture := func(e *env) *browser {
		e.addUser("alice@foo.com", "alice", "Alice", "Kingsleigh")
		return e.browser()
	}
	t.Run("signup", func(t *testing.T) {
		forEachDB(t, func(t *testing.T, e *env) {
			browser := fixture(e)
			res := browser.post("http://example.com/-/signup", obj{"email": "alice@example.com", "password": "hurz"})
			if res.JSON()["status"] != "success" {
				t.Fatalf("signup: %s", res.body)
			}
		}, short)
	})
	t.Run("login", func(t *testing.T) {
		forEachDB(t, func(t *testing.T, e *env) {
			browser := fixture(e)
			if s := browser.put("http://example.com/-/login", obj{"login": "alice@foo.com", "password": "alice"}).JSON()["status"]; s != "success" {
				t.Fatalf("login: %v", s)
			}
			info := browser.get("http://example.com/-/login").JSON()
			if info["authenticated"] != true {
				t.Fatalf("authenticated: %v", info)
			}
			if info["firstname"] != "Alice" || info["lastname"] != "Kingsleigh" || info["email"] != "alice@foo.com" {
				t.Fatalf("names: %v", info)
			}
			if s := browser.put("http://example.com/-/logout", obj{}).JSON()["status"]; s != "success" {
				t.Fatalf("logout: %v", s)
			}
		}, short)
	})
	t.Run("password reset", func(t *testing.T) {
		forEachDB(t, func(t *testing.T, e *env) {
			browser := fixture(e)
			if s := browser.post("http://example.com/-/reset/", obj{"email": "alice@foo.com"}).JSON()["status"]; s != "success" {
				t.Fatalf("reset: %v", s)
			}
		}, short)
	})
	loggedIn := func(e *env) *browser {
		b := fixture(e)
		b.login("alice@foo.com", "alice").expectSuccess()
		return b
	}
	t.Run("password change", func(t *testing.T) {
		forEachDB(t, func(t *testing.T, e *env) {
			browser := loggedIn(e)
			if s := browser.put("http://example.com/-/password", obj{"current": "alice", "password": "foo!"}).JSON()["status"]; s != "success" {
				t.Fatalf("password: %v", s)
			}
		}, short)
	})
	t.Run("email change", func(t *testing.T) {
		forEachDB(t, func(t *testing.T, e *env) {
			browser := loggedIn(e)
			if s := browser.put("http://example.com/-/email/", obj{"email": "alice@bar.com", "password": "alice"}).JSON()["status"]; s != "success" {
				t.Fatalf("email: %v", s)
			}
		}, short)
	})
	t.Run("user profile", func(t *testing.T) {
		forEachDB(t, func(t *testing.T, e *env) {
			browser := loggedIn(e)
			data := browser.get("http://example.com/-/userprofile").JSON()
			if data["firstname"] != "Alice" || data["lastname"] != "Kingsleigh" {
				t.Fatalf("profile: %v", data)
			}
			if s := browser.put("http://example.com/-/userprofile", obj{"firstname": "Alien", "lastname": "Species"}).JSON()["status"]; s != "success" {
				t.Fatalf("profile update: %v", s)
			}
			data = browser.get("http://example.com/-/userprofile").JSON()
			if data["firstname"] != "Alien" || data["lastname"] != "Species" {
				t.Fatalf("profile after update: %v", data)
			}
		}, short)
	})
}
