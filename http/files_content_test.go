package http_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/store/storetest"
)

// fileSchema has types with file fields and different view permissions.
const fileSchema = `{"types": [
	{"name": "photo", "fields": [{"name": "image", "type": "file"}, {"name": "thumb", "type": "file"}]},
	{"name": "poster", "access": {"view": "anyone"}, "fields": [{"name": "image", "type": "file"}]},
	{"name": "secret", "access": {"view": "owner"}, "fields": [{"name": "doc", "type": "file", "required": true}]}
]}`

// forEachFileDB runs f on a fresh server with the file schema, on each backend.
func forEachFileDB(t *testing.T, f func(t *testing.T, e *env), configure ...func(*backrest.Config)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f(t, newEnvOpts(t, b, app.Options{}, append([]func(*backrest.Config){withSchema(t, fileSchema), noGrace}, configure...)...))
	})
}

// dataURL returns a data URL object for a file field.
func dataURL(mime, filename string, data []byte) obj {
	return obj{"data": "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data), "filename": filename}
}

// fileOf returns the file JSON of a field of an item's representation.
func fileOf(t *testing.T, item map[string]any, field string) fileJSON {
	t.Helper()
	m, ok := item[field].(map[string]any)
	if !ok {
		t.Fatalf("field %s is not a file: %v", field, item[field])
	}
	f := fileJSON{UUID: fmt.Sprint(m["uuid"]), Filename: fmt.Sprint(m["filename"]), MimeType: fmt.Sprint(m["mimetype"]),
		URL: fmt.Sprint(m["url"])}
	id, _ := m["id"].(float64)
	size, _ := m["size"].(float64)
	f.ID, f.Size = int64(id), int64(size)
	return f
}

// itemURL returns the url of an item's representation.
func itemURL(t *testing.T, item map[string]any) string {
	t.Helper()
	meta, _ := item["__meta__"].(map[string]any)
	u, _ := meta["url"].(string)
	if u == "" {
		t.Fatalf("no __meta__.url: %v", item)
	}
	return u
}

// expectBlobs fails unless exactly n rows and n blobs are stored: bytes of
// replaced and deleted files went with their commit, not with a later sweep.
func (e *env) expectBlobs(n int) {
	e.t.Helper()
	rows, blobs := e.counts()
	if rows != n || blobs != n {
		e.t.Fatalf("%d rows and %d blobs, want %d of each", rows, blobs, n)
	}
	e.verify(false)
}

func TestFileFieldDataURL(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 50)...)
	forEachFileDB(t, func(t *testing.T, e *env) {
		ann, bob, anon := e.loggedIn("ann@example.com"), e.loggedIn("bob@example.com"), e.browser()
		item := ann.post("/-/photos", obj{"title": "cat", "image": dataURL("image/png", "cat.png", png)}).
			expect(http.StatusCreated).JSON()
		f := fileOf(t, item, "image")
		if f.Filename != "cat.png" || f.MimeType != "image/png" || f.Size != int64(len(png)) || f.URL != e.srv.URL+"/-/"+f.UUID+"~" {
			t.Fatalf("file = %+v", f)
		}
		if item["thumb"] != nil {
			t.Fatalf("thumb = %v, want null", item["thumb"])
		}
		// The representation read back is the same.
		if got := fileOf(t, ann.get(itemURL(t, item)).expect(http.StatusOK).JSON(), "image"); got != f {
			t.Fatalf("GET: %+v, want %+v", got, f)
		}
		// Viewing the item is viewing the file.
		if res := bob.get(f.URL).expect(http.StatusOK); !bytes.Equal(res.body, png) || res.header.Get("Content-Type") != "image/png" {
			t.Fatalf("download: %q, %s", res.body, res.header.Get("Content-Type"))
		}
		anon.get(f.URL).expectError(http.StatusForbidden, "", "")
		// A data URL without a type is sniffed; one without a name is "file".
		item2 := ann.post("/-/photos", obj{"title": "sniffed", "image": obj{"data": "data:;base64," + base64.StdEncoding.EncodeToString(png)}}).
			expect(http.StatusCreated).JSON()
		if g := fileOf(t, item2, "image"); g.MimeType != "image/png" || g.Filename != "file" {
			t.Fatalf("sniffed file = %+v", g)
		}
		// A bare data URL string is a file too.
		item3 := ann.post("/-/photos", obj{"title": "bare", "image": "data:text/plain;base64,YmFyZQ=="}).expect(http.StatusCreated).JSON()
		if g := fileOf(t, item3, "image"); g.MimeType != "text/plain" || g.Size != 4 {
			t.Fatalf("bare data URL file = %+v", g)
		}
		// A file held by content is not deleted on its own.
		ann.delete(f.URL).expectError(http.StatusConflict, "", "")
		bob.delete(f.URL).expectError(http.StatusConflict, "", "")
		anon.delete(f.URL).expectError(http.StatusForbidden, "", "")
		e.expectBlobs(3)
	})
}

