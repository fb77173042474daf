package http

import (
	"net/http"
	"slices"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/content"
)

// openAPI answers GET /-/openapi.json with the OpenAPI 3.1 document of the API.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.openAPIDocument())
	return nil
}

// m is a JSON object of the document.
type m = map[string]any

// ref returns a reference to a schema of the components.
func ref(name string) m { return m{"$ref": "#/components/schemas/" + name} }

// jsonBody is a JSON request or response body of the schema.
func jsonBody(schema m) m { return m{"content": m{"application/json": m{"schema": schema}}} }

// answer is a response with a description and a JSON body.
func answer(description string, schema m) m {
	r := jsonBody(schema)
	r["description"] = description
	return r
}

// errorAnswers are the error responses of an operation: the statuses given and
// those every call may answer.
func errorAnswers(statuses ...string) m {
	out := m{"500": m{"$ref": "#/components/responses/Error"}}
	for _, s := range statuses {
		out[s] = m{"$ref": "#/components/responses/Error"}
	}
	return out
}

// op is an operation answering 200 with the schema.
func op(summary string, body m, ok m, errs ...string) m {
	res := errorAnswers(errs...)
	res["200"] = answer("Success", ok)
	o := m{"summary": summary, "responses": res}
	if body != nil {
		o["requestBody"] = m{"required": true, "content": m{"application/json": m{"schema": body}}}
	}
	return o
}

// object is an object schema with string properties, all required unless listed
// as optional.
func object(props []string, optional ...string) m {
	p := m{}
	var req []string
	for _, name := range props {
		p[name] = m{"type": "string"}
		if !slices.Contains(optional, name) {
			req = append(req, name)
		}
	}
	o := m{"type": "object", "properties": p}
	if len(req) > 0 {
		o["required"] = req
	}
	return o
}

