package http_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest/store"
)

// adminUser reads a user through the admin API as the admin browser a.
func adminUser(t *testing.T, a *browser, id string) map[string]any {
	t.Helper()
	return a.get("/-/admin/users/" + id).expect(http.StatusOK).JSON()
}

// emails returns the addresses of a listing of users, in order.
func emails(users []map[string]any) string {
	var out []string
	for _, u := range users {
		out = append(out, fmt.Sprint(u["email"]))
	}
	return strings.Join(out, " ")
}

func TestAdminRoutesForAdminsOnly(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		editor, _ := e.as("editor@example.com", "editor")
		anon := e.browser()
		victim := e.addUser("victim@example.com", pw, "Vic", "Tim")
		vid := victim.ID.String()
		calls := []struct {
			method, path string
			body         any
		}{
			{"GET", "/-/admin/users", nil},
			{"POST", "/-/admin/users", obj{"email": "new@example.com", "password": pw}},
			{"GET", "/-/admin/users/" + vid, nil},
			{"PUT", "/-/admin/users/" + vid, obj{"roles": []string{"admin"}, "active": false}},
			{"POST", "/-/admin/users/" + vid + "/logout", obj{}},
			{"POST", "/-/admin/users/" + vid + "/resend", obj{}},
			{"GET", "/-/admin/files", nil},
			{"GET", "/-/admin/stats", nil},
			{"DELETE", "/-/admin/users/" + vid, nil},
		}
		for _, who := range []*browser{anon, editor} {
			for _, c := range calls {
				who.do(c.method, c.path, c.body).expectError(http.StatusForbidden, "", "")
			}
		}
		// Bad input from a non-admin is refused as such, not reported.
		editor.get("/-/admin/users?limit=0").expectError(http.StatusForbidden, "", "")
		editor.put("/-/admin/users/nope", obj{"roles": 3}).expectError(http.StatusForbidden, "", "")
		u := adminUser(t, admin, vid)
		if u["active"] != true || fmt.Sprint(u["roles"]) != "[]" || e.users() != 3 {
			t.Fatalf("a refused call changed something: %v, %d users", u, e.users())
		}
		want := map[string]int{"GET": 200, "POST /-/admin/users": 201, "PUT": 200, "DELETE": 200}
		for _, c := range calls {
			status, ok := want[c.method+" "+c.path]
			if !ok {
				status = want[c.method]
			}
			if status == 0 {
				status = 200
			}
			if strings.HasSuffix(c.path, "/resend") {
				status = 400 // victim is no pending sign-up
			}
			admin.do(c.method, c.path, c.body).expect(status)
		}
		admin.get("/-/admin/users/"+vid).expectError(http.StatusNotFound, "", "")
	})
}

func TestAdminUserRepresentation(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		ann := e.addUser("Ann@Example.com", pw, "Ann", "Smith", "editor")
		u := adminUser(t, admin, ann.ID.String())
		if u["id"] != ann.ID.String() || u["short_id"] != ann.ID.Short() || u["email"] != "Ann@Example.com" ||
			u["firstname"] != "Ann" || u["lastname"] != "Smith" || fmt.Sprint(u["roles"]) != "[editor]" ||
			u["active"] != true || u["pending"] != false {
			t.Fatalf("user: %v", u)
		}
		meta, _ := u["__meta__"].(map[string]any)
		if meta["url"] != e.srv.URL+"/-/admin/users/"+ann.ID.String() {
			t.Fatalf("__meta__: %v", u["__meta__"])
		}
		if c, _ := u["created"].(string); !strings.HasSuffix(c, "Z") || u["modified"] == nil {
			t.Fatalf("times: %v", u)
		}
		// Any form of id that is not a user's is 404.
		for _, id := range []string{"nope", "123", strings.Repeat("0", 32), ann.ID.String() + "0"} {
			admin.get("/-/admin/users/"+id).expectError(http.StatusNotFound, "", "")
		}
	})
}

