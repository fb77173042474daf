package http_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
)

// sessionsOf returns the sessions a GET of the path lists.
func (b *browser) sessionsOf(path string) []map[string]any {
	b.e.t.Helper()
	res := b.get(path).expect(200)
	var out []map[string]any
	if err := json.Unmarshal(res.body, &out); err != nil {
		b.e.t.Fatalf("sessions: %v: %s", err, res.body)
	}
	return out
}

// current returns the session of the list marked current, failing unless there
// is exactly one.
func current(t *testing.T, ss []map[string]any) map[string]any {
	t.Helper()
	var cur map[string]any
	for _, s := range ss {
		if s["current"] == true {
			if cur != nil {
				t.Fatalf("two current sessions: %v", ss)
			}
			cur = s
		}
	}
	if cur == nil {
		t.Fatalf("no current session: %v", ss)
	}
	return cur
}

func TestDevices(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		e.addUser("bob@example.com", pw, "Bob", "")
		phone, laptop, bob := e.browser(), e.browser(), e.browser()
		phone.header.Set("User-Agent", "Phone/1.0")
		laptop.header.Set("User-Agent", "Laptop/2.0 "+strings.Repeat("x", 1000))
		phone.login("ann@example.com", pw).expect(200)
		laptop.login("ann@example.com", pw).expect(200)
		bob.login("bob@example.com", pw).expect(200)

		ss := phone.sessionsOf("/-/userprofile/sessions")
		if len(ss) != 2 {
			t.Fatalf("ann has %d sessions: %v", len(ss), ss)
		}
		mine := current(t, ss)
		if mine["user_agent"] != "Phone/1.0" || mine["client_addr"] != "127.0.0.1" {
			t.Fatalf("phone's session: %v", mine)
		}
		var other map[string]any
		for _, s := range ss {
			if s != nil && s["id"] != mine["id"] {
				other = s
			}
		}
		if ua := other["user_agent"].(string); len([]rune(ua)) != 256 || !strings.HasPrefix(ua, "Laptop/2.0 x") {
			t.Fatalf("user agent not cut to 256 characters: %d %q", len(ua), ua[:20])
		}
		if u, _ := other["__meta__"].(map[string]any)["url"].(string); u != e.srv.URL+"/-/userprofile/sessions/"+other["id"].(string) {
			t.Fatalf("session url %q", u)
		}

		// A use within a minute of the last one recorded writes nothing; a
		// later one records its time and client.
		lastUsed := other["last_used"]
		laptop.header.Set("User-Agent", "Laptop/3.0")
		e.clock.Advance(30 * time.Second)
		laptop.get("/-/userprofile").expect(200)
		if s := current(t, laptop.sessionsOf("/-/userprofile/sessions")); s["last_used"] != lastUsed || !strings.HasPrefix(s["user_agent"].(string), "Laptop/2.0") {
			t.Fatalf("use within a minute was written: %v", s)
		}
		e.clock.Advance(31 * time.Second)
		laptop.get("/-/userprofile").expect(200)
		s := current(t, laptop.sessionsOf("/-/userprofile/sessions"))
		if s["last_used"] == lastUsed || s["user_agent"] != "Laptop/3.0" {
			t.Fatalf("use after a minute not recorded: %v", s)
		}
		// The last used comes first.
		if ss := laptop.sessionsOf("/-/userprofile/sessions"); ss[0]["id"] != other["id"] {
			t.Fatalf("not the last used first: %v", ss)
		}

		// Bob cannot end Ann's session: it is not his (404), and stays.
		bob.delete("/-/userprofile/sessions/"+other["id"].(string)).expectError(404, "", "")
		bob.delete("/-/userprofile/sessions/nonsense").expectError(404, "", "")
		laptop.get("/-/userprofile").expect(200)
		e.browser().delete("/-/userprofile/sessions/"+other["id"].(string)).expectError(403, "", "")
		e.browser().get("/-/userprofile/sessions").expectError(403, "", "")

		// The phone ends the laptop's session: it is gone.
		phone.delete("/-/userprofile/sessions/" + other["id"].(string)).expect(200)
		laptop.get("/-/userprofile").expectError(403, "", "")
		phone.delete("/-/userprofile/sessions/"+other["id"].(string)).expectError(404, "", "")
		if ss := phone.sessionsOf("/-/userprofile/sessions"); len(ss) != 1 || ss[0]["id"] != mine["id"] {
			t.Fatalf("after ending the laptop's: %v", ss)
		}
		// Ending the own session logs out.
		res := phone.delete("/-/userprofile/sessions/" + mine["id"].(string)).expect(200)
		if c := res.header.Get("Set-Cookie"); !strings.Contains(c, "Max-Age=0") {
			t.Fatalf("own session ended without clearing the cookie: %q", c)
		}
		phone.get("/-/userprofile").expectError(403, "", "")
		bob.get("/-/userprofile").expect(200)
	})
}

