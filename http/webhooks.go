package http

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/webhook"
)

// The webhooks of the admin API, /-/admin/webhooks: the URLs to which the events
// of the change log are POSTed, and the state of their deliveries.

// webhookJSON is a webhook in the admin API.
type webhookJSON struct {
	ID     int64    `json:"id"`
	URL    string   `json:"url"`
	Types  []string `json:"types"`
	Kinds  []string `json:"kinds"`
	Active bool     `json:"active"`
	// Secret is shown when it was generated: at creation and rotation.
	Secret   string            `json:"secret,omitempty"`
	Created  string            `json:"created"`
	Modified string            `json:"modified"`
	Status   webhookStatusJSON `json:"status"`
	Meta     map[string]any    `json:"__meta__"`
}

// webhookStatusJSON is the state of the deliveries of a webhook.
type webhookStatusJSON struct {
	QueuedTo      int64   `json:"queued_to"`
	LastEvent     *int64  `json:"last_delivered_event"`
	LastDelivered *string `json:"last_delivered"`
	Pending       int64   `json:"pending"`
	Failed        int64   `json:"failed"`
	Missed        int64   `json:"missed"`
	LastError     *string `json:"last_error"`
	LastErrorAt   *string `json:"last_error_at"`
	NextAttempt   *string `json:"next_attempt"`
}

// optTime renders t, nil when it is zero.
func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(rfc3339Micro)
	return &s
}

func (s *Server) webhookURL(id int64) string {
	return s.base() + "/-/admin/webhooks/" + strconv.FormatInt(id, 10)
}

func (s *Server) webhookJSON(w *webhook.Webhook) webhookJSON {
	out := webhookJSON{ID: w.ID, URL: w.URL, Types: w.Types, Kinds: w.Kinds, Active: w.Active, Secret: w.Secret,
		Created: w.Created.UTC().Format(rfc3339Micro), Modified: w.Modified.UTC().Format(rfc3339Micro),
		Status: webhookStatusJSON{QueuedTo: w.QueuedTo, LastDelivered: optTime(w.LastDelivered), Pending: w.Pending,
			Failed: w.Failed, Missed: w.Missed, LastErrorAt: optTime(w.LastErrorAt), NextAttempt: optTime(w.NextAttempt)},
		Meta: map[string]any{"url": s.webhookURL(w.ID), "deliveries": s.webhookURL(w.ID) + "/deliveries"}}
	if w.LastEvent != 0 {
		out.Status.LastEvent = &w.LastEvent
	}
	if w.LastError != "" {
		out.Status.LastError = &w.LastError
	}
	return out
}

// deliveryJSON is a delivery in the admin API.
type deliveryJSON struct {
	ID          int64   `json:"id"`
	Event       int64   `json:"event"`
	Type        string  `json:"type"`
	Item        int64   `json:"item"`
	Kind        string  `json:"kind"`
	Occurred    string  `json:"occurred"`
	State       string  `json:"state"`
	Attempts    int     `json:"attempts"`
	Created     string  `json:"created"`
	NextAttempt *string `json:"next_attempt"`
	LastStatus  *int    `json:"last_status"`
	LastError   *string `json:"last_error"`
	Finished    *string `json:"finished"`
}

func deliveryJSONOf(d webhook.Delivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, Event: d.Event.ID, Type: d.Event.Type, Item: d.Event.Item, Kind: d.Event.Kind,
		Occurred: d.Event.Created.UTC().Format(rfc3339Micro), State: d.State, Attempts: d.Attempts,
		Created: d.Created.UTC().Format(rfc3339Micro), Finished: optTime(d.Finished)}
	switch d.State {
	case webhook.Pending:
		out.NextAttempt = optTime(d.Due)
	case webhook.Waiting:
		// Behind an earlier delivery of its item: no attempt is planned yet.
		out.State = webhook.Pending
	}
	if d.LastStatus != 0 {
		out.LastStatus = &d.LastStatus
	}
	if d.LastError != "" {
		out.LastError = &d.LastError
	}
	return out
}

