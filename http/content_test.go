package http_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/store/storetest"
)

// testSchema is the schema file of the content tests.
const testSchema = `{
	"category_groups": {"colors": ["red", "green", "blue"]},
	"types": [
		{"name": "document", "categories": true, "fields": [
			{"name": "body", "type": "text", "max_length": 1000},
			{"name": "code", "type": "string", "max_length": 10, "pattern": "^[A-Z]+$"},
			{"name": "status", "type": "string", "enum": ["draft", "published"]},
			{"name": "size", "type": "integer", "min": 0, "max": 100},
			{"name": "score", "type": "number", "min": -1.5, "max": 1.5},
			{"name": "public", "type": "boolean"},
			{"name": "due", "type": "datetime"},
			{"name": "extra", "type": "json"},
			{"name": "rank", "type": "integer", "required": true}
		]},
		{"name": "notice", "access": {"view": "anyone", "create": "role:editor"},
			"fields": [{"name": "level", "type": "integer", "enum": [1, 2, 3]}]},
		{"name": "diary", "plural": "diaries", "access": {"view": "owner"}},
		{"name": "photo", "fields": [{"name": "image", "type": "file"}, {"name": "caption", "type": "string"}]}
	]
}`

// fooType is a type registered from Go, with hooks.
func fooType() content.Type {
	return content.Type{Name: "foo", Fields: []content.Field{{Name: "size", Kind: content.Integer}, {Name: "label", Kind: content.String}},
		Hooks: content.Hooks{
			Create: func(ctx context.Context, c *content.Change) error {
				if c.Item.Fields["size"] == int64(13) {
					var v backrest.Validation
					v.Body("size", "Unlucky")
					return v.Err()
				}
				if c.Item.Fields["label"] == nil {
					c.Item.Fields["label"] = "size " + strconv.FormatInt(c.Item.Fields["size"].(int64), 10)
				}
				return nil
			},
			Update: func(ctx context.Context, c *content.Change) error {
				if c.Old.Fields["size"] != nil && c.Item.Fields["size"] != nil && c.Item.Fields["size"].(int64) < c.Old.Fields["size"].(int64) {
					return backrest.Invalid("size", "Must not shrink")
				}
				return nil
			},
			Delete: func(ctx context.Context, c *content.Change) error {
				if c.Item.Title == "keep" {
					return backrest.Errorf(backrest.EFORBIDDEN, "This one stays")
				}
				return nil
			},
		}}
}

// withSchema writes the schema to a file of the test and sets Config.Schema.
func withSchema(t *testing.T, schema string) func(*backrest.Config) {
	path := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(path, []byte(schema), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(cfg *backrest.Config) { cfg.Schema = path }
}

// forEachContentDB runs f on a fresh server with the test schema and foo, on each
// backend.
func forEachContentDB(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f(t, newEnvOpts(t, b, app.Options{Types: []content.Type{fooType()}}, withSchema(t, testSchema)))
	})
}

// as returns a browser logged in as a new user with the roles.
func (e *env) as(email string, roles ...string) (*browser, *backrest.User) {
	e.t.Helper()
	u := e.addUser(email, pw, "", "", roles...)
	b := e.browser()
	b.login(email, pw).expectSuccess()
	return b, u
}

// total returns the X-Total-Count of a listing.
func (r *response) total() int {
	r.t.Helper()
	n, err := strconv.Atoi(r.header.Get("X-Total-Count"))
	if err != nil {
		r.t.Fatalf("X-Total-Count %q: %s", r.header.Get("X-Total-Count"), r.body)
	}
	return n
}

// list decodes a listing.
func (r *response) list() []map[string]any {
	r.t.Helper()
	var out []map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		r.t.Fatalf("not a JSON array: %v: %s", err, r.body)
	}
	return out
}

