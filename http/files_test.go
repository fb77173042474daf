package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store/storetest"
)

// fileJSON is the representation of a file.
type fileJSON struct {
	ID       int64  `json:"id"`
	UUID     string `json:"uuid"`
	Filename string `json:"filename"`
	MimeType string `json:"mimetype"`
	Size     int64  `json:"size"`
	URL      string `json:"url"`
}

// send sends a request with a body read from r and the given headers.
func (b *browser) send(method, path string, r io.Reader, header map[string]string) *response {
	b.e.t.Helper()
	req, err := http.NewRequest(method, b.e.url(path), r)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return &response{t: b.e.t, status: res.StatusCode, header: res.Header, body: data}
}

// upload posts data as a raw upload with the Content-Type and file name (sent in
// Content-Disposition) and returns the file's JSON, checking for a 201.
func (b *browser) upload(data []byte, contentType, filename string) fileJSON {
	b.e.t.Helper()
	res := b.send("POST", "/-/files", bytes.NewReader(data), map[string]string{"Content-Type": contentType,
		"Content-Disposition": `attachment; filename="` + filename + `"`}).expect(http.StatusCreated)
	return res.file()
}

// file decodes the body as a file's JSON.
func (r *response) file() fileJSON {
	r.t.Helper()
	var f fileJSON
	if err := json.Unmarshal(r.body, &f); err != nil {
		r.t.Fatalf("not a file: %v: %s", err, r.body)
	}
	return f
}

// loggedIn returns a browser logged in as a new user.
func (e *env) loggedIn(email string, roles ...string) *browser {
	e.t.Helper()
	e.addUser(email, "password1", "", "", roles...)
	b := e.browser()
	b.login(email, "password1").expect(http.StatusOK)
	return b
}

