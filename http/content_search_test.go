package http_test

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// searchDocs are the documents of the search cases, by name.
var searchDocs = []struct {
	name string
	body obj
}{
	{"lait", obj{"title": "Café au lait", "body": "Hot drink"}},
	{"noir", obj{"title": "CAFE NOIR", "code": "ABC"}},
	{"strasse", obj{"title": "Straße der Pariser", "description": "Berlin"}},
	{"juice", obj{"title": "100% pure_juice", "body": "orange"}},
	{"resume", obj{"title": "Résumé writing", "status": "draft"}},
	{"quote", obj{"title": `quote "here" \ back`}},
	{"uber", obj{"title": "Übermensch", "body": "ÆSIR Ωmega"}},
	{"plain", obj{"title": "Plain", "status": "published", "size": 3}},
}

// searchCases are the documented semantics of ?q=, the same on both databases:
// every word must appear in the title, description or a string or text field,
// as a substring, after folding case and removing accents.
var searchCases = []struct {
	q    string
	want []string // newest first
}{
	{"cafe", []string{"noir", "lait"}},
	{"CAFÉ noir", []string{"noir"}},
	{"noir café", []string{"noir"}},
	{"strasse", []string{"strasse"}},
	{"STRASSE berlin", []string{"strasse"}},
	{"berlin", []string{"strasse"}},
	{"ORANGE 100%", []string{"juice"}},
	{"e_j", []string{"juice"}},
	{"e%j", nil},
	{"0%", []string{"juice"}},
	{"resume draft", []string{"resume"}},
	{"rÉsUmÉ", []string{"resume"}},
	{`"here"`, []string{"quote"}},
	{`\`, []string{"quote"}},
	{"ab", []string{"noir"}},
	{"uber æsir", []string{"uber"}},
	{"aesir", nil},
	{"ωMEGA", []string{"uber"}},
	{"hot cafe", []string{"lait"}},
	{"hot noir", nil},
	{"lait au", []string{"lait"}},
	{"laithot", nil},
	{"drink\tHOT", []string{"lait"}},
	{"a", []string{"plain", "uber", "quote", "resume", "juice", "strasse", "noir", "lait"}},
	{"published", []string{"plain"}},
	{"nothing", nil},
}

func TestContentSearch(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		ids := map[string]string{}
		for _, d := range searchDocs {
			e.clock.Advance(time.Second)
			body := obj{"rank": 1}
			for k, v := range d.body {
				body[k] = v
			}
			ids[d.name] = strconv.Itoa(int(alice.post("/-/documents", body).expect(201).JSON()["id"].(float64)))
		}
		names := func(items []map[string]any) []string {
			var out []string
			for _, item := range items {
				id := strconv.Itoa(int(item["id"].(float64)))
				for name, v := range ids {
					if v == id {
						out = append(out, name)
					}
				}
			}
			return out
		}
		for _, c := range searchCases {
			res := alice.get("/-/documents?q=" + url.QueryEscape(c.q)).expect(200)
			if got := names(res.list()); !slices.Equal(got, c.want) || res.total() != len(c.want) {
				t.Fatalf("q=%q: %v (total %d), want %v", c.q, got, res.total(), c.want)
			}
		}
		// Search goes with filters, sorting and cursors.
		if got := names(alice.get("/-/documents?q=cafe&code=ABC").expect(200).list()); !slices.Equal(got, []string{"noir"}) {
			t.Fatalf("search and filter: %v", got)
		}
		if got := names(alice.get("/-/documents?q=a&sort=title&size=3").expect(200).list()); !slices.Equal(got, []string{"plain"}) {
			t.Fatalf("search, filter and sort: %v", got)
		}
		var walked []string
		for path := "/-/documents?q=a&sort=title&limit=2"; path != ""; {
			res := alice.get(path).expect(200)
			if res.total() != 8 {
				t.Fatalf("total %d", res.total())
			}
			walked = append(walked, names(res.list())...)
			path = ""
			if m := linkNext.FindStringSubmatch(res.header.Get("Link")); m != nil {
				path = m[1][len(e.srv.URL):]
			}
		}
		if want := []string{"juice", "noir", "lait", "plain", "resume", "strasse", "quote", "uber"}; !slices.Equal(walked, want) {
			t.Fatalf("by title, by cursor: %v, want %v", walked, want)
		}

		// The search text follows each change of the item, in its transaction.
		alice.put("/-/documents/"+ids["lait"], obj{"title": "Tea", "body": "green"}).expect(200)
		if got := names(alice.get("/-/documents?q=cafe").expect(200).list()); !slices.Equal(got, []string{"noir"}) {
			t.Fatalf("after an update: %v", got)
		}
		if got := names(alice.get("/-/documents?q=green+tea").expect(200).list()); !slices.Equal(got, []string{"lait"}) {
			t.Fatalf("the updated text: %v", got)
		}
		// A refused update leaves the search text as it was.
		alice.put("/-/documents/"+ids["noir"], obj{"title": "Changed", "size": 1000}).expectError(400, "size", "")
		if got := names(alice.get("/-/documents?q=noir").expect(200).list()); !slices.Equal(got, []string{"noir"}) {
			t.Fatalf("after a refused update: %v", got)
		}
		alice.delete("/-/documents/" + ids["noir"]).expect(200)
		if res := alice.get("/-/documents?q=cafe").expect(200); res.total() != 0 {
			t.Fatalf("after a deletion: %s", res.body)
		}
		// A deleted user's items leave the search with them.
		bob, bobUser := e.as("bob@example.com")
		bob.post("/-/documents", obj{"title": "bob's zebra", "rank": 1}).expect(201)
		if n := alice.get("/-/documents?q=zebra").expect(200).total(); n != 1 {
			t.Fatalf("zebra: %d", n)
		}
		ctx := t.Context()
		if err := e.app.DB.InTx(ctx, func(tx *store.Tx) error { return store.DeleteUser(ctx, tx, bobUser.ID) }); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := e.app.DB.QueryRow(t.Context(), "SELECT COUNT(*) FROM content_search").Scan(&left); err != nil || left != len(searchDocs)-1 {
			t.Fatalf("%d search texts left (%v)", left, err)
		}
	})
}

// The search texts follow the changes of the schema: a string field added,
// removed or retyped, and the items made before search texts were kept.
func TestContentSearchSchemaChange(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, b)
		restart := func(schema string, destructive bool) *env {
			c := cfg
			withSchema(t, schema)(&c)
			c.SchemaAllowDestructive = destructive
			return startEnv(t, c, app.Options{})
		}
		found := func(e *env, q string) int {
			b := e.browser()
			b.login("alice@example.com", pw).expectSuccess()
			return b.get("/-/notes?q=" + url.QueryEscape(q)).expect(200).total()
		}
		e := restart(schemaV1, false)
		alice, _ := e.as("alice@example.com")
		note := alice.post("/-/notes", obj{"title": "kept", "size": 4}).expect(201).JSON()
		path := "/-/notes/" + strconv.Itoa(int(note["id"].(float64)))
		// As if made before search texts were kept.
		if _, err := e.app.DB.Exec(t.Context(), "DELETE FROM content_search"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.DB.Exec(t.Context(), `UPDATE content_types SET definition = '{"name":"note","fields":[{"name":"size","type":"integer"}]}'`); err != nil {
			t.Fatal(err)
		}
		e.stop()

		e = restart(schemaV2, false)
		if n := found(e, "kept"); n != 1 {
			t.Fatalf("an item made before search: %d", n)
		}
		alice = e.browser()
		alice.login("alice@example.com", pw).expectSuccess()
		alice.put(path, obj{"color": "Blue"}).expect(200)
		if n := found(e, "blue kept"); n != 1 {
			t.Fatalf("a new string field: %d", n)
		}
		e.stop()

		e = restart(schemaRetyped, true)
		alice = e.browser()
		alice.login("alice@example.com", pw).expectSuccess()
		alice.put(path, obj{"size": "Large"}).expect(200)
		if n := found(e, "large blue"); n != 1 {
			t.Fatalf("a field retyped to string: %d", n)
		}
		e.stop()

		// Removing the field removes its text from the search.
		e = restart(`{"types": [{"name": "note", "fields": [{"name": "size", "type": "string"}]}]}`, true)
		if found(e, "blue") != 0 || found(e, "large kept") != 1 {
			t.Fatal("a removed field is still searched")
		}
		e.stop()
	})
}

// stop stops the server and closes its app, so that another may start on its
// database.
func (e *env) stop() {
	e.srv.Close()
	e.app.Close()
}
