package http_test

import (
	"fmt"
	"testing"
)

// An admin watches the documents in the console while another user creates and
// then changes one through the API: the list shows it without a reload, since it
// follows the change feed.
func TestBrowserConsoleLiveList(t *testing.T) {
	forEachBrowserDB(t, func(t *testing.T, e *env, b *page) {
		e.addUser("root@example.com", pw, "Root", "", "admin")
		writer, _ := e.as("writer@example.com")

		b.open("/_/", "Log in to the console")
		b.fill("E-mail address", "root@example.com")
		b.fill("Password", pw)
		b.click("Log in")
		b.see("Dashboard")
		b.click("Documents")
		b.see("No documents.")

		id := itemID(t, writer.post("/-/documents", obj{"title": "Written elsewhere", "slug": "elsewhere"}).expect(201))
		b.see("Written elsewhere")
		b.rows(1)
		writer.post("/-/documents", obj{"title": "And another", "slug": "another"}).expect(201)
		b.rows(2)
		b.see("And another")
		writer.put(fmt.Sprintf("/-/documents/%v", id), obj{"title": "Renamed elsewhere"}).expect(200)
		b.see("Renamed elsewhere")
		b.shot("live")
	})
}