// verify fails the test unless every file row has its bytes intact; with sweep,
// it sweeps first (the tests' sweep grace is 0: every orphan goes) and also wants
// no orphaned bytes and no temporary files left.
func (e *env) verify(sweep bool) {
	e.t.Helper()
	ctx := context.Background()
	if sweep {
		if _, err := e.app.Files.Sweep(ctx); err != nil {
			e.t.Fatalf("sweep: %v", err)
		}
	}
	rep, err := e.app.Files.Verify(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(rep.Missing) > 0 || len(rep.Corrupt) > 0 || (sweep && len(rep.Orphans) > 0) {
		e.t.Fatalf("files inconsistent: %+v", rep)
	}
	if sweep {
		if tmp, _ := os.ReadDir(filepath.Join(e.data, "files", "tmp")); len(tmp) > 0 {
			e.t.Fatalf("%d temporary files left", len(tmp))
		}
	}
}

// counts returns the number of file rows and of blobs.
func (e *env) counts() (rows, blobs int) {
	e.t.Helper()
	rep, err := e.app.Files.Verify(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return rep.Files, rep.Files + len(rep.Orphans)
}

// expectEmpty fails unless no file row, blob or temporary file exists.
func (e *env) expectEmpty() {
	e.t.Helper()
	if rows, blobs := e.counts(); rows != 0 || blobs != 0 {
		e.t.Fatalf("%d rows and %d blobs stored, want none", rows, blobs)
	}
	if tmp, _ := os.ReadDir(filepath.Join(e.data, "files", "tmp")); len(tmp) > 0 {
		e.t.Fatalf("%d temporary files left", len(tmp))
	}
}

// noGrace makes the sweeper delete every orphan, however young.
func noGrace(c *backrest.Config) { c.SweepGrace = 0 }

func TestUploadRawAndDownload(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.loggedIn("ann@example.com")
		data := []byte("hello, files")
		f := b.upload(data, "text/plain; charset=utf-8", "hello.txt")
		if f.ID == 0 || len(f.UUID) != 32 || f.Filename != "hello.txt" || f.MimeType != "text/plain; charset=utf-8" ||
			f.Size != int64(len(data)) || f.URL != e.srv.URL+"/-/"+f.UUID+"~" {
			t.Fatalf("upload = %+v", f)
		}
		res := b.get(f.URL).expect(http.StatusOK)
		if !bytes.Equal(res.body, data) {
			t.Fatalf("download = %q", res.body)
		}
		sum := sha256.Sum256(data)
		for k, want := range map[string]string{
			"Content-Type":            "text/plain; charset=utf-8",
			"Content-Disposition":     `inline; filename="hello.txt"`,
			"Content-Length":          fmt.Sprint(len(data)),
			"Etag":                    `"` + hex.EncodeToString(sum[:]) + `"`,
			"X-Content-Type-Options":  "nosniff",
			"Accept-Ranges":           "bytes",
			"Content-Security-Policy": "sandbox",
		} {
			if got := res.header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if lm, err := http.ParseTime(res.header.Get("Last-Modified")); err != nil || time.Since(lm) > time.Minute {
			t.Errorf("Last-Modified = %q", res.header.Get("Last-Modified"))
		}
		// HEAD has the headers without the body.
		head := b.do("HEAD", f.URL, nil).expect(http.StatusOK)
		if len(head.body) != 0 || head.header.Get("Content-Length") != fmt.Sprint(len(data)) {
			t.Errorf("HEAD: %d bytes, Content-Length %q", len(head.body), head.header.Get("Content-Length"))
		}
		// Dashes and upper case name the same file.
		u := strings.ToUpper(f.UUID)
		dashed := u[:8] + "-" + u[8:12] + "-" + u[12:16] + "-" + u[16:20] + "-" + u[20:]
		b.get("/-/" + dashed + "~").expect(http.StatusOK)
		e.verify(false)
	})
}

func TestUploadForms(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.loggedIn("ann@example.com")
		check := func(res *response, filename, mimetype string, data []byte) {
			t.Helper()
			f := res.expect(http.StatusCreated).file()
			if f.Filename != filename || f.MimeType != mimetype || f.Size != int64(len(data)) {
				t.Errorf("file = %+v, want name %q, type %q, size %d", f, filename, mimetype, len(data))
			}
			if got := b.get(f.URL).expect(http.StatusOK); !bytes.Equal(got.body, data) {
				t.Errorf("%s: downloaded bytes differ", filename)
			}
		}
		// ?filename= when there is no Content-Disposition.
		check(b.send("POST", "/-/files?filename=q.txt", strings.NewReader("q"), map[string]string{"Content-Type": "text/plain"}),
			"q.txt", "text/plain", []byte("q"))
		// filename* (RFC 5987) wins over filename.
		check(b.send("POST", "/-/files", strings.NewReader("r"), map[string]string{"Content-Type": "text/plain",
			"Content-Disposition": `attachment; filename="resume.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`}),
			"résumé.txt", "text/plain", []byte("r"))
		// No name at all.
		check(b.send("POST", "/-/files", strings.NewReader("n"), map[string]string{"Content-Type": "text/plain"}),
			"file", "text/plain", []byte("n"))
		// Generic or missing types are sniffed: octet-stream, curl's default, none.
		for _, ct := range []string{"application/octet-stream", "application/x-www-form-urlencoded", "", "not a type"} {
			check(b.send("POST", "/-/files?filename=p.png", bytes.NewReader(png), map[string]string{"Content-Type": ct}),
				"p.png", "image/png", png)
		}
		// A multipart form: fields before the first file part are skipped, and
		// parts after it ignored.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("title", "ignored")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="C:\Users\ann\photo.png"`)
		h.Set("Content-Type", "image/png")
		pw, _ := mw.CreatePart(h)
		pw.Write(png)
		fw, _ := mw.CreateFormFile("other", "other.txt")
		fw.Write([]byte("other"))
		mw.Close()
		check(b.send("POST", "/-/files", &body, map[string]string{"Content-Type": mw.FormDataContentType()}),
			"photo.png", "image/png", png)
		// A multipart file part without a type is sniffed.
		body.Reset()
		mw = multipart.NewWriter(&body)
		h = textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="x.bin"`)
		pw, _ = mw.CreatePart(h)
		pw.Write(png)
		mw.Close()
		check(b.send("POST", "/-/files", &body, map[string]string{"Content-Type": mw.FormDataContentType()}),
			"x.bin", "image/png", png)
		// An empty file is a file.
		check(b.send("POST", "/-/files?filename=empty", nil, map[string]string{"Content-Type": "text/plain"}),
			"empty", "text/plain", nil)
		e.verify(false)
	})
}

func TestDownloadRangesAndConditions(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.loggedIn("ann@example.com")
		data := []byte("0123456789abcdefghij")
		f := b.upload(data, "application/pdf", "doc.pdf")
		res := b.send("GET", f.URL, nil, map[string]string{"Range": "bytes=2-5"}).expect(http.StatusPartialContent)
		if string(res.body) != "2345" || res.header.Get("Content-Range") != "bytes 2-5/20" {
			t.Fatalf("range: %q, Content-Range %q", res.body, res.header.Get("Content-Range"))
		}
		if res.header.Get("Content-Security-Policy") != "" {
			t.Error("PDFs are served without the sandbox, which PDF viewers do not support")
		}
		res = b.send("GET", f.URL, nil, map[string]string{"Range": "bytes=-3"}).expect(http.StatusPartialContent)
		if string(res.body) != "hij" {
			t.Fatalf("suffix range: %q", res.body)
		}
		// Several ranges make a multipart answer.
		res = b.send("GET", f.URL, nil, map[string]string{"Range": "bytes=0-0,19-19"}).expect(http.StatusPartialContent)
		if !strings.HasPrefix(res.header.Get("Content-Type"), "multipart/byteranges") {
			t.Fatalf("multiple ranges: Content-Type %q", res.header.Get("Content-Type"))
		}
		// A range past the end is a JSON 416.
		res = b.send("GET", f.URL, nil, map[string]string{"Range": "bytes=100-200"})
		res.expectError(http.StatusRequestedRangeNotSatisfiable, "", "")
		if res.header.Get("Content-Range") != "bytes */20" {
			t.Errorf("416 Content-Range = %q", res.header.Get("Content-Range"))
		}
		etag := b.get(f.URL).expect(http.StatusOK).header.Get("Etag")
		res = b.send("GET", f.URL, nil, map[string]string{"If-None-Match": etag}).expect(http.StatusNotModified)
		if len(res.body) != 0 || res.header.Get("Etag") != etag {
			t.Errorf("304: body %q, ETag %q", res.body, res.header.Get("Etag"))
		}
		b.send("GET", f.URL, nil, map[string]string{"If-None-Match": `"other"`}).expect(http.StatusOK)
		lm := b.get(f.URL).header.Get("Last-Modified")
		b.send("GET", f.URL, nil, map[string]string{"If-Modified-Since": lm}).expect(http.StatusNotModified)
		// If-Range with the current ETag honours the range, with another sends all.
		b.send("GET", f.URL, nil, map[string]string{"Range": "bytes=0-1", "If-Range": etag}).expect(http.StatusPartialContent)
		res = b.send("GET", f.URL, nil, map[string]string{"Range": "bytes=0-1", "If-Range": `"other"`}).expect(http.StatusOK)
		if !bytes.Equal(res.body, data) {
			t.Errorf("If-Range mismatch: %q", res.body)
		}
	})
}

func TestFilePermissions(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ann := e.loggedIn("ann@example.com")
		bob := e.loggedIn("bob@example.com")
		admin := e.loggedIn("root@example.com", backrest.RoleAdmin)
		anon := e.browser()

		anon.send("POST", "/-/files", strings.NewReader("x"), map[string]string{"Content-Type": "text/plain"}).
			expectError(http.StatusForbidden, "", "")
		e.expectEmpty()

		f := ann.upload([]byte("secret"), "text/plain", "s.txt")
		anon.get(f.URL).expectError(http.StatusForbidden, "", "")
		bob.get(f.URL).expectError(http.StatusForbidden, "", "")
		admin.get(f.URL).expect(http.StatusOK)
		ann.get(f.URL).expect(http.StatusOK)

		// A bearer token works as the cookie does.
		tok := e.browser()
		var token string
		for _, c := range ann.client.Jar.Cookies(mustURL(t, e.srv.URL)) {
			token = c.Value
		}
		tok.header.Set("Authorization", "Bearer "+token)
		tok.get(f.URL).expect(http.StatusOK)

		// Unknown and malformed UUIDs.
		ann.get("/-/0123456789abcdef0123456789abcdef~").expectError(http.StatusNotFound, "", "")
		ann.get("/-/nope~").expectError(http.StatusNotFound, "", "")
		ann.get("/-/"+f.UUID+"~~").expectError(http.StatusNotFound, "", "")
		ann.get("/-/"+f.UUID).expectError(http.StatusNotFound, "", "")
		ann.get("/-/"+f.UUID+"~/x").expectError(http.StatusNotFound, "", "")

		// Other methods: 405 with Allow.
		res := ann.post(f.URL, obj{})
		res.expectError(http.StatusMethodNotAllowed, "", "")
		if res.header.Get("Allow") != "GET, HEAD, DELETE" {
			t.Errorf("Allow = %q", res.header.Get("Allow"))
		}
		res = ann.get("/-/files")
		res.expectError(http.StatusMethodNotAllowed, "", "")
		if res.header.Get("Allow") != "POST" {
			t.Errorf("/-/files Allow = %q", res.header.Get("Allow"))
		}
		// Other paths are as they were.
		ann.get("/-/nothing").expectError(http.StatusNotFound, "", "")
		ann.post("/-/nothing", obj{}).expectError(http.StatusNotFound, "", "")

		// Only the uploader (or an admin) deletes an upload.
		anon.delete(f.URL).expectError(http.StatusForbidden, "", "")
		bob.delete(f.URL).expectError(http.StatusForbidden, "", "")
		ann.delete(f.URL).expectSuccess()
		ann.get(f.URL).expectError(http.StatusNotFound, "", "")
		ann.delete(f.URL).expectError(http.StatusNotFound, "", "")
		g := bob.upload([]byte("bob's"), "text/plain", "b.txt")
		admin.delete(g.URL).expectSuccess()
		e.expectEmpty()
	}, noGrace)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUploadLimit(t *testing.T) {
	const limit = 64 << 10
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.loggedIn("ann@example.com")
		data := bytes.Repeat([]byte("x"), limit+1)
		// Declared too large: refused before reading.
		b.send("POST", "/-/files", bytes.NewReader(data), map[string]string{"Content-Type": "text/plain"}).
			expectError(http.StatusRequestEntityTooLarge, "", "")
		e.expectEmpty()
		// Found too large while streaming (chunked, no Content-Length).
		b.send("POST", "/-/files", io.MultiReader(bytes.NewReader(data)), map[string]string{"Content-Type": "text/plain"}).
			expectError(http.StatusRequestEntityTooLarge, "", "")
		e.expectEmpty()
		// Multipart.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "big.txt")
		fw.Write(data)
		mw.Close()
		b.send("POST", "/-/files", io.MultiReader(&body), map[string]string{"Content-Type": mw.FormDataContentType()}).
			expectError(http.StatusRequestEntityTooLarge, "", "")
		e.expectEmpty()
		// Exactly the limit is fine.
		f := b.upload(data[:limit], "text/plain", "max.txt")
		if f.Size != limit {
			t.Fatalf("size %d", f.Size)
		}
		e.verify(true)
	}, func(c *backrest.Config) { c.UploadLimit = limit }, noGrace)
}

func TestHostileFilenames(t *testing.T) {
	long := strings.Repeat("é", 200) + ".txt"
	for _, c := range []struct {
		sent, stored, header string
	}{
		{"../../etc/passwd", "passwd", `inline; filename="passwd"`},
		{`..\..\boot.ini`, "boot.ini", `inline; filename="boot.ini"`},
		{"..", "file", `inline; filename="file"`},
		{"  spaced.txt  ", "spaced.txt", `inline; filename="spaced.txt"`},
		{"a\"b.txt", "a\"b.txt", `inline; filename="a_b.txt"; filename*=UTF-8''a%22b.txt`},
		{"100%.txt", "100%.txt", `inline; filename="100_.txt"; filename*=UTF-8''100%25.txt`},
		{"x\r\nSet-Cookie: a=b.txt", "xSet-Cookie: a=b.txt", `inline; filename="xSet-Cookie: a=b.txt"`},
		{"nul\x00byte.txt", "nulbyte.txt", `inline; filename="nulbyte.txt"`},
		{"evil\u202etxt.exe", "eviltxt.exe", `inline; filename="eviltxt.exe"`},
		{"bad\xffutf8.txt", "bad\ufffdutf8.txt", `inline; filename="bad_utf8.txt"; filename*=UTF-8''bad%EF%BF%BDutf8.txt`},
		{"日本語 file.txt", "日本語 file.txt", `inline; filename="___ file.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E%20file.txt`},
		{long, strings.Repeat("é", 125) + ".txt", ""},
	} {
		t.Run(fmt.Sprintf("%q", c.sent), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, storetest.SQLite)
			b := e.loggedIn("ann@example.com")
			// Sent in ?filename= (Content-Disposition cannot carry all of them).
			res := b.send("POST", "/-/files?filename="+url.QueryEscape(c.sent), strings.NewReader("x"),
				map[string]string{"Content-Type": "text/plain"}).expect(http.StatusCreated)
			f := res.file()
			if f.Filename != c.stored {
				t.Fatalf("stored %q, want %q", f.Filename, c.stored)
			}
			if len(f.Filename) > 255 {
				t.Fatalf("stored name of %d bytes", len(f.Filename))
			}
			res = b.get(f.URL).expect(http.StatusOK)
			got := res.header.Get("Content-Disposition")
			if c.header != "" && got != c.header {
				t.Fatalf("Content-Disposition = %q, want %q", got, c.header)
			}
			if strings.ContainsAny(got, "\r\n\x00") || len(res.header.Values("Set-Cookie")) > 0 {
				t.Fatalf("header injection: %q", got)
			}
		})
	}
}

