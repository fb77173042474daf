package http_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRoutesDocumented checks that the real handler serves exactly the operations
// of the OpenAPI document: for every documented path, a method that no route takes
// is refused with 405 and an Allow header that lists the methods the mux serves
// there, which must be the documented ones. Every operation has a unique
// camelCase operationId, a summary, a description and a tag the document
// describes.
func TestRoutesDocumented(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		raw := e.browser().get("/-/openapi.json").expect(200).body
		doc := loadAPIDoc(t, raw).doc
		tags := map[string]bool{}
		for _, tag := range asArray(doc["tags"]) {
			if asObject(tag)["description"] == "" {
				t.Errorf("tag %v has no description", asObject(tag)["name"])
			}
			tags[asObject(tag)["name"].(string)] = true
		}
		ids := map[string]string{}
		camel := regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
		paths := asObject(doc["paths"])
		if len(paths) < 20 {
			t.Fatalf("only %d paths", len(paths))
		}
		for path, item := range paths {
			var documented []string
			for method, op := range asObject(item) {
				method = strings.ToUpper(method)
				documented = append(documented, method)
				if method == "GET" {
					documented = append(documented, "HEAD")
				}
				op := asObject(op)
				id, _ := op["operationId"].(string)
				if !camel.MatchString(id) {
					t.Errorf("%s %s: operationId %q is not camelCase", method, path, id)
				}
				if other, ok := ids[id]; ok {
					t.Errorf("%s %s: operationId %q is also %s's", method, path, id, other)
				}
				ids[id] = method + " " + path
				for _, key := range []string{"summary", "description"} {
					if s, _ := op[key].(string); s == "" {
						t.Errorf("%s %s: no %s", method, path, key)
					}
				}
				opTags := asArray(op["tags"])
				if len(opTags) == 0 {
					t.Errorf("%s %s: no tag", method, path)
				}
				for _, tag := range opTags {
					if !tags[tag.(string)] {
						t.Errorf("%s %s: tag %v is not described", method, path, tag)
					}
				}
			}

			concrete := pathParamRE.ReplaceAllStringFunc(path, func(p string) string {
				switch p {
				case "{id}":
					return "1"
				case "{file}":
					return strings.Repeat("0a", 16) + "~"
				}
				return "some-token"
			})
			req, err := http.NewRequest("TRACE", e.url(concrete), nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("TRACE %s: status %d, want 405", concrete, res.StatusCode)
				continue
			}
			served := strings.Split(res.Header.Get("Allow"), ", ")
			slices.Sort(served)
			slices.Sort(documented)
			if !slices.Equal(served, documented) {
				t.Errorf("%s: served %v, documented %v", path, served, documented)
			}
		}
	})
}

// TestRoutesFromTable checks that the muxes take their routes from the tables
// alone: the only calls of Handle in the package are those of routes and
// fileRoutes, and they register a route of the table, a page of the page table,
// or one of the fallbacks of paths that no route takes.
func TestRoutesFromTable(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	calls := 0
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
					return true
				}
				calls++
				where := fset.Position(call.Pos()).String()
				if fn.Name.Name != "routes" && fn.Name.Name != "fileRoutes" {
					t.Errorf("%s: %s registers a route outside the table", where, fn.Name.Name)
					return true
				}
				switch arg := call.Args[0].(type) {
				case *ast.BinaryExpr:
					if types.ExprString(arg) != `r.method + " " + r.pattern` {
						t.Errorf("%s: pattern %s is not a route of the table", where, types.ExprString(arg))
					}
				case *ast.SelectorExpr:
					if types.ExprString(arg) != "p.pattern" {
						t.Errorf("%s: pattern %s is not a page of the table", where, types.ExprString(arg))
					}
				case *ast.BasicLit:
					if p, _ := strconv.Unquote(arg.Value); p != "/-/" && p != "/" {
						t.Errorf("%s: pattern %s is not in the table", where, arg.Value)
					}
				default:
					t.Errorf("%s: a pattern that is not from the table", where)
				}
				return true
			})
		}
	}
	if calls == 0 {
		t.Fatal("found no route registration")
	}
}

// TestOperationIDsUnique checks that a content type whose name gives the
// operationId of another route gets one of its own.
func TestOperationIDsUnique(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		doc := loadAPIDoc(t, e.browser().get("/-/openapi.json").expect(200).body)
		for _, c := range []struct{ ptr, id string }{
			{"/paths/~1-~1userprofile/get", "getProfile"},
			{"/paths/~1-~1profiles~1{id}/get", "getProfile2"},
			{"/paths/~1-~1userprofile/post", "deleteAccount"},
			{"/paths/~1-~1accounts~1{id}/delete", "deleteAccount2"},
			{"/paths/~1-~1accounts/get", "listAccounts"},
		} {
			if id := asObject(doc.lookup(c.ptr))["operationId"]; id != c.id {
				t.Errorf("%s: operationId %v, want %s", c.ptr, id, c.id)
			}
		}
	}, withSchema(t, `{"types": [{"name": "profile"}, {"name": "account"}]}`))
}
