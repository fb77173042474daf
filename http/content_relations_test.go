package http_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// relationSchema is the schema of the relation tests: comments cascade with
// their post, articles refuse to lose their lead post and forget deleted tags
// and notes; notes may be viewed by their owners only.
const relationSchema = `{
	"types": [
		{"name": "post", "fields": [{"name": "status", "type": "string"}]},
		{"name": "note", "access": {"view": "owner"}, "fields": [{"name": "mood", "type": "string"}]},
		{"name": "tag"},
		{"name": "comment", "fields": [
			{"name": "post", "type": "relation", "target": "post", "required": true, "on_delete": "cascade"},
			{"name": "image", "type": "file"}
		]},
		{"name": "article", "fields": [
			{"name": "lead", "type": "relation", "target": "post"},
			{"name": "tags", "type": "relation", "target": "tag", "multiple": true, "max_items": 3, "on_delete": "set_null"},
			{"name": "note", "type": "relation", "target": "note", "on_delete": "set_null"},
			{"name": "memo", "type": "relation", "target": "memo", "on_delete": "set_null"}
		]},
		{"name": "memo", "access": {"view": "role:editor"}, "fields": [{"name": "level", "type": "integer"}]}
	]
}`

// forEachRelationDB runs f on a fresh server with the relation schema, on each
// backend.
func forEachRelationDB(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f(t, newEnvOpts(t, b, app.Options{}, withSchema(t, relationSchema)))
	})
}

// id returns the id of a representation.
func id(item map[string]any) int64 { return int64(item["id"].(float64)) }

// path returns the path of the item of the plural.
func itemPath(plural string, item map[string]any) string {
	return fmt.Sprintf("/-/%s/%d", plural, id(item))
}

