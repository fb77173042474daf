package http_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// Every page of the account pages and of the console passes axe-core without a
// serious or critical violation, and shows no error in the browser's console.
func TestBrowserAccessibility(t *testing.T) {
	forEachBrowserDB(t, func(t *testing.T, e *env, b *page) {
		admin := e.addUser("root@example.com", pw, "Root", "", "admin")
		e.addUser("pending@example.com", pw, "Pat", "Pending")
		check := func(name, path, text string) {
			t.Helper()
			b.open(path, text)
			b.axe(name)
			b.shot(name)
		}
		check("account-log-in", "/#/login", "Forgot your password?")
		check("account-sign-up", "/#/signup", "Create an account")
		check("account-forgot", "/#/forgot", "Send the link")
		check("account-reset", "/#/reset/some-token", "Set a new password")
		check("account-welcome", "/#/welcome", "Your account is confirmed.")
		check("account-email-changed", "/#/email-changed", "Your e-mail address is changed.")
		check("account-not-found", "/#/nowhere", "Page not found")
		check("console-log-in", "/_/", "Log in to the console")

		// By keyboard alone: the focus starts on the heading.
		b.keys("\t", "root@example.com", "\t", pw, "\r")
		b.see("Dashboard")
		b.axe("console-dashboard")
		b.shot("console-dashboard")
		check("account-profile", "/#/profile", "Your profile")

		var fileID float64
		b.eval(`fetch("/-/files?filename=dot.png", {method: "POST", headers: {"Content-Type": "image/png"},
			body: Uint8Array.from(atob("`+pngBase64(t)+`"), (c) => c.charCodeAt(0))}).then((r) => r.json()).then((f) => f.id)`, &fileID)
		var docID float64
		b.eval(`fetch("/-/documents", {method: "POST", headers: {"Content-Type": "application/json"},
			body: JSON.stringify({title: "Hello", slug: "hello", status: "draft", attachment: `+strconv.Itoa(int(fileID))+`, categories: ["news"]})}).then((r) => r.json()).then((d) => d.id)`, &docID)
		doc := strconv.Itoa(int(docID))

		check("console-users", "/_/#/users", "pending@example.com")
		check("console-user", "/_/#/users/"+admin.ID.String(), "End all sessions")
		check("console-new-user", "/_/#/users/new", "Create user")
		check("console-files", "/_/#/files", "dot.png")
		check("console-documents", "/_/#/content/documents", "Hello")
		check("console-new-document", "/_/#/content/documents/new", "Create document")
		check("console-document", "/_/#/content/documents/"+doc, "Download dot.png")
		b.seeImage("Preview of dot.png", 24)
		check("console-announcements", "/_/#/content/announcements", "No announcements.")
		check("console-new-announcement", "/_/#/content/announcements/new", "Create announcement")
		check("console-schema", "/_/#/schema/documents", "Schema of document")
		var hookID float64
		b.eval(`fetch("/-/admin/webhooks", {method: "POST", headers: {"Content-Type": "application/json"},
			body: JSON.stringify({url: "https://example.com/hook", types: ["documents"]})}).then((r) => r.json()).then((w) => w.id)`, &hookID)
		check("console-webhooks", "/_/#/webhooks", "https://example.com/hook")
		check("console-webhook", "/_/#/webhooks/"+strconv.Itoa(int(hookID)), "Rotate secret")
		check("console-new-webhook", "/_/#/webhooks/new", "Create webhook")

		b.run("narrow screen", chromedp.EmulateViewport(390, 844))
		check("console-narrow", "/_/#/content/documents/"+doc, "Download dot.png")
		check("account-narrow", "/#/profile", "Your profile")
	})
}
