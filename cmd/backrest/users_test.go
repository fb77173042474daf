package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/backrest/backrest/store/storetest"
)

// The user commands list, change and delete users while a server runs on the same
// data, and the server sees the changes at once.
func TestUserCommands(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		addr := freeAddr(t)
		vars := map[string]string{
			"BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b), "BACKREST_ADDR": addr,
			"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1",
		}
		base := serveInBackground(t, addr, vars)
		cmd := func(args ...string) (string, error) {
			var out bytes.Buffer
			err := run(context.Background(), args, env(vars), &out, &out)
			return out.String(), err
		}
		must := func(args ...string) string {
			t.Helper()
			out, err := cmd(args...)
			if err != nil {
				t.Fatalf("%v: %v: %s", args, err, out)
			}
			return out
		}
		must("user", "add", "--password", "s3cret pass", "--role", "admin", "root@example.com")
		must("user", "add", "--password", "ann's pass", "--firstname", "Ann", "--lastname", "Smith", "ann@example.com")
		must("user", "add", "--inactive", "later@example.com")

		table := must("user", "list")
		lines := strings.Split(strings.TrimSpace(table), "\n")
		if len(lines) != 5 || strings.Join(strings.Fields(lines[0]), " ") != "ID EMAIL NAME ROLES STATE CREATED" ||
			lines[4] != "3 of 3 users" {
			t.Fatalf("table:\n%s", table)
		}
		for i, want := range []string{"later@example.com - - pending", "ann@example.com Ann Smith - active", "root@example.com - admin active"} {
			if f := strings.Fields(lines[i+1]); !strings.Contains(strings.Join(f[1:], " "), want) {
				t.Fatalf("row %d %q, want %q:\n%s", i+1, lines[i+1], want, table)
			}
		}
		if out := must("user", "list", "--role", "admin", "--json"); strings.Count(out, "\n") != 1 {
			t.Fatalf("admins as JSON: %s", out)
		} else {
			var u map[string]any
			if err := json.Unmarshal([]byte(out), &u); err != nil || u["email"] != "root@example.com" || u["active"] != true {
				t.Fatalf("admin as JSON: %v, %v", u, err)
			}
		}
		if out := must("user", "list", "--q", "SMITH", "--active"); !strings.Contains(out, "ann@example.com") || !strings.Contains(out, "1 of 1 users") {
			t.Fatalf("search: %s", out)
		}

		// Ann logs in; user set makes her an editor and then deactivates her, which
		// ends her session.
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		login := func() int {
			res, err := client.Do(jsonRequest(t, "PUT", base+"/-/login", `{"login": "ann@example.com", "password": "ann's pass"}`))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if login() != http.StatusOK {
			t.Fatal("ann cannot log in")
		}
		if out := must("user", "set", "--role", "editor", "--role", "writer", "--firstname", "Anne", "ANN@example.com"); !strings.Contains(out, "active, editor,writer") {
			t.Fatalf("set roles: %s", out)
		}
		profile := func() map[string]any {
			res, err := client.Get(base + "/-/login")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var m map[string]any
			if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		if p := profile(); p["firstname"] != "Anne" || len(p["roles"].([]any)) != 2 {
			t.Fatalf("the server does not see the change: %v", p)
		}
		must("user", "set", "--active=false", "ann@example.com")
		if p := profile(); p["authenticated"] != false {
			t.Fatalf("a deactivated user's session lives on: %v", p)
		}
		if login() != http.StatusBadRequest {
			t.Fatal("a deactivated user logs in")
		}
		if out := must("user", "list", "--active=false"); !strings.Contains(out, "inactive") || !strings.Contains(out, "pending") {
			t.Fatalf("inactive users: %s", out)
		}
		must("user", "set", "--active", "--no-roles", "ann@example.com")
		if login() != http.StatusOK {
			t.Fatal("a reactivated user cannot log in")
		}
		if p := profile(); len(p["roles"].([]any)) != 0 {
			t.Fatalf("roles left: %v", p)
		}

		// Mistakes are reported and change nothing.
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"user", "set", "--email", "nope", "ann@example.com"}, "email: Invalid email address"},
			{[]string{"user", "set", "--email", "root@example.com", "ann@example.com"}, "email: Email already exists"},
			{[]string{"user", "set", "--active=maybe", "ann@example.com"}, "want true or false"},
			{[]string{"user", "set", "--role", "x", "--no-roles", "ann@example.com"}, "not both"},
			{[]string{"user", "set", "--role", "x", "nobody@example.com"}, "no such user"},
			{[]string{"user", "set", "ann@example.com", "--role", "x"}, "flags go first"},
			{[]string{"user", "delete", "nobody@example.com"}, "no such user"},
			{[]string{"user", "list", "--limit", "5000"}, "--limit"},
			{[]string{"user", "frob"}, "unknown user command"},
		} {
			if out, err := cmd(c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: %v (%s), want an error with %q", c.args, err, out, c.want)
			}
		}
		if out := must("user", "list", "--q", "ann"); !strings.Contains(out, "ann@example.com  Anne Smith") {
			t.Fatalf("a refused change changed something: %s", out)
		}

		// user delete removes the user; the operator may also repair the last admin.
		if out := must("user", "delete", "ann@example.com"); !strings.Contains(out, "deleted user") {
			t.Fatalf("delete: %s", out)
		}
		if login() != http.StatusBadRequest {
			t.Fatal("a deleted user logs in")
		}
		must("user", "set", "--role", "admin", "--role", "editor", "root@example.com")
		if out := must("user", "list"); !strings.Contains(out, "2 of 2 users") || !strings.Contains(out, "admin,editor") {
			t.Fatalf("after delete: %s", out)
		}
	})
}