func TestMalformedUploads(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.loggedIn("ann@example.com")
		// A multipart body with a boundary that never comes.
		b.send("POST", "/-/files", strings.NewReader("garbage"), map[string]string{"Content-Type": "multipart/form-data; boundary=xyz"}).
			expectError(http.StatusBadRequest, "body", "")
		// Multipart without a boundary.
		b.send("POST", "/-/files", strings.NewReader("garbage"), map[string]string{"Content-Type": "multipart/form-data"}).
			expectError(http.StatusBadRequest, "body", "")
		// A form without a file part.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("title", "no file")
		mw.Close()
		b.send("POST", "/-/files", &body, map[string]string{"Content-Type": mw.FormDataContentType()}).
			expectError(http.StatusBadRequest, "file", "")
		// A file part cut short.
		body.Reset()
		mw = multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "cut.txt")
		fw.Write(bytes.Repeat([]byte("y"), 1000))
		b.send("POST", "/-/files", bytes.NewReader(body.Bytes()), map[string]string{"Content-Type": mw.FormDataContentType()}).
			expectError(http.StatusBadRequest, "body", "")
		e.expectEmpty()
		// A raw body cut short: the client declares more than it sends and hangs up.
		addr := strings.TrimPrefix(e.srv.URL, "http://")
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		var cookie string
		for _, c := range b.client.Jar.Cookies(mustURL(t, e.srv.URL)) {
			cookie = c.Name + "=" + c.Value
		}
		fmt.Fprintf(conn, "POST /-/files HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n%s",
			addr, cookie, strings.Repeat("z", 5000))
		conn.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, conn)
		conn.Close()
		// The server notices the end of the body at once; wait for its clean-up.
		waitEmpty(t, e)
	}, noGrace)
}

