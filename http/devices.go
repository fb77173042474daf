package http

import (
	"net/http"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
)

// Devices: the sessions of a user, listed and ended by the user under
// /-/userprofile/sessions and by admins under /-/admin/users/{id}/sessions.

// deviceJSON is a session in the API.
type deviceJSON struct {
	ID         string         `json:"id"`
	Created    string         `json:"created"`
	LastUsed   string         `json:"last_used"`
	Expires    string         `json:"expires"`
	ClientAddr string         `json:"client_addr"`
	UserAgent  string         `json:"user_agent"`
	Current    bool           `json:"current"`
	Meta       map[string]any `json:"__meta__"`
}

// devicesJSON renders sessions, whose URLs are under the prefix.
func devicesJSON(ds []account.Device, prefix string) []deviceJSON {
	out := make([]deviceJSON, len(ds))
	for i, d := range ds {
		out[i] = deviceJSON{ID: d.ID, Created: d.Created.UTC().Format(rfc3339Micro), LastUsed: d.LastUsed.UTC().Format(rfc3339Micro),
			Expires: d.Expires.UTC().Format(rfc3339Micro), ClientAddr: d.ClientAddr, UserAgent: d.UserAgent, Current: d.Current,
			Meta: map[string]any{"url": prefix + d.ID}}
	}
	return out
}

// sessions answers GET /-/userprofile/sessions.
func (s *Server) sessions(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	ds, err := s.accounts.Sessions(r.Context(), sess)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, devicesJSON(ds, s.base()+"/-/userprofile/sessions/"))
	return nil
}

// endSession answers DELETE /-/userprofile/sessions/{session}. Ending the caller's
// own session is a logout: its cookie is cleared.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	id := r.PathValue("session")
	if err := s.accounts.EndSession(r.Context(), sess, id); err != nil {
		return err
	}
	if id == sess.ID {
		s.clearSession(w, r)
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// adminSessions answers GET /-/admin/users/{id}/sessions.
func (s *Server) adminSessions(w http.ResponseWriter, r *http.Request) error {
	caller, id, err := s.adminAndUser(r)
	if err != nil {
		return err
	}
	ds, err := s.accounts.UserSessions(r.Context(), caller, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, devicesJSON(ds, s.adminUserURL(id)+"/sessions/"))
	return nil
}

func endUserSession(a *account.Service, r *http.Request, caller *backrest.User, id backrest.UserID) error {
	return a.EndUserSession(r.Context(), caller, id, r.PathValue("session"))
}

// deviceRouteTable lists the routes of devices.
func (s *Server) deviceRouteTable() []route {
	session := pathParam("session", "The session's id", m{"type": "string"})
	user := pathParam("id", "The user's id", m{"type": "string", "pattern": "^[0-9a-f]{32}$"})
	list := m{"type": "array", "items": ref("Session")}
	return []route{
		{method: "GET", pattern: "/-/userprofile/sessions", handler: s.sessions, doc: operation{
			id: "listSessions", tag: tagAccounts, summary: "List the caller's sessions",
			description: "The unexpired sessions of the caller (their devices), the last used first, with the caller's own marked current. " +
				"A session's last use, client address and user agent are recorded at most once a minute.",
			responses: answers(200, "The sessions", list, "403")}},
		{method: "DELETE", pattern: "/-/userprofile/sessions/{session}", handler: s.endSession, doc: operation{
			id: "endSession", tag: tagAccounts, summary: "End one of the caller's sessions",
			description: "Ends the session: its token no longer works. Ending the caller's own session logs out and clears the cookie.",
			params:      []m{session},
			responses:   answers(200, "The session is ended", ref("Deleted"), "403", "404")}},
		{method: "GET", pattern: "/-/admin/users/{id}/sessions", handler: s.adminSessions, doc: operation{
			id: "adminListSessions", tag: tagAdmin, summary: "List a user's sessions",
			description: "The unexpired sessions of the user, the last used first.",
			params:      []m{user},
			responses:   answers(200, "The sessions", list, "403", "404")}},
		{method: "DELETE", pattern: "/-/admin/users/{id}/sessions/{session}", handler: s.adminUserAction(endUserSession, struct{}{}), doc: operation{
			id: "adminEndSession", tag: tagAdmin, summary: "End one session of a user",
			description: "Ends the session of the user: its token no longer works.",
			params:      []m{user, session},
			responses:   answers(200, "The session is ended", ref("Deleted"), "403", "404")}},
	}
}

// deviceSchemas adds the schemas of devices.
func deviceSchemas(schemas m) {
	date := m{"type": "string", "format": "date-time"}
	schemas["Session"] = m{"type": "object", "description": "A session: a device where the user is logged in",
		"required": []string{"id", "created", "last_used", "expires", "client_addr", "user_agent", "current", "__meta__"},
		"properties": m{
			"id": m{"type": "string"}, "created": date,
			"last_used":   merge(m{"description": "When it was last used, to within a minute"}, date),
			"expires":     date,
			"client_addr": m{"type": "string", "description": "The client address of its last recorded use (empty if unknown)"},
			"user_agent":  m{"type": "string", "description": "The user agent of its last recorded use, cut to 256 characters"},
			"current":     m{"type": "boolean", "description": "Whether it is the caller's own session"},
			"__meta__":    m{"type": "object", "required": []string{"url"}, "properties": m{"url": m{"type": "string", "format": "uri"}}},
		}}
}