// webhookFields are the keys of a webhook's body.
var webhookFields = []string{"url", "types", "kinds", "secret", "rotate_secret", "active"}

// webhookInput decodes the body of a webhook's creation or change. Unknown keys
// are refused, so that a misspelt one does not pass unnoticed.
func (s *Server) webhookInput(r *http.Request) (webhook.Input, error) {
	b, err := s.decode(r)
	if err != nil {
		return webhook.Input{}, err
	}
	var unknown []string
	for k := range b.fields {
		if !slices.Contains(webhookFields, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		b.v.Body(k, "Unknown field: the fields are url, types, kinds, secret, rotate_secret and active")
	}
	in := webhook.Input{URL: b.String("url"), Types: b.stringList("types"), Kinds: b.stringList("kinds"),
		Secret: b.String("secret"), Active: b.bool("active")}
	if rotate := b.bool("rotate_secret"); rotate != nil {
		in.RotateSecret = *rotate
	}
	return in, b.Err()
}

// pathWebhookID parses the {id} of a webhook path; anything but a positive
// integer is 404.
func pathWebhookID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, backrest.Errorf(backrest.ENOTFOUND, "Webhook not found")
	}
	return id, nil
}

// adminListWebhooks answers GET /-/admin/webhooks.
func (s *Server) adminListWebhooks(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	hooks, err := s.webhooks.List(r.Context(), caller)
	if err != nil {
		return err
	}
	out := make([]webhookJSON, len(hooks))
	for i, h := range hooks {
		out[i] = s.webhookJSON(h)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// adminCreateWebhook answers POST /-/admin/webhooks.
func (s *Server) adminCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	in, err := s.webhookInput(r)
	if err != nil {
		return err
	}
	h, err := s.webhooks.Create(r.Context(), caller, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.webhookURL(h.ID))
	writeJSON(w, http.StatusCreated, s.webhookJSON(h))
	return nil
}

// adminGetWebhook answers GET /-/admin/webhooks/{id}.
func (s *Server) adminGetWebhook(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	id, err := pathWebhookID(r)
	if err != nil {
		return err
	}
	h, err := s.webhooks.Get(r.Context(), caller, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.webhookJSON(h))
	return nil
}

// adminUpdateWebhook answers PUT /-/admin/webhooks/{id}.
func (s *Server) adminUpdateWebhook(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	id, err := pathWebhookID(r)
	if err != nil {
		return err
	}
	in, err := s.webhookInput(r)
	if err != nil {
		return err
	}
	h, err := s.webhooks.Update(r.Context(), caller, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.webhookJSON(h))
	return nil
}

// adminDeleteWebhook answers DELETE /-/admin/webhooks/{id}.
func (s *Server) adminDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	id, err := pathWebhookID(r)
	if err != nil {
		return err
	}
	if err := s.webhooks.Delete(r.Context(), caller, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// adminListDeliveries answers GET /-/admin/webhooks/{id}/deliveries.
func (s *Server) adminListDeliveries(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.admin(r)
	if err != nil {
		return err
	}
	id, err := pathWebhookID(r)
	if err != nil {
		return err
	}
	var v backrest.Validation
	vals, limit, offset := queryParams(r, &v, "state")
	state := vals["state"]
	if _, ok := vals["state"]; ok && state != webhook.Pending && state != webhook.Delivered && state != webhook.Failed {
		v.Add("querystring", "state", "Must be pending, delivered or failed")
	}
	if err := v.Err(); err != nil {
		return err
	}
	ds, total, err := s.webhooks.Deliveries(r.Context(), caller, id, state, limit, offset)
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		out[i] = deliveryJSONOf(d)
	}
	s.pageHeaders(w, r, total, limit, offset, len(ds))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookRouteTable lists the routes of the webhooks of the admin API.
func (s *Server) webhookRouteTable() []route {
	if s.webhooks == nil {
		return nil
	}
	id := pathParam("id", "The webhook's id", m{"type": "integer", "minimum": 1})
	strs := m{"type": "array", "items": m{"type": "string"}}
	kinds := m{"type": "array", "items": m{"enum": []any{"create", "update", "delete"}}, "minItems": 1}
	input := func(required ...string) m {
		return m{"type": "object", "required": append([]string{}, required...), "additionalProperties": false, "properties": m{
			"url":           m{"type": "string", "format": "uri", "description": "Where events are POSTed: an http:// or https:// URL"},
			"types":         merge(strs, m{"description": "The names (or plurals) of the content types covered; empty or absent at creation: every type"}),
			"kinds":         merge(kinds, m{"description": "The kinds of change covered; absent at creation: all three"}),
			"secret":        m{"type": "string", "minLength": 16, "maxLength": 256, "description": "The key of the signatures; absent at creation: one is generated and shown in the answer, once"},
			"rotate_secret": m{"type": "boolean", "description": "Replace the secret by a generated one, shown in the answer, once"},
			"active":        m{"type": "boolean", "description": "Whether events are delivered (they are queued meanwhile); default true"},
		}}
	}
	limit := m{"name": "limit", "in": "query", "description": "The page size, 1 to 1000 (default 50)",
		"schema": m{"type": "integer", "minimum": 1, "maximum": 1000}}
	offset := m{"name": "offset", "in": "query", "description": "How many to skip", "schema": m{"type": "integer", "minimum": 0}}
	return []route{
		{method: "GET", pattern: "/-/admin/webhooks", handler: s.adminListWebhooks, doc: operation{
			id: "adminListWebhooks", tag: tagAdmin, summary: "List webhooks",
			description: "Every webhook, oldest first, with the state of its deliveries. Secrets are never shown here.",
			responses:   answers(200, "The webhooks", m{"type": "array", "items": ref("Webhook")}, "403")}},
		{method: "POST", pattern: "/-/admin/webhooks", handler: s.adminCreateWebhook, doc: operation{
			id: "adminCreateWebhook", tag: tagAdmin, summary: "Create a webhook",
			description: "Adds a webhook, which receives the events logged from now on, signed with its secret: the answer shows a generated secret, the only time it is shown.",
			body:        jsonRequest(input("url")),
			responses: withHeaders(answers(201, "The new webhook, with its secret when it was generated", ref("Webhook"), "400", "403", "413", "415"), "201",
				m{"Location": m{"description": "The webhook's URL", "schema": m{"type": "string", "format": "uri"}}})}},
		{method: "GET", pattern: "/-/admin/webhooks/{id}", handler: s.adminGetWebhook, doc: operation{
			id: "adminGetWebhook", tag: tagAdmin, summary: "Read a webhook",
			description: "The webhook of the id, with the state of its deliveries.",
			params:      []m{id},
			responses:   answers(200, "The webhook", ref("Webhook"), "403", "404")}},
		{method: "PUT", pattern: "/-/admin/webhooks/{id}", handler: s.adminUpdateWebhook, doc: operation{
			id: "adminUpdateWebhook", tag: tagAdmin, summary: "Change a webhook",
			description: "Changes the keys sent. Narrowing the types or kinds drops the pending deliveries no longer covered; a new URL or secret applies to the next attempts.",
			params:      []m{id},
			body:        jsonRequest(input()),
			responses:   answers(200, "The changed webhook, with its secret when it was rotated", ref("Webhook"), "400", "403", "404", "413", "415")}},
		{method: "DELETE", pattern: "/-/admin/webhooks/{id}", handler: s.adminDeleteWebhook, doc: operation{
			id: "adminDeleteWebhook", tag: tagAdmin, summary: "Delete a webhook",
			description: "Deletes the webhook with its deliveries, pending ones included.",
			params:      []m{id},
			responses:   answers(200, "The webhook is deleted", ref("Deleted"), "403", "404")}},
		{method: "GET", pattern: "/-/admin/webhooks/{id}/deliveries", handler: s.adminListDeliveries, doc: operation{
			id: "adminListWebhookDeliveries", tag: tagAdmin, summary: "List a webhook's deliveries",
			description: "A page of the deliveries of the webhook, newest event first: pending ones, and those delivered or given up on within the event retention period.",
			params: []m{id,
				{"name": "state", "in": "query", "description": "Only the deliveries in this state", "schema": m{"enum": []any{"pending", "delivered", "failed"}}},
				limit, offset},
			responses: withHeaders(answers(200, "A page of deliveries", m{"type": "array", "items": ref("WebhookDelivery")}, "400", "403", "404"), "200", m{
				"X-Total-Count": m{"description": "The number over all pages", "schema": m{"type": "integer"}},
				"Link":          m{"description": `The next page: <URL>; rel="next"`, "schema": m{"type": "string"}},
			})}},
	}
}

// webhookSchemas adds the schemas of the webhooks of the admin API.
func webhookSchemas(schemas m) {
	str, integer, date := m{"type": "string"}, m{"type": "integer"}, m{"type": "string", "format": "date-time"}
	orNull := func(s m) m { return m{"oneOf": []any{s, m{"type": "null"}}} }
	schemas["Webhook"] = m{"type": "object",
		"required": []string{"id", "url", "types", "kinds", "active", "created", "modified", "status", "__meta__"},
		"properties": m{
			"id": integer, "url": m{"type": "string", "format": "uri"},
			"types":    m{"type": "array", "items": str, "description": "The content types covered; empty: every type"},
			"kinds":    m{"type": "array", "items": m{"enum": []any{"create", "update", "delete"}}},
			"active":   m{"type": "boolean"},
			"secret":   m{"type": "string", "description": "Only when generated: at creation without a secret, and at rotation"},
			"created":  date,
			"modified": date,
			"status": m{"type": "object", "required": []string{"queued_to", "last_delivered_event", "last_delivered", "pending", "failed",
				"missed", "last_error", "last_error_at", "next_attempt"}, "properties": m{
				"queued_to":            m{"type": "integer", "description": "The last event of the log considered for the webhook"},
				"last_delivered_event": orNull(integer),
				"last_delivered":       orNull(date),
				"pending":              m{"type": "integer", "description": "Deliveries waiting to be acknowledged"},
				"failed":               m{"type": "integer", "description": "Deliveries given up on, kept for the event retention period"},
				"missed":               m{"type": "integer", "description": "Events that may have left the log before they were queued"},
				"last_error":           orNull(str),
				"last_error_at":        orNull(date),
				"next_attempt":         orNull(date),
			}},
			"__meta__": m{"type": "object", "required": []string{"url", "deliveries"}, "properties": m{
				"url": m{"type": "string", "format": "uri"}, "deliveries": m{"type": "string", "format": "uri"}}},
		}}
	schemas["WebhookDelivery"] = m{"type": "object",
		"required": []string{"id", "event", "type", "item", "kind", "occurred", "state", "attempts", "created", "next_attempt",
			"last_status", "last_error", "finished"},
		"properties": m{
			"id": integer, "event": m{"type": "integer", "description": "The event's id in the log, sent as X-Backrest-Event"},
			"type": str, "item": integer, "kind": m{"enum": []any{"create", "update", "delete"}},
			"occurred":     m{"type": "string", "format": "date-time", "description": "When the change was made"},
			"state":        m{"enum": []any{"pending", "delivered", "failed"}},
			"attempts":     integer,
			"created":      m{"type": "string", "format": "date-time", "description": "When the delivery was queued"},
			"next_attempt": orNull(date),
			"last_status":  orNull(integer),
			"last_error":   orNull(str),
			"finished":     orNull(date),
		}}
}
