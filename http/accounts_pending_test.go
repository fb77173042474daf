package http_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
)

// A second sign-up of an unconfirmed address replaces the first: its password and
// names count, its link works, the first link is dead. The answers are those of a
// sign-up of a new address.
func TestSignupReplacesPending(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		fresh := e.browser().post("/-/signup", obj{"email": "other@example.com", "password": pw})
		fresh.expectSuccess()
		e.browser().post("/-/signup", obj{"email": "vic@example.com", "password": "attacker's password", "firstname": "Mallory"}).expectSuccess()
		first := e.link("vic@example.com", "/-/signup?token=")

		again := e.browser().post("/-/signup", obj{"email": "Vic@Example.com", "password": pw, "firstname": "Vic", "lastname": "Tim"})
		again.expectSuccess()
		if string(again.body) != string(fresh.body) || again.status != fresh.status {
			t.Fatalf("a pending address answers %d %s, a new one %d %s", again.status, again.body, fresh.status, fresh.body)
		}
		if n := len(e.mails("vic@example.com")); n != 2 {
			t.Fatalf("%d sign-up mails, want 2", n)
		}
		second := e.link("vic@example.com", "/-/signup?token=")
		if second == first {
			t.Fatal("the second sign-up mailed the first link")
		}
		if n := e.users(); n != 2 {
			t.Fatalf("%d users, want 2", n)
		}
		e.browser().get(first).expectError(404, "", "")

		b := e.browser()
		b.get(second).expect(http.StatusFound)
		info := b.get("/-/login").expect(200).JSON()
		if info["authenticated"] != true || info["email"] != "Vic@Example.com" || info["firstname"] != "Vic" || info["lastname"] != "Tim" {
			t.Fatalf("after confirmation: %v", info)
		}
		e.browser().login("vic@example.com", "attacker's password").expectError(400, "login", "Login failed")
		e.browser().login("vic@example.com", pw).expectSuccess()
		// The first link stays dead, and the address is taken now.
		e.browser().get(first).expectError(404, "", "")
		e.browser().post("/-/signup", obj{"email": "vic@example.com", "password": pw}).expectError(400, "email", "Email already exists")
	})
}

// A reset of an unconfirmed address mails the confirmation link again, and
// answers as for any other address.
func TestResetResendsSignupLink(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.browser().post("/-/signup", obj{"email": "pending@example.com", "password": pw, "firstname": "Pat"}).expectSuccess()
		unknown := e.browser().post("/-/reset/", obj{"email": "nobody@example.com"})
		unknown.expectSuccess()
		res := e.browser().post("/-/reset/", obj{"email": "PENDING@example.com"})
		res.expectSuccess()
		if string(res.body) != string(unknown.body) {
			t.Fatalf("pending address answers %s, unknown %s", res.body, unknown.body)
		}
		ms := e.mails("pending@example.com")
		if len(ms) != 2 || ms[1].Subject != ms[0].Subject {
			t.Fatalf("mails %+v; want the sign-up mail twice", ms)
		}
		if strings.Contains(ms[1].Text, "/-/reset/") {
			t.Fatal("reset link mailed to an unconfirmed address")
		}
		b := e.browser()
		b.get(e.link("pending@example.com", "/-/signup?token=")).expect(http.StatusFound)
		if !b.authenticated() {
			t.Fatal("resent link did not log in")
		}
		// Confirmed now: a reset mails a reset link.
		e.browser().post("/-/reset/", obj{"email": "pending@example.com"}).expectSuccess()
		e.link("pending@example.com", "/-/reset/")
	})
}

// Unconfirmed sign-ups are removed once their latest link has expired; a resent
// link restarts the time. Active users stay.
func TestExpiredSignupsPurged(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		e.browser().post("/-/signup", obj{"email": "old@example.com", "password": pw}).expectSuccess()
		e.browser().post("/-/signup", obj{"email": "resent@example.com", "password": pw}).expectSuccess()
		oldLink := e.link("old@example.com", "signup")
		e.clock.Advance(6 * 24 * time.Hour)
		e.browser().post("/-/reset/", obj{"email": "resent@example.com"}).expectSuccess()
		e.browser().post("/-/signup", obj{"email": "new@example.com", "password": pw}).expectSuccess()
		e.clock.Advance(24*time.Hour + time.Minute)

		n, err := e.app.Accounts.DeleteExpiredSignups(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want 1", n, err)
		}
		if got := e.users(); got != 3 {
			t.Fatalf("%d users left, want 3", got)
		}
		e.browser().get(oldLink).expectError(404, "", "")
		e.browser().get(e.link("resent@example.com", "signup")).expect(http.StatusFound)
		e.browser().get(e.link("new@example.com", "signup")).expect(http.StatusFound)
		e.browser().login("ann@example.com", pw).expectSuccess()
		if n, err := e.app.Accounts.DeleteExpiredSignups(context.Background()); err != nil || n != 0 {
			t.Fatalf("second purge removed %d, %v", n, err)
		}
	})
}

