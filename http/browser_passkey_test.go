package http_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// passkeyEnv starts a server whose base URL names localhost: passkeys are bound to
// a domain, never to an IP address.
func passkeyEnv(t *testing.T, b storetest.Backend) *env {
	t.Helper()
	cfg := testConfig(t.TempDir())
	cfg.DB = storetest.DSN(t, b)
	return startEnvHost(t, cfg, app.Options{}, "localhost")
}

// virtualAuthenticator gives the page a platform authenticator of the DevTools
// protocol that holds discoverable credentials and verifies its user at once.
func (p *page) virtualAuthenticator() webauthn.AuthenticatorID {
	p.t.Helper()
	var id webauthn.AuthenticatorID
	p.run("add a virtual authenticator", webauthn.Enable(), chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		id, err = webauthn.AddVirtualAuthenticator(&webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true}).Do(ctx)
		return err
	}))
	return id
}

// credentials returns the credentials the virtual authenticator holds.
func (p *page) credentials(id webauthn.AuthenticatorID) []*webauthn.Credential {
	p.t.Helper()
	var creds []*webauthn.Credential
	p.run("read the authenticator", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		creds, err = webauthn.GetCredentials(id).Do(ctx)
		return err
	}))
	return creds
}

// passkeys counts the passkeys in the database.
func (e *env) passkeys() int {
	e.t.Helper()
	var n int
	if err := e.app.DB.QueryRow(context.Background(), "SELECT count(*) FROM passkeys").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestBrowserPasskey(t *testing.T) {
	exe := chromium(t)
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e := passkeyEnv(t, backend)
		base := e.app.Config.BaseURL
		e.addUser("grace@example.com", pw, "Grace", "Hopper")
		p := openBrowser(t, e, exe, "")
		auth := p.virtualAuthenticator()

		p.run("open the log-in page", chromedp.Navigate(base+"/#/login"))
		p.see("Log in with a passkey")
		p.fill("E-mail address", "grace@example.com")
		p.fill("Password", pw)
		p.click("Log in")
		p.see("Your profile")
		p.see("You have no passkeys.")

		// Register.
		p.fill("Name of the new passkey", "Laptop")
		p.click("Add a passkey")
		p.see("added")
		p.see("Laptop")
		if n := e.passkeys(); n != 1 {
			t.Fatalf("%d passkeys stored", n)
		}
		creds := p.credentials(auth)
		if len(creds) != 1 || !creds[0].IsResidentCredential {
			t.Fatalf("authenticator holds %+v", creds)
		}

		// Sign out, and in with the passkey alone.
		p.click("Log out")
		p.see("Log in with a passkey")
		p.click("Log in with a passkey")
		p.see("Your profile")
		p.see("Logged in as grace@example.com")
		p.see("last used")
		p.axe("profile with a passkey")
		p.who = "signed in with the passkey"
		p.screenshot()
		p.who = ""

		// assert gets an assertion for the options (JSON) at window.options from
		// the authenticator, and puts it twice: the statuses of both answers.
		var ignored any
		p.eval(`window.assert = async () => {
			const o = window.options;
			const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
			const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
			const c = await navigator.credentials.get({publicKey: {...o.publicKey, challenge: b64(o.publicKey.challenge)}});
			const body = JSON.stringify({credential: {id: c.id, rawId: enc(c.rawId), type: c.type, response: {
				clientDataJSON: enc(c.response.clientDataJSON), authenticatorData: enc(c.response.authenticatorData),
				signature: enc(c.response.signature), userHandle: enc(c.response.userHandle)}}});
			const put = () => fetch("/-/webauthn/login", {method: "PUT", headers: {"Content-Type": "application/json"}, body}).then((r) => r.status);
			return [await put(), await put()];
		}; 0`, &ignored)
		options := func() {
			t.Helper()
			p.eval(`fetch("/-/webauthn/login/options", {method: "POST"}).then((r) => r.json()).then((o) => { window.options = o; return 0; })`, &ignored)
		}
		assert := func() (statuses [2]int) {
			t.Helper()
			p.eval(`window.assert()`, &statuses)
			return statuses
		}
		db := e.app.DB
		ctx := context.Background()

		// The challenge of a sign-in works once: the same assertion again is refused.
		options()
		if got := assert(); got != [2]int{http.StatusOK, http.StatusBadRequest} {
			t.Fatalf("assertion used twice: %v", got)
		}
		// A challenge past its time is refused.
		options()
		e.clock.Advance(6 * time.Minute)
		if got := assert(); got != [2]int{http.StatusBadRequest, http.StatusBadRequest} {
			t.Fatalf("late assertion: %v", got)
		}
		// A deactivated user's passkey signs nobody in.
		if _, err := db.Exec(ctx, "UPDATE users SET active = 0 WHERE email_key = 'grace@example.com'"); err != nil {
			t.Fatal(err)
		}
		options()
		if got := assert(); got != [2]int{http.StatusBadRequest, http.StatusBadRequest} {
			t.Fatalf("deactivated user: %v", got)
		}
		if _, err := db.Exec(ctx, "UPDATE users SET active = 1 WHERE email_key = 'grace@example.com'"); err != nil {
			t.Fatal(err)
		}

		// With two-step verification on, a passkey is the first factor only, like
		// a password: the answer is a pending login, which the code completes.
		secret, _ := e.loggedIn2("grace@example.com", pw).enroll(pw)
		options()
		var pending struct{ Status, Pending string }
		p.eval(`window.assertOnce = async () => {
			const o = window.options;
			const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
			const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
			const c = await navigator.credentials.get({publicKey: {...o.publicKey, challenge: b64(o.publicKey.challenge)}});
			return fetch("/-/webauthn/login", {method: "PUT", headers: {"Content-Type": "application/json"}, body: JSON.stringify({credential: {
				id: c.id, rawId: enc(c.rawId), type: c.type, response: {clientDataJSON: enc(c.response.clientDataJSON),
				authenticatorData: enc(c.response.authenticatorData), signature: enc(c.response.signature), userHandle: enc(c.response.userHandle)}}})}).then((r) => r.json());
		}; window.assertOnce()`, &pending)
		if pending.Status != "second_factor" || pending.Pending == "" {
			t.Fatalf("passkey sign-in with a second factor: %+v", pending)
		}
		if status := p.fetchJSON("PUT", "/-/login/totp", obj{"pending": pending.Pending, "code": e.code(secret)}); status != http.StatusOK {
			t.Fatalf("second factor after a passkey: %d", status)
		}

		// Another user cannot remove it; nor can its user while it is the only way
		// in (here, with the password gone).
		var id int
		if err := db.QueryRow(ctx, "SELECT id FROM passkeys").Scan(&id); err != nil {
			t.Fatal(err)
		}
		e.loggedIn("mallory@example.com").delete(fmt.Sprintf("/-/passkeys/%d", id)).expectError(http.StatusNotFound, "", "")
		var hash string
		if err := db.QueryRow(ctx, "SELECT password_hash FROM users WHERE email_key = 'grace@example.com'").Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "UPDATE users SET password_hash = '' WHERE email_key = 'grace@example.com'"); err != nil {
			t.Fatal(err)
		}
		p.click("Remove")
		p.see("This is your last way to sign in")
		if _, err := db.Exec(ctx, "UPDATE users SET password_hash = ? WHERE email_key = 'grace@example.com'", hash); err != nil {
			t.Fatal(err)
		}
		if n := e.passkeys(); n != 1 {
			t.Fatalf("%d passkeys", n)
		}

		// Remove it, from the profile shown since the sign-in.
		p.click("Remove")
		p.see("You have no passkeys.")
		if n := e.passkeys(); n != 0 {
			t.Fatalf("%d passkeys left", n)
		}
	})
}

