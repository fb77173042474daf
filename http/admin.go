package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/content"
)

// The admin API, /-/admin/: users, files and counts, for the role admin only.

// admin returns the caller when they have the role admin, else EFORBIDDEN: the
// admin API refuses others before it looks at their input.
func (s *Server) admin(r *http.Request) (*backrest.User, error) {
	caller, err := s.caller(r)
	if err != nil {
		return nil, err
	}
	return caller, account.RequireAdmin(caller)
}

// adminUserJSON is the representation of a user in the admin API.
type adminUserJSON struct {
	backrest.UserJSON
	Active bool `json:"active"`
	// Pending is true for a sign-up that was never confirmed.
	Pending  bool           `json:"pending"`
	Created  string         `json:"created"`
	Modified string         `json:"modified"`
	Meta     map[string]any `json:"__meta__"`
}

// rfc3339Micro renders the times of the admin API: RFC 3339 in UTC, to the
// microsecond that the database keeps.
const rfc3339Micro = "2006-01-02T15:04:05.999999Z07:00"

// adminUserURL is the absolute URL of a user in the admin API.
func (s *Server) adminUserURL(id backrest.UserID) string {
	return s.base() + "/-/admin/users/" + id.String()
}

// adminUser returns the admin API representation of u.
func (s *Server) adminUser(u *backrest.User) adminUserJSON {
	return adminUserJSON{UserJSON: u.JSON(), Active: u.Active, Pending: u.Pending(),
		Created: u.Created.UTC().Format(rfc3339Micro), Modified: u.Modified.UTC().Format(rfc3339Micro),
		Meta: map[string]any{"url": s.adminUserURL(u.ID)}}
}

// pathUserID parses the {id} of a user path; anything but a user id is 404.
func pathUserID(r *http.Request) (backrest.UserID, error) {
	id, ok := backrest.ParseUserID(r.PathValue("id"))
	if !ok {
		return id, backrest.Errorf(backrest.ENOTFOUND, "User not found")
	}
	return id, nil
}

// adminAndUser returns the admin making r (see admin) and the id of the user its path names.
func (s *Server) adminAndUser(r *http.Request) (*backrest.User, backrest.UserID, error) {
	caller, err := s.admin(r)
	if err != nil {
		return nil, backrest.UserID{}, err
	}
	id, err := pathUserID(r)
	return caller, id, err
}

// queryParams parses the query string of an admin list: its limit and offset, and
// the values of the other parameters it knows (given once each). Unknown
// parameters are ignored; bad ones are reported together.
func queryParams(r *http.Request, v *backrest.Validation, names ...string) (vals map[string]string, limit, offset int) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		v.Add("querystring", "query", "Malformed query string")
		return nil, 0, 0
	}
	vals = map[string]string{}
	for _, name := range append([]string{"limit", "offset"}, names...) {
		vs, ok := params[name]
		if !ok {
			continue
		}
		if len(vs) != 1 {
			v.Add("querystring", name, "Give this parameter once")
			continue
		}
		vals[name] = vs[0]
	}
	limit = account.DefaultPageLimit
	if s, ok := vals["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > account.MaxPageLimit {
			v.Add("querystring", "limit", fmt.Sprintf("Must be a whole number from 1 to %d", account.MaxPageLimit))
		}
		limit = n
	}
	if s, ok := vals["offset"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			v.Add("querystring", "offset", "Must be a whole number, 0 or more")
		}
		offset = n
	}
	return vals, limit, offset
}

// pageHeaders sets X-Total-Count and, when more follows, the Link to the next page.
func (s *Server) pageHeaders(w http.ResponseWriter, r *http.Request, total int64, limit, offset, n int) {
	w.Header().Set("X-Total-Count", strconv.FormatInt(total, 10))
	if next := offset + n; n == limit && int64(next) < total {
		params, _ := url.ParseQuery(r.URL.RawQuery) // parsed before
		params.Set("offset", strconv.Itoa(next))
		w.Header().Set("Link", "<"+s.base()+r.URL.Path+"?"+params.Encode()+`>; rel="next"`)
	}
}

