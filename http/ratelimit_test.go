package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// burst sends n requests at once, request(i) being the body of the i-th, and
// returns the answers in order.
func (e *env) burst(method, path string, n int, body func(i int) any) []*response {
	e.t.Helper()
	out := make([]*response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		data, err := json.Marshal(body(i))
		if err != nil {
			e.t.Fatal(err)
		}
		wg.Go(func() {
			<-start
			req, err := http.NewRequest(method, e.url(path), bytes.NewReader(data))
			if err != nil {
				e.t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := new(http.Client).Do(req)
			if err != nil {
				e.t.Error(err)
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			if err != nil {
				e.t.Error(err)
				return
			}
			out[i] = &response{t: e.t, status: res.StatusCode, header: res.Header, body: b}
		})
	}
	close(start)
	wg.Wait()
	if e.t.Failed() {
		e.t.FailNow()
	}
	return out
}

// countLimited checks that every answer of a burst is either status ok or a 429
// in the JSON error shape with a Retry-After, and returns how many were ok.
func countLimited(t *testing.T, res []*response, ok int, check func(r *response)) int {
	t.Helper()
	n := 0
	for _, r := range res {
		if r.status == http.StatusTooManyRequests {
			r.expectError(http.StatusTooManyRequests, "", "")
			if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Fatalf("429 with Retry-After %q", ra)
			}
			continue
		}
		r.expect(ok)
		check(r)
		n++
	}
	return n
}

// A long period, so that no bucket refills while a burst runs.
const longPeriod = 1000 * time.Hour

// A burst of wrong logins for one account is evaluated only as far as the
// account's bucket allows; the others are refused before the password is
// checked. A burst of right ones all succeed.
func TestRateLimitLoginBurst(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		res := e.burst("PUT", "/-/login", 100, func(int) any { return obj{"login": "ann@example.com", "password": "wrong"} })
		n := countLimited(t, res, 400, func(r *response) { r.expectError(400, "login", "Login failed") })
		t.Logf("burst of %d wrong logins: %d evaluated", len(res), n)
		if n != 10 {
			t.Fatalf("%d of %d wrong logins evaluated, want 10", n, len(res))
		}
		e.browser().login("ann@example.com", pw).expectError(429, "", "")

		// Logins that succeed give their tokens back: a burst of them, more than
		// the buckets hold, waits for those in progress instead of being refused.
		e.addUser("bob@example.com", pw, "", "")
		res = e.burst("PUT", "/-/login", 100, func(int) any { return obj{"login": "bob@example.com", "password": pw} })
		for _, r := range res {
			r.expectSuccess()
		}
		e.browser().login("bob@example.com", "wrong").expectError(400, "login", "Login failed")
	}, func(c *backrest.Config) {
		c.RateLimits.LoginFailuresPerAccountAddr = backrest.Limit{Burst: 10, Per: longPeriod}
		c.RateLimits.LoginFailuresPerAddr = backrest.Limit{Burst: 30, Per: longPeriod}
	})
}

// A burst of sign-ups from one address creates only as many accounts as the
// address's bucket holds.
func TestRateLimitSignupBurst(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		email := func(i int) string { return "s" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + "@example.com" }
		res := e.burst("POST", "/-/signup", 100, func(i int) any { return obj{"email": email(i), "password": pw} })
		n := countLimited(t, res, 200, func(r *response) { r.expectSuccess() })
		accounts := 0
		for i := range res {
			_, err := store.UserByEmail(context.Background(), e.app.DB, email(i))
			switch {
			case err == nil:
				accounts++
			case backrest.ErrorCode(err) != backrest.ENOTFOUND:
				t.Fatal(err)
			}
		}
		t.Logf("burst of %d sign-ups: %d answered success, %d accounts created", len(res), n, accounts)
		if n != 30 || accounts != 30 {
			t.Fatalf("%d sign-ups succeeded and %d accounts created of %d, want 30", n, accounts, len(res))
		}
	}, func(c *backrest.Config) {
		c.RateLimits.SignupPerAddr = backrest.Limit{Burst: 30, Per: longPeriod}
	})
}