func TestRelationWrite(t *testing.T) {
	forEachRelationDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		post := alice.post("/-/posts", obj{"title": "p"}).expect(201).JSON()
		tag1 := alice.post("/-/tags", obj{"title": "t1"}).expect(201).JSON()
		tag2 := alice.post("/-/tags", obj{"title": "t2"}).expect(201).JSON()
		note := alice.post("/-/notes", obj{"title": "alice's note"}).expect(201).JSON()

		c := bob.post("/-/comments", obj{"title": "c", "post": id(post)}).expect(201).JSON()
		if c["post"] != float64(id(post)) {
			t.Fatalf("comment %v", c)
		}
		bob.post("/-/comments", obj{"title": "c"}).expectError(400, "post", "Required")
		bob.post("/-/comments", obj{"title": "c", "post": nil}).expectError(400, "post", "Required")
		bob.post("/-/comments", obj{"title": "c", "post": "x"}).expectError(400, "post", "Must be the id of an item")
		// An item of another type, a missing one and a hidden one read alike.
		missing := fmt.Sprintf("No post with the id %d that you may view", 999999)
		bob.post("/-/comments", obj{"title": "c", "post": 999999}).expectError(400, "post", missing)
		bob.post("/-/comments", obj{"title": "c", "post": id(tag1)}).expectError(400, "post", fmt.Sprintf("No post with the id %d that you may view", id(tag1)))
		bob.post("/-/articles", obj{"title": "a", "note": id(note)}).expectError(400, "note", fmt.Sprintf("No note with the id %d that you may view", id(note)))
		// An admin may set on bob's article a note that bob cannot see; bob may
		// post his article back with it, not set it anew elsewhere.
		admin, _ := e.as("admin@example.com", "admin")
		held := bob.post("/-/articles", obj{"title": "held"}).expect(201).JSON()
		spare := bob.post("/-/articles", obj{"title": "other"}).expect(201).JSON()
		admin.put(itemPath("articles", held), obj{"note": id(note)}).expect(200)
		back := bob.get(itemPath("articles", held)).expect(200).JSON()
		if back["note"] != float64(id(note)) {
			t.Fatalf("held %v", back)
		}
		bob.put(itemPath("articles", held), back).expect(200)
		bob.put(itemPath("articles", spare), obj{"note": id(note)}).expectError(400, "note", "")
		if n := e.count("comments"); n != 1 {
			t.Fatalf("%d comments after refusals", n)
		}
		for _, a := range bob.get("/-/articles").expect(200).list() {
			if a["title"] != "held" && a["note"] != nil {
				t.Fatalf("a refused note was stored: %v", a)
			}
		}

		// A list keeps its order, refuses duplicates, and respects max_items.
		a := alice.post("/-/articles", obj{"title": "a", "lead": id(post), "tags": []int64{id(tag2), id(tag1)}, "note": id(note)}).expect(201).JSON()
		if !reflect.DeepEqual(a["tags"], []any{float64(id(tag2)), float64(id(tag1))}) || a["note"] != float64(id(note)) {
			t.Fatalf("article %v", a)
		}
		got := alice.get(itemPath("articles", a)).expect(200).JSON()
		if !reflect.DeepEqual(got["tags"], a["tags"]) || got["lead"] != a["lead"] {
			t.Fatalf("read back %v, wrote %v", got, a)
		}
		alice.put(itemPath("articles", a), obj{"tags": []int64{id(tag1), id(tag1)}}).expectError(400, "tags", fmt.Sprintf("Lists the item %d twice", id(tag1)))
		alice.put(itemPath("articles", a), obj{"tags": []int64{id(tag1), id(tag2), id(tag1) + 1000, 5}}).expectError(400, "tags", "Must list at most 3 items")
		alice.put(itemPath("articles", a), obj{"tags": []any{id(tag1), 999999}}).expectError(400, "tags", "No tag with the id 999999 that you may view")
		alice.put(itemPath("articles", a), obj{"tags": 3}).expectError(400, "tags", "Must be a list of item ids")
		if got := alice.get(itemPath("articles", a)).expect(200).JSON(); !reflect.DeepEqual(got["tags"], a["tags"]) {
			t.Fatalf("refused updates changed the list: %v", got)
		}
		// Representations posted back keep their relations; objects with an id
		// are accepted.
		alice.put(itemPath("articles", a), a).expect(200)
		upd := alice.put(itemPath("articles", a), obj{"tags": []any{obj{"id": id(tag1)}}, "lead": nil}).expect(200).JSON()
		if !reflect.DeepEqual(upd["tags"], []any{float64(id(tag1))}) || upd["lead"] != nil {
			t.Fatalf("updated %v", upd)
		}
		if upd := alice.put(itemPath("articles", a), obj{"tags": nil}).expect(200).JSON(); !reflect.DeepEqual(upd["tags"], []any{}) {
			t.Fatalf("cleared %v", upd)
		}

		// Filters: by a relation to one item, and "any of" on a list.
		other := alice.post("/-/posts", obj{"title": "other"}).expect(201).JSON()
		bob.post("/-/comments", obj{"title": "c2", "post": id(other)}).expect(201)
		bob.post("/-/comments", obj{"title": "c3", "post": id(post)}).expect(201)
		if l := bob.get(fmt.Sprintf("/-/comments?post=%d", id(post))).expect(200); l.total() != 2 {
			t.Fatalf("comments of the post: %s", l.body)
		}
		alice.post("/-/articles", obj{"title": "b", "tags": []int64{id(tag2)}}).expect(201)
		alice.post("/-/articles", obj{"title": "c", "tags": []int64{id(tag1), id(tag2)}}).expect(201)
		if l := bob.get(fmt.Sprintf("/-/articles?tags=%d", id(tag1))).expect(200); l.total() != 1 || l.list()[0]["title"] != "c" {
			t.Fatalf("articles tagged t1: %s", l.body)
		}
		if l := bob.get(fmt.Sprintf("/-/articles?tags=%d&tags=%d", id(tag1), id(tag2))).expect(200); l.total() != 2 {
			t.Fatalf("articles tagged t1 or t2: %s", l.body)
		}
		bob.get("/-/articles?tags=x").expectError(400, "tags", "Must be an item id")

		// Filters on a field of the related items, only among those the caller
		// may view.
		alice.put(itemPath("posts", post), obj{"status": "published"}).expect(200)
		if l := bob.get("/-/comments?post.status=published").expect(200); l.total() != 2 || !strings.Contains(string(l.body), `"c3"`) {
			t.Fatalf("comments of published posts: %s", l.body)
		}
		if l := bob.get("/-/comments?post.status=draft&post.status=published&post=" + fmt.Sprint(id(other))).expect(200); l.total() != 0 {
			t.Fatalf("comments of published posts that are the other one: %s", l.body)
		}
		alice.put(itemPath("posts", other), obj{"status": "draft"}).expect(200)
		if l := bob.get("/-/comments?post.status=draft").expect(200); l.total() != 1 || l.list()[0]["title"] != "c2" {
			t.Fatalf("comments of draft posts: %s", l.body)
		}
		alice.put(itemPath("notes", note), obj{"mood": "happy"}).expect(200)
		if l := alice.get("/-/articles?note.mood=happy").expect(200); l.total() != 2 {
			t.Fatalf("alice's articles with a happy note: %s", l.body)
		}
		if l := bob.get("/-/articles?note.mood=happy").expect(200); l.total() != 0 {
			t.Fatalf("bob learns of alice's note's mood: %s", l.body)
		}
		bob.get("/-/articles?memo.level=1").expectError(400, "memo.level", "You may not view the memos to filter on them")
		admin.get("/-/articles?memo.level=1").expect(200)
		bob.get("/-/articles?tags.title=x").expectError(400, "tags.title", "")
		bob.get("/-/articles?lead.nope=x").expectError(400, "lead.nope", "")
		bob.get("/-/comments?post.status=x&post.nope=1").expectError(400, "post.nope", "")
		bob.get("/-/articles?sort=tags").expectError(400, "sort", "")
		bob.get("/-/comments?sort=post").expect(200)
	})
}