// waitEmpty waits until no file, blob or temporary file is stored, as after a
// request that failed on the server's side while the client had gone.
func waitEmpty(t *testing.T, e *env) {
	t.Helper()
	for i := 0; ; i++ {
		rows, blobs := e.counts()
		tmp, _ := os.ReadDir(filepath.Join(e.data, "files", "tmp"))
		if rows == 0 && blobs == 0 && len(tmp) == 0 {
			return
		}
		if i == 500 {
			t.Fatalf("%d rows, %d blobs, %d temporary files left", rows, blobs, len(tmp))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSweepExpiredUploads(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.loggedIn("ann@example.com")
		f := b.upload([]byte("old"), "text/plain", "old.txt")
		time.Sleep(2 * time.Millisecond)
		st, err := e.app.Files.Sweep(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Uploads != 1 {
			t.Fatalf("sweep = %+v, want one expired upload", st)
		}
		b.get(f.URL).expectError(http.StatusNotFound, "", "")
		e.expectEmpty()
	}, func(c *backrest.Config) { c.UploadTTL = time.Millisecond }, noGrace)
}

// faultStore is a blob store that fails where told.
type faultStore struct {
	blob.Store
	mu sync.Mutex
	// failCreate fails Create before writing; failAfterCreate fails it after the
	// bytes are written (as a failed fsync of a real store might, leaving them);
	// failDelete fails Delete.
	failCreate, failAfterCreate, failDelete bool
	// step is the step of an upload to fail (see files.Options.Fault).
	step string
}

var errInjected = errors.New("injected fault")

func (f *faultStore) set(fn func(*faultStore)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *faultStore) Create(ctx context.Context, r io.Reader) (blob.Info, error) {
	f.mu.Lock()
	before, after := f.failCreate, f.failAfterCreate
	f.mu.Unlock()
	if before {
		return blob.Info{}, errInjected
	}
	info, err := f.Store.Create(ctx, r)
	if err == nil && after {
		return blob.Info{}, errInjected
	}
	return info, err
}

func (f *faultStore) Delete(ctx context.Context, key string) error {
	f.mu.Lock()
	fail := f.failDelete
	f.mu.Unlock()
	if fail {
		return errInjected
	}
	return f.Store.Delete(ctx, key)
}

// faultEnv starts a server whose blob store (a folder) and upload steps fail
// where told.
func faultEnv(t *testing.T, b storetest.Backend) (*env, *faultStore) {
	t.Helper()
	dir := t.TempDir()
	local, err := blob.NewLocal(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	return faultEnvOn(t, b, local, dir)
}

// faultEnvOn is faultEnv on the blob store blobs, with the data folder dir.
func faultEnvOn(t *testing.T, b storetest.Backend, blobs blob.Store, dir string) (*env, *faultStore) {
	t.Helper()
	fs := &faultStore{Store: blobs}
	e := newEnvOpts(t, b, app.Options{Blobs: fs, FileFault: func(step string) error {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		if step == fs.step {
			return errInjected
		}
		return nil
	}}, noGrace, func(c *backrest.Config) { c.DataDir = dir })
	e.data = dir
	return e, fs
}

// uploadFaultCases are the faults of uploadFaults: a step of the upload to fail,
// or a failure of the blob store.
var uploadFaultCases = []struct {
	name string
	step string
	set  func(*faultStore)
	// committed is true when the file is stored despite the error.
	committed bool
}{
	{name: "before writing", step: "put"},
	{name: "writing", set: func(f *faultStore) { f.failCreate = true }},
	{name: "syncing", set: func(f *faultStore) { f.failAfterCreate = true }},
	{name: "before the insert", step: "insert"},
	{name: "the commit", step: "commit"},
	{name: "after the commit", step: "committed", committed: true},
}

func TestUploadFaults(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, bk storetest.Backend) {
		t.Parallel()
		e, fs := faultEnv(t, bk)
		uploadFaults(t, e, fs)
	})
}

// uploadFaults makes uploads to e fail at each step and checks that rows and
// bytes stay consistent and the store works again afterwards.
func uploadFaults(t *testing.T, e *env, fs *faultStore) {
	b := e.loggedIn("ann@example.com")
	keep := b.upload([]byte("kept"), "text/plain", "keep.txt")
	for _, c := range uploadFaultCases {
		t.Logf("failing %s", c.name)
		before, _ := e.counts()
		fs.set(func(f *faultStore) {
			f.step = c.step
			if c.set != nil {
				c.set(f)
			}
		})
		b.send("POST", "/-/files", strings.NewReader("doomed"), map[string]string{"Content-Type": "text/plain"}).
			expectError(http.StatusInternalServerError, "", "")
		e.verify(false)
		rows, _ := e.counts()
		if c.committed {
			before++
		}
		if rows != before {
			t.Fatalf("failing %s: %d files, want %d", c.name, rows, before)
		}
		e.verify(true)
		// The store works again once the fault is gone.
		fs.set(func(f *faultStore) { f.failCreate, f.failAfterCreate, f.failDelete, f.step = false, false, false, "" })
		b.upload([]byte("after"), "text/plain", "after.txt")
		b.get(keep.URL).expect(http.StatusOK)
		e.verify(true)
	}
}

func TestDeleteFaults(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, bk storetest.Backend) {
		t.Parallel()
		e, fs := faultEnv(t, bk)
		b := e.loggedIn("ann@example.com")
		f := b.upload([]byte("to delete"), "text/plain", "d.txt")
		// The bytes cannot be deleted after the commit: the deletion stands, the
		// bytes are an orphan until the sweep.
		fs.set(func(f *faultStore) { f.failDelete = true })
		b.delete(f.URL).expectSuccess()
		b.get(f.URL).expectError(http.StatusNotFound, "", "")
		if rows, blobs := e.counts(); rows != 0 || blobs != 1 {
			t.Fatalf("%d rows and %d blobs, want the orphan only", rows, blobs)
		}
		// A sweep that cannot delete reports it and keeps going later.
		if _, err := e.app.Files.Sweep(context.Background()); !errors.Is(err, errInjected) {
			t.Fatalf("sweep = %v, want the injected error", err)
		}
		fs.set(func(f *faultStore) { f.failDelete = false })
		e.verify(true)
		e.expectEmpty()
	})
}