// adminListUsers answers GET /-/admin/users.
func (s *Server) adminListUsers(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	var v backrest.Validation
	vals, limit, offset := queryParams(r, &v, "q", "role", "active")
	q := account.UserQuery{Q: vals["q"], Role: vals["role"], Limit: limit, Offset: offset}
	if a, ok := vals["active"]; ok {
		b := a == "true"
		if !b && a != "false" {
			v.Add("querystring", "active", "Must be true or false")
		}
		q.Active = &b
	}
	if err := v.Err(); err != nil {
		return err
	}
	users, total, err := s.accounts.ListUsers(r.Context(), caller, q)
	if err != nil {
		return err
	}
	out := make([]adminUserJSON, len(users))
	for i, u := range users {
		out[i] = s.adminUser(u)
	}
	s.pageHeaders(w, r, total, limit, offset, len(users))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// bool returns the boolean field name, nil when absent or null. A value of another
// type is recorded as invalid.
func (b *body) bool(name string) *bool {
	raw, ok := b.fields[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		b.v.Body(name, "Must be true or false")
		return nil
	}
	return &v
}

// stringList returns the field name, an array of strings, nil when absent or null. A
// value of another type is recorded as invalid.
func (b *body) stringList(name string) *[]string {
	raw, ok := b.fields[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	var v []string
	if err := json.Unmarshal(raw, &v); err != nil {
		b.v.Body(name, "Must be an array of strings")
		return nil
	}
	if v == nil {
		v = []string{}
	}
	return &v
}

// adminCreateUser answers POST /-/admin/users.
func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	b, err := s.decode(r)
	if err != nil {
		return err
	}
	n := account.NewUserByAdmin{Email: b.String("email"), Password: b.String("password"),
		Firstname: b.String("firstname"), Lastname: b.String("lastname"), Active: b.bool("active")}
	if roles := b.stringList("roles"); roles != nil {
		n.Roles = *roles
	}
	if send := b.bool("send_reset"); send != nil {
		n.SendReset = *send
	}
	if err := b.Err(); err != nil {
		return err
	}
	u, err := s.accounts.CreateUser(r.Context(), caller, n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.adminUserURL(u.ID))
	writeJSON(w, http.StatusCreated, s.adminUser(u))
	return nil
}

// adminGetUser answers GET /-/admin/users/{id}.
func (s *Server) adminGetUser(w http.ResponseWriter, r *http.Request) error {
	caller, id, err := s.adminAndUser(r)
	if err != nil {
		return err
	}
	u, err := s.accounts.User(r.Context(), caller, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.adminUser(u))
	return nil
}

// adminUpdateUser answers PUT /-/admin/users/{id}.
func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request) error {
	caller, id, err := s.adminAndUser(r)
	if err != nil {
		return err
	}
	b, err := s.decode(r)
	if err != nil {
		return err
	}
	c := account.UserChanges{Email: b.String("email"), Firstname: b.String("firstname"), Lastname: b.String("lastname"),
		Roles: b.stringList("roles"), Active: b.bool("active")}
	if err := b.Err(); err != nil {
		return err
	}
	u, err := s.accounts.UpdateUser(r.Context(), caller, id, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.adminUser(u))
	return nil
}

// adminUserAction adapts an action on the user of the path that answers success
// (or {} for a deletion) to a handler.
func (s *Server) adminUserAction(do func(*account.Service, *http.Request, *backrest.User, backrest.UserID) error, answer any) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		caller, id, err := s.adminAndUser(r)
		if err != nil {
			return err
		}
		if r.Method != http.MethodDelete {
			// A JSON body, {} at least, as every state change needs.
			if _, err := s.decode(r); err != nil {
				return err
			}
		}
		if err := do(s.accounts, r, caller, id); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, answer)
		return nil
	}
}