func TestRelationDelete(t *testing.T) {
	forEachRelationDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		admin, _ := e.as("admin@example.com", "admin")
		files := func() int {
			var n int
			if err := e.app.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM files").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		post := alice.post("/-/posts", obj{"title": "p"}).expect(201).JSON()
		data := "data:text/plain;base64," + base64.StdEncoding.EncodeToString([]byte("hi"))
		c1 := bob.post("/-/comments", obj{"title": "c1", "post": id(post), "image": obj{"data": data, "filename": "a.txt"}}).expect(201).JSON()
		bob.post("/-/comments", obj{"title": "c2", "post": id(post)}).expect(201)
		fileURL := c1["image"].(map[string]any)["url"].(string)
		article := alice.post("/-/articles", obj{"title": "a", "lead": id(post)}).expect(201).JSON()

		// restrict: the lead post cannot go while the article holds it, and nothing
		// changes.
		alice.delete(itemPath("posts", post)).expectError(409, "id",
			fmt.Sprintf("The post %d is held by the field lead of the article %d; remove it from there first", id(post), id(article)))
		if e.count("posts") != 1 || e.count("comments") != 2 || files() != 1 {
			t.Fatalf("a refused deletion changed things: %d posts, %d comments, %d files", e.count("posts"), e.count("comments"), files())
		}
		bob.get(fileURL).expect(200)

		// cascade: once the article lets go, the post takes its comments and their
		// files with it, though they are bob's.
		alice.put(itemPath("articles", article), obj{"lead": nil}).expect(200)
		alice.delete(itemPath("posts", post)).expect(200)
		if e.count("posts") != 0 || e.count("comments") != 0 || files() != 0 {
			t.Fatalf("after the cascade: %d posts, %d comments, %d files", e.count("posts"), e.count("comments"), files())
		}
		bob.get(fileURL).expectError(404, "", "")

		// set_null: deleted tags leave the lists, a deleted note leaves its field.
		t1 := alice.post("/-/tags", obj{"title": "t1"}).expect(201).JSON()
		t2 := alice.post("/-/tags", obj{"title": "t2"}).expect(201).JSON()
		note := alice.post("/-/notes", obj{"title": "n"}).expect(201).JSON()
		a := alice.post("/-/articles", obj{"title": "b", "tags": []int64{id(t1), id(t2)}, "note": id(note)}).expect(201).JSON()
		admin.delete(itemPath("tags", t1)).expect(200)
		alice.delete(itemPath("notes", note)).expect(200)
		got := alice.get(itemPath("articles", a)).expect(200).JSON()
		if !reflect.DeepEqual(got["tags"], []any{float64(id(t2))}) || got["note"] != nil {
			t.Fatalf("after set_null: %v", got)
		}

		// Ids are never reused: a relation to a deleted item does not come back
		// with a new item.
		p2 := alice.post("/-/posts", obj{"title": "p2"}).expect(201).JSON()
		if id(p2) <= id(post) {
			t.Fatalf("id %d reused after %d", id(p2), id(post))
		}
		bob.post("/-/comments", obj{"title": "late", "post": id(post)}).expectError(400, "post", "")
		if l := bob.get(fmt.Sprintf("/-/comments?post=%d", id(p2))).expect(200); l.total() != 0 {
			t.Fatalf("comments revived: %s", l.body)
		}
	})
}

