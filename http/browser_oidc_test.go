package http_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/backrest/backrest/store/storetest"
)

// seeAfterNavigation waits until the page shows text, through the navigations of
// redirects between sites: a poll that a navigation interrupts is polled again
// in the new page.
func (p *page) seeAfterNavigation(text string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, uiWait)
	defer cancel()
	for {
		err := chromedp.Run(ctx, chromedp.Poll(fmt.Sprintf(`document.body !== null && document.body.innerText.includes(%s)`, jsString(text)), nil))
		if err == nil {
			return
		}
		if ctx.Err() != nil || !(strings.Contains(err.Error(), "context") || strings.Contains(err.Error(), "navigated")) {
			p.t.Fatalf("wait for %q: %v", text, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserOIDC signs in with a provider from the account pages, is refused an
// account whose address the provider does not vouch for, and links and unlinks
// an identity from the profile.
func TestBrowserOIDC(t *testing.T) {
	exe := chromium(t)
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e, op := oidcEnv(t, backend)
		op.add("ivan", "ivan@example.com", true)
		op.add("judy-op", "judy@example.com", false)
		op.add("kim", "kim@example.com", true)
		e.addUser("judy@example.com", pw, "Judy", "")
		p := openBrowser(t, e, exe, "")
		atProvider := func(user string) {
			t.Helper()
			p.seeAfterNavigation("Provider")
			p.fill("Username", user)
			p.click("Sign in")
		}

		p.open("/#/login", "Log in with test")
		p.click("Log in with test")
		atProvider("ivan")
		p.seeAfterNavigation("Logged in as ivan@example.com")
		p.see("Linked accounts")
		p.see("ivan@example.com")
		// Made by the provider, the account has no password: the profile asks for
		// none, and offers to set one.
		p.see("Set a password")
		if labels := p.passwordLabels(); !slices.Equal(labels, []string{"New password"}) {
			t.Fatalf("password fields of a user without one: %q", labels)
		}
		p.axe("profile without a password")
		p.who = "no password"
		p.screenshot()
		p.who = ""
		seen := len(e.mails("ivan2@example.com"))
		p.fill("New e-mail address", "ivan2@example.com")
		p.click("Change e-mail address")
		p.see("Follow the link we sent to ivan2@example.com")
		e.awaitMail("ivan2@example.com", seen, "/-/email/")
		p.fill("New password", pw)
		p.click("Set password")
		p.see("Your password is set.")
		if labels := p.passwordLabels(); !slices.Equal(labels, []string{"Current password", "New password", "Your password", "Password, to turn it on", "Password, to confirm"}) {
			t.Fatalf("password fields of a user with one: %q", labels)
		}
		p.click("Log out")

		p.click("Log in with test")
		atProvider("judy-op")
		p.seeAfterNavigation("The provider gave no usable e-mail address, or one of an account here that it has not verified.")
		p.axe("log-in page with a sign-in error")

		p.fill("E-mail address", "judy@example.com")
		p.fill("Password", pw)
		p.click("Log in")
		p.see("No accounts at other providers are linked.")
		p.click("Link test")
		atProvider("judy-op")
		p.seeAfterNavigation("Logged in as judy@example.com")
		p.see("test · judy@example.com")
		p.axe("profile with a linked account")
		p.who = "linked"
		p.screenshot()
		p.who = ""
		p.click("Unlink")
		p.see("No accounts at other providers are linked.")

		// A user without a password deletes the account without one.
		p.click("Log out")
		p.click("Log in with test")
		atProvider("kim")
		p.seeAfterNavigation("Logged in as kim@example.com")
		p.click("Delete my account")
		p.see("Your account and its sessions are deleted for good.")
		p.click("Delete")
		p.see("Create an account")
		if n := e.users(); n != 2 {
			t.Fatalf("%d users after the deletion, want 2", n)
		}
	})
}

// passwordLabels returns the labels of the visible password fields, in the order
// of the page.
func (p *page) passwordLabels() []string {
	p.t.Helper()
	var labels []string
	p.eval(`[...document.querySelectorAll("input[type=password]")].filter((i) => i.offsetParent !== null)
		.map((i) => document.querySelector('label[for="' + i.id + '"]').textContent.replace(" (required)", "").trim())`, &labels)
	return labels
}