// count returns the number of items of a collection an admin sees.
func (e *env) count(plural string) int {
	e.t.Helper()
	var n int
	if err := e.app.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM content WHERE type = ?", strings.TrimSuffix(plural, "s")).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// meta returns the URL and actions of a representation.
func meta(t *testing.T, item map[string]any) (string, string) {
	t.Helper()
	m, ok := item["__meta__"].(map[string]any)
	if !ok {
		t.Fatalf("no __meta__: %v", item)
	}
	var actions []string
	for _, a := range m["actions"].([]any) {
		actions = append(actions, a.(string))
	}
	return m["url"].(string), strings.Join(actions, ",")
}

func TestContentCRUD(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, u := e.as("alice@example.com")
		res := alice.post("/-/documents", obj{"title": "First", "description": "about", "rank": 1, "body": "long text",
			"code": "AB", "status": "draft", "size": 7, "score": 0.5, "public": true, "due": "2024-05-01T14:00:00+02:00",
			"extra": obj{"a": []any{1, "x"}}, "categories": []string{"red", "misc", "red"}}).expect(http.StatusCreated)
		doc := res.JSON()
		id := int64(doc["id"].(float64))
		url, actions := meta(t, doc)
		if url != e.srv.URL+"/-/documents/"+strconv.FormatInt(id, 10) || res.header.Get("Location") != url || actions != "view,edit,delete" {
			t.Fatalf("meta %s %s, Location %s", url, actions, res.header.Get("Location"))
		}
		want := map[string]any{"type": "document", "owner": u.ID.String(), "title": "First", "description": "about", "rank": 1.0,
			"body": "long text", "code": "AB", "status": "draft", "size": 7.0, "score": 0.5, "public": true, "due": "2024-05-01T12:00:00Z",
			"extra": map[string]any{"a": []any{1.0, "x"}}}
		for k, v := range want {
			if fmt.Sprint(doc[k]) != fmt.Sprint(v) {
				t.Errorf("%s = %v, want %v", k, doc[k], v)
			}
		}
		if fmt.Sprint(doc["categories"]) != "[misc red]" {
			t.Errorf("categories %v", doc["categories"])
		}
		created, err := time.Parse(time.RFC3339, doc["creation_date"].(string))
		if err != nil || created.Location() != time.UTC || doc["modification_date"] != doc["creation_date"] {
			t.Fatalf("dates %v %v", doc["creation_date"], doc["modification_date"])
		}
		path := "/-/documents/" + strconv.FormatInt(id, 10)
		got := alice.get(path).expect(200).JSON()
		if fmt.Sprint(got) != fmt.Sprint(doc) {
			t.Fatalf("GET gives %v, POST gave %v", got, doc)
		}

		// PUT applies only the keys sent and bumps the modification date.
		e.clock.Advance(time.Minute)
		upd := alice.put(path, obj{"size": 8, "status": nil, "categories": []string{"green"}}).expect(200).JSON()
		if upd["size"] != 8.0 || upd["status"] != nil || upd["title"] != "First" || upd["body"] != "long text" || fmt.Sprint(upd["categories"]) != "[green]" {
			t.Fatalf("updated %v", upd)
		}
		if upd["creation_date"] != doc["creation_date"] || upd["modification_date"] == doc["modification_date"] {
			t.Fatalf("dates after update: %v %v", upd["creation_date"], upd["modification_date"])
		}
		// The representation posted back, with __meta__ and read-only fields, is fine.
		upd["title"] = "Second"
		upd["id"], upd["owner"], upd["creation_date"] = 12345, "someone", "2000-01-01T00:00:00Z"
		back := alice.put(path, upd).expect(200).JSON()
		if back["title"] != "Second" || back["id"] != doc["id"] || back["owner"] != doc["owner"] || back["creation_date"] != doc["creation_date"] {
			t.Fatalf("posted back: %v", back)
		}
		if l := alice.get("/-/documents").expect(200); l.total() != 1 || l.list()[0]["title"] != "Second" {
			t.Fatalf("list %s", l.body)
		}

		for _, bad := range []string{"0", "-1", "abc", "1.5", "99999999", "99999999999999999999999", "%2B1"} {
			alice.get("/-/documents/"+bad).expectError(404, "", "")
			alice.put("/-/documents/"+bad, obj{"title": "x"}).expectError(404, "", "")
			alice.delete("/-/documents/"+bad).expectError(404, "", "")
		}
		// An item of another type is not in this collection.
		foo := alice.post("/-/foos", obj{"title": "a foo", "size": 3}).expect(201).JSON()
		alice.get("/-/documents/"+strconv.FormatInt(int64(foo["id"].(float64)), 10)).expectError(404, "", "")

		if string(alice.delete(path).expect(200).body) != "{}\n" {
			t.Fatal("DELETE does not answer {}")
		}
		alice.get(path).expectError(404, "", "")
		alice.delete(path).expectError(404, "", "")
		if e.count("documents") != 0 {
			t.Fatal("item still stored")
		}
		alice.do("PATCH", path, obj{}).expectError(405, "", "")
		alice.do("DELETE", "/-/documents", nil).expectError(405, "", "")
	})
}