func TestDevicesBearerEnded(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		app := e.browser()
		token := app.put("/-/login", obj{"login": "ann@example.com", "password": pw, "token": true}).expect(200).JSON()["token"].(string)
		app.header.Set("Authorization", "Bearer "+token)
		web := e.browser()
		web.login("ann@example.com", pw).expect(200)
		var appID string
		for _, s := range web.sessionsOf("/-/userprofile/sessions") {
			if s["current"] != true {
				appID = s["id"].(string)
			}
		}
		web.delete("/-/userprofile/sessions/" + appID).expect(200)
		app.get("/-/userprofile").expectError(403, "", "")
	})
}

func TestDevicesTrustProxy(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		b := e.browser()
		b.header.Set("X-Forwarded-For", "198.51.100.7, 203.0.113.9")
		b.login("ann@example.com", pw).expect(200)
		if s := current(t, b.sessionsOf("/-/userprofile/sessions")); s["client_addr"] != "203.0.113.9" {
			t.Fatalf("client address %v, want the proxy's last hop", s["client_addr"])
		}
	}, func(c *backrest.Config) { c.TrustProxy = true })
}

func TestAdminDevices(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("root@example.com", pw, "Root", "", backrest.RoleAdmin)
		ann := e.addUser("ann@example.com", pw, "Ann", "")
		admin, a1, a2 := e.browser(), e.browser(), e.browser()
		admin.login("root@example.com", pw).expect(200)
		a1.login("ann@example.com", pw).expect(200)
		a2.login("ann@example.com", pw).expect(200)

		a1.get("/-/admin/users/"+ann.ID.String()+"/sessions").expectError(403, "", "")
		admin.get("/-/admin/users/00000000000000000000000000000000/sessions").expectError(404, "", "")
		admin.get("/-/admin/users/nonsense/sessions").expectError(404, "", "")
		ss := admin.sessionsOf("/-/admin/users/" + ann.ID.String() + "/sessions")
		if len(ss) != 2 || ss[0]["current"] != false || ss[1]["current"] != false {
			t.Fatalf("admin sees %v", ss)
		}
		target := current(t, a1.sessionsOf("/-/userprofile/sessions"))["id"].(string)
		a2.delete("/-/admin/users/"+ann.ID.String()+"/sessions/"+target).expectError(403, "", "")
		admin.delete("/-/admin/users/"+ann.ID.String()+"/sessions/nonsense").expectError(404, "", "")
		a1.get("/-/userprofile").expect(200)
		url := ss[0]["__meta__"].(map[string]any)["url"].(string)
		if !strings.HasSuffix(url, "/-/admin/users/"+ann.ID.String()+"/sessions/"+ss[0]["id"].(string)) {
			t.Fatalf("admin session url %q", url)
		}
		admin.delete("/-/admin/users/" + ann.ID.String() + "/sessions/" + target).expect(200)
		a1.get("/-/userprofile").expectError(403, "", "")
		a2.get("/-/userprofile").expect(200)
		if ss := admin.sessionsOf("/-/admin/users/" + ann.ID.String() + "/sessions"); len(ss) != 1 {
			t.Fatalf("after ending one: %v", ss)
		}
	})
}
