package http_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A person signs up, follows the mailed link and lands on the welcome page logged
// in; forgets the password, follows the reset link, sets a new one and logs in
// with it; changes the e-mail address and follows that link.
func TestBrowserAccountFlows(t *testing.T) {
	forEachBrowserDB(t, func(t *testing.T, e *env, b *page) {
		const email, newEmail = "ada@example.com", "ada.l@example.com"
		b.open("/#/signup", "Create an account")
		b.axe("sign-up")
		b.fill("E-mail address", email)
		b.fill("Password", "first-secret-1")
		b.fill("First name", "Ada")
		b.click("Create account")
		b.see("Check your mail")
		link := e.awaitMail(email, 0, "/-/signup")
		b.open(strings.TrimPrefix(link, e.srv.URL), "Welcome, Ada!")
		b.see("logged in as " + email)
		b.axe("welcome")

		b.click("Go to your profile")
		b.see("Your profile")
		b.axe("profile")
		b.click("Log out")
		b.see("Log in")
		b.axe("log-in")

		b.click("Forgot your password?")
		b.see("Forgot your password?")
		b.axe("forgot password")
		seen := len(e.mails(email))
		b.fill("E-mail address", email)
		b.click("Send the link")
		b.see("a link to set a new password is on its way")
		link = e.awaitMail(email, seen, "/-/reset/")
		b.open(strings.TrimPrefix(link, e.srv.URL), "Set a new password")
		b.axe("reset form")
		b.fill("New password", "second-secret-2")
		b.fill("New password again", "not the same")
		b.click("Set the password")
		if msg := b.fieldError("New password again"); msg != "The two passwords differ" {
			t.Fatalf("mismatch error %q", msg)
		}
		b.fill("New password again", "second-secret-2")
		b.click("Set the password")
		b.see("Your password is set.")
		b.click("Log in")
		b.see("Forgot your password?")
		b.fill("E-mail address", email)
		b.fill("Password", "first-secret-1")
		b.click("Log in")
		if msg := b.fieldError("E-mail address"); msg != "Login failed" {
			t.Fatalf("wrong password: error %q", msg)
		}
		b.fill("Password", "second-secret-2")
		b.click("Log in")
		b.see("Logged in as " + email)

		seen = len(e.mails(newEmail))
		b.fill("New e-mail address", newEmail)
		b.fill("Your password", "second-secret-2")
		b.click("Change e-mail address")
		b.see("Follow the link we sent to " + newEmail)
		link = e.awaitMail(newEmail, seen, "/-/email/")
		b.open(strings.TrimPrefix(link, e.srv.URL), "E-mail address changed")
		b.see("Your e-mail address is now " + newEmail)
		b.axe("e-mail changed")

		b.click("Go to your profile")
		b.fill("Current password", "second-secret-2")
		b.fill("New password", "third-secret-3")
		b.click("Change password")
		b.see("Your password is changed.")
		b.fill("Password, to confirm", "third-secret-3")
		b.click("Delete my account")
		b.see("Your account and its sessions are deleted for good.")
		b.axe("delete dialog")
		b.click("Delete")
		b.see("Create an account")
		if status := b.fetchJSON("PUT", "/-/login", map[string]string{"login": newEmail, "password": "third-secret-3"}); status != 400 {
			t.Fatalf("log in after deletion: status %d", status)
		}
	})
}

// An admin logs in to the console, finds a user and makes them an editor; the
// user can then create an item of a type that needs that role.
func TestBrowserConsoleRoles(t *testing.T) {
	forEachBrowserDB(t, func(t *testing.T, e *env, b *page) {
		e.addUser("root@example.com", pw, "Root", "", "admin")
		e.addUser("bob@example.com", pw, "Bob", "Builder")
		bob := b.another("bob")
		bob.open("/#/login", "Log in")
		bob.fill("E-mail address", "bob@example.com")
		bob.fill("Password", pw)
		bob.click("Log in")
		bob.see("Logged in as bob@example.com")
		if status := bob.fetchJSON("POST", "/-/announcements", map[string]any{"title": "Hello", "level": 1}); status != 403 {
			t.Fatalf("announcement before the role: status %d", status)
		}

		b.open("/_/", "Log in to the console")
		b.fill("E-mail address", "root@example.com")
		b.fill("Password", pw)
		b.click("Log in")
		b.see("Dashboard")
		b.click("Users")
		b.rows(2)
		b.fill("Search", "builder")
		b.click("Search")
		b.rows(1)
		b.see("bob@example.com")
		b.click("bob@example.com")
		b.see("End all sessions")
		b.fill("Roles", "editor")
		b.click("Save")
		b.see("Saved.")

		if status := bob.fetchJSON("POST", "/-/announcements", map[string]any{"title": "Hello", "level": 1}); status != 201 {
			t.Fatalf("announcement as editor: status %d", status)
		}
		b.click("End all sessions")
		b.see("Every session of the user has ended.")
		if status := bob.fetchJSON("POST", "/-/announcements", map[string]any{"title": "Again", "level": 1}); status != 403 {
			t.Fatalf("announcement after the sessions ended: status %d", status)
		}
		b.click("Announcements")
		b.see("Hello")

		e.browser().post("/-/signup", obj{"email": "carol@example.com", "password": pw}).expectSuccess()
		seen := len(e.awaitMails("carol@example.com", 1))
		b.click("Users")
		b.rows(3)
		b.choose("State", "false")
		b.click("Search")
		b.rows(1)
		b.see("carol@example.com")
		b.click("carol@example.com")
		b.click("Resend confirmation")
		b.see("The confirmation mail is sent again.")
		e.awaitMail("carol@example.com", seen, "/-/signup")
	})
}

