package http

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/content"
)

// contentInput reads the keys of a request body that the type t knows into the
// input of a create or update; a value of the wrong JSON type is recorded as
// malformed, for the service to report with its own findings. Keys the type does
// not know, and __meta__, are ignored.
func contentInput(t *content.Type, body map[string]json.RawMessage) *content.Input {
	in := &content.Input{Fields: make(map[string]any, len(t.Fields))}
	malformed := func(key, why string) {
		if in.Malformed == nil {
			in.Malformed = map[string]string{}
		}
		in.Malformed[key] = why
	}
	for _, key := range []string{"title", "description"} {
		raw, ok := body[key]
		if !ok {
			continue
		}
		var s string
		if !isNull(raw) && json.Unmarshal(raw, &s) != nil {
			malformed(key, "Must be a string")
			continue
		}
		if key == "title" {
			in.Title = &s
		} else {
			in.Description = &s
		}
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		raw, ok := body[f.Name]
		if !ok {
			continue
		}
		v, why := fieldValue(f, raw)
		if why != "" {
			malformed(f.Name, why)
			continue
		}
		in.Fields[f.Name] = v
	}
	if raw, ok := body["categories"]; ok && t.Categories {
		in.Categories = []string{}
		if !isNull(raw) && json.Unmarshal(raw, &in.Categories) != nil {
			in.Categories = nil
			malformed("categories", "Must be a list of category titles")
		}
	}
	return in
}

// isNull reports whether raw is the JSON null.
func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// fieldValue reads the JSON value of the field, or says why it cannot. null is
// nil, which clears the field.
func fieldValue(f *content.Field, raw json.RawMessage) (any, string) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return nil, ""
	}
	switch f.Kind {
	case content.String, content.Text:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "Must be a string"
		}
		return s, ""
	case content.Integer:
		n, ok := content.ParseInteger(string(raw))
		if !ok {
			return nil, "Must be an integer"
		}
		return n, ""
	case content.Number:
		n, ok := content.ParseNumber(string(raw))
		if !ok {
			return nil, "Must be a number"
		}
		return n, ""
	case content.Boolean:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, "Must be true or false"
		}
		return b, ""
	case content.DateTime:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "Must be a date and time (RFC 3339) string"
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, "Must be a date and time (RFC 3339), such as 2024-05-01T12:00:00Z"
		}
		return tm, ""
	case content.JSON:
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			return nil, "Must be JSON"
		}
		return json.RawMessage(b.Bytes()), ""
	case content.FileKind:
		return attachment(raw)
	case content.User:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			var obj struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(raw, &obj) != nil {
				return nil, "Must be the id of a user"
			}
			s = obj.ID
		}
		id, ok := backrest.ParseUserID(s)
		if !ok {
			return nil, "Must be the id of a user"
		}
		return id, ""
	case content.Relation:
		if !f.Multiple {
			id, ok := relationID(raw)
			if !ok {
				return nil, "Must be the id of an item"
			}
			return id, ""
		}
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return nil, "Must be a list of item ids"
		}
		ids := make([]int64, len(list))
		for i, r := range list {
			id, ok := relationID(r)
			if !ok {
				return nil, "Must be a list of item ids"
			}
			ids[i] = id
		}
		return ids, ""
	}
	return nil, "Unsupported field type"
}

// relationID reads an item held by a relation field: its id, or its
// representation (an object with its "id"), as an expanded item is posted back.
func relationID(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if bytes.HasPrefix(raw, []byte("{")) {
		var v struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(raw, &v) != nil || v.ID == nil {
			return 0, false
		}
		raw = v.ID
	}
	return content.ParseInteger(string(raw))
}

// attachment reads the value posted for a file field: a data URL object
// {"data": "data:MIME;base64,…", "filename": …}, or the id of a file the caller
// uploaded, as a number or as its representation (an object with its "id", as
// posted back by a client); a data URL alone, as a string, is accepted too.
func attachment(raw json.RawMessage) (any, string) {
	const wrongType = `Must be a file: {"data": "data:MIME;base64,…", "filename": "…"} or the id of an upload`
	var v struct {
		Data     *string `json:"data"`
		Filename *string `json:"filename"`
		ID       *int64  `json:"id"`
	}
	switch s := string(raw); {
	case strings.HasPrefix(s, "{"):
		if json.Unmarshal(raw, &v) != nil {
			return nil, wrongType
		}
	case strings.HasPrefix(s, `"`):
		var d string
		if json.Unmarshal(raw, &d) != nil {
			return nil, wrongType
		}
		v.Data = &d
	default:
		var id int64
		if json.Unmarshal(raw, &id) != nil {
			return nil, wrongType
		}
		v.ID = &id
	}
	switch {
	case v.Data != nil:
		if *v.Data == "" {
			return nil, "Must be a data URL: data:MIME;base64,…"
		}
		a := &backrest.Attachment{DataURL: *v.Data}
		if v.Filename != nil {
			a.Filename = *v.Filename
		}
		return a, ""
	case v.ID != nil:
		return &backrest.Attachment{ID: *v.ID}, ""
	}
	return nil, wrongType
}