func TestContentRegisteredFromGo(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		foo := alice.post("/-/foos", obj{"title": "a foo", "size": 3}).expect(201).JSON()
		if foo["type"] != "foo" || foo["size"] != 3.0 || foo["label"] != "size 3" {
			t.Fatalf("foo %v", foo)
		}
		path := "/-/foos/" + strconv.FormatInt(int64(foo["id"].(float64)), 10)
		alice.post("/-/foos", obj{"title": "unlucky", "size": 13}).expectError(400, "size", "Unlucky")
		alice.put(path, obj{"size": 2}).expectError(400, "size", "Must not shrink")
		if got := alice.get(path).expect(200).JSON(); got["size"] != 3.0 {
			t.Fatalf("refused update changed the item: %v", got)
		}
		alice.put(path, obj{"size": 5, "title": "keep"}).expect(200)
		alice.delete(path).expectError(403, "", "This one stays")
		alice.get(path).expect(200)
		if n := alice.get("/-/foos").expect(200).total(); n != 1 {
			t.Fatalf("%d foos", n)
		}
	})
}

func TestContentPermissions(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		admin, _ := e.as("admin@example.com", "admin")
		editor, _ := e.as("editor@example.com", "editor")
		anon := e.browser()

		doc := alice.post("/-/documents", obj{"title": "mine", "rank": 1}).expect(201).JSON()
		path := "/-/documents/" + strconv.FormatInt(int64(doc["id"].(float64)), 10)

		anon.get("/-/documents").expectError(403, "", "")
		anon.get(path).expectError(403, "", "")
		anon.post("/-/documents", obj{"title": "x", "rank": 1}).expectError(403, "", "")
		anon.put(path, obj{"title": "x"}).expectError(403, "", "")
		anon.delete(path).expectError(403, "", "")
		// Permissions come first: an anonymous caller learns nothing of ids or bodies.
		anon.get("/-/documents/999999").expectError(403, "", "")
		anon.post("/-/documents", obj{}).expectError(403, "", "")

		// Another user may view, not change.
		seen := bob.get(path).expect(200).JSON()
		if _, actions := meta(t, seen); actions != "view" {
			t.Fatalf("bob's actions %s", actions)
		}
		bob.put(path, obj{"title": "hacked"}).expectError(403, "", "")
		bob.put(path, obj{"title": ""}).expectError(403, "", "")
		bob.delete(path).expectError(403, "", "")
		if got := alice.get(path).expect(200).JSON(); got["title"] != "mine" || got["modification_date"] != doc["modification_date"] {
			t.Fatalf("refused changes changed the item: %v", got)
		}
		// An admin may do everything.
		if _, actions := meta(t, admin.get(path).expect(200).JSON()); actions != "view,edit,delete" {
			t.Fatalf("admin's actions %s", actions)
		}
		admin.put(path, obj{"title": "moderated"}).expect(200)
		admin.delete(path).expect(200)
		alice.get(path).expectError(404, "", "")

		// view: anyone, create: role:editor.
		alice.post("/-/notices", obj{"title": "x"}).expectError(403, "", "")
		notice := editor.post("/-/notices", obj{"title": "hear ye", "level": 2}).expect(201).JSON()
		if l := anon.get("/-/notices").expect(200); l.total() != 1 {
			t.Fatalf("anonymous listing: %s", l.body)
		}
		npath := "/-/notices/" + strconv.FormatInt(int64(notice["id"].(float64)), 10)
		if _, actions := meta(t, anon.get(npath).expect(200).JSON()); actions != "view" {
			t.Fatalf("anonymous actions %s", actions)
		}
		anon.put(npath, obj{"title": "x"}).expectError(403, "", "")
		admin.post("/-/notices", obj{"title": "admin too"}).expect(201)

		// view: owner: listings show the caller's own items only.
		alice.post("/-/diaries", obj{"title": "dear diary"}).expect(201)
		alice.post("/-/diaries", obj{"title": "again"}).expect(201)
		d := bob.post("/-/diaries", obj{"title": "bob's"}).expect(201).JSON()
		if l := alice.get("/-/diaries").expect(200); l.total() != 2 || len(l.list()) != 2 {
			t.Fatalf("alice sees %s", l.body)
		}
		if l := bob.get("/-/diaries?sort=title").expect(200); l.total() != 1 || l.list()[0]["title"] != "bob's" {
			t.Fatalf("bob sees %s", l.body)
		}
		if l := admin.get("/-/diaries").expect(200); l.total() != 3 {
			t.Fatalf("admin sees %s", l.body)
		}
		alice.get("/-/diaries/"+strconv.FormatInt(int64(d["id"].(float64)), 10)).expectError(403, "", "")
		anon.get("/-/diaries").expectError(403, "", "")
	})
}

