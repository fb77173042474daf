package http

import (
	"net/http"
	"strconv"
	"strings"
)

// route is one operation of the API: how it is served and how it is documented.
// The table of routes (routeTable) is the one list of them: the muxes serve it and
// the OpenAPI document describes it, so adding a route is adding one entry.
type route struct {
	// method and pattern are the ServeMux's: {name} is one path segment, and a
	// trailing {$} matches the path ending in / alone. The OpenAPI path is the
	// pattern without {$}.
	method, pattern string
	handler         func(http.ResponseWriter, *http.Request) error
	// file routes are served by the mux of single files, /-/NAME~ (see byFilePath).
	file bool
	doc  operation
}

// sessionTokenSchema and sessionExpiresSchema document the session token of the
// answers that carry it on request.
var (
	sessionTokenSchema   = m{"type": "string", "description": "The session token, for Authorization: Bearer (only when asked for)"}
	sessionExpiresSchema = m{"type": "string", "format": "date-time", "description": "When the session ends unless used (only with the token)"}
)

// routeTable lists every route of the API: the account calls, files, and for each
// content type its collection and items.
func (s *Server) routeTable() []route {
	token := pathParam("token", "The token of the mailed link", m{"type": "string"})
	email := object([]string{"email"})
	emailChange := object([]string{"email", "password"})
	rs := []route{
		{method: "GET", pattern: "/-/{$}", handler: s.appInfo, doc: operation{
			id: "getAppInfo", tag: tagApp, summary: "App info",
			description: "The version of the server, whether it runs in debug mode, and the caller's user when logged in.",
			responses:   answers(200, "The app's info", ref("AppInfo"))}},
		{method: "GET", pattern: "/-/openapi.json", handler: s.openAPI, doc: operation{
			id: "getOpenAPIDocument", tag: tagApp, summary: "This document",
			description: "The OpenAPI 3.1 document of the API, with the schemas of the content types.",
			responses:   answers(200, "The OpenAPI document", m{"type": "object"})}},

		{method: "GET", pattern: livePath, handler: s.live, doc: operation{
			id: "checkLiveness", tag: tagOperations, summary: "Liveness",
			description: "Answers as long as the process serves requests; checks nothing else. Cheap enough to poll every second.",
			responses:   answers(200, "The server is alive", ref("Success"))}},
		{method: "GET", pattern: readyPath, handler: s.ready, doc: operation{
			id: "checkReadiness", tag: tagOperations, summary: "Readiness",
			description: "Whether the server can serve: its database answers, its file store is there, and it is not shutting down. " +
				"503 lists every check that failed. Cheap enough to poll every second.",
			responses: withHeaders(answers(200, "The server is ready", ref("Success"), "503"), "503",
				m{"Retry-After": m{"description": "Seconds before asking again", "schema": m{"type": "integer"}}})}},

		{method: "POST", pattern: pathSignup, handler: s.signup, doc: operation{
			id: "signup", tag: tagAccounts, summary: "Sign up",
			description: "Creates an inactive user and mails a confirmation link; sets no session.",
			body:        jsonRequest(object([]string{"email", "password", "firstname", "lastname"}, "firstname", "lastname")),
			responses:   answers(200, "The mail is on its way", ref("Success"), "400", "413", "415", "429")}},
		{method: "GET", pattern: pathSignup, handler: s.confirmSignup, doc: operation{
			id: "confirmSignup", tag: tagAccounts, summary: "Confirm a sign-up",
			description: "The link of the confirmation mail: activates the user, logs them in (not when the link is followed from another site) and redirects to the sign-up target. With session=token (an app opening the link itself) it answers 200 with the user and the session's token instead, and sets no cookie.",
			params: []m{{"name": "token", "in": "query", "required": true, "description": "The token of the mailed link", "schema": m{"type": "string"}},
				{"name": "session", "in": "query", "description": "token: answer with the session's token in JSON instead of the redirect", "schema": m{"const": "token"}}},
			responses: merge(redirect("400", "403", "404"), answers(200, "Confirmed (with session=token)", m{"type": "object", "required": []string{"status"},
				"properties": m{"status": m{"const": "success"}, "user": ref("User"), "token": sessionTokenSchema, "expires": sessionExpiresSchema}}))}},
		{method: "PUT", pattern: "/-/login", handler: s.login, doc: operation{
			id: "login", tag: tagAccounts, summary: "Log in",
			description: "Checks the e-mail address (any case) and password, starts a session and sets its cookie. Wrong or inactive: 400. For a user with a second factor, no session starts: the answer is a pending login (status second_factor), which PUT /-/login/totp completes. With \"token\": true the answer also carries the session's token, to send as a bearer token.",
			body: jsonRequest(merge(object([]string{"login", "password"}), m{"properties": m{"login": m{"type": "string"}, "password": m{"type": "string"},
				"token": m{"type": "boolean", "description": "Answer with the session's token and its expiry"}}})),
			responses: answers(200, "Logged in, or waiting for the second factor", loginAnswer(), "400", "413", "415", "429")}},
		{method: "GET", pattern: "/-/login", handler: s.authInfo, doc: operation{
			id: "getAuthInfo", tag: tagAccounts, summary: "Authentication info",
			description: "Whether the caller is logged in, and if so their user.",
			responses: answers(200, "The caller's authentication", m{"oneOf": []any{
				m{"type": "object", "properties": m{"authenticated": m{"const": false}}, "required": []string{"authenticated"}},
				m{"allOf": []any{ref("User"), m{"type": "object", "properties": m{"authenticated": m{"const": true}}, "required": []string{"authenticated"}}}},
			}})}},
		{method: "PUT", pattern: "/-/logout", handler: s.logout, doc: operation{
			id: "logout", tag: tagAccounts, summary: "Log out",
			description: "Ends the caller's session, if any, and clears its cookie. The body may be empty.",
			body:        jsonRequest(m{"type": "object"}),
			responses:   answers(200, "Logged out", ref("Success"), "400", "413", "415")}},

		{method: "POST", pattern: pathReset + "{$}", handler: s.requestReset, doc: operation{
			id: "requestPasswordReset", tag: tagAccounts, summary: "Request a password reset mail",
			description: "Mails a reset link to the address when it belongs to an active user, and an unconfirmed address its confirmation link again; other addresses get the same answer and no mail.",
			body:        jsonRequest(email),
			responses:   answers(200, "The mail is on its way if the user exists", ref("Success"), "400", "413", "415", "429")}},
		{method: "POST", pattern: "/-/reset", handler: s.requestReset, doc: operation{
			id: "requestPasswordResetNoSlash", tag: tagAccounts, summary: "Request a password reset mail",
			description: "The same as POST /-/reset/.",
			body:        jsonRequest(email),
			responses:   answers(200, "The mail is on its way if the user exists", ref("Success"), "400", "413", "415", "429")}},
		{method: "GET", pattern: pathReset + "{token}", handler: s.resetRedirect, doc: operation{
			id: "followResetLink", tag: tagAccounts, summary: "Follow a reset link",
			description: "The link of the reset mail: redirects to the reset form with the token.",
			params:      []m{token},
			responses:   redirect("404")}},
		{method: "PUT", pattern: pathReset + "{token}", handler: s.reset, doc: operation{
			id: "resetPassword", tag: tagAccounts, summary: "Set a new password with a reset token",
			description: "Sets the password of the token's user and ends all of their sessions. The token works once.",
			params:      []m{token},
			body:        jsonRequest(object([]string{"password"})),
			responses:   answers(200, "The password is changed", ref("Success"), "400", "404", "413", "415")}},
		{method: "PUT", pattern: "/-/password", handler: s.changePassword, doc: operation{
			id: "changePassword", tag: tagAccounts, summary: "Change the password",
			description: "Changes the caller's password; the current one is required unless the user has none yet. The caller's other sessions end.",
			body:        jsonRequest(object([]string{"current", "password"}, "current")),
			responses:   answers(200, "The password is changed", ref("Success"), "400", "403", "413", "415")}},
		{method: "PUT", pattern: pathEmail + "{$}", handler: s.requestEmailChange, doc: operation{
			id: "requestEmailChange", tag: tagAccounts, summary: "Request an e-mail change",
			description: "Mails a confirmation link to the new address, after checking the password (none for a user who has none); the address changes when the link is followed.",
			body:        jsonRequest(emailChange),
			responses:   answers(200, "The mail is on its way", ref("Success"), "400", "403", "413", "415")}},
		{method: "PUT", pattern: "/-/email", handler: s.requestEmailChange, doc: operation{
			id: "requestEmailChangeNoSlash", tag: tagAccounts, summary: "Request an e-mail change",
			description: "The same as PUT /-/email/.",
			body:        jsonRequest(emailChange),
			responses:   answers(200, "The mail is on its way", ref("Success"), "400", "403", "413", "415")}},
		{method: "GET", pattern: pathEmail + "{token}", handler: s.confirmEmailChange, doc: operation{
			id: "confirmEmailChange", tag: tagAccounts, summary: "Confirm an e-mail change",
			description: "The link of the e-mail change mail, followed by the same user logged in: sets the new address, ends the user's other sessions and redirects.",
			params:      []m{token},
			responses:   redirect("400", "403", "404")}},

		{method: "GET", pattern: "/-/userprofile", handler: s.profile, doc: operation{
			id: "getProfile", tag: tagAccounts, summary: "Read a profile",
			description: "The caller's profile; admins may read another user's with ?email=.",
			params:      []m{{"name": "email", "in": "query", "description": "The address of the user to read (admins only)", "schema": m{"type": "string"}}},
			responses:   answers(200, "The user", ref("Profile"), "403", "404")}},
		{method: "PUT", pattern: "/-/userprofile", handler: s.updateProfile, doc: operation{
			id: "updateProfile", tag: tagAccounts, summary: "Change the profile",
			description: "Changes the caller's first and last names; only the keys sent change.",
			body:        jsonRequest(object([]string{"firstname", "lastname"}, "firstname", "lastname")),
			responses:   answers(200, "The profile is changed", ref("Success"), "400", "403", "413", "415")}},
		{method: "POST", pattern: "/-/userprofile", handler: s.deleteAccount, doc: operation{
			id: "deleteAccount", tag: tagAccounts, summary: "Delete the caller's account",
			description: "Deletes the caller's account and sessions after checking the password (none for a user who has none, who signs in with a provider or a passkey).",
			body:        jsonRequest(object([]string{"password"})),
			responses: answers(200, "The account is deleted", m{"type": "object", "properties": m{"message": m{"const": "goodbye"}}},
				"400", "403", "413", "415")}},

		{method: "POST", pattern: "/-/files", handler: s.upload, doc: operation{
			id: "uploadFile", tag: tagFiles, summary: "Upload a file",
			description: "Stores the raw body, named by Content-Disposition or ?filename=, or the first file of a multipart form. " +
				"The file stays the uploader's until content holds it.",
			params: []m{{"name": "filename", "in": "query", "description": "The file's name, when the body is raw", "schema": m{"type": "string"}}},
			body:   m{"required": true, "content": m{"*/*": m{"schema": binary()}}},
			responses: withHeaders(answers(201, "The stored file", ref("File"), "400", "403", "413", "429"),
				"201", m{"Location": m{"description": "The file's URL", "schema": m{"type": "string", "format": "uri"}}})}},
		{method: "GET", pattern: "/-/{file}", handler: s.download, file: true, doc: operation{
			id: "downloadFile", tag: tagFiles, summary: "Download a file",
			description: "The bytes of a file the caller may view, with its stored content type; supports ranges and conditional requests.",
			params:      []m{fileParam()},
			responses: merge(errorAnswers("403", "404"), m{
				"200": m{"description": "The bytes, with the stored content type", "content": m{"*/*": m{"schema": binary()}}},
				"206": m{"description": "The requested range", "content": m{"*/*": m{"schema": binary()}}},
			})}},
		{method: "DELETE", pattern: "/-/{file}", handler: s.deleteUpload, file: true, doc: operation{
			id: "deleteFile", tag: tagFiles, summary: "Delete an upload",
			description: "Deletes a file of the caller that no content holds.",
			params:      []m{fileParam()},
			responses:   answers(200, "The file is deleted", ref("Success"), "403", "404", "409")}},
	}
	rs = append(rs, s.deviceRouteTable()...)
	rs = append(rs, s.secondFactorRouteTable()...)
	rs = append(rs, s.signinRouteTable()...)
	rs = append(rs, s.adminRouteTable()...)
	rs = append(rs, s.webhookRouteTable()...)
	rs = append(rs, s.contentRouteTable()...)
	uniqueIDs(rs)
	return rs
}