// An unconfirmed sign-up does not block another user's change to its address: the
// change is allowed, answers as for a free address, and on confirmation removes the
// pending sign-up. A pending change blocks nothing either: the first to confirm
// gets the address.
func TestEmailChangeToPendingAddress(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		e.browser().post("/-/signup", obj{"email": "x@example.com", "password": pw}).expectSuccess()
		pendingLink := e.link("x@example.com", "/-/signup?token=")

		free := b.put("/-/email/", obj{"email": "free@example.com", "password": pw})
		free.expectSuccess()
		res := b.put("/-/email/", obj{"email": "X@example.com", "password": pw})
		res.expectSuccess()
		if string(res.body) != string(free.body) {
			t.Fatalf("pending address answers %s, free one %s", res.body, free.body)
		}
		b.get(e.link("X@example.com", "/-/email/")).expect(http.StatusFound)
		if got := b.get("/-/userprofile").expect(200).JSON()["email"]; got != "X@example.com" {
			t.Fatalf("address %v", got)
		}
		if n := e.users(); n != 1 {
			t.Fatalf("%d users; the pending sign-up should be gone", n)
		}
		e.browser().get(pendingLink).expectError(404, "", "")

		// Bob's change to wanted@ is pending; a sign-up of it goes through and,
		// confirmed first, takes the address.
		e.addUser("bob@example.com", pw, "", "")
		bob := e.browser()
		bob.login("bob@example.com", pw).expectSuccess()
		bob.put("/-/email/", obj{"email": "wanted@example.com", "password": pw}).expectSuccess()
		changeLink := e.link("wanted@example.com", "/-/email/")
		e.browser().post("/-/signup", obj{"email": "wanted@example.com", "password": pw}).expectSuccess()
		e.browser().get(e.link("wanted@example.com", "/-/signup?token=")).expect(http.StatusFound)
		bob.get(changeLink).expectError(400, "email", "Email already exists")
		if got := bob.get("/-/userprofile").expect(200).JSON()["email"]; got != "bob@example.com" {
			t.Fatalf("address %v", got)
		}
	})
}

// Confirming an e-mail change ends the user's other sessions and keeps this one.
func TestEmailChangeEndsOtherSessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		other := e.browser()
		other.login("ann@example.com", pw).expectSuccess()
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		b.put("/-/email/", obj{"email": "new@example.com", "password": pw}).expectSuccess()
		b.get(e.link("new@example.com", "/-/email/")).expect(http.StatusFound)
		if !b.authenticated() {
			t.Fatal("the confirming session ended")
		}
		if other.authenticated() {
			t.Fatal("another session survived the e-mail change")
		}
	})
}

// A reset link asked for before an e-mail change is dead after it.
func TestResetLinkDiesWithEmailChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		e.browser().post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		reset := e.link("ann@example.com", "/-/reset/")
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		b.put("/-/email/", obj{"email": "new@example.com", "password": pw}).expectSuccess()
		b.get(e.link("new@example.com", "/-/email/")).expect(http.StatusFound)

		e.browser().get(reset).expectError(404, "", "")
		e.browser().put(reset, obj{"password": "new password"}).expectError(404, "", "")
		e.browser().login("new@example.com", pw).expectSuccess()
	})
}

// A sign-up link followed from another site confirms the account but logs nobody
// in, so that a page cannot log its visitors into an account of its own. Same-site
// and direct visits, and clients that do not say, are logged in.
func TestSignupLinkCrossSite(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		for i, site := range []string{"", "none", "same-origin", "same-site", "cross-site"} {
			email := "user" + string(rune('a'+i)) + "@example.com"
			e.browser().post("/-/signup", obj{"email": email, "password": pw}).expectSuccess()
			b := e.browser()
			if site != "" {
				b.header.Set("Sec-Fetch-Site", site)
			}
			res := b.get(e.link(email, "/-/signup?token=")).expect(http.StatusFound)
			if loc := res.header.Get("Location"); loc != e.srv.URL+"/#/welcome" {
				t.Fatalf("%q: redirect to %q", site, loc)
			}
			loggedIn := sessionCookie(res) != nil
			if want := site != "cross-site"; loggedIn != want || b.authenticated() != want {
				t.Fatalf("Sec-Fetch-Site %q: session %v, want %v", site, loggedIn, want)
			}
			// Confirmed either way.
			e.browser().login(email, pw).expectSuccess()
			b.get(e.link(email, "/-/signup?token=")).expectError(403, "", "")
		}
	})
}

