package http_test

import (
	"context"
	"fmt"
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
	})
}