// contentRouteTable lists the routes of content: the categories and, for each
// type, its collection and items.
func (s *Server) contentRouteTable() []route {
	if s.content == nil {
		return nil
	}
	rs := []route{{method: "GET", pattern: "/-/events", handler: s.events, doc: operation{
		id: "streamEvents", tag: tagContent, summary: "Stream the changes of items",
		description: "A stream of Server-Sent Events: `create` and `update` events carry the item as a GET of it gives it, " +
			"`delete` events its id and type, for the items of the types asked for that the caller may view when the event is sent. " +
			"Each event's id is its place in the event log: reconnecting with Last-Event-ID sends the events missed, " +
			"or a `reload` event when some have left the log (kept for the retention period). " +
			"A `session-ended` event ends the stream when the caller's session ends; a `profile-changed` event carries the caller's profile when it changes. Comment lines are heartbeats.",
		params: []m{
			{"name": "types", "in": "query", "required": true, "description": "The plural names of the types, separated by commas", "schema": m{"type": "string"}},
			{"name": "id", "in": "query", "description": "Only the item with this id", "schema": m{"type": "integer", "minimum": 1}},
			{"name": "Last-Event-ID", "in": "header", "description": "The id of the last event received, to resume after it", "schema": m{"type": "integer", "minimum": 0}},
			{"name": "lastEventId", "in": "query", "description": "As Last-Event-ID, for clients that cannot send headers; the header wins", "schema": m{"type": "integer", "minimum": 0}},
		},
		responses: merge(errorAnswers("400", "429"), m{
			"200": m{"description": "The stream of events", "content": m{"text/event-stream": m{"schema": m{"type": "string"}}}},
		})}},
		{method: "GET", pattern: "/-/categories", handler: s.categories, doc: operation{
			id: "listCategories", tag: tagContent, summary: "The categories",
			description: "The categories: those of a group and those of the items the caller may view, ordered by group (ungrouped first), then title.",
			responses:   answers(200, "The categories", m{"type": "array", "items": ref("Category")}, "403")}}}
	id := pathParam("id", "The item's id", m{"type": "integer", "minimum": 1})
	for _, t := range s.content.Types() {
		name, plural, schema := camel(t.Name), camel(t.Plural), schemaName(t.Name)
		coll, item := "/-/"+t.Plural, "/-/"+t.Plural+"/{id}"
		var params []m
		for _, p := range queryParameters(t) {
			params = append(params, m{"name": p.Name, "in": "query", "schema": p.Schema, "description": p.Description})
		}
		rs = append(rs,
			route{method: "GET", pattern: coll, handler: s.listItems(t), doc: operation{
				id: "list" + plural, tag: t.Plural, summary: "List " + t.Plural,
				description: "A page of the " + t.Plural + " the caller may view, newest first unless ?sort= says otherwise.",
				params:      params,
				responses: withHeaders(answers(200, "A page of "+t.Plural, m{"type": "array", "items": ref(schema)}, "400", "403"), "200", m{
					"X-Total-Count": m{"description": "The number of items over all pages, as counted for the first page (a page by cursor carries it); absent with total=false", "schema": m{"type": "integer"}},
					"Link":          m{"description": `The next page, by cursor: <URL>; rel="next"; absent on the last page`, "schema": m{"type": "string"}},
				})}},
			route{method: "POST", pattern: coll, handler: s.createItem(t), doc: operation{
				id: "create" + name, tag: t.Plural, summary: "Create " + article(t.Name),
				description: "Creates " + article(t.Name) + " owned by the caller.",
				body:        jsonRequest(ref(schema + "Create")),
				responses: withHeaders(answers(201, "The new "+t.Name, ref(schema), "400", "403", "413", "415"), "201",
					m{"Location": m{"description": "The item's URL", "schema": m{"type": "string", "format": "uri"}}})}},
			route{method: "GET", pattern: item, handler: s.getItem(t), doc: operation{
				id: "get" + name, tag: t.Plural, summary: "Read " + article(t.Name),
				description: "The " + t.Name + " of the id, if the caller may view it.",
				params: []m{id, {"name": expandParameter.Name, "in": "query", "schema": expandParameter.Schema,
					"description": expandParameter.Description}},
				responses: answers(200, "The "+t.Name, ref(schema), "400", "403", "404")}},
			route{method: "PUT", pattern: item, handler: s.updateItem(t), doc: operation{
				id: "update" + name, tag: t.Plural, summary: "Update " + article(t.Name),
				description: "Changes the keys sent and leaves the others as they are.",
				params:      []m{id},
				body:        jsonRequest(ref(schema + "Update")),
				responses:   answers(200, "The changed "+t.Name, ref(schema), "400", "403", "404", "413", "415")}},
			route{method: "DELETE", pattern: item, handler: s.deleteItem(t), doc: operation{
				id: "delete" + name, tag: t.Plural, summary: "Delete " + article(t.Name),
				description: "Deletes the " + t.Name + "; a GET of it then answers 404. The relation fields that hold it apply their on_delete rule: " +
					"restrict answers 409, cascade deletes the items that hold it, set_null clears them.",
				params:    []m{id},
				responses: answers(200, "The "+t.Name+" is deleted", ref("Deleted"), "403", "404", "409")}},
		)
	}
	return rs
}