func TestAdminListUsers(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		e.addUser("ann@example.com", pw, "Ann", "Smith", "editor")
		e.addUser("bob@example.com", pw, "Bob", "Jones")
		e.addUser("carl@example.com", pw, "Carl", "100% Smith")
		e.addUser("dora_x@example.com", pw, "Dora", "Ärger", "editor", "admin2")
		// A pending sign-up.
		e.browser().post("/-/signup", obj{"email": "eve@example.com", "password": pw, "firstname": "Eve"}).expectSuccess()

		all := admin.get("/-/admin/users").expect(http.StatusOK)
		if all.total() != 6 || emails(all.list()) != "eve@example.com dora_x@example.com carl@example.com bob@example.com ann@example.com admin@example.com" {
			t.Fatalf("all, newest first: %d %s", all.total(), emails(all.list()))
		}
		if all.header.Get("Link") != "" {
			t.Fatalf("a single page has a next link: %s", all.header.Get("Link"))
		}
		if l := all.list(); l[0]["pending"] != true || l[0]["active"] != false {
			t.Fatalf("pending sign-up: %v", l[0])
		}

		// Paging follows Link to the end.
		var seen []string
		next := "/-/admin/users?limit=4&q=example"
		for pages := 0; next != ""; pages++ {
			if pages > 3 {
				t.Fatal("paging does not end")
			}
			res := admin.get(next).expect(http.StatusOK)
			if res.total() != 6 {
				t.Fatalf("total %d", res.total())
			}
			seen = append(seen, emails(res.list()))
			next = ""
			if l := res.header.Get("Link"); l != "" {
				u, ok := strings.CutSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
				if !ok {
					t.Fatalf("Link %q", l)
				}
				next = u
			}
		}
		if strings.Join(seen, " ") != emails(all.list()) || len(seen) != 2 {
			t.Fatalf("pages %q", seen)
		}

		for q, want := range map[string]string{
			"?q=SMITH":                        "carl@example.com ann@example.com",
			"?q=ann":                          "ann@example.com",
			"?q=BOB@EXAMPLE":                  "bob@example.com",
			"?q=" + url.QueryEscape("100%"):   "carl@example.com",
			"?q=%25":                          "carl@example.com",
			"?q=_":                            "dora_x@example.com",
			"?q=a_x":                          "dora_x@example.com",
			"?q=" + url.QueryEscape("a%x"):    "",
			"?q=" + url.QueryEscape(`\`):      "",
			"?q=Ärger":                        "dora_x@example.com",
			"?role=editor":                    "dora_x@example.com ann@example.com",
			"?role=admin":                     "admin@example.com",
			"?role=admin2":                    "dora_x@example.com",
			"?role=edit":                      "",
			"?role=%25":                       "",
			"?active=false":                   "eve@example.com",
			"?active=true&role=editor&q=dora": "dora_x@example.com",
			"?limit=2&offset=5":               "admin@example.com",
			"?offset=10":                      "",
		} {
			res := admin.get("/-/admin/users" + q).expect(http.StatusOK)
			if got := emails(res.list()); got != want {
				t.Errorf("%s: %q, want %q", q, got, want)
			}
		}

		for q, name := range map[string]string{
			"?limit=0":    "limit",
			"?limit=1001": "limit",
			"?limit=x":    "limit",
			"?offset=-1":  "offset",
			"?active=yes": "active",
			"?active=1":   "active",
			"?q=a&q=b":    "q",
		} {
			admin.get("/-/admin/users"+q).expectError(http.StatusBadRequest, name, "")
		}
	})
}

func TestAdminUpdateUser(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		admin, me := e.as("admin@example.com", "admin")
		ann, annUser := e.as("ann@example.com")
		id := annUser.ID.String()
		path := "/-/admin/users/" + id

		// A role opens what the role may do.
		ann.post("/-/notices", obj{"title": "News"}).expectError(http.StatusForbidden, "", "")
		u := admin.put(path, obj{"roles": []string{"editor", "editor", "writer"}, "firstname": "Anne"}).expect(http.StatusOK).JSON()
		if fmt.Sprint(u["roles"]) != "[editor writer]" || u["firstname"] != "Anne" || u["lastname"] != "" {
			t.Fatalf("changed user: %v", u)
		}
		ann.post("/-/notices", obj{"title": "News"}).expect(http.StatusCreated)
		if got := ann.get("/-/userprofile").expect(http.StatusOK).JSON(); got["firstname"] != "Anne" {
			t.Fatalf("profile: %v", got)
		}

		// Bad input is reported field by field and changes nothing.
		before := adminUser(t, admin, id)
		admin.put(path, obj{"email": "not an address", "firstname": strings.Repeat("x", 201), "roles": []string{" "}, "active": false}).
			expectError(http.StatusBadRequest, "email", "Invalid email address")
		res := admin.put(path, obj{"email": "x", "firstname": strings.Repeat("x", 201), "roles": []string{""}})
		for _, name := range []string{"email", "firstname", "roles"} {
			res.expectError(http.StatusBadRequest, name, "")
		}
		admin.put(path, obj{"roles": "editor", "active": "no", "lastname": 3}).expectError(http.StatusBadRequest, "roles", "Must be an array of strings")
		admin.put(path, obj{"active": "no"}).expectError(http.StatusBadRequest, "active", "Must be true or false")
		admin.put(path, obj{"email": "ADMIN@example.com"}).expectError(http.StatusBadRequest, "email", "Email already exists")
		admin.do("PUT", path, "{", "application/json").expectError(http.StatusBadRequest, "", "")
		admin.do("PUT", path, "{}", "text/plain").expect(http.StatusUnsupportedMediaType)
		if after := adminUser(t, admin, id); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("refused changes changed the user:\n%v\n%v", before, after)
		}
		if !ann.authenticated() {
			t.Fatal("a refused deactivation ended the session")
		}

		// The address changes at once; the user logs in with the new one.
		admin.put(path, obj{"email": "Anne@Example.com"}).expect(http.StatusOK)
		e.browser().login("anne@example.com", pw).expectSuccess()
		if ms := e.mails("ann@example.com"); len(ms) != 1 || !strings.Contains(ms[0].Text, "Anne@Example.com") {
			t.Fatalf("notices to the previous address: %+v", ms)
		}

		// Deactivation ends every session and stops logins; the user is not a
		// pending sign-up: not swept, not taken over by a new sign-up, no reset mail.
		other := e.browser()
		other.login("anne@example.com", pw).expectSuccess()
		u = admin.put(path, obj{"active": false}).expect(http.StatusOK).JSON()
		if u["active"] != false || u["pending"] != false {
			t.Fatalf("deactivated: %v", u)
		}
		if ann.authenticated() || other.authenticated() {
			t.Fatal("a deactivated user's session lives on")
		}
		e.browser().login("anne@example.com", pw).expectError(http.StatusBadRequest, "login", "Login failed")
		e.browser().post("/-/signup", obj{"email": "anne@example.com", "password": "another password"}).
			expectError(http.StatusBadRequest, "email", "Email already exists")
		e.browser().post("/-/reset/", obj{"email": "anne@example.com"}).expectSuccess()
		if n := len(e.mails("anne@example.com")); n != 0 {
			t.Fatalf("%d mails to a deactivated user", n)
		}
		e.clock.Advance(30 * 24 * time.Hour)
		if _, err := e.app.Accounts.DeleteExpiredSignups(context.Background()); err != nil {
			t.Fatal(err)
		}
		admin = e.browser() // the session expired with the time
		admin.login("admin@example.com", pw).expectSuccess()
		adminUser(t, admin, id)
		admin.post(path+"/resend", obj{}).expectError(http.StatusBadRequest, "id", "Not pending")

		// Reactivated, the user logs in again with the old password.
		admin.put(path, obj{"active": true}).expect(http.StatusOK)
		e.browser().login("anne@example.com", pw).expectSuccess()

		// An admin keeps their own admin role and stays active.
		mine := "/-/admin/users/" + me.ID.String()
		admin.put(mine, obj{"roles": []string{"editor"}}).expectError(http.StatusBadRequest, "roles", "You cannot remove your own admin role")
		admin.put(mine, obj{"roles": []string{}}).expectError(http.StatusBadRequest, "roles", "You cannot remove your own admin role")
		admin.put(mine, obj{"active": false}).expectError(http.StatusBadRequest, "active", "You cannot deactivate yourself")
		if u := adminUser(t, admin, me.ID.String()); fmt.Sprint(u["roles"]) != "[admin]" || u["active"] != true || !admin.authenticated() {
			t.Fatalf("admin changed: %v", u)
		}
		admin.put(mine, obj{"roles": []string{"admin", "editor"}, "lastname": "Root"}).expect(http.StatusOK)

		admin.put("/-/admin/users/"+strings.Repeat("a", 32), obj{"firstname": "X"}).expectError(http.StatusNotFound, "", "")
	})
}

func TestAdminActivatesPendingSignup(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		e.browser().post("/-/signup", obj{"email": "eve@example.com", "password": pw}).expectSuccess()
		e.browser().post("/-/signup", obj{"email": "zed@example.com", "password": pw}).expectSuccess()
		link := e.link("eve@example.com", "/-/signup")
		list := admin.get("/-/admin/users?q=eve").expect(http.StatusOK).list()
		id := fmt.Sprint(list[0]["id"])
		// A form saved as it is (the same address, in another case) keeps the pending user.
		u := admin.put("/-/admin/users/"+id, obj{"email": "EVE@example.com", "firstname": "Eve", "active": false}).expect(http.StatusOK).JSON()
		if u["pending"] != true || u["email"] != "EVE@example.com" {
			t.Fatalf("pending user saved: %v", u)
		}
		// The address of another pending sign-up is free to take; that sign-up goes.
		other := fmt.Sprint(admin.get("/-/admin/users?q=zed").expect(http.StatusOK).list()[0]["id"])
		admin.put("/-/admin/users/"+id, obj{"email": "zed@example.com"}).expect(http.StatusOK)
		admin.get("/-/admin/users/"+other).expectError(http.StatusNotFound, "", "")
		admin.put("/-/admin/users/"+id, obj{"email": "eve@example.com"}).expect(http.StatusOK)
		admin.put("/-/admin/users/"+id, obj{"active": true}).expect(http.StatusOK)
		e.browser().login("eve@example.com", pw).expectSuccess()
		// Deactivated again, the old confirmation link does not bring the user back.
		admin.put("/-/admin/users/"+id, obj{"active": false}).expect(http.StatusOK)
		e.browser().get(link).expectError(http.StatusForbidden, "", "")
		e.browser().login("eve@example.com", pw).expectError(http.StatusBadRequest, "login", "Login failed")
	})
}

func TestAdminDeleteUser(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		admin, me := e.as("admin@example.com", "admin")
		bob, bobUser := e.as("bob@example.com")
		bob.post("/-/documents", obj{"title": "Bob's", "rank": 1}).expect(http.StatusCreated)
		path := "/-/admin/users/" + bobUser.ID.String()

		admin.delete("/-/admin/users/"+me.ID.String()).expectError(http.StatusBadRequest, "id", "You cannot delete yourself")
		admin.delete("/-/admin/users/"+strings.Repeat("b", 32)).expectError(http.StatusNotFound, "", "")
		if e.users() != 2 || !admin.authenticated() {
			t.Fatal("a refused deletion deleted")
		}
		if got := admin.delete(path).expect(http.StatusOK).JSON(); len(got) != 0 {
			t.Fatalf("deleted: %v", got)
		}
		admin.get(path).expectError(http.StatusNotFound, "", "")
		admin.delete(path).expectError(http.StatusNotFound, "", "")
		if bob.authenticated() || e.users() != 1 || e.count("documents") != 0 {
			t.Fatal("the deleted user's session or items live on")
		}
	})
}

func TestAdminEndSessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		ann, annUser := e.as("ann@example.com")
		phone := e.browser()
		phone.login("ann@example.com", pw).expectSuccess()
		path := "/-/admin/users/" + annUser.ID.String() + "/logout"
		admin.do("POST", path, nil).expect(http.StatusUnsupportedMediaType)
		if !ann.authenticated() {
			t.Fatal("a call without a body ended the sessions")
		}
		admin.post(path, obj{}).expectSuccess()
		if ann.authenticated() || phone.authenticated() || !admin.authenticated() {
			t.Fatal("sessions not ended, or the admin's ended")
		}
		e.browser().login("ann@example.com", pw).expectSuccess()
		admin.post("/-/admin/users/"+strings.Repeat("c", 32)+"/logout", obj{}).expectError(http.StatusNotFound, "", "")
	})
}

func TestAdminResendConfirmation(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		admin, me := e.as("admin@example.com", "admin")
		e.browser().post("/-/signup", obj{"email": "eve@example.com", "password": pw}).expectSuccess()
		id := fmt.Sprint(admin.get("/-/admin/users?q=eve").expect(http.StatusOK).list()[0]["id"])
		admin.post("/-/admin/users/"+id+"/resend", obj{}).expectSuccess()
		if n := len(e.mails("eve@example.com")); n != 2 {
			t.Fatalf("%d mails, want 2", n)
		}
		e.browser().get(e.link("eve@example.com", "/-/signup")).expect(http.StatusFound)
		admin.post("/-/admin/users/"+id+"/resend", obj{}).expectError(http.StatusBadRequest, "id", "Not pending")
		admin.post("/-/admin/users/"+me.ID.String()+"/resend", obj{}).expectError(http.StatusBadRequest, "id", "Not pending")
		admin.post("/-/admin/users/"+strings.Repeat("d", 32)+"/resend", obj{}).expectError(http.StatusNotFound, "", "")
		if n := len(e.mails("eve@example.com")); n != 2 {
			t.Fatalf("%d mails after refused resends", n)
		}
	})
}

func TestAdminCreateUser(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		res := admin.post("/-/admin/users", obj{"email": "Zoe@Example.com", "password": pw, "firstname": "Zoe",
			"roles": []string{"editor"}}).expect(http.StatusCreated)
		u := res.JSON()
		if u["email"] != "Zoe@Example.com" || u["active"] != true || fmt.Sprint(u["roles"]) != "[editor]" || u["firstname"] != "Zoe" {
			t.Fatalf("created: %v", u)
		}
		if loc := res.header.Get("Location"); loc != u["__meta__"].(map[string]any)["url"] {
			t.Fatalf("Location %q", loc)
		}
		e.browser().login("zoe@example.com", pw).expectSuccess()
		if len(e.mails("zoe@example.com")) != 0 {
			t.Fatal("a mail without send_reset")
		}

		// Validation as at sign-up; nothing is created.
		n := e.users()
		admin.post("/-/admin/users", obj{"email": "ZOE@example.com"}).expectError(http.StatusBadRequest, "email", "Email already exists")
		admin.post("/-/admin/users", obj{"email": "zoe"}).expectError(http.StatusBadRequest, "email", "Invalid email address")
		admin.post("/-/admin/users", obj{}).expectError(http.StatusBadRequest, "email", "Invalid email address")
		admin.post("/-/admin/users", obj{"email": "new@example.com", "password": "short"}).expectError(http.StatusBadRequest, "password", "")
		admin.post("/-/admin/users", obj{"email": "new@example.com", "roles": []any{"a", 1}}).expectError(http.StatusBadRequest, "roles", "")
		admin.post("/-/admin/users", obj{"email": "new@example.com", "send_reset": true, "active": false}).
			expectError(http.StatusBadRequest, "send_reset", "")
		admin.post("/-/admin/users", obj{"email": "new@example.com", "send_reset": "yes"}).expectError(http.StatusBadRequest, "send_reset", "")
		if e.users() != n || len(e.mails("new@example.com")) != 0 {
			t.Fatal("refused creations created or mailed")
		}

		// Without a password, with a link to set one.
		u = admin.post("/-/admin/users", obj{"email": "yan@example.com", "send_reset": true}).expect(http.StatusCreated).JSON()
		e.browser().login("yan@example.com", "").expectError(http.StatusBadRequest, "login", "Login failed")
		link := e.link("yan@example.com", "/-/reset/")
		token := link[strings.LastIndex(link, "/")+1:]
		e.browser().put("/-/reset/"+token, obj{"password": "yan's password"}).expectSuccess()
		e.browser().login("yan@example.com", "yan's password").expectSuccess()

		// Inactive: a pending account, which can be sent its confirmation.
		u = admin.post("/-/admin/users", obj{"email": "xia@example.com", "password": pw, "active": false}).expect(http.StatusCreated).JSON()
		if u["active"] != false || u["pending"] != true {
			t.Fatalf("inactive: %v", u)
		}
		admin.post("/-/admin/users/"+fmt.Sprint(u["id"])+"/resend", obj{}).expectSuccess()
		e.browser().get(e.link("xia@example.com", "/-/signup")).expect(http.StatusFound)
		e.browser().login("xia@example.com", pw).expectSuccess()
	})
}

func TestAdminFilesAndStats(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		ann, annUser := e.as("ann@example.com")
		e.browser().post("/-/signup", obj{"email": "eve@example.com", "password": pw}).expectSuccess()
		loose := ann.upload([]byte("hello"), "text/plain", "a.txt")
		photo := ann.post("/-/photos", obj{"title": "Cat", "image": dataURL("image/png", "cat.png", []byte("not really a png"))}).
			expect(http.StatusCreated).JSON()
		held := fileOf(t, photo, "image")
		doc := ann.post("/-/documents", obj{"title": "Doc", "rank": 1}).expect(http.StatusCreated).JSON()
		gone := ann.post("/-/documents", obj{"title": "Gone", "rank": 1}).expect(http.StatusCreated).JSON()
		ann.delete(itemURL(t, gone)).expect(http.StatusOK)
		admin.upload([]byte("mine"), "text/plain", "b.txt")

		res := admin.get("/-/admin/files").expect(http.StatusOK)
		files := res.list()
		if res.total() != 3 || len(files) != 3 {
			t.Fatalf("files: %s", res.body)
		}
		byUUID := map[string]map[string]any{}
		for _, f := range files {
			byUUID[fmt.Sprint(f["uuid"])] = f
		}
		f := byUUID[loose.UUID]
		if f["filename"] != "a.txt" || f["size"] != float64(5) || f["mimetype"] != "text/plain" || f["owner"] != annUser.ID.String() ||
			f["item"] != nil || f["url"] != e.srv.URL+"/-/"+loose.UUID+"~" || f["created"] == nil {
			t.Fatalf("unattached file: %v", f)
		}
		item, _ := byUUID[held.UUID]["item"].(map[string]any)
		if item["type"] != "photo" || item["id"] != photo["id"] || item["field"] != "image" || item["url"] != itemURL(t, photo) {
			t.Fatalf("held file: %v", byUUID[held.UUID])
		}
		if got := admin.get("/-/admin/files?owner=" + annUser.ID.String()).expect(http.StatusOK); got.total() != 2 {
			t.Fatalf("ann's files: %s", got.body)
		}
		page := admin.get("/-/admin/files?limit=2").expect(http.StatusOK)
		if len(page.list()) != 2 || !strings.Contains(page.header.Get("Link"), "offset=2") {
			t.Fatalf("first page: %v %s", page.header, page.body)
		}
		admin.get("/-/admin/files?owner=nobody").expectError(http.StatusBadRequest, "owner", "")
		admin.get("/-/admin/files?limit=-1").expectError(http.StatusBadRequest, "limit", "")

		st := admin.get("/-/admin/stats").expect(http.StatusOK).JSON()
		users, items, fs := st["users"].(map[string]any), st["items"].(map[string]any), st["files"].(map[string]any)
		if fmt.Sprint(users) != "map[active:2 admins:1 pending:1 total:3]" {
			t.Fatalf("users: %v", users)
		}
		if items["photo"] != float64(1) || items["document"] != float64(1) || items["notice"] != float64(0) || items["foo"] != float64(0) {
			t.Fatalf("items: %v", items)
		}
		ann.delete(itemURL(t, doc)).expect(http.StatusOK)
		if items := admin.get("/-/admin/stats").expect(http.StatusOK).JSON()["items"].(map[string]any); items["document"] != float64(0) {
			t.Fatalf("items after a deletion: %v", items)
		}
		if fs["count"] != float64(3) || fs["bytes"] != float64(5+4+len("not really a png")) {
			t.Fatalf("files: %v", fs)
		}
	})
}

func TestAdminCrossSiteRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		ann := e.addUser("ann@example.com", pw, "Ann", "")
		path := "/-/admin/users/" + ann.ID.String()
		admin.header.Set("Origin", "https://evil.example")
		admin.header.Set("Sec-Fetch-Site", "cross-site")
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/-/admin/users", obj{"email": "new@example.com", "password": pw}},
			{"PUT", path, obj{"roles": []string{"admin"}}},
			{"POST", path + "/logout", obj{}},
			{"POST", path + "/resend", obj{}},
			{"DELETE", path, nil},
		} {
			admin.do(c.method, c.path, c.body).expectError(http.StatusForbidden, "", "Cross-origin request refused")
		}
		admin.header.Del("Origin")
		admin.header.Del("Sec-Fetch-Site")
		if u := adminUser(t, admin, ann.ID.String()); fmt.Sprint(u["roles"]) != "[]" || e.users() != 2 {
			t.Fatalf("a cross-site call changed something: %v", u)
		}
	})
}

// The listing's search is literal on both databases: LIKE's metacharacters in q
// match only themselves.
func TestListUsersLikeEscaping(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		for i, name := range []string{"a%b", "a_b", `a\b`, "axb"} {
			e.addUser(fmt.Sprintf("u%d@example.com", i), pw, name, "")
		}
		for q, want := range map[string]int64{"a%b": 1, "a_b": 1, `a\b`: 1, "AXB": 1, "A": 4, "%": 1, "_": 1, `\`: 1, "U1@": 1} {
			_, total, err := store.ListUsers(context.Background(), e.app.DB, store.UserQuery{Q: q, Limit: 10})
			if err != nil || total != want {
				t.Errorf("q %q: %d users, %v; want %d", q, total, err, want)
			}
		}
	})
}
