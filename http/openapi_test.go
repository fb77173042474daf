package http_test

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/backrest/backrest"
)

// oasSchema is the JSON Schema of OpenAPI 3.1 documents (see testdata/README.md).
//
//go:embed testdata/openapi-3.1.schema.json
var oasSchema []byte

// oasSchemaURL is the $id of oasSchema.
const oasSchemaURL = "https://spec.openapis.org/oas/3.1/schema/2022-10-07"

// docURL is the URL under which the document under test is compiled; nothing is
// fetched from it.
const docURL = "https://backrest.test/openapi.json"

// apiDoc is an OpenAPI document that passed the OpenAPI 3.1 schema, whose JSON
// Schemas check requests and responses.
type apiDoc struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

// loadAPIDoc checks raw against the OpenAPI 3.1 schema, and every JSON Schema in
// it against JSON Schema 2020-12.
func loadAPIDoc(t *testing.T, raw []byte) *apiDoc {
	t.Helper()
	meta, err := jsonschema.UnmarshalJSON(bytes.NewReader(oasSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(oasSchemaURL, meta); err != nil {
		t.Fatal(err)
	}
	oas, err := c.Compile(oasSchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if err := oas.Validate(doc); err != nil {
		t.Fatalf("the document is not OpenAPI 3.1: %v", err)
	}
	d := &apiDoc{doc: doc.(map[string]any), compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}}
	d.compiler.AssertFormat()
	if err := d.compiler.AddResource(docURL, doc); err != nil {
		t.Fatalf("the document as JSON Schema resource: %v", err)
	}
	for _, ptr := range schemaPointers(d.doc) {
		if _, err := d.schema(ptr); err != nil {
			t.Errorf("schema %s: %v", ptr, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return d
}

// schemaPointers returns the JSON pointers of the schemas of the document: those
// of the components, parameters, request bodies and responses.
func schemaPointers(doc map[string]any) []string {
	var out []string
	content := func(ptr string, v any) {
		for mt := range asObject(asObject(v)["content"]) {
			out = append(out, ptr+"/content/"+pointerToken(mt)+"/schema")
		}
	}
	components := asObject(doc["components"])
	for name := range asObject(components["schemas"]) {
		out = append(out, "/components/schemas/"+pointerToken(name))
	}
	for name, r := range asObject(components["responses"]) {
		content("/components/responses/"+pointerToken(name), r)
	}
	for path, item := range asObject(doc["paths"]) {
		for method, op := range asObject(item) {
			ptr := "/paths/" + pointerToken(path) + "/" + method
			for i := range asArray(asObject(op)["parameters"]) {
				out = append(out, ptr+"/parameters/"+strconv.Itoa(i)+"/schema")
			}
			if b := asObject(op)["requestBody"]; b != nil {
				content(ptr+"/requestBody", b)
			}
			for status, r := range asObject(asObject(op)["responses"]) {
				content(ptr+"/responses/"+status, r)
			}
		}
	}
	sort.Strings(out)
	return out
}

// schema compiles the schema at the JSON pointer of the document.
func (d *apiDoc) schema(ptr string) (*jsonschema.Schema, error) {
	if s, ok := d.schemas[ptr]; ok {
		return s, nil
	}
	s, err := d.compiler.Compile(docURL + "#" + (&url.URL{Path: ptr}).EscapedPath())
	if err != nil {
		return nil, err
	}
	d.schemas[ptr] = s
	return s, nil
}

// lookup returns the value at the JSON pointer of the document, nil if none.
func (d *apiDoc) lookup(ptr string) any {
	var v any = d.doc
	for _, tok := range strings.Split(ptr, "/")[1:] {
		v = asObject(v)[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
	}
	return v
}

// pathParamRE finds the parameters of a path template, and quotedParamRE the
// same in the template quoted for a regular expression.
var pathParamRE, quotedParamRE = regexp.MustCompile(`\{([^}]+)\}`), regexp.MustCompile(`\\\{[^}]+\\\}`)

// operation returns the JSON pointer of the operation that serves the method and
// path, and the path parameters' values.
func (d *apiDoc) operation(method, path string) (string, map[string]string, error) {
	best, bestParams := "", map[string]string(nil)
	for tpl, item := range asObject(d.doc["paths"]) {
		if asObject(item)[strings.ToLower(method)] == nil {
			continue
		}
		names := pathParamRE.FindAllStringSubmatch(tpl, -1)
		re := "^" + quotedParamRE.ReplaceAllString(regexp.QuoteMeta(tpl), `([^/]+)`) + "$"
		m := regexp.MustCompile(re).FindStringSubmatch(path)
		if m == nil {
			continue
		}
		// A path without parameters wins over one with them, as in the mux.
		if best != "" && len(names) >= len(bestParams) {
			continue
		}
		op, params := "/paths/"+pointerToken(tpl)+"/"+strings.ToLower(method), map[string]string{}
		for i, n := range names {
			params[n[1]] = m[i+1]
		}
		// The path's values must fit their parameters, as a file's name does.
		if d.pathParamsFit(op, params) {
			best, bestParams = op, params
		}
	}
	if best == "" {
		return "", nil, fmt.Errorf("%s %s: no operation in the document", method, path)
	}
	return best, bestParams, nil
}

// pathParamsFit reports whether the values of the path parameters of the
// operation at op fit their schemas.
func (d *apiDoc) pathParamsFit(op string, values map[string]string) bool {
	for i, p := range asArray(asObject(d.lookup(op))["parameters"]) {
		v, ok := values[asObject(p)["name"].(string)]
		if !ok || asObject(p)["in"] != "path" {
			continue
		}
		s, err := d.schema(op + "/parameters/" + strconv.Itoa(i) + "/schema")
		if err != nil || s.Validate(paramValue(v)) != nil {
			return false
		}
	}
	return true
}

// checkRequest checks a request against its operation: its parameters and body.
func (d *apiDoc) checkRequest(req *http.Request, body []byte) error {
	op, pathParams, err := d.operation(req.Method, req.URL.Path)
	if err != nil {
		return err
	}
	query := req.URL.Query()
	for i, p := range asArray(asObject(d.lookup(op))["parameters"]) {
		p := asObject(p)
		name, _ := p["name"].(string)
		var values []string
		switch p["in"] {
		case "query":
			values = query[name]
		case "path":
			values = []string{pathParams[name]}
		default:
			continue
		}
		if len(values) == 0 && p["required"] == true {
			return fmt.Errorf("%s %s: parameter %s is missing", req.Method, req.URL, name)
		}
		s, err := d.schema(op + "/parameters/" + strconv.Itoa(i) + "/schema")
		if err != nil {
			return err
		}
		for _, v := range values {
			if err := s.Validate(paramValue(v)); err != nil {
				return fmt.Errorf("%s %s: parameter %s=%q: %v", req.Method, req.URL, name, v, err)
			}
		}
	}
	rb := asObject(d.lookup(op))["requestBody"]
	if rb == nil {
		if len(body) > 0 {
			return fmt.Errorf("%s %s: a body where the document has none", req.Method, req.URL)
		}
		return nil
	}
	if len(body) == 0 {
		if asObject(rb)["required"] == true {
			return fmt.Errorf("%s %s: the body is missing", req.Method, req.URL)
		}
		return nil
	}
	return d.checkBody(op+"/requestBody", req.Header.Get("Content-Type"), body)
}

// checkResponse checks a response to a request against the request's operation:
// its status is documented, and its body has the documented media type and
// schema.
func (d *apiDoc) checkResponse(req *http.Request, res *http.Response, body []byte) error {
	op, _, err := d.operation(req.Method, req.URL.Path)
	if err != nil {
		return err
	}
	ptr := op + "/responses/" + strconv.Itoa(res.StatusCode)
	r := d.lookup(ptr)
	if r == nil {
		ptr, r = op+"/responses/default", d.lookup(op+"/responses/default")
	}
	if r == nil {
		return fmt.Errorf("%s %s: status %d is not documented", req.Method, req.URL, res.StatusCode)
	}
	if ref, ok := asObject(r)["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
	}
	if asObject(d.lookup(ptr))["content"] == nil {
		if len(body) > 0 {
			return fmt.Errorf("%s %s: status %d has a body where the document has none", req.Method, req.URL, res.StatusCode)
		}
		return nil
	}
	return d.checkBody(ptr, res.Header.Get("Content-Type"), body)
}

// checkBody checks a body of the media type against the content of the request
// body or response at ptr.
func (d *apiDoc) checkBody(ptr, contentType string, body []byte) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("%s: content type %q: %v", ptr, contentType, err)
	}
	content := asObject(asObject(d.lookup(ptr))["content"])
	if content[mt] == nil {
		if content["*/*"] == nil {
			return fmt.Errorf("%s: media type %s is not documented", ptr, mt)
		}
		mt = "*/*"
	}
	if mt != "application/json" {
		return nil
	}
	s, err := d.schema(ptr + "/content/" + pointerToken(mt) + "/schema")
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: the body is not JSON: %v", ptr, err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("%s: %s: %v", ptr, body, err)
	}
	return nil
}

// paramValue is the JSON value of a parameter: a number when it reads as one,
// else a string.
func paramValue(v string) any {
	if _, err := strconv.ParseFloat(v, 64); err == nil && strings.TrimSpace(v) == v {
		if n, err := jsonschema.UnmarshalJSON(strings.NewReader(v)); err == nil {
			return n
		}
	}
	return v
}

// pointerToken escapes a token of a JSON pointer.
func pointerToken(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// asObject returns v as a JSON object, nil when it is none.
func asObject(v any) map[string]any { o, _ := v.(map[string]any); return o }

// asArray returns v as a JSON array, nil when it is none.
func asArray(v any) []any { a, _ := v.([]any); return a }

// TestOpenAPI checks the OpenAPI document against the OpenAPI 3.1 schema and its
// schemas against JSON Schema 2020-12, then real requests and responses of the
// content types, the accounts and the errors against it.
func TestOpenAPI(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		raw := e.browser().get("/-/openapi.json").expect(200).body
		d := loadAPIDoc(t, raw)
		for _, want := range []string{`"/-/documents/{id}"`, `"/-/foos"`, `"/-/diaries"`, `"TypeDocument"`, `"/-/login"`, `"/-/categories"`, `"rank"`} {
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("document lacks %s", want)
			}
		}

		// check sends a request as alice and checks it and its response.
		check := func(method, path string, body string, status int, contentType ...string) []byte {
			t.Helper()
			req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if len(contentType) > 0 {
				req.Header.Set("Content-Type", contentType[0])
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
			// A request answered with an error is wrong on purpose: only the
			// response is checked then.
			if status < 400 {
				if err := d.checkRequest(req, []byte(body)); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.checkResponse(req, res, data); err != nil {
				t.Fatal(err)
			}
			return data
		}
		created := check("POST", "/-/documents", `{"title": "t", "rank": 1, "size": 3, "due": "2024-01-01T00:00:00Z", "extra": [1], "categories": ["red"]}`, 201)
		id := strings.TrimPrefix(strings.SplitN(string(created), ",", 2)[0], `{"id":`)
		if _, err := strconv.Atoi(id); err != nil {
			t.Fatalf("id %q", id)
		}
		check("POST", "/-/documents", `{"title": "only the title", "rank": 2}`, 201)
		check("GET", "/-/documents?limit=1&sort=-size&size=3", "", 200)
		check("GET", "/-/documents", "", 200)
		check("GET", "/-/documents/"+id, "", 200)
		check("PUT", "/-/documents/"+id, `{"size": null, "public": true}`, 200)
		check("PUT", "/-/documents/"+id, `{"size": 1000}`, 400)
		check("GET", "/-/documents/"+id+"0", "", 404)
		check("GET", "/-/documents?limit=0", "", 400)
		check("POST", "/-/foos", `{"title": "foo", "size": 2}`, 201)
		check("GET", "/-/categories", "", 200)
		check("GET", "/-/login", "", 200)
		check("GET", "/-/userprofile", "", 200)
		check("GET", "/-/", "", 200)
		check("DELETE", "/-/documents/"+id, "", 200)
		upload := check("POST", "/-/files?filename=a.txt", "some text", 201, "text/plain")
		uuid := strings.Split(strings.Split(string(upload), `"uuid":"`)[1], `"`)[0]
		check("DELETE", "/-/"+uuid+"~", "", 200)
		check("GET", "/-/openapi.json", "", 200)
		check("GET", "/-/signin", "", 200)
		check("GET", "/-/identities", "", 200)
		check("GET", "/-/passkeys", "", 200)
		check("DELETE", "/-/identities/1", "", 404)
		check("POST", "/-/webauthn/login/options", "{}", 404)
	})
}

// TestOpenAPICheckerFails shows that the checks of TestOpenAPI find requests and
// responses that the document does not allow.
func TestOpenAPICheckerFails(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		d := loadAPIDoc(t, e.browser().get("/-/openapi.json").expect(200).body)
		response := func(status int, contentType string) *http.Response {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {contentType}}}
		}
		request := func(method, path, contentType string) *http.Request {
			req, err := http.NewRequest(method, e.srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", contentType)
			return req
		}
		// diary is a diary item created at the time.
		diary := func(created string) string {
			return `{"id": 1, "type": "diary", "owner": "0123456789abcdef0123456789abcdef", "title": "t", "description": "",
				"creation_date": "` + created + `", "modification_date": "2024-01-01T00:00:00Z",
				"__meta__": {"url": "http://x/-/diaries/1", "actions": []}}`
		}
		if err := d.checkResponse(request("GET", "/-/diaries/1", ""), response(200, "application/json"), []byte(diary("2024-01-01T00:00:00Z"))); err != nil {
			t.Fatalf("a valid diary: %v", err)
		}
		for _, c := range []struct {
			name string
			err  error
		}{
			{"undocumented path", d.checkResponse(request("GET", "/-/nowhere", ""), response(200, "application/json"), []byte(`{}`))},
			{"undocumented method", d.checkResponse(request("PATCH", "/-/login", ""), response(200, "application/json"), []byte(`{}`))},
			{"undocumented status", d.checkResponse(request("GET", "/-/login", ""), response(418, "application/json"), []byte(`{}`))},
			{"wrong media type", d.checkResponse(request("GET", "/-/login", ""), response(200, "text/html"), []byte(`<p>`))},
			{"body of the wrong schema", d.checkResponse(request("GET", "/-/login", ""), response(200, "application/json"), []byte(`{"authenticated": "yes"}`))},
			{"error of the wrong shape", d.checkResponse(request("GET", "/-/documents/1", ""), response(404, "application/json"), []byte(`{"status": "error"}`))},
			{"bad date-time", d.checkResponse(request("GET", "/-/diaries/1", ""), response(200, "application/json"), []byte(diary("yesterday")))},
			{"query parameter out of range", d.checkRequest(request("GET", "/-/documents?limit=0", ""), nil)},
			{"query parameter of the wrong type", d.checkRequest(request("GET", "/-/documents?limit=many", ""), nil)},
			{"missing required query parameter", d.checkRequest(request("GET", "/-/signup", ""), nil)},
			{"body of the wrong schema", d.checkRequest(request("PUT", "/-/login", "application/json"), []byte(`{"login": 1}`))},
			{"missing body", d.checkRequest(request("PUT", "/-/login", "application/json"), nil)},
		} {
			if c.err == nil {
				t.Errorf("%s: passed", c.name)
			}
		}
	})
}

