package http_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/backrest/backrest/store/storetest"
)

// accessSchema is the schema of the tests of who sees which categories and who
// may change what.
const accessSchema = `{
	"category_groups": {"colors": ["red"]},
	"types": [
		{"name": "journal", "categories": true, "access": {"view": "owner"}},
		{"name": "memo", "categories": true, "access": {"view": "role:staff", "edit": "role:staff", "delete": "role:staff"}},
		{"name": "post", "categories": true, "access": {"view": "anyone", "create": "anyone"}},
		{"name": "task", "access": {"view": "authenticated", "edit": "authenticated", "delete": "owner"}}
	]
}`

// forEachAccessDB runs f on a fresh server with accessSchema, on each backend.
func forEachAccessDB(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f(t, newEnv(t, b, withSchema(t, accessSchema)))
	})
}

// categoryTitles returns the titles of GET /-/categories as b sees them.
func categoryTitles(t *testing.T, b *browser) string {
	t.Helper()
	var cats []map[string]any
	if err := json.Unmarshal(b.get("/-/categories").expect(200).body, &cats); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, c := range cats {
		titles = append(titles, c["title"].(string))
	}
	return strings.Join(titles, " ")
}

// The categories of items a caller may not view stay hidden from them: only the
// declared ones and those of viewable items are listed.
func TestContentCategoriesOfPrivateItems(t *testing.T) {
	forEachAccessDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		staff, _ := e.as("staff@example.com", "staff")
		admin, _ := e.as("admin@example.com", "admin")
		anon := e.browser()
		alice.post("/-/journals", obj{"title": "private", "categories": []string{"alice-secret", "red"}}).expect(201)
		staff.post("/-/memos", obj{"title": "internal", "categories": []string{"staff-only"}}).expect(201)
		bob.post("/-/posts", obj{"title": "public", "categories": []string{"open"}}).expect(201)

		for _, c := range []struct {
			who  string
			b    *browser
			want string
		}{
			{"alice", alice, "alice-secret open red"},
			{"bob", bob, "open red"},
			{"staff", staff, "open staff-only red"},
			{"admin", admin, "alice-secret open staff-only red"},
			{"anonymous", anon, "open red"},
		} {
			if got := categoryTitles(t, c.b); got != c.want {
				t.Errorf("%s sees categories %q, want %q", c.who, got, c.want)
			}
		}
	})
}

// Each rule of a type is enforced: an anonymous caller never creates, even where
// anyone may; roles let their holders act on other users' items; an edit rule
// does not extend to deletion.
func TestContentRules(t *testing.T) {
	forEachAccessDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		staff, _ := e.as("staff@example.com", "staff")
		anon := e.browser()

		anon.post("/-/posts", obj{"title": "x"}).expectError(403, "", "Log in first")
		alice.post("/-/posts", obj{"title": "x"}).expect(201)

		memo := alice.post("/-/memos", obj{"title": "by alice"}).expect(201).JSON()
		mpath := "/-/memos/" + strconv.FormatInt(int64(memo["id"].(float64)), 10)
		alice.get(mpath).expectError(403, "", "")
		alice.put(mpath, obj{"title": "x"}).expectError(403, "", "")
		alice.delete(mpath).expectError(403, "", "")
		alice.get("/-/memos").expectError(403, "", "")
		staff.put(mpath, obj{"title": "by staff"}).expect(200)
		if l := staff.get("/-/memos").expect(200); l.total() != 1 {
			t.Fatalf("staff sees %s", l.body)
		}
		staff.delete(mpath).expect(200)

		task := alice.post("/-/tasks", obj{"title": "todo"}).expect(201).JSON()
		tpath := "/-/tasks/" + strconv.FormatInt(int64(task["id"].(float64)), 10)
		if _, actions := meta(t, bob.put(tpath, obj{"title": "done"}).expect(200).JSON()); actions != "view,edit" {
			t.Fatalf("bob's actions on alice's task: %s", actions)
		}
		bob.delete(tpath).expectError(403, "", "")
		anon.put(tpath, obj{"title": "x"}).expectError(403, "", "")
		alice.delete(tpath).expect(200)
	})
}