func TestRelationSchema(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		base := testConfig(t.TempDir())
		base.DB = storetest.DSN(t, b)
		start := func(schema string, destructive bool) error {
			cfg := base
			withSchema(t, schema)(&cfg)
			cfg.SchemaAllowDestructive = destructive
			a, err := app.New(ctx, cfg, app.Options{})
			if err != nil {
				return err
			}
			return a.Close()
		}
		if err := start(relationSchema, false); err != nil {
			t.Fatal(err)
		}
		retarget := strings.Replace(relationSchema, `"target": "tag", "multiple": true`, `"target": "post", "multiple": true`, 1)
		if err := start(retarget, false); err == nil || !strings.Contains(err.Error(), "field tags changes type") {
			t.Fatalf("retargeting: %v", err)
		}
		removed := strings.Replace(relationSchema, `{"name": "tags", "type": "relation", "target": "tag", "multiple": true, "max_items": 3, "on_delete": "set_null"},`, "", 1)
		if err := start(removed, false); err == nil || !strings.Contains(err.Error(), "field tags (list:relation:tag) removed") {
			t.Fatalf("removing: %v", err)
		}
		if err := start(retarget, true); err != nil {
			t.Fatalf("allowed retargeting: %v", err)
		}
		if err := start(removed, true); err != nil {
			t.Fatalf("allowed removal: %v", err)
		}
		removedOne := strings.Replace(removed, `{"name": "lead", "type": "relation", "target": "post"},`, "", 1)
		if err := start(removedOne, true); err != nil {
			t.Fatalf("allowed removal of a relation to one item: %v", err)
		}
	})
}