func TestContentCanView(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		_, alice := e.as("alice@example.com")
		_, bob := e.as("bob@example.com")
		ctx := context.Background()
		svc := e.app.Content
		diaries := svc.TypeByPlural("diaries")
		item, err := svc.Create(ctx, alice, diaries, &content.Input{Title: new("secret")})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			caller *backrest.User
			id     int64
			want   bool
		}{{alice, item.ID, true}, {bob, item.ID, false}, {nil, item.ID, false}, {alice, item.ID + 1000, false}} {
			if ok, err := svc.CanView(ctx, c.caller, c.id); err != nil || ok != c.want {
				t.Fatalf("CanView(%v, %d) = %v, %v", c.caller != nil, c.id, ok, err)
			}
		}
	})
}

func TestContentValidation(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		valid := func() obj { return obj{"title": "ok", "rank": 1} }
		with := func(k string, v any) obj {
			o := valid()
			o[k] = v
			return o
		}
		cases := []struct {
			body        any
			field, desc string
		}{
			{obj{"rank": 1}, "title", "Required"},
			{with("title", ""), "title", "Required"},
			{with("title", "   "), "title", "Required"},
			{with("title", nil), "title", "Required"},
			{with("title", 5), "title", "Must be a string"},
			{with("title", strings.Repeat("x", 501)), "title", "Must be at most 500 characters"},
			{with("title", "nul\x00"), "title", "Must not contain NUL characters"},
			{with("description", []any{}), "description", "Must be a string"},
			{obj{"title": "x"}, "rank", "Required"},
			{with("rank", nil), "rank", "Required"},
			{with("rank", "1"), "rank", "Must be an integer"},
			{with("rank", 1.5), "rank", "Must be an integer"},
			{with("rank", 1e30), "rank", "Must be an integer"},
			{with("size", -1), "size", "Must be at least 0"},
			{with("size", 101), "size", "Must be at most 100"},
			{with("size", true), "size", "Must be an integer"},
			{with("score", 2), "score", "Must be at most 1.5"},
			{with("score", -2), "score", "Must be at least -1.5"},
			{with("score", "0.5"), "score", "Must be a number"},
			{with("body", strings.Repeat("é", 1001)), "body", "Must be at most 1000 characters"},
			{with("body", 1), "body", "Must be a string"},
			{with("code", "abc"), "code", "Does not match the pattern ^[A-Z]+$"},
			{with("code", "ABCDEFGHIJK"), "code", "Must be at most 10 characters"},
			{with("status", "gone"), "status", "Must be one of: draft, published"},
			{with("public", "yes"), "public", "Must be true or false"},
			{with("public", 1), "public", "Must be true or false"},
			{with("due", "tomorrow"), "due", ""},
			{with("due", 12), "due", ""},
			{with("categories", "red"), "categories", "Must be a list of category titles"},
			{with("categories", []any{""}), "categories", ""},
			{with("categories", []any{1}), "categories", ""},
		}
		for _, c := range cases {
			alice.post("/-/documents", c.body).expectError(400, c.field, c.desc)
		}
		// Every failing field is reported at once.
		res := alice.post("/-/documents", obj{"size": 200, "public": "no"})
		res.expectError(400, "title", "Required")
		res.expectError(400, "rank", "Required")
		res.expectError(400, "size", "")
		res.expectError(400, "public", "")
		// Bodies that are not JSON objects.
		for _, raw := range []string{"", "[]", `"x"`, "1", "null", "{", `{"title": "x",}`, "{}{}", `[{"title": "x", "rank": 1}]`} {
			alice.do("POST", "/-/documents", raw).expectError(400, "", "")
		}
		alice.do("POST", "/-/documents", `{"title": "x", "rank": 1}`, "text/plain").expectError(415, "", "")
		alice.post("/-/documents", with("body", strings.Repeat("x", 2<<20))).expectError(413, "", "")
		if n := e.count("documents"); n != 0 {
			t.Fatalf("%d items stored by bad requests", n)
		}

		// Unknown keys and __meta__ are ignored; nulls clear optional fields.
		doc := alice.post("/-/documents", obj{"title": "ok", "rank": 1.0e2, "bogus": 1, "__meta__": obj{"url": "http://evil"},
			"size": nil, "extra": nil, "id": 5, "owner": "x", "type": "notice"}).expect(201).JSON()
		if _, ok := doc["bogus"]; ok || doc["rank"] != 100.0 || doc["type"] != "document" || doc["size"] != nil {
			t.Fatalf("doc %v", doc)
		}
		if url, _ := meta(t, doc); strings.Contains(url, "evil") {
			t.Fatal("__meta__ taken from the body")
		}
		path := "/-/documents/" + strconv.FormatInt(int64(doc["id"].(float64)), 10)
		// Updates validate what they send, all at once, and change nothing on failure.
		res = alice.put(path, obj{"title": "", "rank": nil, "size": 1000, "code": "ok"})
		for _, f := range []string{"title", "rank", "size", "code"} {
			res.expectError(400, f, "")
		}
		for _, raw := range []string{"[]", "null", "{"} {
			alice.do("PUT", path, raw).expectError(400, "", "")
		}
		if got := alice.get(path).expect(200).JSON(); fmt.Sprint(got) != fmt.Sprint(doc) {
			t.Fatalf("failed updates changed the item: %v", got)
		}
	})
}