// The admin creates an item with a validation error, sees it beside its field,
// fixes it, uploads an image into a file field, sees its preview, and deletes the
// item.
func TestBrowserConsoleItem(t *testing.T) {
	forEachBrowserDB(t, func(t *testing.T, e *env, b *page) {
		e.addUser("root@example.com", pw, "Root", "", "admin")
		img := filepath.Join(t.TempDir(), "dot.png")
		writePNG(t, img)

		b.open("/_/", "Log in to the console")
		b.fill("E-mail address", "root@example.com")
		b.fill("Password", pw)
		b.click("Log in")
		b.see("Dashboard")
		b.click("Documents")
		b.click("New document")
		b.see("Create document")
		b.fill("Title", "Launch notes")
		b.fill("Slug", "Not A Slug")
		b.choose("Status", "draft")
		b.click("Create document")
		if msg := b.fieldError("Slug"); msg == "" {
			t.Fatal("no error beside slug")
		}
		b.see("There is a problem")
		b.shot("validation-error")
		b.fill("Slug", "launch-notes")
		b.click("Create document")
		b.see("About")
		b.see("Launch notes")

		b.upload("Attachment", img)
		b.see("dot.png is uploaded")
		b.seeImage("Preview of dot.png", 24)
		b.shot("preview")
		b.click("Save")
		b.see("Saved.")
		var items []map[string]any
		b.eval(`fetch("/-/documents?slug=launch-notes").then((r) => r.json())`, &items)
		if len(items) != 1 || items[0]["attachment"] == nil {
			t.Fatalf("saved: %v", items)
		}
		// A list of related documents: added by id, shown with their titles,
		// saved in order, and shown again from the expansion once reloaded.
		var other, third map[string]any
		b.eval(`fetch("/-/documents", {method: "POST", headers: {"Content-Type": "application/json"},
			body: JSON.stringify({title: "Road map", slug: "road-map"})}).then((r) => r.json())`, &other)
		b.eval(`fetch("/-/documents", {method: "POST", headers: {"Content-Type": "application/json"},
			body: JSON.stringify({title: "Release plan", slug: "release-plan"})}).then((r) => r.json())`, &third)
		b.fill("Related", fmt.Sprint(other["id"]))
		b.click("Add to related")
		b.see("Road map is added")
		b.fill("Related", fmt.Sprint(third["id"]))
		b.click("Add to related")
		b.see("Release plan is added")
		b.click(fmt.Sprintf("Remove Road map (%v)", other["id"]))
		b.fill("Related", fmt.Sprint(other["id"]))
		b.click("Add to related")
		b.click("Save")
		b.see("Saved.")
		b.eval(`fetch("/-/documents?slug=launch-notes").then((r) => r.json())`, &items)
		if want := []any{third["id"], other["id"]}; len(items) != 1 || fmt.Sprint(items[0]["related"]) != fmt.Sprint(want) {
			t.Fatalf("related saved: %v, want %v", items[0]["related"], want)
		}
		b.open("/_/#/content/documents", "Road map")
		b.click("Launch notes")
		b.see("Release plan (")
		b.see("Road map (")
		b.shot("related")
		b.fill("Related", "999999")
		b.click("Add to related")
		b.see("Item 999999 is added")
		b.click("Save")
		if msg := b.fieldError("Related"); !strings.Contains(msg, "No document with the id 999999") {
			t.Fatalf("error beside related: %q", msg)
		}

		b.click("Delete this document")
		b.see("It is deleted for good.")
		b.click("Delete")
		b.rows(2)
		b.eval(`fetch("/-/documents?slug=launch-notes").then((r) => r.json())`, &items)
		if len(items) != 0 {
			t.Fatalf("after delete: %v", items)
		}
	})
}

// pngBase64 is the small image of writePNG in base 64.
func pngBase64(t *testing.T) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "dot.png")
	writePNG(t, name)
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(data)
}

// writePNG writes a small image.
func writePNG(t *testing.T, name string) {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 24, 24))
	for x := range 24 {
		for y := range 24 {
			m.Set(x, y, color.RGBA{59, 91, 219, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
