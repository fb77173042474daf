package http_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/backrest/backrest"
)

// code returns the TOTP code of the secret at the env's clock.
func (e *env) code(secret string) string {
	e.t.Helper()
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// nextStep moves the clock to the next 30-second step, so that a new code is
// current.
func (e *env) nextStep() { e.clock.Advance(30 * time.Second) }

// enroll enables a second factor for the browser's user and returns its secret
// and recovery codes.
func (b *browser) enroll(password string) (string, []string) {
	b.e.t.Helper()
	res := b.post("/-/userprofile/totp", obj{"password": password}).expect(200).JSON()
	secret := res["secret"].(string)
	if u := res["url"].(string); !strings.HasPrefix(u, "otpauth://totp/") || !strings.Contains(u, "secret="+secret) {
		b.e.t.Fatalf("otpauth URL %q", u)
	}
	out := b.put("/-/userprofile/totp", obj{"code": b.e.code(secret)}).expect(200).JSON()
	var codes []string
	for _, c := range out["recovery_codes"].([]any) {
		codes = append(codes, c.(string))
	}
	if len(codes) != 10 {
		b.e.t.Fatalf("%d recovery codes", len(codes))
	}
	b.e.nextStep()
	return secret, codes
}

// totpEnabled reads the state of the browser's user's second factor.
func (b *browser) totpEnabled() (bool, float64) {
	b.e.t.Helper()
	st := b.get("/-/userprofile/totp").expect(200).JSON()
	return st["enabled"].(bool), st["recovery_codes_left"].(float64)
}

// pendingLogin logs in with the password and returns the pending token that the
// answer carries instead of a session.
func (b *browser) pendingLogin(email, password string) string {
	b.e.t.Helper()
	res := b.login(email, password).expect(200)
	m := res.JSON()
	if m["status"] != "second_factor" || m["user"] != nil || res.header.Get("Set-Cookie") != "" {
		b.e.t.Fatalf("not a pending login: %s %v", res.body, res.header)
	}
	if ms := m["methods"].([]any); len(ms) != 2 || m["expires"] == nil {
		b.e.t.Fatalf("pending login: %s", res.body)
	}
	return m["pending"].(string)
}

func TestTOTPEnrollAndLogin(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		ann, other := e.browser(), e.browser()
		ann.login("ann@example.com", pw).expect(200)
		other.login("ann@example.com", pw).expect(200)
		e.browser().post("/-/userprofile/totp", obj{"password": pw}).expectError(403, "", "")

		// Bad input changes nothing.
		ann.post("/-/userprofile/totp", obj{}).expectError(400, "password", "password is missing")
		ann.post("/-/userprofile/totp", obj{"password": "wrong password"}).expectError(400, "password", "Password does not match")
		ann.post("/-/userprofile/totp", obj{"password": 5}).expectError(400, "password", "")
		ann.put("/-/userprofile/totp", obj{"code": "123456"}).expectError(409, "", "")
		secret := ann.post("/-/userprofile/totp", obj{"password": pw}).expect(200).JSON()["secret"].(string)
		ann.put("/-/userprofile/totp", obj{}).expectError(400, "code", "code is missing")
		ann.put("/-/userprofile/totp", obj{"code": "12345"}).expectError(400, "code", "Must be 6 digits")
		ann.put("/-/userprofile/totp", obj{"code": "abcdef"}).expectError(400, "code", "Must be 6 digits")
		wrong := "000000"
		if e.code(secret) == wrong {
			wrong = "111111"
		}
		ann.put("/-/userprofile/totp", obj{"code": wrong}).expectError(400, "code", "Invalid code")
		if on, _ := ann.totpEnabled(); on {
			t.Fatal("enabled by bad input")
		}
		ann.login("ann@example.com", pw).expect(200)

		// A second begin replaces the first secret.
		secret2, codes := ann.enroll(pw)
		if secret2 == secret {
			t.Fatal("the secret was not replaced")
		}
		if on, left := ann.totpEnabled(); !on || left != 10 {
			t.Fatalf("enabled %v, %v codes left", on, left)
		}
		// Enabling ended the other sessions, and a second enrollment is refused.
		other.get("/-/userprofile").expectError(403, "", "")
		ann.post("/-/userprofile/totp", obj{"password": pw}).expectError(409, "", "")

		// A password login is half a login.
		b := e.browser()
		pending := b.pendingLogin("ann@example.com", pw)
		b.get("/-/userprofile").expectError(403, "", "")
		b.put("/-/login/totp", obj{"pending": pending}).expectError(400, "code", "code or recovery_code is missing")
		b.put("/-/login/totp", obj{"code": e.code(secret2)}).expectError(400, "pending", "pending is missing")
		b.put("/-/login/totp", obj{"pending": pending, "code": "1"}).expectError(400, "code", "Must be 6 digits")
		b.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret2), "recovery_code": codes[0]}).expectError(400, "recovery_code", "")
		b.put("/-/login/totp", obj{"pending": "nonsense", "code": e.code(secret2)}).expectError(404, "", "")
		b.get("/-/userprofile").expectError(403, "", "")
		res := b.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret2), "token": true}).expect(200).JSON()
		if res["status"] != "success" || res["user"].(map[string]any)["email"] != "ann@example.com" || res["token"] == nil {
			t.Fatalf("completed login: %v", res)
		}
		b.get("/-/userprofile").expect(200)
		// The pending login worked once.
		b.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret2)}).expectError(404, "", "")

		// The same code cannot be used twice within its window.
		c := e.browser()
		pending = c.pendingLogin("ann@example.com", pw)
		c.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret2)}).expectError(400, "code", "This code was used already: wait for the next one")
		e.nextStep()
		c.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret2)}).expect(200)

		// A pending login expires.
		d := e.browser()
		pending = d.pendingLogin("ann@example.com", pw)
		e.clock.Advance(6 * time.Minute)
		d.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret2)}).expectError(404, "", "")

		// A wrong password is the usual failure, with no pending login.
		d.login("ann@example.com", "wrong password").expectError(400, "login", "Login failed")
	})
}