// openAPIDocument builds the OpenAPI document from the routes' definitions: the
// account calls and, for each content type, its collection and items with the
// schemas of its fields.
func (s *Server) openAPIDocument() m {
	success := ref("Success")
	redirect := m{"302": m{"description": "Redirect", "headers": m{"Location": m{"schema": m{"type": "string"}}}}}
	withRedirect := func(o m) m {
		for k, v := range redirect {
			o["responses"].(m)[k] = v
		}
		delete(o["responses"].(m), "200")
		return o
	}
	token := m{"name": "token", "in": "path", "required": true, "schema": m{"type": "string"}}
	paths := m{
		"/-/": m{"get": op("App info", nil, ref("AppInfo"))},
		"/-/signup": m{
			"post": op("Sign up: creates an inactive user and mails a confirmation link", object([]string{"email", "password", "firstname", "lastname"}, "firstname", "lastname"), success, "400", "413", "415", "429"),
			"get": withRedirect(m{"summary": "Confirm a sign-up: activates the user, logs them in (not when followed from another site) and redirects",
				"parameters": []any{m{"name": "token", "in": "query", "required": true, "schema": m{"type": "string"}}},
				"responses":  errorAnswers("403", "404")}),
		},
		"/-/login": m{
			"put": op("Log in", object([]string{"login", "password"}), m{"type": "object", "properties": m{"status": m{"const": "success"}, "user": ref("User")}, "required": []string{"status", "user"}}, "400", "413", "415", "429"),
			"get": op("Authentication info", nil, m{"oneOf": []any{
				m{"type": "object", "properties": m{"authenticated": m{"const": false}}, "required": []string{"authenticated"}},
				m{"allOf": []any{ref("User"), m{"type": "object", "properties": m{"authenticated": m{"const": true}}, "required": []string{"authenticated"}}}},
			}}),
		},
		"/-/logout":   m{"put": op("Log out", m{"type": "object"}, success)},
		"/-/reset/":   m{"post": op("Request a password reset mail (an unconfirmed address gets its confirmation link again)", object([]string{"email"}), success, "400", "413", "415", "429")},
		"/-/reset":    m{"post": op("Request a password reset mail (an unconfirmed address gets its confirmation link again)", object([]string{"email"}), success, "400", "413", "415", "429")},
		"/-/password": m{"put": op("Change the password", object([]string{"current", "password"}, "current"), success, "400", "403", "413", "415")},
		"/-/email/":   m{"put": op("Request an e-mail change", object([]string{"email", "password"}), success, "400", "403", "413", "415")},
		"/-/email":    m{"put": op("Request an e-mail change", object([]string{"email", "password"}), success, "400", "403", "413", "415")},
		"/-/reset/{token}": m{
			"parameters": []any{token},
			"get":        withRedirect(m{"summary": "Follow a reset link: redirects to the reset form", "responses": errorAnswers("404")}),
			"put":        op("Set a new password with a reset token", object([]string{"password"}), success, "400", "404", "413", "415"),
		},
		"/-/email/{token}": m{
			"parameters": []any{token},
			"get":        withRedirect(m{"summary": "Confirm an e-mail change; the user's other sessions end", "responses": errorAnswers("400", "403", "404")}),
		},
		"/-/userprofile": m{
			"get": func() m {
				o := op("The caller's profile; admins may pass ?email=", nil, ref("User"), "403", "404")
				o["parameters"] = []any{m{"name": "email", "in": "query", "schema": m{"type": "string"}}}
				return o
			}(),
			"put":  op("Change the profile", object([]string{"firstname", "lastname"}, "firstname", "lastname"), success, "400", "403", "413", "415"),
			"post": op("Delete the caller's account", object([]string{"password"}), m{"type": "object", "properties": m{"message": m{"const": "goodbye"}}}, "400", "403", "413", "415"),
		},
		"/-/openapi.json": m{"get": op("This document", nil, m{"type": "object"})},
	}
	s.filesOpenAPI(paths)
	schemas := m{
		"Error": m{"type": "object", "required": []string{"status", "errors"}, "properties": m{
			"status": m{"const": "error"},
			"errors": m{"type": "array", "items": m{"type": "object", "required": []string{"location", "name", "description"}, "properties": m{
				"location":    m{"enum": []any{"body", "querystring", "path", "header", "cookie"}},
				"name":        m{"type": "string"},
				"description": m{"type": "string"},
			}}},
		}},
		"Success": m{"type": "object", "required": []string{"status"}, "properties": m{"status": m{"const": "success"}}},
		"User": m{"type": "object", "required": []string{"id", "short_id", "email", "firstname", "lastname", "roles"}, "properties": m{
			"id": m{"type": "string", "pattern": "^[0-9a-f]{32}$"}, "short_id": m{"type": "string"}, "email": m{"type": "string"},
			"firstname": m{"type": "string"}, "lastname": m{"type": "string"}, "roles": m{"type": "array", "items": m{"type": "string"}},
		}},
		"AppInfo": m{"type": "object", "required": []string{"version", "debug", "authenticated"}, "properties": m{
			"version": m{"type": "string"}, "debug": m{"type": "boolean"}, "authenticated": m{"type": "boolean"}, "user": ref("User"),
		}},
		"Meta": m{"type": "object", "required": []string{"url", "actions"}, "properties": m{
			"url":     m{"type": "string", "format": "uri"},
			"actions": m{"type": "array", "items": m{"enum": []any{content.ActionView, content.ActionEdit, content.ActionDelete}}},
		}},
		"Deleted": m{"type": "object", "maxProperties": 0},
		"File": m{"type": "object", "description": "A stored file", "required": []string{"id", "uuid", "filename", "mimetype", "size", "url"},
			"properties": m{
				"id": m{"type": "integer"}, "uuid": m{"type": "string"}, "filename": m{"type": "string"},
				"mimetype": m{"type": "string"}, "size": m{"type": "integer"}, "url": m{"type": "string", "format": "uri"},
			}},
	}
	if s.content != nil {
		s.contentOpenAPI(paths, schemas)
	}
	return m{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": m{"title": "backrest", "version": backrest.Version,
			"description": "A ready-made JSON backend: accounts, content collections and files."},
		"servers": []any{m{"url": s.cfg.BaseURL}},
		"paths":   paths,
		"components": m{
			"schemas":   schemas,
			"responses": m{"Error": answer("Error", ref("Error"))},
			"securitySchemes": m{
				"session": m{"type": "apiKey", "in": "cookie", "name": SessionCookie},
				"bearer":  m{"type": "http", "scheme": "bearer"},
			},
		},
		"security": []any{m{}, m{"session": []any{}}, m{"bearer": []any{}}},
	}
}