func TestRelationBadSchema(t *testing.T) {
	for _, c := range []struct{ schema, want string }{
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "relation", "target": "nope"}]}]}`, `target "nope": no such content type`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "relation"}]}]}`, `target "": want the name of a content type`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "relation", "target": "a", "on_delete": "explode"}]}]}`, `on_delete "explode"`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "integer", "target": "a"}]}]}`, `apply to relation fields only`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "relation", "target": "a", "max_items": 2}]}]}`, `multiple only`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "user", "multiple": true}]}]}`, `a user field holds one user`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "user", "target": "a"}]}]}`, `a user field holds one user`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "user", "required": true, "on_delete": "set_null"}]}]}`, `cannot clear a required field`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "relation", "target": "a", "required": true, "on_delete": "set_null"}]}]}`, `cannot clear a required field`},
		{`{"types": [{"name": "a", "fields": [{"name": "b", "type": "relation", "target": "a", "on_delete": "cascade"}]}]}`, `cycle: deleting an item of type a cascades through a.b back to type a`},
		{`{"types": [{"name": "a", "fields": [{"name": "x", "type": "relation", "target": "b", "on_delete": "cascade"}]},
			{"name": "b", "fields": [{"name": "y", "type": "relation", "target": "a", "multiple": true, "on_delete": "cascade"}]}]}`, `deleting an item of type a cascades through b.y, a.x back to type a`},
	} {
		storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
			cfg := testConfig(t.TempDir())
			cfg.DB = storetest.DSN(t, b)
			withSchema(t, c.schema)(&cfg)
			_, err := app.New(context.Background(), cfg, app.Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("schema %s: got %v, want %q", c.schema, err, c.want)
			}
		})
	}
}

// embedded returns the items a representation embeds for the key of its
// expansion.
func embedded(t *testing.T, item map[string]any, key string) any {
	t.Helper()
	exp, ok := item["__meta__"].(map[string]any)["expand"].(map[string]any)
	if !ok {
		t.Fatalf("no expand in %v", item)
	}
	v, ok := exp[key]
	if !ok {
		t.Fatalf("no %s in the expansion of %v", key, item)
	}
	return v
}

// titles returns the titles of embedded items.
func titles(t *testing.T, v any) string {
	t.Helper()
	var out []string
	for _, it := range v.([]any) {
		out = append(out, it.(map[string]any)["title"].(string))
	}
	return strings.Join(out, ",")
}

func TestRelationExpand(t *testing.T) {
	forEachRelationDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		post := alice.post("/-/posts", obj{"title": "p"}).expect(201).JSON()
		t1 := alice.post("/-/tags", obj{"title": "t1"}).expect(201).JSON()
		t2 := alice.post("/-/tags", obj{"title": "t2"}).expect(201).JSON()
		note := alice.post("/-/notes", obj{"title": "secret"}).expect(201).JSON()
		a := alice.post("/-/articles", obj{"title": "a", "lead": id(post), "tags": []int64{id(t2), id(t1)}, "note": id(note)}).expect(201).JSON()
		bob.post("/-/comments", obj{"title": "c1", "post": id(post)}).expect(201)
		bob.post("/-/comments", obj{"title": "c2", "post": id(post)}).expect(201)

		// The owner sees the note; bob sees the rest, and of the note only its id.
		got := alice.get(itemPath("articles", a) + "?expand=lead,tags&expand=note").expect(200).JSON()
		if embedded(t, got, "lead").(map[string]any)["title"] != "p" || titles(t, embedded(t, got, "tags")) != "t2,t1" ||
			embedded(t, got, "note").(map[string]any)["title"] != "secret" {
			t.Fatalf("alice's expansion %v", got)
		}
		r := bob.get(itemPath("articles", a) + "?expand=lead,tags,note").expect(200)
		if strings.Contains(string(r.body), "secret") {
			t.Fatalf("bob's expansion reveals the note: %s", r.body)
		}
		if v := embedded(t, r.JSON(), "note"); v != nil || r.JSON()["note"] != float64(id(note)) {
			t.Fatalf("bob's note %v", v)
		}
		// A back-relation, nested: the lead post's comments, newest first, and
		// their post again.
		r = bob.get(itemPath("articles", a) + "?expand=lead.comments(post).post").expect(200)
		lead := embedded(t, r.JSON(), "lead").(map[string]any)
		comments := embedded(t, lead, "comments(post)")
		if titles(t, comments) != "c2,c1" {
			t.Fatalf("comments %s", r.body)
		}
		if p := embedded(t, comments.([]any)[0].(map[string]any), "post").(map[string]any); p["title"] != "p" {
			t.Fatalf("nested post %v", p)
		}
		// Lists expand alike.
		l := bob.get("/-/posts?expand=comments(post)").expect(200).list()
		if len(l) != 1 || titles(t, embedded(t, l[0], "comments(post)")) != "c2,c1" {
			t.Fatalf("list %v", l)
		}
		bob.get(itemPath("articles", a)+"?expand=title").expectError(400, "expand", "")
		bob.get(itemPath("articles", a)+"?expand=lead.comments(post).post.comments(post)").expectError(400, "expand", "")
		bob.get("/-/posts?expand=articles(nope)").expectError(400, "expand", "")
		bob.get("/-/posts?expand=comments(post)&sort=nope").expectError(400, "sort", "")
		// Without expand, representations carry no expansion.
		if _, ok := bob.get(itemPath("articles", a)).expect(200).JSON()["__meta__"].(map[string]any)["expand"]; ok {
			t.Fatal("expand without ?expand")
		}
	})
}

// TestRelationExpandQueries counts the statements of listings: expanding two
// relations costs the same number of queries for a page of 5 items as for one
// of 50.
func TestRelationExpandQueries(t *testing.T) {
	forEachRelationDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		var tags []int64
		for i := range 4 {
			tags = append(tags, id(alice.post("/-/tags", obj{"title": fmt.Sprint("t", i)}).expect(201).JSON()))
		}
		for i := range 50 {
			p := alice.post("/-/posts", obj{"title": fmt.Sprint("p", i)}).expect(201).JSON()
			alice.post("/-/articles", obj{"title": fmt.Sprint("a", i), "lead": id(p), "tags": []int64{tags[i%4], tags[(i+1)%4]}}).expect(201)
		}
		queries := func(path string) int64 {
			t.Helper()
			before := e.app.DB.Queries()
			r := alice.get(path).expect(200)
			n := e.app.DB.Queries() - before
			if !strings.Contains(path, "expand") {
				return n
			}
			for _, item := range r.list() {
				if embedded(t, item, "lead") == nil || len(embedded(t, item, "tags").([]any)) != 2 {
					t.Fatalf("not expanded: %v", item)
				}
			}
			return n
		}
		plain := queries("/-/articles?limit=50")
		small := queries("/-/articles?limit=5&expand=lead,tags")
		large := queries("/-/articles?limit=50&expand=lead,tags")
		if small != large || large-plain != 2 {
			t.Fatalf("queries: %d for 50 items, %d for 5 expanded, %d for 50 expanded", plain, small, large)
		}
	})
}

// TestRelationOpenAPI checks requests and responses with relations and their
// expansions against the OpenAPI document.
func TestRelationOpenAPI(t *testing.T) {
	forEachRelationDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		d := loadAPIDoc(t, e.browser().get("/-/openapi.json").expect(200).body)
		check := func(method, path, body string, status int) map[string]any {
			t.Helper()
			req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := alice.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != status {
				t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, status, data)
			}
			if status < 400 {
				if err := d.checkRequest(req, []byte(body)); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.checkResponse(req, res, data); err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			_ = json.Unmarshal(data, &v)
			return v
		}
		post := check("POST", "/-/posts", `{"title": "p"}`, 201)
		tag := check("POST", "/-/tags", `{"title": "t"}`, 201)
		a := check("POST", "/-/articles", fmt.Sprintf(`{"title": "a", "lead": %d, "tags": [%d]}`, id(post), id(tag)), 201)
		check("POST", "/-/comments", fmt.Sprintf(`{"title": "c", "post": %d}`, id(post)), 201)
		check("GET", itemPath("articles", a)+"?expand=lead.comments(post),tags,note", "", 200)
		check("GET", fmt.Sprintf("/-/articles?expand=lead&tags=%d&lead=%d", id(tag), id(post)), "", 200)
		check("GET", "/-/posts?expand=comments(post),articles(lead)", "", 200)
		check("GET", "/-/comments?post.status=published&post.status=draft", "", 200)
		check("GET", itemPath("articles", a)+"?expand=nope", "", 400)
		check("DELETE", itemPath("posts", post), "", 409)
		// The document refuses an expansion of the wrong shape.
		bad := fmt.Sprintf(`{"id": %d, "type": "article", "owner": "%s", "title": "a", "description": "", "creation_date": "2024-01-01T00:00:00Z",
			"modification_date": "2024-01-01T00:00:00Z", "lead": 1, "tags": [], "note": null, "memo": null, "__meta__": {"url": "http://x/", "actions": [], "expand": {"lead": [1]}}}`,
			id(a), a["owner"])
		sch, err := d.schema("/components/schemas/TypeArticle")
		if err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{bad, strings.Replace(bad, `"expand": {"lead": [1]}`, `"expand": {"lead": null}`, 1)} {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); (err == nil) != (body != bad) {
				t.Fatalf("%s: %v", body, err)
			}
		}
	})
}

// TestRelationAccountDeleted deletes an account whose items others' items hold:
// the relations let go of them.
func TestRelationAccountDeleted(t *testing.T) {
	forEachRelationDB(t, func(t *testing.T, e *env) {
		alice, au := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		post := alice.post("/-/posts", obj{"title": "p"}).expect(201).JSON()
		tag := alice.post("/-/tags", obj{"title": "t"}).expect(201).JSON()
		a := bob.post("/-/articles", obj{"title": "a", "lead": id(post), "tags": []int64{id(tag)}}).expect(201).JSON()
		ctx := context.Background()
		if err := e.app.DB.InTx(ctx, func(tx *store.Tx) error { return store.DeleteUser(ctx, tx, au.ID) }); err != nil {
			t.Fatal(err)
		}
		got := bob.get(itemPath("articles", a)).expect(200).JSON()
		if got["lead"] != nil || !reflect.DeepEqual(got["tags"], []any{}) {
			t.Fatalf("after the account's deletion: %v", got)
		}
	})
}

// TestRelationCascadeBound deletes an item whose cascade would delete more items
// than the bound: refused with 409, and nothing changes; within the bound it goes.
func TestRelationCascadeBound(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		e := newEnvOpts(t, b, app.Options{MaxCascade: 3}, withSchema(t, relationSchema))
		alice, _ := e.as("alice@example.com")
		post := alice.post("/-/posts", obj{"title": "p"}).expect(201).JSON()
		for i := range 3 {
			alice.post("/-/comments", obj{"title": fmt.Sprint(i), "post": id(post)}).expect(201)
		}
		alice.delete(itemPath("posts", post)).expectError(409, "id",
			fmt.Sprintf("Deleting this would delete more than 3 items through on_delete cascade (3 items hold the post %d); delete some of them first", id(post)))
		if e.count("posts") != 1 || e.count("comments") != 3 {
			t.Fatalf("a refused deletion changed things: %d posts, %d comments", e.count("posts"), e.count("comments"))
		}
		small := alice.post("/-/posts", obj{"title": "small"}).expect(201).JSON()
		for i := range 2 {
			alice.post("/-/comments", obj{"title": fmt.Sprint(i), "post": id(small)}).expect(201)
		}
		alice.delete(itemPath("posts", small)).expect(200)
		if e.count("posts") != 1 || e.count("comments") != 3 {
			t.Fatalf("after a deletion within the bound: %d posts, %d comments", e.count("posts"), e.count("comments"))
		}
	})
}