// Tags group the operations of the document; each content type has its own, its
// plural.
const (
	tagApp      = "App"
	tagAccounts = "Accounts"
	tagFiles    = "Files"
	tagContent  = "Content"
	tagAdmin    = "Admin"
	// tagOperations are the calls of load balancers and orchestrators.
	tagOperations = "Operations"
)

// The paths of the health checks.
const (
	livePath  = "/-/health/live"
	readyPath = "/-/health/ready"
)

// tagDescription describes a tag of the document.
func (s *Server) tagDescription(tag string) string {
	switch tag {
	case tagApp:
		return "The server and this document"
	case tagAccounts:
		return "Sign-up, log-in, password reset, e-mail change and profiles"
	case tagFiles:
		return "Uploads and downloads of files"
	case tagContent:
		return "What all content types share"
	case tagAdmin:
		return "Users, files, counts and webhooks, for admins"
	case tagOperations:
		return "Health checks for load balancers and orchestrators"
	}
	if s.content != nil {
		if t := s.content.TypeByPlural(tag); t != nil && t.Description != "" {
			return t.Description
		} else if t != nil {
			return "The items of type " + t.Name
		}
	}
	return ""
}

// uniqueIDs makes the operationIds of the routes unique: a content type whose
// name makes the id of an earlier route gets a number after it.
func uniqueIDs(rs []route) {
	seen := make(map[string]bool, len(rs))
	for i := range rs {
		id := rs[i].doc.id
		for n := 2; seen[id]; n++ {
			id = rs[i].doc.id + strconv.Itoa(n)
		}
		rs[i].doc.id = id
		seen[id] = true
	}
}