// TestOpenAPITooLargeAndTooMany shows that every operation taking a body
// documents 413, that every documented 429 carries Retry-After, and that the
// real answers of a body too large and of a rate limit match the document.
func TestOpenAPITooLargeAndTooMany(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		raw := e.browser().get("/-/openapi.json").expect(http.StatusOK).body
		d := loadAPIDoc(t, raw)
		retryAfter := asObject(asObject(asObject(d.lookup("/components/responses/TooManyRequests"))["headers"])["Retry-After"])
		if retryAfter["required"] != true {
			t.Fatalf("429 response without a required Retry-After: %v", d.lookup("/components/responses/TooManyRequests"))
		}
		for path, item := range asObject(d.doc["paths"]) {
			for method, op := range asObject(item) {
				responses := asObject(asObject(op)["responses"])
				if asObject(op)["requestBody"] != nil && responses["413"] == nil {
					t.Errorf("%s %s takes a body and does not document 413", method, path)
				}
				if r := responses["429"]; r != nil && asObject(r)["$ref"] != "#/components/responses/TooManyRequests" {
					t.Errorf("%s %s documents a 429 without Retry-After: %v", method, path, r)
				}
			}
		}

		e.addUser("ann@example.com", pw, "", "")
		b := e.browser()
		b.login("ann@example.com", pw).expectSuccess()
		// send sends a request as ann, wants the status and checks the answer
		// against the document.
		send := func(method, path, contentType, body string, status int) *http.Response {
			t.Helper()
			req, err := http.NewRequest(method, e.url(path), strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", contentType)
			res, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != status {
				t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, status, data)
			}
			if err := d.checkResponse(req, res, data); err != nil {
				t.Fatal(err)
			}
			return res
		}
		huge := `{"x": "` + strings.Repeat("a", 4096) + `"}`
		send("PUT", "/-/logout", "application/json", huge, http.StatusRequestEntityTooLarge)
		send("PUT", "/-/userprofile", "application/json", huge, http.StatusRequestEntityTooLarge)
		send("POST", "/-/files?filename=a.txt", "text/plain", "first", http.StatusCreated)
		res := send("POST", "/-/files?filename=b.txt", "text/plain", "second", http.StatusTooManyRequests)
		if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 {
			t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
		}
		var files int
		if err := e.app.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM files").Scan(&files); err != nil || files != 1 {
			t.Fatalf("%d files stored after a refused upload (%v)", files, err)
		}
	}, func(c *backrest.Config) {
		c.BodyLimit = 1024
		c.RateLimits.UploadPerUser = backrest.Limit{Burst: 1, Per: time.Hour}
	})
}