var linkNext = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

func TestContentPaging(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, bobUser := e.as("bob@example.com")
		for i := range 250 {
			b := alice
			if i%5 == 0 {
				b = bob
			}
			e.clock.Advance(time.Millisecond)
			body := obj{"title": fmt.Sprintf("doc %03d", (i*7)%250), "rank": i, "size": i % 10, "public": i%2 == 0}
			if i%3 == 0 {
				body["categories"] = []string{"red", "tag" + strconv.Itoa(i%2)}
			}
			b.post("/-/documents", body).expect(201)
		}
		// Walk the collection following Link only.
		var ranks []float64
		next := "/-/documents?limit=100"
		pages := 0
		for next != "" {
			res := alice.get(next).expect(200)
			if res.total() != 250 {
				t.Fatalf("X-Total-Count %d", res.total())
			}
			for _, item := range res.list() {
				ranks = append(ranks, item["rank"].(float64))
			}
			next = ""
			if l := res.header.Get("Link"); l != "" {
				m := linkNext.FindStringSubmatch(l)
				if m == nil || !strings.HasPrefix(m[1], e.srv.URL+"/-/documents?") {
					t.Fatalf("Link %q", l)
				}
				next = m[1]
			}
			pages++
		}
		if pages != 3 || len(ranks) != 250 {
			t.Fatalf("%d pages, %d items", pages, len(ranks))
		}
		for i, r := range ranks {
			if r != float64(249-i) {
				t.Fatalf("item %d has rank %v: not newest first", i, r)
			}
		}
		if res := alice.get("/-/documents"); len(res.list()) != 50 || !strings.Contains(res.header.Get("Link"), "cursor=") {
			t.Fatalf("default page: %d items, Link %q", len(res.list()), res.header.Get("Link"))
		}
		if res := alice.get("/-/documents?limit=1000"); len(res.list()) != 250 || res.header.Get("Link") != "" {
			t.Fatal("a page of all items has a next page")
		}

		ranksOf := func(path string, wantTotal int) []int {
			t.Helper()
			res := alice.get(path).expect(200)
			if res.total() != wantTotal {
				t.Fatalf("%s: total %d, want %d", path, res.total(), wantTotal)
			}
			var out []int
			for _, item := range res.list() {
				out = append(out, int(item["rank"].(float64)))
			}
			return out
		}
		if r := ranksOf("/-/documents?sort=creation_date&limit=3", 250); fmt.Sprint(r) != "[0 1 2]" {
			t.Fatalf("oldest first: %v", r)
		}
		if r := ranksOf("/-/documents?sort=rank&limit=2&offset=10", 250); fmt.Sprint(r) != "[10 11]" {
			t.Fatalf("by rank: %v", r)
		}
		if r := ranksOf("/-/documents?sort=-size&limit=3", 250); fmt.Sprint(r) != "[249 239 229]" {
			t.Fatalf("by size descending, newest first among equals: %v", r)
		}
		titles := alice.get("/-/documents?sort=title&limit=3").list()
		if titles[0]["title"] != "doc 000" || titles[2]["title"] != "doc 002" {
			t.Fatalf("by title: %v %v", titles[0]["title"], titles[2]["title"])
		}
		if r := ranksOf("/-/documents?sort=-id&limit=1", 250); fmt.Sprint(r) != "[249]" {
			t.Fatalf("by id: %v", r)
		}
		if r := ranksOf("/-/documents?size=3&limit=2", 25); fmt.Sprint(r) != "[243 233]" {
			t.Fatalf("size=3: %v", r)
		}
		ranksOf("/-/documents?size=3&size=4", 50)
		ranksOf("/-/documents?size=3&public=true", 0)
		ranksOf("/-/documents?size=4&public=true", 25)
		ranksOf("/-/documents?public=false&sort=size", 125)
		ranksOf("/-/documents?owner="+bobUser.ID.String(), 50)
		ranksOf("/-/documents?owner="+bobUser.ID.String()+"&size=0", 25)
		ranksOf("/-/documents?category=red", 84)
		ranksOf("/-/documents?category=tag1", 42)
		ranksOf("/-/documents?category=tag1&category=tag0", 84)
		ranksOf("/-/documents?category=red&size=3", 9)
		ranksOf("/-/documents?category=nothing", 0)
		ranksOf("/-/documents?status=draft", 0)
		ranksOf("/-/documents?offset=1000", 250)

		for _, q := range []struct{ query, param string }{
			{"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=x", "limit"}, {"limit=1&limit=2", "limit"},
			{"offset=-1", "offset"}, {"sort=bogus", "sort"}, {"sort=body", "sort"}, {"sort=-extra", "sort"},
			{"body=x", "body"}, {"extra=1", "extra"}, {"unknown=1", "unknown"}, {"size=abc", "size"}, {"size=1.5", "size"},
			{"public=maybe", "public"}, {"due=yesterday", "due"}, {"owner=zz", "owner"}, {"score=x", "score"},
		} {
			res := alice.get("/-/documents?" + q.query)
			res.expectError(400, q.param, "")
			if !strings.Contains(string(res.body), `"location":"querystring"`) {
				t.Fatalf("%s: %s", q.query, res.body)
			}
		}
		res := alice.get("/-/documents?limit=0&sort=bogus&size=x")
		for _, p := range []string{"limit", "sort", "size"} {
			res.expectError(400, p, "")
		}
		alice.get("/-/documents?%zz").expectError(400, "", "")
		alice.get("/-/foos?category=red").expectError(400, "category", "")
		alice.get("/-/documents?_=12345").expect(200)
	})
}

