package http_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// TestOpenAPI checks the OpenAPI document with a validator of OpenAPI 3.1
// documents, then checks real requests and responses of the content types, the
// accounts and the errors against it.
func TestOpenAPI(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		raw := e.browser().get("/-/openapi.json").expect(200).body
		doc, err := libopenapi.NewDocument(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := doc.BuildV3Model(); err != nil {
			t.Fatalf("building the model: %v", err)
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			t.Fatalf("validator: %v", errs)
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, ve := range verrs {
				t.Errorf("%s: %s (%s)", ve.Message, ve.Reason, ve.SpecPath)
			}
			t.FailNow()
		}
		for _, want := range []string{`"/-/documents/{id}"`, `"/-/foos"`, `"/-/diaries"`, `"TypeDocument"`, `"/-/login"`, `"/-/categories"`, `"rank"`} {
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("document lacks %s", want)
			}
		}

		// check sends a request as alice and validates it and its response.
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
			res.Body = io.NopCloser(bytes.NewReader(data))
			req.Body = io.NopCloser(strings.NewReader(body))
			validate := v.ValidateHttpRequestResponse
			if status >= 400 {
				// The request is wrong on purpose: check the error response only.
				validate = v.ValidateHttpResponse
			}
			if ok, verrs := validate(req, res); !ok {
				for _, ve := range verrs {
					t.Errorf("%s %s: %s: %s", method, path, ve.Message, ve.Reason)
				}
				t.FailNow()
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
	})
}
