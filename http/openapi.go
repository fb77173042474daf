package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

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

// answer is a response with a description and a JSON body.
func answer(description string, schema m) m {
	return m{"description": description, "content": m{"application/json": m{"schema": schema}}}
}

// errorAnswers are the error responses of an operation: the statuses given and
// those every call may answer. A 429 (rate limited) carries Retry-After.
func errorAnswers(statuses ...string) m {
	out := m{"500": m{"$ref": "#/components/responses/Error"}}
	for _, s := range statuses {
		if s == "429" {
			out[s] = m{"$ref": "#/components/responses/TooManyRequests"}
			continue
		}
		out[s] = m{"$ref": "#/components/responses/Error"}
	}
	return out
}

// tooManyRequests is the response of a rate-limited call: the error and the
// seconds to wait.
func tooManyRequests() m {
	r := answer("Too many requests: the caller is rate limited", ref("Error"))
	r["headers"] = m{"Retry-After": m{"description": "Seconds to wait before asking again", "required": true,
		"schema": m{"type": "integer", "minimum": 1}}}
	return r
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

// operation documents a route in the OpenAPI document.
type operation struct {
	// id is the operationId: unique and camelCase, as client generators name their
	// methods after it.
	id string
	// tag groups the operation: one of the tag constants or a content type's plural.
	tag, summary, description string
	params                    []m
	// body is the request body object; nil when the route takes none.
	body      m
	responses m
}

// object returns the operation object of the document.
func (o operation) object() m {
	out := m{"operationId": o.id, "tags": []string{o.tag}, "summary": o.summary,
		"description": o.description, "responses": o.responses}
	if len(o.params) > 0 {
		out["parameters"] = o.params
	}
	if o.body != nil {
		out["requestBody"] = o.body
	}
	return out
}

// jsonRequest is a required JSON request body of the schema.
func jsonRequest(schema m) m {
	return m{"required": true, "content": m{"application/json": m{"schema": schema}}}
}

// answers are the responses of an operation: the status of success with its
// description and schema, and the error statuses.
func answers(status int, description string, schema m, errs ...string) m {
	out := errorAnswers(errs...)
	out[strconv.Itoa(status)] = answer(description, schema)
	return out
}

// redirect are the responses of an operation that redirects, and its errors.
func redirect(errs ...string) m {
	out := errorAnswers(errs...)
	out["302"] = m{"description": "Redirect", "headers": m{"Location": m{"description": "The target", "schema": m{"type": "string"}}}}
	return out
}

// withHeaders adds headers to the response of a status.
func withHeaders(responses m, status string, headers m) m {
	responses[status].(m)["headers"] = headers
	return responses
}

// merge returns a with the keys of b added.
func merge(a, b m) m {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// pathParam is a parameter in the path.
func pathParam(name, description string, schema m) m {
	return m{"name": name, "in": "path", "required": true, "description": description, "schema": schema}
}

// fileParam is the path parameter of a single file.
func fileParam() m {
	return pathParam("file", "The file's uuid followed by ~", m{"type": "string", "pattern": "^[0-9a-f]{32}~$"})
}

// binary is the schema of raw bytes.
func binary() m { return m{"type": "string", "contentMediaType": "application/octet-stream"} }

// openAPIPath is the path of the document for a mux pattern.
func openAPIPath(pattern string) string { return strings.TrimSuffix(pattern, "{$}") }

// openAPIDocument builds the OpenAPI document from the table of routes, with the
// schemas of the content types.
func (s *Server) openAPIDocument() m {
	paths := m{}
	var tags []m
	for _, r := range s.routeTable() {
		p := openAPIPath(r.pattern)
		item, ok := paths[p].(m)
		if !ok {
			item = m{}
			paths[p] = item
		}
		item[strings.ToLower(r.method)] = r.doc.object()
		if !slices.ContainsFunc(tags, func(t m) bool { return t["name"] == r.doc.tag }) {
			tags = append(tags, m{"name": r.doc.tag, "description": s.tagDescription(r.doc.tag)})
		}
	}
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
		"Profile": m{"description": "A user's profile: the user, and whether it has a password", "allOf": []any{ref("User"),
			m{"type": "object", "required": []string{"has_password"}, "properties": m{"has_password": m{"type": "boolean",
				"description": "Whether the user has a password; one who signed up with a provider or a passkey has none until setting one, and gives none to confirm a change"}}}}},
		"Identity": m{"type": "object", "description": "An identity at an OpenID Connect provider, linked to the user",
			"required": []string{"id", "provider", "subject", "email", "created"}, "properties": m{
				"id": m{"type": "integer"}, "provider": m{"type": "string"}, "subject": m{"type": "string", "description": "The provider's id of the account"},
				"email": m{"type": "string", "description": "The address the provider gave when it was linked"}, "created": m{"type": "string", "format": "date-time"},
			}},
		"Passkey": m{"type": "object", "description": "A passkey (WebAuthn credential) of the user",
			"required": []string{"id", "name", "created", "last_used"}, "properties": m{
				"id": m{"type": "integer"}, "name": m{"type": "string"}, "created": m{"type": "string", "format": "date-time"},
				"last_used": m{"type": []string{"string", "null"}, "format": "date-time"},
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
	adminSchemas(schemas)
	deviceSchemas(schemas)
	secondFactorSchemas(schemas)
	if s.webhooks != nil {
		webhookSchemas(schemas)
	}
	if s.content != nil {
		s.contentSchemas(schemas)
	}
	return m{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": m{"title": "backrest", "version": backrest.Version,
			"description": "A ready-made JSON backend: accounts, content collections and files.",
			"contact":     m{"url": s.cfg.BaseURL}},
		"servers": []any{m{"url": s.cfg.BaseURL}},
		"tags":    tags,
		"paths":   paths,
		"components": m{
			"schemas":   schemas,
			"responses": m{"Error": answer("Error", ref("Error")), "TooManyRequests": tooManyRequests()},
			"securitySchemes": m{
				"session": m{"type": "apiKey", "in": "cookie", "name": SessionCookie},
				"bearer":  m{"type": "http", "scheme": "bearer"},
			},
		},
		"security": []any{m{}, m{"session": []any{}}, m{"bearer": []any{}}},
	}
}

// contentSchemas adds the schemas of the content types and of what they share.
func (s *Server) contentSchemas(schemas m) {
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
	for _, t := range s.content.Types() {
		name := schemaName(t.Name)
		schemas[name] = itemSchema(t, s.content.BackRelations(t))
		schemas[name+"Create"] = inputSchema(t, true)
		schemas[name+"Update"] = inputSchema(t, false)
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