func TestContentCategories(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		e.browser().get("/-/categories").expectError(403, "", "")
		var cats []map[string]any
		list := func() string {
			t.Helper()
			if err := json.Unmarshal(alice.get("/-/categories").expect(200).body, &cats); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, c := range cats {
				g, _ := c["group"].(string)
				parts = append(parts, g+":"+c["title"].(string))
			}
			return strings.Join(parts, " ")
		}
		if got := list(); got != "colors:blue colors:green colors:red" {
			t.Fatalf("declared categories: %s", got)
		}
		doc := alice.post("/-/documents", obj{"title": "a", "rank": 1, "categories": []string{" zebra ", "red", "apple"}}).expect(201).JSON()
		if fmt.Sprint(doc["categories"]) != "[apple red zebra]" {
			t.Fatalf("categories %v", doc["categories"])
		}
		if got := list(); got != ":apple :zebra colors:blue colors:green colors:red" {
			t.Fatalf("categories: %s", got)
		}
		if cats[0]["group"] != nil {
			t.Fatal("ungrouped category's group is not null")
		}
		path := "/-/documents/" + strconv.FormatInt(int64(doc["id"].(float64)), 10)
		// A title is one category across the app.
		alice.post("/-/documents", obj{"title": "b", "rank": 1, "categories": []string{"zebra"}}).expect(201)
		alice.put(path, obj{"categories": nil}).expect(200)
		if got := list(); got != ":zebra colors:blue colors:green colors:red" {
			t.Fatalf("categories after clearing one item: %s", got)
		}
		if n := alice.get("/-/documents?category=zebra").expect(200).total(); n != 1 {
			t.Fatalf("%d items in zebra", n)
		}
		many := make([]string, 101)
		for i := range many {
			many[i] = strconv.Itoa(i)
		}
		alice.put(path, obj{"categories": many}).expectError(400, "categories", "Must have at most 100 categories")
	})
}

// schemaV1 and its changes for the schema change test.
const (
	schemaV1 = `{"types": [{"name": "note", "fields": [{"name": "size", "type": "integer"}]}]}`
	schemaV2 = `{"types": [{"name": "note", "fields": [{"name": "size", "type": "integer"}, {"name": "color", "type": "string"}]},
		{"name": "memo", "fields": [{"name": "body", "type": "text"}]}]}`
	schemaRemoved = `{"types": [{"name": "note", "fields": [{"name": "color", "type": "string"}]}]}`
	schemaRetyped = `{"types": [{"name": "note", "fields": [{"name": "size", "type": "string"}, {"name": "color", "type": "string"}]}]}`
)