func TestTOTPRecoveryCodes(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		ann := e.browser()
		ann.login("ann@example.com", pw).expect(200)
		_, codes := ann.enroll(pw)

		b := e.browser()
		pending := b.pendingLogin("ann@example.com", pw)
		b.put("/-/login/totp", obj{"pending": pending, "recovery_code": "aaaaa-aaaaa"}).expectError(400, "recovery_code", "Invalid recovery code")
		// Case and dashes do not matter.
		b.put("/-/login/totp", obj{"pending": pending, "recovery_code": strings.ToUpper(strings.ReplaceAll(codes[0], "-", ""))}).expect(200)
		b.get("/-/userprofile").expect(200)
		if _, left := ann.totpEnabled(); left != 9 {
			t.Fatalf("%v codes left", left)
		}
		// A recovery code works once.
		c := e.browser()
		pending = c.pendingLogin("ann@example.com", pw)
		c.put("/-/login/totp", obj{"pending": pending, "recovery_code": codes[0]}).expectError(400, "recovery_code", "Invalid recovery code")
		c.put("/-/login/totp", obj{"pending": pending, "recovery_code": codes[1]}).expect(200)
		if _, left := ann.totpEnabled(); left != 8 {
			t.Fatalf("%v codes left", left)
		}
	})
}