func TestFileFieldPermissions(t *testing.T) {
	forEachFileDB(t, func(t *testing.T, e *env) {
		ann, bob, anon := e.loggedIn("ann@example.com"), e.loggedIn("bob@example.com"), e.browser()
		admin := e.loggedIn("root@example.com", backrest.RoleAdmin)
		poster := ann.post("/-/posters", obj{"title": "gig", "image": dataURL("image/gif", "gig.gif", []byte("GIF89a"))}).
			expect(http.StatusCreated).JSON()
		pf := fileOf(t, poster, "image")
		anon.get(pf.URL).expect(http.StatusOK)
		bob.get(pf.URL).expect(http.StatusOK)

		secret := ann.post("/-/secrets", obj{"title": "diary", "doc": dataURL("text/plain", "d.txt", []byte("dear diary"))}).
			expect(http.StatusCreated).JSON()
		sf := fileOf(t, secret, "doc")
		ann.get(sf.URL).expect(http.StatusOK)
		admin.get(sf.URL).expect(http.StatusOK)
		bob.get(sf.URL).expectError(http.StatusForbidden, "", "")
		anon.get(sf.URL).expectError(http.StatusForbidden, "", "")
		// Nobody else can take the file into an item of their own.
		bob.post("/-/photos", obj{"title": "stolen", "image": sf.ID}).expectError(http.StatusBadRequest, "image", "")
		// A required file field.
		ann.post("/-/secrets", obj{"title": "empty"}).expectError(http.StatusBadRequest, "doc", "")
		e.expectBlobs(2)
	})
}

func TestFileFieldUploadThenAttach(t *testing.T) {
	forEachFileDB(t, func(t *testing.T, e *env) {
		ann, bob := e.loggedIn("ann@example.com"), e.loggedIn("bob@example.com")
		up := ann.upload([]byte("uploaded first"), "text/plain", "first.txt")
		bob.get(up.URL).expectError(http.StatusForbidden, "", "")
		// Bob cannot attach Ann's upload.
		bob.post("/-/photos", obj{"title": "x", "image": up.ID}).expectError(http.StatusBadRequest, "image", "")
		// Nor can anyone attach a file that does not exist.
		ann.post("/-/photos", obj{"title": "x", "image": 999999}).expectError(http.StatusBadRequest, "image", "")
		item := ann.post("/-/photos", obj{"title": "attached", "image": up.ID}).expect(http.StatusCreated).JSON()
		f := fileOf(t, item, "image")
		if f.ID != up.ID || f.UUID != up.UUID || f.URL != up.URL {
			t.Fatalf("attached %+v, want the upload %+v", f, up)
		}
		// Attached, the file has the item's permission: Bob may view it now.
		bob.get(up.URL).expect(http.StatusOK)
		// It cannot be held twice.
		ann.post("/-/photos", obj{"title": "twice", "image": up.ID}).expectError(http.StatusBadRequest, "image", "")
		ann.put(itemURL(t, item), obj{"thumb": up.ID}).expectError(http.StatusBadRequest, "thumb", "")
		// Posting the representation back changes nothing.
		back := ann.put(itemURL(t, item), obj{"title": "renamed", "image": item["image"]}).expect(http.StatusOK).JSON()
		if g := fileOf(t, back, "image"); g != f {
			t.Fatalf("after posting back: %+v, want %+v", g, f)
		}
		// Attached files do not expire like uploads.
		if _, err := e.app.Files.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		bob.get(up.URL).expect(http.StatusOK)
		e.expectBlobs(1)
	}, func(c *backrest.Config) { c.UploadTTL = 0 })
}

