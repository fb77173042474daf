package http_test

import (
	"strings"
	"testing"
)

// A person turns on two-step verification from the profile, logs out, logs in
// with a code of the app, sees and ends another device's session, then signs in
// with a mailed code; an admin sees the sessions in the console.
func TestBrowserSecondFactorAndDevices(t *testing.T) {
	forEachBrowserDB(t, func(t *testing.T, e *env, b *page) {
		const email = "ada@example.com"
		e.addUser(email, pw, "Ada", "")
		e.addUser("root@example.com", pw, "Root", "", "admin")
		other := e.browser()
		other.login(email, pw).expect(200)

		b.open("/#/login", "Log in")
		b.fill("E-mail address", email)
		b.fill("Password", pw)
		b.click("Log in")
		b.see("Your profile")
		b.see("(this device)")
		b.axe("profile with devices")

		b.fill("Password, to turn it on", pw)
		b.click("Turn on two-step verification")
		b.see("Secret:")
		b.axe("two-step enrollment")
		var secret string
		b.eval(`document.querySelector("code.secret").textContent`, &secret)
		b.fill("Code from the app", e.code(secret))
		b.click("Confirm")
		b.see("Two-step verification is on.")
		var codes int
		b.eval(`document.querySelectorAll("ul.codes li").length`, &codes)
		if codes != 10 {
			t.Fatalf("%d recovery codes shown", codes)
		}
		b.click("I have saved them")
		b.see("10 recovery codes left.")
		// Turning it on ended the other session.
		other.get("/-/userprofile").expectError(403, "", "")
		e.nextStep()

		b.click("Log out here")
		b.see("Forgot your password?")
		b.fill("E-mail address", email)
		b.fill("Password", pw)
		b.click("Log in")
		b.see("Your password is right.")
		b.axe("second factor")
		b.fill("Code", e.code(secret))
		b.click("Continue")
		b.see("Your profile")

		// Another device logs in; the profile lists it and ends it.
		e.nextStep()
		other.put("/-/login/totp", obj{"pending": other.pendingLogin(email, pw), "code": e.code(secret)}).expect(200)
		b.open("/#/", "Devices")
		b.click("End")
		b.see("that device is logged out")

		// The console shows the sessions of a user.
		admin := b.another("admin")
		admin.open("/_/", "Log in to the console")
		admin.fill("E-mail address", "root@example.com")
		admin.fill("Password", pw)
		admin.click("Log in")
		admin.see("Users")
		var id string
		admin.eval(`fetch("/-/userprofile?email=`+email+`").then((r) => r.json()).then((u) => u.id)`, &id)
		admin.open("/_/#/users/"+id, "Sessions")
		admin.see("Reset two-step verification")
		admin.axe("user with sessions")

		// Sign-in with a mailed code.
		c := b.another("mail")
		c.open("/#/login", "Log in")
		c.click("Sign in with a mailed code")
		// The login page has a control of the same label: wait for the next page.
		c.see("Sign in with a code")
		c.fill("E-mail address", "root@example.com")
		c.click("Send the code")
		c.see("8-digit code is on its way")
		c.axe("mailed code")
		e.awaitMails("root@example.com", 1)
		code, _ := e.loginCode("root@example.com")
		c.fill("Code from the mail", code)
		c.click("Sign in")
		c.see("Your profile")
		c.see("Logged in as")
		var body string
		c.eval(`document.body.innerText`, &body)
		if !strings.Contains(body, "root@example.com") {
			t.Fatalf("signed in as someone else: %s", body)
		}
	})
}