func TestContentSchemaChange(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, b)
		start := func(schema string, configure ...func(*backrest.Config)) (*app.App, error) {
			c := cfg
			withSchema(t, schema)(&c)
			for _, f := range configure {
				f(&c)
			}
			return app.New(context.Background(), c, app.Options{})
		}
		restart := func(schema string) *env {
			c := cfg
			withSchema(t, schema)(&c)
			return startEnv(t, c, app.Options{})
		}
		e := restart(schemaV1)
		alice, _ := e.as("alice@example.com")
		note := alice.post("/-/notes", obj{"title": "kept", "size": 4}).expect(201).JSON()
		path := "/-/notes/" + strconv.FormatInt(int64(note["id"].(float64)), 10)
		e.srv.Close()
		e.app.Close()

		e = restart(schemaV2)
		alice = e.browser()
		alice.login("alice@example.com", pw).expectSuccess()
		got := alice.get(path).expect(200).JSON()
		if got["title"] != "kept" || got["size"] != 4.0 || got["color"] != nil {
			t.Fatalf("after adding a field: %v", got)
		}
		alice.put(path, obj{"color": "blue"}).expect(200)
		alice.post("/-/memos", obj{"title": "new type", "body": "text"}).expect(201)
		if n := alice.get("/-/notes?color=blue").expect(200).total(); n != 1 {
			t.Fatalf("filter on the new field: %d", n)
		}
		e.srv.Close()
		e.app.Close()

		for _, schema := range []string{schemaRemoved, schemaRetyped} {
			a, err := start(schema)
			if err == nil {
				a.Close()
				t.Fatalf("destructive change applied: %s", schema)
			}
			if !strings.Contains(err.Error(), "size") || !strings.Contains(err.Error(), "schema-allow-destructive") {
				t.Fatalf("unclear refusal: %v", err)
			}
		}
		// Refused changes left everything as it was.
		e = restart(schemaV2)
		alice = e.browser()
		alice.login("alice@example.com", pw).expectSuccess()
		if got := alice.get(path).expect(200).JSON(); got["size"] != 4.0 || got["color"] != "blue" {
			t.Fatalf("after refused changes: %v", got)
		}
		e.srv.Close()
		e.app.Close()

		a, err := start(schemaRetyped, func(c *backrest.Config) { c.SchemaAllowDestructive = true })
		if err != nil {
			t.Fatalf("allowed destructive change: %v", err)
		}
		a.Close()
		e = restart(schemaRetyped)
		alice = e.browser()
		alice.login("alice@example.com", pw).expectSuccess()
		got = alice.get(path).expect(200).JSON()
		if got["title"] != "kept" || got["size"] != nil || got["color"] != "blue" {
			t.Fatalf("after changing a field's type: %v", got)
		}
		alice.put(path, obj{"size": "large"}).expect(200)
	})
}

func TestContentBadSchema(t *testing.T) {
	for _, schema := range []string{
		`{"types": [{"name": "Bad"}]}`,
		`{"types": [{"name": "login", "plural": "login"}]}`,
		`{"types": [{"name": "a"}, {"name": "a"}]}`,
		`{"types": [{"name": "a", "fields": [{"name": "title", "type": "string"}]}]}`,
		`{"types": [{"name": "a", "fields": [{"name": "x", "type": "blob"}]}]}`,
		`{"types": [{"name": "a", "fields": [{"name": "x", "type": "string", "pattern": "("}]}]}`,
		`{"types": [{"name": "a", "fields": [{"name": "x", "type": "boolean", "min": 1}]}]}`,
		`{"types": [{"name": "a", "access": {"view": "everyone"}}]}`,
		`{"types": [{"name": "a", "access": {"create": "owner"}}]}`,
		`{"types": [{"name": "a", "colour": "red"}]}`,
	} {
		cfg := testConfig(t.TempDir())
		withSchema(t, schema)(&cfg)
		a, err := app.New(context.Background(), cfg, app.Options{})
		if err == nil {
			a.Close()
			t.Errorf("schema accepted: %s", schema)
		}
	}
}