// filesOpenAPI adds the paths of files: uploads and downloads.
func (s *Server) filesOpenAPI(paths m) {
	binary := m{"type": "string", "contentMediaType": "application/octet-stream"}
	upload := op("Upload a file: the raw body, named by Content-Disposition or ?filename=, or a multipart form",
		nil, ref("File"), "400", "403", "413")
	upload["requestBody"] = m{"required": true, "content": m{"*/*": m{"schema": binary}}}
	upload["parameters"] = []any{m{"name": "filename", "in": "query", "schema": m{"type": "string"}}}
	res := upload["responses"].(m)
	res["201"] = res["200"]
	delete(res, "200")
	file := m{"name": "file", "in": "path", "required": true, "description": "The file's uuid followed by ~",
		"schema": m{"type": "string", "pattern": "^[0-9a-f]{32}~$"}}
	download := op("Download a file, with Range support", nil, nil, "403", "404")
	download["responses"].(m)["200"] = m{"description": "The bytes, with the stored content type",
		"content": m{"*/*": m{"schema": binary}}}
	download["responses"].(m)["206"] = m{"description": "The requested range", "content": m{"*/*": m{"schema": binary}}}
	paths["/-/files"] = m{"post": upload}
	paths["/-/{file}"] = m{"parameters": []any{file}, "get": download,
		"delete": op("Delete an upload that no content holds", nil, ref("Success"), "403", "404", "409")}
}

// contentOpenAPI adds the paths and schemas of the content types.
func (s *Server) contentOpenAPI(paths, schemas m) {
	schemas["FileInput"] = m{"oneOf": []any{
		m{"type": "object", "required": []string{"data"}, "properties": m{
			"data":     m{"type": "string", "description": "A data URL: data:MIME;base64,…"},
			"filename": m{"type": "string"},
		}},
		m{"type": "integer", "description": "The id of a file the caller uploaded before"},
	}}
	schemas["Category"] = m{"type": "object", "required": []string{"title", "group"}, "properties": m{
		"title": m{"type": "string"}, "group": m{"type": []string{"string", "null"}},
	}}
	paths["/-/categories"] = m{"get": op("The categories, with their groups", nil, m{"type": "array", "items": ref("Category")}, "403")}
	id := m{"name": "id", "in": "path", "required": true, "schema": m{"type": "integer", "minimum": 1}}
	for _, t := range s.content.Types() {
		name := schemaName(t.Name)
		schemas[name] = t.Schema()
		schemas[name+"Create"] = t.InputSchema(true)
		schemas[name+"Update"] = t.InputSchema(false)
		var params []any
		for _, p := range t.QueryParameters() {
			params = append(params, m{"name": p.Name, "in": "query", "schema": p.Schema, "description": p.Description})
		}
		list := op("List "+t.Plural+", newest first", nil, m{"type": "array", "items": ref(name)}, "400", "403")
		list["parameters"] = params
		list["responses"].(m)["200"].(m)["headers"] = m{
			"X-Total-Count": m{"description": "The number of items over all pages", "schema": m{"type": "integer"}},
			"Link":          m{"description": `The next page: <URL>; rel="next"`, "schema": m{"type": "string"}},
		}
		create := op("Create a "+t.Name, ref(name+"Create"), ref(name), "400", "403", "413", "415")
		res := create["responses"].(m)
		res["201"] = res["200"]
		delete(res, "200")
		paths["/-/"+t.Plural] = m{"get": list, "post": create}
		paths["/-/"+t.Plural+"/{id}"] = m{
			"parameters": []any{id},
			"get":        op("Read a "+t.Name, nil, ref(name), "403", "404"),
			"put":        op("Update a "+t.Name+": only the keys sent change", ref(name+"Update"), ref(name), "400", "403", "404", "413", "415"),
			"delete":     op("Delete a "+t.Name, nil, ref("Deleted"), "403", "404"),
		}
	}
}

// schemaName is the component name of a type's schema: its name with an initial
// capital and without underscores.
func schemaName(typeName string) string {
	var b []byte
	up := true
	for i := 0; i < len(typeName); i++ {
		c := typeName[i]
		if c == '_' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b = append(b, c)
	}
	return "Type" + string(b)
}