func TestFileFieldReplaceClearDelete(t *testing.T) {
	forEachFileDB(t, func(t *testing.T, e *env) {
		ann := e.loggedIn("ann@example.com")
		item := ann.post("/-/photos", obj{"title": "p", "image": dataURL("text/plain", "v1.txt", []byte("one")),
			"thumb": dataURL("text/plain", "t.txt", []byte("thumb"))}).expect(http.StatusCreated).JSON()
		url := itemURL(t, item)
		v1, thumb := fileOf(t, item, "image"), fileOf(t, item, "thumb")
		e.expectBlobs(2)

		// Replaced by a data URL: the old file and its bytes go.
		v2 := fileOf(t, ann.put(url, obj{"image": dataURL("text/plain", "v2.txt", []byte("two"))}).expect(http.StatusOK).JSON(), "image")
		if v2.ID == v1.ID || v2.UUID == v1.UUID {
			t.Fatal("a replaced file keeps its id")
		}
		ann.get(v1.URL).expectError(http.StatusNotFound, "", "")
		if string(ann.get(v2.URL).expect(http.StatusOK).body) != "two" {
			t.Fatal("new bytes not served")
		}
		e.expectBlobs(2)

		// Replaced by an upload.
		up := ann.upload([]byte("three"), "text/plain", "v3.txt")
		v3 := fileOf(t, ann.put(url, obj{"image": up.ID}).expect(http.StatusOK).JSON(), "image")
		if v3.ID != up.ID {
			t.Fatalf("image = %+v, want the upload", v3)
		}
		ann.get(v2.URL).expectError(http.StatusNotFound, "", "")
		e.expectBlobs(2)

		// A failed update changes nothing: a bad value beside a good one.
		ann.put(url, obj{"image": dataURL("text/plain", "v4.txt", []byte("four")), "thumb": obj{"data": "data:;base64,@@@"}}).
			expectError(http.StatusBadRequest, "thumb", "")
		ann.get(v3.URL).expect(http.StatusOK)
		ann.get(thumb.URL).expect(http.StatusOK)
		e.expectBlobs(2)

		// Cleared.
		cleared := ann.put(url, obj{"thumb": nil}).expect(http.StatusOK).JSON()
		if cleared["thumb"] != nil {
			t.Fatalf("thumb = %v after clearing", cleared["thumb"])
		}
		ann.get(thumb.URL).expectError(http.StatusNotFound, "", "")
		e.expectBlobs(1)

		// The item deleted: its files and their bytes go.
		ann.delete(url).expect(http.StatusOK)
		ann.get(v3.URL).expectError(http.StatusNotFound, "", "")
		e.expectBlobs(0)
		e.verify(true)
	})
}

func TestFileFieldBadValues(t *testing.T) {
	forEachFileDB(t, func(t *testing.T, e *env) {
		ann := e.loggedIn("ann@example.com")
		for _, v := range []any{
			"not a data url",
			obj{"data": "data:text/plain,plain text"},
			obj{"data": "data:text/plain;base64,@@@@"},
			obj{"data": 12},
			obj{"filename": "x.txt"},
			true,
			[]any{1},
			1.5,
		} {
			ann.post("/-/photos", obj{"title": "bad", "image": v}).expectError(http.StatusBadRequest, "image", "")
		}
		e.expectEmpty()
		// A data URL larger than the upload limit.
		big := bytes.Repeat([]byte("x"), 2000)
		ann.post("/-/photos", obj{"title": "big", "image": dataURL("text/plain", "big.txt", big)}).
			expectError(http.StatusRequestEntityTooLarge, "", "")
		// A JSON body larger than the body limit.
		huge := strings.Repeat("QUJD", 300<<10)
		ann.post("/-/photos", obj{"title": "huge", "image": obj{"data": "data:text/plain;base64," + huge}}).
			expectError(http.StatusRequestEntityTooLarge, "", "")
		e.expectEmpty()
	}, func(c *backrest.Config) { c.UploadLimit = 1000 })
}

func TestFileFieldAccountDeletion(t *testing.T) {
	forEachFileDB(t, func(t *testing.T, e *env) {
		ann := e.loggedIn("ann@example.com")
		ann.post("/-/photos", obj{"title": "p", "image": dataURL("text/plain", "a.txt", []byte("a"))}).expect(http.StatusCreated)
		ann.upload([]byte("loose"), "text/plain", "b.txt")
		ann.post("/-/userprofile", obj{"password": "password1"}).expect(http.StatusOK)
		// The item went with the account and its file with the item; the
		// unattached upload waits for its expiry. No row lacks its bytes, and the
		// sweep removes the orphaned bytes.
		e.verify(false)
		if rows, _ := e.counts(); rows != 1 {
			t.Fatalf("%d files left, want the unattached upload", rows)
		}
		e.verify(true)
	})
}