func TestContentFileFields(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		anon := e.browser()
		dataURL := func(s string) obj {
			return obj{"data": "data:text/plain;base64," + base64.StdEncoding.EncodeToString([]byte(s)), "filename": "note.txt"}
		}
		fileOf := func(item map[string]any) map[string]any {
			t.Helper()
			f, ok := item["image"].(map[string]any)
			if !ok {
				t.Fatalf("no file in %v", item)
			}
			return f
		}
		files := func() int {
			var n int
			if err := e.app.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM files").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		photo := alice.post("/-/photos", obj{"title": "p", "image": dataURL("first")}).expect(201).JSON()
		first := fileOf(photo)
		if first["filename"] != "note.txt" || first["size"] != 5.0 || !strings.HasPrefix(first["mimetype"].(string), "text/plain") {
			t.Fatalf("file %v", first)
		}
		url1 := first["url"].(string)
		if got := string(alice.get(url1).expect(200).body); got != "first" {
			t.Fatalf("download %q", got)
		}
		bob.get(url1).expect(200)
		anon.get(url1).expectError(403, "", "")
		path := "/-/photos/" + strconv.FormatInt(int64(photo["id"].(float64)), 10)

		// Posting the representation back keeps the file; bob may not change it.
		same := alice.put(path, photo).expect(200).JSON()
		if fileOf(same)["url"] != url1 {
			t.Fatalf("posting back replaced the file: %v", same)
		}
		bob.put(path, obj{"image": dataURL("bob's")}).expectError(403, "", "")
		// A bad value changes nothing.
		alice.put(path, obj{"image": obj{"data": "not a data URL"}, "caption": "x"}).expectError(400, "image", "")
		alice.put(path, obj{"image": true}).expectError(400, "image", "")
		if got := alice.get(path).expect(200).JSON(); got["caption"] != nil || fileOf(got)["url"] != url1 || files() != 1 {
			t.Fatalf("refused update changed the item: %v", got)
		}

		// Replacing the file deletes the old one.
		second := fileOf(alice.put(path, obj{"image": dataURL("second")}).expect(200).JSON())
		alice.get(url1).expectError(404, "", "")
		if got := string(alice.get(second["url"].(string)).expect(200).body); got != "second" {
			t.Fatalf("download %q", got)
		}
		// A file uploaded before is attached by its id.
		up := alice.do("POST", "/-/files?filename=up.txt", "uploaded", "text/plain").expect(201).JSON()
		third := fileOf(alice.put(path, obj{"image": up["id"]}).expect(200).JSON())
		if third["id"] != up["id"] || third["filename"] != "up.txt" {
			t.Fatalf("attached %v, uploaded %v", third, up)
		}
		alice.get(second["url"].(string)).expectError(404, "", "")
		bob.get(third["url"].(string)).expect(200)
		// Another user's upload cannot be attached.
		theirs := bob.do("POST", "/-/files?filename=b.txt", "bob", "text/plain").expect(201).JSON()
		alice.put(path, obj{"image": theirs["id"]}).expectError(400, "image", "")

		// Clearing and deleting release the file.
		if got := alice.put(path, obj{"image": nil}).expect(200).JSON(); got["image"] != nil {
			t.Fatalf("cleared: %v", got)
		}
		alice.get(third["url"].(string)).expectError(404, "", "")
		p2 := alice.post("/-/photos", obj{"title": "q", "image": dataURL("gone soon")}).expect(201).JSON()
		url := fileOf(p2)["url"].(string)
		alice.delete("/-/photos/" + strconv.FormatInt(int64(p2["id"].(float64)), 10)).expect(200)
		alice.get(url).expectError(404, "", "")
		if n := files(); n != 1 {
			t.Fatalf("%d files left, want bob's upload only", n)
		}
	})
}

// TestExampleSchema serves the example schema file of the documentation.
func TestExampleSchema(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		editor, _ := e.as("editor@example.com", "editor")
		doc := alice.post("/-/documents", obj{"title": "Hello", "slug": "hello", "status": "published", "priority": 3,
			"categories": []string{"news", "beginners"}, "attachment": obj{"data": "data:text/plain;base64,aGk=", "filename": "hi.txt"}}).expect(201).JSON()
		if doc["slug"] != "hello" || doc["attachment"].(map[string]any)["filename"] != "hi.txt" {
			t.Fatalf("document %v", doc)
		}
		alice.post("/-/documents", obj{"title": "x", "slug": "Not A Slug"}).expectError(400, "slug", "")
		c := alice.post("/-/comments", obj{"title": "re", "document": doc["id"], "body": "Nice"}).expect(201).JSON()
		alice.post("/-/comments", obj{"title": "re re", "document": doc["id"], "reply_to": c["id"], "body": "Thanks"}).expect(201)
		got := alice.get("/-/documents/" + strconv.FormatInt(int64(doc["id"].(float64)), 10) + "?expand=comments(document).reply_to").expect(200).JSON()
		if comments := got["__meta__"].(map[string]any)["expand"].(map[string]any)["comments(document)"].([]any); len(comments) != 2 {
			t.Fatalf("expanded %v", got)
		}
		alice.delete("/-/documents/" + strconv.FormatInt(int64(doc["id"].(float64)), 10)).expect(200)
		if n := alice.get("/-/comments").expect(200).total(); n != 0 {
			t.Fatalf("%d comments outlive their document", n)
		}
		editor.post("/-/announcements", obj{"title": "Welcome", "level": 1}).expect(201)
		if n := e.browser().get("/-/announcements").expect(200).total(); n != 1 {
			t.Fatalf("%d announcements", n)
		}
		alice.post("/-/diaries", obj{"title": "dear diary", "mood": "good"}).expect(201)
		alice.get("/-/categories").expect(200)
	}, func(cfg *backrest.Config) { cfg.Schema = "../examples/schema.json" })
}