// A burst of reset requests for one account mails only as many links as the
// account's bucket holds.
func TestRateLimitResetBurst(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		res := e.burst("POST", "/-/reset/", 100, func(int) any { return obj{"email": "ann@example.com"} })
		n := countLimited(t, res, 200, func(r *response) { r.expectSuccess() })
		mails := len(e.mails("ann@example.com"))
		t.Logf("burst of %d reset requests: %d answered success, %d mails written", len(res), n, mails)
		if n != 5 || mails != 5 {
			t.Fatalf("%d reset requests succeeded and %d mails written of %d, want 5", n, mails, len(res))
		}
	}, func(c *backrest.Config) {
		c.RateLimits.ResetPerAccount = backrest.Limit{Burst: 5, Per: longPeriod}
		c.RateLimits.ResetPerAddr = backrest.Limit{Burst: 20, Per: longPeriod}
	})
}

// Failed logins from one address exhaust that address's bucket for the account,
// not the account's owner's elsewhere; the looser ceiling of the account still
// stops guesses spread over many addresses. IPv6 clients count by their /64.
func TestRateLimitLoginLockout(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "", "")
		from := func(addr string) *browser {
			b := e.browser()
			b.header.Set("X-Forwarded-For", addr)
			return b
		}
		limited := func(r *response) {
			t.Helper()
			r.expectError(429, "", "")
			if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Fatalf("Retry-After %q", ra)
			}
		}
		attacker := from("203.0.113.1")
		for range 3 {
			attacker.login("ann@example.com", "wrong").expectError(400, "login", "Login failed")
		}
		limited(attacker.login("ann@example.com", pw))
		owner := from("198.51.100.7")
		owner.login("ann@example.com", pw).expectSuccess()

		// Another account from the attacker's address has its own bucket.
		e.addUser("bob@example.com", pw, "", "")
		attacker.login("bob@example.com", pw).expectSuccess()

		// One /64 is one client; the next /64 is another.
		for range 3 {
			from("2001:db8::1").login("ann@example.com", "wrong").expectError(400, "login", "Login failed")
		}
		limited(from("2001:db8::2").login("ann@example.com", pw))
		from("2001:db8:0:1::1").login("ann@example.com", pw).expectSuccess()

		// 6 failures so far; 4 more from other addresses reach the ceiling of 10,
		// which then holds for every address.
		for i := range 4 {
			from("192.0.2."+string(rune('1'+i))).login("ann@example.com", "wrong").expectError(400, "login", "Login failed")
		}
		limited(from("192.0.2.9").login("ann@example.com", pw))
		limited(owner.login("ann@example.com", pw))
	}, func(c *backrest.Config) {
		c.TrustProxy = true
		c.RateLimits.LoginFailuresPerAccountAddr = backrest.Limit{Burst: 3, Per: longPeriod}
		c.RateLimits.LoginFailuresPerAccount = backrest.Limit{Burst: 10, Per: longPeriod}
		c.RateLimits.LoginFailuresPerAddr = backrest.Limit{Burst: 30, Per: longPeriod}
	})
}

// Sign-ups of one address from many client addresses mail it only as many times
// as the address's bucket holds; a pending address and an unknown one get the
// same answers, so that the limit does not tell them apart.
func TestRateLimitSignupPerAccount(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		signup := func(i int, email string) *response {
			b := e.browser()
			b.header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
			return b.post("/-/signup", obj{"email": email, "password": pw})
		}
		signup(100, "pending@example.com").expectSuccess()
		e.clock.Advance(2 * time.Hour)
		for _, email := range []string{"pending@example.com", "unknown@example.com"} {
			for i := range 3 {
				signup(i, email).expectSuccess()
			}
			res := signup(3, email)
			res.expectError(http.StatusTooManyRequests, "", "")
			if ra := res.header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Fatalf("Retry-After %q", ra)
			}
		}
		e.flush()
		if n, m := len(e.mails("pending@example.com")), len(e.mails("unknown@example.com")); n != 4 || m != 3 {
			t.Fatalf("%d and %d mails, want 4 and 3", n, m)
		}
		// Another address is not limited by them.
		signup(4, "other@example.com").expectSuccess()
	}, func(c *backrest.Config) {
		c.TrustProxy = true
		c.RateLimits.SignupPerAccount = backrest.Limit{Burst: 3, Per: time.Hour}
	})
}