func TestTOTPLockOut(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		ann := e.browser()
		ann.login("ann@example.com", pw).expect(200)
		secret, _ := ann.enroll(pw)
		wrong := func() string {
			if e.code(secret) == "000000" {
				return "111111"
			}
			return "000000"
		}

		// Five wrong codes kill a pending login, even the right code after.
		b := e.browser()
		pending := b.pendingLogin("ann@example.com", pw)
		for range 4 {
			b.put("/-/login/totp", obj{"pending": pending, "code": wrong()}).expectError(400, "code", "Invalid code")
		}
		b.put("/-/login/totp", obj{"pending": pending, "code": wrong()}).expectError(400, "code", "Invalid code")
		b.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret)}).expectError(404, "", "")

		// A new login gets five more; the rate limit of the account from this
		// address (3 failures here) then refuses all, right codes included.
		for range 3 {
			pending = b.pendingLogin("ann@example.com", pw)
			for range 2 {
				res := b.put("/-/login/totp", obj{"pending": pending, "code": wrong()})
				if res.status == 429 {
					if res.header.Get("Retry-After") == "" {
						t.Fatal("429 without Retry-After")
					}
					pending = b.pendingLogin("ann@example.com", pw)
					b.put("/-/login/totp", obj{"pending": pending, "code": e.code(secret)}).expectError(429, "", "")
					return
				}
				res.expectError(400, "code", "Invalid code")
			}
		}
		t.Fatal("second factor guesses never rate limited")
	}, func(c *backrest.Config) {
		c.RateLimits.LoginFailuresPerAccountAddr = backrest.Limit{Burst: 8, Per: time.Hour}
	})
}

func TestTOTPDisableAndReset(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("root@example.com", pw, "Root", "", backrest.RoleAdmin)
		u := e.addUser("ann@example.com", pw, "Ann", "")
		ann := e.browser()
		ann.login("ann@example.com", pw).expect(200)
		ann.post("/-/userprofile/totp/disable", obj{"password": pw}).expectError(409, "", "")
		secret, codes := ann.enroll(pw)

		ann.post("/-/userprofile/totp/disable", obj{}).expectError(400, "code", "code or recovery_code is missing")
		ann.post("/-/userprofile/totp/disable", obj{"password": "wrong password"}).expectError(400, "password", "Password does not match")
		ann.post("/-/userprofile/totp/disable", obj{"password": pw, "code": e.code(secret)}).expectError(400, "password", "")
		ann.post("/-/userprofile/totp/disable", obj{"recovery_code": "zzzzz-zzzzz"}).expectError(400, "recovery_code", "Invalid recovery code")
		if on, left := ann.totpEnabled(); !on || left != 10 {
			t.Fatalf("bad input changed the second factor: %v %v", on, left)
		}
		ann.post("/-/userprofile/totp/disable", obj{"code": e.code(secret)}).expectSuccess()
		if on, _ := ann.totpEnabled(); on {
			t.Fatal("still enabled")
		}
		e.browser().login("ann@example.com", pw).expect(200)
		e.nextStep()

		// With the password, and again by an admin.
		_, codes = ann.enroll(pw)
		ann.post("/-/userprofile/totp/disable", obj{"recovery_code": codes[3]}).expectSuccess()
		secret, _ = ann.enroll(pw)
		ann.post("/-/userprofile/totp/disable", obj{"password": pw}).expectSuccess()
		ann.enroll(pw)
		admin := e.browser()
		admin.login("root@example.com", pw).expect(200)
		ann.do("DELETE", "/-/admin/users/"+u.ID.String()+"/totp", nil).expectError(403, "", "")
		pending := e.browser().pendingLogin("ann@example.com", pw)
		admin.do("DELETE", "/-/admin/users/"+u.ID.String()+"/totp", nil).expect(200)
		admin.do("DELETE", "/-/admin/users/00000000000000000000000000000000/totp", nil).expectError(404, "", "")
		if on, _ := ann.totpEnabled(); on {
			t.Fatal("still enabled after the admin's reset")
		}
		e.browser().login("ann@example.com", pw).expect(200).JSON()
		// The pending login of before the reset is gone.
		e.browser().put("/-/login/totp", obj{"pending": pending, "code": e.code(secret)}).expectError(404, "", "")
	})
}

// A password change ends the logins waiting for their second factor, as it ends
// the other sessions.
func TestTOTPPendingEndsWithPasswordChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		ann := e.browser()
		ann.login("ann@example.com", pw).expect(200)
		secret, _ := ann.enroll(pw)
		pending := e.browser().pendingLogin("ann@example.com", pw)
		ann.put("/-/password", obj{"current": pw, "password": "another password"}).expectSuccess()
		e.browser().put("/-/login/totp", obj{"pending": pending, "code": e.code(secret)}).expectError(404, "", "")
	})
}