func deleteUser(a *account.Service, r *http.Request, caller *backrest.User, id backrest.UserID) error {
	return a.DeleteUser(r.Context(), caller, id)
}

func endSessions(a *account.Service, r *http.Request, caller *backrest.User, id backrest.UserID) error {
	return a.EndSessions(r.Context(), caller, id)
}

func resendConfirmation(a *account.Service, r *http.Request, caller *backrest.User, id backrest.UserID) error {
	return a.ResendConfirmation(r.Context(), caller, id)
}

// adminFileJSON is a file in the admin API, with what holds it.
type adminFileJSON struct {
	ID       int64         `json:"id"`
	UUID     string        `json:"uuid"`
	Filename string        `json:"filename"`
	MimeType string        `json:"mimetype"`
	Size     int64         `json:"size"`
	Owner    string        `json:"owner"`
	Created  string        `json:"created"`
	URL      string        `json:"url"`
	Item     *fileItemJSON `json:"item"`
}

// fileItemJSON is the item and field holding a file.
type fileItemJSON struct {
	Type  string `json:"type"`
	ID    int64  `json:"id"`
	Field string `json:"field"`
	URL   string `json:"url"`
}

// adminListFiles answers GET /-/admin/files.
func (s *Server) adminListFiles(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	var v backrest.Validation
	vals, limit, offset := queryParams(r, &v, "owner")
	var owner *backrest.UserID
	if o, ok := vals["owner"]; ok {
		id, ok := backrest.ParseUserID(o)
		if !ok {
			v.Add("querystring", "owner", "Must be a user id")
		}
		owner = &id
	}
	if err := v.Err(); err != nil {
		return err
	}
	files, total, err := s.accounts.Files(r.Context(), caller, owner, limit, offset)
	if err != nil {
		return err
	}
	out := make([]adminFileJSON, len(files))
	for i, f := range files {
		out[i] = adminFileJSON{ID: f.ID, UUID: f.UUID, Filename: f.Filename, MimeType: f.MimeType, Size: f.Size,
			Owner: f.Owner.String(), Created: f.Created.UTC().Format(rfc3339Micro), URL: s.fileURL(f.File)}
		if f.Content != 0 {
			item := &fileItemJSON{Type: f.ItemType, ID: f.Content, Field: f.Field}
			if t := s.typeByName(f.ItemType); t != nil {
				item.URL = s.itemURL(t, f.Content)
			}
			out[i].Item = item
		}
	}
	s.pageHeaders(w, r, total, limit, offset, len(files))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// typeByName returns the content type of the name, or nil.
func (s *Server) typeByName(name string) *content.Type {
	if s.content == nil {
		return nil
	}
	for _, t := range s.content.Types() {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// adminStats answers GET /-/admin/stats.
func (s *Server) adminStats(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	st, err := s.accounts.Stats(r.Context(), caller)
	if err != nil {
		return err
	}
	items := map[string]int64{}
	if s.content != nil {
		for _, t := range s.content.Types() {
			items[t.Name] = 0
		}
	}
	for t, n := range st.Items {
		items[t] = n
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": st.Users, "items": items,
		"files": map[string]int64{"count": st.Files, "bytes": st.FileBytes}})
	return nil
}

// adminRouteTable lists the routes of the admin API.
func (s *Server) adminRouteTable() []route {
	id := pathParam("id", "The user's id", m{"type": "string", "pattern": "^[0-9a-f]{32}$"})
	limit := m{"name": "limit", "in": "query", "description": fmt.Sprintf("The page size, 1 to %d (default %d)", account.MaxPageLimit, account.DefaultPageLimit),
		"schema": m{"type": "integer", "minimum": 1, "maximum": account.MaxPageLimit}}
	offset := m{"name": "offset", "in": "query", "description": "How many to skip", "schema": m{"type": "integer", "minimum": 0}}
	pageHeaders := m{
		"X-Total-Count": m{"description": "The number over all pages", "schema": m{"type": "integer"}},
		"Link":          m{"description": `The next page: <URL>; rel="next"`, "schema": m{"type": "string"}},
	}
	changes := m{"type": "object", "properties": m{
		"email": m{"type": "string"}, "firstname": m{"type": "string"}, "lastname": m{"type": "string"},
		"roles": m{"type": "array", "items": m{"type": "string"}}, "active": m{"type": "boolean"},
	}}
	newUser := m{"type": "object", "required": []string{"email"}, "properties": m{
		"email": m{"type": "string"}, "password": m{"type": "string"}, "firstname": m{"type": "string"}, "lastname": m{"type": "string"},
		"roles": m{"type": "array", "items": m{"type": "string"}}, "active": m{"type": "boolean", "default": true},
		"send_reset": m{"type": "boolean", "description": "Mail the user a link to set the password"},
	}}
	return []route{
		{method: "GET", pattern: "/-/admin/users", handler: s.adminListUsers, doc: operation{
			id: "adminListUsers", tag: tagAdmin, summary: "List users",
			description: "A page of the users, newest first, found by a part of the address or a name and filtered by role and state.",
			params: []m{
				{"name": "q", "in": "query", "description": "A part of the address, first or last name, in any case", "schema": m{"type": "string"}},
				{"name": "role", "in": "query", "description": "Only users with this role", "schema": m{"type": "string"}},
				{"name": "active", "in": "query", "description": "Only active (true) or inactive (false) users", "schema": m{"type": "boolean"}},
				limit, offset,
			},
			responses: withHeaders(answers(200, "A page of users", m{"type": "array", "items": ref("AdminUser")}, "400", "403"), "200", pageHeaders)}},
		{method: "POST", pattern: "/-/admin/users", handler: s.adminCreateUser, doc: operation{
			id: "adminCreateUser", tag: tagAdmin, summary: "Create a user",
			description: "Creates a user, active unless asked otherwise, with the checks of a sign-up; the password is optional, and send_reset mails a link to set it.",
			body:        jsonRequest(newUser),
			responses: withHeaders(answers(201, "The new user", ref("AdminUser"), "400", "403", "413", "415"), "201",
				m{"Location": m{"description": "The user's URL", "schema": m{"type": "string", "format": "uri"}}})}},
		{method: "GET", pattern: "/-/admin/users/{id}", handler: s.adminGetUser, doc: operation{
			id: "adminGetUser", tag: tagAdmin, summary: "Read a user",
			description: "The user of the id.",
			params:      []m{id},
			responses:   answers(200, "The user", ref("AdminUser"), "403", "404")}},
		{method: "PUT", pattern: "/-/admin/users/{id}", handler: s.adminUpdateUser, doc: operation{
			id: "adminUpdateUser", tag: tagAdmin, summary: "Change a user",
			description: "Changes the keys sent: address, names, roles, state. Deactivating a user ends their sessions; an admin cannot remove their own admin role or deactivate themselves.",
			params:      []m{id},
			body:        jsonRequest(changes),
			responses:   answers(200, "The changed user", ref("AdminUser"), "400", "403", "404", "413", "415")}},
		{method: "DELETE", pattern: "/-/admin/users/{id}", handler: s.adminUserAction(deleteUser, struct{}{}), doc: operation{
			id: "adminDeleteUser", tag: tagAdmin, summary: "Delete a user",
			description: "Deletes the user with their sessions and items; an admin cannot delete themselves.",
			params:      []m{id},
			responses:   answers(200, "The user is deleted", ref("Deleted"), "400", "403", "404")}},
		{method: "POST", pattern: "/-/admin/users/{id}/logout", handler: s.adminUserAction(endSessions, success), doc: operation{
			id: "adminEndSessions", tag: tagAdmin, summary: "End a user's sessions",
			description: "Ends every session of the user.",
			params:      []m{id},
			body:        jsonRequest(m{"type": "object"}),
			responses:   answers(200, "The sessions are ended", ref("Success"), "403", "404", "413", "415")}},
		{method: "POST", pattern: "/-/admin/users/{id}/resend", handler: s.adminUserAction(resendConfirmation, success), doc: operation{
			id: "adminResendConfirmation", tag: tagAdmin, summary: "Resend a confirmation mail",
			description: "Mails the confirmation link again to a pending sign-up (inactive and never confirmed); any other user is a 400.",
			params:      []m{id},
			body:        jsonRequest(m{"type": "object"}),
			responses:   answers(200, "The mail is on its way", ref("Success"), "400", "403", "404", "413", "415")}},
		{method: "GET", pattern: "/-/admin/files", handler: s.adminListFiles, doc: operation{
			id: "adminListFiles", tag: tagAdmin, summary: "List files",
			description: "A page of all files, newest first, with their owner and the item holding each.",
			params: []m{
				{"name": "owner", "in": "query", "description": "Only the files uploaded by this user", "schema": m{"type": "string"}},
				limit, offset,
			},
			responses: withHeaders(answers(200, "A page of files", m{"type": "array", "items": ref("AdminFile")}, "400", "403"), "200", pageHeaders)}},
		{method: "GET", pattern: "/-/admin/stats", handler: s.adminStats, doc: operation{
			id: "adminStats", tag: tagAdmin, summary: "Counts for a dashboard",
			description: "Users by state, items by type and the files with their bytes.",
			responses:   answers(200, "The counts", ref("AdminStats"), "403")}},
	}
}

// adminSchemas adds the schemas of the admin API.
func adminSchemas(schemas m) {
	str, integer := m{"type": "string"}, m{"type": "integer"}
	schemas["AdminUser"] = m{"type": "object",
		"required": []string{"id", "short_id", "email", "firstname", "lastname", "roles", "active", "pending", "created", "modified", "__meta__"},
		"properties": m{
			"id": m{"type": "string", "pattern": "^[0-9a-f]{32}$"}, "short_id": str, "email": str,
			"firstname": str, "lastname": str, "roles": m{"type": "array", "items": str},
			"active":   m{"type": "boolean"},
			"pending":  m{"type": "boolean", "description": "A sign-up that was never confirmed"},
			"created":  m{"type": "string", "format": "date-time"},
			"modified": m{"type": "string", "format": "date-time"},
			"__meta__": m{"type": "object", "required": []string{"url"}, "properties": m{"url": m{"type": "string", "format": "uri"}}},
		}}
	schemas["AdminFile"] = m{"type": "object",
		"required": []string{"id", "uuid", "filename", "mimetype", "size", "owner", "created", "url", "item"},
		"properties": m{
			"id": integer, "uuid": str, "filename": str, "mimetype": str, "size": integer, "owner": str,
			"created": m{"type": "string", "format": "date-time"}, "url": m{"type": "string", "format": "uri"},
			"item": m{"oneOf": []any{m{"type": "null"}, m{"type": "object", "required": []string{"type", "id", "field", "url"}, "properties": m{
				"type": str, "id": integer, "field": str, "url": m{"type": "string", "format": "uri"},
			}}}},
		}}
	schemas["AdminStats"] = m{"type": "object", "required": []string{"users", "items", "files"}, "properties": m{
		"users": m{"type": "object", "required": []string{"total", "active", "pending", "admins"}, "properties": m{
			"total": integer, "active": integer, "pending": integer, "admins": integer}},
		"items": m{"type": "object", "description": "The number of items of each type", "additionalProperties": integer},
		"files": m{"type": "object", "required": []string{"count", "bytes"}, "properties": m{"count": integer, "bytes": integer}},
	}}
}