// TestPasskeyAPI checks the passkey calls without a browser: who may call them,
// bad input, and a server whose base URL is an IP address.
func TestPasskeyAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e := passkeyEnv(t, backend)
		anon := e.browser()
		anon.post("/-/webauthn/register/options", obj{}).expectError(http.StatusForbidden, "", "")
		anon.post("/-/passkeys", obj{"credential": obj{}}).expectError(http.StatusForbidden, "", "")
		anon.get("/-/passkeys").expectError(http.StatusForbidden, "", "")
		anon.delete("/-/passkeys/1").expectError(http.StatusForbidden, "", "")
		anon.put("/-/webauthn/login", obj{}).expectError(http.StatusBadRequest, "credential", "credential is missing")
		anon.put("/-/webauthn/login", obj{"credential": "x"}).expectError(http.StatusBadRequest, "credential", "Not a passkey assertion")
		anon.put("/-/webauthn/login", obj{"credential": obj{"id": "AAAA", "rawId": "AAAA", "type": "public-key",
			"response": obj{"clientDataJSON": "e30", "authenticatorData": "AAAA", "signature": "AAAA", "userHandle": "AAAA"}}}).
			expectError(http.StatusBadRequest, "credential", "")
		opts := anon.post("/-/webauthn/login/options", obj{}).expect(http.StatusOK).JSON()
		if pk, _ := opts["publicKey"].(map[string]any); pk == nil || pk["challenge"] == "" || pk["rpId"] != "localhost" {
			t.Fatalf("login options %v", opts)
		}

		b := e.loggedIn("heidi@example.com")
		b.post("/-/passkeys", obj{}).expectError(http.StatusBadRequest, "credential", "credential is missing")
		b.post("/-/passkeys", obj{"credential": obj{"id": "x"}}).expectError(http.StatusBadRequest, "credential", "Not a passkey credential")
		long := make([]byte, 101)
		for i := range long {
			long[i] = 'a'
		}
		b.post("/-/passkeys", obj{"name": string(long), "credential": obj{}}).expectError(http.StatusBadRequest, "name", "Must be at most 100 characters long")
		b.post("/-/passkeys", obj{"name": 5, "credential": obj{}}).expectError(http.StatusBadRequest, "name", "")
		b.delete("/-/passkeys/1").expectError(http.StatusNotFound, "", "")
		b.delete("/-/passkeys/x").expectError(http.StatusNotFound, "", "")
		opts = b.post("/-/webauthn/register/options", obj{}).expect(http.StatusOK).JSON()
		pk, _ := opts["publicKey"].(map[string]any)
		if sel, _ := pk["authenticatorSelection"].(map[string]any); sel["residentKey"] != "required" {
			t.Fatalf("registration options %v", opts)
		}
		var keys []any
		b.get("/-/passkeys").expect(http.StatusOK).decode(&keys)
		if len(keys) != 0 || e.passkeys() != 0 {
			t.Fatalf("passkeys %v", keys)
		}
		info := e.browser().get("/-/signin").expect(http.StatusOK).JSON()
		if info["passkeys"] != true {
			t.Fatalf("sign-in methods %v", info)
		}

		ip := newEnv(t, backend)
		if info := ip.browser().get("/-/signin").expect(http.StatusOK).JSON(); info["passkeys"] != false {
			t.Fatalf("sign-in methods at an IP address %v", info)
		}
		ip.browser().post("/-/webauthn/login/options", obj{}).expectError(http.StatusNotFound, "", "")
	})
}

// loggedIn2 returns a browser logged in as the existing user.
func (e *env) loggedIn2(email, password string) *browser {
	e.t.Helper()
	b := e.browser()
	b.login(email, password).expect(http.StatusOK)
	return b
}