// Bounds are inclusive: values equal to min, max, max_length and the limits are
// accepted, values just beyond them refused; an integer outside its enum and a
// date outside the years 0001 to 9999 are refused.
func TestContentBounds(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		editor, _ := e.as("editor@example.com", "editor")
		valid := func(k string, v any) obj { return obj{"title": "ok", "rank": 1, k: v} }
		hundred := make([]string, 100)
		for i := range hundred {
			hundred[i] = "c" + strconv.Itoa(i)
		}
		for _, c := range []struct {
			key  string
			v    any
			want any
		}{
			{"size", 0, 0.0}, {"size", 100, 100.0}, {"score", -1.5, -1.5}, {"score", 1.5, 1.5},
			{"code", "ABCDEFGHIJ", "ABCDEFGHIJ"}, {"body", strings.Repeat("é", 1000), strings.Repeat("é", 1000)},
			{"title", strings.Repeat("t", 500), strings.Repeat("t", 500)},
			{"due", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"},
			{"due", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"},
			{"due", "0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00Z"},
		} {
			doc := alice.post("/-/documents", valid(c.key, c.v)).expect(201).JSON()
			if fmt.Sprint(doc[c.key]) != fmt.Sprint(c.want) {
				t.Errorf("%s = %v stored as %v", c.key, c.v, doc[c.key])
			}
		}
		doc := alice.post("/-/documents", valid("categories", hundred)).expect(201).JSON()
		if n := len(doc["categories"].([]any)); n != 100 {
			t.Fatalf("%d categories", n)
		}
		n := e.count("documents")
		for _, c := range []struct {
			key string
			v   any
		}{
			{"size", -1}, {"size", 101}, {"score", -1.5000001}, {"score", 1.5000001},
			{"code", "ABCDEFGHIJK"}, {"body", strings.Repeat("é", 1001)}, {"title", strings.Repeat("t", 501)},
			{"due", "0000-01-01T00:00:00+01:00"}, {"due", "0000-12-31T23:59:59Z"}, {"due", "9999-12-31T23:00:00-02:00"},
			{"categories", append(hundred, "one more")},
		} {
			alice.post("/-/documents", valid(c.key, c.v)).expectError(400, c.key, "")
		}
		alice.get("/-/documents?due=0000-01-01T00:00:00%2B01:00").expectError(400, "due", "")
		if got := e.count("documents"); got != n {
			t.Fatalf("refused bodies stored %d items", got-n)
		}
		path := "/-/documents/" + strconv.FormatInt(int64(doc["id"].(float64)), 10)
		alice.put(path, obj{"due": "0000-06-01T00:00:00Z"}).expectError(400, "due", "")

		// An integer enum.
		editor.post("/-/notices", obj{"title": "ok", "level": 3}).expect(201)
		for _, level := range []any{0, 4, -1, 2.5, "2"} {
			editor.post("/-/notices", obj{"title": "bad", "level": level}).expectError(400, "level", "")
		}
		editor.post("/-/notices", obj{"title": "bad", "level": 4}).expectError(400, "level", "Must be one of: 1, 2, 3")
		if l := editor.get("/-/notices").expect(200); l.total() != 1 {
			t.Fatalf("notices %s", l.body)
		}
		editor.get("/-/notices?level=1").expect(200)
	})
}

// The last page has no next link, also when the total is an exact multiple of
// the page size.
func TestContentLastPage(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		for i := range 4 {
			alice.post("/-/documents", obj{"title": "d" + strconv.Itoa(i), "rank": i}).expect(201)
		}
		first := alice.get("/-/documents?limit=2").expect(200)
		m := linkNext.FindStringSubmatch(first.header.Get("Link"))
		if m == nil || !strings.Contains(m[1], "cursor=") || len(first.list()) != 2 {
			t.Fatalf("first page: Link %q", first.header.Get("Link"))
		}
		last := alice.get(strings.TrimPrefix(m[1], e.srv.URL)).expect(200)
		if len(last.list()) != 2 || last.total() != 4 {
			t.Fatalf("last page: %s", last.body)
		}
		if l := last.header.Get("Link"); l != "" {
			t.Fatalf("last page links to %q", l)
		}
		for _, q := range []string{"limit=4", "limit=1&offset=3", "limit=2&offset=4"} {
			if l := alice.get("/-/documents?" + q).expect(200).header.Get("Link"); l != "" {
				t.Fatalf("%s links to %q", q, l)
			}
		}
		// An offset page links on by cursor, to the item after its last.
		m = linkNext.FindStringSubmatch(alice.get("/-/documents?limit=1&offset=2").expect(200).header.Get("Link"))
		if m == nil || strings.Contains(m[1], "offset=") {
			t.Fatalf("limit=1&offset=2 links to %v", m)
		}
		if next := alice.get(strings.TrimPrefix(m[1], e.srv.URL)).expect(200).list(); len(next) != 1 || next[0]["rank"] != 0.0 {
			t.Fatalf("the page after offset 2: %v", next)
		}
	})
}