// camel turns a name of lower-case words joined by _ or - into CamelCase.
func camel(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// article puts "a" or "an" before a type name.
func article(name string) string {
	if strings.ContainsRune("aeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// routes registers the routes of the table served by the API's mux, and the
// answers of the paths that no route takes.
func (s *Server) routes(mux *http.ServeMux) {
	for _, r := range s.routeTable() {
		if !r.file {
			mux.Handle(r.method+" "+r.pattern, routed(r.pattern, s.handle(r.handler)))
		}
	}
	mux.Handle("/-/", routed("/-/", apiFallback(mux)))
	for _, p := range s.pageTable() {
		mux.Handle(p.pattern, routed(p.pattern, p.handler))
	}
	if s.cfg.Public != "" {
		mux.Handle("/", routed("/", staticFiles(s.cfg.Public)))
	} else {
		mux.Handle("/", routed("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeStatusError(w, http.StatusNotFound, "")
		})))
	}
}

// fileRoutes registers the routes of single files, /-/UUID~. They have a mux of
// their own, which byFilePath consults for such paths only: a ServeMux wildcard is
// a whole path segment, so a pattern /-/{file} in the main mux would also take
// every other /-/NAME path (and clash with collection routes such as /-/{type}).
func (s *Server) fileRoutes(mux *http.ServeMux) {
	for _, r := range s.routeTable() {
		if r.file {
			mux.Handle(r.method+" "+r.pattern, routed(r.pattern, s.handle(r.handler)))
		}
	}
	mux.Handle("/-/", routed("/-/", apiFallback(mux)))
}

// byFilePath sends the requests for /-/NAME~ (one path segment ending with a
// tilde: a file) to files, and all others to api.
func byFilePath(files, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/-/")
		if ok && len(name) > 1 && strings.HasSuffix(name, "~") && !strings.Contains(name, "/") {
			files.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
