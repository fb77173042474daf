package http_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
)

var loginCodeRE = regexp.MustCompile(`(?m)^([0-9]{8})\r?$`)

// loginCode returns the code and the link of the last sign-in mail to the
// address.
func (e *env) loginCode(to string) (code, link string) {
	e.t.Helper()
	ms := e.mails(to)
	if len(ms) == 0 {
		e.t.Fatalf("no mail to %s", to)
	}
	m := ms[len(ms)-1]
	c := loginCodeRE.FindStringSubmatch(m.Text)
	if c == nil || !strings.Contains(m.Subject, c[1]) || !strings.Contains(m.HTML, c[1]) {
		e.t.Fatalf("no code in the mail: %s\n%s", m.Subject, m.Text)
	}
	return c[1], e.link(to, "/-/login/code/")
}

// linkToken follows a sign-in link and returns the token of the page it leads to.
func (b *browser) linkToken(link string) string {
	b.e.t.Helper()
	res := b.get(link).expect(302)
	loc := res.header.Get("Location")
	token, ok := strings.CutPrefix(loc, b.e.srv.URL+"/#/signin/")
	if !ok {
		b.e.t.Fatalf("sign-in link leads to %q", loc)
	}
	return token
}

func TestLoginCode(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", "", "Ann", "")
		b := e.browser()
		b.post("/-/login/code", obj{}).expectError(400, "email", "Invalid email address")
		b.post("/-/login/code", obj{"email": "not an address"}).expectError(400, "email", "Invalid email address")
		b.post("/-/login/code", obj{"email": 3}).expectError(400, "email", "")
		if ms := e.mails("ann@example.com"); len(ms) != 0 {
			t.Fatalf("bad input sent mail: %v", ms)
		}
		// The same answer for an unknown address, which gets no mail.
		b.post("/-/login/code", obj{"email": "nobody@example.com"}).expectSuccess()
		if ms := e.mails("nobody@example.com"); len(ms) != 0 {
			t.Fatal("mail to an unknown address")
		}
		b.put("/-/login/code", obj{"email": "nobody@example.com", "code": "12345678"}).expectError(400, "code", "Invalid or expired code")

		b.post("/-/login/code", obj{"email": "ANN@example.com"}).expectSuccess()
		code, link := e.loginCode("ann@example.com")
		b.put("/-/login/code", obj{"email": "ann@example.com"}).expectError(400, "code", "code is missing")
		b.put("/-/login/code", obj{"email": "ann@example.com", "code": "123"}).expectError(400, "code", "Must be 8 digits")
		b.put("/-/login/code", obj{"code": code}).expectError(400, "email", "Invalid email address")
		b.put("/-/login/code", obj{"email": "ann@example.com", "code": code, "link": "x"}).expectError(400, "link", "")
		b.get("/-/userprofile").expectError(403, "", "")
		res := b.put("/-/login/code", obj{"email": "Ann@Example.com", "code": code}).expect(200).JSON()
		if res["status"] != "success" || res["user"].(map[string]any)["email"] != "ann@example.com" {
			t.Fatalf("sign-in: %v", res)
		}
		b.get("/-/userprofile").expect(200)
		// Code and link work once.
		e.browser().put("/-/login/code", obj{"email": "ann@example.com", "code": code}).expectError(400, "code", "Invalid or expired code")
		e.browser().get(link).expectError(404, "", "")

		// The link: following it leads to the page, without signing in; the
		// page's PUT signs in, once.
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectSuccess()
		_, link = e.loginCode("ann@example.com")
		c := e.browser()
		token := c.linkToken(link)
		c.linkToken(link)
		c.get("/-/userprofile").expectError(403, "", "")
		c.put("/-/login/code", obj{"link": "nonsense"}).expectError(400, "link", "Invalid or expired link")
		c.put("/-/login/code", obj{"link": token}).expect(200)
		c.get("/-/userprofile").expect(200)
		e.browser().put("/-/login/code", obj{"link": token}).expectError(400, "link", "Invalid or expired link")

		// A new request kills the previous code.
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectSuccess()
		first, _ := e.loginCode("ann@example.com")
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectSuccess()
		second, _ := e.loginCode("ann@example.com")
		if first != second {
			e.browser().put("/-/login/code", obj{"email": "ann@example.com", "code": first}).expectError(400, "code", "Invalid or expired code")
		}
		e.browser().put("/-/login/code", obj{"email": "ann@example.com", "code": second}).expect(200)
	})
}

func TestLoginCodeExpiryAndAttempts(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", "", "Ann", "")
		b := e.browser()
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectSuccess()
		code, link := e.loginCode("ann@example.com")
		e.clock.Advance(10*time.Minute + time.Second)
		b.put("/-/login/code", obj{"email": "ann@example.com", "code": code}).expectError(400, "code", "Invalid or expired code")
		b.get(link).expectError(404, "", "")

		// Five wrong codes kill the code.
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectSuccess()
		code, _ = e.loginCode("ann@example.com")
		wrong := "00000000"
		if code == wrong {
			wrong = "11111111"
		}
		for range 5 {
			b.put("/-/login/code", obj{"email": "ann@example.com", "code": wrong}).expectError(400, "code", "Invalid or expired code")
		}
		b.put("/-/login/code", obj{"email": "ann@example.com", "code": code}).expectError(400, "code", "Invalid or expired code")
		b.get("/-/userprofile").expectError(403, "", "")
	})
}

func TestLoginCodeLimits(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", "", "Ann", "")
		b := e.browser()
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectSuccess()
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectSuccess()
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectError(429, "", "")
		// Unknown addresses are limited alike.
		b.post("/-/login/code", obj{"email": "nobody@example.com"}).expectSuccess()
		b.post("/-/login/code", obj{"email": "nobody@example.com"}).expectSuccess()
		b.post("/-/login/code", obj{"email": "nobody@example.com"}).expectError(429, "", "")
		if n := len(e.mails("ann@example.com")); n != 2 {
			t.Fatalf("%d mails", n)
		}
		// Wrong codes count like failed logins.
		for i := 0; ; i++ {
			res := b.put("/-/login/code", obj{"email": "ann@example.com", "code": "00000000"})
			if res.status == 429 {
				break
			}
			res.expectError(400, "code", "")
			if i > 10 {
				t.Fatal("wrong codes never rate limited")
			}
		}
	}, func(c *backrest.Config) {
		c.RateLimits.ResetPerAccount = backrest.Limit{Burst: 2, Per: time.Hour}
		c.RateLimits.LoginFailuresPerAccountAddr = backrest.Limit{Burst: 3, Per: time.Hour}
	})
}

func TestLoginCodeSecondFactor(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.addUser("ann@example.com", pw, "Ann", "")
		ann := e.browser()
		ann.login("ann@example.com", pw).expect(200)
		secret, _ := ann.enroll(pw)
		b := e.browser()
		b.post("/-/login/code", obj{"email": "ann@example.com"}).expectSuccess()
		code, _ := e.loginCode("ann@example.com")
		res := b.put("/-/login/code", obj{"email": "ann@example.com", "code": code}).expect(200).JSON()
		if res["status"] != "second_factor" {
			t.Fatalf("a mailed code skipped the second factor: %v", res)
		}
		b.get("/-/userprofile").expectError(403, "", "")
		b.put("/-/login/totp", obj{"pending": res["pending"], "code": e.code(secret)}).expect(200)
		b.get("/-/userprofile").expect(200)
	})
}
