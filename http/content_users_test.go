package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// userFieldSchema is the schema of the user field tests: a task forgets its
// assignee, refuses to lose its reviewer, and a watch goes with its watcher.
const userFieldSchema = `{
	"types": [
		{"name": "task", "fields": [
			{"name": "assignee", "type": "user", "on_delete": "set_null"},
			{"name": "reviewer", "type": "user"}
		]},
		{"name": "watch", "fields": [
			{"name": "watcher", "type": "user", "required": true, "on_delete": "cascade"},
			{"name": "task", "type": "relation", "target": "task", "on_delete": "cascade"}
		]}
	]
}`

// TestUserFields writes, filters, expands and deletes the users of user fields
// through the handler: unknown users are refused naming the field, expansion
// shows a user's e-mail address to the user and admins only, and deleting an
// account applies each field's on_delete rule.
func TestUserFields(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		e := newEnvOpts(t, b, app.Options{}, withSchema(t, userFieldSchema))
		alice, _ := e.as("alice@example.com")
		bobU := e.addUser("bob@example.com", pw, "Bob", "Builder")
		bob := e.browser()
		bob.login("bob@example.com", pw).expectSuccess()
		_, carol := e.as("carol@example.com")
		admin, _ := e.as("admin@example.com", "admin")

		// Unknown, malformed and pending users are refused, naming the field, and
		// nothing is created.
		unknown := strings.Repeat("ab", 16)
		alice.post("/-/tasks", obj{"title": "t", "assignee": unknown}).expectError(400, "assignee", "No user with the id "+unknown)
		alice.post("/-/tasks", obj{"title": "t", "reviewer": "bob"}).expectError(400, "reviewer", "Must be the id of a user")
		alice.post("/-/tasks", obj{"title": "t", "reviewer": 12}).expectError(400, "reviewer", "Must be the id of a user")
		if n := e.count("tasks"); n != 0 {
			t.Fatalf("%d tasks after refused writes", n)
		}

		task := alice.post("/-/tasks", obj{"title": "t", "assignee": bobU.ID.String(), "reviewer": obj{"id": carol.ID.String()}}).expect(201).JSON()
		if task["assignee"] != bobU.ID.String() || task["reviewer"] != carol.ID.String() {
			t.Fatalf("created: %v", task)
		}
		other := alice.post("/-/tasks", obj{"title": "other"}).expect(201).JSON()
		watch := bob.post("/-/watchs", obj{"title": "w", "watcher": bobU.ID.String(), "task": id(task)}).expect(201).JSON()

		// Filters by user id.
		if l := alice.get("/-/tasks?assignee=" + bobU.ID.String()).expect(200); l.total() != 1 {
			t.Fatalf("filter by assignee: %s", l.body)
		}
		alice.get("/-/tasks?assignee=bob").expectError(400, "assignee", "")

		// Expansion: the public part for others, the whole user for the user and
		// admins; null when unset; no relation to follow from a user.
		expanded := func(c *browser, path string) map[string]any {
			t.Helper()
			return c.get(path).expect(200).JSON()["__meta__"].(map[string]any)["expand"].(map[string]any)
		}
		got := expanded(alice, itemPath("tasks", task)+"?expand=assignee,reviewer")
		a := got["assignee"].(map[string]any)
		if a["id"] != bobU.ID.String() || a["short_id"] != bobU.ID.Short() || a["firstname"] != "Bob" || a["lastname"] != "Builder" {
			t.Fatalf("expanded assignee: %v", a)
		}
		if _, ok := a["email"]; ok {
			t.Fatalf("another user sees the assignee's e-mail: %v", a)
		}
		if _, ok := a["roles"]; ok {
			t.Fatalf("another user sees the assignee's roles: %v", a)
		}
		for who, c := range map[string]*browser{"bob": bob, "admin": admin} {
			if got := expanded(c, itemPath("tasks", task)+"?expand=assignee")["assignee"].(map[string]any); got["email"] != "bob@example.com" {
				t.Fatalf("%s does not see bob's e-mail: %v", who, got)
			}
		}
		if got := expanded(alice, itemPath("tasks", other)+"?expand=assignee"); got["assignee"] != nil {
			t.Fatalf("unset assignee expanded: %v", got)
		}
		list := alice.get("/-/watchs?expand=task.assignee").expect(200).list()
		if len(list) != 1 || list[0]["__meta__"].(map[string]any)["expand"].(map[string]any)["task"].(map[string]any)["__meta__"].(map[string]any)["expand"].(map[string]any)["assignee"].(map[string]any)["id"] != bobU.ID.String() {
			t.Fatalf("nested expansion: %v", list)
		}
		alice.get(itemPath("tasks", task)+"?expand=assignee.task").expectError(400, "expand", "")

		// restrict: carol's account cannot go while a task holds her as reviewer,
		// whoever deletes it, and nothing changes.
		admin.delete("/-/admin/users/"+carol.ID.String()).expectError(409, "id",
			fmt.Sprintf("The user %s is held by the field reviewer of the task %d; remove it from there first", carol.ID, id(task)))
		admin.get("/-/admin/users/" + carol.ID.String()).expect(200)
		alice.put(itemPath("tasks", task), obj{"reviewer": nil}).expect(200)
		admin.delete("/-/admin/users/" + carol.ID.String()).expect(200)

		// set_null and cascade: bob deletes his account; the task forgets him and
		// his watch goes.
		bob.post("/-/userprofile", obj{"password": pw}).expect(200)
		if got := alice.get(itemPath("tasks", task)).expect(200).JSON(); got["assignee"] != nil {
			t.Fatalf("after bob's deletion: %v", got)
		}
		admin.get(itemPath("watchs", watch)).expectError(404, "", "")
		alice.post("/-/tasks", obj{"title": "t", "assignee": bobU.ID.String()}).expectError(400, "assignee", "No user with the id "+bobU.ID.String())
	})
}

// TestUserFieldCascade deletes a user whose cascade would delete more items
// than the bound: refused with 409, and nothing changes.
func TestUserFieldCascade(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		e := newEnvOpts(t, b, app.Options{MaxCascade: 3}, withSchema(t, userFieldSchema))
		alice, au := e.as("alice@example.com")
		admin, _ := e.as("admin@example.com", "admin")
		for i := range 4 {
			alice.post("/-/watchs", obj{"title": fmt.Sprint(i), "watcher": au.ID.String()}).expect(201)
		}
		admin.delete("/-/admin/users/"+au.ID.String()).expectError(409, "id",
			"Deleting this would delete more than 3 items through on_delete cascade (4 items hold the user "+au.ID.String()+"); delete some of them first")
		if n := e.count("watchs"); n != 4 {
			t.Fatalf("%d watches after a refused deletion", n)
		}
		admin.get("/-/admin/users/" + au.ID.String()).expect(200)
	})
}