// Mailed tokens whose signature was cut off, or that lack one, are refused on every
// link.
func TestTokensWithoutSignature(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		e.browser().post("/-/signup", obj{"email": "bob@example.com", "password": pw}).expectSuccess()
		e.browser().post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		b.put("/-/email/", obj{"email": "new@example.com", "password": pw}).expectSuccess()

		signup := e.link("bob@example.com", "/-/signup?token=")
		reset := e.link("ann@example.com", "/-/reset/")
		email := e.link("new@example.com", "/-/email/")
		for _, link := range []string{signup, reset, email} {
			dot := strings.LastIndexByte(link, '.')
			for _, bad := range []string{link[:dot+1], link[:dot]} {
				b.get(bad).expectError(404, "", "")
			}
		}
		b.put(reset[:strings.LastIndexByte(reset, '.')+1], obj{"password": "new password"}).expectError(404, "", "")
		// Nothing changed: the intact links still work.
		b.get(reset).expect(http.StatusFound)
		b.get(email).expect(http.StatusFound)
		e.browser().get(signup).expect(http.StatusFound)
		e.browser().login("new@example.com", pw).expectSuccess()
	})
}

// A session ends when it expires, and is extended while it is used: used within
// the second half of its lifetime, it lasts another full lifetime from then.
func TestSessionExpires(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		idle, used := e.browser(), e.browser()
		idle.login("ann@example.com", pw).expectSuccess()
		used.login("ann@example.com", pw).expectSuccess()
		e.clock.Advance(20 * 24 * time.Hour)
		if !used.authenticated() {
			t.Fatal("session ended before its expiry")
		}
		e.clock.Advance(10*24*time.Hour + time.Minute)
		if idle.authenticated() {
			t.Fatal("expired session accepted")
		}
		idle.get("/-/userprofile").expectError(403, "", "")
		if !used.authenticated() {
			t.Fatal("a session used in the second half of its lifetime was not extended")
		}
	})
}

// An operator's user add takes the address of an unconfirmed sign-up; the sign-up's
// link dies.
func TestUserAddReplacesPending(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.browser().post("/-/signup", obj{"email": "ann@example.com", "password": "someone else's"}).expectSuccess()
		link := e.link("ann@example.com", "/-/signup?token=")
		e.addUser("Ann@example.com", pw, "Ann", "")
		if n := e.users(); n != 1 {
			t.Fatalf("%d users, want 1", n)
		}
		e.browser().get(link).expectError(404, "", "")
		e.browser().login("ann@example.com", "someone else's").expectError(400, "login", "Login failed")
		e.browser().login("ann@example.com", pw).expectSuccess()
		if _, err := e.app.Accounts.AddUser(context.Background(), account.NewUser{Email: "ANN@example.com", Password: pw}); err == nil {
			t.Fatal("an active user's address was taken by user add")
		}
	})
}

// Concurrent sign-ups of one new address all succeed and leave one pending account,
// whose latest link alone confirms it.
func TestConcurrentSignups(t *testing.T) {
	const n = 8
	forEachDB(t, func(t *testing.T, e *env) {
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Go(func() {
				res := e.browser().post("/-/signup", obj{"email": "same@example.com", "password": pw + strings.Repeat("!", i)})
				statuses[i] = res.status
			})
		}
		wg.Wait()
		for i, st := range statuses {
			if st != http.StatusOK {
				t.Fatalf("sign-up %d answered %d", i, st)
			}
		}
		if got := e.users(); got != 1 {
			t.Fatalf("%d users, want 1", got)
		}
		ms := e.mails("same@example.com")
		if len(ms) != n {
			t.Fatalf("%d mails, want %d", len(ms), n)
		}
		confirmed := 0
		for _, m := range ms {
			var link string
			for _, l := range linkRE.FindAllString(m.Text, -1) {
				if strings.Contains(l, "/-/signup?token=") {
					link = l
				}
			}
			switch res := e.browser().get(link); res.status {
			case http.StatusFound:
				confirmed++
			case http.StatusNotFound:
			default:
				t.Fatalf("link answered %d: %s", res.status, res.body)
			}
		}
		if confirmed != 1 {
			t.Fatalf("%d links confirmed, want 1", confirmed)
		}
	}, func(c *backrest.Config) {
		// More sign-ups of the address than its own limit allows by default.
		c.RateLimits.SignupPerAccount = backrest.Limit{Burst: n, Per: time.Hour}
	})
}
