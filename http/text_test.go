package http_test

import (
	"net/http"
	"testing"
)

// TestNotText sends NUL characters and bytes that are not UTF-8 in bodies and
// query parameters: each is a 400 naming the field, on both databases alike, and
// nothing changes.
func TestNotText(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com", "")
		anon := e.browser()
		nul, notUTF8 := `"a\u0000b"`, "\"a\xffb\""

		for _, c := range []struct {
			b            *browser
			method, path string
			body, field  string
		}{
			{anon, "PUT", "/-/login", `{"login": ` + nul + `, "password": "x"}`, "login"},
			{anon, "PUT", "/-/login", `{"login": "alice@example.com", "password": ` + notUTF8 + `}`, "password"},
			{anon, "POST", "/-/reset/", `{"email": ` + nul + `}`, "email"},
			{anon, "POST", "/-/signup", `{"email": "new@example.com", "password": "password1", "firstname": ` + notUTF8 + `}`, "firstname"},
			{alice, "PUT", "/-/userprofile", `{"firstname": ` + nul + `}`, "firstname"},
			{alice, "PUT", "/-/userprofile", `{"lastname": ` + notUTF8 + `}`, "lastname"},
			{alice, "POST", "/-/documents", `{"title": "t", "rank": 1, "categories": ["x", ` + nul + `]}`, "categories"},
			{alice, "POST", "/-/documents", `{"title": "t", "rank": 1, "extra": {"deep": [` + notUTF8 + `]}}`, "extra"},
			{alice, "POST", "/-/documents", `{"title": "t", "rank": 1, ` + nul + `: 1}`, "ab"},
			{anon, "GET", "/-/documents?category=a%00b", "", "category"},
			{anon, "GET", "/-/documents?status=%ff", "", "status"},
			{anon, "GET", "/-/documents?x%00y=1", "", "xy"},
			{alice, "GET", "/-/userprofile?email=a%00b@example.com", "", "email"},
			{anon, "GET", "/-/signup?token=%ff", "", "token"},
			{anon, "GET", "/-/documents/1%00", "", "url"},
		} {
			var body any
			if c.body != "" {
				body = c.body
			}
			c.b.do(c.method, c.path, body, "application/json").expectError(http.StatusBadRequest, c.field, "")
		}
		if p := alice.get("/-/userprofile").expect(http.StatusOK).JSON(); p["firstname"] != "" || p["lastname"] != "" {
			t.Fatalf("profile changed: %v", p)
		}
		if n := len(alice.get("/-/documents").expect(http.StatusOK).list()); n != 0 {
			t.Fatalf("%d documents stored", n)
		}
		if len(e.mails("new@example.com")) != 0 {
			t.Fatal("a sign-up went through")
		}
	})
}
